package fake_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vmimage/vmimage/fake"
	"github.com/vmimage/vmimage/signer"
)

// The reference vectors of shared/reference/jdcloud3.md, as JD Cloud's Python SDK
// puts them on the wire (Authorization verbatim from the reference), replayed to the
// fake at the vectors' time.
var vectorTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

type wireVector struct {
	method, target, nonce, body, auth string
	wantStatus                        int // what the fake answers once authenticated
}

var (
	jdcloud3Vector1 = wireVector{
		method: "GET", target: "/v1/regions/cn-north-1/images/img-centos82pub", nonce: "5f0c6f38-2b53-4a7e-9d3c-1a2b3c4d5e01",
		auth: "JDCLOUD3-HMAC-SHA256 Credential=FAKEACCESSKEY0001/20260102/cn-north-1/vm/jdcloud3_request, SignedHeaders=content-type;host, " +
			"Signature=ea24a092da06c0eed64711409b91ff3c95184fa24dd3457883ea748c3244127f",
		wantStatus: http.StatusOK,
	}
	// A write call: the fake authenticates it, then answers what it answers for the
	// call (405 while it serves the reads only).
	jdcloud3Vector2 = wireVector{
		method: "POST", target: "/v1/regions/cn-north-1/images/img-x:share", nonce: "5f0c6f38-2b53-4a7e-9d3c-1a2b3c4d5e03", body: `{"pins":["p1"]}`,
		auth: "JDCLOUD3-HMAC-SHA256 Credential=FAKEACCESSKEY0001/20260102/cn-north-1/vm/jdcloud3_request, SignedHeaders=content-type;host;x-jdcloud-date;x-jdcloud-nonce, " +
			"Signature=1043450e102f37e4b925d91ef1d3c5f27eb3914c2d76ac0dffb5d4e0dd1c40a0",
		wantStatus: 0, // any answer but a refusal of the signature (401, 403)
	}
)

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func (v wireVector) request() *http.Request {
	req := httptest.NewRequest(v.method, "http://127.0.0.1:8080"+v.target, strings.NewReader(v.body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "JdcloudSdkPython/1.6.338")
	req.Header.Set("JDCLOUD3-HMAC-SHA256", "JDCLOUD3-HMAC-SHA256")
	req.Header.Set("X-Jdcloud-Date", "20260102T030405Z")
	req.Header.Set("X-Jdcloud-Nonce", v.nonce)
	hash := emptySHA256
	if v.body != "" {
		hash = "9fb7118e7a4dc6fc8a1b8989c81b896f2ffd28bcd44e02938e56b076bc4de016"
	}
	req.Header.Set("X-Jdcloud-Content-Sha256", hash)
	req.Header.Set("Authorization", v.auth)
	return req
}

func newVectorService(t *testing.T) (*fake.Service, *fake.ManualClock) {
	t.Helper()
	clock := fake.NewManualClock(vectorTime)
	svc, err := fake.New(fake.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	return svc, clock
}

func serve(svc *fake.Service, req *http.Request) (int, string) {
	rec := httptest.NewRecorder()
	svc.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func TestFakeAcceptsTheJDCLOUD3Vectors(t *testing.T) {
	for name, v := range map[string]wireVector{"vector 1": jdcloud3Vector1, "vector 2": jdcloud3Vector2} {
		t.Run(name, func(t *testing.T) {
			svc, _ := newVectorService(t)
			status, body := serve(svc, v.request())
			reqs := svc.Requests()
			statusOK := status == v.wantStatus || v.wantStatus == 0 && status != 401 && status != 403
			if !statusOK || len(reqs) != 1 || reqs[0].AuthError != "" {
				t.Fatalf("%d %s; log %+v", status, body, reqs)
			}
			if reqs[0].Algorithm != string(signer.JDCLOUD3) {
				t.Errorf("logged algorithm %q", reqs[0].Algorithm)
			}
		})
	}
}

// The vectors' requests altered: each refusal says what is wrong.
func TestFakeRefusesAlteredJDCLOUD3Requests(t *testing.T) {
	cases := []struct {
		name   string
		v      wireVector
		mutate func(r *http.Request, clock *fake.ManualClock) *http.Request
		status int
		want   string
	}{
		{"body changed", jdcloud3Vector2, func(r *http.Request, _ *fake.ManualClock) *http.Request {
			alt := jdcloud3Vector2
			alt.body = `{"pins":["p2"]}`
			r2 := alt.request()
			r2.Header = r.Header
			return r2
		}, 401, "sign result is not same"},
		{"content hash changed", jdcloud3Vector1, func(r *http.Request, _ *fake.ManualClock) *http.Request {
			r.Header.Set("X-Jdcloud-Content-Sha256", strings.Repeat("0", 64))
			return r
		}, 401, "x-jdcloud-content-sha256 is not the SHA-256 of the body"},
		{"date 6 minutes off", jdcloud3Vector1, func(r *http.Request, clock *fake.ManualClock) *http.Request {
			clock.Advance(6 * time.Minute)
			return r
		}, 401, "request expired"},
		{"not signed by the fake's key", jdcloud3Vector1, func(r *http.Request, _ *fake.ManualClock) *http.Request {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Signature=ea", "Signature=eb", 1))
			return r
		}, 401, "sign result is not same"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc, clock := newVectorService(t)
			status, body := serve(svc, c.mutate(c.v.request(), clock))
			if status != c.status || !strings.Contains(body, c.want) {
				t.Fatalf("%d %s, want %d with %q", status, body, c.status, c.want)
			}
			if r := svc.Requests(); len(r) != 1 || !strings.Contains(r[0].AuthError, c.want) || r[0].Algorithm != string(signer.JDCLOUD3) {
				t.Errorf("log %+v", r)
			}
		})
	}
	t.Run("nonce replayed (unsigned, still remembered)", func(t *testing.T) {
		svc, clock := newVectorService(t)
		if status, body := serve(svc, jdcloud3Vector1.request()); status != 200 {
			t.Fatalf("first: %d %s", status, body)
		}
		clock.Advance(time.Minute)
		if status, body := serve(svc, jdcloud3Vector1.request()); status != 403 || !strings.Contains(body, "has been used") {
			t.Fatalf("replay: %d %s", status, body)
		}
	})
}

// A JDCLOUD2 request whose path has ':' raw (JD Cloud's Python SDK 1.6.94 sends it
// so, and signs %3A) and one with %3A (the Go SDK) are both authenticated; the fake
// then refuses the id, as the service does, with 400.
func TestFakeVerifiesAColonAsTheGateway(t *testing.T) {
	srv := fake.StartTest(t)
	s := signer.New(srv.Credentials(), "vm")
	for _, c := range []struct{ name, signedAs, sentAs string }{
		{"signed %3A, sent raw", "img-x%3Ashare", "img-x:share"},
		{"signed %3A, sent %3A", "img-x%3Ashare", "img-x%3Ashare"},
		{"signed raw, sent %3A", "img-x:share", "img-x%3Ashare"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv.ResetRequests()
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/regions/cn-north-1/images/"+c.signedAs, nil)
			req.Header.Set("Content-Type", "application/json")
			if err := s.Sign(req, nil, "cn-north-1"); err != nil {
				t.Fatal(err)
			}
			sent, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/regions/cn-north-1/images/"+c.sentAs, nil)
			sent.Header = req.Header
			resp, body := do(t, sent)
			reqs := srv.Requests()
			if resp.StatusCode != 400 || !strings.Contains(body, "Invalid imageId") || len(reqs) != 1 || reqs[0].AuthError != "" {
				t.Fatalf("%d %s; log %+v", resp.StatusCode, body, reqs)
			}
			if want := "/v1/regions/cn-north-1/images/" + c.sentAs; reqs[0].Path != want {
				t.Errorf("path on the wire %s, want %s", reqs[0].Path, want)
			}
			if reqs[0].Algorithm != string(signer.JDCLOUD2) {
				t.Errorf("logged algorithm %q", reqs[0].Algorithm)
			}
		})
	}
}

// Requests after ResetRequests are logged and answered (the log's sequence restarts
// with its ring).
func TestRequestsAfterReset(t *testing.T) {
	srv := fake.StartTest(t, fake.WithRequestLogSize(4))
	for round := 0; round < 3; round++ {
		for i := 0; i < 3+round; i++ {
			resp, body := do(t, signedRequest(t, srv, http.MethodGet, "/v1/regions/cn-north-1/images/"+fake.SeedCentOS, "cn-north-1"))
			if resp.StatusCode != 200 {
				t.Fatalf("round %d request %d: %d %s", round, i, resp.StatusCode, body)
			}
		}
		want := min(3+round, 4)
		if r := srv.Requests(); len(r) != want || r[len(r)-1].Status != 200 {
			t.Fatalf("round %d: %d entries, want %d: %+v", round, len(r), want, r)
		}
		srv.ResetRequests()
	}
}
