package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
BenchmarkFloor/raw-2         	    1000	     40000 ns/op	    7379 B/op	      88 allocs/op
BenchmarkFloor/decode-2      	    1000	     60000 ns/op	   11347 B/op	     150 allocs/op
BenchmarkFloor/decode-2      	    1000	     64000 ns/op	   11347 B/op	     150 allocs/op
BenchmarkFloor/decode-2      	    1000	     90000 ns/op	   11347 B/op	     150 allocs/op
BenchmarkClient/describe-2   	    1000	     72000 ns/op	         1.000 conns	   15466 B/op	     180 allocs/op
BenchmarkClient/describe-validated-2 	    1000	    140000 ns/op	   29724 B/op	     361 allocs/op
BenchmarkSign-2              	    1000	      1900 ns/op	    400 B/op	      6 allocs/op
BenchmarkDecode/large-2      	    1000	    970807 ns/op	  80.31 MB/s	     77966 body-bytes	  147360 B/op	    6671 allocs/op
BenchmarkValidate/small-2    	    1000	     28236 ns/op	  23.45 MB/s	   12145 B/op	     149 allocs/op
BenchmarkParallel/client-2   	    1000	     44736 ns/op	        64.00 conns	     27000 req/s	   16925 B/op	     213 allocs/op
BenchmarkParallel/raw-2      	    1000	     33911 ns/op	        64.00 conns	     30000 req/s	   12686 B/op	     156 allocs/op
PASS
`

func TestSummaryUsesMediansAndChecksBudgets(t *testing.T) {
	m, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := m.median("Floor/decode", "ns/op"); v != 64000 {
		t.Fatalf("median = %v, want 64000", v)
	}
	checks, err := summarize(m)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, c := range checks {
		got[c.what] = c.ok
	}
	if !got["client/describe latency / floor/decode"] { // 72/64 = 1.125
		t.Error("latency ratio 1.125 reported as a miss")
	}
	if !got["parallel throughput client / raw (64 goroutines)"] { // 0.90
		t.Error("throughput 0.90 reported as a miss")
	}
	m["Client/describe"]["ns/op"] = []float64{99000}
	checks, _ = summarize(m)
	for _, c := range checks {
		if c.what == "client/describe latency / floor/decode" && c.ok {
			t.Error("latency ratio 1.55 reported as ok")
		}
	}
	delete(m, "Sign")
	if _, err := summarize(m); err == nil {
		t.Error("missing benchmark not reported")
	}
}
