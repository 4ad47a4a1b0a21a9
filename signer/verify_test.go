package signer

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

var sprintf = fmt.Sprintf

func lookup(ak string) (string, bool) {
	if ak == "ak" {
		return "sk", true
	}
	return "", false
}

func signedVector(t *testing.T) *http.Request {
	t.Helper()
	req := vectorRequest(t)
	if err := New(Credentials{AccessKey: "ak", SecretKey: "sk"}, "vm").SignAt(req, nil, "cn-north-1", vectorTime, vectorNonce); err != nil {
		t.Fatal(err)
	}
	return req
}

func at(t time.Time) VerifyOptions {
	return VerifyOptions{Service: "vm", Now: func() time.Time { return t }}
}

func TestVerifyRoundTrip(t *testing.T) {
	req := signedVector(t)
	v, err := Verify(req, nil, lookup, at(vectorTime.Add(time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	if v.AccessKey != "ak" || v.Region != "cn-north-1" || v.Service != "vm" || v.Nonce != vectorNonce || !v.Date.Equal(vectorTime) {
		t.Fatalf("verified = %+v", v)
	}
}

// TestVerifyOverTheWire signs with the client side and verifies what a real server
// received, so the escaped path and host are those on the wire.
func TestVerifyOverTheWire(t *testing.T) {
	var got error
	var token string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := Verify(r, nil, lookup, VerifyOptions{Service: "vm"})
		got = err
		if v != nil {
			token = v.SecurityToken
		}
	}))
	defer srv.Close()
	for _, path := range []string{"/v1/regions/cn-north-1/images/img-abc", "/v1/regions/cn-north-1/images/img%20x%2Fy%3A"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Content-Type", "application/json")
		s := New(Credentials{AccessKey: "ak", SecretKey: "sk", SecurityToken: "tok"}, "vm")
		if err := s.Sign(req, nil, "cn-north-1"); err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got != nil {
			t.Fatalf("%s: server refused: %v", path, got)
		}
		if token != "tok" {
			t.Fatalf("token = %q", token)
		}
	}
}

func TestVerifyRefusals(t *testing.T) {
	cases := map[string]struct {
		mutate func(r *http.Request) VerifyOptions
		reason Reason
		msg    string
	}{
		"no authorization": {func(r *http.Request) VerifyOptions { r.Header.Del("Authorization"); return at(vectorTime) }, ReasonMissing, "Authorization"},
		"no date":          {func(r *http.Request) VerifyOptions { r.Header.Del(HeaderDate); return at(vectorTime) }, ReasonMissing, "x-jdcloud-date"},
		"no nonce":         {func(r *http.Request) VerifyOptions { r.Header.Del(HeaderNonce); return at(vectorTime) }, ReasonMissing, "x-jdcloud-nonce"},
		"bad date":         {func(r *http.Request) VerifyOptions { r.Header.Set(HeaderDate, "yesterday"); return at(vectorTime) }, ReasonMalformed, "not in the form"},
		"unknown key": {func(r *http.Request) VerifyOptions {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Credential=ak/", "Credential=other/", 1))
			return at(vectorTime)
		}, ReasonUnknownKey, "Invalid accessKey"},
		"skew ahead":  {func(r *http.Request) VerifyOptions { return at(vectorTime.Add(-6 * time.Minute)) }, ReasonSkew, "away from the server clock"},
		"skew behind": {func(r *http.Request) VerifyOptions { return at(vectorTime.Add(6 * time.Minute)) }, ReasonSkew, "away from the server clock"},
		"tampered path": {func(r *http.Request) VerifyOptions {
			r.URL.Path = "/v1/regions/cn-north-1/images/img-other"
			return at(vectorTime)
		}, ReasonMismatch, "sign result is not same"},
		"tampered header": {func(r *http.Request) VerifyOptions {
			r.Header.Set("Content-Type", "text/plain")
			return at(vectorTime)
		}, ReasonMismatch, "sign result is not same"},
		"wrong service": {func(r *http.Request) VerifyOptions { o := at(vectorTime); o.Service = "disk"; return o }, ReasonMalformed, "service"},
		"not jdcloud2":  {func(r *http.Request) VerifyOptions { r.Header.Set("Authorization", "Bearer x"); return at(vectorTime) }, ReasonMalformed, "does not start"},
		"unsigned token": {func(r *http.Request) VerifyOptions {
			r.Header.Set(HeaderSecurityToken, base64.StdEncoding.EncodeToString([]byte("t")))
			return at(vectorTime)
		}, ReasonMalformed, "not signed"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			req := signedVector(t)
			opts := c.mutate(req)
			_, err := Verify(req, nil, lookup, opts)
			var ve *VerifyError
			if !errors.As(err, &ve) || ve.Reason != c.reason || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("got %v, want reason %d with %q", err, c.reason, c.msg)
			}
		})
	}
	t.Run("tampered body", func(t *testing.T) {
		_, err := Verify(signedVector(t), []byte("x"), lookup, at(vectorTime))
		var ve *VerifyError
		if !errors.As(err, &ve) || ve.Reason != ReasonMismatch {
			t.Fatalf("got %v", err)
		}
	})
}

func FuzzSignAndVerify(f *testing.F) {
	f.Add("/v1/regions/cn-north-1/images/img-abc", "a=1", "application/json", "cn-north-1", []byte(nil), "JDCLOUD2-HMAC-SHA256 Credential=ak/x, SignedHeaders=host, Signature=00")
	f.Add("/%zz/..", "", "  a   b ", "r", []byte("body"), "")
	f.Fuzz(func(t *testing.T, path, query, ctype, region string, body []byte, auth string) {
		req := &http.Request{Method: "GET", Host: "h", URL: &urlT{Path: path, RawQuery: query}, Header: http.Header{"Content-Type": {ctype}}}
		s := New(Credentials{AccessKey: "ak", SecretKey: "sk"}, "vm")
		if err := s.SignAt(req, body, region, vectorTime, vectorNonce); err != nil {
			if checkRegion(region) == nil {
				t.Fatalf("sign failed: %v", err)
			}
			return
		}
		if _, err := Verify(req, body, lookup, at(vectorTime)); err != nil {
			t.Fatalf("own signature refused: %v", err)
		}
		req.Header.Set("Authorization", auth)
		_, _ = Verify(req, body, lookup, at(vectorTime)) // must not panic
	})
}

type urlT = url.URL
