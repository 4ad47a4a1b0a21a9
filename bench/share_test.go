package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/signer"
)

// voidBody is ShareImage's answer: the request id only (the docs' example).
const voidBody = `{"requestId":"a0633f72670e59f8c6db36b1ee257011"}`

// newWriteLoopback answers every request with the void body, after reading the
// request's body as a server must.
func newWriteLoopback(tb testing.TB) *httptest.Server {
	tb.Helper()
	body := []byte(voidBody)
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		h := w.Header()
		h["Content-Type"] = []string{"application/json; charset=utf-8"}
		h["X-Jdcloud-Request-Id"] = []string{"a0633f72670e59f8c6db36b1ee257011"}
		h["Content-Length"] = []string{fmt.Sprint(len(body))}
		w.Write(body)
	}))
	tb.Cleanup(s.Close)
	return s
}

// shareFloor is the write call's floor: a POST of the body encoding/json makes from
// the generated input type, with what the client sends (the same headers, a static
// signature, or with sg a fresh JDCLOUD2 signature over the body by that signer and
// a new nonce, as every JD Cloud request must be signed), its answer decoded by
// encoding/json into the generated envelope.
func shareFloor(tb testing.TB, hc *http.Client, sg *signer.Signer, url string, in *api.ShareImageInput) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header["Content-Type"] = []string{"application/json"}
	req.Header["User-Agent"] = []string{"vmimage-go/0.1.0"}
	if sg == nil {
		req.Header["X-Jdcloud-Date"] = []string{"20260102T030405Z"}
		req.Header["X-Jdcloud-Nonce"] = []string{"41fcf7fe-54e8-4055-be62-db632cd0345c"}
		req.Header["Authorization"] = []string{"JDCLOUD2-HMAC-SHA256 Credential=ak/20260102/cn-north-1/vm/jdcloud2_request, SignedHeaders=content-type;host;x-jdcloud-date;x-jdcloud-nonce, Signature=cdd17434a4fcb736d3811a1a7de459e0d91949ca356d9c7b59900726e40e6c23"}
	} else {
		nonce, err := signer.NewNonce()
		if err != nil {
			return err
		}
		if err := sg.SignAt(req, b, region, time.Now(), nonce); err != nil {
			return err
		}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out api.VoidOutput
	err = json.NewDecoder(resp.Body).Decode(&out)
	io.Copy(io.Discard, resp.Body)
	return err
}

// BenchmarkPairedShare alternates, on the same server, one floor ShareImage (POST +
// JSON body + decode, a static signature), the same floor signing each request as
// every JD Cloud request must be signed, and one client.ShareImage call, timing
// each, as BenchmarkPaired does for DescribeImage, in an order that rotates every
// round: the write pipeline's budget (bench/summary, BENCHMARKS.md).
func BenchmarkPairedShare(b *testing.B) {
	s := newWriteLoopback(b)
	url := s.URL + "/v1/regions/" + region + "/images/" + imageID + "%3Ashare"
	hc, signedHC := newRawClient(), newRawClient()
	sg := signer.New(signer.Credentials{AccessKey: "ak", SecretKey: "sk"}, "vm")
	c := newClient(b, s.URL)
	in := &client.ShareImageInput{RegionID: region, ImageID: imageID, ShareImageInput: api.ShareImageInput{Pins: []string{"jdcloud-user-02", "jdcloud-user-03"}}}
	legs := [3]func() error{
		func() error { return shareFloor(b, hc, nil, url, &in.ShareImageInput) },
		func() error { return shareFloor(b, signedHC, sg, url, &in.ShareImageInput) },
		func() error { _, _, err := c.ShareImage(context.Background(), in); return err },
	}
	// Each round starts with the next leg, so that none always runs right after the
	// same other one (which call came before moves paired figures: "The paired gap").
	var spent [3]time.Duration
	round := 0
	for b.Loop() {
		for k := range legs {
			i := (round + k) % len(legs)
			t0 := time.Now()
			if err := legs[i](); err != nil {
				b.Fatal(err)
			}
			spent[i] += time.Since(t0)
		}
		round++
	}
	floorNs, signedNs, clientNs := spent[0], spent[1], spent[2]
	b.ReportMetric(float64(floorNs.Nanoseconds())/float64(b.N), "floor-ns/op")
	b.ReportMetric(float64(signedNs.Nanoseconds())/float64(b.N), "signed-floor-ns/op")
	b.ReportMetric(float64(clientNs.Nanoseconds())/float64(b.N), "client-ns/op")
	b.ReportMetric(float64(clientNs)/float64(floorNs), "client/floor")
	b.ReportMetric(float64(clientNs)/float64(signedNs), "client/signed-floor")
	b.ReportMetric(float64(signedNs)/float64(floorNs), "signed-floor/floor")
}
