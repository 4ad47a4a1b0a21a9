package validate

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// New leaves kin-openapi's process-wide body decoder registry alone: a program's own
// application/json decoder, registered before, is still the registered one after (New
// replaced it with ours), and validating goes on without it.
func TestNewKeepsTheProgramsDecoder(t *testing.T) {
	before := openapi3filter.RegisteredBodyDecoder("application/json")
	defer openapi3filter.RegisterBodyDecoder("application/json", before)
	calls := 0
	openapi3filter.RegisterBodyDecoder("application/json", func(r io.Reader, h http.Header, sr *openapi3.SchemaRef, fn openapi3filter.EncodingFn) (any, error) {
		calls++
		return openapi3filter.JSONBodyDecoder(r, h, sr, fn)
	})
	v, err := New(mustSpec(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openapi3filter.RegisteredBodyDecoder("application/json")(bytes.NewReader([]byte(`{}`)), nil, nil, nil); err != nil || calls != 1 {
		t.Fatalf("after New the registered decoder is not the program's (calls %d, %v)", calls, err)
	}
	if err := v.ValidateBody(context.Background(), "describeImage", 200, "", []byte(`{"requestId":"r","result":{"image":{}}}`)); err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("a directly validated body went through the registry (%d calls)", calls)
	}
}
