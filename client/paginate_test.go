package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// listing is a scripted paged listing of ints for paginate: page n holds the items
// (n-1)*size .. min(n*size, total)-1 unless page overrides it, and it counts the
// fetches started, running and cancelled.
type listing struct {
	size, total int
	// page, when set, answers page n instead (after the bookkeeping).
	page func(ctx context.Context, n int) ([]int, int, error)

	mu        sync.Mutex
	asked     []int
	started   atomic.Int64
	running   atomic.Int64
	maxActive atomic.Int64
	cancelled atomic.Int64
}

func (l *listing) fetch(ctx context.Context, n int) ([]int, int, error) {
	l.mu.Lock()
	l.asked = append(l.asked, n)
	l.mu.Unlock()
	l.started.Add(1)
	r := l.running.Add(1)
	for m := l.maxActive.Load(); r > m && !l.maxActive.CompareAndSwap(m, r); m = l.maxActive.Load() {
	}
	defer l.running.Add(-1)
	if l.page != nil {
		items, total, err := l.page(ctx, n)
		if errors.Is(err, context.Canceled) {
			l.cancelled.Add(1)
		}
		return items, total, err
	}
	return l.items(n), l.total, nil
}

func (l *listing) items(n int) []int {
	var out []int
	for i := (n - 1) * l.size; i < min(n*l.size, l.total); i++ {
		out = append(out, i)
	}
	return out
}

// hang blocks until ctx ends (a page in flight that is never answered).
func hang(ctx context.Context) ([]int, int, error) {
	<-ctx.Done()
	return nil, 0, ctx.Err()
}

func (l *listing) seq(ctx context.Context, inFlight int) func(yield func(int, error) bool) {
	return paginate(ctx, pager[int]{
		inFlight: inFlight,
		fetch: func(ctx context.Context, n int) func() ([]int, int, error) {
			items, total, err := l.fetch(ctx, n)
			return func() ([]int, int, error) { return items, total, err }
		},
		key:         func(i int) (string, bool) { return strconv.Itoa(i), true },
		interrupted: func(err error) error { return err },
	})
}

// wantInOrder checks got is 0 .. n-1.
func wantInOrder(t *testing.T, got []int, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("%d items, want %d", len(got), n)
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("item %d is %d: out of order or repeated", i, v)
		}
	}
}

// Pages that finish in any order are yielded in page order, every item once, every
// page fetched once.
func TestPaginateYieldsInPageOrder(t *testing.T) {
	for _, inFlight := range []int{1, 2, 4, 16} {
		for round := 0; round < 20; round++ {
			l := &listing{size: 100, total: 1050}
			l.page = func(ctx context.Context, n int) ([]int, int, error) {
				time.Sleep(time.Duration(rand.IntN(500)) * time.Microsecond) // finish out of order
				return l.items(n), l.total, nil
			}
			var got []int
			for v, err := range l.seq(context.Background(), inFlight) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, v)
			}
			wantInOrder(t, got, 1050)
			if len(l.asked) != 11 {
				t.Fatalf("%d in flight: pages fetched %v, want 1 to 11 once each", inFlight, l.asked)
			}
		}
	}
}

// At most inFlight pages are held at a time (fetching, fetched, or being yielded),
// however slowly the loop consumes them, and the first pages after page 1 are
// fetched at the same time.
func TestPaginateHoldsAtMostThePagesInFlight(t *testing.T) {
	for _, inFlight := range []int{1, 2, 4, 16} {
		l := &listing{size: 10, total: 300}
		// Pages 2 .. inFlight+1 are answered only once all of them are being fetched
		// at once: a pager that did not fetch them concurrently would never finish.
		first := min(inFlight, 29)
		var gate sync.WaitGroup
		gate.Add(first)
		all := make(chan struct{})
		go func() { gate.Wait(); close(all) }()
		l.page = func(ctx context.Context, n int) ([]int, int, error) {
			if inFlight > 1 && n >= 2 && n <= first+1 {
				gate.Done()
				select {
				case <-all:
				case <-time.After(30 * time.Second):
					return nil, 0, errors.New("pages not fetched concurrently")
				}
			}
			return l.items(n), l.total, nil
		}
		if inFlight == 1 {
			gate.Add(-first)
		}
		var got []int
		for v, err := range l.seq(context.Background(), inFlight) {
			if err != nil {
				t.Fatal(err)
			}
			// While item v is yielded, page v/10+1 is in hand: the pages before it are
			// done with, and at most inFlight pages were ever started beyond them.
			if started, done := int(l.started.Load()), v/10; started > done+inFlight {
				t.Fatalf("%d in flight: %d pages started while yielding page %d", inFlight, started, done+1)
			}
			got = append(got, v)
		}
		wantInOrder(t, got, 300)
		if m := l.maxActive.Load(); m > int64(inFlight) {
			t.Errorf("%d pages fetched at once, want at most %d", m, inFlight)
		}
	}
}

// A break, a failed page and the context's end cancel the pages in flight at once:
// when the loop is over, no fetch is still running.
func TestPaginateCancelsWhatIsInFlight(t *testing.T) {
	cases := []struct {
		name string
		page func(ctx context.Context, n int) ([]int, int, error) // pages after 1
		// stop acts at item i and says whether to break.
		stop      func(i int, cancel context.CancelFunc) bool
		wantItems int
		wantErr   error
	}{
		{"break", func(ctx context.Context, n int) ([]int, int, error) { return hang(ctx) },
			func(i int, _ context.CancelFunc) bool { return i == 0 }, 1, nil},
		{"a failed page", func(ctx context.Context, n int) ([]int, int, error) {
			if n == 2 {
				return nil, 0, errBoom
			}
			return hang(ctx)
		}, nil, 100, errBoom},
		{"the context ends in the middle of a page", func(ctx context.Context, n int) ([]int, int, error) {
			return hang(ctx)
		}, func(i int, cancel context.CancelFunc) bool {
			if i == 49 {
				cancel()
			}
			return false
		}, 50, context.Canceled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := &listing{size: 100, total: 1000}
			l.page = func(ctx context.Context, n int) ([]int, int, error) {
				if n == 1 {
					return l.items(1), l.total, nil
				}
				return c.page(ctx, n)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			items, errs := 0, 0
			var gotErr error
			for v, err := range l.seq(ctx, 4) {
				if err != nil {
					errs++
					gotErr = err
					continue
				}
				items++
				if c.stop != nil && c.stop(v, cancel) {
					break
				}
			}
			if items != c.wantItems || (c.wantErr == nil) != (errs == 0) || errs > 1 || !errors.Is(gotErr, c.wantErr) {
				t.Fatalf("%d items, %d errors (%v); want %d items, error %v", items, errs, gotErr, c.wantItems, c.wantErr)
			}
			if n := l.running.Load(); n != 0 {
				t.Fatalf("%d fetches still running after the loop", n)
			}
			hung := l.started.Load() - 1
			if c.name == "a failed page" {
				hung-- // page 2 failed by itself
			}
			if hung < 1 || l.cancelled.Load() != hung {
				t.Errorf("%d pages in flight, %d cancelled", hung, l.cancelled.Load())
			}
		})
	}
}

var errBoom = errors.New("page refused")

// A failed page is yielded after the pages before it, however soon it failed.
func TestPaginateYieldsErrorsInPageOrder(t *testing.T) {
	l := &listing{size: 100, total: 1000}
	failed := make(chan struct{})
	l.page = func(ctx context.Context, n int) ([]int, int, error) {
		switch n {
		case 2:
			<-failed // page 3 has failed already
		case 3:
			defer close(failed)
			return nil, 0, errBoom
		}
		return l.items(n), l.total, nil
	}
	var got []int
	var gotErr error
	for v, err := range l.seq(context.Background(), 4) {
		if err != nil {
			gotErr = err
			continue
		}
		got = append(got, v)
	}
	wantInOrder(t, got, 200)
	if !errors.Is(gotErr, errBoom) {
		t.Fatalf("error %v", gotErr)
	}
}

// A service that answers shorter pages than asked (a gateway's cap) is followed to
// the total, whether every page is short or only those after the first.
func TestPaginateFollowsShortPages(t *testing.T) {
	for _, inFlight := range []int{1, 4} {
		l := &listing{size: 30, total: 200}
		var got []int
		for v, err := range l.seq(context.Background(), inFlight) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, v)
		}
		wantInOrder(t, got, 200)
		if len(l.asked) != 7 {
			t.Errorf("%d in flight: pages %v, want 1 to 7", inFlight, l.asked)
		}

		// Page 1 full (100), the others capped at 50.
		l = &listing{total: 300}
		l.page = func(ctx context.Context, n int) ([]int, int, error) {
			from, to := 0, 100
			if n > 1 {
				from, to = 100+(n-2)*50, 100+(n-1)*50
			}
			var out []int
			for i := from; i < min(to, 300); i++ {
				out = append(out, i)
			}
			return out, 300, nil
		}
		got = got[:0]
		for v, err := range l.seq(context.Background(), inFlight) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, v)
		}
		wantInOrder(t, got, 300)
		seen := map[int]bool{}
		for _, n := range l.asked {
			if seen[n] {
				t.Errorf("page %d fetched twice", n)
			}
			seen[n] = true
		}
	}
}
