package client_test

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
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/fake"
	"github.com/vmimage/vmimage/signer"
	"github.com/vmimage/vmimage/validate"
)

// Test credentials: distinctive so that a leak is easy to find.
const (
	testAK    = "AKTEST0001"
	testSK    = "SK-very-secret-value-0001"
	testToken = "MFA-secret-token-0001"
)

// newFakeClock is a manual clock that starts at the real time (the test server checks
// signature dates against it), truncated to the second for exact HTTP-date arithmetic.
func newFakeClock() *fake.ManualClock { return fake.NewManualClock(time.Now().Truncate(time.Second)) }

// blockingClock's Sleep returns only when the context ends; started is closed when
// the first sleep begins.
type blockingClock struct {
	once    sync.Once
	started chan struct{}
}

func (c *blockingClock) Now() time.Time { return time.Now() }
func (c *blockingClock) Sleep(ctx context.Context, d time.Duration) error {
	c.once.Do(func() { close(c.started) })
	<-ctx.Done()
	return ctx.Err()
}

// seen is one request as the server saw it.
type seen struct {
	Path, RawURI, Nonce string
	Header              http.Header
	VerifyErr           error
}

// server is an httptest server that answers with a script of handlers (the last one
// repeats), verifies every signature and records what it saw.
type server struct {
	*httptest.Server
	mu    sync.Mutex
	steps []http.HandlerFunc
	seen  []seen
	conns int
}

func newServer(t *testing.T, steps ...http.HandlerFunc) *server {
	t.Helper()
	s := &server{steps: steps}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.mu.Lock()
			s.conns++
			s.mu.Unlock()
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func (s *server) serve(w http.ResponseWriter, r *http.Request) {
	_, verr := signer.Verify(r, nil, func(ak string) (string, bool) { return testSK, ak == testAK }, signer.VerifyOptions{Service: "vm"})
	s.mu.Lock()
	n := len(s.seen)
	s.seen = append(s.seen, seen{Path: r.URL.Path, RawURI: r.RequestURI, Nonce: r.Header.Get(signer.HeaderNonce), Header: r.Header.Clone(), VerifyErr: verr})
	step := s.steps[min(n, len(s.steps)-1)]
	s.mu.Unlock()
	if verr != nil {
		writeJSON(w, 401, `{"requestId":"rq-auth","error":{"code":401,"status":"ACCESS_ERROR","message":"sign result is not same [gw]"}}`)
		return
	}
	step(w, r)
}

func (s *server) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.seen...)
}

func (s *server) connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	var env struct {
		RequestID string `json:"requestId"`
	}
	_ = json.Unmarshal([]byte(body), &env)
	w.Header().Set("Content-Type", "application/json")
	if env.RequestID != "" {
		w.Header().Set("X-Jdcloud-Request-Id", env.RequestID)
	}
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func respond(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { writeJSON(w, status, body) }
}

const okBody = `{"requestId":"rq-ok","result":{"image":{"imageId":"img-abc12345","name":"CentOS 8.2 64位","status":"ready","sizeMB":2494,"progress":"100","systemDisk":{"deviceName":"vda","diskCategory":"cloud","cloudDisk":{"diskSizeGB":40}}}}}`

// ok answers each operation with its own success body (see operations).
func ok() http.HandlerFunc { return okFor }

func apiErr(status int, symbol, msg string) http.HandlerFunc {
	body, _ := json.Marshal(map[string]any{"requestId": "rq-" + symbol, "error": map[string]any{"code": status, "status": symbol, "message": msg}})
	return respond(status, string(body))
}

// testClient builds a client for s with instant time and a validating transport.
type testClient struct {
	*client.Client
	clock *fake.ManualClock
	vt    *validate.Transport
}

func newClient(t *testing.T, s *server, opts ...client.Option) *testClient {
	t.Helper()
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	vt := v.Transport(s.Client().Transport)
	clock := newFakeClock()
	base := []client.Option{
		client.WithCredentials(signer.Credentials{AccessKey: testAK, SecretKey: testSK}),
		client.WithEndpoint(s.URL),
		client.WithHTTPClient(&http.Client{Transport: vt}),
		client.WithClock(clock),
		client.WithRandom(func() float64 { return 0.5 }),
	}
	c, err := client.New(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return &testClient{Client: c, clock: clock, vt: vt}
}

// assertValid fails the test if any exchange the client made departed from the spec.
func (tc *testClient) assertValid(t *testing.T) {
	t.Helper()
	if err := tc.vt.Err(); err != nil {
		t.Errorf("exchange violates the spec: %v", err)
	}
}

// operation is one call of the client, so that the fault matrix runs as a table over
// every operation rather than as copies.
type operation struct {
	name string
	// prefix is how the operation's errors start.
	prefix string
	// okBody is a success body; missingBody lacks what the operation promises, with
	// missingReason the error's reason; badTypeBody has a field of the wrong type.
	okBody, missingBody, missingReason, badTypeBody string
	call                                            func(ctx context.Context, c *client.Client) (*client.Response, error)
}

var operations = []operation{
	{
		name: "DescribeImage", prefix: "vmimage: describe image img-abc12345 in cn-north-1",
		okBody: okBody, missingBody: `{"requestId":"r","result":{}}`, missingReason: "success without result.image",
		badTypeBody: `{"requestId":"r","result":{"image":{"sizeMB":"x"}}}`,
		call: func(ctx context.Context, c *client.Client) (*client.Response, error) {
			img, resp, err := c.DescribeImage(ctx, "cn-north-1", "img-abc12345")
			if err == nil && (img == nil || *img.ImageId != "img-abc12345") {
				return resp, fmt.Errorf("wrong image %v", img)
			}
			return resp, err
		},
	},
	{
		name: "DescribeImages", prefix: "vmimage: describe images in cn-north-1",
		okBody:      `{"requestId":"rq-ok","result":{"totalCount":2,"images":[{"imageId":"img-abc12345"},{"imageId":"img-def67890"}]}}`,
		missingBody: `{"requestId":"r","result":{"images":[]}}`, missingReason: "success without result.totalCount",
		badTypeBody: `{"requestId":"r","result":{"totalCount":"2"}}`,
		call: func(ctx context.Context, c *client.Client) (*client.Response, error) {
			page, resp, err := c.DescribeImages(ctx, "cn-north-1", client.ImageFilter{Source: api.ImageSourcePublic}, client.Page{Number: 2, Size: 50})
			if err == nil && (page.TotalCount != 2 || len(page.Images) != 2) {
				return resp, fmt.Errorf("wrong page %+v", page)
			}
			return resp, err
		},
	},
	{
		name: "DescribeImageConstraints", prefix: "vmimage: describe image constraints img-abc12345 in cn-north-1",
		okBody:      `{"requestId":"rq-ok","result":{"imageConstraints":{"imageId":"img-abc12345","imageInstanceTypeConstraint":{"constraintsType":"includes","instanceTypes":["g.n2.large"]}}}}`,
		missingBody: `{"requestId":"r","result":{}}`, missingReason: "success without result.imageConstraints",
		badTypeBody: `{"requestId":"r","result":{"imageConstraints":{"imageInstanceTypeConstraint":{"instanceTypes":"g.n2.large"}}}}`,
		call: func(ctx context.Context, c *client.Client) (*client.Response, error) {
			ic, resp, err := c.DescribeImageConstraints(ctx, "cn-north-1", "img-abc12345")
			if err == nil && (ic.ImageInstanceTypeConstraint == nil || ic.ImageInstanceTypeConstraint.InstanceTypes[0] != "g.n2.large") {
				return resp, fmt.Errorf("wrong constraint %+v", ic)
			}
			return resp, err
		},
	},
	{
		name: "DescribeImageConstraintsBatch", prefix: "vmimage: describe image constraints batch img-abc12345,img-def67890 in cn-north-1",
		okBody:      `{"requestId":"rq-ok","result":{"imageConstraints":[{"imageId":"img-abc12345"},{"imageId":"img-def67890"}]}}`,
		missingBody: `{"requestId":"r"}`, missingReason: "success without result",
		badTypeBody: `{"requestId":"r","result":{"imageConstraints":{}}}`,
		call: func(ctx context.Context, c *client.Client) (*client.Response, error) {
			list, resp, err := c.DescribeImageConstraintsBatch(ctx, "cn-north-1", []string{"img-abc12345", "img-def67890"})
			if err == nil && len(list) != 2 {
				return resp, fmt.Errorf("wrong list %+v", list)
			}
			return resp, err
		},
	},
	{
		name: "DescribeImageMembers", prefix: "vmimage: describe image members img-abc12345 in cn-north-1",
		okBody:      `{"requestId":"rq-ok","result":{"pins":["p1"],"loginNames":["l1","l2"]}}`,
		missingBody: `{"requestId":"r"}`, missingReason: "success without result",
		badTypeBody: `{"requestId":"r","result":{"pins":"p1"}}`,
		call: func(ctx context.Context, c *client.Client) (*client.Response, error) {
			m, resp, err := c.DescribeImageMembers(ctx, "cn-north-1", "img-abc12345")
			if err == nil && (len(m.Pins) != 1 || len(m.LoginNames) != 2) {
				return resp, fmt.Errorf("wrong members %+v", m)
			}
			return resp, err
		},
	},
}

// forEachOp runs f as a subtest for every operation.
func forEachOp(t *testing.T, f func(t *testing.T, op operation)) {
	t.Helper()
	for _, op := range operations {
		t.Run(op.name, func(t *testing.T) { f(t, op) })
	}
}

// opOf returns the operation a request path is for.
func opOf(path string) operation {
	switch {
	case strings.HasSuffix(path, "/constraints"):
		return operations[2]
	case strings.HasSuffix(path, "/imageConstraints"):
		return operations[3]
	case strings.HasSuffix(path, "/members"):
		return operations[4]
	case strings.HasSuffix(path, "/images"):
		return operations[1]
	}
	return operations[0]
}

// okFor answers every operation with its success body.
func okFor(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, opOf(r.URL.Path).okBody) }
