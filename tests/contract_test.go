package tests

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/vmimage/vmimage"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/validate"
)

// docsExample is the success body printed in JD Cloud's documentation.
const docsExample = `{"requestId":"0d1531eb5016b64d801a9e24bac779e8","result":{"image":{"architecture":"x86_64",
"createTime":"2021-01-28 16:49:05","desc":"","imageId":"img-m5s0****29","imageSource":"public",
"launchPermission":"all","name":"CentOS 8.2 64位","osType":"linux","osVersion":"8.2","ownerPin":"admin",
"platform":"CentOS","progress":"100","rootDeviceType":"cloudDisk","sizeMB":2494,"snapshotId":"snapshot-h8u1****36",
"status":"ready","systemDisk":{"autoDelete":true,"cloudDisk":{"diskSizeGB":40,"diskType":"ssd.gp1",
"encrypt":false,"encrypted":false,"snapshotId":"snapshot-h8u1****36"},"deviceName":"vda","diskCategory":"cloud"},
"systemDiskSizeGB":40,"uefiSupport":false}}}`

func validator(t *testing.T) *validate.Validator {
	t.Helper()
	v, err := validate.Default()
	if err != nil {
		t.Fatalf("load spec: %v", err)
	}
	return v
}

func TestDocumentIsValid(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(vmimage.Spec)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi version = %q, want 3.0.3", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableMultiError(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("document invalid: %v", err)
	}
	op := doc.Paths.Find("/regions/{regionId}/images/{imageId}").Get
	if op == nil || op.OperationID != "describeImage" {
		t.Fatalf("describeImage operation missing")
	}
	for _, code := range []string{"200", "400", "401", "403", "404", "429", "500", "502", "503", "504", "default"} {
		r := op.Responses.Value(code)
		if r == nil {
			t.Errorf("response %s missing", code)
			continue
		}
		if r.Value.Headers["x-jdcloud-request-id"] == nil {
			t.Errorf("response %s lacks the x-jdcloud-request-id header", code)
		}
		_, hasRetryAfter := r.Value.Headers["Retry-After"]
		if want := code == "429" || code == "503"; hasRetryAfter != want {
			t.Errorf("response %s: Retry-After declared = %v, want %v", code, hasRetryAfter, want)
		}
	}
	wantServers := []string{"https://vm.jdcloud-api.com/v1", "https://www.jdcloud-api.com/v1", "http://vm.internal.{regionId}.jdcloud-api.com/v1"}
	for i, s := range wantServers {
		if i >= len(doc.Servers) || doc.Servers[i].URL != s {
			t.Errorf("server %d: want %s", i, s)
		}
	}
	if doc.Components.SecuritySchemes["jdcloud2"] == nil {
		t.Error("jdcloud2 security scheme missing")
	}
}

// TestNamedExamplesPass checks every named example of every response of every
// operation against the response it belongs to, through the same path as live traffic.
func TestNamedExamplesPass(t *testing.T) {
	v := validator(t)
	want := map[string]bool{"docsPublicImage": false, "privateImageWithDataDisks": false, "localDiskImage": false,
		"imageNotFound": false, "accessError": false, "pageOfImages": false, "emptyPage": false, "excludes": false,
		"includes": false, "bothTypes": false, "members": false, "imported": false, "exporting": false, "importTasks": false,
		"created": false, "nullResult": false, "imageQuota": false, "shareQuota": false, "pathCopyMismatch": false}
	ops := 0
	for _, item := range v.Document().Paths.Map() {
		for _, op := range item.Operations() {
			ops++
			for code, ref := range op.Responses.Map() {
				status := 0
				if _, err := fmtSscan(code, &status); err != nil {
					continue
				}
				for name, ex := range ref.Value.Content.Get("application/json").Examples {
					b, err := json.Marshal(ex.Value.Value)
					if err != nil {
						t.Fatal(err)
					}
					if err := v.ValidateBody(context.Background(), op.OperationID, status, "application/json", b); err != nil {
						t.Errorf("%s: example %s (%s): %v", op.OperationID, name, code, err)
					}
					if _, ok := want[name]; ok {
						want[name] = true
					}
				}
			}
		}
	}
	if ops != 17 {
		t.Errorf("the spec has %d operations, want 17", ops)
	}
	for name, seen := range want {
		if !seen {
			t.Errorf("named example %s missing", name)
		}
	}
}

type passCase struct {
	name   string
	status int
	body   string
	check  func(t *testing.T, body []byte)
}

func decodeImage(t *testing.T, body []byte) api.Image {
	t.Helper()
	var out api.DescribeImageOutput
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if reflect.ValueOf(out.Result.Image).IsZero() && !strings.Contains(string(body), `"image":{}`) {
		t.Fatalf("decoded an empty image")
	}
	return out.Result.Image
}

func decodeError(t *testing.T, body []byte) api.ErrorInfo {
	t.Helper()
	var out api.ErrorResponse
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if out.RequestId == "" {
		t.Fatalf("requestId empty")
	}
	return out.Error
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func TestResponsesThatMustPass(t *testing.T) {
	v := validator(t)
	cases := []passCase{
		{"docs example", 200, docsExample, func(t *testing.T, b []byte) {
			img := decodeImage(t, b)
			eq(t, "imageId", deref(img.ImageId), "img-m5s0****29")
			eq(t, "sizeMB", deref(img.SizeMB), 2494)
			eq(t, "progress", deref(img.Progress), "100")
			eq(t, "status", deref(img.Status), api.ImageStatusReady)
			eq(t, "systemDisk.cloudDisk.diskSizeGB", deref(img.SystemDisk.CloudDisk.DiskSizeGB), 40)
			eq(t, "uefiSupport", deref(img.UefiSupport), false)
			eq(t, "createTime", img.GetCreateTime().UTC().Format(time.RFC3339), "2021-01-28T08:49:05Z")
		}},
		{"example file: private image with data disks", 200, readFile(t, "private_image.json"), func(t *testing.T, b []byte) {
			img := decodeImage(t, b)
			eq(t, "len(dataDisks)", len(img.DataDisks), 2)
			eq(t, "dataDisks[1].deviceName", deref(img.DataDisks[1].DeviceName), "vdc")
			eq(t, "imageSource", deref(img.ImageSource), api.ImageSourcePrivate)
		}},
		{"example file: local-disk image", 200, readFile(t, "local_disk_image.json"), func(t *testing.T, b []byte) {
			img := decodeImage(t, b)
			eq(t, "rootDeviceType", deref(img.RootDeviceType), api.RootDeviceTypeLocalDisk)
			eq(t, "localDisk.diskType", deref(img.SystemDisk.LocalDisk.DiskType), api.DiskTypeSSD)
			eq(t, "snapshotId", deref(img.SnapshotId), "")
		}},
		{"minimal image", 200, `{"requestId":"r1","result":{"image":{}}}`, func(t *testing.T, b []byte) {
			eq(t, "image is empty", reflect.ValueOf(decodeImage(t, b)).IsZero(), true)
		}},
		{"unknown fields at every level", 200, `{"requestId":"r","extra":1,"result":{"more":[1],"image":{"imageId":"img-a1","newField":{"x":1},
			"systemDisk":{"deviceName":"vda","future":true,"cloudDisk":{"diskSizeGB":40,"tags":[{"key":null,"value":null,"x":1}],"extra":"y"},
			"localDisk":{"diskSizeGB":1,"y":2}},"chargeInfo":{"serviceCode":"s","formula":["a"],"z":0}}}}`, func(t *testing.T, b []byte) {
			img := decodeImage(t, b)
			eq(t, "imageId", deref(img.ImageId), "img-a1")
			eq(t, "chargeInfo.serviceCode", deref(img.ChargeInfo.ServiceCode), "s")
		}},
		{"today's vocabulary", 200, `{"requestId":"r","result":{"image":{"imageSource":"thirdparty","architecture":"arm64","platform":"Other Linux","bootMode":"uefi","launchPermission":"specifiedUsers"}}}`, func(t *testing.T, b []byte) {
			img := decodeImage(t, b)
			eq(t, "imageSource", deref(img.ImageSource), api.ImageSourceThirdParty)
			eq(t, "architecture", deref(img.Architecture), api.ArchitectureArm64)
		}},
		{"2019 vocabulary", 200, `{"requestId":"r","result":{"image":{"imageSource":"share","architecture":"i386","platform":"Windows Server","osType":"windows"}}}`, func(t *testing.T, b []byte) {
			img := decodeImage(t, b)
			eq(t, "imageSource", deref(img.ImageSource), api.ImageSourceShare)
			eq(t, "architecture", deref(img.Architecture), api.ArchitectureI386)
		}},
		{"2019 vocabulary: jcloud, marketplace, self", 200, `{"requestId":"r","result":{"image":{"imageSource":"jcloud","dataDisks":[{"cloudDisk":{"enable":true,"diskType":"premium-hdd"}}]}}}`, func(t *testing.T, b []byte) {
			img := decodeImage(t, b)
			eq(t, "imageSource", deref(img.ImageSource), api.ImageSourceJCloud)
			eq(t, "enable", deref(img.DataDisks[0].CloudDisk.Enable), true)
		}},
	}
	for _, e := range []struct {
		status int
		symbol string
	}{
		{400, "INVALID_ARGUMENT"}, {400, "HTTP_BAD_REQUEST"}, {401, "ACCESS_ERROR"}, {401, "UNAUTHENTICATED"},
		{403, "HTTP_FORBIDDEN"}, {404, "NOT_FOUND"}, {429, "HTTP_RATE_LIMIT_EXCEEDED"}, {429, "QUOTA_EXCEEDED"},
		{429, "RATE_LIMIT_EXCEEDED"}, {500, "INTERNAL"}, {500, "UNKNOWN"}, {502, "HTTP_BAD_GATEWAY"},
		{503, "HTTP_SERVICE_UNAVAILABLE"}, {503, "UNAVAILABLE"}, {504, "HTTP_SERVER_TIMING_OUT"}, {504, "DEADLINE_EXCEEDED"},
	} {
		e := e
		body := `{"requestId":"req-1","error":{"code":` + itoa(e.status) + `,"status":"` + e.symbol + `","message":"m"}}`
		if e.status == 400 {
			body = `{"requestId":"req-1","error":{"code":400,"status":"` + e.symbol + `","message":"m","details":[{"field":"imageId"}]}}`
		}
		cases = append(cases, passCase{"error " + e.symbol, e.status, body, func(t *testing.T, b []byte) {
			info := decodeError(t, b)
			eq(t, "code", info.Code, e.status)
			eq(t, "status", info.Status, e.symbol)
		}})
	}
	for name, f := range map[string]string{"docs example file": "docs_example.json", "2019 example file": "legacy_2019_image.json"} {
		cases = append(cases, passCase{name, 200, readFile(t, f), func(t *testing.T, b []byte) { decodeImage(t, b) }})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := v.ValidateBody(context.Background(), "describeImage", c.status, "application/json; charset=utf-8", []byte(c.body)); err != nil {
				t.Fatalf("want valid, got: %v", err)
			}
			c.check(t, []byte(c.body))
		})
	}
}

func TestResponsesThatMustFail(t *testing.T) {
	v := validator(t)
	cases := []struct {
		name        string
		status      int
		contentType string
		body        string
		where       validate.Where
		pointer     string
		reason      string
	}{
		{"sizeMB as a string", 200, "", `{"requestId":"r","result":{"image":{"sizeMB":"2494"}}}`, validate.WhereBody, "/result/image/sizeMB", "must be an integer"},
		{"progress as a number", 200, "", `{"requestId":"r","result":{"image":{"progress":100}}}`, validate.WhereBody, "/result/image/progress", "must be a string"},
		{"undocumented status", 200, "", `{"requestId":"r","result":{"image":{"status":"available"}}}`, validate.WhereBody, "/result/image/status", "value is not one of the allowed values"},
		{"dataDisks as an object", 200, "", `{"requestId":"r","result":{"image":{"dataDisks":{"deviceName":"vdb"}}}}`, validate.WhereBody, "/result/image/dataDisks", "must be an array"},
		{"error.code as a string", 404, "", `{"requestId":"r","error":{"code":"404","status":"NOT_FOUND","message":"m"}}`, validate.WhereBody, "/error/code", "must be an integer"},
		{"200 without result.image", 200, "", `{"requestId":"r","result":{}}`, validate.WhereBody, "/result/image", `property "image" is missing`},
		{"404 without error", 404, "", `{"requestId":"r"}`, validate.WhereBody, "/error", `property "error" is missing`},
		{"200 with text/html", 200, "text/html", `<html>ok</html>`, validate.WhereContentType, "", "Content-Type"},
		{"status only covered by default", 418, "", `{"requestId":"r","error":{"code":418,"status":"TEAPOT","message":"m"}}`, validate.WhereStatus, "", "status 418 is not documented"},
		{"empty body", 502, "", ``, validate.WhereBody, "", "failed to decode response body"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := v.ValidateBody(context.Background(), "describeImage", c.status, c.contentType, []byte(c.body))
			var verr *validate.Error
			if !errors.As(err, &verr) {
				t.Fatalf("want *validate.Error, got %v", err)
			}
			for _, viol := range verr.Violations {
				if viol.Where == c.where && viol.Pointer == c.pointer && strings.Contains(viol.Reason, c.reason) {
					return
				}
			}
			t.Fatalf("no violation at %s %q containing %q; got:\n%v", c.where, c.pointer, c.reason, err)
		})
	}
}

// TestMultipleViolationsAreAllReported checks that validation does not stop at the first problem.
func TestMultipleViolationsAreAllReported(t *testing.T) {
	v := validator(t)
	err := v.ValidateBody(context.Background(), "describeImage", 200, "", []byte(`{"requestId":1,"result":{"image":{"sizeMB":"x","progress":5,"osType":"beos"}}}`))
	var verr *validate.Error
	if !errors.As(err, &verr) {
		t.Fatalf("want *validate.Error, got %v", err)
	}
	got := map[string]bool{}
	for _, viol := range verr.Violations {
		got[viol.Pointer] = true
	}
	for _, p := range []string{"/requestId", "/result/image/sizeMB", "/result/image/progress", "/result/image/osType"} {
		if !got[p] {
			t.Errorf("violation at %s not reported; got %v", p, err)
		}
	}
}

// TestTestdataMatchesSpecExamples keeps the sample files (used by the CLI docs and the
// tests) equal to the named examples of the spec.
func TestTestdataMatchesSpecExamples(t *testing.T) {
	v := validator(t)
	for name, file := range map[string]string{
		"DocsPublicImage": "docs_example.json", "PrivateImageWithDataDisks": "private_image.json",
		"LocalDiskImage": "local_disk_image.json", "Legacy2019Image": "legacy_2019_image.json",
		"ImageNotFound": "not_found.json", "AccessError": "access_error.json",
	} {
		ex := v.Document().Components.Examples[name]
		if ex == nil {
			t.Errorf("example %s missing from the spec", name)
			continue
		}
		want, _ := json.Marshal(ex.Value.Value)
		var got any
		if err := json.Unmarshal([]byte(readFile(t, file)), &got); err != nil {
			t.Fatal(err)
		}
		gotB, _ := json.Marshal(got)
		if string(gotB) != string(want) {
			t.Errorf("testdata/%s differs from the spec's example %s", file, name)
		}
	}
}
