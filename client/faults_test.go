package client_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/fake"
	"github.com/vmimage/vmimage/signer"
	"github.com/vmimage/vmimage/validate"
)

// call makes op's call with tc.
func call(op operation, tc *testClient) (*client.Response, error) {
	return op.call(context.Background(), tc.Client)
}

func wantRequests(t *testing.T, s *server, n int) []seen {
	t.Helper()
	got := s.requests()
	if len(got) != n {
		t.Fatalf("server saw %d requests, want %d", len(got), n)
	}
	for i, r := range got {
		if r.VerifyErr != nil {
			t.Errorf("request %d: signature refused: %v", i, r.VerifyErr)
		}
	}
	return got
}

func TestRetry503Then200(t *testing.T) {
	forEachOp(t, func(t *testing.T, op operation) {
		s := newServer(t, apiErr(503, "HTTP_SERVICE_UNAVAILABLE", "busy"), apiErr(503, "HTTP_SERVICE_UNAVAILABLE", "busy"), ok())
		tc := newClient(t, s)
		resp, err := call(op, tc)
		if err != nil {
			t.Fatal(err)
		}
		if resp.RequestID != "rq-ok" || resp.Attempts != 3 || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("response %+v", resp)
		}
		reqs := wantRequests(t, s, 3)
		nonces := map[string]bool{}
		for _, r := range reqs {
			nonces[r.Nonce] = true
		}
		if len(nonces) != 3 {
			t.Errorf("want 3 distinct nonces, got %v", nonces)
		}
		// Full jitter with random 0.5: 0.5*200ms, then 0.5*400ms.
		if got := tc.clock.Sleeps(); len(got) != 2 || got[0] != 100*time.Millisecond || got[1] != 200*time.Millisecond {
			t.Errorf("sleeps = %v, want [100ms 200ms]", got)
		}
		tc.assertValid(t)
	})
}

func TestNotFound(t *testing.T) {
	forEachOp(t, func(t *testing.T, op operation) {
		s := newServer(t, apiErr(404, "NOT_FOUND", "Image 'img-abc12345' not found"))
		tc := newClient(t, s)
		_, err := call(op, tc)
		wantRequests(t, s, 1)
		var ae *client.APIError
		if !errors.As(err, &ae) || !errors.Is(err, client.ErrNotFound) || errors.Is(err, client.ErrUnauthorized) {
			t.Fatalf("got %v", err)
		}
		// For DescribeImage the message reads exactly as it always has.
		want := op.prefix + ": 404 NOT_FOUND: Image 'img-abc12345' not found (request id rq-NOT_FOUND)"
		if err.Error() != want {
			t.Errorf("Error() =\n%s\nwant\n%s", err, want)
		}
		if ae.Op.Region != "cn-north-1" || ae.Op.Name != op.name || ae.Op.Service != "vm" || ae.Code != 404 || ae.RequestID != "rq-NOT_FOUND" {
			t.Errorf("fields: %+v", ae)
		}
		if resp, _ := call(op, tc); resp == nil || resp.StatusCode != 404 || resp.RequestID != "rq-NOT_FOUND" || resp.Attempts != 1 {
			t.Errorf("a failed call's Response: %+v", resp)
		}
		tc.assertValid(t)
	})
}

func TestUnauthorizedIsNotRetried(t *testing.T) {
	forEachOp(t, func(t *testing.T, op operation) {
		s := newServer(t, apiErr(401, "ACCESS_ERROR", "Invalid accessKey"))
		tc := newClient(t, s)
		_, err := call(op, tc)
		wantRequests(t, s, 1)
		if !errors.Is(err, client.ErrUnauthorized) {
			t.Fatalf("got %v", err)
		}
		tc.assertValid(t)
		for status, sentinel := range map[int]error{403: client.ErrForbidden, 400: nil} {
			s := newServer(t, apiErr(status, "X", "m"))
			_, err := call(op, newClient(t, s))
			wantRequests(t, s, 1)
			if sentinel != nil && !errors.Is(err, sentinel) {
				t.Errorf("%d: got %v", status, err)
			}
		}
	})
}

func tooMany(retryAfter string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", retryAfter)
		apiErr(429, "HTTP_RATE_LIMIT_EXCEEDED", "slow down")(w, r)
	}
}

func TestRetryAfterHonouredAndCapped(t *testing.T) {
	forEachOp(t, func(t *testing.T, op operation) {
		for _, c := range []struct {
			header string
			want   time.Duration
		}{{"1", time.Second}, {"3600", client.DefaultRetryPolicy().MaxRetryAfter}} {
			t.Run(c.header, func(t *testing.T) {
				s := newServer(t, tooMany(c.header), ok())
				tc := newClient(t, s)
				if _, err := call(op, tc); err != nil {
					t.Fatal(err)
				}
				wantRequests(t, s, 2)
				if got := tc.clock.Sleeps(); len(got) != 1 || got[0] != c.want {
					t.Errorf("sleeps = %v, want [%s]", got, c.want)
				}
				tc.assertValid(t)
			})
		}
		t.Run("HTTP date", func(t *testing.T) {
			s := newServer(t, nil, ok())
			tc := newClient(t, s)
			s.steps[0] = tooMany(tc.clock.Now().Add(7 * time.Second).Format(http.TimeFormat))
			if _, err := call(op, tc); err != nil {
				t.Fatal(err)
			}
			if got := tc.clock.Sleeps(); len(got) != 1 || got[0] != 7*time.Second {
				t.Errorf("sleeps = %v, want [7s]", got)
			}
		})
		t.Run("throttled error carries RetryAfter", func(t *testing.T) {
			s := newServer(t, tooMany("2"))
			_, err := call(op, newClient(t, s, client.WithRetryPolicy(client.NoRetries())))
			var ae *client.APIError
			if !errors.As(err, &ae) || !errors.Is(err, client.ErrThrottled) || ae.RetryAfter != 2*time.Second {
				t.Fatalf("got %v", err)
			}
		})
	})
}

func TestAlways500ExhaustsAttempts(t *testing.T) {
	forEachOp(t, func(t *testing.T, op operation) {
		s := newServer(t, apiErr(500, "INTERNAL", "boom"))
		tc := newClient(t, s)
		_, err := call(op, tc)
		wantRequests(t, s, 3)
		var me *client.MaxAttemptsError
		var ae *client.APIError
		if !errors.As(err, &me) || me.Attempts != 3 || !errors.As(err, &ae) || ae.Status != "INTERNAL" {
			t.Fatalf("got %v", err)
		}
		if !strings.Contains(err.Error(), "gave up after 3 attempt(s): 500 INTERNAL: boom") || strings.Count(err.Error(), "vmimage:") != 1 {
			t.Errorf("Error() = %s", err)
		}
		tc.assertValid(t)
	})
}

// resetMidBody announces a long body, sends part of it and kills the connection.
func resetMidBody(w http.ResponseWriter, r *http.Request) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(okBody), okBody[:20])
	buf.Flush()
}

func TestConnectionResetMidBodyIsRetried(t *testing.T) {
	forEachOp(t, func(t *testing.T, op operation) {
		s := newServer(t, resetMidBody, ok())
		tc := newClient(t, s)
		if _, err := call(op, tc); err != nil {
			t.Fatal(err)
		}
		wantRequests(t, s, 2)

		s = newServer(t, resetMidBody)
		_, err := call(op, newClient(t, s))
		wantRequests(t, s, 3)
		var re *client.RequestError
		if !errors.As(err, &re) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestAttemptTimeoutIsRetried(t *testing.T) {
	forEachOp(t, func(t *testing.T, op operation) {
		release := make(chan struct{})
		defer close(release)
		hang := func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}
		s := newServer(t, hang, ok())
		tc := newClient(t, s, client.WithAttemptTimeout(50*time.Millisecond))
		if _, err := call(op, tc); err != nil {
			t.Fatal(err)
		}
		wantRequests(t, s, 2)

		s = newServer(t, hang)
		_, err := call(op, newClient(t, s, client.WithAttemptTimeout(20*time.Millisecond)))
		wantRequests(t, s, 3)
		if !errors.Is(err, client.ErrAttemptTimeout) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestDeadlineShorterThanBackoff(t *testing.T) {
	forEachOp(t, func(t *testing.T, op operation) {
		s := newServer(t, apiErr(503, "UNAVAILABLE", "busy"))
		policy := client.DefaultRetryPolicy()
		policy.BaseDelay, policy.MaxDelay = 10*time.Second, 10*time.Second
		tc := newClient(t, s, client.WithRetryPolicy(policy))
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := op.call(ctx, tc.Client)
		wantRequests(t, s, 1)
		var ae *client.APIError
		if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &ae) || len(tc.clock.Sleeps()) != 0 {
			t.Fatalf("got %v, sleeps %v", err, tc.clock.Sleeps())
		}
		tc.assertValid(t)
	})
}

func TestCancelledBeforeCall(t *testing.T) {
	forEachOp(t, func(t *testing.T, op operation) {
		s := newServer(t, ok())
		tc := newClient(t, s)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := op.call(ctx, tc.Client)
		wantRequests(t, s, 0)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestCancelledDuringBackoffReturnsAtOnce(t *testing.T) {
	forEachOp(t, func(t *testing.T, op operation) {
		s := newServer(t, apiErr(503, "UNAVAILABLE", "busy"))
		clock := &blockingClock{started: make(chan struct{})}
		tc := newClient(t, s, client.WithClock(clock))
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-clock.started; cancel() }()
		_, err := op.call(ctx, tc.Client)
		wantRequests(t, s, 1)
		var ae *client.APIError
		if !errors.Is(err, context.Canceled) || !errors.As(err, &ae) {
			t.Fatalf("got %v", err)
		}
	})
}

func html(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		io.WriteString(w, "<html><body>\n<h1>502 Bad Gateway</h1>\x00</body></html>")
	}
}

func TestHTML502(t *testing.T) {
	forEachOp(t, func(t *testing.T, op operation) {
		s := newServer(t, html(502))
		_, err := call(op, newClient(t, s))
		wantRequests(t, s, 3)
		var ue *client.UnexpectedResponseError
		if !errors.As(err, &ue) || ue.StatusCode != 502 || ue.ContentType != "text/html" || !strings.Contains(ue.Excerpt, "<h1>502 Bad Gateway</h1>") || strings.ContainsRune(ue.Excerpt, 0) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestBadSuccessBodies(t *testing.T) {
	forEachOp(t, func(t *testing.T, op operation) {
		cases := map[string]struct {
			h      http.HandlerFunc
			reason string
		}{
			"200 text/html":        {html(200), "not a JSON response"},
			"200 truncated JSON":   {respond(200, okBody[:40]), "malformed JSON"},
			"200 empty":            {respond(200, ""), "empty body"},
			"200 without result":   {respond(200, `{"requestId":"r"}`), "success without result"},
			"200 without a field":  {respond(200, op.missingBody), op.missingReason},
			"404 without error":    {respond(404, `{"requestId":"r"}`), "without the JSON error envelope"},
			"a field of bad type":  {respond(200, op.badTypeBody), "malformed JSON"},
			"404 with a text code": {respond(404, `{"requestId":"r","error":{"code":"four","status":"NOT_FOUND","message":"m"}}`), "malformed JSON error body"},
		}
		for name, c := range cases {
			t.Run(name, func(t *testing.T) {
				s := newServer(t, c.h)
				_, err := call(op, newClient(t, s))
				wantRequests(t, s, 1)
				var ue *client.UnexpectedResponseError
				if !errors.As(err, &ue) || !strings.Contains(ue.Reason, c.reason) {
					t.Fatalf("got %v, want reason %q", err, c.reason)
				}
			})
		}
	})
}

func TestHugeBodyIsRefusedUnbuffered(t *testing.T) {
	const size = 50 << 20
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			var mu sync.Mutex
			written := 0
			s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if !chunked {
					w.Header().Set("Content-Length", fmt.Sprint(size))
				}
				bw := bufio.NewWriter(w)
				chunk := strings.Repeat(" ", 64<<10)
				for i := 0; i < size/len(chunk); i++ {
					n, err := bw.WriteString(chunk)
					mu.Lock()
					written += n
					mu.Unlock()
					if err != nil {
						return
					}
				}
				bw.Flush()
			})
			c, err := client.New(client.WithCredentials(signer.Credentials{AccessKey: testAK, SecretKey: testSK}), client.WithEndpoint(s.URL))
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = c.DescribeImage(context.Background(), "cn-north-1", "img-abc12345")
			if !errors.Is(err, client.ErrResponseTooLarge) {
				t.Fatalf("got %v", err)
			}
			wantRequests(t, s, 1)
		})
	}
}

func TestRedirectToAnotherHostIsNotFollowed(t *testing.T) {
	forEachOp(t, func(t *testing.T, op operation) {
		other := newServer(t, ok())
		s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+r.URL.Path, http.StatusFound)
		})
		_, err := call(op, newClient(t, s))
		wantRequests(t, s, 1)
		wantRequests(t, other, 0)
		var ue *client.UnexpectedResponseError
		if !errors.As(err, &ue) || ue.StatusCode != 302 || !strings.Contains(ue.Reason, "redirect to host localhost") {
			t.Fatalf("got %v", err)
		}
	})
}

func TestRetryBudgetRunsDry(t *testing.T) {
	forEachOp(t, func(t *testing.T, op operation) {
		s := newServer(t, apiErr(500, "INTERNAL", "boom"))
		policy := client.DefaultRetryPolicy()
		policy.MaxAttempts = 10
		policy.Budget = client.RetryBudget{Capacity: 10, RetryCost: 5, TimeoutCost: 10, SuccessRefund: 1}
		tc := newClient(t, s, client.WithRetryPolicy(policy))
		_, err := call(op, tc)
		wantRequests(t, s, 3)
		var me *client.MaxAttemptsError
		if !errors.Is(err, client.ErrRetryBudgetExhausted) || !errors.As(err, &me) || me.Attempts != 3 {
			t.Fatalf("got %v", err)
		}
		// The bucket stays empty for the next call: no retry at all.
		_, err = call(op, tc)
		wantRequests(t, s, 4)
		if !errors.Is(err, client.ErrRetryBudgetExhausted) {
			t.Fatalf("second call: %v", err)
		}
		tc.assertValid(t)
	})
}

// TestConcurrentCallsShareOneClient runs 100 goroutines on one client against the
// fake, which checks every signature and refuses any replayed nonce.
func TestConcurrentCallsShareOneClient(t *testing.T) {
	srv := fake.StartTest(t)
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	vt := v.Transport(nil)
	c, err := client.New(client.WithEndpoint(srv.URL), client.WithCredentials(srv.Credentials()),
		client.WithHTTPClient(&http.Client{Transport: vt}), client.WithRateLimit(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	ids := []string{fake.SeedCentOS, fake.SeedUbuntu, fake.SeedPrivate, fake.SeedPending}
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := ids[i%len(ids)]
			img, _, err := c.DescribeImage(context.Background(), "cn-north-1", id)
			if err != nil {
				t.Error(err)
				return
			}
			if *img.ImageId != id {
				t.Errorf("asked %s, got %s", id, *img.ImageId)
			}
		}()
	}
	wg.Wait()
	reqs := srv.Requests()
	if len(reqs) != 100 {
		t.Fatalf("%d requests, want 100", len(reqs))
	}
	nonces := map[string]bool{}
	for _, r := range reqs {
		nonces[r.Nonce] = true
		if r.Status != 200 {
			t.Errorf("fake answered %d (%s)", r.Status, r.AuthError)
		}
	}
	if len(nonces) != 100 {
		t.Errorf("nonces reused: %d distinct", len(nonces))
	}
	if err := vt.Err(); err != nil {
		t.Error(err)
	}
}

func TestRetriesReuseOneConnection(t *testing.T) {
	forEachOp(t, func(t *testing.T, op operation) {
		s := newServer(t, apiErr(503, "UNAVAILABLE", "busy"), ok(), apiErr(503, "UNAVAILABLE", "busy"), ok(), apiErr(503, "UNAVAILABLE", "busy"), ok())
		tc := newClient(t, s)
		for i := 0; i < 3; i++ {
			if _, err := call(op, tc); err != nil {
				t.Fatal(err)
			}
		}
		wantRequests(t, s, 6)
		if n := s.connections(); n != 1 {
			t.Errorf("opened %d connections, want 1", n)
		}
		tc.assertValid(t)
	})
}

func TestUnknownFieldsAndEnumValuesDecode(t *testing.T) {
	s := newServer(t, respond(200, `{"requestId":"r","new":1,"result":{"image":{"imageId":"img-x1","status":"migrating","imageSource":"galaxy","brandNew":{"a":[1]},"systemDisk":{"diskCategory":"quantum"}}}}`))
	img, _, err := newClient(t, s).DescribeImage(context.Background(), "cn-north-1", "img-x1")
	if err != nil {
		t.Fatal(err)
	}
	if *img.Status != "migrating" || img.Status.Valid() || *img.ImageSource != "galaxy" || *img.SystemDisk.DiskCategory != "quantum" {
		t.Fatalf("decoded %+v", img)
	}
}

func TestDescribeImageRawKeepsUnknownFields(t *testing.T) {
	s := newServer(t, respond(200, `{"requestId":"r","result":{"image":{"imageId":"img-x1","brandNew":{"a":[1]},"status":"ready"}}}`))
	raw, resp, err := newClient(t, s).DescribeImageRaw(context.Background(), "cn-north-1", "img-x1")
	if err != nil || resp.RequestID != "r" {
		t.Fatal(err, resp)
	}
	if string(raw) != `{"imageId":"img-x1","brandNew":{"a":[1]},"status":"ready"}` {
		t.Fatalf("raw = %s", raw)
	}
	s = newServer(t, respond(200, `{"requestId":"r","result":{"image":{"sizeMB":"x"}}}`))
	if _, _, err := newClient(t, s).DescribeImageRaw(context.Background(), "cn-north-1", "img-x1"); err == nil {
		t.Fatal("raw variant skipped the decode check")
	}
}

// TestTLSFailuresAreNotRetried: a certificate the client does not trust fails at once.
func TestTLSFailuresAreNotRetried(t *testing.T) {
	var handshakes atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ok()(w, r) }))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			handshakes.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	c, err := client.New(client.WithCredentials(signer.Credentials{AccessKey: testAK, SecretKey: testSK}), client.WithEndpoint(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.DescribeImage(context.Background(), "cn-north-1", "img-abc12345")
	var re *client.RequestError
	var me *client.MaxAttemptsError
	var certErr *tls.CertificateVerificationError
	if !errors.As(err, &re) || errors.As(err, &me) || !errors.As(err, &certErr) || re.Attempts != 1 {
		t.Fatalf("got %v", err)
	}
	if n := handshakes.Load(); n != 1 {
		t.Errorf("%d connections, want 1 (no retry)", n)
	}
}

// TestTLS12IsTheMinimum: even with a caller's transport that allows older versions,
// the client refuses a server that speaks only TLS 1.1.
func TestTLS12IsTheMinimum(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ok()(w, r) }))
	srv.TLS = &tls.Config{MaxVersion: tls.VersionTLS11}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	hc := srv.Client() // trusts the test certificate
	hc.Transport.(*http.Transport).TLSClientConfig.MinVersion = tls.VersionTLS10
	c, err := client.New(client.WithCredentials(signer.Credentials{AccessKey: testAK, SecretKey: testSK}),
		client.WithEndpoint(srv.URL), client.WithHTTPClient(hc), client.WithRetryPolicy(client.NoRetries()))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.DescribeImage(context.Background(), "cn-north-1", "img-abc12345"); err == nil || !strings.Contains(err.Error(), "protocol version") {
		t.Fatalf("got %v, want a protocol version failure", err)
	}
	if hc.Transport.(*http.Transport).TLSClientConfig.MinVersion != tls.VersionTLS10 {
		t.Error("the caller's transport was modified")
	}
}

// TestUnknownHostIsNotRetried uses a dialer that answers "no such host" without any
// DNS traffic.
func TestUnknownHostIsNotRetried(t *testing.T) {
	var dials atomic.Int64
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "vm.example.invalid", IsNotFound: true}}
	}}
	c, err := client.New(client.WithCredentials(signer.Credentials{AccessKey: testAK, SecretKey: testSK}),
		client.WithEndpoint("https://vm.example.invalid"), client.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.DescribeImage(context.Background(), "cn-north-1", "img-abc12345")
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || dials.Load() != 1 {
		t.Fatalf("got %v after %d dials", err, dials.Load())
	}
}

// TestHugeErrorBodyIsBoundedAndStillRetried: a 502 with a 1 MiB HTML page is cut at
// MaxErrorBodyBytes, and its status is still retried.
func TestHugeErrorBodyIsBoundedAndStillRetried(t *testing.T) {
	forEachOp(t, func(t *testing.T, op operation) {
		s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "<html>"+strings.Repeat("x", 1<<20)+"</html>")
		}, ok())
		tc := newClient(t, s)
		if _, err := call(op, tc); err != nil {
			t.Fatal(err)
		}
		wantRequests(t, s, 2)

		s = newServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, strings.Repeat("x", 1<<20))
		})
		_, err := call(op, newClient(t, s))
		wantRequests(t, s, 3)
		var ue *client.UnexpectedResponseError
		if !errors.Is(err, client.ErrResponseTooLarge) || !errors.As(err, &ue) || ue.StatusCode != 502 || !strings.Contains(err.Error(), fmt.Sprintf("%d-byte limit", client.MaxErrorBodyBytes)) {
			t.Fatalf("got %v", err)
		}
	})
}
