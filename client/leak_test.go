package client_test

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
)

// TestNoGoroutineOutlivesItsCall makes calls that succeed, calls whose attempts run
// past the per-attempt timeout, and calls whose caller gives up, from several
// goroutines with a caller context that can be cancelled; once the server has closed
// its connections, no goroutine of the pipeline is left (attempt contexts, deadline
// watcher, net/http's connection loops).
func TestNoGoroutineOutlivesItsCall(t *testing.T) {
	before := runtime.NumGoroutine()
	release := make(chan struct{})
	hangOrOK := func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("pageSize") == "" && r.URL.Path[len(r.URL.Path)-1] == '9' { // img-slow0009
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		okFor(w, r)
	}
	s := newServer(t, hangOrOK)
	policy := client.DefaultRetryPolicy()
	policy.MaxAttempts = 1
	tc := newClient(t, s, client.WithRetryPolicy(policy))
	short := newClient(t, s, client.WithAttemptTimeout(30*time.Millisecond), client.WithRetryPolicy(policy))

	parent, cancelParent := context.WithCancel(context.Background())
	defer cancelParent()
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Go(func() {
			for i := 0; i < 25; i++ {
				if _, _, err := tc.DescribeImage(parent, "cn-north-1", "img-abc12345"); err != nil {
					t.Error(err)
				}
				if _, _, err := short.DescribeImage(parent, "cn-north-1", "img-slow0009"); !errors.Is(err, client.ErrAttemptTimeout) {
					t.Errorf("a hung attempt: %v", err)
				}
				ctx, cancel := context.WithTimeout(parent, 5*time.Millisecond)
				_, _, err := tc.DescribeImage(ctx, "cn-north-1", "img-slow0009")
				cancel()
				if err == nil {
					t.Error("a call whose caller gave up succeeded")
				}
			}
		})
	}
	wg.Wait()
	close(release)
	s.CloseClientConnections()
	s.Close()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines before, %d after:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}
