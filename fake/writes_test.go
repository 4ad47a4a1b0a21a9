package fake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client/api/jdtime"
	"github.com/vmimage/vmimage/fake"
	"github.com/vmimage/vmimage/signer"
	"github.com/vmimage/vmimage/validate"
)

// writeHarness sends signed requests with bodies to a fake on a manual clock and
// checks every answer against the spec.
type writeHarness struct {
	t     *testing.T
	srv   *fake.Server
	clock *fake.ManualClock
	v     *validate.Validator
	s     *signer.Signer
}

func startWrites(t *testing.T, opts ...fake.Option) *writeHarness {
	t.Helper()
	// The fake's clock runs ahead of the signer's real one: the skew check is relaxed.
	clock := fake.NewManualClock(time.Now().Truncate(time.Second))
	srv := fake.StartTest(t, append([]fake.Option{fake.WithClock(clock), fake.WithMaxSkew(1000 * time.Hour)}, opts...)...)
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	return &writeHarness{t: t, srv: srv, clock: clock, v: v, s: signer.New(srv.Credentials(), "vm")}
}

// answer is a decoded response.
type answer struct {
	status int
	raw    string
	body   map[string]any
}

func (a answer) result() map[string]any { m, _ := a.body["result"].(map[string]any); return m }
func (a answer) str(k string) string    { s, _ := a.result()[k].(string); return s }
func (a answer) errMsg() string {
	e, _ := a.body["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}
func (a answer) errStatus() string {
	e, _ := a.body["error"].(map[string]any)
	s, _ := e["status"].(string)
	return s
}

// do sends method target (path and query after the host, the colon raw or %3A) with
// body for operation op in region cn-north-1 unless the path names another, and
// validates the answer against op's responses; a request that itself follows the
// spec (wellFormed) is validated as a whole exchange too. The validator's router
// matches the spec's literal colon, so the exchange is validated with %3A unescaped
// (the fake routes both forms itself).
func (h *writeHarness) do(op, method, target, body string, wellFormed bool) answer {
	h.t.Helper()
	region := "cn-north-1"
	if rest, ok := strings.CutPrefix(target, "/v1/regions/"); ok {
		region, _, _ = strings.Cut(rest, "/")
		region, _, _ = strings.Cut(region, "?")
		region, _, _ = strings.Cut(region, ":")
		region, _, _ = strings.Cut(region, "%")
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.srv.URL+target, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if err := h.s.Sign(req, []byte(body), region); err != nil {
		h.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	a := answer{status: resp.StatusCode, raw: string(raw)}
	if err := json.Unmarshal(raw, &a.body); err != nil {
		h.t.Fatalf("%s %s: not JSON: %s", method, target, raw)
	}
	ctx := context.Background()
	if op != "" { // "": no operation to validate against
		if err := h.v.ValidateBody(ctx, op, resp.StatusCode, resp.Header.Get("Content-Type"), raw); err != nil {
			h.t.Errorf("%s %s: the answer is off-spec: %v\n%s", method, target, err, raw)
		}
	}
	if wellFormed {
		unescaped := strings.ReplaceAll(strings.ReplaceAll(target, "%3A", ":"), "%3a", ":")
		vreq, _ := http.NewRequest(method, h.srv.URL+unescaped, bytes.NewReader([]byte(body)))
		vreq.Header.Set("Content-Type", "application/json")
		if err := h.v.ValidateExchange(ctx, vreq, resp.StatusCode, resp.Header, raw); err != nil {
			h.t.Errorf("%s %s: exchange off-spec: %v\n%s", method, target, err, raw)
		}
	}
	if id := resp.Header.Get("X-Jdcloud-Request-Id"); id == "" || id != a.body["requestId"] {
		h.t.Errorf("request id header %q, body %v", id, a.body["requestId"])
	}
	return a
}

// ok is do for a call that must succeed.
func (h *writeHarness) ok(op, method, target, body string) answer {
	h.t.Helper()
	a := h.do(op, method, target, body, true)
	if a.status != 200 {
		h.t.Fatalf("%s %s %s: %d %s", method, target, body, a.status, a.raw)
	}
	return a
}

// fails is do for a call that must fail with status, code and message.
func (h *writeHarness) fails(op, method, target, body string, status int, code, msg string) {
	h.t.Helper()
	a := h.do(op, method, target, body, false)
	if a.status != status || a.errStatus() != code || a.errMsg() != msg {
		h.t.Errorf("%s %s %s: %d %s %q, want %d %s %q", method, target, body, a.status, a.errStatus(), a.errMsg(), status, code, msg)
	}
	if e, _ := a.body["error"].(map[string]any); e["code"] != float64(a.status) {
		h.t.Errorf("error.code %v is not the HTTP status %d", e["code"], a.status)
	}
}

// image describes an image through DescribeImage (status, progress).
func (h *writeHarness) image(region, id string) (status, progress string, found bool) {
	h.t.Helper()
	a := h.do("describeImage", http.MethodGet, "/v1/regions/"+region+"/images/"+id, "", true)
	if a.status == 404 {
		return "", "", false
	}
	img, _ := a.result()["image"].(map[string]any)
	status, _ = img["status"].(string)
	progress, _ = img["progress"].(string)
	return status, progress, true
}

func (h *writeHarness) wantImage(region, id, status, progress string) {
	h.t.Helper()
	gotS, gotP, found := h.image(region, id)
	if !found || gotS != status || (progress != "" && gotP != progress) {
		h.t.Errorf("%s/%s: %q %q (found %v), want %q %q", region, id, gotS, gotP, found, status, progress)
	}
}

const n1 = "/v1/regions/cn-north-1"

func TestCreateImageLifecycleOnTheClock(t *testing.T) {
	h := startWrites(t)
	a := h.ok("createImage", http.MethodPost, n1+"/instances/"+fake.SeedInstanceCloud+"%3AcreateImage", `{"name":"app-server-2024.06"}`)
	id := a.str("imageId")
	h.wantImage("cn-north-1", id, "pending", "0")
	h.clock.Advance(fake.DefaultJobDuration / 2)
	h.wantImage("cn-north-1", id, "pending", "50")
	h.clock.Advance(fake.DefaultJobDuration / 2)
	h.wantImage("cn-north-1", id, "ready", "100")
	// The image has the instance's system disk and both attached cloud data disks.
	img, ok := h.srv.Images().Get("cn-north-1", id)
	if !ok || len(img.DataDisks) != 2 || img.GetRootDeviceType() != "cloudDisk" || img.GetInstanceId() != fake.SeedInstanceCloud {
		t.Errorf("image %+v", img)
	}
	// dataDisks excludes vdc, grows vdb and adds an empty vdx.
	a = h.ok("createImage", http.MethodPost, n1+"/instances/"+fake.SeedInstanceCloud+":createImage",
		`{"name":"trimmed","dataDisks":[{"deviceName":"vdc","noDevice":true},{"deviceName":"vdb","cloudDiskSpec":{"diskSizeGB":200}},{"deviceName":"vdx","cloudDiskSpec":{"diskType":"ssd.gp1","diskSizeGB":40}}]}`)
	img, _ = h.srv.Images().Get("cn-north-1", a.str("imageId"))
	if len(img.DataDisks) != 2 || img.DataDisks[0].CloudDisk.GetDiskSizeGB() != 200 || img.DataDisks[1].GetDeviceName() != "vdx" {
		t.Errorf("data disks %+v", img.DataDisks)
	}
	// A stopped local-disk instance gives a local-disk image.
	a = h.ok("createImage", http.MethodPost, n1+"/instances/"+fake.SeedInstanceStopped+"%3AcreateImage", `{"name":"local-one","description":null,"dataDisks":null}`)
	if img, _ := h.srv.Images().Get("cn-north-1", a.str("imageId")); img.GetRootDeviceType() != "localDisk" {
		t.Errorf("from a local disk: %+v", img)
	}
	// From snapshots.
	a = h.ok("createImageFromSnapshots", http.MethodPost, n1+"/images%3AcreateImageFromSnapshots",
		`{"name":"from-snaps","platform":"Others Linux","architecture":"arm64","bootMode":"uefi","cloudDisks":[{"snapshotId":"`+fake.SeedSnapshotSystem+`","deviceName":"vda"},{"snapshotId":"`+fake.SeedSnapshotData+`","deviceName":"vdb","diskSizeGB":600}]}`)
	h.clock.Advance(fake.DefaultJobDuration)
	h.wantImage("cn-north-1", a.str("imageId"), "ready", "100")
}

func TestCopyShareReleaseDelete(t *testing.T) {
	h := startWrites(t)
	src := fake.SeedShared
	// Unshare first: a shared image can be copied, but not deleted.
	h.fails("deleteImage", http.MethodDelete, n1+"/images/"+src, "", 400, "FAILED_PRECONDITION", "Can't delete shared image")
	a := h.ok("copyImages", http.MethodPost, n1+"/images%3AcopyImages", `{"sourceImageIds":["`+src+`"],"destinationRegion":"cn-east-2"}`)
	copies, _ := a.result()["copyImages"].([]any)
	if len(copies) != 1 {
		t.Fatalf("copies %v", a.raw)
	}
	dst := copies[0].(map[string]any)["destinationImageId"].(string)
	h.wantImage("cn-east-2", dst, "pending", "0")
	if _, _, found := h.image("cn-north-1", dst); found {
		t.Error("the copy appeared in the source region")
	}
	// The source is busy while it is copied.
	h.fails("copyImages", http.MethodPost, n1+"/images:copyImages", `{"sourceImageIds":["`+src+`"],"destinationRegion":"cn-east-1"}`,
		400, "FAILED_PRECONDITION", "The image '"+src+"' is busy")
	h.clock.Advance(fake.DefaultJobDuration)
	h.wantImage("cn-east-2", dst, "ready", "100")
	a = h.ok("describeImages", http.MethodGet, "/v1/regions/cn-east-2/images?imageSource=private", "")
	if !strings.Contains(a.raw, dst) {
		t.Errorf("the copy is not listed in its region: %s", a.raw)
	}

	// Shares show in DescribeImageMembers; sharing again changes nothing.
	h.ok("shareImage", http.MethodPost, n1+"/images/"+src+"%3Ashare", `{"pins":["pin1","pin2"],"loginNames":null}`)
	h.ok("shareImage", http.MethodPost, n1+"/images/"+src+":share", `{"pins":["pin1"]}`)
	a = h.ok("describeImageMembers", http.MethodGet, n1+"/images/"+src+"/members", "")
	pins, _ := a.result()["pins"].([]any)
	if len(pins) != 4 {
		t.Errorf("members %s", a.raw)
	}
	h.ok("unShareImage", http.MethodPost, n1+"/images/"+src+"%3Aunshare", `{"pins":["pin2","not-a-member"]}`)
	// Releasing revokes every share and makes the image community.
	h.ok("releaseImage", http.MethodPost, n1+"/images/"+src+"%3Arelease", ``)
	a = h.ok("describeImageMembers", http.MethodGet, n1+"/images/"+src+"/members", "")
	if !strings.Contains(a.raw, `"pins":[]`) || !strings.Contains(a.raw, `"loginNames":[]`) {
		t.Errorf("released image still shared: %s", a.raw)
	}
	if img, _ := h.srv.Images().Get("cn-north-1", src); img.GetImageSource() != "community" || img.GetLaunchPermission() != "all" {
		t.Errorf("released: %s %s", img.GetImageSource(), img.GetLaunchPermission())
	}
	h.fails("shareImage", http.MethodPost, n1+"/images/"+src+"%3Ashare", `{"pins":["pin1"]}`, 400, "FAILED_PRECONDITION", "Community image can't be shared")
	h.fails("deleteImage", http.MethodDelete, n1+"/images/"+src, "", 400, "FAILED_PRECONDITION", "Can't delete community image")
	h.fails("releaseImage", http.MethodPost, n1+"/images/"+src+"%3Arelease", `{}`, 400, "FAILED_PRECONDITION", "Can't use non-private image")
	h.ok("unReleaseImage", http.MethodPost, n1+"/images/"+src+"%3Aunrelease", `{"imageId":"`+src+`","regionId":"cn-north-1"}`)
	if img, _ := h.srv.Images().Get("cn-north-1", src); img.GetImageSource() != "private" {
		t.Errorf("unreleased: %s", img.GetImageSource())
	}
	h.fails("unReleaseImage", http.MethodPost, n1+"/images/"+src+"%3Aunrelease", ``, 400, "FAILED_PRECONDITION", "Can't use this image")
	// Rename, then delete: deleting, then gone; a DELETE while deleting changes nothing.
	h.ok("modifyImageAttribute", http.MethodPost, n1+"/images/"+src+"%3AmodifyImageAttribute", `{"name":"renamed"}`)
	if img, _ := h.srv.Images().Get("cn-north-1", src); img.GetName() != "renamed" {
		t.Errorf("name %q", img.GetName())
	}
	h.ok("deleteImage", http.MethodDelete, n1+"/images/"+src+"?deleteSnapshot=True", "")
	h.wantImage("cn-north-1", src, "deleting", "")
	h.ok("deleteImage", http.MethodDelete, n1+"/images/"+src+"?deleteSnapshot=true", "")
	h.clock.Advance(fake.DeleteDuration)
	if _, _, found := h.image("cn-north-1", src); found {
		t.Error("a deleted image is still there")
	}
	h.fails("deleteImage", http.MethodDelete, n1+"/images/"+src, "", 404, "NOT_FOUND", "Image '"+src+"' not found")
	h.fails("deleteImage", http.MethodDelete, n1+"/images/"+fake.SeedPrivate+"?deleteSnapshot=yes", "", 400, "INVALID_ARGUMENT", "Invalid deleteSnapshot 'yes': true or false")
}

func TestImportExportAndImageTasks(t *testing.T) {
	h := startWrites(t)
	start := h.clock.Now()
	body := `{"architecture":"x86_64","osType":"linux","platform":"CentOS","diskFormat":"raw","systemDiskSizeGB":50,"imageUrl":"https://test.s3-internal.cn-north-1.jdcloud-oss.com/linux/system_img.raw","imageName":"testImport"}`
	a := h.ok("importImage", http.MethodPost, n1+"/images%3Aimport", body)
	img, taskID := a.str("imageId"), a.str("taskId")
	if _, isString := a.result()["taskId"].(string); !isString || taskID == "" {
		t.Fatalf("task id not a string: %s", a.raw)
	}
	task := func(id string) map[string]any {
		t.Helper()
		a := h.ok("imageTasks", http.MethodGet, n1+"/imageTasks?taskIds.1="+id, "")
		set, _ := a.result()["taskSet"].([]any)
		if len(set) != 1 {
			t.Fatalf("task %s: %s", id, a.raw)
		}
		return set[0].(map[string]any)
	}
	if got := task(taskID); got["taskStatus"] != "pending" || got["imageId"] != img {
		t.Errorf("new task %v", got)
	}
	h.wantImage("cn-north-1", img, "pending", "0")
	h.clock.Advance(fake.DefaultJobDuration / 2)
	if got := task(taskID); got["taskStatus"] != "running" || got["progress"] != float64(50) {
		t.Errorf("half way %v", got)
	}
	h.clock.Advance(fake.DefaultJobDuration / 2)
	if got := task(taskID); got["taskStatus"] != "finished" || got["progress"] != float64(100) || got["finishedTime"] == "" {
		t.Errorf("done %v", got)
	}
	h.wantImage("cn-north-1", img, "ready", "100")

	// The documented failing URL, and the fault, make an import fail.
	a = h.ok("importImage", http.MethodPost, n1+"/images%3Aimport", strings.Replace(body, "https://test.s3-internal.cn-north-1.jdcloud-oss.com/linux/system_img.raw", fake.FailingImportURL, 1))
	h.clock.Advance(fake.DefaultJobDuration)
	if got := task(a.str("taskId")); got["taskStatus"] != "failed" || got["errorInfo"] == "" {
		t.Errorf("failing import %v", got)
	}
	h.wantImage("cn-north-1", a.str("imageId"), "error", "")
	if err := h.srv.Inject(fake.Fault{Kind: fake.FaultJobFails, Times: 1}); err != nil {
		t.Fatal(err)
	}
	h.ok("describeImage", http.MethodGet, n1+"/images/"+img, "") // not consumed by another call
	a = h.ok("copyImages", http.MethodPost, n1+"/images%3AcopyImages", `{"sourceImageIds":["`+img+`"],"destinationRegion":"cn-north-1","name":"copy.of.import"}`)
	dst := a.result()["copyImages"].([]any)[0].(map[string]any)["destinationImageId"].(string)
	h.clock.Advance(fake.DefaultJobDuration)
	h.wantImage("cn-north-1", dst, "error", "")
	var faulted []string
	for _, r := range h.srv.Requests() {
		if r.Fault != "" {
			faulted = append(faulted, r.Method+" "+r.Path+" "+r.Fault+" "+r.Body)
		}
	}
	if len(faulted) != 1 || !strings.Contains(faulted[0], "copyImages job-fails {\"sourceImageIds\"") {
		t.Errorf("faulted requests in the log: %q", faulted)
	}

	// An export is a task on its image: other image calls conflict until it ends.
	a = h.ok("exportImage", http.MethodPost, n1+"/images/"+img+"%3AexportImage",
		`{"roleName":"image-export-test","ossUrl":"https://b.s3-internal.cn-north-1.jdcloud-oss.com","ossPrefix":"golden","isAllDisk":true}`)
	exp := a.str("taskId")
	h.fails("shareImage", http.MethodPost, n1+"/images/"+img+"%3Ashare", `{"pins":["pin1"]}`, 400, "FAILED_PRECONDITION", "Conflict with underlay image task '"+img+"'")
	h.clock.Advance(fake.DefaultJobDuration)
	if got := task(exp); got["taskStatus"] != "finished" || got["ossObject"] != "golden-"+img+"-vda.qcow2" || got["action"] != "ExportImage" {
		t.Errorf("export %v", got)
	}
	h.ok("shareImage", http.MethodPost, n1+"/images/"+img+"%3Ashare", `{"pins":["pin1"]}`)

	// Paging: at most 10 tasks a page whatever pageSize asks; filters; totalCount.
	h.ok("unShareImage", http.MethodPost, n1+"/images/"+img+"%3Aunshare", `{"pins":["pin1"]}`)
	for i := 0; i < 22; i++ {
		h.clock.Advance(fake.DefaultJobDuration)
		h.ok("exportImage", http.MethodPost, n1+"/images/"+img+"%3AexportImage", `{"roleName":"r","ossUrl":"https://b.s3.cn-north-1.jdcloud-oss.com"}`)
	}
	a = h.ok("imageTasks", http.MethodGet, n1+"/imageTasks?taskAction=ExportImage&pageSize=100&pageNumber=3", "")
	if set, _ := a.result()["taskSet"].([]any); len(set) != 3 || a.result()["totalCount"] != float64(23) {
		t.Errorf("page 3: %d tasks, total %v", len(set), a.result()["totalCount"])
	}
	a = h.ok("imageTasks", http.MethodGet, n1+"/imageTasks?pageSize=100", "")
	if set, _ := a.result()["taskSet"].([]any); len(set) != 10 || a.result()["totalCount"] != float64(25) {
		t.Errorf("page 1 of all: %d tasks, total %v", len(set), a.result()["totalCount"])
	}
	a = h.ok("imageTasks", http.MethodGet, n1+"/imageTasks?taskStatus=failed&taskAction=ImportImage", "")
	if a.result()["totalCount"] != float64(1) {
		t.Errorf("failed imports: %s", a.raw)
	}
	a = h.ok("imageTasks", http.MethodGet, n1+"/imageTasks?taskIds.1="+taskID+"&taskIds.2="+exp+"&startTime="+url.QueryEscape(jdtime.New(start).String()), "")
	if a.result()["totalCount"] != float64(2) {
		t.Errorf("by ids since the start: %s", a.raw)
	}
	h.fails("imageTasks", http.MethodGet, n1+"/imageTasks?pageSize=101", "", 400, "OUT_OF_RANGE", "PageSize out of range")
	h.fails("imageTasks", http.MethodGet, n1+"/imageTasks?taskIds="+taskID, "", 400, "INVALID_ARGUMENT",
		"parameter taskIds must be sent indexed (taskIds.1=...&taskIds.2=...), not as taskIds=")
}
