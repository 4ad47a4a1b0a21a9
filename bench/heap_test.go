package bench

import (
	"context"
	"runtime"
	"testing"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
)

// bytesPerRun returns the heap bytes allocated per call of f, averaged over runs. The
// bytes allocated bound the peak heap growth from above: what was never allocated
// cannot be live.
func bytesPerRun(runs int, f func()) float64 {
	f() // warm up caches and pools
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < runs; i++ {
		f()
	}
	runtime.ReadMemStats(&after)
	return float64(after.TotalAlloc-before.TotalAlloc) / float64(runs)
}

// TestDecodeLargeHeapBound: decoding an image with 200 data disks allocates (and so
// peaks at) no more than 4x the body size.
func TestDecodeLargeHeapBound(t *testing.T) {
	body := []byte(largeBody)
	var err error
	allocs := testing.AllocsPerRun(20, func() { _, _, err = client.DecodeResponse[api.DescribeImageResult](200, jsonHeader, body) })
	if err != nil {
		t.Fatal(err)
	}
	perRun := bytesPerRun(20, func() { _, _, _ = client.DecodeResponse[api.DescribeImageResult](200, jsonHeader, body) })
	ratio := perRun / float64(len(body))
	t.Logf("decode/large: body %d bytes, %.0f bytes and %.0f allocations per decode: %.2fx the body", len(body), perRun, allocs, ratio)
	if ratio > 4 {
		t.Fatalf("decoding allocates %.2fx the body size, budget 4x", ratio)
	}
}

// TestDescribeLargeHeapBound: the whole call, the bounded body buffer included, stays
// within 4x the body size plus a fixed allowance for the HTTP machinery.
func TestDescribeLargeHeapBound(t *testing.T) {
	l := newLargeLoopback(t)
	c := newClient(t, l.URL)
	const httpAllowance = 32 << 10
	perRun := bytesPerRun(20, func() {
		if _, _, err := c.DescribeImage(context.Background(), region, imageID); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("describe (large): %.0f bytes per call for a %d-byte body: %.2fx", perRun, len(largeBody), perRun/float64(len(largeBody)))
	if perRun > 4*float64(len(largeBody))+httpAllowance {
		t.Fatalf("a call allocates %.0f bytes, budget 4x%d+%d", perRun, len(largeBody), httpAllowance)
	}
}
