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
BenchmarkPage/paired-2       	     500	   3300000 ns/op	   1250000 client-ns/op	         0.6100 client/floor	         7.000 container-ptrs	   2050000 floor-ns/op
BenchmarkValidate/paired-2   	   19363	     59408 ns/op	     22541 encoding-json-ns/op	     36802 validate-ns/op	         1.633 validate/encoding-json
BenchmarkNetworkPages-2      	       3	 374875989 ns/op	        91.86 client-ms/op	         0.4068 client/loop	        57.20 floor-ms/op	         0.2533 floor/loop	       225.8 loop-ms/op
pkg: github.com/vmimage/vmimage/cmd/vmimage/internal/cli
BenchmarkDescribeFanOut-2    	       5	 235159389 ns/op	        25.63 fanout-ms/op	         0.1223 fanout/one	       209.5 one-ms/op
BenchmarkPage/describe-images-2 	     496	   2457686 ns/op	  218857 B/op	    4775 allocs/op
BenchmarkIterate-2           	      45	  24016639 ns/op	      1000 images/op	 2305764 B/op	   47877 allocs/op
BenchmarkGenerated-2         	    1000	     80000 ns/op	   12742 B/op	     166 allocs/op
BenchmarkDecode/small-2      	    1000	     13000 ns/op	  50.00 MB/s	     662.0 body-bytes	     888 B/op	      31 allocs/op
BenchmarkPaired-2            	    1000	    130000 ns/op	    70000 client-ns/op	         1.170 client/floor	     60000 floor-ns/op
BenchmarkPairedShare-2       	    1000	    190000 ns/op	    69000 client-ns/op	         1.150 client/floor	         1.050 client/signed-floor	     60000 floor-ns/op	    65700 signed-floor-ns/op	         1.095 signed-floor/floor
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
		t.Error("paired latency ratio 1.17 reported as ok, the budget is 1.10")
	}
	if !got["client ShareImage latency / POST+JSON body+JDCLOUD2 signature+encoding/json, paired"] { // 1.05
		t.Error("ShareImage ratio 1.05 to the signed floor reported as a miss, the budget is 1.10")
	}
	if !got["client ShareImage latency / the same floor with a static signature, paired"] { // 1.15
		t.Error("ShareImage ratio 1.15 to the unsigned floor reported as a miss, the budget is 1.25")
	}
	if !got["client/describe allocations"] { // 130 <= 0.75*181
		t.Error("130 allocations reported as a miss")
	}
	if got["parallel throughput client / floor (64 goroutines)"] { // 0.90
		t.Error("throughput 0.90 reported as ok, the budget is 0.95")
	}
	if !got["validate/small / encoding/json decode/small into the generated type, paired"] { // 1.63
		t.Error("validate ratio 1.63 reported as a miss, the budget is 3")
	}
	network := "pages at 20 ms: AllImages (4 in flight) / the generated client's page loop, paired"
	if got[network] { // 0.4068
		t.Error("paging ratio 0.41 reported as ok, the budget is 0.40")
	}
	if !got["describe of 10 ids at 20 ms: the CLI's fan-out / one at a time, paired"] { // 0.12
		t.Error("fan-out ratio 0.12 reported as a miss")
	}
	page := "page of 100 images: client decode / encoding/json, paired"
	if !got[page] { // 0.61 in the sample, with container pointers
		t.Error("page decode ratio 0.61 reported as a miss, the budget is 0.62 with container pointers")
	}
	m["Paired"]["client/floor"] = []float64{1.08}
	m["NetworkPages"]["client/loop"] = []float64{0.39}
	m["Page/paired"]["container-ptrs"] = []float64{0} // the types without container pointers
	m["PairedShare"]["client/signed-floor"] = []float64{1.12}
	m["PairedShare"]["client/floor"] = []float64{1.26}
	m["PairedShare"]["signed-floor/floor"] = []float64{1.07, 1.08, 1.06} // paired, not 65700/60000
	checks, _ = summarize(m)
	for _, c := range checks {
		switch {
		case c.what == paired && !c.ok:
			t.Error("latency ratio 1.08 reported as a miss")
		case c.what == network && !c.ok:
			t.Error("paging ratio 0.39 reported as a miss")
		case c.what == page && c.ok:
			t.Error("page ratio 0.61 reported as ok without container pointers, the budget is 0.50")
		case strings.HasPrefix(c.what, "client ShareImage") && c.ok:
			t.Errorf("%s: %s reported as ok", c.what, c.value)
		case c.what == "client ShareImage latency / the same floor with a static signature, paired" && !strings.Contains(c.value, "the signature alone 1.070x"):
			t.Errorf("the signature's share is the median of the paired signed-floor/floor (1.070x): %s", c.value)
		}
	}
	delete(m, "Sign")
	if _, err := summarize(m); err == nil {
		t.Error("missing benchmark not reported")
	}
}
