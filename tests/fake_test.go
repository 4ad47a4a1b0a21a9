package tests

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/fake"
	"github.com/vmimage/vmimage/validate"
)

// newPair starts a fake and a real client that share a manual clock.
func newPair(t *testing.T, copts ...client.Option) (*fake.Server, *client.Client, *validate.Transport) {
	t.Helper()
	clock := fake.NewManualClock(time.Now().Truncate(time.Second))
	srv := fake.StartTest(t, fake.WithClock(clock))
	vt := validator(t).Transport(nil)
	c, err := client.New(append([]client.Option{
		client.WithEndpoint(srv.URL),
		client.WithCredentials(srv.Credentials()),
		client.WithHTTPClient(&http.Client{Transport: vt}),
		client.WithClock(clock),
	}, copts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c, vt
}

// TestClientAgainstFakeEverySeededImage drives the real client through the fake for
// every seeded image, with every exchange validated against the spec.
func TestClientAgainstFakeEverySeededImage(t *testing.T) {
	srv, c, vt := newPair(t)
	for _, e := range srv.Images().List() {
		img, resp, err := c.DescribeImage(context.Background(), e.Region, *e.Image.ImageId)
		if err != nil {
			t.Fatalf("%s: %v", *e.Image.ImageId, err)
		}
		if *img.ImageId != *e.Image.ImageId || resp.RequestID == "" || img.Status == nil {
			t.Errorf("%s: got %+v (%q)", *e.Image.ImageId, img, resp.RequestID)
		}
	}
	if err := vt.Err(); err != nil {
		t.Fatal(err)
	}
	if vt.Checked() < 9 {
		t.Fatalf("only %d exchanges validated", vt.Checked())
	}
}

// TestClientAgainstFakeEveryFaultKind checks the typed outcome of every fault kind,
// once with retries off (the fault's own error) and once with the default policy
// (a one-shot fault is retried away, where the policy retries it).
func TestClientAgainstFakeEveryFaultKind(t *testing.T) {
	cases := []struct {
		name      string
		fault     fake.Fault
		check     func(t *testing.T, err error)
		retryable bool
	}{
		{"json 503", fake.Fault{Kind: fake.FaultStatus, Status: 503, RetryAfter: "2"}, func(t *testing.T, err error) {
			var ae *client.APIError
			if !errors.As(err, &ae) || ae.Status != "HTTP_SERVICE_UNAVAILABLE" || ae.RetryAfter != 2*time.Second {
				t.Fatalf("got %v", err)
			}
		}, true},
		{"json 429", fake.Fault{Kind: fake.FaultStatus, Status: 429}, func(t *testing.T, err error) {
			if !errors.Is(err, client.ErrThrottled) {
				t.Fatalf("got %v", err)
			}
		}, true},
		{"json 403", fake.Fault{Kind: fake.FaultStatus, Status: 403}, func(t *testing.T, err error) {
			if !errors.Is(err, client.ErrForbidden) {
				t.Fatalf("got %v", err)
			}
		}, false},
		{"html 502", fake.Fault{Kind: fake.FaultHTML, Status: 502}, func(t *testing.T, err error) {
			var ue *client.UnexpectedResponseError
			if !errors.As(err, &ue) || ue.StatusCode != 502 || ue.Reason != "not a JSON response" {
				t.Fatalf("got %v", err)
			}
		}, true},
		{"connection closed", fake.Fault{Kind: fake.FaultCloseConnection}, func(t *testing.T, err error) {
			var re *client.RequestError
			if !errors.As(err, &re) {
				t.Fatalf("got %v", err)
			}
		}, true},
		{"truncated body", fake.Fault{Kind: fake.FaultTruncatedBody}, func(t *testing.T, err error) {
			var re *client.RequestError
			if !errors.As(err, &re) || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("got %v", err)
			}
		}, true},
		{"oversized body", fake.Fault{Kind: fake.FaultOversizedBody}, func(t *testing.T, err error) {
			if !errors.Is(err, client.ErrResponseTooLarge) {
				t.Fatalf("got %v", err)
			}
		}, false},
		{"wrong content type", fake.Fault{Kind: fake.FaultWrongContentType}, func(t *testing.T, err error) {
			var ue *client.UnexpectedResponseError
			if !errors.As(err, &ue) || ue.StatusCode != 200 || ue.ContentType != "text/plain; charset=utf-8" {
				t.Fatalf("got %v", err)
			}
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, cl, _ := newPair(t, client.WithRetryPolicy(client.NoRetries()))
			f := c.fault
			f.Times = 1
			if err := srv.Inject(f); err != nil {
				t.Fatal(err)
			}
			_, _, err := cl.DescribeImage(context.Background(), "cn-north-1", fake.SeedCentOS)
			c.check(t, err)

			srv, cl, _ = newPair(t)
			if err := srv.Inject(f); err != nil {
				t.Fatal(err)
			}
			img, _, err := cl.DescribeImage(context.Background(), "cn-north-1", fake.SeedCentOS)
			if c.retryable {
				if err != nil || *img.ImageId != fake.SeedCentOS {
					t.Fatalf("retryable fault not retried away: %v", err)
				}
				if n := len(srv.Requests()); n != 2 {
					t.Errorf("%d requests, want 2", n)
				}
			} else {
				c.check(t, err)
				if n := len(srv.Requests()); n != 1 {
					t.Errorf("non-retryable fault sent %d requests", n)
				}
			}
		})
	}
}

func TestClientAgainstFakeLifecycle(t *testing.T) {
	clock := fake.NewManualClock(time.Now().Truncate(time.Second))
	srv := fake.StartTest(t, fake.WithClock(clock))
	c, err := client.New(client.WithEndpoint(srv.URL), client.WithCredentials(srv.Credentials()), client.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := c.DescribeImage(context.Background(), "cn-north-1", fake.SeedPending)
	if err != nil || *img.Status != api.ImageStatusPending || *img.Progress != "0" {
		t.Fatalf("got %v %v", img, err)
	}
	clock.Advance(fake.SeedPendingDuration)
	img, _, err = c.DescribeImage(context.Background(), "cn-north-1", fake.SeedPending)
	if err != nil || *img.Status != api.ImageStatusReady || *img.Progress != "100" {
		t.Fatalf("got %v %v", img, err)
	}
}
