package fake_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/fake"
	"github.com/vmimage/vmimage/signer"
)

// Requests from anyone, authenticated or not, must not grow the fake's memory: the
// log keeps a bounded ring of bounded entries, and counts the rest.
func TestRequestLogIsBounded(t *testing.T) {
	srv := fake.StartTest(t, fake.WithRequestLogSize(50))
	names := make([]string, 40)
	for i := range names {
		names[i] = fmt.Sprintf("x-junk-%02d-%s", i, strings.Repeat("n", 100))
	}
	for i := 0; i < 300; i++ {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/regions/cn-north-1/images/img-"+strings.Repeat("a", 2000), nil)
		req.Header.Set(signer.HeaderNonce, strings.Repeat("n", 20<<10))
		req.Header.Set(signer.HeaderDate, "20260102T030405Z")
		req.Header.Set("Authorization", string(signer.JDCLOUD2)+" Credential="+strings.Repeat("k", 1000)+"/x, SignedHeaders="+strings.Join(names, ";")+", Signature=00")
		for _, n := range names[:20] {
			req.Header.Set(n, strings.Repeat("v", 1000))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	log := srv.Requests()
	st := srv.RequestStats()
	if len(log) != 50 || st.Total != 300 || st.Evicted != 250 || st.AuthFailures != 300 || st.ByStatus[401] != 300 {
		t.Fatalf("log %d entries, stats %+v", len(log), st)
	}
	for _, e := range log {
		size := len(e.Path) + len(e.Nonce) + len(e.AccessKey) + len(e.AuthError) + len(e.Method)
		for k, v := range e.SignedHeaders {
			size += len(k) + len(v)
		}
		if len(e.SignedHeaders) > 16 || len(e.Nonce) > 64 || len(e.AccessKey) > 64 || len(e.Path) > 256 || size > 8<<10 {
			t.Fatalf("an entry keeps %d bytes: %d headers, nonce %d, key %d, path %d", size, len(e.SignedHeaders), len(e.Nonce), len(e.AccessKey), len(e.Path))
		}
	}
	srv.ResetRequests()
	if st := srv.RequestStats(); st.Total != 0 || len(srv.Requests()) != 0 {
		t.Errorf("after reset: %+v", st)
	}
}

// signedRequest signs a GET of path for region with the fake's credentials.
func signedRequest(t *testing.T, srv *fake.Server, method, path, region string) *http.Request {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, nil)
	req.Header.Set("Content-Type", "application/json")
	if err := signer.New(srv.Credentials(), "vm").Sign(req, nil, region); err != nil {
		t.Fatal(err)
	}
	return req
}

func do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// A request signed for one region and sent for another is refused, as the gateway
// refuses it.
func TestSignatureRegionMustMatchThePath(t *testing.T) {
	srv := fake.StartTest(t)
	resp, body := do(t, signedRequest(t, srv, http.MethodGet, "/v1/regions/cn-north-1/images/"+fake.SeedCentOS, "cn-east-1"))
	if resp.StatusCode != 401 || !strings.Contains(body, "ACCESS_ERROR") || !strings.Contains(body, `region \"cn-east-1\"`) || !strings.Contains(body, `region \"cn-north-1\"`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	resp, _ = do(t, signedRequest(t, srv, http.MethodGet, "/v1/regions/cn-north-1/images/"+fake.SeedCentOS, "cn-north-1"))
	if resp.StatusCode != 200 {
		t.Fatalf("matching region: %d", resp.StatusCode)
	}
}

// A body over the limit is refused outright, not cut and half-authenticated.
func TestOversizedBodyIs413(t *testing.T) {
	srv := fake.StartTest(t)
	for _, chunked := range []bool{false, true} {
		var body io.Reader = strings.NewReader(strings.Repeat("x", fake.MaxRequestBodyBytes+10))
		if chunked {
			body = io.MultiReader(body) // no length known: sent chunked
		}
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/regions/cn-north-1/images/"+fake.SeedCentOS, body)
		resp, text := do(t, req)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(text, "HTTP_REQUEST_ENTITY_TOO_LARGE") {
			t.Errorf("chunked=%v: %d %s", chunked, resp.StatusCode, text)
		}
	}
}

func TestWrongMethodIs405WithAllow(t *testing.T) {
	srv := fake.StartTest(t)
	for _, c := range []struct{ method, path, allow string }{
		{http.MethodPost, "/v1/regions/cn-north-1/images", "GET"},
		{http.MethodPut, "/v1/regions/cn-north-1/images/" + fake.SeedCentOS, "DELETE, GET"},
		{http.MethodPut, "/v1/regions/cn-north-1/imageConstraints", "GET"},
		{http.MethodGet, "/v1/regions/cn-north-1/images:copyImages", "POST"},
		{http.MethodDelete, "/v1/regions/cn-north-1/images/img-a%3Ashare", "GET, POST"},
		{http.MethodPost, "/v1/regions/cn-north-1/imageTasks", "GET"},
	} {
		resp, body := do(t, signedRequest(t, srv, c.method, c.path, "cn-north-1"))
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != c.allow || !strings.Contains(body, "HTTP_METHOD_NOT_ALLOWED") {
			t.Errorf("%s %s: %d Allow %q %s", c.method, c.path, resp.StatusCode, resp.Header.Get("Allow"), body)
		}
	}
	resp, _ := do(t, signedRequest(t, srv, http.MethodPost, "/v1/regions/cn-north-1/nothing", "cn-north-1"))
	if resp.StatusCode != 404 {
		t.Errorf("unknown path: %d", resp.StatusCode)
	}
}

// A connection that never sends its request, or sits idle after one, is closed.
func TestIdleAndSilentConnectionsAreClosed(t *testing.T) {
	srv := fake.StartTest(t, fake.WithTimeouts(fake.Timeouts{ReadHeader: 200 * time.Millisecond, Read: 300 * time.Millisecond, Idle: 200 * time.Millisecond}))
	addr := strings.TrimPrefix(srv.URL, "http://")
	closedWithin := func(conn net.Conn, d time.Duration) bool {
		conn.SetReadDeadline(time.Now().Add(d))
		_, err := io.ReadAll(conn)
		return err == nil // EOF from the server, not our deadline
	}
	silent, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	fmt.Fprintf(silent, "GET /v1/regions/cn-north-1/images/x HTTP/1.1\r\nHost: x\r\n") // headers never end
	if !closedWithin(silent, 5*time.Second) {
		t.Error("a connection that never finished its headers was held")
	}

	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	fmt.Fprintf(idle, "GET /v1/regions/cn-north-1/images/x HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(idle)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	idle.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("an idle keep-alive connection was held: %v", err)
	}
}

func TestObserverSeesEveryRequestOnce(t *testing.T) {
	seen := make(chan fake.RecordedRequest, 10)
	srv := fake.StartTest(t, fake.WithObserver(func(r fake.RecordedRequest) { seen <- r }))
	c, err := client.New(client.WithEndpoint(srv.URL), client.WithCredentials(signer.Credentials{AccessKey: "AKNOBODY", SecretKey: "wrong-secret"}),
		client.WithRetryPolicy(client.NoRetries()))
	if err != nil {
		t.Fatal(err)
	}
	c.DescribeImage(context.Background(), "cn-north-1", fake.SeedCentOS)
	select {
	case r := <-seen:
		if r.Status != 401 || r.AuthError != "Invalid accessKey" || r.Method != "GET" {
			t.Errorf("observed %+v", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no request observed")
	}
	if len(seen) != 0 {
		t.Errorf("%d more observations", len(seen))
	}
}
