package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/signer"
)

func TestInvalidIDsAreRefusedBeforeSending(t *testing.T) {
	s := newServer(t, ok())
	tc := newClient(t, s)
	cases := []struct{ region, image, param, reason string }{
		{"", "img-a", "regionId", "is empty"},
		{"cn-north-1", "", "imageId", "is empty"},
		{strings.Repeat("a", 65), "img-a", "regionId", "longer than 64"},
		{"cn-north-1", "img-" + strings.Repeat("a", 125), "imageId", "longer than 128"},
		{"cn north", "img-a", "regionId", "white space"},
		{"cn-north-1", "img-a\u00a0", "imageId", "white space"},
		{"cn-north-1", "img-\x01", "imageId", "control character"},
		{"cn-north-1", "img-a/b", "imageId", "'/'"},
		{"cn-north-1", "img-a?x=1", "imageId", "'?'"},
		{"cn-north-1", "img-a#f", "imageId", "'#'"},
		{"cn-north-1", "img-%2e", "imageId", "'%'"},
		{"cn-north-1", "..", "imageId", `".."`},
		{"..", "img-a", "regionId", `".."`},
		{"cn-north-1", "img-\xff", "imageId", "UTF-8"},
	}
	for _, c := range cases {
		_, _, err := tc.DescribeImage(context.Background(), c.region, c.image)
		var ip *client.InvalidParameterError
		if !errors.As(err, &ip) || ip.Param != c.param || !strings.Contains(err.Error(), c.reason) || !strings.Contains(err.Error(), "invalid "+c.param) {
			t.Errorf("(%q, %q): got %v, want %s %s", c.region, c.image, err, c.param, c.reason)
		}
	}
	wantRequests(t, s, 0)
}

// TestOddIDsAreRefusedByTheSpecsPattern: ids that could travel escaped but that the
// spec's imageId pattern does not allow are refused before sending.
func TestOddIDsAreRefusedByTheSpecsPattern(t *testing.T) {
	s := newServer(t, apiErr(404, "NOT_FOUND", "nope"))
	tc := newClient(t, s)
	for _, id := range []string{"img-a:b@c", "img-ü+=&;", "img-(x)*!'$,", "IMG-A"} {
		_, _, err := tc.DescribeImage(context.Background(), "cn-north-1", id)
		var ip *client.InvalidParameterError
		if !errors.As(err, &ip) || ip.Param != "imageId" || !strings.Contains(ip.Reason, "does not match ^img-[a-z0-9]+$") {
			t.Errorf("%q: got %v", id, err)
		}
	}
	wantRequests(t, s, 0)
}

func TestRequestHeaders(t *testing.T) {
	s := newServer(t, ok())
	tc := newClient(t, s, client.WithUserAgentSuffix("my-tool/1.2"))
	if _, err := call(operations[0], tc); err != nil {
		t.Fatal(err)
	}
	h := wantRequests(t, s, 1)[0].Header
	if h.Get("Content-Type") != "application/json" || !strings.HasPrefix(h.Get("User-Agent"), "vmimage-go/") || !strings.HasSuffix(h.Get("User-Agent"), " my-tool/1.2") {
		t.Errorf("headers: %v", h)
	}
	if a := h.Get("Authorization"); !strings.Contains(a, "Credential="+testAK+"/") || !strings.Contains(a, "SignedHeaders=content-type;host;x-jdcloud-date;x-jdcloud-nonce,") {
		t.Errorf("Authorization: %s", a)
	}
}

func TestOptionsValidate(t *testing.T) {
	creds := client.WithCredentials(signer.Credentials{AccessKey: testAK, SecretKey: testSK})
	cases := map[string]struct {
		opt  client.Option
		want string
	}{
		"half credentials":   {client.WithCredentials(signer.Credentials{AccessKey: "ak"}), "secret key is empty"},
		"endpoint scheme":    {client.WithEndpoint("ftp://x"), "scheme must be https or http"},
		"endpoint no host":   {client.WithEndpoint("https://"), "no host"},
		"endpoint userinfo":  {client.WithEndpoint("https://u:p@vm.jdcloud-api.com"), "user information"},
		"endpoint query":     {client.WithEndpoint("https://vm.jdcloud-api.com?a=1"), "query"},
		"endpoint path":      {client.WithEndpoint("https://vm.jdcloud-api.com/v2"), "path must be empty or /v1"},
		"plain http remote":  {client.WithEndpoint("http://vm.jdcloud-api.com"), "plain http is only allowed"},
		"nil http client":    {client.WithHTTPClient(nil), "nil *http.Client"},
		"zero timeout":       {client.WithAttemptTimeout(0), "not positive"},
		"zero attempts":      {client.WithRetryPolicy(client.RetryPolicy{}), "MaxAttempts 0"},
		"max below base":     {client.WithRetryPolicy(client.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Second, MaxDelay: time.Millisecond}), "below BaseDelay"},
		"zero max body":      {client.WithMaxResponseBytes(0), "not positive"},
		"nil logger":         {client.WithLogger(nil), "nil *slog.Logger"},
		"bad ua":             {client.WithUserAgentSuffix("a\nb"), "printable ASCII"},
		"negative rate":      {client.WithRateLimit(-1, 1), "perSecond >= 0"},
		"zero burst":         {client.WithRateLimit(5, 0), "burst >= 1"},
		"nil clock":          {client.WithClock(nil), "nil Clock"},
		"nil random":         {client.WithRandom(nil), "nil function"},
		"empty profile name": {client.WithProfile(" "), "invalid profile name"},
		"nil option":         {nil, "nil Option"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := client.New(creds, c.opt)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
	for _, ep := range []string{"http://127.0.0.1:8080", "http://localhost", "http://[::1]:1", "http://vm.internal.cn-north-1.jdcloud-api.com", "https://vm.jdcloud-api.com/v1/"} {
		if _, err := client.New(creds, client.WithEndpoint(ep)); err != nil {
			t.Errorf("%s refused: %v", ep, err)
		}
	}
	if _, err := client.New(creds, client.WithEndpoint("http://example.com"), client.WithInsecureHTTP()); err != nil {
		t.Errorf("insecure override refused: %v", err)
	}
}

func TestNoCredentialsAnywhere(t *testing.T) {
	t.Setenv("JDCLOUD_ACCESS_KEY", "")
	t.Setenv("JDCLOUD_SECRET_KEY", "")
	t.Setenv("HOME", t.TempDir())
	_, err := client.New()
	if err == nil || !strings.Contains(err.Error(), "credentials: none found; looked at:") {
		t.Fatalf("got %v", err)
	}
	t.Setenv("JDCLOUD_ACCESS_KEY", "AKENV")
	t.Setenv("JDCLOUD_SECRET_KEY", "secret-from-env")
	c, err := client.New()
	if err != nil || c.CredentialSource() != "environment" {
		t.Fatalf("env credentials: %v", err)
	}
}

// TestSecretsNeverLogged runs successes and failures with debug logging on and checks
// that no secret, token or signature reaches the log or any error.
func TestSecretsNeverLogged(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := newServer(t, apiErr(503, "UNAVAILABLE", "busy"), ok(), apiErr(404, "NOT_FOUND", "nope"), html(502))
	tc := newClient(t, s, client.WithLogger(logger), client.WithCredentials(signer.Credentials{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken}))
	var errs []string
	for i := 0; i < 3; i++ {
		if _, err := call(operations[0], tc); err != nil {
			errs = append(errs, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
		}
	}
	_, badErr := client.New(client.WithCredentials(signer.Credentials{AccessKey: testAK}))
	errs = append(errs, badErr.Error())
	reqs := s.requests()
	var sigs []string
	for _, r := range reqs {
		a := r.Header.Get("Authorization")
		sigs = append(sigs, a[strings.LastIndex(a, "Signature=")+10:])
	}
	all := logs.String() + strings.Join(errs, "\n")
	for _, secret := range append([]string{testSK, testToken, "TUZBLXNlY3JldC10b2tlbi0wMDAx"}, sigs...) {
		if strings.Contains(all, secret) {
			t.Errorf("secret %q leaked:\n%s", secret, all)
		}
	}
	// One record per attempt, with the documented fields.
	if n := strings.Count(logs.String(), `"msg":"vmimage: attempt","operation":"DescribeImage"`); n != len(reqs) {
		t.Errorf("%d log records for %d attempts:\n%s", n, len(reqs), logs.String())
	}
	for _, field := range []string{`"method":"GET"`, `"path":"/v1/regions/cn-north-1/images/img-abc12345"`, `"status":503`, `"attempt":2`, `"latency":`, `"request_id":"rq-ok"`} {
		if !strings.Contains(logs.String(), field) {
			t.Errorf("log lacks %s", field)
		}
	}
}

func TestRateLimitSpacesAttempts(t *testing.T) {
	s := newServer(t, ok())
	tc := newClient(t, s, client.WithRateLimit(2, 1))
	for i := 0; i < 3; i++ {
		if _, err := call(operations[0], tc); err != nil {
			t.Fatal(err)
		}
	}
	// Burst 1 at 2/s: the 2nd and 3rd calls each wait 500ms of (fake) time.
	if got := tc.clock.Sleeps(); len(got) != 2 || got[0] != 500*time.Millisecond || got[1] != 500*time.Millisecond {
		t.Errorf("sleeps = %v", got)
	}
}
