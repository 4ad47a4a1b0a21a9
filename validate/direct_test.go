package validate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/vmimage/vmimage"
)

// exchange is one saved response to validate.
type exchange struct {
	op, contentType string
	status          int
	body            []byte
}

// responseExamples returns every example of every response of the document, as
// exchanges of their operation, status and media type.
func responseExamples(t *testing.T, v *Validator) []exchange {
	t.Helper()
	var out []exchange
	for _, item := range v.doc.Paths.Map() {
		for _, op := range item.Operations() {
			for code, ref := range op.Responses.Map() {
				status := 200
				if code != "default" {
					fmt.Sscan(code, &status)
				} else {
					status = 503
				}
				for mime, media := range ref.Value.Content {
					var examples []any
					if media.Example != nil {
						examples = append(examples, media.Example)
					}
					for _, ex := range media.Examples {
						examples = append(examples, ex.Value.Value)
					}
					for _, ex := range examples {
						b, err := json.Marshal(ex)
						if err != nil {
							t.Fatal(err)
						}
						out = append(out, exchange{op: op.OperationID, contentType: mime, status: status, body: b})
					}
				}
			}
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d response examples in the document", len(out))
	}
	slices.SortFunc(out, func(a, b exchange) int {
		return strings.Compare(fmt.Sprint(a.op, a.status, string(a.body)), fmt.Sprint(b.op, b.status, string(b.body)))
	})
	return out
}

// mutations returns bodies made from one valid body by changing one place each: every
// member removed, every value replaced by one of each JSON type, an unknown member
// added to every object, every array item replaced.
func mutations(t *testing.T, body []byte) [][]byte {
	t.Helper()
	var out [][]byte
	replacements := []any{"text", json.Number("1.5"), json.Number("7"), json.Number("-1"), true, nil, []any{}, map[string]any{}, "", strings.Repeat("x", 300)}
	var walk func(v any, set func(any), del func())
	emit := func(root *any) {
		b, err := json.Marshal(*root)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	var root any
	if err := json.Unmarshal(body, &root); err != nil {
		t.Fatal(err)
	}
	walk = func(v any, set func(any), del func()) {
		for _, r := range replacements {
			set(r)
			emit(&root)
		}
		set(v)
		if del != nil {
			del()
			emit(&root)
			set(v)
		}
		switch v := v.(type) {
		case map[string]any:
			v["zzUnknown"] = "x"
			emit(&root)
			delete(v, "zzUnknown")
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				old := v[k]
				walk(old, func(x any) { v[k] = x }, func() { delete(v, k) })
				v[k] = old
			}
		case []any:
			for i := range v {
				old := v[i]
				walk(old, func(x any) { v[i] = x }, nil)
				v[i] = old
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		t.Fatal(err)
	}
	walk(root, func(x any) { root = x }, nil)
	return out
}

// TestDirectMatchesKinOpenAPI holds the direct body validation (direct.go) to
// kin-openapi's own ValidateResponse: the same violations, in the same order, for
// every response example of the document, every one-place mutation of each, and
// bodies that are not the expected JSON. kin-openapi's path decodes with the same
// decoder here (registered for this test only): what is compared is the schema walk;
// the decoders are compared by TestDecodeJSONBodyMatchesKinOpenAPI.
func TestDirectMatchesKinOpenAPI(t *testing.T) {
	before := openapi3filter.RegisteredBodyDecoder("application/json")
	defer openapi3filter.RegisterBodyDecoder("application/json", before)
	openapi3filter.RegisterBodyDecoder("application/json", newJSONBodies().decode)
	fast, err := New(mustSpec(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(fast.direct) == 0 {
		t.Fatal("no media type of the document is validated directly: the test compares nothing")
	}
	slow := *fast
	slow.direct = nil // every exchange takes kin-openapi's path

	var cases []exchange
	for _, ex := range responseExamples(t, fast) {
		cases = append(cases, ex)
		for _, m := range mutations(t, ex.body) {
			cases = append(cases, exchange{ex.op, ex.contentType, ex.status, m})
		}
		for _, raw := range []string{``, `{`, `[]`, `null`, `"x"`, `7`, `{"a":1} x`, `{"a":1}{}`, "{\"requestId\":\"\xff\xfe\"}",
			`{"requestId":"a","requestId":7}`, `{"requestId":"\u00e9\ud800"}`, `{"result":{"image":{"imageId":"img-a","imageId":null}}}`} {
			cases = append(cases, exchange{ex.op, ex.contentType, ex.status, []byte(raw)})
		}
		for _, ct := range []string{"application/json; charset=utf-8", "Application/JSON", "text/plain", "application/problem+json", "application/json;"} {
			cases = append(cases, exchange{ex.op, ct, ex.status, ex.body})
		}
		for _, st := range []int{201, 204, 304, 307, 404, 418, 500, 599} {
			cases = append(cases, exchange{ex.op, ex.contentType, st, ex.body})
		}
	}
	directly, violations := 0, 0
	for i, c := range cases {
		s := fast.samples[c.op]
		if m, _ := fast.directMedia(s.req, s.route, c.status, http.Header{"Content-Type": {c.contentType}}); m != nil {
			directly++
		}
		got := fast.ValidateBody(context.Background(), c.op, c.status, c.contentType, c.body)
		want := slow.ValidateBody(context.Background(), c.op, c.status, c.contentType, c.body)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d (%s %d %s %s):\ndirect:      %v\nkin-openapi: %v", i, c.op, c.status, c.contentType, c.body, got, want)
		}
		if want != nil {
			violations++
		}
	}
	t.Logf("%d exchanges, %d validated directly, %d with violations", len(cases), directly, violations)
	if directly < len(cases)/2 || violations < len(cases)/2 {
		t.Fatalf("the cases do not exercise the direct path (%d of %d) or find violations (%d)", directly, len(cases), violations)
	}
}

// TestDirectPathConditions checks when the direct path is not taken: a writeOnly
// property anywhere in the schema, an OpenAPI 3.1 document, another JSON decoder
// registered.
func TestDirectPathConditions(t *testing.T) {
	spec := string(mustSpec(t))
	v, err := New([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	n := len(v.direct)

	// A writeOnly property of Image: the bodies that hold images are visited by
	// kin-openapi, which neither refuses it in a response nor requires it there.
	at := strings.Index(spec, "\n    Image:\n")
	props := strings.Index(spec[max(at, 0):], "\n      properties:\n")
	if at < 0 || props < 0 {
		t.Fatal("the spec's Image schema moved: update the test")
	}
	cut := at + props + len("\n      properties:\n")
	writeOnly := spec[:cut] + "        zzSecret:\n          type: string\n          writeOnly: true\n" + spec[cut:]
	w, err := New([]byte(writeOnly))
	if err != nil {
		t.Fatal(err)
	}
	if len(w.direct) >= n {
		t.Fatalf("a writeOnly Image leaves %d direct media types of %d", len(w.direct), n)
	}
	s := w.samples["describeImage"]
	if m, _ := w.directMedia(s.req, s.route, 200, http.Header{"Content-Type": {"application/json"}}); m != nil {
		t.Fatal("describeImage's body, whose Image is writeOnly, is validated directly")
	}

	// The direct path does not depend on kin-openapi's process-wide registry.
	s = v.samples["describeImage"]
	if m, _ := v.directMedia(s.req, s.route, 200, http.Header{"Content-Type": {"application/json; charset=utf-8"}}); m == nil {
		t.Fatal("describeImage's 200 body is not validated directly")
	}
}

func mustSpec(t *testing.T) []byte {
	t.Helper()
	if len(vmimage.Spec) == 0 {
		t.Fatal("no embedded spec")
	}
	return vmimage.Spec
}
