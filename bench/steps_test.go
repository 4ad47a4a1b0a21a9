package bench

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/signer"
)

// BenchmarkSteps takes the client's call apart: it alternates, on one loopback
// server and each on its own connection, the floor (GET + encoding/json), the same
// GET built up step by step towards what the client does, and the client, and
// reports each one's time as a ratio to the floor's. It is a diagnostic (BENCHMARKS.md,
// "Where the two lines on the budget have their floor"), run only when asked:
//
//	VMIMAGE_BENCH_STEPS=1 go test -run '^$' -bench Steps -count=5 ./bench/
func BenchmarkSteps(b *testing.B) {
	if os.Getenv("VMIMAGE_BENCH_STEPS") == "" {
		b.Skip("a diagnostic: set VMIMAGE_BENCH_STEPS=1 to run it")
	}
	l := newLoopback(b)
	url := l.URL + "/v1/regions/" + region + "/images/" + imageID
	s := signer.New(signer.Credentials{AccessKey: "ak", SecretKey: "sk"}, "vm")
	// step sends the GET through the transport directly, reads the body into an
	// exact buffer and decodes it as the client does; sign, body and ctx add the
	// client's fresh signature, un-replayable empty body and cancellable context.
	step := func(sign, body, ctx bool) func(*http.Transport) {
		return func(tr *http.Transport) {
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			req.Header["Content-Type"] = []string{"application/json"}
			req.Header["User-Agent"] = []string{"vmimage-go/0.1.0"}
			if sign {
				nonce, _ := signer.NewNonce()
				if err := s.SignAt(req, nil, region, time.Now(), nonce); err != nil {
					b.Fatal(err)
				}
			} else {
				req.Header["X-Jdcloud-Date"] = []string{"20260102T030405Z"}
				req.Header["X-Jdcloud-Nonce"] = []string{"41fcf7fe-54e8-4055-be62-db632cd0345c"}
				req.Header["Authorization"] = []string{"JDCLOUD2-HMAC-SHA256 Credential=ak/20260102/cn-north-1/vm/jdcloud2_request, SignedHeaders=content-type;host;x-jdcloud-date;x-jdcloud-nonce, Signature=cdd17434a4fcb736d3811a1a7de459e0d91949ca356d9c7b59900726e40e6c23"}
			}
			cancel := context.CancelFunc(func() {})
			if ctx {
				var c context.Context
				c, cancel = context.WithCancel(context.Background())
				req = req.WithContext(c)
			}
			if body {
				req.Body = io.NopCloser(new(strings.Reader))
			}
			resp, err := tr.RoundTrip(req)
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, resp.ContentLength)
			_, err = io.ReadFull(resp.Body, buf)
			resp.Body.Close()
			cancel()
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := client.DecodeResponse[api.DescribeImageResult](resp.StatusCode, resp.Header, buf); err != nil {
				b.Fatal(err)
			}
		}
	}
	c := newClient(b, l.URL)
	steps := []struct {
		name string
		do   func(*http.Transport)
	}{
		{"floor", func(tr *http.Transport) {
			if err := floorCall(b, &http.Client{Transport: tr}, url); err != nil {
				b.Fatal(err)
			}
		}},
		{"direct+jsonv2", step(false, false, false)},
		{"+sign", step(true, false, false)},
		{"+sign+body", step(true, true, false)},
		{"+sign+body+ctx", step(true, true, true)},
		{"client", func(*http.Transport) {
			if _, _, err := c.DescribeImage(context.Background(), region, imageID); err != nil {
				b.Fatal(err)
			}
		}},
	}
	transports := make([]*http.Transport, len(steps))
	for i := range transports {
		transports[i] = newRawClient().Transport.(*http.Transport)
	}
	total := make([]time.Duration, len(steps))
	for b.Loop() {
		for i, st := range steps {
			t0 := time.Now()
			st.do(transports[i])
			total[i] += time.Since(t0)
		}
	}
	for i, st := range steps {
		b.ReportMetric(float64(total[i])/float64(total[0]), st.name+"/floor")
	}
}
