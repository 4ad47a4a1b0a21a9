package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/signer"
)

// A caller's http.Client with a cookie jar: the jar adds its cookie to what is sent,
// and a retried attempt must still sign exactly what it sends.
func TestCookieJarDoesNotBreakRetriedSignatures(t *testing.T) {
	setCookie := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			http.SetCookie(w, &http.Cookie{Name: "lb", Value: "node-7", Path: "/"})
			h(w, r)
		}
	}
	s := newServer(t, setCookie(apiErr(503, "UNAVAILABLE", "busy")), setCookie(apiErr(503, "UNAVAILABLE", "busy")), ok())
	jar, _ := cookiejar.New(nil)
	tc := newClient(t, s, client.WithHTTPClient(&http.Client{Transport: s.Client().Transport, Jar: jar}))
	if _, err := call(operations[0], tc); err != nil {
		t.Fatal(err)
	}
	reqs := wantRequests(t, s, 3) // fails on any refused signature
	if got := reqs[2].Header.Values("Cookie"); len(got) != 1 || got[0] != "lb=node-7" {
		t.Errorf("the third attempt carried Cookie %q, want the jar's one cookie", got)
	}
}

// Go's transport re-sends an idempotent request by itself when a reused keep-alive
// connection dies after the request was written. That replay would carry the same
// nonce; the pipeline must retry instead, with a new one.
func TestNoNonceIsSentTwice(t *testing.T) {
	hangUp := func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close() // the request was read; no answer, the connection dies
		}
	}
	s := newServer(t, ok(), hangUp, ok())
	tc := newClient(t, s)
	for i := 0; i < 2; i++ { // the second call reuses the first one's connection
		if _, err := call(operations[0], tc); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	reqs := wantRequests(t, s, 3)
	seen := map[string]bool{}
	for _, r := range reqs {
		if seen[r.Nonce] {
			t.Fatalf("nonce %s reached the server twice", r.Nonce)
		}
		seen[r.Nonce] = true
	}
}

func TestRetryAfterTooLargeToParseIsTheCap(t *testing.T) {
	s := newServer(t, tooMany("99999999999999999999"), ok())
	tc := newClient(t, s)
	if _, err := call(operations[0], tc); err != nil {
		t.Fatal(err)
	}
	if got := tc.clock.Sleeps(); len(got) != 1 || got[0] != client.DefaultRetryPolicy().MaxRetryAfter {
		t.Errorf("sleeps = %v, want [%s]", got, client.DefaultRetryPolicy().MaxRetryAfter)
	}
}

func TestErrorCodeAsANumericString(t *testing.T) {
	s := newServer(t, respond(404, `{"requestId":"r","error":{"code":"404","status":"NOT_FOUND","message":"Image 'img-abc12345' not found"}}`))
	_, err := call(operations[0], newClient(t, s))
	var ae *client.APIError
	if !errors.Is(err, client.ErrNotFound) || !errors.As(err, &ae) || ae.Code != 404 {
		t.Fatalf("got %v", err)
	}
}

func TestRegionsTheSignerRefusesAreInvalidParameters(t *testing.T) {
	s := newServer(t, ok())
	tc := newClient(t, s)
	for _, region := range []string{"cn-north-1:x", "cn+north", "华北-1", "cn-north-1!"} {
		_, _, err := tc.DescribeImage(context.Background(), region, "img-abc12345")
		var ip *client.InvalidParameterError
		if !errors.As(err, &ip) || ip.Param != "regionId" {
			t.Errorf("region %q: got %T %v, want *InvalidParameterError for regionId", region, err, err)
		}
		_, _, err = tc.DescribeImageMembers(context.Background(), region, "img-abc12345")
		if !errors.As(err, &ip) || ip.Param != "regionId" {
			t.Errorf("members in %q: got %v", region, err)
		}
	}
	wantRequests(t, s, 0)
}

func TestPlainHTTPAllowanceIgnoresCase(t *testing.T) {
	for _, endpoint := range []string{"http://LOCALHOST:8080", "http://Localhost.:8080", "http://VM.Internal.CN-North-1.JDCloud-API.com"} {
		if _, err := client.New(client.WithEndpoint(endpoint), client.WithCredentials(signer.Credentials{AccessKey: testAK, SecretKey: testSK})); err != nil {
			t.Errorf("%s: %v", endpoint, err)
		}
	}
	if _, err := client.New(client.WithEndpoint("http://EXAMPLE.com"), client.WithCredentials(signer.Credentials{AccessKey: testAK, SecretKey: testSK})); err == nil {
		t.Error("plain http to another host was allowed")
	}
}

// A proxy that echoes the request into its error page must not put our signature or
// token into the error.
func TestEchoedCredentialsAreRedactedFromErrors(t *testing.T) {
	echo := func(status int, ctype string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			w.WriteHeader(status)
			var b strings.Builder
			auth := r.Header.Get("Authorization")
			b.WriteString("<html>bad gateway; you sent: " + auth[strings.LastIndex(auth, " ")+1:] + " and " + r.Header.Get(signer.HeaderSecurityToken) + " ")
			r.Header.Write(&b)
			if ctype == "application/json" {
				b.Reset()
				b.WriteString(`{"requestId":"r","error":{"code":400,"status":"INVALID_ARGUMENT","message":"bad header ` + auth[strings.LastIndex(auth, "=")+1:] + " token " + r.Header.Get(signer.HeaderSecurityToken) + `"}}`)
			}
			w.Write([]byte(b.String()))
		}
	}
	for _, h := range []http.HandlerFunc{echo(502, "text/html"), echo(400, "application/json")} {
		s := newServer(t, h)
		tc := newClient(t, s, client.WithCredentials(signer.Credentials{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken}),
			client.WithRetryPolicy(client.NoRetries()))
		_, err := call(operations[0], tc)
		if err == nil {
			t.Fatal("no error")
		}
		reqs := wantRequests(t, s, 1)
		auth := reqs[0].Header.Get("Authorization")
		sig := auth[strings.LastIndex(auth, "=")+1:]
		for _, secret := range []string{sig, reqs[0].Header.Get(signer.HeaderSecurityToken), testToken, testSK} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error carries %q: %v", secret, err)
			}
		}
		if !strings.Contains(err.Error(), "[REDACTED]") {
			t.Errorf("nothing redacted: %v", err)
		}
	}
}
