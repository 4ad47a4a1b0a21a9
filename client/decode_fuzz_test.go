package client

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client/api"
)

// FuzzInterpret feeds garbage to the response classifier and decoder: they must never
// panic, and must give either a result or one of the typed errors.
func FuzzInterpret(f *testing.F) {
	f.Add(200, "application/json", []byte(`{"requestId":"r","result":{"image":{"imageId":"img-a"}}}`), "")
	f.Add(404, "application/json", []byte(`{"requestId":"r","error":{"code":404,"status":"NOT_FOUND","message":"m","details":[1,{}]}}`), "5")
	f.Add(404, "application/json", []byte(`{"requestId":"r","error":{"code":"404","status":"NOT_FOUND","message":"m"}}`), "")
	f.Add(502, "text/html", []byte("<html>"), "Wed, 21 Oct 2015 07:28:00 GMT")
	f.Add(200, "application/json; charset=utf-8", []byte(`{"result":{"image":null}}`), "")
	f.Add(200, "application/json", []byte(`{"result":{"images":[{"imageId":"img-a"}],"totalCount":1}}`), "")
	f.Add(301, "", []byte{0xff, 0x00}, "-1")
	op := Operation{Service: Service, Name: "DescribeImage", Region: "r", Resource: "i"}
	f.Fuzz(func(t *testing.T, status int, ct string, body []byte, retryAfter string) {
		header := http.Header{"Content-Type": {ct}, "Retry-After": {retryAfter}, "Location": {string(body)}}
		o := classifyResponse(op, status, header, body, time.Unix(0, 0))
		err := o.err
		if err == nil {
			img, _, derr := decodeSuccess[api.DescribeImageResult](op, opDescribeImage, status, header, body)
			if derr == nil && img == nil {
				t.Fatal("nil image without error")
			}
			_, _, _ = decodeSuccess[api.DescribeImagesResult](op, opDescribeImages, status, header, body)
			err = derr
		}
		if err == nil {
			return
		}
		var ae *APIError
		var ue *UnexpectedResponseError
		if !errors.As(err, &ae) && !errors.As(err, &ue) {
			t.Fatalf("untyped error %T: %v", err, err)
		}
		_ = err.Error()
	})
}

func TestResultMissing(t *testing.T) {
	for _, c := range []struct{ obj, want string }{
		{`{"image":{"a":1}}`, ""},
		{`{"x":1}`, "image"},
		{`{"image":null}`, "image"},
		{`{"im\u0061ge":{}}`, ""},
		{`{"images":{},"imag":{}}`, "image"},
	} {
		for _, env := range []string{`{"requestId":"r","result":` + c.obj + `}`, `{"result":` + c.obj + `,"requestId":"r"}`} {
			if got := resultMissing([]byte(env), []string{"image"}); got != c.want {
				t.Errorf("%s: got %q, want %q", env, got, c.want)
			}
		}
	}
	// the last result wins, as in decoding; no result object: nothing to say
	for env, want := range map[string]string{
		`{"result":{"image":{}},"result":{"x":1}}`: "image",
		`{"result":{"x":1},"result":{"image":{}}}`: "",
		`{"requestId":"r"}`:                        "",
		`{"result":[1]}`:                           "",
		`[]`:                                       "",
	} {
		if got := resultMissing([]byte(env), []string{"image"}); got != want {
			t.Errorf("%s: got %q, want %q", env, got, want)
		}
	}
}
