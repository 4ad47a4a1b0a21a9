package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/internal/apiclient"
	"github.com/vmimage/vmimage/signer"
	"github.com/vmimage/vmimage/validate"
)

// docsBody is the docs' own success example.
const docsBody = `{"requestId":"0d1531eb5016b64d801a9e24bac779e8","result":{"image":{"architecture":"x86_64","createTime":"2021-01-28 16:49:05","desc":"","imageId":"img-m5s0****29","imageSource":"public","launchPermission":"all","name":"CentOS 8.2 64位","osType":"linux","osVersion":"8.2","ownerPin":"admin","platform":"CentOS","progress":"100","rootDeviceType":"cloudDisk","sizeMB":2494,"snapshotId":"snapshot-h8u1****36","status":"ready","systemDisk":{"autoDelete":true,"cloudDisk":{"diskSizeGB":40,"diskType":"ssd.gp1","encrypt":false,"encrypted":false,"snapshotId":"snapshot-h8u1****36"},"deviceName":"vda","diskCategory":"cloud"},"systemDiskSizeGB":40,"uefiSupport":false}}}`

// largeBody is an image with 200 data disks.
var largeBody = func() string {
	var disks []string
	for i := 0; i < 200; i++ {
		disks = append(disks, fmt.Sprintf(`{"autoDelete":true,"cloudDisk":{"diskSizeGB":%d,"diskType":"ssd.io1","encrypted":true,"snapshotId":"snapshot-data%04d","diskId":"vol-%08d","az":"cn-north-1a","name":"data-%d","description":"","iops":3000,"throughput":150,"status":"in-use","multiAttachable":false,"enabled":true,"tags":[{"key":"env","value":"prod"}]},"deviceName":"vd%c%c","diskCategory":"cloud","status":"attached"}`,
			100+i, i, i, i, 'b'+byte(i/26%26), 'a'+byte(i%26)))
	}
	return strings.Replace(docsBody, `"systemDiskSizeGB":40`, `"systemDiskSizeGB":40,"dataDisks":[`+strings.Join(disks, ",")+`]`, 1)
}()

const region, imageID = "cn-north-1", "img-m5s0ab1c29"

// loopback is the one in-process server every network benchmark uses: it answers the
// docs' example with realistic headers and counts the connections opened.
type loopback struct {
	*httptest.Server
	conns atomic.Int64
}

func newLoopback(tb testing.TB) *loopback { return newLoopbackWith(tb, docsBody) }

func newLargeLoopback(tb testing.TB) *loopback { return newLoopbackWith(tb, largeBody) }

func newLoopbackWith(tb testing.TB, payload string) *loopback {
	tb.Helper()
	l := &loopback{}
	body := []byte(payload)
	l.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Content-Type"] = []string{"application/json; charset=utf-8"}
		h["X-Jdcloud-Request-Id"] = []string{"0d1531eb5016b64d801a9e24bac779e8"}
		h["Content-Length"] = []string{fmt.Sprint(len(body))}
		w.Write(body)
	}))
	l.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			l.conns.Add(1)
		}
	}
	l.Start()
	tb.Cleanup(l.Close)
	return l
}

func newRawClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: tr}
}

// rawRequest sends what the client sends (same headers, a static signature) with
// net/http alone.
func rawRequest(tb testing.TB, hc *http.Client, url string) *http.Response {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header["Content-Type"] = []string{"application/json"}
	req.Header["User-Agent"] = []string{"vmimage-go/0.1.0"}
	req.Header["X-Jdcloud-Date"] = []string{"20260102T030405Z"}
	req.Header["X-Jdcloud-Nonce"] = []string{"41fcf7fe-54e8-4055-be62-db632cd0345c"}
	req.Header["Authorization"] = []string{"JDCLOUD2-HMAC-SHA256 Credential=ak/20260102/cn-north-1/vm/jdcloud2_request, SignedHeaders=content-type;host;x-jdcloud-date;x-jdcloud-nonce, Signature=cdd17434a4fcb736d3811a1a7de459e0d91949ca356d9c7b59900726e40e6c23"}
	resp, err := hc.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	return resp
}

// floorCall is the floor: rawRequest, its body decoded by encoding/json into the
// generated envelope, then drained and closed.
func floorCall(tb testing.TB, hc *http.Client, url string) error {
	return decodeEnvelope(rawRequest(tb, hc, url))
}

// decodeEnvelope decodes a response's body with encoding/json into the generated
// envelope, then drains and closes it.
func decodeEnvelope(resp *http.Response) error {
	defer resp.Body.Close()
	var out api.DescribeImageOutput
	err := json.NewDecoder(resp.Body).Decode(&out)
	io.Copy(io.Discard, resp.Body)
	return err
}

func newClient(tb testing.TB, url string, opts ...client.Option) *client.Client {
	tb.Helper()
	c, err := client.New(append([]client.Option{
		client.WithEndpoint(url),
		client.WithCredentials(signer.Credentials{AccessKey: "ak", SecretKey: "sk"}),
		// The rate limit protects the real gateway; here it would only measure itself.
		client.WithRateLimit(0, 0),
	}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func BenchmarkFloor(b *testing.B) {
	l := newLoopback(b)
	url := l.URL + "/v1/regions/" + region + "/images/" + imageID
	b.Run("raw", func(b *testing.B) {
		hc := newRawClient()
		b.ReportAllocs()
		for b.Loop() {
			resp := rawRequest(b, hc, url)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	b.Run("decode", func(b *testing.B) {
		hc := newRawClient()
		b.ReportAllocs()
		for b.Loop() {
			if err := floorCall(b, hc, url); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkClient(b *testing.B) {
	l := newLoopback(b)
	b.Run("describe", func(b *testing.B) {
		c := newClient(b, l.URL)
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := c.DescribeImage(context.Background(), region, imageID); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(l.conns.Load()), "conns")
	})
	b.Run("describe-validated", func(b *testing.B) {
		v, err := validate.Default()
		if err != nil {
			b.Fatal(err)
		}
		vt := v.Transport(newRawClient().Transport)
		c := newClient(b, l.URL, client.WithHTTPClient(&http.Client{Transport: vt}))
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := c.DescribeImage(context.Background(), region, imageID); err != nil {
				b.Fatal(err)
			}
		}
		if err := vt.Err(); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkSign(b *testing.B) {
	s := signer.New(signer.Credentials{AccessKey: "ak", SecretKey: "sk"}, "vm")
	req, _ := http.NewRequest(http.MethodGet, "https://vm.jdcloud-api.com/v1/regions/cn-north-1/images/img-abc12345", nil)
	req.Header.Set("Content-Type", "application/json")
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Sign(req, nil, region); err != nil {
			b.Fatal(err)
		}
	}
}

var jsonHeader = http.Header{"Content-Type": {"application/json"}, "X-Jdcloud-Request-Id": {"r"}}

func BenchmarkDecode(b *testing.B) {
	for _, c := range []struct{ name, body string }{{"small", docsBody}, {"large", largeBody}} {
		body := []byte(c.body)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := client.DecodeResponse[api.DescribeImageResult](200, jsonHeader, body); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(body)), "body-bytes")
		})
	}
}

func BenchmarkValidate(b *testing.B) {
	v, err := validate.Default()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, body string }{{"small", docsBody}, {"large", largeBody}} {
		body := []byte(c.body)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := v.ValidateBody(context.Background(), "describeImage", 200, "application/json", body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// paired: validate/small alternated with encoding/json decoding the same body into
	// the generated envelope, the budget's fixed reference (not our own decoder, so
	// that a faster decoder cannot break the validate line).
	b.Run("paired", func(b *testing.B) {
		body := []byte(docsBody)
		var validateNs, decodeNs time.Duration
		for b.Loop() {
			t0 := time.Now()
			if err := v.ValidateBody(context.Background(), "describeImage", 200, "application/json", body); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			var out api.DescribeImageOutput
			if err := json.Unmarshal(body, &out); err != nil {
				b.Fatal(err)
			}
			validateNs += t1.Sub(t0)
			decodeNs += time.Since(t1)
		}
		b.ReportMetric(float64(validateNs)/float64(b.N), "validate-ns/op")
		b.ReportMetric(float64(decodeNs)/float64(b.N), "encoding-json-ns/op")
		b.ReportMetric(float64(validateNs)/float64(decodeNs), "validate/encoding-json")
	})
}

// BenchmarkParallel shares one client among 64 goroutines, and one raw http.Client
// among 64 others, each against its own loopback server (to count connections). The
// two sides alternate in ten rounds, so that load changes on a shared machine hit both
// alike; it reports each side's throughput, their ratio and the connections each opened.
func BenchmarkParallel(b *testing.B) {
	const goroutines, rounds = 64, 10
	cl, rl := newLoopback(b), newLoopback(b)
	c := newClient(b, cl.URL)
	hc := newRawClient()
	url := rl.URL + "/v1/regions/" + region + "/images/" + imageID
	clientDo := func() error {
		_, _, err := c.DescribeImage(context.Background(), region, imageID)
		return err
	}
	rawDo := func() error { return floorCall(b, hc, url) }
	b.ReportAllocs()
	per := max(1, b.N/rounds)
	var clientTime, rawTime time.Duration
	for r := 0; r < rounds; r++ {
		clientTime += runOn(b, goroutines, per, clientDo)
		rawTime += runOn(b, goroutines, per, rawDo)
	}
	total := float64(per * rounds)
	b.ReportMetric(total/clientTime.Seconds(), "client-req/s")
	b.ReportMetric(total/rawTime.Seconds(), "raw-req/s")
	b.ReportMetric(rawTime.Seconds()/clientTime.Seconds(), "client/raw")
	b.ReportMetric(float64(cl.conns.Load()), "client-conns")
	b.ReportMetric(float64(rl.conns.Load()), "raw-conns")
}

// runOn runs do n times from exactly g goroutines and returns the time it took.
func runOn(b *testing.B, g, n int, do func() error) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	start := time.Now()
	for i := 0; i < g; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if err := do(); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	return elapsed
}

// BenchmarkPaired alternates one floor/decode request and one client/describe call on
// the same server, timing each, so that load changes on a shared machine hit both
// alike. It reports both latencies and their ratio, the budget's figure.
func BenchmarkPaired(b *testing.B) {
	l := newLoopback(b)
	url := l.URL + "/v1/regions/" + region + "/images/" + imageID
	hc := newRawClient()
	c := newClient(b, l.URL)
	var floorNs, clientNs time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := floorCall(b, hc, url); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, _, err := c.DescribeImage(context.Background(), region, imageID); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		floorNs += t1.Sub(t0)
		clientNs += t2.Sub(t1)
	}
	b.ReportMetric(float64(floorNs.Nanoseconds())/float64(b.N), "floor-ns/op")
	b.ReportMetric(float64(clientNs.Nanoseconds())/float64(b.N), "client-ns/op")
	b.ReportMetric(float64(clientNs)/float64(floorNs), "client/floor")
}

// BenchmarkGenerated is the generator-only anchor: the client oapi-codegen generates
// (internal/apiclient), with a request editor that signs, and nothing else (no retries, no
// bounds, encoding/json into the generated envelope). The facade's cost over what a
// generator gives is client/describe against it.
func BenchmarkGenerated(b *testing.B) {
	l := newLoopback(b)
	s := signer.New(signer.Credentials{AccessKey: "ak", SecretKey: "sk"}, "vm")
	sign := func(_ context.Context, req *http.Request) error {
		req.Header.Set("Content-Type", "application/json")
		return s.Sign(req, nil, region)
	}
	c, err := apiclient.NewClient(l.URL+"/v1/", apiclient.WithHTTPClient(newRawClient()), apiclient.WithRequestEditorFn(sign))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := c.DescribeImage(context.Background(), region, imageID)
		if err != nil {
			b.Fatal(err)
		}
		if err := decodeEnvelope(resp); err != nil {
			b.Fatal(err)
		}
	}
}
