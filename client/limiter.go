package client

import (
	"context"
	"math"
	"sync"
	"time"
)

// limiter is a token bucket on the client's Clock: perSecond tokens a second, up to
// burst. A nil limiter does not limit.
type limiter struct {
	clock     Clock
	perSecond float64
	burst     float64

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func newLimiter(perSecond float64, burst int, clock Clock) *limiter {
	if perSecond <= 0 {
		return nil
	}
	return &limiter{clock: clock, perSecond: perSecond, burst: float64(burst), tokens: float64(burst)}
}

// wait takes one token, sleeping (interruptibly) until one is available.
func (l *limiter) wait(ctx context.Context) error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	now := l.clock.Now()
	if !l.last.IsZero() {
		l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.perSecond)
	}
	l.last = now
	l.tokens-- // reserve: may go negative, which queues later callers behind us
	deficit := -l.tokens
	l.mu.Unlock()
	if deficit <= 0 {
		return nil
	}
	d := time.Duration(math.MaxInt64) // a wait past what a Duration holds: as long as it can
	if ns := deficit / l.perSecond * float64(time.Second); ns < float64(math.MaxInt64) {
		d = time.Duration(ns)
	}
	if err := l.clock.Sleep(ctx, d); err != nil {
		l.mu.Lock()
		l.tokens++ // give the reservation back
		l.mu.Unlock()
		return err
	}
	return nil
}
