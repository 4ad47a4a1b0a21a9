package signer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The two JDCLOUD3 vectors of shared/reference/jdcloud3.md: access key
// FAKEACCESSKEY0001, secret fake-secret-key-not-a-secret, region cn-north-1, service
// vm, host 127.0.0.1:8080, date 20260102T030405Z.
const (
	v3AK     = "FAKEACCESSKEY0001"
	v3Secret = "fake-secret-key-not-a-secret"
)

func v3Lookup(ak string) (string, bool) { return v3Secret, ak == v3AK }

// v3Vector is one reference vector: the request as it travels, what is signed, and
// what the reference says the signer computes.
type v3Vector struct {
	name, method, target, nonce, body string
	signed                            []string
	canonical                         string // the canonical request, verbatim
	stringToSignEnd                   string // hex SHA-256 of the canonical request
	signature                         string
}

var v3Vectors = []v3Vector{
	{
		name: "1: as the Python SDK sends it", method: "GET", target: "/v1/regions/cn-north-1/images/img-centos82pub",
		nonce: "5f0c6f38-2b53-4a7e-9d3c-1a2b3c4d5e01", signed: []string{"content-type", "host"},
		canonical: "GET\n/v1/regions/cn-north-1/images/img-centos82pub\n\ncontent-type:application/json\nhost:127.0.0.1:8080\n\n" +
			"content-type;host\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		stringToSignEnd: "afda4936233bc222b43529f99ded2c7d0879186597003d3b7f393481b7384fbb",
		signature:       "ea24a092da06c0eed64711409b91ff3c95184fa24dd3457883ea748c3244127f",
	},
	{
		name: "2: date and nonce signed, a body, a raw colon", method: "POST", target: "/v1/regions/cn-north-1/images/img-x:share",
		nonce: "5f0c6f38-2b53-4a7e-9d3c-1a2b3c4d5e03", body: `{"pins":["p1"]}`,
		signed: []string{"content-type", "host", "x-jdcloud-date", "x-jdcloud-nonce"},
		canonical: "POST\n/v1/regions/cn-north-1/images/img-x%3Ashare\n\ncontent-type:application/json\nhost:127.0.0.1:8080\n" +
			"x-jdcloud-date:20260102T030405Z\nx-jdcloud-nonce:5f0c6f38-2b53-4a7e-9d3c-1a2b3c4d5e03\n\n" +
			"content-type;host;x-jdcloud-date;x-jdcloud-nonce\n9fb7118e7a4dc6fc8a1b8989c81b896f2ffd28bcd44e02938e56b076bc4de016",
		stringToSignEnd: "e7fbba73affe448f85aab326bd0cc76e8f47b8776b412c2c7f629675caf8f96b",
		signature:       "1043450e102f37e4b925d91ef1d3c5f27eb3914c2d76ac0dffb5d4e0dd1c40a0",
	},
}

// request builds the vector's request as a server receives it (the path as on the
// wire, ':' raw), with every header the Python SDK sends, signed or not.
func (v v3Vector) request() *http.Request {
	req := httptest.NewRequest(v.method, "http://127.0.0.1:8080"+v.target, strings.NewReader(v.body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "JdcloudSdkPython/1.6.338")
	req.Header.Set(string(JDCLOUD3), string(JDCLOUD3))
	req.Header.Set(HeaderDate, "20260102T030405Z")
	req.Header.Set(HeaderNonce, v.nonce)
	req.Header.Set(HeaderContentSHA256, bodyHash([]byte(v.body)))
	return req
}

// signVector signs req as the vector says (only the vector's headers) with the
// signer's own canonicalization and key chain, and sets Authorization.
func (v v3Vector) sign(t *testing.T, req *http.Request) (canonical []byte) {
	t.Helper()
	key := newSigningKey(JDCLOUD3, v3Secret, "20260102", "cn-north-1", "vm")
	names := namedHeaders(req.Header, v.signed)
	canonical = appendCanonical(nil, req.Method, canonicalPath(req), canonicalQuery(req.URL.RawQuery), hostOf(req), req.Header, names, bodyHash([]byte(v.body)))
	sig := key.sign(req.Method, canonicalPath(req), canonicalQuery(req.URL.RawQuery), hostOf(req), req.Header, names, bodyHash([]byte(v.body)), "20260102T030405Z")
	req.Header.Set(HeaderAuthorization, string(JDCLOUD3)+" Credential="+v3AK+"/20260102/cn-north-1/vm/jdcloud3_request, SignedHeaders="+
		strings.Join(v.signed, ";")+", Signature="+string(sig[:]))
	return canonical
}

func TestJDCLOUD3Vectors(t *testing.T) {
	for _, v := range v3Vectors {
		t.Run(v.name, func(t *testing.T) {
			req := v.request()
			canonical := v.sign(t, req)
			if string(canonical) != v.canonical {
				t.Fatalf("canonical request:\n%s\nwant\n%s", canonical, v.canonical)
			}
			if sum := sha256.Sum256(canonical); hex.EncodeToString(sum[:]) != v.stringToSignEnd {
				t.Errorf("string to sign ends in %x, want %s", sum, v.stringToSignEnd)
			}
			if got := req.Header.Get(HeaderAuthorization); !strings.HasSuffix(got, "Signature="+v.signature) {
				t.Fatalf("Authorization %s, want Signature=%s", got, v.signature)
			}
			got, err := Verify(req, []byte(v.body), v3Lookup, at(vectorTime))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got.Algorithm != JDCLOUD3 || got.AccessKey != v3AK || got.Nonce != v.nonce || got.Region != "cn-north-1" {
				t.Errorf("verified %+v", got)
			}
			// The same request with ':' sent as %3A is the same canonical request.
			if strings.Contains(v.target, ":") {
				enc := v.request()
				enc.URL.RawPath = strings.ReplaceAll(v.target, ":", "%3A")
				enc.Header.Set(HeaderAuthorization, req.Header.Get(HeaderAuthorization))
				if _, err := Verify(enc, []byte(v.body), v3Lookup, at(vectorTime)); err != nil {
					t.Errorf("with %%3A on the wire: %v", err)
				}
			}
		})
	}
}

// Verify accepts the Python SDK's shape (date, nonce and content hash unsigned) but
// checks them all the same, each refusal with its own reason.
func TestJDCLOUD3UnsignedHeadersAreStillChecked(t *testing.T) {
	v := v3Vectors[0]
	post := v3Vectors[1]
	cases := []struct {
		name   string
		vec    v3Vector
		mutate func(r *http.Request) (body string, now time.Time)
		reason Reason
		msg    string
	}{
		{"body changed", post, func(r *http.Request) (string, time.Time) { return `{"pins":["p2"]}`, vectorTime }, ReasonMismatch, "sign result is not same"},
		{"content hash changed", v, func(r *http.Request) (string, time.Time) {
			r.Header.Set(HeaderContentSHA256, strings.Repeat("0", 64))
			return v.body, vectorTime
		}, ReasonContentHash, "x-jdcloud-content-sha256 is not the SHA-256 of the body"},
		{"content hash and body changed together", v, func(r *http.Request) (string, time.Time) {
			r.Header.Set(HeaderContentSHA256, bodyHash([]byte("x")))
			return "x", vectorTime
		}, ReasonMismatch, "sign result is not same"},
		{"date 6 minutes behind", v, func(r *http.Request) (string, time.Time) { return v.body, vectorTime.Add(6 * time.Minute) }, ReasonSkew, "away from the server clock"},
		{"date 6 minutes ahead", v, func(r *http.Request) (string, time.Time) { return v.body, vectorTime.Add(-6 * time.Minute) }, ReasonSkew, "away from the server clock"},
		{"date changed (unsigned, but in the string to sign)", v, func(r *http.Request) (string, time.Time) {
			r.Header.Set(HeaderDate, "20260102T030406Z")
			return v.body, vectorTime
		}, ReasonMismatch, "sign result is not same"},
		{"no nonce", v, func(r *http.Request) (string, time.Time) { r.Header.Del(HeaderNonce); return v.body, vectorTime }, ReasonMissing, "x-jdcloud-nonce"},
		{"host unsigned", v, func(r *http.Request) (string, time.Time) {
			r.Header.Set(HeaderAuthorization, strings.Replace(r.Header.Get(HeaderAuthorization), "content-type;host", "content-type", 1))
			return v.body, vectorTime
		}, ReasonMalformed, "do not include host"},
		{"JDCLOUD3 with a jdcloud2 scope", v, func(r *http.Request) (string, time.Time) {
			r.Header.Set(HeaderAuthorization, strings.Replace(r.Header.Get(HeaderAuthorization), "jdcloud3_request", "jdcloud2_request", 1))
			return v.body, vectorTime
		}, ReasonMalformed, "jdcloud3_request"},
		{"signed as JDCLOUD3, sent as JDCLOUD2", v, func(r *http.Request) (string, time.Time) {
			a := strings.Replace(r.Header.Get(HeaderAuthorization), "jdcloud3_request", "jdcloud2_request", 1)
			r.Header.Set(HeaderAuthorization, strings.Replace(a, string(JDCLOUD3), string(JDCLOUD2), 1))
			return v.body, vectorTime
		}, ReasonMalformed, "signed headers do not include x-jdcloud-date"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := c.vec.request()
			c.vec.sign(t, req)
			body, now := c.mutate(req)
			_, err := Verify(req, []byte(body), v3Lookup, at(now))
			var ve *VerifyError
			if !errors.As(err, &ve) || ve.Reason != c.reason || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("got %v, want reason %d with %q", err, c.reason, c.msg)
			}
		})
	}
}

// The public Signer signs JDCLOUD3 with every header (date, nonce and the content
// hash signed) and its own Verify accepts it, over the wire, with ':' in the path.
func TestSignerJDCLOUD3OverTheWire(t *testing.T) {
	var got *Verified
	var verr error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := make([]byte, r.ContentLength)
		_, _ = r.Body.Read(body)
		got, verr = Verify(r, body, v3Lookup, VerifyOptions{Service: "vm"})
	}))
	defer srv.Close()
	s := New(Credentials{AccessKey: v3AK, SecretKey: v3Secret}, "vm", WithAlgorithm(JDCLOUD3))
	if s.Algorithm() != JDCLOUD3 {
		t.Fatalf("Algorithm() = %s", s.Algorithm())
	}
	body := []byte(`{"pins":["p1"]}`)
	for _, path := range []string{"/v1/regions/cn-north-1/images/img-x:share", "/v1/regions/cn-north-1/images/img-x%3Ashare"} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		if err := s.Sign(req, body, "cn-north-1"); err != nil {
			t.Fatal(err)
		}
		a := req.Header.Get(HeaderAuthorization)
		if !strings.HasPrefix(a, string(JDCLOUD3)+" Credential="+v3AK+"/") || !strings.Contains(a, "/cn-north-1/vm/jdcloud3_request, ") ||
			!strings.Contains(a, "SignedHeaders=content-type;host;x-jdcloud-content-sha256;x-jdcloud-date;x-jdcloud-nonce,") {
			t.Fatalf("Authorization %s", a)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if verr != nil || got.Algorithm != JDCLOUD3 {
			t.Fatalf("%s: %v %+v", path, verr, got)
		}
	}
}

// A JDCLOUD2 request with ':' sent raw (as JD Cloud's Python SDK 1.6.94 did) and one
// with %3A (as the Go SDK) verify alike: the canonical path is %3A either way.
func TestJDCLOUD2ColonRawOrEscaped(t *testing.T) {
	s := New(Credentials{AccessKey: "ak", SecretKey: "sk"}, "vm")
	var sigs []string
	for _, target := range []string{"/v1/regions/cn-north-1/images/img-x:share", "/v1/regions/cn-north-1/images/img-x%3Ashare", "/v1//regions/cn-north-1/images/img-x%3ashare"} {
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080"+target, nil)
		if got := canonicalPath(req); got != "/v1/regions/cn-north-1/images/img-x%3Ashare" {
			t.Errorf("%s: canonical path %s", target, got)
		}
		req.Header.Set("Content-Type", "application/json")
		if err := s.SignAt(req, nil, "cn-north-1", vectorTime, vectorNonce); err != nil {
			t.Fatal(err)
		}
		if _, err := Verify(req, nil, lookup, at(vectorTime)); err != nil {
			t.Errorf("%s: %v", target, err)
		}
		a := req.Header.Get(HeaderAuthorization)
		sigs = append(sigs, a[strings.LastIndex(a, "=")+1:])
	}
	if sigs[0] != sigs[1] || sigs[1] != sigs[2] {
		t.Errorf("signatures differ by the path's form on the wire: %v", sigs)
	}
}

func TestCanonicalPathAndQuery(t *testing.T) {
	for raw, want := range map[string]string{
		"/v1/regions/cn-north-1/images":      "/v1/regions/cn-north-1/images",
		"/v1/a*b/(c)/!d/e'":                  "/v1/a%2Ab/%28c%29/%21d/e%27",
		"/v1/a%2a%2F%2fb":                    "/v1/a%2A/b",
		"//v1///x//":                         "/v1/x/",
		"/v1/%zz/%4":                         "/v1/%25zz/%254",
		"/v1/caf%C3%A9 x~y._-z":              "/v1/caf%C3%A9%20x~y._-z",
		"":                                   "/",
		"v1/x":                               "/v1/x",
		"/v1/regions/cn-north-1/images/a:b@": "/v1/regions/cn-north-1/images/a%3Ab%40",
		"/v1/images/img-1%3Ashare":           "/v1/images/img-1%3Ashare",
		"/v1/images/img-1%3ashare":           "/v1/images/img-1%3Ashare",
		"/v1/a%41%2F%2f%3A":                  "/v1/aA/%3A",
		"/v1/a%3A/":                          "/v1/a%3A/",
	} {
		if got := canonicalizePath(raw); got != want {
			t.Errorf("canonicalPath(%q) = %q, want %q", raw, got, want)
		}
	}
	for raw, want := range map[string]string{
		"":                   "",
		"b=2&a=1":            "a=1&b=2",
		"=x&a=1&=&b":         "a=1&b=",
		"a=1&=x":             "a=1",
		"n=a+b&m=%2a":        "m=%2A&n=a%20b",
		"%3D=x&a=%3d":        "%3D=x&a=%3D",
		"ids.2=b&ids.1=a&&&": "ids.1=a&ids.2=b",
	} {
		if got := canonicalQuery(raw); got != want {
			t.Errorf("canonicalQuery(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestAlgorithm(t *testing.T) {
	if DefaultAlgorithm() != JDCLOUD2 {
		t.Errorf("default %s", DefaultAlgorithm())
	}
	for _, a := range Algorithms() {
		if a.Validate() != nil {
			t.Errorf("%s refused", a)
		}
		if got, ok := AlgorithmOf(string(a) + " Credential=x"); !ok || got != a {
			t.Errorf("AlgorithmOf(%s ...) = %s, %v", a, got, ok)
		}
	}
	for _, h := range []string{"", "JDCLOUD2-HMAC-SHA256", "JDCLOUD2-HMAC-SHA256x y", "jdcloud3-hmac-sha256 x", "Bearer x"} {
		if a, ok := AlgorithmOf(h); ok {
			t.Errorf("AlgorithmOf(%q) = %s", h, a)
		}
	}
	err := New(Credentials{AccessKey: "ak", SecretKey: "sk"}, "vm", WithAlgorithm("JDCLOUD4-HMAC-SHA256")).Sign(vectorRequest(t), nil, "cn-north-1")
	if err == nil || !strings.Contains(err.Error(), `unknown signature algorithm "JDCLOUD4-HMAC-SHA256"`) {
		t.Errorf("unknown algorithm: %v", err)
	}
	if err := New(Credentials{AccessKey: "ak", SecretKey: "sk"}, "vm", nil).Sign(vectorRequest(t), nil, "cn-north-1"); err == nil {
		t.Error("a nil Option was accepted")
	}
}

// FuzzCanonicalPath holds the fast path to the slow one: a path taken as already
// canonical is exactly what rebuilding it writes.
func FuzzCanonicalPath(f *testing.F) {
	for _, p := range []string{"/v1/images/img-1%3Ashare", "/v1/a%3A%2F", "/v1/a%41", "/a//b", "/%3", "/%C3%A9", "/a%3a"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if p == "" || !isCanonicalPath(p) {
			return
		}
		if got := rebuildPath(p); got != p {
			t.Errorf("isCanonicalPath(%q) but it is written %q", p, got)
		}
	})
}
