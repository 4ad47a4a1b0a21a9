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
// jdcloud2 security scheme in openapi.yaml that a client written from them relies on.
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
		{"step 5: the path is signed as sent", "/v1/regions/cn-north-1/images/img-(x)", nil, nil, 400, "INVALID_ARGUMENT"},
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
