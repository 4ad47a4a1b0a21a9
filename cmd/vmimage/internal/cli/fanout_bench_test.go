package cli

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vmimage/vmimage/fake"
)

// BenchmarkDescribeFanOut runs `vmimage describe -o json` of 10 ids against a fake
// that answers each request after 20 ms, as a distant service would: the command as
// users run it (its default fan-out), and the same with --concurrency 1 (one id at a
// time), alternated in every iteration so that load changes on a shared machine hit
// both alike. It reports both times and their ratio (run by make bench; the summary
// in bench/summary checks it).
func BenchmarkDescribeFanOut(b *testing.B) {
	srv := fake.StartTest(b, fake.WithLatency(20*time.Millisecond))
	b.Setenv("HOME", b.TempDir())
	b.Setenv("JDCLOUD_ACCESS_KEY", srv.Credentials().AccessKey)
	b.Setenv("JDCLOUD_SECRET_KEY", srv.Credentials().SecretKey)
	b.Setenv("JDCLOUD_REGION", "")
	b.Setenv("JDCLOUD_PROFILE", "")
	var ids []string
	for _, e := range srv.Images().List() {
		if e.Region == fake.SeedCatalogRegion && len(ids) < 10 {
			ids = append(ids, *e.Image.ImageId)
		}
	}
	if len(ids) != 10 {
		b.Fatalf("%d images in %s, want 10", len(ids), fake.SeedCatalogRegion)
	}
	run := func(extra ...string) {
		var stderr strings.Builder
		app := &App{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr, Getenv: os.Getenv}
		args := append([]string{"describe", "--endpoint", srv.URL, "--region", fake.SeedCatalogRegion, "-o", "json"}, extra...)
		if code := app.Run(context.Background(), append(args, ids...)); code != 0 {
			b.Fatalf("exit %d: %s", code, stderr.String())
		}
	}
	var fanOut, oneByOne time.Duration
	for b.Loop() {
		t0 := time.Now()
		run()
		t1 := time.Now()
		run("--concurrency", "1")
		fanOut += t1.Sub(t0)
		oneByOne += time.Since(t1)
	}
	b.ReportMetric(float64(fanOut)/float64(b.N)/1e6, "fanout-ms/op")
	b.ReportMetric(float64(oneByOne)/float64(b.N)/1e6, "one-ms/op")
	b.ReportMetric(float64(fanOut)/float64(oneByOne), "fanout/one")
}
