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
BenchmarkClient/describe-2   	    1000	     72000 ns/op	         1.000 conns	   15466 B/op	     130 allocs/op
BenchmarkClient/describe-validated-2 	    1000	    140000 ns/op	   29724 B/op	     361 allocs/op
BenchmarkSign-2              	    1000	      1900 ns/op	    400 B/op	      6 allocs/op
BenchmarkDecode/large-2      	    1000	    970807 ns/op	  80.31 MB/s	     77966 body-bytes	  147360 B/op	    6671 allocs/op
BenchmarkValidate/small-2    	    1000	     28236 ns/op	  23.45 MB/s	   12145 B/op	     149 allocs/op
BenchmarkPage/decode-2       	     564	   2058072 ns/op	  28.95 MB/s	     59588 body-bytes	  141889 B/op	    4622 allocs/op
BenchmarkPage/floor-2        	     590	   2030938 ns/op	  29.34 MB/s	  141827 B/op	    4620 allocs/op
BenchmarkPage/paired-2       	     500	   3300000 ns/op	   1250000 client-ns/op	         0.6100 client/floor	   2050000 floor-ns/op
BenchmarkPage/describe-images-2 	     496	   2457686 ns/op	  218857 B/op	    4775 allocs/op
BenchmarkIterate-2           	      45	  24016639 ns/op	      1000 images/op	 2305764 B/op	   47877 allocs/op
BenchmarkGenerated-2         	    1000	     80000 ns/op	   12742 B/op	     166 allocs/op
BenchmarkDecode/small-2      	    1000	     13000 ns/op	  50.00 MB/s	     662.0 body-bytes	     888 B/op	      31 allocs/op
BenchmarkPaired-2            	    1000	    130000 ns/op	    70000 client-ns/op	         1.170 client/floor	     60000 floor-ns/op
BenchmarkParallel-2          	   18070	     69700 ns/op	        64.00 client-conns	     27000 client-req/s	         0.9000 client/raw	        80.00 raw-conns	     30000 raw-req/s	   23778 B/op	     333 allocs/op
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
	paired := "client/describe latency / GET+encoding/json into the generated type, paired"
	if got[paired] { // 1.17 in the sample
		t.Error("paired latency ratio 1.17 reported as ok, the budget is 1.00")
	}
	if !got["client/describe allocations"] { // 130 <= 0.75*181
		t.Error("130 allocations reported as a miss")
	}
	if got["parallel throughput client / floor (64 goroutines)"] { // 0.90
		t.Error("throughput 0.90 reported as ok, the budget is 0.95")
	}
	if got["validate/small / decode/small"] != (28236.0/13000 <= 3) {
		t.Error("validate ratio misjudged")
	}
	page := "page of 100 images: client decode / encoding/json, paired"
	if got[page] { // 0.61 in the sample
		t.Error("page decode ratio 0.61 reported as ok, the budget is 0.60")
	}
	m["Paired"]["client/floor"] = []float64{0.98}
	checks, _ = summarize(m)
	for _, c := range checks {
		if c.what == paired && !c.ok {
			t.Error("latency ratio 0.98 reported as a miss")
		}
	}
	delete(m, "Sign")
	if _, err := summarize(m); err == nil {
		t.Error("missing benchmark not reported")
	}
}
