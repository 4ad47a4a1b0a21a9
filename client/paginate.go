package client

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"sync"

	"github.com/vmimage/vmimage/client/api"
)

// Pages in flight while listing: AllImages fetches the pages after the first
// concurrently, at most this many at a time.
const (
	// DefaultPagesInFlight is the number of pages AllImages holds at a time
	// (fetching, or fetched and waiting for the loop) unless WithPagesInFlight says
	// otherwise.
	DefaultPagesInFlight = 4
	// MaxPagesInFlight is the most WithPagesInFlight accepts.
	MaxPagesInFlight = 16
)

// WithPagesInFlight sets how many pages AllImages holds at a time once the first page
// gave the total: from 1 (one page after the other) to MaxPagesInFlight. A rate limit
// (WithRateLimit) still governs every request.
func WithPagesInFlight(n int) Option {
	return func(cfg *config) error {
		if n < 1 || n > MaxPagesInFlight {
			return fmt.Errorf("WithPagesInFlight: %d is not between 1 and %d", n, MaxPagesInFlight)
		}
		cfg.pagesInFlight = n
		return nil
	}
}

// AllImages returns an iterator over every image in a region that matches f, in the
// service's order. Nothing is fetched until the loop starts. The first page (of
// MaxPageSize images) gives the total; the pages after it are fetched concurrently,
// at most WithPagesInFlight (DefaultPagesInFlight) pages held at a time (the one being
// yielded included: 1 fetches each page once the previous one is used up), and their
// images yielded in page order. The rate limit (WithRateLimit) governs every request.
//
// The iteration stops once the images received reach the latest TotalCount, at an
// empty page, or at a page that brings no image not already yielded (so it never
// loops forever on a service that repeats a page). A service that answers shorter
// pages than asked is followed page after page until the total. An image whose id
// was already yielded is skipped, so an image that moves between pages while they are
// read is yielded once. A failed page is yielded once, in page order, as (zero Image,
// error) and ends the iteration; so does the context ending, at once, even in the
// middle of a page. Breaking out of the loop, an error and the context's end cancel
// the pages in flight, and no goroutine is left when the loop is over.
//
//	for img, err := range c.AllImages(ctx, "cn-north-1", client.ImageFilter{Source: "public"}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(*img.ImageId)
//	}
func (c *Client) AllImages(ctx context.Context, regionID string, f ImageFilter) iter.Seq2[api.Image, error] {
	op := Operation{Service: Service, Name: opDescribeImages.name, Region: regionID}
	return paginate(ctx, pager[api.Image]{
		inFlight: c.pagesInFlight(),
		fetch: func(ctx context.Context, n int) func() ([]api.Image, int, error) {
			page := fetchPage[api.DescribeImagesResult](ctx, c, c.imagesCall(regionID, f, Page{Number: n, Size: MaxPageSize}))
			return func() ([]api.Image, int, error) {
				res, err := page()
				if err != nil {
					return nil, 0, err
				}
				return res.Images, res.TotalCount, nil
			}
		},
		key: func(img api.Image) (string, bool) {
			if img.ImageId == nil {
				return "", false
			}
			return *img.ImageId, true
		},
		interrupted: func(err error) error { return &RequestError{Op: op, Err: err} },
	})
}

// fetchPage sends one page's call at once and returns the function that decodes it
// (the pager decodes pages in page order, in the loop's goroutine).
func fetchPage[T any](ctx context.Context, c *Client, cl *call) func() (*T, error) {
	body, resp, err := c.send(ctx, cl)
	return func() (*T, error) {
		if err != nil {
			return nil, err
		}
		out, reqID, err := decodeSuccess[T](cl.operation(), cl.op, resp.StatusCode, resp.Header, body)
		resp.RequestID = reqID
		if err != nil {
			redactBodyError(err, body, c.secrets, cl.signature)
		}
		return out, err
	}
}

func (c *Client) pagesInFlight() int {
	if c.cfg.pagesInFlight == 0 {
		return DefaultPagesInFlight
	}
	return c.cfg.pagesInFlight
}

// pager describes a paged listing to paginate.
type pager[T any] struct {
	// inFlight is the most pages held at a time (>= 1).
	inFlight int
	// fetch gets page n (from 1) and returns the function that gives its items and
	// the total the service announced; the loop calls it when it takes the page, so
	// pages are decoded one after the other, in page order, in the loop's goroutine.
	fetch func(ctx context.Context, n int) (page func() (items []T, total int, err error))
	// key returns an item's identity; items without one (ok false) are never
	// taken for repeats.
	key func(T) (key string, ok bool)
	// interrupted makes the error yielded when the caller's context ends between
	// or within pages.
	interrupted func(error) error
}

// fetchedPage is one page, decoded.
type fetchedPage[T any] struct {
	items []T
	total int
	err   error
}

// paginate returns an iterator over every item of a paged listing, in page order.
//
// Page 1 is fetched alone: it gives the total, and its length the service's page
// size. The pages the total still needs are then fetched concurrently, each in a
// goroutine of its own, while the loop decodes and yields them in page order; a page
// is launched only while fewer than p.inFlight pages are held (fetching, fetched, or
// being yielded), so a slow loop holds at most that many pages. When the pages the total needs are used
// up and it is not reached (a total that grew, or pages shorter than the first), the
// next page is fetched after them, one at a time. Every page is fetched once.
//
// The stop rules are those of AllImages. When the iterator returns (the end, a break,
// an error, the context's end), the pages still in flight are cancelled and waited
// for, so no goroutine outlives the loop.
func paginate[T any](ctx context.Context, p pager[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		fctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		defer wg.Wait() // after cancel: deferred calls run last first
		defer cancel()

		var pending []chan func() ([]T, int, error) // launched pages not yet taken, in page order
		next := 1                                   // the next page to launch
		launch := func() {
			n, ch := next, make(chan func() ([]T, int, error), 1)
			next++
			pending = append(pending, ch)
			wg.Go(func() {
				ch <- p.fetch(fctx, n)
			})
		}
		seen := map[string]struct{}{}
		received, size, total := 0, 0, 0
		// topUp launches the pages the total needs (1 .. ceil(total/size)) while
		// fewer than p.inFlight are held, held of them in the loop's hands.
		topUp := func(held int) {
			if size == 0 {
				return // page 1 not seen yet
			}
			launched := false
			for want := (total + size - 1) / size; len(pending)+held < p.inFlight && next <= want; {
				launch()
				launched = true
			}
			if launched {
				// Let the requests go out before this goroutine decodes and yields
				// pages: a new goroutine otherwise waits for the one that started it.
				runtime.Gosched()
			}
		}
		for page := 1; ; page++ {
			topUp(0)
			if len(pending) == 0 {
				launch() // page 1, or past the pages the total needed: one at a time
			}
			var take func() ([]T, int, error)
			select {
			case take = <-pending[0]:
			case <-ctx.Done():
				yield(zero, p.interrupted(ctx.Err()))
				return
			}
			pending = pending[1:]
			var r fetchedPage[T]
			r.items, r.total, r.err = take()
			if r.err != nil {
				if ctx.Err() != nil {
					r.err = p.interrupted(ctx.Err())
				}
				yield(zero, r.err)
				return
			}
			if page == 1 {
				size = len(r.items)
			}
			total = r.total
			received += len(r.items)
			if received < total {
				topUp(1) // fetched while this page is yielded
			}
			fresh := 0
			for _, item := range r.items {
				if ctx.Err() != nil {
					yield(zero, p.interrupted(ctx.Err()))
					return
				}
				if k, ok := p.key(item); ok {
					if _, dup := seen[k]; dup {
						continue
					}
					seen[k] = struct{}{}
				}
				fresh++
				if !yield(item, nil) {
					return
				}
			}
			if fresh == 0 || received >= total {
				return
			}
		}
	}
}
