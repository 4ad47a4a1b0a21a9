package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// jsonSamples are bodies decodeJSONBody must read as kin-openapi's own decoder does.
var jsonSamples = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0.5e+10`, `"x"`, `12345678901234567890123`,
	`{"a":1,"b":[1,"2",{"c":null}],"d":{"e":{"f":[]}}}`,
	`{"a":1,"a":"two"}`, // duplicate names: the last wins
	"{\"bad\xffutf8\":\"val\xfe\"}",
	`{"esc\"aped\u00e9":"line\nbreak\t\u2028","\ud800":"\udfff"}`,
	` { "spaced" : [ 1 , 2 ] } `,
	`{"` + strings.Repeat("long", 40) + `":1}`,
	`[[[[[[[[[[1]]]]]]]]]]`,
}

func kinDecode(b []byte) (any, error) {
	return openapi3filter.JSONBodyDecoder(bytes.NewReader(b), nil, nil, nil)
}

func TestDecodeJSONBodyMatchesKinOpenAPI(t *testing.T) {
	for _, body := range jsonSamples {
		// Twice, so that the second read meets the names cached by the first.
		for range 2 {
			got, err := testBodies.decode(strings.NewReader(body), nil, nil, nil)
			if err != nil {
				t.Fatalf("%q: %v", body, err)
			}
			want, err := kinDecode([]byte(body))
			if err != nil {
				t.Fatalf("%q: kin-openapi: %v", body, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%q:\ngot  %#v\nwant %#v", body, got, want)
			}
		}
	}
}

func TestDecodeJSONBodyRefuses(t *testing.T) {
	for _, body := range []string{``, ` `, `{`, `{"a"}`, `{"a":1,}`, `[1,]`, `nul`, `{"a":1} x`, `{}{}`, `"\x01"`, `{'a':1}`, `01`} {
		if v, err := testBodies.decode(strings.NewReader(body), nil, nil, nil); err == nil {
			t.Errorf("%q: decoded as %#v", body, v)
		} else if _, ok := err.(*openapi3filter.ParseError); !ok {
			t.Errorf("%q: %T, not a *openapi3filter.ParseError", body, err)
		}
	}
}

// TestDecodeJSONBodyConcurrent reads different bodies from many goroutines: pooled
// decoders must not mix them up.
func TestDecodeJSONBodyConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				body := fmt.Sprintf(`{"g%d":[%d,{"i":"%d"}]}`, g, i, i)
				got, err := testBodies.decode(strings.NewReader(body), nil, nil, nil)
				want, _ := kinDecode([]byte(body))
				if err != nil || !reflect.DeepEqual(got, want) {
					t.Errorf("%s: %#v, %v", body, got, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// FuzzDecodeJSONBody: on any single JSON value decodeJSONBody gives kin-openapi's
// values; on anything else it fails.
func FuzzDecodeJSONBody(f *testing.F) {
	for _, b := range jsonSamples {
		f.Add([]byte(b))
	}
	f.Add([]byte(`{"a":1} x`))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := testBodies.decode(bytes.NewReader(b), nil, nil, nil)
		if !json.Valid(b) {
			if err == nil {
				t.Fatalf("%q is not JSON, decoded as %#v", b, got)
			}
			return
		}
		want, werr := kinDecode(b)
		if err != nil || werr != nil {
			t.Fatalf("%q: %v (kin-openapi: %v)", b, err, werr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\ngot  %#v\nwant %#v", b, got, want)
		}
	})
}

// testBodies is the decoder the tests compare with kin-openapi's.
var testBodies = newJSONBodies()
