package client

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestDeadlinesCancelOverrunsAndStayBounded(t *testing.T) {
	d := newDeadlines(30 * time.Millisecond)
	// Attempts that end in time leave nothing behind and are never cancelled.
	for i := 0; i < 1000; i++ {
		started := time.Now()
		ctx := d.start(context.Background())
		ctx.end()
		// Only an attempt descheduled past its deadline before it ended may be.
		if (ctx.expired() || ctx.Err() != nil) && time.Since(started) < d.timeout {
			t.Fatal("an attempt that ended in time was cancelled as overrun")
		}
	}
	d.mu.Lock()
	queued := len(d.queue) - d.head
	d.mu.Unlock()
	if queued > 1 {
		t.Fatalf("%d ended attempts still queued", queued)
	}
	// An attempt that overruns is cancelled with the deadline's cause.
	ctx := d.start(context.Background())
	end := ctx.end
	defer end()
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("an overrunning attempt was not cancelled")
	}
	if !ctx.expired() || ctx.Err() != context.Canceled {
		t.Fatalf("expired %v, err %v", ctx.expired(), ctx.Err())
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

func TestAttemptContextFollowsItsParent(t *testing.T) {
	type key struct{}
	parent, cancel := context.WithCancelCause(context.WithValue(context.Background(), key{}, "v"))
	d := newDeadlines(time.Hour)
	a := d.start(parent)
	end := a.end
	defer end()
	if a.Value(key{}) != "v" {
		t.Fatal("the parent's values are not seen")
	}
	derived, stop := context.WithCancel(a) // as net/http derives its own
	defer stop()
	cause := errors.New("caller gave up")
	cancel(cause)
	select {
	case <-derived.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the parent's cancellation did not reach a derived context")
	}
	if a.Err() != context.Canceled || a.expired() || context.Cause(derived) != cause {
		t.Fatalf("err %v, expired %v, derived cause %v", a.Err(), a.expired(), context.Cause(derived))
	}
}

func TestAttemptContextCancelsDerivedContexts(t *testing.T) {
	d := newDeadlines(20 * time.Millisecond)
	// An overrun cancels what was derived.
	a := d.start(context.Background())
	end := a.end
	derived, stop := context.WithCancel(a)
	defer stop()
	select {
	case <-derived.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("an overrun did not reach a derived context")
	}
	if !a.expired() {
		t.Fatal("not marked expired")
	}
	end()

	// Ending an attempt cancels what is still derived from it, and nothing once
	// the derived contexts are gone (a watcher whose deadline never comes, so that a
	// slow machine cannot turn these into overruns).
	d = newDeadlines(time.Hour)
	a = d.start(context.Background())
	end = a.end
	derived, stop = context.WithCancel(a)
	end()
	<-derived.Done()
	stop()
	if a.expired() {
		t.Fatal("an ended attempt marked expired")
	}
	a = d.start(context.Background())
	end = a.end
	derived, stop = context.WithCancel(a)
	stop() // net/http cancels its own context once the body was read
	end()
	if a.Err() != nil {
		t.Fatalf("an attempt with nothing derived left was cancelled at its end: %v", a.Err())
	}

	// context.AfterFunc runs the caller's function, and stop works.
	a = d.start(context.Background())
	end = a.end
	ran := make(chan struct{})
	context.AfterFunc(a, func() { close(ran) })
	unused := context.AfterFunc(a, func() { t.Error("a stopped function ran") })
	if !unused() {
		t.Fatal("stop did not stop")
	}
	a.cancel(context.Canceled, errAttemptDeadline)
	<-ran
	end()
	// After the end: a new registration runs at once.
	again := make(chan struct{})
	context.AfterFunc(a, func() { close(again) })
	<-again
}

func TestAttemptContextsUnderRace(t *testing.T) {
	d := newDeadlines(time.Millisecond)
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for i := 0; i < 300; i++ {
				a := d.start(parent)
				end := a.end
				derived, stop := context.WithCancel(a)
				if i%3 == 0 {
					time.Sleep(2 * time.Millisecond) // overrun
					<-derived.Done()
				}
				stop()
				end()
			}
		})
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(60 * time.Second):
		t.Fatal("attempts did not finish: a deadlock between the attempt context and the contexts derived from it")
	}
}

// countingParent is a caller's context that can be cancelled and counts the
// functions registered with it and not yet stopped.
type countingParent struct {
	context.Context
	done chan struct{}
	live atomic.Int64
}

func (p *countingParent) Done() <-chan struct{} { return p.done }

func (p *countingParent) AfterFunc(func()) func() bool {
	p.live.Add(1)
	var once sync.Once
	return func() bool {
		stopped := false
		once.Do(func() { p.live.Add(-1); stopped = true })
		return stopped
	}
}

func TestEndedAttemptsLeaveNothingWithTheirParent(t *testing.T) {
	parent := &countingParent{Context: context.Background(), done: make(chan struct{})}
	d := newDeadlines(time.Hour)
	for i := 0; i < 1000; i++ {
		a := d.start(parent)
		derived, stop := context.WithCancel(a)
		if i%2 == 0 {
			stop() // as net/http cancels its own before the attempt ends
		}
		a.end()
		stop()
		<-derived.Done()
	}
	if n := parent.live.Load(); n != 0 {
		t.Fatalf("%d registrations with the caller's context outlived their attempts", n)
	}
}
