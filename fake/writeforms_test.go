package fake_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vmimage/vmimage/fake"
	"github.com/vmimage/vmimage/signer"
)

// The bodies JD's SDKs send, in every form: Go (sorted keys, path copies, nulls, the
// colon as %3A), Python (constructor order, ", " separators, the colon raw), and a
// client that sends only what it set.
func TestEverySDKWireFormIsAccepted(t *testing.T) {
	h := startWrites(t)
	id := fake.SeedShared
	for _, c := range []struct{ name, target, body string }{
		{"Go", n1 + "/images/" + id + "%3Ashare", `{"imageId":"` + id + `","loginNames":null,"pins":["pin1","pin2"],"regionId":"cn-north-1"}`},
		{"Python", n1 + "/images/" + id + ":share", `{"regionId": "cn-north-1", "imageId": "` + id + `", "pins": ["pin3"], "loginNames": null}`},
		{"plain", n1 + "/images/" + id + "%3Ashare", `{"loginNames":["partner-qa"]}`},
		{"lowercase escape", n1 + "/images/" + id + "%3ashare", `{"pins":["pin4"]}`},
	} {
		t.Run(c.name, func(t *testing.T) { h.ok("shareImage", http.MethodPost, c.target, c.body) })
	}
	a := h.ok("describeImageMembers", http.MethodGet, n1+"/images/"+id+"/members", "")
	for _, p := range []string{"pin1", "pin2", "pin3", "pin4", "partner-qa"} {
		if !strings.Contains(a.raw, `"`+p+`"`) {
			t.Errorf("%s missing from %s", p, a.raw)
		}
	}
	// Python's copy body, in constructor order with nulls.
	h.ok("copyImages", http.MethodPost, n1+"/images:copyImages",
		`{"regionId": "cn-north-1", "sourceImageIds": ["`+fake.SeedPrivateWindows+`"], "destinationRegion": "cn-east-2", "name": null, "description": null}`)
	// A copy of a path parameter that disagrees names both; a non-string copy is refused.
	h.fails("shareImage", http.MethodPost, n1+"/images/"+id+"%3Ashare", `{"regionId":"cn-east-1","pins":["pin1"]}`,
		400, "INVALID_ARGUMENT", "regionId 'cn-east-1' in the body does not match regionId 'cn-north-1' in the path")
	h.fails("shareImage", http.MethodPost, n1+"/images/"+id+"%3Ashare", `{"imageId":7,"pins":["pin1"]}`,
		400, "INVALID_ARGUMENT", "imageId in the body is not a string")
	h.fails("shareImage", http.MethodPost, n1+"/images/"+id+"%3Ashare", `["pin1"]`,
		400, "INVALID_ARGUMENT", "the request body is not a JSON object: json: cannot unmarshal array into Go value of type map[string]json.RawMessage")
	h.fails("shareImage", http.MethodPost, n1+"/images/"+id+"%3Ashare", ``, 400, "INVALID_ARGUMENT", "the request body is required (a JSON object)")
	// A body a JSON null reads as absent: a required field that is null is missing.
	h.fails("copyImages", http.MethodPost, n1+"/images%3AcopyImages", `{"sourceImageIds":null,"destinationRegion":"cn-east-2"}`,
		400, "INVALID_ARGUMENT", "Parameter sourceImageIds missing")
	// An unknown custom method is no write: the path is DescribeImage's (GET only).
	a = h.do("", http.MethodPost, n1+"/images/"+id+"%3Afrobnicate", `{}`, false)
	if a.status != 405 || a.errMsg() != "method POST is not allowed here; use GET" {
		t.Errorf("unknown custom method: %d %s", a.status, a.raw)
	}
}

// clientToken: the same token and body answer the first answer and do no new work,
// whatever the body's form; another body is refused; after 24 hours of the fake's
// clock the token is forgotten.
func TestClientTokenIsRememberedPerKeyAndOperation(t *testing.T) {
	h := startWrites(t)
	count := func() int { return len(h.srv.Images().InRegion("cn-north-1")) }
	body := `{"architecture":"x86_64","osType":"linux","platform":"CentOS","diskFormat":"raw","systemDiskSizeGB":50,"imageUrl":"https://test.s3-internal.cn-north-1.jdcloud-oss.com/a.raw","imageName":"tok","clientToken":"tok-1"}`
	first := h.ok("importImage", http.MethodPost, n1+"/images%3Aimport", body)
	n := count()
	// The same request as JD's Python SDK would send it: other key order, nulls, path copy.
	python := `{"regionId": "cn-north-1", "architecture": "x86_64", "osType": "linux", "platform": "CentOS", "diskFormat": "raw", "systemDiskSizeGB": 50, "imageUrl": "https://test.s3-internal.cn-north-1.jdcloud-oss.com/a.raw", "osVersion": null, "imageName": "tok", "description": null, "forceImport": null, "dataDisks": null, "clientToken": "tok-1", "bootMode": null}`
	again := h.ok("importImage", http.MethodPost, n1+"/images:import", python)
	if again.str("imageId") != first.str("imageId") || again.str("taskId") != first.str("taskId") || count() != n {
		t.Errorf("a repeated token did new work: %s then %s (%d images, was %d)", first.raw, again.raw, count(), n)
	}
	h.fails("importImage", http.MethodPost, n1+"/images%3Aimport", strings.Replace(body, `"tok"`, `"other"`, 1),
		400, "INVALID_ARGUMENT", "clientToken 'tok-1' was used with another request")
	// Tokens are per operation: the same token on ExportImage is another request.
	h.ok("exportImage", http.MethodPost, n1+"/images/"+fake.SeedShared+"%3AexportImage",
		`{"roleName":"r","ossUrl":"https://b.s3.cn-north-1.jdcloud-oss.com","clientToken":"tok-1"}`)
	// After 24 hours the token is new again.
	h.clock.Advance(fake.TokenTTL)
	third := h.ok("importImage", http.MethodPost, n1+"/images%3Aimport", strings.Replace(body, `"tok"`, `"other"`, 1))
	if third.str("imageId") == first.str("imageId") {
		t.Error("an expired token returned the first answer")
	}
	// A failed call is not remembered: the same token may be retried after fixing it.
	h.fails("importImage", http.MethodPost, n1+"/images%3Aimport", strings.Replace(strings.Replace(body, "tok-1", "tok-2", 1), "50", "55", 1),
		400, "OUT_OF_RANGE", "SystemDiskSizeGB must be multiple of 10")
	h.ok("importImage", http.MethodPost, n1+"/images%3Aimport", strings.Replace(body, "tok-1", "tok-2", 1))
	h.fails("importImage", http.MethodPost, n1+"/images%3Aimport", strings.Replace(body, "tok-1", strings.Repeat("x", 65), 1),
		400, "INVALID_ARGUMENT", "Invalid clientToken '"+strings.Repeat("x", 64)+"': at most 64 printable ASCII characters")
}

// The per-region quota: create, copy and import answer 429 QUOTA_EXCEEDED past it;
// a deletion frees a place once the image is gone.
func TestImageQuota(t *testing.T) {
	h := startWrites(t, fake.WithImageQuota(7)) // 5 seeded private images in cn-north-1
	create := n1 + "/instances/" + fake.SeedInstanceCloud + "%3AcreateImage"
	a := h.ok("createImage", http.MethodPost, create, `{"name":"q1"}`)
	h.ok("createImage", http.MethodPost, create, `{"name":"q2"}`)
	h.fails("createImage", http.MethodPost, create, `{"name":"q3"}`, 429, "QUOTA_EXCEEDED", "Image quota limit exceeded")
	h.fails("copyImages", http.MethodPost, n1+"/images%3AcopyImages", `{"sourceImageIds":["`+fake.SeedPrivateWindows+`"],"destinationRegion":"cn-north-1"}`,
		429, "QUOTA_EXCEEDED", "Image quota limit exceeded")
	// Another region has its own quota.
	h.ok("copyImages", http.MethodPost, n1+"/images%3AcopyImages", `{"sourceImageIds":["`+fake.SeedPrivateWindows+`"],"destinationRegion":"cn-east-1"}`)
	h.clock.Advance(fake.DefaultJobDuration)
	h.ok("deleteImage", http.MethodDelete, n1+"/images/"+a.str("imageId"), "")
	h.ok("createImage", http.MethodPost, create, `{"name":"q3"}`)
	if _, err := fake.New(fake.WithImageQuota(-1)); err == nil {
		t.Error("a negative quota was accepted")
	}
}

// A flood of creates hits the quota, not the memory: the stores stay bounded. With
// VMIMAGE_LOAD=1 (make load) it sends a million creates.
func TestCreateFloodHitsTheQuotaNotTheMemory(t *testing.T) {
	clock := fake.NewManualClock(time.Now())
	svc, err := fake.New(fake.WithClock(clock), fake.WithRequestLogSize(10))
	if err != nil {
		t.Fatal(err)
	}
	s := signer.New(svc.Credentials(), "vm")
	n := 4_000
	if os.Getenv("VMIMAGE_LOAD") == "1" {
		n = 1_000_000
	}
	send := func(i int, target, body string) int {
		req := httptest.NewRequest(http.MethodPost, "http://fake"+target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if err := s.Sign(req, []byte(body), "cn-north-1"); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		svc.ServeHTTP(rec, req)
		return rec.Code
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	statuses := map[int]int{}
	for i := 0; i < n; i++ {
		body := fmt.Sprintf(`{"name":"flood-%d","platform":"CentOS","architecture":"x86_64","bootMode":"bios","clientToken":"t-%d","cloudDisks":[{"snapshotId":"%s","deviceName":"vda"}]}`, i, i, fake.SeedSnapshotSystem)
		statuses[send(i, n1+"/images%3AcreateImageFromSnapshots", body)]++
		if i%4 == 0 {
			statuses[send(i, n1+"/instances/"+fake.SeedInstanceCloud+"%3AcreateImage", fmt.Sprintf(`{"name":"flood-%d"}`, i))]++
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if want := fake.DefaultImageQuota - 5; statuses[200] != want || statuses[429] != n+n/4-want {
		t.Errorf("answers %v, want %d created and the rest 429", statuses, want)
	}
	if got := len(svc.Images().InRegion("cn-north-1")); got > 60 {
		t.Errorf("%d images stored", got)
	}
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("load_test: %d creates: %v; heap grew by %.1f MiB", n+n/4, statuses, float64(grown)/(1<<20))
	// The nonce cache (DefaultMaxNonces, one nonce a request) holds most of it.
	if grown > 32<<20 {
		t.Errorf("the heap grew by %d bytes over %d creates", grown, n)
	}
}

// Faults are keyed by operation: a GET and a POST of one resource are told apart.
func TestFaultsByOperation(t *testing.T) {
	h := startWrites(t)
	if err := h.srv.Inject(fake.Fault{Kind: fake.FaultStatus, Operation: "shareImage", Status: 503}); err != nil {
		t.Fatal(err)
	}
	h.ok("describeImage", http.MethodGet, n1+"/images/"+fake.SeedShared, "")
	a := h.do("shareImage", http.MethodPost, n1+"/images/"+fake.SeedShared+"%3Ashare", `{"pins":["p1"]}`, false)
	b := h.do("shareImage", http.MethodPost, n1+"/images/"+fake.SeedShared+":share", `{"pins":["p1"]}`, false)
	if a.status != 503 || b.status != 503 {
		t.Errorf("share: %d, %d", a.status, b.status)
	}
	h.srv.ClearFaults()
	if err := h.srv.Inject(fake.Fault{Kind: fake.FaultStatus, Operation: "describeImages", Status: 500, Times: 1}); err != nil {
		t.Fatal(err)
	}
	h.ok("createImage", http.MethodPost, n1+"/instances/"+fake.SeedInstanceCloud+"%3AcreateImage", `{"name":"n1"}`)
	if a := h.do("describeImages", http.MethodGet, n1+"/images?imageSource=private", "", false); a.status != 500 {
		t.Errorf("describeImages: %d", a.status)
	}
	for _, f := range []fake.Fault{{Operation: "noSuchCall"}, {Kind: fake.FaultJobFails, Operation: "shareImage"}} {
		if err := h.srv.Inject(f); err == nil {
			t.Errorf("%+v accepted", f)
		}
	}
}

// The request log keeps each body, clipped.
func TestRequestLogKeepsBodiesClipped(t *testing.T) {
	h := startWrites(t)
	long := strings.Repeat("d", 250)
	h.ok("modifyImageAttribute", http.MethodPost, n1+"/images/"+fake.SeedShared+"%3AmodifyImageAttribute", `{"name":"renamed","description":"`+long+`"}`)
	big := `{"pins":["` + strings.Repeat("p", 100<<10) + `"]}`
	h.do("shareImage", http.MethodPost, n1+"/images/"+fake.SeedShared+"%3Ashare", big, false)
	r := h.srv.Requests()
	if got := r[0].Body; got != `{"name":"renamed","description":"`+long+`"}` {
		t.Errorf("logged body %q", got)
	}
	if got := r[1].Body; len(got) != 2048 || !strings.HasPrefix(big, got) {
		t.Errorf("a 100 KiB body logged as %d bytes", len(got))
	}
}

// JD's Python SDK sends the colon raw and signs it as %3A (the gateway's canonical
// path); JD's Go SDK sends and signs %3A. Both are authenticated and served.
func TestColonSignedAsTheGatewayCanonicalizesIt(t *testing.T) {
	h := startWrites(t)
	body := `{"regionId": "cn-north-1", "imageId": "` + fake.SeedShared + `", "pins": ["pin9"], "loginNames": null}`
	for _, sent := range []string{":share", "%3Ashare"} {
		signedReq, _ := http.NewRequest(http.MethodPost, h.srv.URL+n1+"/images/"+fake.SeedShared+"%3Ashare", strings.NewReader(body))
		signedReq.Header.Set("Content-Type", "application/json")
		if err := h.s.Sign(signedReq, []byte(body), "cn-north-1"); err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+n1+"/images/"+fake.SeedShared+sent, strings.NewReader(body))
		req.Header = signedReq.Header
		resp, got := do(t, req)
		if resp.StatusCode != 200 || got != `{"requestId":"`+resp.Header.Get("X-Jdcloud-Request-Id")+`"}`+"\n" {
			t.Errorf("sent %s: %d %s", sent, resp.StatusCode, got)
		}
	}
}

// FaultAnswerLost: the write takes effect, the answer never comes back.
func TestAnswerLostAfterTheWork(t *testing.T) {
	h := startWrites(t)
	if err := h.srv.Inject(fake.Fault{Kind: fake.FaultAnswerLost, Operation: "createImage", Times: 1}); err != nil {
		t.Fatal(err)
	}
	before := len(h.srv.Images().InRegion("cn-north-1"))
	body := `{"name":"lost-answer"}`
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+n1+"/instances/"+fake.SeedInstanceCloud+"%3AcreateImage", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if err := h.s.Sign(req, []byte(body), "cn-north-1"); err != nil {
		t.Fatal(err)
	}
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("answered %d", resp.StatusCode)
	}
	if after := len(h.srv.Images().InRegion("cn-north-1")); after != before+1 {
		t.Errorf("%d images, was %d: the lost call's work was not done", after, before)
	}
	if r := h.srv.Requests(); r[len(r)-1].Fault != "answer-lost" || r[len(r)-1].Body != body {
		t.Errorf("log %+v", r[len(r)-1])
	}
}

// Bad input names what is wrong: URLs, item limits, enums.
func TestWriteInputChecks(t *testing.T) {
	h := startWrites(t)
	imp := `{"architecture":"x86_64","osType":"linux","platform":"CentOS","diskFormat":"raw","systemDiskSizeGB":50,"imageUrl":"URL","imageName":"n"}`
	h.fails("importImage", http.MethodPost, n1+"/images%3Aimport", strings.Replace(imp, "URL", "http://b.s3.cn-north-1.jdcloud-oss.com/a.raw", 1),
		400, "INVALID_ARGUMENT", "Invalid imageUrl 'http://b.s3.cn-north-1.jdcloud-oss.com/a.raw': a https:// URL")
	h.fails("importImage", http.MethodPost, n1+"/images%3Aimport", strings.Replace(strings.Replace(imp, "URL", "https://b.s3.cn-north-1.jdcloud-oss.com/a.raw", 1), "x86_64", "i386", 1),
		400, "INVALID_ARGUMENT", "Invalid architecture 'i386'")
	h.fails("importImage", http.MethodPost, n1+"/images%3Aimport", strings.Replace(strings.Replace(imp, "URL", "https://b.s3.cn-north-1.jdcloud-oss.com/a.raw", 1), "50", "510", 1),
		400, "OUT_OF_RANGE", "SystemDiskSizeGB out of range")
	h.fails("copyImages", http.MethodPost, n1+"/images%3AcopyImages",
		`{"sourceImageIds":["img-a","img-b","img-c","img-d","img-e","img-f","img-g","img-h","img-i","img-j","img-k"],"destinationRegion":"cn-east-2"}`,
		400, "OUT_OF_RANGE", "sourceImageIds has 11 images, at most 10")
	h.fails("copyImages", http.MethodPost, n1+"/images%3AcopyImages", `{"sourceImageIds":["`+fake.SeedShared+`","`+fake.SeedShared+`"],"destinationRegion":"cn-east-2"}`,
		400, "INVALID_ARGUMENT", "sourceImageIds names '"+fake.SeedShared+"' twice")
	nine := strings.Repeat(`{"snapshotId":"s","deviceName":"vdb"},`, 8)
	h.fails("createImageFromSnapshots", http.MethodPost, n1+"/images%3AcreateImageFromSnapshots",
		`{"name":"nn","platform":"CentOS","architecture":"x86_64","bootMode":"bios","cloudDisks":[`+nine+`{"snapshotId":"s","deviceName":"vda"}]}`,
		400, "OUT_OF_RANGE", "cloudDisks has 9 disks, at most 8")
	h.fails("createImage", http.MethodPost, n1+"/instances/"+fake.SeedInstanceCloud+"%3AcreateImage", `{"name":"x"}`,
		400, "INVALID_ARGUMENT", "Invalid name 'x': 2 to 32 characters: Chinese characters, letters, digits, '_', '-' and '.'")
	h.fails("exportImage", http.MethodPost, n1+"/images/"+fake.SeedShared+"%3AexportImage", `{"roleName":"r","ossUrl":"https://b.s3.cn-north-1.jdcloud-oss.com","ossPrefix":"a-b"}`,
		400, "INVALID_ARGUMENT", "Invalid ossPrefix 'a-b': letters and digits, at most 32")
	h.fails("imageTasks", http.MethodGet, n1+"/imageTasks?taskAction=CopyImages", "", 400, "INVALID_ARGUMENT", "Invalid taskAction 'CopyImages'")
	h.fails("createImage", http.MethodPost, "/v1/regions/cn-north-1/instances/I-UPPER%3AcreateImage", `{"name":"xx"}`, 400, "INVALID_ARGUMENT", "Invalid instanceId 'I-UPPER'")
}

// Writes and reads at once: no race, and a clientToken sent by several attempts at
// once does the work once.
func TestConcurrentWrites(t *testing.T) {
	h := startWrites(t)
	body := `{"name":"same","platform":"CentOS","architecture":"x86_64","bootMode":"bios","clientToken":"concurrent","cloudDisks":[{"snapshotId":"` + fake.SeedSnapshotSystem + `","deviceName":"vda"}]}`
	before := len(h.srv.Images().InRegion("cn-north-1"))
	ok := func(op, method, target, body string) answer { // t.Errorf: safe in a goroutine
		a := h.do(op, method, target, body, true)
		if a.status != 200 {
			t.Errorf("%s %s: %d %s", method, target, a.status, a.raw)
		}
		return a
	}
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(3)
		go func() {
			defer wg.Done()
			ids[i] = ok("createImageFromSnapshots", http.MethodPost, n1+"/images%3AcreateImageFromSnapshots", body).str("imageId")
		}()
		go func() {
			defer wg.Done()
			ok("shareImage", http.MethodPost, n1+"/images/"+fake.SeedShared+"%3Ashare", fmt.Sprintf(`{"pins":["c%d"]}`, i))
		}()
		go func() {
			defer wg.Done()
			ok("describeImages", http.MethodGet, n1+"/images?imageSource=private", "")
			ok("imageTasks", http.MethodGet, n1+"/imageTasks", "")
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("one token, several images: %v", ids)
		}
	}
	if after := len(h.srv.Images().InRegion("cn-north-1")); after != before+1 {
		t.Errorf("%d images, was %d", after, before)
	}
	if m, _ := h.srv.Images().Members("cn-north-1", fake.SeedShared); len(m.Pins) != 2+len(ids) {
		t.Errorf("members %v", m.Pins)
	}
}

func TestInstancesAreCopiedInAndOut(t *testing.T) {
	svc, err := fake.New()
	if err != nil {
		t.Fatal(err)
	}
	in, ok := svc.Images().Instance("cn-north-1", fake.SeedInstanceCloud)
	if !ok || in.SystemDisk == nil || len(in.DataDisks) != 2 {
		t.Fatalf("%+v", in)
	}
	in.SystemDisk.Task, in.DataDisks[0].Task = "changed", "changed"
	again, _ := svc.Images().Instance("cn-north-1", fake.SeedInstanceCloud)
	if again.SystemDisk.Task != "" || again.DataDisks[0].Task != "" {
		t.Error("a caller changed the stored instance")
	}
}
