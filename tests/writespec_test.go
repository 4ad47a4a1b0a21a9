package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/vmimage/vmimage"
)

// The spec of the image write calls (issue 18): what each operation may do on a retry,
// the bodies JD's SDKs send, and the error statuses. These tests read openapi.yaml; they
// change only when the spec is changed on purpose.

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(vmimage.Spec)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return doc
}

// specOp is one operation of the document with where it lives.
type specOp struct {
	method, path string
	op           *openapi3.Operation
}

func specOps(t *testing.T, doc *openapi3.T) map[string]specOp {
	t.Helper()
	ops := map[string]specOp{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if _, dup := ops[op.OperationID]; dup {
				t.Fatalf("operationId %s twice", op.OperationID)
			}
			ops[op.OperationID] = specOp{method: method, path: path, op: op}
		}
	}
	return ops
}

func extString(t *testing.T, ext map[string]any, name string) string {
	t.Helper()
	v, ok := ext[name]
	if !ok {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		t.Errorf("%s is %T, want a string", name, v)
	}
	return s
}

// TestRetryClassificationIsPinned pins, for all 17 operations, the JD Cloud API name,
// the method and path as JD routes them, what a retry may do (x-vmimage-retry), the
// idempotency token field and the 429 answer. A change here is a change of contract:
// make it in openapi.yaml and here together.
func TestRetryClassificationIsPinned(t *testing.T) {
	type row struct{ api, method, path, retry, token, quota429 string }
	want := map[string]row{
		"describeImage":                 {"DescribeImage", "GET", "/regions/{regionId}/images/{imageId}", "safe", "", "TooManyRequests"},
		"describeImages":                {"DescribeImages", "GET", "/regions/{regionId}/images", "safe", "", "TooManyRequests"},
		"describeImageConstraints":      {"DescribeImageConstraints", "GET", "/regions/{regionId}/images/{imageId}/constraints", "safe", "", "TooManyRequests"},
		"describeImageConstraintsBatch": {"DescribeImageConstraintsBatch", "GET", "/regions/{regionId}/imageConstraints", "safe", "", "TooManyRequests"},
		"describeImageMembers":          {"DescribeImageMembers", "GET", "/regions/{regionId}/images/{imageId}/members", "safe", "", "TooManyRequests"},
		"imageTasks":                    {"ImageTasks", "GET", "/regions/{regionId}/imageTasks", "safe", "", "TooManyRequests"},
		"deleteImage":                   {"DeleteImage", "DELETE", "/regions/{regionId}/images/{imageId}", "safe", "", "TooManyRequests"},
		"modifyImageAttribute":          {"ModifyImageAttribute", "POST", "/regions/{regionId}/images/{imageId}:modifyImageAttribute", "safe", "", "TooManyRequests"},
		"shareImage":                    {"ShareImage", "POST", "/regions/{regionId}/images/{imageId}:share", "safe", "", "ImageShareQuotaExceeded"},
		"unShareImage":                  {"UnShareImage", "POST", "/regions/{regionId}/images/{imageId}:unshare", "safe", "", "TooManyRequests"},
		"createImageFromSnapshots":      {"CreateImageFromSnapshots", "POST", "/regions/{regionId}/images:createImageFromSnapshots", "token", "clientToken", "ImageQuotaExceeded"},
		"exportImage":                   {"ExportImage", "POST", "/regions/{regionId}/images/{imageId}:exportImage", "token", "clientToken", "TooManyRequests"},
		"importImage":                   {"ImportImage", "POST", "/regions/{regionId}/images:import", "token", "clientToken", "ImageQuotaExceeded"},
		"copyImages":                    {"CopyImages", "POST", "/regions/{regionId}/images:copyImages", "never", "", "ImageQuotaExceeded"},
		"createImage":                   {"CreateImage", "POST", "/regions/{regionId}/instances/{instanceId}:createImage", "never", "", "ImageQuotaExceeded"},
		"releaseImage":                  {"ReleaseImage", "POST", "/regions/{regionId}/images/{imageId}:release", "never", "", "TooManyRequests"},
		"unReleaseImage":                {"UnReleaseImage", "POST", "/regions/{regionId}/images/{imageId}:unrelease", "never", "", "TooManyRequests"},
	}
	ops := specOps(t, loadSpec(t))
	if got := slices.Sorted(maps.Keys(ops)); !slices.Equal(got, slices.Sorted(maps.Keys(want))) {
		t.Fatalf("operations %v, want %v", got, slices.Sorted(maps.Keys(want)))
	}
	for id, w := range want {
		o := ops[id]
		ext := o.op.Extensions
		quota := strings.TrimPrefix(o.op.Responses.Value("429").Ref, "#/components/responses/")
		got := row{extString(t, ext, "x-jdcloud-api-name"), o.method, o.path, extString(t, ext, "x-vmimage-retry"),
			extString(t, ext, "x-vmimage-idempotency-token"), quota}
		if got != w {
			t.Errorf("%s: %+v, want %+v", id, got, w)
		}
		// The operation id is the API name in lowerCamel.
		if r := []rune(w.api); id != string(unicode.ToLower(r[0]))+string(r[1:]) {
			t.Errorf("%s: operationId is not the lowerCamel of %s", id, w.api)
		}
		// The description says it in words.
		// The description of each write call (and ImageTasks) says it in words; the five
		// older reads carry the extension alone.
		sentence := "**Retry: " + w.retry + ".**"
		if !strings.HasPrefix(w.api, "Describe") && !strings.Contains(o.op.Description, sentence) {
			t.Errorf("%s: the description does not say %q", id, sentence)
		}
		// GET and DELETE are idempotent by HTTP: never anything but safe.
		if (o.method == "GET" || o.method == "DELETE") && w.retry != "safe" {
			t.Errorf("%s: a %s must be safe", id, o.method)
		}
		if w.token == "" {
			continue
		}
		// The token is an optional, nullable string field of the body, at most 64 long.
		body := o.op.RequestBody.Value.Content.Get("application/json").Schema.Value
		p := body.Properties[w.token]
		switch {
		case p == nil:
			t.Errorf("%s: no body field %s", id, w.token)
		case !p.Value.Type.Is(openapi3.TypeString) || p.Value.MaxLength == nil || *p.Value.MaxLength != 64 || !p.Value.Nullable:
			t.Errorf("%s: %s is not a nullable string of at most 64", id, w.token)
		case slices.Contains(body.Required, w.token):
			t.Errorf("%s: %s is required; the client makes one when the caller gives none", id, w.token)
		}
	}
}

// TestRetryValuesAreExplained checks that info.description explains the three values
// and the two rules every client follows.
func TestRetryValuesAreExplained(t *testing.T) {
	d := loadSpec(t).Info.Description
	for _, s := range []string{"`safe`", "`token`", "`never`", "x-vmimage-idempotency-token",
		"A write without a token is never repeated once its body may have reached the service",
		"429 `QUOTA_EXCEEDED` is a quota"} {
		if !strings.Contains(d, s) {
			t.Errorf("info.description does not say %q", s)
		}
	}
}

// jdSDKBody is a body as JD's Go SDK sends it: every required field from its example,
// every optional field null, and the path parameters copied in.
func jdSDKBody(t *testing.T, o specOp, body *openapi3.Schema) map[string]any {
	t.Helper()
	out := map[string]any{}
	for name, p := range body.Properties {
		if slices.Contains(body.Required, name) {
			if p.Value.Example == nil {
				t.Fatalf("%s: required %s has no example", o.op.OperationID, name)
			}
			out[name] = p.Value.Example
		} else {
			out[name] = nil
		}
	}
	for _, ref := range o.op.Parameters {
		if p := ref.Value; p.In == openapi3.ParameterInPath {
			out[p.Name] = p.Example
		}
	}
	// Round-trip through JSON: the validator sees what a server decodes.
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	var decoded map[string]any
	if err := json.Unmarshal(b, &decoded); err != nil {
		t.Fatal(err)
	}
	return decoded
}

// TestBodiesAcceptWhatJDSDKsSend checks every request body of the spec: its path
// parameters may be copied into it, every optional field (nested ones too) may be
// null, and a body of the Go SDK's form validates; a required field sent null does not.
func TestBodiesAcceptWhatJDSDKsSend(t *testing.T) {
	doc := loadSpec(t)
	bodies := 0
	for id, o := range specOps(t, doc) {
		if o.op.RequestBody == nil {
			if o.method == "POST" {
				t.Errorf("%s: a POST without a request body", id)
			}
			continue
		}
		bodies++
		schema := o.op.RequestBody.Value.Content.Get("application/json").Schema.Value
		for _, ref := range o.op.Parameters {
			if p := ref.Value; p.In == openapi3.ParameterInPath {
				c := schema.Properties[p.Name]
				if c == nil || !c.Value.Nullable || c.Value.Pattern != p.Schema.Value.Pattern || !strings.Contains(c.Value.Description, "must equal the path") {
					t.Errorf("%s: the body has no nullable copy of path parameter %s with its pattern, described", id, p.Name)
				}
			}
		}
		checkNullable(t, id, schema, map[*openapi3.Schema]bool{})
		sdk := jdSDKBody(t, o, schema)
		if err := schema.VisitJSON(sdk, openapi3.MultiErrors()); err != nil {
			t.Errorf("%s: the Go SDK's form %v is refused: %v", id, sdk, err)
		}
		for _, name := range schema.Required {
			bad := maps.Clone(sdk)
			bad[name] = nil
			if err := schema.VisitJSON(bad); err == nil {
				t.Errorf("%s: required %s accepted as null", id, name)
			}
		}
	}
	if bodies != 10 {
		t.Errorf("%d operations with a body, want 10 (every write call but DeleteImage and ImageTasks)", bodies)
	}
}

// checkNullable walks a body schema: every optional property accepts null, and an
// enum that accepts null lists it (OpenAPI 3.0.3), so that every validator agrees.
func checkNullable(t *testing.T, where string, s *openapi3.Schema, seen map[*openapi3.Schema]bool) {
	t.Helper()
	if seen[s] {
		return
	}
	seen[s] = true
	for name, p := range s.Properties {
		v := p.Value
		if !slices.Contains(s.Required, name) && !v.Nullable {
			t.Errorf("%s.%s: optional but not nullable", where, name)
		}
		if v.Nullable && len(v.Enum) > 0 && !slices.Contains(v.Enum, any(nil)) {
			t.Errorf("%s.%s: nullable enum without null in it", where, name)
		}
		if v.Items != nil {
			checkNullable(t, where+"."+name+"[]", v.Items.Value, seen)
		}
		checkNullable(t, where+"."+name, v, seen)
	}
}

// TestBodyConstraints pins a few of the documented limits, through kin-openapi (which
// the fake and the validator use): UTF-8 name patterns compile and match Chinese
// names, item counts and ranges hold.
func TestBodyConstraints(t *testing.T) {
	schemas := loadSpec(t).Components.Schemas
	cases := []struct {
		schema string
		body   string
		ok     bool
	}{
		{"CreateImageInput", `{"name":"镜像-v1.0_a"}`, true},
		{"CreateImageInput", `{"name":"a"}`, false},
		{"CreateImageInput", `{"name":"` + strings.Repeat("名", 32) + `"}`, true},
		{"CreateImageInput", `{"name":"` + strings.Repeat("名", 33) + `"}`, false},
		{"CreateImageInput", `{"name":"bad name"}`, false},
		{"CreateImageInput", `{"name":"ok","dataDisks":[{"deviceName":"vdbm","noDevice":true}]}`, true},
		{"CreateImageInput", `{"name":"ok","dataDisks":[{"deviceName":"vdbn","noDevice":true}]}`, false},
		{"CreateImageInput", `{"name":"ok","dataDisks":[{"deviceName":"vda","noDevice":true}]}`, false},
		{"ImportImageInput", `{"architecture":"x86_64","osType":"linux","platform":"Other Linux","diskFormat":"raw","systemDiskSizeGB":50,"imageUrl":"https://b.example/x.raw","imageName":"导入_1"}`, true},
		{"ImportImageInput", `{"architecture":"x86_64","osType":"linux","platform":"Others Linux","diskFormat":"raw","systemDiskSizeGB":50,"imageUrl":"https://b.example/x.raw","imageName":"i"}`, false},
		{"ImportImageInput", `{"architecture":"x86_64","osType":"linux","platform":"CentOS","diskFormat":"raw","systemDiskSizeGB":55,"imageUrl":"https://b.example/x.raw","imageName":"i"}`, false},
		{"ImportImageInput", `{"architecture":"x86_64","osType":"linux","platform":"CentOS","diskFormat":"raw","systemDiskSizeGB":50,"imageUrl":"http://b.example/x.raw","imageName":"i"}`, false},
		{"ImportImageInput", `{"architecture":"x86_64","osType":"linux","platform":"CentOS","diskFormat":"raw","systemDiskSizeGB":50,"imageUrl":"https://b.example/x.raw","imageName":"no.dots"}`, false},
		{"CreateImageFromSnapshotsInput", `{"name":"snap","platform":"Others Linux","architecture":"arm64","bootMode":"uefi","cloudDisks":[{"deviceName":"vda","snapshotId":"snapshot-a1"}]}`, true},
		{"CreateImageFromSnapshotsInput", `{"name":"snap","platform":"Other Linux","architecture":"arm64","bootMode":"uefi","cloudDisks":[{"deviceName":"vda"}]}`, false},
		{"CreateImageFromSnapshotsInput", `{"name":"snap","platform":"CentOS","architecture":"arm64","bootMode":"uefi","cloudDisks":[]}`, false},
		{"CreateImageFromSnapshotsInput", `{"name":"snap","platform":"CentOS","architecture":"arm64","bootMode":"uefi","cloudDisks":[{},{},{},{},{},{},{},{},{}]}`, false},
		{"CreateImageFromSnapshotsInput", `{"name":"snap","platform":"CentOS","architecture":"arm64","bootMode":"uefi","cloudDisks":[{}],"clientToken":"` + strings.Repeat("t", 65) + `"}`, false},
		{"CopyImagesInput", `{"sourceImageIds":["img-a1","img-a2","img-a3","img-a4","img-a5","img-a6","img-a7","img-a8","img-a9","img-a10"],"destinationRegion":"cn-north-1"}`, true},
		{"CopyImagesInput", `{"sourceImageIds":["img-a1","img-a2","img-a3","img-a4","img-a5","img-a6","img-a7","img-a8","img-a9","img-a10","img-a11"],"destinationRegion":"cn-east-2"}`, false},
		{"CopyImagesInput", `{"sourceImageIds":[],"destinationRegion":"cn-east-2"}`, false},
		{"ExportImageInput", `{"roleName":"r","ossUrl":"https://b.example","ossPrefix":"abc123"}`, true},
		{"ExportImageInput", `{"roleName":"r","ossUrl":"https://b.example","ossPrefix":"abc-123"}`, false},
		{"ShareImageInput", `{"pins":[` + strings.TrimSuffix(strings.Repeat(`"p",`, 20), ",") + `]}`, true},
		{"ShareImageInput", `{"pins":[` + strings.TrimSuffix(strings.Repeat(`"p",`, 21), ",") + `]}`, false},
		{"ModifyImageAttributeInput", `{"name":null,"description":"only the description"}`, true},
	}
	for _, c := range cases {
		var v any
		if err := json.Unmarshal([]byte(c.body), &v); err != nil {
			t.Fatal(err)
		}
		err := schemas[c.schema].Value.VisitJSON(v)
		if (err == nil) != c.ok {
			t.Errorf("%s %s: accepted = %v, want %v (%v)", c.schema, c.body, err == nil, c.ok, err)
		}
	}
}

// errorStatus is one entry of ErrorInfo.status's x-vmimage-error-statuses.
type errorStatus struct {
	Status  string `json:"status"`
	Code    int    `json:"code"`
	Meaning string `json:"meaning"`
}

func errorStatuses(t *testing.T, doc *openapi3.T) map[string]errorStatus {
	t.Helper()
	raw := doc.Components.Schemas["ErrorInfo"].Value.Properties["status"].Value.Extensions["x-vmimage-error-statuses"]
	b, err := json.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	var list []errorStatus
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatalf("x-vmimage-error-statuses: %v", err)
	}
	out := map[string]errorStatus{}
	for _, e := range list {
		if _, dup := out[e.Status]; dup || e.Status == "" || strings.ToUpper(e.Status) != e.Status || e.Code < 400 || e.Code > 599 || e.Meaning == "" {
			t.Errorf("x-vmimage-error-statuses: bad or repeated entry %+v", e)
		}
		out[e.Status] = e
	}
	return out
}

// TestErrorStatusesAreListed checks the machine-readable list of error statuses that
// sentinel errors are generated from: the image API's statuses are there, and every
// error example of the spec uses a listed status, with its code, under the response of
// that HTTP status.
func TestErrorStatusesAreListed(t *testing.T) {
	doc := loadSpec(t)
	statuses := errorStatuses(t, doc)
	for _, s := range []string{"INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE", "DUPLICATE", "CONFLICT",
		"NOT_FOUND", "QUOTA_EXCEEDED", "INTERNAL", "UNKNOWN", "ACCESS_ERROR", "HTTP_RATE_LIMIT_EXCEEDED"} {
		if _, ok := statuses[s]; !ok {
			t.Errorf("status %s is not listed", s)
		}
	}
	seen := map[string]bool{}
	for id, o := range specOps(t, doc) {
		for code, ref := range o.op.Responses.Map() {
			var httpStatus int
			if _, err := fmt.Sscan(code, &httpStatus); err != nil || httpStatus < 400 {
				continue
			}
			for name, ex := range ref.Value.Content.Get("application/json").Examples {
				var env struct {
					Error struct {
						Code   int    `json:"code"`
						Status string `json:"status"`
					} `json:"error"`
				}
				b, _ := json.Marshal(ex.Value.Value)
				if err := json.Unmarshal(b, &env); err != nil {
					t.Fatalf("%s %s %s: %v", id, code, name, err)
				}
				e, ok := statuses[env.Error.Status]
				switch {
				case !ok:
					t.Errorf("%s %s example %s: status %s is not listed", id, code, name, env.Error.Status)
				case e.Code != env.Error.Code || env.Error.Code != httpStatus:
					t.Errorf("%s %s example %s: code %d, listed %d", id, code, name, env.Error.Code, e.Code)
				}
				seen[env.Error.Status] = true
			}
		}
	}
	for _, s := range []string{"INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE", "DUPLICATE", "CONFLICT", "NOT_FOUND", "QUOTA_EXCEEDED"} {
		if !seen[s] {
			t.Errorf("no error example uses %s", s)
		}
	}
}

// TestEnumVarnamesMatch checks that every x-enum-varnames lists one Go name per value.
func TestEnumVarnamesMatch(t *testing.T) {
	doc := loadSpec(t)
	n := 0
	for name, ref := range doc.Components.Schemas {
		raw, ok := ref.Value.Extensions["x-enum-varnames"]
		if !ok {
			continue
		}
		n++
		names, _ := raw.([]any)
		if len(names) != len(ref.Value.Enum) {
			t.Errorf("%s: %d varnames for %d values", name, len(names), len(ref.Value.Enum))
		}
	}
	if n < 5 {
		t.Errorf("%d schemas with x-enum-varnames, want at least the 5 of the write calls", n)
	}
}

// TestVoidResultForms checks the three forms of a void answer against VoidOutput.
func TestVoidResultForms(t *testing.T) {
	v := validator(t)
	for body, ok := range map[string]bool{
		`{"requestId":"r1"}`: true, `{"requestId":"r1","result":null}`: true, `{"requestId":"r1","result":{}}`: true,
		`{"requestId":"r1","result":[]}`: false, `{"result":{}}`: false,
	} {
		err := v.ValidateBody(context.Background(), "shareImage", 200, "", []byte(body))
		if (err == nil) != ok {
			t.Errorf("%s: accepted = %v, want %v (%v)", body, err == nil, ok, err)
		}
	}
}

// TestWriteCallWireForms checks, through the validator, wire forms the spec promises
// for the write calls: deleteSnapshot as Python's True, taskIds indexed, and a custom
// method's colon sent raw or escaped (%3A, as JD's Go SDK and the client send it), and
// the request body checked against its schema.
func TestWriteCallWireForms(t *testing.T) {
	v := validator(t)
	void := []byte(`{"requestId":"a0633f72670e59f8c6db36b1ee257011"}`)
	tasks := []byte(`{"requestId":"r","result":{"totalCount":0}}`)
	share := `{"pins":["jdcloud-user-02"]}`
	copyBody := `{"sourceImageIds":["img-m5s0ab1c29"],"destinationRegion":"cn-east-2"}`
	cases := []struct {
		method, url string
		body        []byte
		ok          bool
		reqBody     string
	}{
		{"DELETE", "/v1/regions/cn-north-1/images/img-m5s0ab1c29?deleteSnapshot=true", void, true, ""},
		{"DELETE", "/v1/regions/cn-north-1/images/img-m5s0ab1c29?deleteSnapshot=True", void, true, ""},
		{"DELETE", "/v1/regions/cn-north-1/images/img-m5s0ab1c29?deleteSnapshot=yes", void, false, ""},
		{"GET", "/v1/regions/cn-north-1/imageTasks?taskAction=ImportImage&taskIds.1=709&taskIds.2=794&pageSize=1", tasks, true, ""},
		{"GET", "/v1/regions/cn-north-1/imageTasks?taskIds=709&taskIds=794", tasks, false, ""},
		{"GET", "/v1/regions/cn-north-1/imageTasks?startTime=2020-07-02%2017%3A34%3A44", tasks, true, ""},
		{"GET", "/v1/regions/cn-north-1/imageTasks?startTime=2020-07-02T17%3A34%3A44Z", tasks, false, ""},
		{"GET", "/v1/regions/cn-north-1/imageTasks?pageSize=101", tasks, false, ""},
		{"POST", "/v1/regions/cn-north-1/images/img-m5s0ab1c29:share", void, true, share},
		{"POST", "/v1/regions/cn-north-1/images/img-m5s0ab1c29%3Ashare", void, true, share},
		{"POST", "/v1/regions/cn-north-1/images/img-m5s0ab1c29%3Ashare", void, false, ""},
		{"POST", "/v1/regions/cn-north-1/images/img-m5s0ab1c29%3Ashare", void, false, `{"pins":[""]}`},
		{"POST", "/v1/regions/cn-north-1/images:copyImages", []byte(`{"requestId":"r","result":{"copyImages":[]}}`), true, copyBody},
		{"POST", "/v1/regions/cn-north-1/images%3AcopyImages", []byte(`{"requestId":"r","result":{"copyImages":[]}}`), true, copyBody},
		{"POST", "/v1/regions/cn-north-1/instances/i-eumm4d5fd6:createImage", []byte(`{"requestId":"r","result":{}}`), false, ""},
	}
	for _, c := range cases {
		var rb io.Reader
		if c.reqBody != "" {
			rb = strings.NewReader(c.reqBody)
		}
		req, err := http.NewRequest(c.method, "https://vm.jdcloud-api.com"+c.url, rb)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		err = v.ValidateExchange(context.Background(), req, 200, http.Header{"Content-Type": {"application/json"}}, c.body)
		if (err == nil) != c.ok {
			t.Errorf("%s %s: accepted = %v, want %v (%v)", c.method, c.url, err == nil, c.ok, err)
		}
	}
}
