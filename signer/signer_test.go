package signer

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

var vectorTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

const vectorNonce = "41fcf7fe-54e8-4055-be62-db632cd0345c"

func vectorRequest(t testing.TB) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "https://vm.jdcloud-api.com/v1/regions/cn-north-1/images/img-abc12345", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req
}

func TestVector(t *testing.T) {
	req := vectorRequest(t)
	req.Header.Set("User-Agent", "not-signed/1.0")
	s := New(Credentials{AccessKey: "ak", SecretKey: "sk"}, "vm")
	if err := s.SignAt(req, nil, "cn-north-1", vectorTime, vectorNonce); err != nil {
		t.Fatal(err)
	}
	want := "JDCLOUD2-HMAC-SHA256 Credential=ak/20260102/cn-north-1/vm/jdcloud2_request, " +
		"SignedHeaders=content-type;host;x-jdcloud-date;x-jdcloud-nonce, " +
		"Signature=cdd17434a4fcb736d3811a1a7de459e0d91949ca356d9c7b59900726e40e6c23"
	if got := req.Header.Get("Authorization"); got != want {
		t.Fatalf("Authorization:\n got %s\nwant %s", got, want)
	}
	if req.Header.Get(HeaderDate) != "20260102T030405Z" || req.Header.Get(HeaderNonce) != vectorNonce {
		t.Fatalf("date/nonce headers wrong: %v", req.Header)
	}
	// Signing again (a retry of the same request) replaces, never appends.
	if err := s.SignAt(req, nil, "cn-north-1", vectorTime, vectorNonce); err != nil {
		t.Fatal(err)
	}
	if got := req.Header.Values("Authorization"); len(got) != 1 || got[0] != want {
		t.Fatalf("re-sign changed Authorization: %v", got)
	}
}

func signature(t *testing.T, req *http.Request, body []byte, region string) string {
	t.Helper()
	s := New(Credentials{AccessKey: "ak", SecretKey: "sk"}, "vm")
	if err := s.SignAt(req, body, region, vectorTime, vectorNonce); err != nil {
		t.Fatal(err)
	}
	a := req.Header.Get("Authorization")
	return a[strings.LastIndex(a, "Signature=")+len("Signature="):]
}

func TestEverySignedPartChangesTheSignature(t *testing.T) {
	base := signature(t, vectorRequest(t), nil, "cn-north-1")
	mutations := map[string]func(r *http.Request) (body []byte, region string){
		"content-type header": func(r *http.Request) ([]byte, string) {
			r.Header.Set("Content-Type", "text/plain")
			return nil, "cn-north-1"
		},
		"extra header": func(r *http.Request) ([]byte, string) {
			r.Header.Set("Accept", "application/json")
			return nil, "cn-north-1"
		},
		"host":   func(r *http.Request) ([]byte, string) { r.Host = "www.jdcloud-api.com"; return nil, "cn-north-1" },
		"path":   func(r *http.Request) ([]byte, string) { r.URL.Path += "x"; return nil, "cn-north-1" },
		"query":  func(r *http.Request) ([]byte, string) { r.URL.RawQuery = "a=1"; return nil, "cn-north-1" },
		"body":   func(r *http.Request) ([]byte, string) { return []byte("{}"), "cn-north-1" },
		"region": func(r *http.Request) ([]byte, string) { return nil, "cn-east-2" },
		"method": func(r *http.Request) ([]byte, string) { r.Method = http.MethodPost; return nil, "cn-north-1" },
		"token header": func(r *http.Request) ([]byte, string) {
			r.Header.Set(HeaderSecurityToken, "dA==")
			return nil, "cn-north-1"
		},
	}
	for name, mutate := range mutations {
		t.Run(name, func(t *testing.T) {
			req := vectorRequest(t)
			body, region := mutate(req)
			if got := signature(t, req, body, region); got == base {
				t.Fatalf("signature unchanged")
			}
		})
	}
	t.Run("unsigned headers do not matter", func(t *testing.T) {
		req := vectorRequest(t)
		req.Header.Set("User-Agent", "x")
		req.Header.Set("X-Jdcloud-Request-Id", "y")
		if got := signature(t, req, nil, "cn-north-1"); got != base {
			t.Fatalf("signature changed by an unsigned header")
		}
	})
	t.Run("header value white space is canonicalised", func(t *testing.T) {
		req := vectorRequest(t)
		req.Header.Set("Content-Type", "  application/json ")
		if got := signature(t, req, nil, "cn-north-1"); got != base {
			t.Fatalf("signature changed by surrounding white space")
		}
	})
}

func TestSignUsesFreshNonces(t *testing.T) {
	s := New(Credentials{AccessKey: "ak", SecretKey: "sk"}, "vm")
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		req := vectorRequest(t)
		if err := s.Sign(req, nil, "cn-north-1"); err != nil {
			t.Fatal(err)
		}
		n := req.Header.Get(HeaderNonce)
		if len(n) != 36 || n[14] != '4' || !strings.ContainsRune("89ab", rune(n[19])) || strings.ToLower(n) != n {
			t.Fatalf("nonce %q is not a lowercase UUIDv4", n)
		}
		if seen[n] {
			t.Fatalf("nonce %q reused", n)
		}
		seen[n] = true
	}
}

func TestSecurityTokenIsBase64AndSigned(t *testing.T) {
	req := vectorRequest(t)
	s := New(Credentials{AccessKey: "ak", SecretKey: "sk", SecurityToken: "mfa-token"}, "vm")
	if err := s.SignAt(req, nil, "cn-north-1", vectorTime, vectorNonce); err != nil {
		t.Fatal(err)
	}
	if got := req.Header.Get(HeaderSecurityToken); got != "bWZhLXRva2Vu" {
		t.Fatalf("token header = %q", got)
	}
	if !strings.Contains(req.Header.Get("Authorization"), "SignedHeaders=content-type;host;x-jdcloud-date;x-jdcloud-nonce;x-jdcloud-security-token,") {
		t.Fatalf("token not signed: %s", req.Header.Get("Authorization"))
	}
}

func TestSignRefusesBadInput(t *testing.T) {
	cases := map[string]struct {
		c      Credentials
		region string
		want   string
	}{
		"no secret":  {Credentials{AccessKey: "ak"}, "cn-north-1", "secret key is empty"},
		"no key":     {Credentials{SecretKey: "sk"}, "cn-north-1", "access key is empty"},
		"no region":  {Credentials{AccessKey: "ak", SecretKey: "sk"}, "", "region is empty"},
		"space in k": {Credentials{AccessKey: "a k", SecretKey: "sk"}, "cn-north-1", "white space"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := New(c.c, "vm").Sign(vectorRequest(t), nil, c.region)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			if c.c.SecretKey != "" && strings.Contains(err.Error(), c.c.SecretKey) {
				t.Fatal("secret in error")
			}
		})
	}
}

func TestCredentialsRedactWhenPrinted(t *testing.T) {
	c := Credentials{AccessKey: "AKID", SecretKey: "s3cr3t-value", SecurityToken: "t0k3n-value"}
	sg := New(c, "vm")
	for _, s := range []string{c.String(), c.GoString(), sprintf("%v", c), sprintf("%+v", c), sprintf("%#v", c), sprintf("%s", &c),
		sprintf("%v", sg), sprintf("%+v", sg), sprintf("%#v", sg), sprintf("%+v", struct{ S *Signer }{sg})} {
		if strings.Contains(s, "s3cr3t") || strings.Contains(s, "t0k3n") || !strings.Contains(s, "AKID") {
			t.Errorf("printed credentials leak or lose the key: %s", s)
		}
	}
}

// TestVectorWithQuery is V-GO-Q1 of shared/reference/image-read-api.md, computed by
// JD Cloud's Go SDK: the canonical query is signed, whatever order the parameters
// were sent in.
func TestVectorWithQuery(t *testing.T) {
	const want = "21c153391167d908a79f6bd98a56b6a83e42cd956f43715f2d6dd90b1555454b"
	for _, raw := range []string{
		"ids.1=img-b&ids.2=img-a&imageName=Ubuntu%2022.04&imageSource=public&pageNumber=2&pageSize=50",
		"pageSize=50&imageSource=public&ids.2=img-a&imageName=Ubuntu%2022.04&pageNumber=2&ids.1=img-b",
	} {
		req, err := http.NewRequest(http.MethodGet, "https://vm.jdcloud-api.com/v1/regions/cn-north-1/images?"+raw, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if got := signature(t, req, nil, "cn-north-1"); got != want {
			t.Errorf("query %s: signature %s, want %s", raw, got, want)
		}
		if !strings.Contains(req.Header.Get("Authorization"), "SignedHeaders=content-type;host;x-jdcloud-date;x-jdcloud-nonce,") {
			t.Errorf("signed headers: %s", req.Header.Get("Authorization"))
		}
		// Verify canonicalizes the query it receives, so it accepts either order.
		if _, err := Verify(req, nil, lookup, at(vectorTime)); err != nil {
			t.Errorf("query %s: Verify: %v", raw, err)
		}
	}
}
