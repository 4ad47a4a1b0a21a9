package tests

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/validate"
)

// TestReadAPIResponsesThatPass validates bodies of the read API's other operations,
// then decodes each with the generated types and checks the fields.
func TestReadAPIResponsesThatPass(t *testing.T) {
	v := validator(t)
	cases := []struct {
		name, op string
		status   int
		body     string
		check    func(t *testing.T, b []byte)
	}{
		{"page with unknown fields", "describeImages", 200,
			`{"requestId":"r","result":{"totalCount":31,"nextToken":"x","images":[{"imageId":"img-a1","sizeMB":10,"tpm":true},{"imageId":"img-a2","imageSource":"share"}]}}`,
			func(t *testing.T, b []byte) {
				var out api.DescribeImagesOutput
				mustDecode(t, b, &out)
				eq(t, "totalCount", out.Result.TotalCount, 31)
				eq(t, "images", len(out.Result.Images), 2)
				eq(t, "imageId", *out.Result.Images[1].ImageId, "img-a2")
			}},
		{"empty page without images", "describeImages", 200, `{"requestId":"r","result":{"totalCount":0}}`,
			func(t *testing.T, b []byte) {
				var out api.DescribeImagesOutput
				mustDecode(t, b, &out)
				eq(t, "images", len(out.Result.Images), 0)
			}},
		{"constraint includes", "describeImageConstraints", 200,
			`{"requestId":"r","result":{"imageConstraints":{"imageId":"img-a","imageInstanceTypeConstraint":{"constraintsType":"includes","instanceTypes":["g.n2.large"]}}}}`,
			func(t *testing.T, b []byte) {
				var out api.DescribeImageConstraintsOutput
				mustDecode(t, b, &out)
				c := out.Result.ImageConstraints.ImageInstanceTypeConstraint
				eq(t, "type", *c.ConstraintsType, api.ConstraintsTypeIncludes)
				eq(t, "types", strings.Join(c.InstanceTypes, ","), "g.n2.large")
			}},
		{"batch of none", "describeImageConstraintsBatch", 200, `{"requestId":"r","result":{"imageConstraints":[]}}`,
			func(t *testing.T, b []byte) {
				var out api.DescribeImageConstraintsBatchOutput
				mustDecode(t, b, &out)
				eq(t, "constraints", len(out.Result.ImageConstraints), 0)
			}},
		{"members", "describeImageMembers", 200, `{"requestId":"r","result":{"pins":["p1","p2"],"loginNames":["l1"]}}`,
			func(t *testing.T, b []byte) {
				var out api.DescribeImageMembersOutput
				mustDecode(t, b, &out)
				eq(t, "pins", strings.Join(out.Result.Pins, ","), "p1,p2")
				eq(t, "loginNames", strings.Join(out.Result.LoginNames, ","), "l1")
			}},
		{"snapshot policy of a disk", "describeImage", 200,
			`{"requestId":"r","result":{"image":{"dataDisks":[{"cloudDisk":{"snapshotPolicies":[{"id":"sp-1","interval":86400,"status":1,"contactInfo":{"sms":0,"email":1,"personIds":[3]},"effectiveTime":"2020-02-02T20:02:00+08:00"}]}}]}}}`,
			func(t *testing.T, b []byte) {
				var out api.DescribeImageOutput
				mustDecode(t, b, &out)
				sp := out.Result.Image.DataDisks[0].CloudDisk.SnapshotPolicies[0]
				eq(t, "interval", *sp.Interval, 86400)
				eq(t, "email", *sp.ContactInfo.Email, 1)
			}},
	}
	for _, op := range []string{"describeImages", "describeImageConstraints", "describeImageConstraintsBatch", "describeImageMembers"} {
		for _, e := range []struct {
			status int
			symbol string
		}{{400, "INVALID_ARGUMENT"}, {401, "ACCESS_ERROR"}, {403, "HTTP_FORBIDDEN"}, {404, "NOT_FOUND"}, {429, "HTTP_RATE_LIMIT_EXCEEDED"},
			{500, "INTERNAL"}, {502, "HTTP_BAD_GATEWAY"}, {503, "UNAVAILABLE"}, {504, "DEADLINE_EXCEEDED"}} {
			cases = append(cases, struct {
				name, op string
				status   int
				body     string
				check    func(t *testing.T, b []byte)
			}{op + " " + e.symbol, op, e.status, `{"requestId":"r","error":{"code":` + itoa(e.status) + `,"status":"` + e.symbol + `","message":"m"}}`,
				func(t *testing.T, b []byte) { eq(t, "status", decodeError(t, b).Status, e.symbol) }})
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := v.ValidateBody(context.Background(), c.op, c.status, "application/json", []byte(c.body)); err != nil {
				t.Fatalf("want valid, got: %v", err)
			}
			c.check(t, []byte(c.body))
		})
	}
}

func TestReadAPIResponsesThatMustFail(t *testing.T) {
	v := validator(t)
	cases := []struct {
		name, op, body, pointer, reason string
	}{
		{"page without totalCount", "describeImages", `{"requestId":"r","result":{"images":[]}}`, "/result/totalCount", `property "totalCount" is missing`},
		{"totalCount as a string", "describeImages", `{"requestId":"r","result":{"totalCount":"3"}}`, "/result/totalCount", "must be an integer"},
		{"negative totalCount", "describeImages", `{"requestId":"r","result":{"totalCount":-1}}`, "/result/totalCount", "must be at least 0"},
		{"images as an object", "describeImages", `{"requestId":"r","result":{"totalCount":1,"images":{"imageId":"img-a"}}}`, "/result/images", "must be an array"},
		{"a bad image in a page", "describeImages", `{"requestId":"r","result":{"totalCount":2,"images":[{},{"sizeMB":"1"}]}}`, "/result/images/1/sizeMB", "must be an integer"},
		{"unknown constraintsType", "describeImageConstraints", `{"requestId":"r","result":{"imageConstraints":{"imageInstanceTypeConstraint":{"constraintsType":"maybe"}}}}`, "/result/imageConstraints/imageInstanceTypeConstraint/constraintsType", "allowed values"},
		{"constraint without imageConstraints", "describeImageConstraints", `{"requestId":"r","result":{}}`, "/result/imageConstraints", `property "imageConstraints" is missing`},
		{"instanceTypes as a string", "describeImageConstraints", `{"requestId":"r","result":{"imageConstraints":{"imageInstanceTypeConstraint":{"instanceTypes":"g.n2.large"}}}}`, "/result/imageConstraints/imageInstanceTypeConstraint/instanceTypes", "must be an array"},
		{"batch as an object", "describeImageConstraintsBatch", `{"requestId":"r","result":{"imageConstraints":{}}}`, "/result/imageConstraints", "must be an array"},
		{"pins as a string", "describeImageMembers", `{"requestId":"r","result":{"pins":"p1"}}`, "/result/pins", "must be an array"},
		{"loginNames of numbers", "describeImageMembers", `{"requestId":"r","result":{"loginNames":[1]}}`, "/result/loginNames/0", "must be a string"},
		{"snapshot policy interval as a string", "describeImage", `{"requestId":"r","result":{"image":{"systemDisk":{"cloudDisk":{"snapshotPolicies":[{"interval":"86400"}]}}}}}`, "/result/image/systemDisk/cloudDisk/snapshotPolicies/0/interval", "must be an integer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := v.ValidateBody(context.Background(), c.op, 200, "", []byte(c.body))
			wantViolation(t, err, validate.WhereBody, c.pointer, c.reason)
		})
	}
	if err := v.ValidateBody(context.Background(), "describeNothing", 200, "", []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "describeImages") {
		t.Errorf("unknown operation: got %v, want an error listing the operations", err)
	}
}

// TestRequestsAreValidatedWithIndexedArrays checks that ValidateExchange honours
// x-jdcloud-array-encoding: indexed arrays pass, repeated ones and out-of-range
// parameters are violations of the request.
func TestRequestsAreValidatedWithIndexedArrays(t *testing.T) {
	v := validator(t)
	page := []byte(`{"requestId":"r","result":{"totalCount":0}}`)
	header := http.Header{"Content-Type": {"application/json"}, "X-Jdcloud-Request-Id": {"r"}}
	for _, c := range []struct {
		query, reason string
	}{
		{"ids.1=img-a&ids.2=img-b&pageSize=100", ""},
		{"imageSource=public&pageNumber=3", ""},
		{"ids=img-a&ids=img-b", "must be sent indexed"},
		{"ids.1=img-a&ids.3=img-b", "ids.2 is missing"},
		{"imageSource=public&pageSize=5", "pageSize"},
		{"imageSource=everything", "imageSource"},
		{"ids.1=IMG_BAD", "ids"},
	} {
		req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/v1/regions/cn-north-1/images?"+c.query, nil)
		err := v.ValidateExchange(context.Background(), req, 200, header, page)
		if c.reason == "" {
			if err != nil {
				t.Errorf("%s: want valid, got %v", c.query, err)
			}
			continue
		}
		wantViolation(t, err, validate.WhereRequest, "", c.reason)
	}
}

func wantViolation(t *testing.T, err error, where validate.Where, pointer, reason string) {
	t.Helper()
	var verr *validate.Error
	if !errors.As(err, &verr) {
		t.Fatalf("want *validate.Error, got %v", err)
	}
	for _, viol := range verr.Violations {
		if viol.Where == where && (pointer == "" || viol.Pointer == pointer) && strings.Contains(viol.Reason, reason) {
			return
		}
	}
	t.Fatalf("no violation at %s %q containing %q; got:\n%v", where, pointer, reason, err)
}

func mustDecode(t *testing.T, b []byte, out any) {
	t.Helper()
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("decode: %v", err)
	}
}
