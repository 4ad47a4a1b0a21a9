package bench

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/internal/apiclient"
	"github.com/vmimage/vmimage/signer"
)

// networkLatency is what a page costs over a network in these benchmarks.
const networkLatency = 20 * time.Millisecond

// BenchmarkNetworkPages lists 1,000 images (10 pages of 100) from a server that
// answers each page after 20 ms, three ways alternated in every iteration (so that load
// changes on a shared machine hit all alike): AllImages with its default pages in
// flight; the page loop a user of the bare generated client writes (signing request
// editor, one page after the other, encoding/json); and AllImages with every page
// after the first at once (10 in flight), the floor for paging that must read page 1
// first. It reports each one's time and the ratios to the loop.
func BenchmarkNetworkPages(b *testing.B) {
	srv := newPagesServer(b, networkLatency)
	f := client.ImageFilter{Source: api.ImageSourcePublic}
	c := newClient(b, srv.URL)
	all := newClient(b, srv.URL, client.WithPagesInFlight(10))
	s := signer.New(signer.Credentials{AccessKey: "ak", SecretKey: "sk"}, "vm")
	sign := func(_ context.Context, req *http.Request) error {
		req.Header.Set("Content-Type", "application/json")
		return s.Sign(req, nil, region)
	}
	gc, err := apiclient.NewClientWithResponses(srv.URL+"/v1/", apiclient.WithHTTPClient(newRawClient()), apiclient.WithRequestEditorFn(sign))
	if err != nil {
		b.Fatal(err)
	}
	loop := func() int {
		public, size, n := api.ImageSourcePublic, 100, 0
		for page := 1; ; page++ {
			resp, err := gc.DescribeImagesWithResponse(context.Background(), region, &api.DescribeImagesParams{ImageSource: &public, PageNumber: &page, PageSize: &size})
			if err != nil {
				b.Fatal(err)
			}
			if resp.JSON200 == nil {
				b.Fatalf("status %d", resp.StatusCode())
			}
			images := resp.JSON200.Result.Images
			n += len(images)
			if len(images) == 0 || n >= resp.JSON200.Result.TotalCount {
				return n
			}
		}
	}
	var clientNs, loopNs, floorNs time.Duration
	for b.Loop() {
		t0 := time.Now()
		if n := allImages(b, c, f); n != pagedTotal {
			b.Fatalf("AllImages: %d images", n)
		}
		t1 := time.Now()
		if n := loop(); n != pagedTotal {
			b.Fatalf("page loop: %d images", n)
		}
		t2 := time.Now()
		if n := allImages(b, all, f); n != pagedTotal {
			b.Fatalf("all at once: %d images", n)
		}
		t3 := time.Now()
		clientNs += t1.Sub(t0)
		loopNs += t2.Sub(t1)
		floorNs += t3.Sub(t2)
	}
	per := func(d time.Duration) float64 { return float64(d) / float64(b.N) / 1e6 }
	b.ReportMetric(per(clientNs), "client-ms/op")
	b.ReportMetric(per(loopNs), "loop-ms/op")
	b.ReportMetric(per(floorNs), "floor-ms/op")
	b.ReportMetric(float64(clientNs)/float64(loopNs), "client/loop")
	b.ReportMetric(float64(floorNs)/float64(loopNs), "floor/loop")
}
