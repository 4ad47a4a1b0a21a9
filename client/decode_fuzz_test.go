package client

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

// FuzzInterpret feeds garbage to the response decoder: it must never panic, and must
// return either an image or one of the typed errors.
func FuzzInterpret(f *testing.F) {
	f.Add(200, "application/json", []byte(`{"requestId":"r","result":{"image":{"imageId":"img-a"}}}`), "")
	f.Add(404, "application/json", []byte(`{"requestId":"r","error":{"code":404,"status":"NOT_FOUND","message":"m","details":[1,{}]}}`), "5")
	f.Add(502, "text/html", []byte("<html>"), "Wed, 21 Oct 2015 07:28:00 GMT")
	f.Add(200, "application/json; charset=utf-8", []byte(`{"result":{"image":null}}`), "")
	f.Add(301, "", []byte{0xff, 0x00}, "-1")
	f.Fuzz(func(t *testing.T, status int, ct string, body []byte, retryAfter string) {
		resp := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {ct}, "Retry-After": {retryAfter}, "Location": {string(body)}}}
		img, _, err := interpret(Operation{Name: "describe image", Region: "r", ImageID: "i"}, resp, body, time.Unix(0, 0))
		if err == nil {
			if img == nil {
				t.Fatal("nil image without error")
			}
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
