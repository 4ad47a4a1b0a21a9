package client

import (
	"context"
	"testing"
	"time"
)

func TestDeadlinesCancelOverrunsAndStayBounded(t *testing.T) {
	d := newDeadlines(30 * time.Millisecond)
	// Attempts that end in time leave nothing behind and are never cancelled.
	for i := 0; i < 1000; i++ {
		ctx, end := d.start(context.Background())
		end()
		if context.Cause(ctx) == errAttemptDeadline {
			t.Fatal("an attempt that ended was cancelled as overrun")
		}
	}
	d.mu.Lock()
	queued := len(d.queue) - d.head
	d.mu.Unlock()
	if queued > 1 {
		t.Fatalf("%d ended attempts still queued", queued)
	}
	// An attempt that overruns is cancelled with the deadline's cause.
	ctx, end := d.start(context.Background())
	defer end()
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("an overrunning attempt was not cancelled")
	}
	if context.Cause(ctx) != errAttemptDeadline {
		t.Fatalf("cause %v", context.Cause(ctx))
	}
	// With nothing left to watch, the watcher stops.
	for i := 0; i < 100; i++ {
		d.mu.Lock()
		running := d.running
		d.mu.Unlock()
		if !running {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Error("the watcher kept running with no attempt registered")
}
