package signer

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzVerify throws requests at Verify with both algorithms: a request our Signer
// signed (JDCLOUD2 or JDCLOUD3, any path, query and body) must verify, and must stop
// verifying once its body changes; Verify never panics on whatever Authorization,
// date, nonce or content hash arrives, and what it accepts names the algorithm the
// Authorization opens with. The seed corpus (the reference vectors' shapes) runs in
// every go test.
func FuzzVerify(f *testing.F) {
	v1, v2 := v3Vectors[0], v3Vectors[1]
	f.Add(true, "GET", v1.target, "", []byte(nil), "", "20260102T030405Z", v1.nonce, emptySHA256)
	f.Add(true, "POST", "/v1/regions/cn-north-1/images/img-x%3Ashare", "", []byte(v2.body), "", "20260102T030405Z", v2.nonce, "")
	f.Add(false, "POST", "/v1/regions/cn-north-1/images/img-x:share", "b=2&a=1&=x", []byte("{}"), "", "20260102T030405Z", vectorNonce, "")
	f.Add(false, "GET", "//v1/%zz/a*b", "ids.1=a+b", []byte(nil), "JDCLOUD2-HMAC-SHA256 Credential=ak/20260102/cn-north-1/vm/jdcloud2_request, SignedHeaders=host;x-jdcloud-date;x-jdcloud-nonce, Signature=00", "20260102T030405Z", "n", "")
	f.Add(true, "GET", "/", "", []byte(nil), "JDCLOUD3-HMAC-SHA256 Credential=FAKEACCESSKEY0001/20260102/cn-north-1/vm/jdcloud3_request, SignedHeaders=content-type;host, Signature="+v1.signature, "20260102T030405Z", v1.nonce, emptySHA256)
	f.Fuzz(func(t *testing.T, jdcloud3 bool, method, rawPath, rawQuery string, body []byte, auth, date, nonce, contentHash string) {
		alg := JDCLOUD2
		if jdcloud3 {
			alg = JDCLOUD3
		}
		path, err := url.PathUnescape(rawPath)
		if err != nil {
			path = rawPath
		}
		newReq := func() *http.Request {
			return &http.Request{Method: method, Host: "127.0.0.1:8080", URL: &url.URL{Path: path, RawPath: rawPath, RawQuery: rawQuery},
				Header: http.Header{"Content-Type": {"application/json"}}}
		}
		lookups := func(ak string) (string, bool) {
			if ak == v3AK {
				return v3Secret, true
			}
			return lookup(ak)
		}

		// Whatever arrives: no panic, and an acceptance names the right algorithm.
		req := newReq()
		for k, v := range map[string]string{HeaderAuthorization: auth, HeaderDate: date, HeaderNonce: nonce, HeaderContentSHA256: contentHash} {
			if v != "" {
				req.Header.Set(k, v)
			}
		}
		if got, err := Verify(req, body, lookups, at(vectorTime)); err == nil {
			if a, ok := AlgorithmOf(auth); !ok || got.Algorithm != a {
				t.Fatalf("accepted %q as %s", auth, got.Algorithm)
			}
		} else if ve := (*VerifyError)(nil); !errors.As(err, &ve) || strings.Contains(err.Error(), v3Secret) {
			t.Fatalf("refusal %v is not a clean VerifyError", err)
		}

		// Our own signature, either algorithm, verifies; a changed body does not.
		if method == "" || strings.ContainsAny(method, " \t\r\n") || strings.Contains(nonce, "\n") {
			return
		}
		req = newReq()
		s := New(Credentials{AccessKey: v3AK, SecretKey: v3Secret}, "vm", WithAlgorithm(alg))
		n := nonce
		if n == "" {
			n = vectorNonce
		}
		if err := s.SignAt(req, body, "cn-north-1", vectorTime, n); err != nil {
			t.Fatalf("sign: %v", err)
		}
		got, err := Verify(req, body, lookups, at(vectorTime))
		if err != nil {
			t.Fatalf("own %s signature refused: %v", alg, err)
		}
		if got.Algorithm != alg {
			t.Fatalf("verified as %s, signed %s", got.Algorithm, alg)
		}
		if _, err := Verify(req, append([]byte("x"), body...), lookups, at(vectorTime)); err == nil {
			t.Fatal("a changed body verified")
		}
	})
}
