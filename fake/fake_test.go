package fake_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/fake"
	"github.com/vmimage/vmimage/signer"
	"github.com/vmimage/vmimage/validate"
)

type harness struct {
	srv   *fake.Server
	c     *client.Client
	clock *fake.ManualClock
	vt    *validate.Transport
}

// start runs a fake and a real client sharing one manual clock, with every exchange
// validated against the spec.
func start(t *testing.T, fopts []fake.Option, copts ...client.Option) *harness {
	t.Helper()
	clock := fake.NewManualClock(time.Now().Truncate(time.Second))
	srv := fake.StartTest(t, append([]fake.Option{fake.WithClock(clock)}, fopts...)...)
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	vt := v.Transport(nil)
	c, err := client.New(append([]client.Option{
		client.WithEndpoint(srv.URL),
		client.WithCredentials(srv.Credentials()),
		client.WithHTTPClient(&http.Client{Transport: vt}),
		client.WithClock(clock),
	}, copts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{srv: srv, c: c, clock: clock, vt: vt}
}

func (h *harness) assertValid(t *testing.T) {
	t.Helper()
	if h.vt.Checked() == 0 {
		t.Error("no exchange was validated")
	}
	if err := h.vt.Err(); err != nil {
		t.Errorf("the fake answered off-spec: %v", err)
	}
}

func TestServesEverySeededImage(t *testing.T) {
	h := start(t, nil)
	entries := h.srv.Images().List()
	if len(entries) < 9 {
		t.Fatalf("only %d seeded images", len(entries))
	}
	regions := map[string]bool{}
	for _, e := range entries {
		regions[e.Region] = true
		img, resp, err := h.c.DescribeImage(context.Background(), e.Region, *e.Image.ImageId)
		if err != nil {
			t.Fatalf("%s/%s: %v", e.Region, *e.Image.ImageId, err)
		}
		if *img.ImageId != *e.Image.ImageId || *img.Name != *e.Image.Name || resp.RequestID == "" {
			t.Errorf("%s: got %s %q", *e.Image.ImageId, *img.ImageId, resp.RequestID)
		}
	}
	for _, r := range []string{"cn-north-1", "cn-east-1", "cn-east-2", "cn-south-1"} {
		if !regions[r] {
			t.Errorf("no image seeded in %s", r)
		}
	}
	for id, check := range map[string]func(api.Image) bool{
		fake.SeedPrivate: func(i api.Image) bool { return len(i.DataDisks) == 2 && *i.ImageSource == api.ImageSourcePrivate },
		fake.SeedLocalDisk: func(i api.Image) bool {
			return *i.RootDeviceType == api.RootDeviceTypeLocalDisk && i.SystemDisk.LocalDisk != nil
		},
		fake.SeedLegacy2019: func(i api.Image) bool { return *i.ImageSource == api.ImageSourceShare },
		fake.SeedOffline:    func(i api.Image) bool { return *i.Offline },
		fake.SeedPending:    func(i api.Image) bool { return *i.Status == api.ImageStatusPending },
		fake.SeedWindows:    func(i api.Image) bool { return *i.OsType == api.OsTypeWindows },
	} {
		found := false
		for _, e := range entries {
			if *e.Image.ImageId == id {
				found = true
				if !check(e.Image) {
					t.Errorf("seed %s is not what it claims", id)
				}
			}
		}
		if !found {
			t.Errorf("seed %s missing", id)
		}
	}
	h.assertValid(t)
}

func TestNotFoundAndInvalid(t *testing.T) {
	h := start(t, nil)
	_, _, err := h.c.DescribeImage(context.Background(), "cn-north-1", "img-nosuch01")
	var ae *client.APIError
	if !errors.As(err, &ae) || !errors.Is(err, client.ErrNotFound) || ae.Message != "Image 'img-nosuch01' not found" {
		t.Fatalf("got %v", err)
	}
	h.assertValid(t)
	// The ids below are off-spec on purpose: the validator flags the requests, and the
	// fake still answers in the documented error envelope.
	h.vt.Reset()
	// (The client refuses such an id before sending: the spec's pattern is generated
	// into its checks. The request is made by hand, through the validator.)
	hresp, err := (&http.Client{Transport: h.vt}).Do(signedRequest(t, h.srv, "GET", "/v1/regions/cn-north-1/images/IMG_BAD", "cn-north-1"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(hresp.Body)
	hresp.Body.Close()
	_, _, err = client.DecodeResponse[api.DescribeImageResult](hresp.StatusCode, hresp.Header, body)
	if !errors.As(err, &ae) || ae.StatusCode != 400 || ae.Status != "INVALID_ARGUMENT" || ae.Message != "Invalid imageId 'IMG_BAD'" {
		t.Fatalf("got %v", err)
	}
	// An off-spec region is refused by the client itself (one rule, the spec's
	// pattern, for client and fake): nothing is sent.
	_, _, err = h.c.DescribeImage(context.Background(), "North", "img-abc")
	var ip *client.InvalidParameterError
	if !errors.As(err, &ip) || ip.Param != "regionId" {
		t.Fatalf("got %v", err)
	}
	verr := h.vt.Err()
	if h.vt.Checked() != 1 || verr == nil || strings.Count(verr.Error(), "request: parameter") != 1 || strings.Contains(verr.Error(), "body") {
		t.Errorf("want exactly the one request sent flagged, got %d checks: %v", h.vt.Checked(), verr)
	}
}

func TestRequestIDHeaderMatchesBody(t *testing.T) {
	h := start(t, nil)
	_, resp, err := h.c.DescribeImage(context.Background(), "cn-north-1", fake.SeedCentOS)
	if err != nil {
		t.Fatal(err)
	}
	reqs := h.srv.Requests()
	if len(reqs) != 1 || reqs[0].RequestID != resp.RequestID || len(resp.RequestID) != 32 {
		t.Fatalf("log %+v, client saw %q", reqs, resp.RequestID)
	}
}

func TestAuthentication(t *testing.T) {
	srv := fake.StartTest(t)
	url := srv.URL + "/v1/regions/cn-north-1/images/" + fake.SeedCentOS
	do := func(req *http.Request) (int, string) {
		t.Helper()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(b), resp.Header.Get("X-Jdcloud-Request-Id")) {
			t.Errorf("request id header %q not in body %s", resp.Header.Get("X-Jdcloud-Request-Id"), b)
		}
		return resp.StatusCode, string(b)
	}
	signed := func(c signer.Credentials, at time.Time) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Content-Type", "application/json")
		nonce, _ := signer.NewNonce()
		if err := signer.New(c, "vm").SignAt(req, nil, "cn-north-1", at, nonce); err != nil {
			t.Fatal(err)
		}
		return req
	}
	good := srv.Credentials()
	cases := []struct {
		name   string
		req    func() *http.Request
		status int
		msg    string
	}{
		{"no signature", func() *http.Request { r, _ := http.NewRequest(http.MethodGet, url, nil); return r }, 401, `"ACCESS_ERROR"`},
		{"missing date", func() *http.Request { r := signed(good, time.Now()); r.Header.Del("X-Jdcloud-Date"); return r }, 401, "lack of header x-jdcloud-date"},
		{"unknown key", func() *http.Request {
			return signed(signer.Credentials{AccessKey: "OTHERKEY", SecretKey: good.SecretKey}, time.Now())
		}, 401, "Invalid accessKey"},
		{"wrong secret", func() *http.Request {
			return signed(signer.Credentials{AccessKey: good.AccessKey, SecretKey: "wrong"}, time.Now())
		}, 401, "sign result is not same [gw]"},
		{"skewed date", func() *http.Request { return signed(good, time.Now().Add(-10*time.Minute)) }, 401, "request expired"},
		{"tampered path", func() *http.Request {
			r := signed(good, time.Now())
			r.URL.Path = "/v1/regions/cn-north-1/images/" + fake.SeedUbuntu
			return r
		}, 401, "sign result is not same [gw]"},
		{"good", func() *http.Request { return signed(good, time.Now()) }, 200, fake.SeedCentOS},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := do(c.req())
			if status != c.status || !strings.Contains(body, c.msg) {
				t.Fatalf("got %d %s, want %d with %q", status, body, c.status, c.msg)
			}
		})
	}
	t.Run("replayed nonce", func(t *testing.T) {
		req := signed(good, time.Now())
		if status, body := do(req.Clone(context.Background())); status != 200 {
			t.Fatalf("first: %d %s", status, body)
		}
		if status, body := do(req.Clone(context.Background())); status != 403 || !strings.Contains(body, "HTTP_FORBIDDEN") {
			t.Fatalf("replay: %d %s", status, body)
		}
	})
	t.Run("configurable skew", func(t *testing.T) {
		strict := fake.StartTest(t, fake.WithMaxSkew(time.Second))
		url = strict.URL + "/v1/regions/cn-north-1/images/" + fake.SeedCentOS
		if status, body := do(signed(good, time.Now().Add(-time.Minute))); status != 401 {
			t.Fatalf("got %d %s", status, body)
		}
	})
}

func TestLifecycle(t *testing.T) {
	for _, final := range []api.ImageStatus{api.ImageStatusReady, api.ImageStatusError} {
		t.Run(string(final), func(t *testing.T) {
			h := start(t, []fake.Option{fake.WithoutSeed()})
			id := "img-build0001"
			if err := h.srv.Images().Put("cn-east-2", api.Image{ImageId: &id}); err != nil {
				t.Fatal(err)
			}
			if err := h.srv.Images().Transition("cn-east-2", id, final, 40*time.Second); err != nil {
				t.Fatal(err)
			}
			wantFinal := "100"
			if final == api.ImageStatusError {
				wantFinal = "99"
			}
			for _, step := range []struct {
				advance  time.Duration
				status   api.ImageStatus
				progress string
			}{{0, "pending", "0"}, {10 * time.Second, "pending", "25"}, {20 * time.Second, "pending", "75"}, {10 * time.Second, final, wantFinal}, {time.Hour, final, wantFinal}} {
				h.clock.Advance(step.advance)
				img, _, err := h.c.DescribeImage(context.Background(), "cn-east-2", id)
				if err != nil {
					t.Fatal(err)
				}
				if *img.Status != step.status || *img.Progress != step.progress {
					t.Fatalf("after +%s: %s %s, want %s %s", step.advance, *img.Status, *img.Progress, step.status, step.progress)
				}
			}
			h.assertValid(t)
		})
	}
	h := start(t, nil)
	if err := h.srv.Images().Transition("cn-north-1", fake.SeedCentOS, api.ImageStatusDeleting, time.Second); err == nil {
		t.Error("transition to deleting accepted")
	}
	if err := h.srv.Images().Transition("cn-north-1", "img-nosuch", api.ImageStatusReady, time.Second); err == nil {
		t.Error("transition of a missing image accepted")
	}
}

func TestStoreCopiesAndConcurrency(t *testing.T) {
	h := start(t, []fake.Option{fake.WithoutSeed()})
	store := h.srv.Images()
	id, name := "img-copy0001", "original"
	img := api.Image{ImageId: &id, Name: &name}
	if err := store.Put("cn-north-1", img); err != nil {
		t.Fatal(err)
	}
	name = "changed by caller"
	got, _ := store.Get("cn-north-1", id)
	if *got.Name != "original" {
		t.Fatal("store shares memory with the caller")
	}
	if err := store.Put("cn-north-1", api.Image{}); err == nil {
		t.Error("image without id accepted")
	}
	if err := store.Put("North", img); err == nil {
		t.Error("bad region accepted")
	}
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := "writer"
			_ = store.Put("cn-north-1", api.Image{ImageId: &id, Name: &n})
			if _, _, err := h.c.DescribeImage(context.Background(), "cn-north-1", id); err != nil {
				t.Error(err)
			}
			store.List()
		}()
	}
	wg.Wait()
	if !store.Delete("cn-north-1", id) || store.Delete("cn-north-1", id) {
		t.Error("Delete did not report correctly")
	}
	if _, _, err := h.c.DescribeImage(context.Background(), "cn-north-1", id); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("deleted image: %v", err)
	}
}

func TestPatternsMatchTheSpec(t *testing.T) {
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	params := v.Document().Components.Parameters
	if got := params["RegionId"].Value.Schema.Value.Pattern; got != fake.RegionIDPattern.String() {
		t.Errorf("region pattern %q, spec says %q", fake.RegionIDPattern, got)
	}
	if got := params["ImageId"].Value.Schema.Value.Pattern; got != fake.ImageIDPattern.String() {
		t.Errorf("image pattern %q, spec says %q", fake.ImageIDPattern, got)
	}
	if got := params["InstanceId"].Value.Schema.Value.Pattern; got != fake.InstanceIDPattern.String() {
		t.Errorf("instance pattern %q, spec says %q", fake.InstanceIDPattern, got)
	}
}

func TestHandlerCanBeMounted(t *testing.T) {
	svc, err := fake.New()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/", svc.Handler())
	req, _ := http.NewRequest(http.MethodGet, "http://example.invalid/v1/regions/cn-north-1/images/"+fake.SeedCentOS, nil)
	req.Header.Set("Content-Type", "application/json")
	if err := signer.New(svc.Credentials(), "vm").Sign(req, nil, "cn-north-1"); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), fake.SeedCentOS) {
		t.Fatalf("got %d %s", rec.Code, rec.Body.String())
	}
}
