package fake_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vmimage/vmimage/fake"
	"github.com/vmimage/vmimage/signer"
)

// TestSecuritySchemeTextHoldsForTheFake checks the fake against the sentences of the
// security scheme in openapi.yaml (JDCLOUD2 and JDCLOUD3) that a client written from
// them relies on.
func TestSecuritySchemeTextHoldsForTheFake(t *testing.T) {
	clock := fake.NewManualClock(time.Now().Truncate(time.Second))
	srv := fake.StartTest(t, fake.WithClock(clock))
	s := signer.New(srv.Credentials(), "vm")
	send := func(t *testing.T, path string, prepare func(*http.Request), after func(*http.Request)) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if prepare != nil {
			prepare(req)
		}
		if err := s.SignAt(req, nil, "cn-north-1", clock.Now(), newNonce(t)); err != nil {
			t.Fatal(err)
		}
		if after != nil {
			after(req)
		}
		resp, body := do(t, req)
		return resp.StatusCode, body
	}
	img := "/v1/regions/cn-north-1/images/" + fake.SeedCentOS
	cases := []struct {
		name           string
		path           string
		prepare, after func(*http.Request)
		status         int
		want           string
	}{
		{"step 2: headers a fetch stack adds travel unsigned", img, nil, func(r *http.Request) {
			for _, h := range []string{"Connection", "Accept", "Accept-Language", "Accept-Encoding", "Sec-Fetch-Mode", "User-Agent"} {
				r.Header.Set(h, "added-after-signing")
			}
			r.Header.Del("Connection")
		}, 200, ""},
		{"step 2: a GET needs no content-type", img, nil, nil, 200, ""},
		{"step 2: a header signed must be sent as signed", img, func(r *http.Request) { r.Header.Set("Accept", "application/json") },
			func(r *http.Request) { r.Header.Set("Accept", "text/html") }, 401, "sign result is not same"},
		{"step 2: x-jdcloud-nonce must be signed", img, nil, func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", strings.Replace(a, ";x-jdcloud-nonce", "", 1))
		}, 401, "signed headers do not include x-jdcloud-nonce"},
		{"step 4: tabs and spaces collapse", img, func(r *http.Request) { r.Header.Set("X-Custom", " a \t\t b  ") }, nil, 200, ""},
		{"step 5: what travels raw is signed escaped", "/v1/regions/cn-north-1/images/img-(x)", nil, nil, 400, "INVALID_ARGUMENT"},
		{"step 5: ':' signed as %3A and sent raw", "/v1/regions/cn-north-1/images/img-x%3Ay", nil, func(r *http.Request) {
			r.URL.Path, r.URL.RawPath = "/v1/regions/cn-north-1/images/img-x:y", ""
		}, 400, "Invalid imageId"},
		{"step 5: ':' signed raw and sent as %3A", "/v1/regions/cn-north-1/images/img-x:y", nil, func(r *http.Request) {
			r.URL.RawPath = "/v1/regions/cn-north-1/images/img-x%3Ay"
		}, 400, "Invalid imageId"},
		{"step 5: other escapes are decoded first", "/v1/regions/cn-north-1/images/" + fake.SeedCentOS, nil, func(r *http.Request) {
			r.URL.RawPath = "/v1/regions/cn-north-1/%69mages/" + fake.SeedCentOS
		}, 200, ""},
		{"step 6: a parameter with an empty name is dropped", "/v1/regions/cn-north-1/images?imageSource=public", nil, func(r *http.Request) {
			r.URL.RawQuery += "&=x"
		}, 200, ""},
		{"step 6: parameters in another order verify", "/v1/regions/cn-north-1/images?pageSize=10&imageSource=public", nil, nil, 200, ""},
		{"step 6: a + received is a space", "/v1/regions/cn-north-1/images?imageSource=public&imageName=CentOS+8.2", nil, nil, 200, `"totalCount":1`},
		{"step 8: the scope's region is the path's", "/v1/regions/cn-east-1/images/" + fake.SeedCentOS, nil, nil, 401, "names region"},
		{"step 10: a comma alone between the parts", img, nil, func(r *http.Request) {
			r.Header.Set("Authorization", strings.ReplaceAll(r.Header.Get("Authorization"), ", ", ","))
		}, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := send(t, c.path, c.prepare, c.after)
			if status != c.status || !strings.Contains(body, c.want) {
				t.Errorf("%d %s, want %d with %q", status, body, c.status, c.want)
			}
		})
	}
	s3 := signer.New(srv.Credentials(), "vm", signer.WithAlgorithm(signer.JDCLOUD3))
	t.Run("ALG, SEED, TERM: JDCLOUD3 is accepted on every path JDCLOUD2 is", func(t *testing.T) {
		for _, path := range []string{img, "/v1/regions/cn-north-1/images?imageSource=public&pageSize=10", img + "/constraints", img + "/members",
			"/v1/regions/cn-north-1/imageConstraints?ids.1=" + fake.SeedCentOS} {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
			if err := s3.SignAt(req, nil, "cn-north-1", clock.Now(), newNonce(t)); err != nil {
				t.Fatal(err)
			}
			if resp, body := do(t, req); resp.StatusCode != 200 {
				t.Errorf("%s: %d %s", path, resp.StatusCode, body)
			}
		}
	})
	t.Run("ALG, SEED, TERM: a JDCLOUD3 signature under JDCLOUD2's words is refused", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+img, nil)
		if err := s3.SignAt(req, nil, "cn-north-1", clock.Now(), newNonce(t)); err != nil {
			t.Fatal(err)
		}
		a := strings.Replace(req.Header.Get("Authorization"), string(signer.JDCLOUD3), string(signer.JDCLOUD2), 1)
		req.Header.Set("Authorization", strings.Replace(a, "jdcloud3_request", "jdcloud2_request", 1))
		if resp, body := do(t, req); resp.StatusCode != 401 || !strings.Contains(body, "sign result is not same") {
			t.Errorf("%d %s", resp.StatusCode, body)
		}
	})
	// Step 2 for JDCLOUD3, on reference vector 3 (the Python SDK's shape), replayed at
	// its time: date, nonce and content hash unsigned, and still checked.
	t.Run("step 2: JDCLOUD3 may leave date, nonce and content hash unsigned", func(t *testing.T) {
		svc, _ := newVectorService(t)
		if status, body := serve(svc, jdcloud3Vector1.request()); status != 200 {
			t.Errorf("%d %s", status, body)
		}
		if status, body := serve(svc, jdcloud3Vector1.request()); status != 403 {
			t.Errorf("the unsigned nonce replayed: %d %s", status, body)
		}
	})
	t.Run("step 2: an unsigned content hash must be the body's", func(t *testing.T) {
		svc, _ := newVectorService(t)
		req := jdcloud3Vector1.request()
		req.Header.Set("X-Jdcloud-Content-Sha256", strings.Repeat("a", 64))
		if status, body := serve(svc, req); status != 401 || !strings.Contains(body, "x-jdcloud-content-sha256") {
			t.Errorf("%d %s", status, body)
		}
	})
	t.Run("step 2: an unsigned date must be within 5 minutes", func(t *testing.T) {
		svc, clock := newVectorService(t)
		clock.Advance(5*time.Minute + time.Second)
		if status, body := serve(svc, jdcloud3Vector1.request()); status != 401 || !strings.Contains(body, "request expired") {
			t.Errorf("%d %s", status, body)
		}
	})
	t.Run("step 1: 5 minutes of skew", func(t *testing.T) {
		for skew, want := range map[time.Duration]int{4*time.Minute + 59*time.Second: 200, -4*time.Minute - 59*time.Second: 200, 5*time.Minute + time.Second: 401} {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+img, nil)
			if err := s.SignAt(req, nil, "cn-north-1", clock.Now().Add(skew), newNonce(t)); err != nil {
				t.Fatal(err)
			}
			if resp, body := do(t, req); resp.StatusCode != want {
				t.Errorf("skew %s: %d %s", skew, resp.StatusCode, body)
			}
		}
	})
	t.Run("step 1: a replayed nonce is 403", func(t *testing.T) {
		nonce := newNonce(t)
		for i, want := range []int{200, 403} {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+img, nil)
			s.SignAt(req, nil, "cn-north-1", clock.Now(), nonce)
			if resp, _ := do(t, req); resp.StatusCode != want {
				t.Errorf("send %d: %d, want %d", i+1, resp.StatusCode, want)
			}
		}
	})
}

func newNonce(t *testing.T) string {
	t.Helper()
	n, err := signer.NewNonce()
	if err != nil {
		t.Fatal(err)
	}
	return n
}
