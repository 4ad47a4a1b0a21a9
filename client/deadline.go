package client

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// errAttemptDeadline is the cause an attempt's context is cancelled with when its
// per-attempt timeout passes.
var errAttemptDeadline = errors.New("per-attempt timeout")

// deadlines bounds attempts with one timer per client instead of one per attempt: an
// attempt registers its context, and a goroutine, running only while some attempt is
// registered, cancels those that overrun. Every attempt of a client has the same
// timeout, so deadlines arrive in order: the queue is FIFO, an attempt that ends
// marks its context ended (no lock), and ended ones are dropped from the front as the
// queue moves.
type deadlines struct {
	timeout time.Duration

	mu      sync.Mutex
	queue   []*attemptContext
	head    int
	running bool
	wake    *time.Timer
}

func newDeadlines(timeout time.Duration) *deadlines { return &deadlines{timeout: timeout} }

// start returns the attempt's context, cancelled with errAttemptDeadline once the
// timeout passes; its end method ends the attempt (it must be called).
func (d *deadlines) start(ctx context.Context) *attemptContext {
	a := newAttemptContext(ctx, time.Now().Add(d.timeout))
	d.mu.Lock()
	d.dropEnded()
	d.queue = append(d.queue, a)
	if !d.running {
		d.running = true
		if d.wake == nil {
			d.wake = time.AfterFunc(d.timeout, d.expire)
		} else {
			d.wake.Reset(d.timeout)
		}
	}
	d.mu.Unlock()
	return a
}

// dropEnded removes ended attempts from the front of the queue (d.mu held).
func (d *deadlines) dropEnded() {
	for d.head < len(d.queue) && d.queue[d.head].ended.Load() {
		d.queue[d.head] = nil
		d.head++
	}
	if d.head == len(d.queue) {
		d.queue, d.head = d.queue[:0], 0
	} else if d.head > 64 && d.head > len(d.queue)/2 {
		n := copy(d.queue, d.queue[d.head:])
		clear(d.queue[n:])
		d.queue, d.head = d.queue[:n], 0
	}
}

// expire cancels the attempts past their deadline and sleeps until the next one.
func (d *deadlines) expire() {
	now := time.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.head < len(d.queue) {
		a := d.queue[d.head]
		if !a.ended.Load() {
			if now.Before(a.at) {
				d.wake.Reset(a.at.Sub(now))
				return
			}
			a.cancel(context.Canceled, errAttemptDeadline)
		}
		d.queue[d.head] = nil
		d.head++
	}
	d.queue, d.head = d.queue[:0], 0
	d.running = false
}

// attemptContext is the context of one attempt: its parent's values and
// cancellation, and the client's per-attempt deadline, which the deadline watcher
// enforces. It costs less than a context.WithCancelCause per attempt: net/http
// derives its own context from the request's, and registers with this one through
// its AfterFunc method (one function kept) instead of a map of children; an attempt
// that ends in time needs no cancellation at all.
type attemptContext struct {
	context.Context // the parent: values, deadline

	at    time.Time // the attempt's deadline
	done  chan struct{}
	ended atomic.Bool // set by end: the watcher leaves it alone

	mu         sync.Mutex
	err, cause error
	after      []*afterFunc
	stopParent func() bool // unregisters from a parent that can be cancelled
}

type afterFunc struct{ f func() }

func newAttemptContext(parent context.Context, at time.Time) *attemptContext {
	a := &attemptContext{Context: parent, at: at, done: make(chan struct{})}
	if parent.Done() != nil {
		a.stopParent = context.AfterFunc(parent, func() { a.cancel(parent.Err(), context.Cause(parent)) })
	}
	return a
}

// Done is closed when the parent is done or the attempt's deadline passed.
func (a *attemptContext) Done() <-chan struct{} { return a.done }

// Err is the parent's error, or context.Canceled when the deadline passed.
func (a *attemptContext) Err() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}

// expired says whether the watcher cancelled the attempt for its deadline.
func (a *attemptContext) expired() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cause == errAttemptDeadline
}

// AfterFunc arranges to call f once the context is done; stop unregisters f,
// reporting whether it did so before f was started. The context package calls it for
// every context derived from this one (net/http's, context.AfterFunc's), with an f
// that only cancels the derived context: when this context is cancelled later, f runs
// synchronously, after the lock, as a context.WithCancel runs its children's
// cancellation (context.AfterFunc starts the caller's own function in a goroutine of
// its own). When it is done already, f runs in a goroutine of its own: the context
// package calls AfterFunc holding the derived context's lock, which f takes.
func (a *attemptContext) AfterFunc(f func()) (stop func() bool) {
	af := &afterFunc{f}
	a.mu.Lock()
	if a.err != nil {
		a.mu.Unlock()
		go f()
		return func() bool { return false }
	}
	a.after = append(a.after, af)
	a.mu.Unlock()
	return func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		for i, g := range a.after {
			if g == af {
				a.after = append(a.after[:i], a.after[i+1:]...)
				return true
			}
		}
		return false
	}
}

// cancel makes the context done with err and cause, once.
func (a *attemptContext) cancel(err, cause error) {
	a.mu.Lock()
	if a.err != nil {
		a.mu.Unlock()
		return
	}
	if cause == nil {
		cause = err
	}
	a.err, a.cause = err, cause
	close(a.done)
	after := a.after
	a.after = nil
	a.mu.Unlock()
	for _, af := range after {
		af.f()
	}
}

// end ends the attempt: the watcher no longer cancels it, it stops following its
// parent, and the contexts still derived from it are cancelled. Usually none is left:
// net/http cancels its own once the response body was read to its end or closed.
func (a *attemptContext) end() {
	a.ended.Store(true)
	if a.stopParent != nil {
		a.stopParent()
	}
	a.mu.Lock()
	pending := len(a.after) > 0
	a.mu.Unlock()
	if pending {
		a.cancel(context.Canceled, nil)
	}
}
