package fake_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vmimage/vmimage/fake"
	"github.com/vmimage/vmimage/signer"
)

// TestLoad floods a fake on loopback (signed and unsigned requests, oversized headers,
// nonce churn, idle connections) and reports its heap after each phase and the CPU
// cost of signature checks at two request sizes. It is bounded (about 30 s at most)
// and runs only with VMIMAGE_LOAD=1 (make load): its figures go in the notes.
func TestLoad(t *testing.T) {
	if os.Getenv("VMIMAGE_LOAD") != "1" {
		t.Skip("set VMIMAGE_LOAD=1 (make load) to run the bounded load test")
	}
	deadline := time.Now().Add(30 * time.Second)
	srv := fake.StartTest(t)
	heap := func() float64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return float64(m.HeapInuse) / (1 << 20)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	hc := &http.Client{Transport: tr}
	flood := func(name string, n int, build func(i int) *http.Request, want int) {
		var next, bad atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for g := 0; g < 16; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int(next.Add(1)); i <= n && time.Now().Before(deadline); i = int(next.Add(1)) {
					resp, err := hc.Do(build(i))
					if err != nil {
						bad.Add(1)
						continue
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != want {
						bad.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		el := time.Since(start)
		t.Logf("%-32s %6d requests in %6.2fs (%5.0f/s), unexpected %d, heap %.1f MiB", name, n, el.Seconds(), float64(n)/el.Seconds(), bad.Load(), heap())
		if bad.Load() != 0 {
			t.Errorf("%s: %d unexpected answers", name, bad.Load())
		}
	}
	base := heap()
	t.Logf("%-32s heap %.1f MiB", "start", base)
	url := srv.URL + "/v1/regions/cn-north-1/images/" + fake.SeedCentOS
	big := strings.Repeat("n", 40<<10)
	flood("unsigned, 40 KiB nonce each", 20000, func(int) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set(signer.HeaderNonce, big)
		req.Header.Set("Authorization", string(signer.JDCLOUD2)+" Credential=FAKEACCESSKEY0001/x, SignedHeaders=host, Signature=00")
		return req
	}, 401)
	s := signer.New(srv.Credentials(), "vm")
	flood("signed, a fresh nonce each", 20000, func(int) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Content-Type", "application/json")
		s.Sign(req, nil, "cn-north-1")
		return req
	}, 200)
	flood("oversized headers (100 KiB)", 500, func(int) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("X-Big", strings.Repeat("h", 100<<10))
		return req
	}, http.StatusRequestHeaderFieldsTooLarge)
	var conns []net.Conn
	for i := 0; i < 500; i++ {
		c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "GET /v1/regions/cn-north-1/images/x HTTP/1.1\r\nHost: x\r\n") // never finished
		conns = append(conns, c)
	}
	t.Logf("%-32s %6d held open, heap %.1f MiB", "half-sent requests", len(conns), heap())
	for _, c := range conns {
		c.Close()
	}
	end := heap()
	t.Logf("%-32s heap %.1f MiB (growth %.1f MiB; log %d entries, stats %+v)", "end", end, end-base, len(srv.Requests()), srv.RequestStats().Total)
	if end-base > 64 {
		t.Errorf("heap grew %.1f MiB", end-base)
	}

	// CPU: a valid signature over a request that also carries n unsigned headers, one
	// signed header stored under a non-canonical key (so every present header is
	// looked at): the cost must grow linearly with n.
	cost := func(n int) time.Duration {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Content-Type", "application/json")
		s.Sign(req, nil, "cn-north-1")
		req.Header["content-type"] = req.Header["Content-Type"]
		delete(req.Header, "Content-Type")
		for i := 0; i < n; i++ {
			req.Header.Set(fmt.Sprintf("X-Extra-%05d", i), "v")
		}
		lookup := func(string) (string, bool) { return srv.Credentials().SecretKey, true }
		start := time.Now()
		const rounds = 200
		for i := 0; i < rounds; i++ {
			if _, err := signer.Verify(req, nil, lookup, signer.VerifyOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		return time.Since(start) / rounds
	}
	small, large := cost(2000), cost(4000)
	t.Logf("Verify with 2000 headers present %v, with 4000 %v: ratio %.2f (linear: about 2)", small, large, float64(large)/float64(small))
}
