// Command summary reads `go test -bench -benchmem` output of package bench on stdin
// and prints the ratios the performance budget is written in, computed from the
// medians of that one run (see BENCHMARKS.md). With -strict it exits 1 when a budget
// is missed.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// metrics maps a benchmark name (without the -GOMAXPROCS suffix) to each unit's
// samples, one per -count.
type metrics map[string]map[string][]float64

var line = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func parse(r io.Reader) (metrics, error) {
	m := metrics{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		g := line.FindStringSubmatch(sc.Text())
		if g == nil {
			continue
		}
		fields := strings.Fields(g[2])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			if m[g[1]] == nil {
				m[g[1]] = map[string][]float64{}
			}
			m[g[1]][fields[i+1]] = append(m[g[1]][fields[i+1]], v)
		}
	}
	return m, sc.Err()
}

func (m metrics) median(name, unit string) (float64, bool) {
	s := slices.Clone(m[name][unit])
	if len(s) == 0 {
		return 0, false
	}
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2], true
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2, true
}

type check struct {
	what   string
	value  string
	budget string
	ok     bool
}

func summarize(m metrics) ([]check, error) {
	get := func(name, unit string) (float64, error) {
		v, ok := m.median(name, unit)
		if !ok {
			return 0, fmt.Errorf("summary: no %s for %s in the input", unit, name)
		}
		return v, nil
	}
	var errs []error
	must := func(name, unit string) float64 {
		v, err := get(name, unit)
		if err != nil {
			errs = append(errs, err)
		}
		return v
	}
	floor := must("Floor/decode", "ns/op")
	raw := must("Floor/raw", "ns/op")
	describe := must("Client/describe", "ns/op")
	validated := must("Client/describe-validated", "ns/op")
	generated := must("Generated", "ns/op")
	generatedAllocs := must("Generated", "allocs/op")
	describeAllocs := must("Client/describe", "allocs/op")
	sign := must("Sign", "ns/op")
	signAllocs := must("Sign", "allocs/op")
	valSmall := must("Validate/small", "ns/op")
	decSmall := must("Decode/small", "ns/op")
	decLargeBytes := must("Decode/large", "B/op")
	body := must("Decode/large", "body-bytes")
	clientRPS := must("Parallel", "client-req/s")
	rawRPS := must("Parallel", "raw-req/s")
	parallelRatio := must("Parallel", "client/raw")
	paired := must("Paired", "client/floor")
	pairedFloor := must("Paired", "floor-ns/op")
	pairedClient := must("Paired", "client-ns/op")
	pagePaired := must("Page/paired", "client/floor")
	pageDecode := must("Page/paired", "client-ns/op")
	pageFloor := must("Page/paired", "floor-ns/op")
	pageBytes := must("Page/decode", "B/op")
	pageBody := must("Page/decode", "body-bytes")
	pageCall := must("Page/describe-images", "ns/op")
	iterate := must("Iterate", "ns/op")
	clientConns := must("Parallel", "client-conns")
	rawConns := must("Parallel", "raw-conns")
	if len(errs) > 0 {
		return nil, errs[0]
	}
	allocBudget := 0.75 * BaselineDescribeAllocs
	return []check{
		{"client/describe latency / GET+encoding/json into the generated type, paired", fmt.Sprintf("%.3fx (%.1f us vs %.1f us, alternated)", paired, pairedClient/1e3, pairedFloor/1e3), "<= 1.00x", paired <= 1.00},
		{"client/describe allocations", fmt.Sprintf("%.0f (floor/decode %.0f; before this budget %d)", describeAllocs, must("Floor/decode", "allocs/op"), BaselineDescribeAllocs), fmt.Sprintf("<= %.0f (0.75x)", allocBudget), describeAllocs <= allocBudget},
		{"parallel throughput client / floor (64 goroutines)", fmt.Sprintf("%.2fx (%.0f vs %.0f req/s, alternated)", parallelRatio, clientRPS, rawRPS), ">= 0.95x", parallelRatio >= 0.95},
		{"parallel connections opened (client, floor)", fmt.Sprintf("%.0f, %.0f", clientConns, rawConns), "client <= 64", clientConns <= 64},
		{"page of 100 images: client decode / encoding/json, paired", fmt.Sprintf("%.3fx (%.0f us vs %.0f us, alternated; whole call %.0f us)", pagePaired, pageDecode/1e3, pageFloor/1e3, pageCall/1e3), "<= 0.60x", pagePaired <= 0.60},
		{"page of 100 images: bytes allocated / body", fmt.Sprintf("%.2fx (%.0f B for %.0f B)", pageBytes/pageBody, pageBytes, pageBody), "<= 3x", pageBytes/pageBody <= 3},
		{"validate/small / decode/small", fmt.Sprintf("%.2fx (%.1f us vs %.1f us)", valSmall/decSmall, valSmall/1e3, decSmall/1e3), "<= 3x", valSmall/decSmall <= 3},
		{"sign / client/describe", fmt.Sprintf("%.3fx (%.2f us, %.0f allocs)", sign/describe, sign/1e3, signAllocs), "<= 0.05x, <= 6 allocs", sign/describe <= 0.05 && signAllocs <= 6},
		{"decode/large bytes allocated / body", fmt.Sprintf("%.2fx (%.0f B for %.0f B)", decLargeBytes/body, decLargeBytes, body), "<= 4x", decLargeBytes/body <= 4},
		{"client/describe / generated client alone (signing editor)", fmt.Sprintf("%.2fx latency, %.0f vs %.0f allocs", describe/generated, describeAllocs, generatedAllocs), "(anchor; no budget)", true},
		{"client/describe / floor/decode, separate runs", fmt.Sprintf("%.2fx (%.1f us vs %.1f us; floor/raw %.1f us)", describe/floor, describe/1e3, floor/1e3, raw/1e3), "(drift-prone; the paired line is the budget)", true},
		{"client/describe-validated / client/describe", fmt.Sprintf("%.2fx", validated/describe), "(opt-in; no budget)", true},
		{"AllImages over 1,000 images (10 pages)", fmt.Sprintf("%.1f ms, %.1f us an image", iterate/1e6, iterate/1e3/1000), "(no budget)", true},
	}, nil
}

// BaselineDescribeAllocs is client/describe's allocation count (client and loopback
// server, one process) measured before the performance budget of issue 13, the
// base of its 0.75x line.
const BaselineDescribeAllocs = 181

func main() {
	strict := flag.Bool("strict", false, "exit 1 when a budget is missed")
	flag.Parse()
	m, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	checks, err := summarize(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println("\nSummary (medians of this run):")
	failed := 0
	for _, c := range checks {
		mark := "ok  "
		if !c.ok {
			mark = "MISS"
			failed++
		}
		fmt.Printf("  %s %-75s %-55s budget %s\n", mark, c.what, c.value, c.budget)
	}
	if failed > 0 {
		fmt.Printf("%d budget(s) missed in this run (see BENCHMARKS.md)\n", failed)
		if *strict {
			os.Exit(1)
		}
	}
}
