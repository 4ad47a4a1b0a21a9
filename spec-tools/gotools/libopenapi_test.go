package gotools

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// specPath is the document under test: ../../openapi.yaml, or $VMIMAGE_SPEC (used to
// show the gate failing on a broken copy).
func specPath() string {
	if p := os.Getenv("VMIMAGE_SPEC"); p != "" {
		return p
	}
	return filepath.Join("..", "..", "openapi.yaml")
}

func load(t *testing.T, spec []byte) validator.Validator {
	t.Helper()
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		t.Fatalf("libopenapi cannot read the document: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("libopenapi-validator cannot build a validator: %v", errs)
	}
	return v
}

// TestDocumentIsValidForLibopenapi is the second, independent validation of the
// document (kin-openapi's is in the main module's tests).
func TestDocumentIsValidForLibopenapi(t *testing.T) {
	spec, err := os.ReadFile(specPath())
	if err != nil {
		t.Fatal(err)
	}
	ok, errs := load(t, spec).ValidateDocument()
	if !ok {
		for _, e := range errs {
			t.Errorf("%s: %s", e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				t.Errorf("  %s at %s (line %d)", se.Reason, se.FieldPath, se.Line)
			}
		}
	}
}

// TestLibopenapiAgreesOnTheDocsExample checks that libopenapi, too, accepts the docs'
// example response and refuses a mistyped one.
func TestLibopenapiAgreesOnTheDocsExample(t *testing.T) {
	spec, err := os.ReadFile(specPath())
	if err != nil {
		t.Fatal(err)
	}
	v := load(t, spec)
	example, err := os.ReadFile(filepath.Join("..", "..", "tests", "testdata", "docs_example.json"))
	if err != nil {
		t.Fatal(err)
	}
	check := func(body []byte) bool {
		req, _ := http.NewRequest(http.MethodGet, "https://vm.jdcloud-api.com/v1/regions/cn-north-1/images/img-m5s0ab1c29", nil)
		resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(body)), Request: req}
		ok, errs := v.ValidateHttpResponse(req, resp)
		for _, e := range errs {
			t.Logf("libopenapi: %s: %s", e.Message, e.Reason)
		}
		return ok
	}
	if !check(example) {
		t.Error("libopenapi refuses the docs' example")
	}
	if check([]byte(strings.Replace(string(example), `"sizeMB": 2494`, `"sizeMB": "2494"`, 1))) {
		t.Error("libopenapi accepts sizeMB as a string")
	}
}

// TestLibopenapiRefusesABrokenDocument shows the gate can fail.
func TestLibopenapiRefusesABrokenDocument(t *testing.T) {
	broken := []byte("openapi: 3.0.3\ninfo:\n  title: x\npaths:\n  /a:\n    get:\n      responses: 42\n")
	doc, err := libopenapi.NewDocument(broken)
	if err != nil {
		return // refused while reading: the gate fails, as it should
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		return
	}
	if ok, _ := v.ValidateDocument(); ok {
		t.Fatal("a document without info.version and with responses: 42 passed")
	}
}
