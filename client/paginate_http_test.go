package client_test

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
)

func TestPagesInFlightIsValidated(t *testing.T) {
	s := newServer(t, ok())
	for _, n := range []int{0, -1, client.MaxPagesInFlight + 1} {
		_, err := client.New(client.WithEndpoint(s.URL), client.WithPagesInFlight(n))
		var oe *client.OptionError
		if !errors.As(err, &oe) {
			t.Errorf("WithPagesInFlight(%d): %v, want an *OptionError", n, err)
		}
	}
	for _, n := range []int{1, client.MaxPagesInFlight} {
		newClient(t, s, client.WithPagesInFlight(n))
	}
}

// Over HTTP: a break, a failed page and the context's end cancel the requests in
// flight (the server sees them end), and once the server is gone no goroutine of
// the pager or of net/http is left.
func TestAllImagesLeavesNothingRunning(t *testing.T) {
	before := runtime.NumGoroutine()
	var hung, ended atomic.Int64
	p := &pager{page: func(n int) ([]string, int, int) { return ids("a", (n-1)*100, n*100), 1000, 0 }}
	serve := func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query(); q.Get("pageNumber") != "1" {
			if q.Get("pageNumber") == "2" && failPage2.Load() {
				apiErr(400, "INVALID_ARGUMENT", "page refused")(w, r)
				return
			}
			hung.Add(1)
			<-r.Context().Done() // answered never: cancelled by the client
			ended.Add(1)
			return
		}
		p.serve(w, r)
	}
	s := newServer(t, serve)
	tc := newClient(t, s)
	filter := client.ImageFilter{Source: api.ImageSourcePublic}

	for _, how := range []string{"break", "error", "context"} {
		failPage2.Store(how == "error")
		ctx, cancel := context.WithCancel(context.Background())
		n := 0
		var last error
		for _, err := range tc.AllImages(ctx, "cn-north-1", filter) {
			if err != nil {
				last = err
				continue
			}
			n++
			if how == "break" && n == 10 {
				break
			}
			if how == "context" && n == 10 {
				cancel()
			}
		}
		cancel()
		want := map[string]int{"break": 10, "error": 100, "context": 10}[how]
		if n != want || (how == "break") != (last == nil) {
			t.Errorf("%s: %d images, error %v; want %d", how, n, last, want)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for ended.Load() != hung.Load() || hung.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests in flight, %d ended on the server", hung.Load(), ended.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.CloseClientConnections()
	s.Close()
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines before, %d after:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var failPage2 atomic.Bool

// The client's rate limit governs the pages fetched concurrently: 5 pages at one a
// second (burst 1) take at least 4 seconds of the client's clock.
func TestAllImagesKeepsTheRateLimit(t *testing.T) {
	p := &pager{page: func(n int) ([]string, int, int) { return ids("a", (n-1)*100, n*100), 500, 0 }}
	s := newServer(t, p.serve)
	tc := newClient(t, s, client.WithRateLimit(1, 1), client.WithPagesInFlight(4))
	start := tc.clock.Now()
	got, err := collect(t, tc.Client, context.Background(), 0)
	if err != nil || len(got) != 500 {
		t.Fatalf("%d images, %v", len(got), err)
	}
	if waited := tc.clock.Now().Sub(start); waited < 4*time.Second {
		t.Errorf("5 pages at 1 a second took %s of the clock, want at least 4s (sleeps %v)", waited, tc.clock.Sleeps())
	}
}
