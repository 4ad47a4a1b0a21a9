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
// attempt registers its deadline and cancel function, and a goroutine, running only
// while some attempt is registered, cancels those that overrun. Every attempt of a
// client has the same timeout, so deadlines arrive in order: the queue is FIFO, an
// attempt that ends marks its entry done (no lock), and done entries are dropped from
// the front as the queue moves.
type deadlines struct {
	timeout time.Duration

	mu      sync.Mutex
	queue   []*deadlineEntry
	head    int
	running bool
	wake    *time.Timer
}

type deadlineEntry struct {
	at     time.Time
	cancel context.CancelCauseFunc
	done   atomic.Bool
}

func newDeadlines(timeout time.Duration) *deadlines { return &deadlines{timeout: timeout} }

// start returns the attempt's context, cancelled with errAttemptDeadline once the
// timeout passes, and the function that ends the attempt (it must be called).
func (d *deadlines) start(ctx context.Context) (context.Context, func()) {
	actx, cancel := context.WithCancelCause(ctx)
	e := &deadlineEntry{at: time.Now().Add(d.timeout), cancel: cancel}
	d.mu.Lock()
	d.dropDone()
	d.queue = append(d.queue, e)
	if !d.running {
		d.running = true
		if d.wake == nil {
			d.wake = time.AfterFunc(d.timeout, d.expire)
		} else {
			d.wake.Reset(d.timeout)
		}
	}
	d.mu.Unlock()
	return actx, func() {
		e.done.Store(true)
		cancel(nil)
	}
}

// dropDone removes ended attempts from the front of the queue (d.mu held).
func (d *deadlines) dropDone() {
	for d.head < len(d.queue) && d.queue[d.head].done.Load() {
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
		e := d.queue[d.head]
		if !e.done.Load() {
			if now.Before(e.at) {
				d.wake.Reset(e.at.Sub(now))
				return
			}
			e.cancel(errAttemptDeadline)
		}
		d.queue[d.head] = nil
		d.head++
	}
	d.queue, d.head = d.queue[:0], 0
	d.running = false
}
