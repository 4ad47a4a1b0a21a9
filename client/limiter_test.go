package client_test

import (
	"testing"

	"github.com/vmimage/vmimage/client"
)

// TestTinyRateLimitStillWaits: WithRateLimit accepts any positive rate; a rate so
// small that the wait for the next token is past what a time.Duration holds must
// wait as long as it can, not wrap to a negative wait and send at once.
func TestTinyRateLimitStillWaits(t *testing.T) {
	s := newServer(t, ok())
	tc := newClient(t, s, client.WithRateLimit(1e-12, 1))
	_, _ = call(operations[0], tc)
	_, _ = call(operations[0], tc)
	got := tc.clock.Sleeps()
	if len(got) != 1 || got[0] <= 0 {
		t.Errorf("sleeps = %v, want one long wait", got)
	}
}
