package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
)

// TestReadAPIInputIsRefusedBeforeSending checks every parameter of the new calls: an
// *InvalidParameterError naming it, and no request.
func TestReadAPIInputIsRefusedBeforeSending(t *testing.T) {
	s := newServer(t, ok())
	tc := newClient(t, s)
	ctx := context.Background()
	public := api.ImageSourcePublic
	many := make([]string, client.MaxIDs+1)
	for i := range many {
		many[i] = fmt.Sprintf("img-a%d", i)
	}
	images := func(f client.ImageFilter, p client.Page) error {
		_, _, err := tc.DescribeImages(ctx, "cn-north-1", f, p)
		return err
	}
	cases := []struct {
		name, param, reason string
		err                 error
	}{
		{"no source, no ids", "imageSource", "required unless ids", images(client.ImageFilter{}, client.Page{})},
		{"unknown source", "imageSource", `"galaxy" is not one of`, images(client.ImageFilter{Source: "galaxy"}, client.Page{})},
		{"page size 5", "pageSize", "5 is below the minimum 10", images(client.ImageFilter{Source: public}, client.Page{Size: 5})},
		{"page size 101", "pageSize", "101 is above the maximum 100", images(client.ImageFilter{Source: public}, client.Page{Size: 101})},
		{"page number -1", "pageNumber", "-1 is below the minimum 1", images(client.ImageFilter{Source: public}, client.Page{Number: -1})},
		{"101 ids", "ids", "101 elements, at most 100", images(client.ImageFilter{IDs: many}, client.Page{})},
		{"a bad id", "ids[1]", "does not match ^img-", images(client.ImageFilter{IDs: []string{"img-a", "img-b/c"}}, client.Page{})},
		{"an empty id", "ids[0]", "is empty", images(client.ImageFilter{IDs: []string{""}}, client.Page{})},
		{"a bad instance id", "instanceIds[0]", "does not match ^i-", images(client.ImageFilter{Source: public, InstanceIDs: []string{"i- x"}}, client.Page{})},
		{"unknown status", "status", `"archived"`, images(client.ImageFilter{Source: public, Status: "archived"}, client.Page{})},
		{"unknown architecture", "architecture", `"riscv"`, images(client.ImageFilter{Source: public, Architecture: "riscv"}, client.Page{})},
		{"unknown root device", "rootDeviceType", `"tape"`, images(client.ImageFilter{Source: public, RootDeviceType: "tape"}, client.Page{})},
		{"unknown launch permission", "launchPermission", `"friends"`, images(client.ImageFilter{Source: public, LaunchPermission: "friends"}, client.Page{})},
		{"unknown boot mode", "bootMode", `"efi"`, images(client.ImageFilter{Source: public, BootMode: "efi"}, client.Page{})},
		{"name with a control character", "imageName", "does not match", images(client.ImageFilter{Source: public, Name: "a\x1b]0;x\a"}, client.Page{})},
		{"name not UTF-8", "imageName", "UTF-8", images(client.ImageFilter{Source: public, Name: "\xff"}, client.Page{})},
		{"platform too long", "platform", "longer than 64 characters", images(client.ImageFilter{Source: public, Platform: api.Platform(strings.Repeat("x", 257))}, client.Page{})},
	}
	_, _, err := tc.DescribeImages(ctx, "cn/north", client.ImageFilter{Source: public}, client.Page{})
	cases = append(cases, struct {
		name, param, reason string
		err                 error
	}{"bad region", "regionId", "'/'", err})
	_, _, err = tc.DescribeImageConstraintsBatch(ctx, "cn-north-1", many)
	cases = append(cases, struct {
		name, param, reason string
		err                 error
	}{"batch of 101", "ids", "at most 100", err})
	_, _, err = tc.DescribeImageConstraintsBatch(ctx, "cn-north-1", []string{"img-a", ".."})
	cases = append(cases, struct {
		name, param, reason string
		err                 error
	}{"batch with a bad id", "ids[1]", "is shorter than 5", err})
	_, _, err = tc.DescribeImageConstraints(ctx, "cn-north-1", "img-a?b")
	cases = append(cases, struct {
		name, param, reason string
		err                 error
	}{"constraints of a bad id", "imageId", "'?'", err})
	_, _, err = tc.DescribeImageMembers(ctx, "", "img-a")
	cases = append(cases, struct {
		name, param, reason string
		err                 error
	}{"members without region", "regionId", "is empty", err})
	for _, c := range cases {
		var ip *client.InvalidParameterError
		if !errors.As(c.err, &ip) || ip.Param != c.param || !strings.Contains(c.err.Error(), c.reason) || !strings.Contains(c.err.Error(), "invalid "+c.param) {
			t.Errorf("%s: got %v, want invalid %s: ...%s", c.name, c.err, c.param, c.reason)
		}
	}
	wantRequests(t, s, 0)
}

// TestQueryIsCanonicalAndIndexed checks the wire form: arrays indexed from 1 in the
// caller's order, every parameter sorted, RFC 3986 escaping; what is signed is what
// is sent (the server verifies every signature).
func TestQueryIsCanonicalAndIndexed(t *testing.T) {
	s := newServer(t, ok())
	tc := newClient(t, s)
	f := client.ImageFilter{IDs: []string{"img-b", "img-a"}, Name: "Ubuntu 22.04", Source: api.ImageSourcePublic,
		InstanceIDs: []string{"i-z9", "i-a1"}, IncludeOffline: true, Status: api.ImageStatusReady}
	if _, _, err := tc.DescribeImages(context.Background(), "cn-north-1", f, client.Page{Number: 2, Size: 50}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := tc.DescribeImageConstraintsBatch(context.Background(), "cn-north-1", []string{"img-z", "img-y"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := tc.DescribeImageConstraintsBatch(context.Background(), "cn-north-1", nil); err != nil {
		t.Fatal(err)
	}
	reqs := wantRequests(t, s, 3)
	for i, want := range []string{
		"/v1/regions/cn-north-1/images?ids.1=img-b&ids.2=img-a&imageName=Ubuntu%2022.04&imageSource=public&instanceIds.1=i-z9&instanceIds.2=i-a1&offline=true&pageNumber=2&pageSize=50&status=ready",
		"/v1/regions/cn-north-1/imageConstraints?ids.1=img-z&ids.2=img-y",
		"/v1/regions/cn-north-1/imageConstraints",
	} {
		if reqs[i].RawURI != want {
			t.Errorf("request %d:\n got %s\nwant %s", i, reqs[i].RawURI, want)
		}
	}
	tc.assertValid(t)
}

// pager serves DescribeImages from a script: pages[n-1] answers pageNumber n (the
// last one repeats), with totalCount total(n).
type pager struct {
	mu       sync.Mutex
	requests []string
	page     func(n int) (ids []string, total int, status int)
}

func (p *pager) serve(w http.ResponseWriter, r *http.Request) {
	n := 0
	fmt.Sscan(r.URL.Query().Get("pageNumber"), &n)
	p.mu.Lock()
	p.requests = append(p.requests, r.URL.RawQuery)
	p.mu.Unlock()
	ids, total, status := p.page(n)
	if status != 0 {
		apiErr(status, "INVALID_ARGUMENT", "page refused")(w, r)
		return
	}
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"imageId":%q}`, id)
	}
	writeJSON(w, 200, fmt.Sprintf(`{"requestId":"r%d","result":{"totalCount":%d,"images":[%s]}}`, n, total, b.String()))
}

func ids(prefix string, from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("img-%s%03d", prefix, i))
	}
	return out
}

func collect(t *testing.T, c *client.Client, ctx context.Context, stopAfter int) ([]string, error) {
	t.Helper()
	var got []string
	for img, err := range c.AllImages(ctx, "cn-north-1", client.ImageFilter{Source: api.ImageSourcePublic}) {
		if err != nil {
			return got, err
		}
		got = append(got, *img.ImageId)
		if len(got) == stopAfter {
			break
		}
	}
	return got, nil
}

func TestAllImagesPaging(t *testing.T) {
	cases := []struct {
		name      string
		page      func(n int) ([]string, int, int)
		stopAfter int
		want      int // images yielded
		requests  int
		err       string
	}{
		{"three pages", func(n int) ([]string, int, int) {
			return ids("a", (n-1)*100, min(n*100, 250)), 250, 0
		}, 0, 250, 3, ""},
		{"exactly two full pages", func(n int) ([]string, int, int) { return ids("a", (n-1)*100, n*100), 200, 0 }, 0, 200, 2, ""},
		{"the service caps pages at 50", func(n int) ([]string, int, int) {
			return ids("a", (n-1)*50, min(n*50, 200)), 200, 0
		}, 0, 200, 4, ""},
		{"nothing matches", func(n int) ([]string, int, int) { return nil, 0, 0 }, 0, 0, 1, ""},
		{"empty page before totalCount", func(n int) ([]string, int, int) {
			if n == 1 {
				return ids("a", 0, 100), 300, 0
			}
			return nil, 300, 0
		}, 0, 100, 2, ""},
		{"an image shifts to the next page", func(n int) ([]string, int, int) {
			if n == 1 {
				return ids("a", 0, 100), 150, 0
			}
			return ids("a", 99, 150), 151, 0 // img-a099 again: an image was inserted before it
		}, 0, 150, 2, ""},
		{"the service repeats its first page", func(n int) ([]string, int, int) { return ids("a", 0, 100), 1000, 0 }, 0, 100, 2, ""},
		{"the caller breaks", func(n int) ([]string, int, int) { return ids("a", (n-1)*100, n*100), 1000, 0 }, 1, 1, 1, ""},
		{"a page fails", func(n int) ([]string, int, int) {
			if n == 2 {
				return nil, 0, 400
			}
			return ids("a", (n-1)*100, n*100), 300, 0
		}, 0, 100, 2, "page refused"},
	}
	for _, inFlight := range []int{1, client.DefaultPagesInFlight} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%d in flight", c.name, inFlight), func(t *testing.T) {
				p := &pager{page: c.page}
				s := newServer(t, p.serve)
				tc := newClient(t, s, client.WithPagesInFlight(inFlight))
				got, err := collect(t, tc.Client, context.Background(), c.stopAfter)
				switch {
				case c.err == "" && err != nil:
					t.Fatalf("error %v", err)
				case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
					t.Fatalf("error %v, want %q", err, c.err)
				}
				if len(got) != c.want {
					t.Errorf("yielded %d images, want %d", len(got), c.want)
				}
				seen := map[string]bool{}
				for _, id := range got {
					if seen[id] {
						t.Errorf("%s yielded twice", id)
					}
					seen[id] = true
				}
				p.mu.Lock()
				requests := slices.Clone(p.requests)
				p.mu.Unlock()
				if inFlight == 1 {
					// One page after the other: exactly the pages needed, in order.
					if len(requests) != c.requests {
						t.Errorf("%d requests, want %d: %v", len(requests), c.requests, requests)
					}
					for i, q := range requests {
						if want := fmt.Sprintf("imageSource=public&pageNumber=%d&pageSize=100", i+1); q != want {
							t.Errorf("request %d: %s, want %s", i, q, want)
						}
					}
				} else {
					// Concurrently: every page needed, each once, and no more than
					// the pages in flight beyond them.
					asked := map[string]bool{}
					for _, q := range requests {
						if asked[q] {
							t.Errorf("%s requested twice", q)
						}
						asked[q] = true
					}
					for n := 1; n <= c.requests; n++ {
						if q := fmt.Sprintf("imageSource=public&pageNumber=%d&pageSize=100", n); !asked[q] {
							t.Errorf("page %d never requested: %v", n, requests)
						}
					}
					if len(requests) > c.requests+inFlight-1 {
						t.Errorf("%d requests, want at most %d: %v", len(requests), c.requests+inFlight-1, requests)
					}
				}
				tc.assertValid(t)
			})
		}
	}
}

func TestAllImagesIsLazyAndStopsWithTheContext(t *testing.T) {
	for _, inFlight := range []int{1, client.DefaultPagesInFlight} {
		p := &pager{page: func(n int) ([]string, int, int) { return ids("a", (n-1)*100, n*100), 1000, 0 }}
		s := newServer(t, p.serve)
		tc := newClient(t, s, client.WithPagesInFlight(inFlight))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		seq := tc.AllImages(ctx, "cn-north-1", client.ImageFilter{Source: api.ImageSourcePublic})
		if len(p.requests) != 0 {
			t.Fatal("AllImages sent a request before the loop started")
		}
		n, errs := 0, 0
		for _, err := range seq {
			if err != nil {
				errs++
				if !errors.Is(err, context.Canceled) {
					t.Errorf("error %v, want context.Canceled", err)
				}
				continue
			}
			if n++; n == 150 {
				cancel()
			}
		}
		p.mu.Lock()
		requests := len(p.requests)
		p.mu.Unlock()
		// The context ends in the middle of page 2: not one image more.
		if n != 150 || errs != 1 || requests < 2 || requests > 1+inFlight {
			t.Errorf("%d in flight: %d images, %d errors, %d requests; want 150, 1, 2 to %d", inFlight, n, errs, requests, 1+inFlight)
		}
	}
}

func TestAllImagesFollowsAGrowingTotal(t *testing.T) {
	// The service announces one more page each time, up to 5: every image once, and
	// no request past the last page it announced.
	p := &pager{page: func(n int) ([]string, int, int) { return ids("a", (n-1)*100, n*100), min(100+100*n, 500), 0 }}
	s := newServer(t, p.serve)
	got, err := collect(t, newClient(t, s).Client, context.Background(), 0)
	if err != nil || len(got) != 500 || len(p.requests) != 5 {
		t.Fatalf("%d images, %d requests, err %v", len(got), len(p.requests), err)
	}
}
