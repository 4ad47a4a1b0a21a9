package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
)

// A caller who gives up during a hung attempt gets its own context's error at once:
// no attempt timeout, no retry.
func TestCallerCancelEndsTheAttempt(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	arrived := make(chan struct{}, 1)
	hang := func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}
	s := newServer(t, hang)
	tc := newClient(t, s) // the default attempt timeout: far away
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	_, _, err := tc.DescribeImage(ctx, "cn-north-1", "img-abc12345")
	if !errors.Is(err, context.Canceled) || errors.Is(err, client.ErrAttemptTimeout) {
		t.Fatalf("got %v, want context.Canceled and no attempt timeout", err)
	}
	wantRequests(t, s, 1)
}

// A shorter Timeout on the caller's http.Client is the per-attempt timeout, with or
// without a cookie jar (one transport path for both).
func TestCallersShorterHTTPTimeoutBoundsEachAttempt(t *testing.T) {
	for _, jar := range []bool{false, true} {
		release := make(chan struct{})
		hang := func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}
		s := newServer(t, hang, ok())
		hc := &http.Client{Transport: s.Client().Transport, Timeout: 30 * time.Millisecond}
		if jar {
			hc.Jar = noJar{}
		}
		tc := newClient(t, s, client.WithHTTPClient(hc))
		if _, _, err := tc.DescribeImage(context.Background(), "cn-north-1", "img-abc12345"); err != nil {
			t.Fatalf("jar %v: %v", jar, err)
		}
		wantRequests(t, s, 2) // the first attempt timed out and was retried
		close(release)
	}
}

// noJar is a cookie jar that keeps nothing.
type noJar struct{}

func (noJar) SetCookies(*url.URL, []*http.Cookie) {}
func (noJar) Cookies(*url.URL) []*http.Cookie     { return nil }
