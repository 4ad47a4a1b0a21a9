package fake

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/vmimage/vmimage/validate"
)

// The fake's own routes are openapi.yaml's paths and methods of the write calls, and
// its read patterns the generated server's operations.
func TestRoutesAreTheSpecs(t *testing.T) {
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	spec := map[string]string{}
	for path, item := range v.Document().Paths.Map() {
		for method, op := range item.Operations() {
			spec[op.OperationID] = method + " /v1" + path
		}
	}
	var ours []string
	for _, rt := range writeRoutes {
		if got, want := rt.method+" /v1/"+strings.Join(rt.segs, "/"), spec[rt.op]; got != want {
			t.Errorf("%s: fake routes %q, spec says %q", rt.op, got, want)
		}
		ours = append(ours, rt.op)
	}
	for pattern, op := range readOps {
		if spec[op] != pattern {
			t.Errorf("%s: fake pattern %q, spec says %q", op, pattern, spec[op])
		}
		ours = append(ours, op)
	}
	slices.Sort(ours)
	if got := v.Operations(); !slices.Equal(got, ours) {
		t.Errorf("the fake serves %v, the spec has %v", ours, got)
	}
	// Both forms of the colon reach the operation; a colon is never part of an id.
	for _, c := range []struct{ method, path, op string }{
		{http.MethodPost, "/v1/regions/cn-north-1/images/img-a:share", "shareImage"},
		{http.MethodPost, "/v1/regions/cn-north-1/images:copyImages", "copyImages"},
		{http.MethodPost, "/v1/regions/cn-north-1/instances/i-a:createImage", "createImage"},
		{http.MethodDelete, "/v1/regions/cn-north-1/images/img-a", "deleteImage"},
		{http.MethodDelete, "/v1/regions/cn-north-1/images/img-a:share", ""},
		{http.MethodPost, "/v1/regions/cn-north-1/images/:share", ""},
		{http.MethodPost, "/v1/regions/cn-north-1/images/img-a:share/x", ""},
		{http.MethodPost, "/v1/regions/cn-north-1/images/img-a:b:share", ""},
	} {
		rt, _, _ := findWrite(c.method, c.path)
		if got := ""; rt != nil {
			got = rt.op
			if got != c.op {
				t.Errorf("%s %s: %q, want %q", c.method, c.path, got, c.op)
			}
		} else if c.op != "" {
			t.Errorf("%s %s: no route, want %q", c.method, c.path, c.op)
		}
	}
}
