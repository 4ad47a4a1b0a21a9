package bench

import (
	"context"
	"os"
	"testing"
	"time"
)

// BenchmarkGap is a diagnostic of why client/describe against the floor (GET +
// encoding/json) reads differently in separate benchmarks and in paired rounds
// (BENCHMARKS.md, "The paired gap"), run only when asked:
//
//	VMIMAGE_BENCH_GAP=1 go test -run '^$' -bench Gap -count=5 ./bench/
//
// Each variant times only the calls and reports the second's time over the first's
// (the client's over the floor's unless named otherwise): separate (each in a loop
// of its own, one after the other, as BenchmarkClient and BenchmarkFloor run),
// blocks (alternated blocks of 200 calls: each side's code stays warm in its block,
// and load changes hit both alike), paired (alternated call by call, the budget's
// method; floor first or client first), the same with 1 MiB of other memory written
// between calls (-scrubbed: as a program does other work between two calls), and
// floor-floor (the floor alternated with itself: the method's own bias).
func BenchmarkGap(b *testing.B) {
	if os.Getenv("VMIMAGE_BENCH_GAP") == "" {
		b.Skip("a diagnostic: set VMIMAGE_BENCH_GAP=1 to run it")
	}
	l := newLoopback(b)
	url := l.URL + "/v1/regions/" + region + "/images/" + imageID
	hc, hc2 := newRawClient(), newRawClient()
	c := newClient(b, l.URL)
	floor := func() {
		if err := floorCall(b, hc, url); err != nil {
			b.Fatal(err)
		}
	}
	floor2 := func() {
		if err := floorCall(b, hc2, url); err != nil {
			b.Fatal(err)
		}
	}
	client := func() {
		if _, _, err := c.DescribeImage(context.Background(), region, imageID); err != nil {
			b.Fatal(err)
		}
	}
	scrub := make([]byte, 1<<20)
	var sink byte
	other := func() {
		for i := 0; i < len(scrub); i += 64 {
			sink += scrub[i]
			scrub[i] = sink
		}
	}
	timed := func(f func()) time.Duration {
		t := time.Now()
		f()
		return time.Since(t)
	}
	// run times the calls of first and second in alternated blocks of block calls
	// each (block 0: two loops, one after the other), with between() run untimed
	// after every call.
	run := func(b *testing.B, first, second func(), block int, between func()) {
		var t1, t2 time.Duration
		n := 0
		for b.Loop() {
			t1 += timed(first)
			between()
			n++
			if block > 0 && n%block == 0 {
				for range block {
					t2 += timed(second)
					between()
				}
			}
		}
		if block == 0 {
			for range n {
				t2 += timed(second)
				between()
			}
		} else {
			for range n % block {
				t2 += timed(second)
				between()
			}
		}
		b.ReportMetric(float64(t1)/float64(b.N), "first-ns/op")
		b.ReportMetric(float64(t2)/float64(b.N), "second-ns/op")
		b.ReportMetric(float64(t2)/float64(t1), "second/first")
	}
	nothing := func() {}
	b.Run("separate", func(b *testing.B) { run(b, floor, client, 0, nothing) })
	b.Run("blocks", func(b *testing.B) { run(b, floor, client, 200, nothing) })
	b.Run("blocks-scrubbed", func(b *testing.B) { run(b, floor, client, 200, other) })
	b.Run("paired", func(b *testing.B) { run(b, floor, client, 1, nothing) })
	b.Run("paired-client-first", func(b *testing.B) { run(b, client, floor, 1, nothing) })
	b.Run("paired-scrubbed", func(b *testing.B) { run(b, floor, client, 1, other) })
	b.Run("floor-floor", func(b *testing.B) { run(b, floor, floor2, 1, nothing) })
}
