package client_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/fake"
)

// waitPair is a fake and a client sharing a manual clock: waits take no real time.
func waitPair(t *testing.T) (*fake.Server, *client.Client, *fake.ManualClock) {
	t.Helper()
	clock := fake.NewManualClock(time.Now().Truncate(time.Second))
	srv := fake.StartTest(t, fake.WithClock(clock))
	c, err := client.New(client.WithEndpoint(srv.URL), client.WithCredentials(srv.Credentials()),
		client.WithClock(clock), client.WithRandom(func() float64 { return 0 }))
	if err != nil {
		t.Fatal(err)
	}
	return srv, c, clock
}

func addBuilding(t *testing.T, srv *fake.Server, id string, final api.ImageStatus, d time.Duration) {
	t.Helper()
	if err := srv.Images().Put("cn-north-1", api.Image{ImageId: &id}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Images().Transition("cn-north-1", id, final, d); err != nil {
		t.Fatal(err)
	}
}

func TestWaitUntilReady(t *testing.T) {
	srv, c, clock := waitPair(t)
	addBuilding(t, srv, "img-build0001", api.ImageStatusReady, time.Minute)
	var obs []client.Observation
	img, err := c.WaitUntilImageReady(context.Background(), "cn-north-1", "img-build0001",
		client.WithMaxWait(10*time.Minute), client.WithDelays(2*time.Second, 16*time.Second),
		client.WithObserver(func(o client.Observation) { obs = append(obs, o) }))
	if err != nil {
		t.Fatal(err)
	}
	if *img.Status != api.ImageStatusReady {
		t.Fatalf("status %s", *img.Status)
	}
	// Delays double from 2s to the 16s cap: 2 4 8 16 16 16 (= 62s >= 60s).
	want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 16 * time.Second, 16 * time.Second}
	got := clock.Sleeps()
	if len(got) != len(want) {
		t.Fatalf("sleeps %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sleeps %v, want %v", got, want)
		}
	}
	if len(obs) != 7 {
		t.Fatalf("%d observations", len(obs))
	}
	for i, o := range obs {
		if o.Attempt != i+1 {
			t.Errorf("observation %d: attempt %d", i, o.Attempt)
		}
		if i > 0 && o.Progress < obs[i-1].Progress {
			t.Errorf("progress went down: %d then %d", obs[i-1].Progress, o.Progress)
		}
	}
	if last := obs[len(obs)-1]; last.Status != api.ImageStatusReady || last.Progress != 100 || last.NextDelay != 0 {
		t.Errorf("last observation %+v", last)
	}
	if first := obs[0]; first.Status != api.ImageStatusPending || first.Progress != 0 || first.NextDelay != 2*time.Second {
		t.Errorf("first observation %+v", first)
	}
}

func TestWaitFailures(t *testing.T) {
	srv, c, _ := waitPair(t)
	addBuilding(t, srv, "img-broken001", api.ImageStatusError, 10*time.Second)
	_, err := c.WaitUntilImageReady(context.Background(), "cn-north-1", "img-broken001", client.WithMaxWait(time.Hour))
	var wf *client.WaitFailedError
	if !errors.As(err, &wf) || wf.Image == nil || *wf.Image.Status != api.ImageStatusError || wf.Reason != `status "error"` {
		t.Fatalf("got %v", err)
	}

	_, err = c.WaitUntilImageReady(context.Background(), "cn-south-1", fake.SeedOffline, client.WithMaxWait(time.Hour))
	if !errors.As(err, &wf) || wf.Reason != "image is offline" || wf.Attempts != 1 {
		t.Fatalf("offline: got %v", err)
	}

	deleting := api.ImageStatusDeleting
	id := "img-going0001"
	_ = srv.Images().Put("cn-north-1", api.Image{ImageId: &id, Status: &deleting})
	_, err = c.WaitUntilImageReady(context.Background(), "cn-north-1", id, client.WithMaxWait(time.Hour))
	if !errors.As(err, &wf) || wf.Reason != `status "deleting"` {
		t.Fatalf("deleting: got %v", err)
	}
}

func TestWaitTimeoutPlacesLastPollBeforeDeadline(t *testing.T) {
	srv, c, clock := waitPair(t)
	addBuilding(t, srv, "img-slow00001", api.ImageStatusReady, time.Hour)
	start := clock.Now()
	var polls []time.Time
	_, err := c.WaitUntilImageReady(context.Background(), "cn-north-1", "img-slow00001",
		client.WithMaxWait(45*time.Second), client.WithDelays(4*time.Second, 20*time.Second),
		client.WithObserver(func(o client.Observation) { polls = append(polls, start.Add(o.Elapsed)) }))
	var to *client.WaitTimeoutError
	if !errors.As(err, &to) || to.LastStatus != api.ImageStatusPending || to.LastProgress < 0 || to.MaxWait != 45*time.Second {
		t.Fatalf("got %v", err)
	}
	// Polls at 0, 4, 12, 28; the next 20s delay would pass 45s, so the last poll is
	// moved to 45-2 = 43s.
	last := polls[len(polls)-1].Sub(start)
	if len(polls) != 5 || last != 43*time.Second {
		t.Fatalf("polls at %v (last %s)", polls, last)
	}
	if to.Attempts != 5 {
		t.Errorf("attempts %d", to.Attempts)
	}
}

func TestWaitNotFoundGrace(t *testing.T) {
	srv, c, _ := waitPair(t)
	id := "img-late00001"
	// The image appears at the third poll.
	img, err := c.WaitUntilImageReady(context.Background(), "cn-north-1", id, client.WithMaxWait(time.Hour),
		client.WithNotFoundGrace(time.Minute),
		client.WithObserver(func(o client.Observation) {
			if o.Attempt == 2 {
				if !errors.Is(o.Err, client.ErrNotFound) {
					t.Errorf("observation 2 err %v", o.Err)
				}
				ready := api.ImageStatusReady
				_ = srv.Images().Put("cn-north-1", api.Image{ImageId: &id, Status: &ready})
			}
		}))
	if err != nil || *img.ImageId != id {
		t.Fatalf("got %v", err)
	}

	_, err = c.WaitUntilImageReady(context.Background(), "cn-north-1", "img-never0001", client.WithMaxWait(time.Hour), client.WithNotFoundGrace(10*time.Second))
	var wf *client.WaitFailedError
	if !errors.As(err, &wf) || !errors.Is(err, client.ErrNotFound) || wf.Attempts != 4 {
		t.Fatalf("got %v", err) // polls at 0, 2, 6, 14s: the fourth is past the grace
	}
}

func TestWaitOtherErrorsSurface(t *testing.T) {
	srv, c, _ := waitPair(t)
	if err := srv.Inject(fake.Fault{Kind: fake.FaultStatus, Status: 403}); err != nil {
		t.Fatal(err)
	}
	_, err := c.WaitUntilImageReady(context.Background(), "cn-north-1", fake.SeedPending, client.WithMaxWait(time.Hour))
	if !errors.Is(err, client.ErrForbidden) || len(srv.Requests()) != 1 {
		t.Fatalf("got %v after %d requests", err, len(srv.Requests()))
	}
}

func TestWaitCancelReturnsAtOnce(t *testing.T) {
	srv, c, _ := waitPair(t)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := c.WaitUntilImageReady(ctx, "cn-north-1", fake.SeedPending, client.WithMaxWait(time.Hour),
		client.WithObserver(func(client.Observation) { cancel() }))
	if !errors.Is(err, context.Canceled) || len(srv.Requests()) != 1 {
		t.Fatalf("got %v after %d requests", err, len(srv.Requests()))
	}
}

func TestWaitOptionsValidate(t *testing.T) {
	_, c, _ := waitPair(t)
	for _, c2 := range []struct {
		opts []client.WaitOption
		want string
	}{
		{nil, "WithMaxWait is required"},
		{[]client.WaitOption{client.WithMaxWait(time.Hour), client.WithDelays(time.Minute, time.Second)}, "above the maximum"},
		{[]client.WaitOption{client.WithMaxWait(-time.Second)}, "not positive"},
		{[]client.WaitOption{client.WithMaxWait(time.Hour), client.WithNotFoundGrace(-1)}, "negative"},
		{[]client.WaitOption{client.WithMaxWait(time.Hour), client.WithObserver(nil)}, "nil function"},
	} {
		_, err := c.WaitUntilImageReady(context.Background(), "cn-north-1", fake.SeedPending, c2.opts...)
		var ip *client.InvalidParameterError
		if !errors.As(err, &ip) || !strings.Contains(err.Error(), c2.want) {
			t.Errorf("got %v, want %q", err, c2.want)
		}
	}
}
