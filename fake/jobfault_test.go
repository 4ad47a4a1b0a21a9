package fake_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/vmimage/vmimage/fake"
	"github.com/vmimage/vmimage/signer"
)

// copyTo2 is a CopyImages body copying ids to cn-east-2.
func copyTo2(ids ...string) string {
	return `{"sourceImageIds":["` + strings.Join(ids, `","`) + `"],"destinationRegion":"cn-east-2"}`
}

// copied returns the destination image ids of a CopyImages answer.
func copied(t *testing.T, a answer) []string {
	t.Helper()
	var ids []string
	list, _ := a.result()["copyImages"].([]any)
	for _, c := range list {
		id, _ := c.(map[string]any)["destinationImageId"].(string)
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		t.Fatalf("no copies in %s", a.raw)
	}
	return ids
}

// faultedLog lists the logged requests that carry a fault, as "METHOD path fault".
func faultedLog(h *writeHarness) []string {
	var out []string
	for _, r := range h.srv.Requests() {
		if r.Fault != "" {
			out = append(out, r.Method+" "+r.Path+" "+r.Fault)
		}
	}
	return out
}

// A FaultJobFails is consumed by the first CopyImages that starts a copy: copies
// refused (404, 400, 401, a source busy) leave it pending and are logged without it.
func TestJobFailsWaitsForACopyThatStarts(t *testing.T) {
	h := startWrites(t)
	if err := h.srv.Inject(fake.Fault{Kind: fake.FaultJobFails, Times: 1}); err != nil {
		t.Fatal(err)
	}
	target := n1 + "/images%3AcopyImages"
	h.fails("copyImages", http.MethodPost, target, copyTo2("img-nosuchimage"), 404, "NOT_FOUND", "Image 'img-nosuchimage' not found")
	h.fails("copyImages", http.MethodPost, target, copyTo2(fake.SeedShared, "img-nosuchimage"), 404, "NOT_FOUND", "Image 'img-nosuchimage' not found")
	h.fails("copyImages", http.MethodPost, target, `{"sourceImageIds":["`+fake.SeedShared+`"],"destinationRegion":"mars-1"}`,
		400, "INVALID_ARGUMENT", "Invalid region 'mars-1'")
	h.fails("copyImages", http.MethodPost, target, `{"sourceImageIds":["`+fake.SeedShared+`"]`, 400, "INVALID_ARGUMENT",
		"the request body is not a JSON object: unexpected end of JSON input")
	good := h.s
	h.s = signer.New(signer.Credentials{AccessKey: h.srv.Credentials().AccessKey, SecretKey: "not-the-secret"}, "vm")
	if a := h.do("copyImages", http.MethodPost, target, copyTo2(fake.SeedShared), false); a.status != 401 {
		t.Errorf("badly signed copy: %d %s", a.status, a.raw)
	}
	h.s = good
	if got := faultedLog(h); len(got) != 0 {
		t.Errorf("refused copies logged with a fault: %q", got)
	}

	// The first copy that starts fails, and only its request is logged with the fault.
	dst := copied(t, h.ok("copyImages", http.MethodPost, target, copyTo2(fake.SeedShared)))
	// Its source is busy: this copy is refused, and there is no fault left to take anyway.
	h.fails("copyImages", http.MethodPost, target, copyTo2(fake.SeedShared), 400, "FAILED_PRECONDITION", "The image '"+fake.SeedShared+"' is busy")
	h.clock.Advance(fake.DefaultJobDuration)
	h.wantImage("cn-east-2", dst[0], "error", "")
	if got := faultedLog(h); len(got) != 1 || got[0] != "POST "+target+" job-fails" {
		t.Errorf("faulted requests in the log: %q", got)
	}

	// The fault is spent: the next copy succeeds.
	dst = copied(t, h.ok("copyImages", http.MethodPost, target, copyTo2(fake.SeedShared)))
	h.clock.Advance(fake.DefaultJobDuration)
	h.wantImage("cn-east-2", dst[0], "ready", "100")
	if got := faultedLog(h); len(got) != 1 {
		t.Errorf("faulted requests in the log: %q", got)
	}
}

// One use of a FaultJobFails is one request: every copy a multi-image CopyImages
// starts fails, and the next request's copies do not.
func TestJobFailsFailsEveryCopyOfItsRequest(t *testing.T) {
	h := startWrites(t)
	if err := h.srv.Inject(fake.Fault{Kind: fake.FaultJobFails, Operation: "copyImages", Times: 1}); err != nil {
		t.Fatal(err)
	}
	target := n1 + "/images%3AcopyImages"
	for i, want := range []string{"error", "ready"} {
		dst := copied(t, h.ok("copyImages", http.MethodPost, target, copyTo2(fake.SeedShared, fake.SeedPrivateWindows)))
		h.clock.Advance(fake.DefaultJobDuration)
		if len(dst) != 2 {
			t.Fatalf("request %d: copies %q", i+1, dst)
		}
		for _, id := range dst {
			h.wantImage("cn-east-2", id, want, "")
		}
	}
}

// A FaultJobFails is consumed by the first ImportImage that starts an import: an
// import refused (400, 429 QUOTA_EXCEEDED) or a clientToken replay leaves it pending.
func TestJobFailsWaitsForAnImportThatStarts(t *testing.T) {
	const quota = 25
	h := startWrites(t, fake.WithImageQuota(quota))
	target := n1 + "/images%3Aimport"
	imp := func(name, extra string) string {
		return `{"architecture":"x86_64","osType":"linux","platform":"CentOS","diskFormat":"raw","systemDiskSizeGB":50,` +
			`"imageUrl":"https://b.s3.cn-north-1.jdcloud-oss.com/a.raw","imageName":"` + name + `"` + extra + `}`
	}
	taskStatus := func(id string) string {
		t.Helper()
		a := h.ok("imageTasks", http.MethodGet, n1+"/imageTasks?taskIds.1="+id, "")
		set, _ := a.result()["taskSet"].([]any)
		if len(set) != 1 {
			t.Fatalf("task %s: %s", id, a.raw)
		}
		s, _ := set[0].(map[string]any)["taskStatus"].(string)
		return s
	}
	// Fill the region to its quota (the first import with a clientToken, replayed below).
	tokened := h.ok("importImage", http.MethodPost, target, imp("fill-0", `,"clientToken":"import-once"`))
	var last string
	for i := 1; ; i++ {
		a := h.do("importImage", http.MethodPost, target, imp(fmt.Sprintf("fill-%d", i), ""), true)
		if a.status == 429 {
			break
		}
		if a.status != 200 || i > quota {
			t.Fatalf("filling the quota, import %d: %d %s", i, a.status, a.raw)
		}
		last = a.str("imageId")
	}
	if err := h.srv.Inject(fake.Fault{Kind: fake.FaultJobFails, Operation: "importImage", Times: 1}); err != nil {
		t.Fatal(err)
	}
	h.fails("importImage", http.MethodPost, target, imp("over-quota", ""), 429, "QUOTA_EXCEEDED", "Image quota limit exceeded")
	h.fails("importImage", http.MethodPost, target, strings.Replace(imp("bad-arch", ""), "x86_64", "i386", 1), 400, "INVALID_ARGUMENT", "Invalid architecture 'i386'")
	if a := h.ok("importImage", http.MethodPost, target, imp("fill-0", `,"clientToken":"import-once"`)); a.raw != strings.Replace(tokened.raw, tokened.body["requestId"].(string), a.body["requestId"].(string), 1) {
		t.Errorf("the replay answered %s, first %s", a.raw, tokened.raw)
	}
	if got := faultedLog(h); len(got) != 0 {
		t.Errorf("imports that started nothing logged with a fault: %q", got)
	}

	// Room for one more: that import starts, and fails.
	if !h.srv.Images().Delete("cn-north-1", last) {
		t.Fatalf("%s not stored", last)
	}
	a := h.ok("importImage", http.MethodPost, target, imp("fails", ""))
	h.clock.Advance(fake.DefaultJobDuration)
	if got := taskStatus(a.str("taskId")); got != "failed" {
		t.Errorf("the faulted import's task is %s", got)
	}
	h.wantImage("cn-north-1", a.str("imageId"), "error", "")
	if got := faultedLog(h); len(got) != 1 || got[0] != "POST "+target+" job-fails" {
		t.Errorf("faulted requests in the log: %q", got)
	}

	// The fault is spent: the next import finishes.
	if !h.srv.Images().Delete("cn-north-1", a.str("imageId")) {
		t.Fatal("the failed import's image is not stored")
	}
	a = h.ok("importImage", http.MethodPost, target, imp("works", ""))
	h.clock.Advance(fake.DefaultJobDuration)
	if got := taskStatus(a.str("taskId")); got != "finished" {
		t.Errorf("the next import's task is %s", got)
	}
	h.wantImage("cn-north-1", a.str("imageId"), "ready", "100")
}

// Concurrent copies of one source: one starts (the others find it busy) and takes
// the fault's single use; the fault is taken once, and logged once.
func TestJobFailsClaimedOnceUnderConcurrency(t *testing.T) {
	h := startWrites(t)
	if err := h.srv.Inject(fake.Fault{Kind: fake.FaultJobFails, Times: 1}); err != nil {
		t.Fatal(err)
	}
	target := n1 + "/images%3AcopyImages"
	const n = 8
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = h.do("copyImages", http.MethodPost, target, copyTo2(fake.SeedShared), false)
		}()
	}
	wg.Wait()
	var started []string
	for _, a := range answers {
		switch {
		case a.status == 200:
			started = append(started, copied(t, a)...)
		case a.status != 400 || a.errMsg() != "The image '"+fake.SeedShared+"' is busy":
			t.Errorf("copy answered %d %s", a.status, a.raw)
		}
	}
	if len(started) != 1 {
		t.Fatalf("%d copies started: %q", len(started), started)
	}
	h.clock.Advance(fake.DefaultJobDuration)
	h.wantImage("cn-east-2", started[0], "error", "")
	if got := faultedLog(h); len(got) != 1 {
		t.Errorf("faulted requests in the log: %q", got)
	}
	dst := copied(t, h.ok("copyImages", http.MethodPost, target, copyTo2(fake.SeedShared)))
	h.clock.Advance(fake.DefaultJobDuration)
	h.wantImage("cn-east-2", dst[0], "ready", "100")
}

// A FaultJobFails's Retry-After goes with the request that consumes it, not with a
// refused one.
func TestJobFailsRetryAfterGoesWithItsJob(t *testing.T) {
	h := startWrites(t)
	if err := h.srv.Inject(fake.Fault{Kind: fake.FaultJobFails, RetryAfter: "7", Times: 1}); err != nil {
		t.Fatal(err)
	}
	copyOnce := func(body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+n1+"/images%3AcopyImages", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if err := h.s.Sign(req, []byte(body), "cn-north-1"); err != nil {
			t.Fatal(err)
		}
		resp, _ := do(t, req)
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	for _, c := range []struct {
		body       string
		status     int
		retryAfter string
	}{{copyTo2("img-nosuchimage"), 404, ""}, {copyTo2(fake.SeedShared), 200, "7"}, {copyTo2(fake.SeedPrivateWindows), 200, ""}} {
		if status, ra := copyOnce(c.body); status != c.status || ra != c.retryAfter {
			t.Errorf("%s: %d, Retry-After %q; want %d, %q", c.body, status, ra, c.status, c.retryAfter)
		}
	}
}
