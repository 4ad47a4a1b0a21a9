package fake_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vmimage/vmimage/fake"
)

func TestLatencyDelaysEveryAnswerOnTheClock(t *testing.T) {
	h := start(t, []fake.Option{fake.WithLatency(3 * time.Second)})
	before := h.clock.Now()
	if _, _, err := h.c.DescribeImage(context.Background(), "cn-north-1", fake.SeedCentOS); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.c.DescribeImageMembers(context.Background(), "cn-north-1", fake.SeedCentOS); err != nil {
		t.Fatal(err)
	}
	if got := h.clock.Now().Sub(before); got != 6*time.Second {
		t.Errorf("two answers advanced the clock by %s, want 6s", got)
	}
	h.assertValid(t)
}

// untilDone is a clock whose Sleep returns only when its context ends.
type untilDone struct{ started chan struct{} }

func (untilDone) Now() time.Time { return time.Now() }
func (c untilDone) Sleep(ctx context.Context, d time.Duration) error {
	close(c.started)
	<-ctx.Done()
	return ctx.Err()
}

func TestLatencyEndsWithTheRequestsContext(t *testing.T) {
	clock := untilDone{started: make(chan struct{})}
	svc, err := fake.New(fake.WithClock(clock), fake.WithLatency(time.Hour/60))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/v1/regions/cn-north-1/images/"+fake.SeedCentOS, nil)
	rec := httptest.NewRecorder()
	go func() { <-clock.started; cancel() }()
	svc.ServeHTTP(rec, req) // returns once the context ends, not after the latency
	if rec.Body.Len() != 0 || rec.Code != http.StatusOK || len(rec.Header()) != 0 {
		t.Errorf("a request whose client gave up was answered: %d %q", rec.Code, rec.Body.String())
	}
}

func TestLatencyOutOfRangeIsRefused(t *testing.T) {
	for _, d := range []time.Duration{-time.Millisecond, fake.MaxLatency + 1} {
		if _, err := fake.New(fake.WithLatency(d)); err == nil {
			t.Errorf("WithLatency(%s) accepted", d)
		}
	}
	if _, err := fake.New(fake.WithLatency(0)); err != nil {
		t.Error(err)
	}
}
