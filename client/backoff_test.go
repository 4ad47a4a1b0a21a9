package client

import (
	"math"
	"testing"
	"time"
)

// TestBackoffDoesNotWrapUnderAHugeMaxDelay: a policy whose MaxDelay is as long as a
// Duration goes (validate accepts it) keeps its backoff between 0 and MaxDelay on
// every attempt: the doubling must not wrap to a negative or zero delay (which
// retried at once, with no wait at all).
func TestBackoffDoesNotWrapUnderAHugeMaxDelay(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 100, BaseDelay: time.Second, MaxDelay: math.MaxInt64}
	if err := p.validate(); err != nil {
		t.Fatal(err)
	}
	prev := time.Duration(0)
	for attempt := 1; attempt < p.MaxAttempts; attempt++ {
		d := p.backoff(attempt, 0.5)
		if d < prev || d <= 0 || d > p.MaxDelay {
			t.Fatalf("attempt %d: backoff %s after %s", attempt, d, prev)
		}
		prev = d
	}
}

// TestWaitDelayDoesNotWrapUnderAHugeMaximum: WithDelays accepts a maximum as long as
// a Duration goes; the waiter's doubling delay must not wrap and fall back to the
// minimum.
func TestWaitDelayDoesNotWrapUnderAHugeMaximum(t *testing.T) {
	var cfg waitConfig
	if err := WithDelays(time.Second, math.MaxInt64)(&cfg); err != nil {
		t.Fatal(err)
	}
	prev := time.Duration(0)
	for attempt := 1; attempt < 100; attempt++ {
		d := waitDelay(cfg, attempt, 0)
		if d < prev || d > cfg.maxDelay {
			t.Fatalf("attempt %d: delay %s after %s", attempt, d, prev)
		}
		prev = d
	}
}
