package fake

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultKind is what a fault does to the response.
type FaultKind int

// The kinds of fault.
const (
	// FaultNone answers normally; use it with Latency or RetryAfter alone.
	FaultNone FaultKind = iota
	// FaultStatus answers Status with the JSON error envelope.
	FaultStatus
	// FaultHTML answers Status with an HTML body, as a proxy would.
	FaultHTML
	// FaultCloseConnection sends the status line and part of the headers, then closes
	// the connection.
	FaultCloseConnection
	// FaultTruncatedBody announces the full body's length, sends half, then closes.
	FaultTruncatedBody
	// FaultOversizedBody answers 200 with a JSON body of OversizeBytes bytes, chunked.
	FaultOversizedBody
	// FaultWrongContentType answers the normal JSON body labelled text/plain.
	FaultWrongContentType
	// FaultJobFails answers normally, but the copy or import the request starts
	// (CopyImages, ImportImage) fails: its images end in error, an import task in
	// failed. It matches only those two operations. A use of it is consumed only by
	// a request that starts a job: one refused (400, 404, 429 QUOTA_EXCEEDED, ...),
	// or a clientToken replay, starts none and leaves the fault pending. One use is
	// one request: every copy a multi-image CopyImages starts fails. Its Latency
	// and RetryAfter apply to the request that consumes it.
	FaultJobFails
	// FaultAnswerLost does the request's work (a write takes effect), then closes the
	// connection without answering: the answer is lost on the way back.
	FaultAnswerLost
)

var faultNames = map[FaultKind]string{
	FaultNone: "none", FaultStatus: "status", FaultHTML: "html", FaultCloseConnection: "close-connection",
	FaultTruncatedBody: "truncated-body", FaultOversizedBody: "oversized-body", FaultWrongContentType: "wrong-content-type", FaultJobFails: "job-fails", FaultAnswerLost: "answer-lost",
}

func (k FaultKind) String() string {
	if s, ok := faultNames[k]; ok {
		return s
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// DefaultOversizeBytes is the body size of FaultOversizedBody: over the client's
// default 10 MiB limit.
const DefaultOversizeBytes = 11 << 20

// Fault scripts a misbehaviour for the next Times matching requests.
type Fault struct {
	Kind FaultKind
	// Status for FaultStatus and FaultHTML (default 503).
	Status int
	// Code is the error symbol for FaultStatus (default from the status, e.g.
	// HTTP_SERVICE_UNAVAILABLE for 503).
	Code string
	// Message is the error message for FaultStatus (default "injected fault: " and
	// the status text).
	Message string
	// Operation restricts the fault to one operation, by its id in openapi.yaml
	// (describeImages, copyImages, shareImage, ...), whatever the path's ids; ""
	// matches every operation.
	Operation string
	// Path restricts the fault to one escaped request path, e.g.
	// "/v1/regions/cn-north-1/images/img-x"; "" matches every path. A GET and a POST
	// of one path are told apart only by Operation.
	Path string
	// Times is how many matching requests the fault applies to (for FaultJobFails,
	// how many requests that start a copy or import); 0 or less means every one
	// until ClearFaults.
	Times int
	// Latency delays the response by this much (on the fake's clock).
	Latency time.Duration
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter string
	// OversizeBytes is the body size for FaultOversizedBody (default DefaultOversizeBytes).
	OversizeBytes int64
}

func (f Fault) validate() error {
	switch {
	case f.Kind < FaultNone || f.Kind > FaultAnswerLost:
		return fmt.Errorf("fake: unknown fault kind %d", f.Kind)
	case f.Status != 0 && (f.Status < 100 || f.Status > 599):
		return fmt.Errorf("fake: fault status %d is not an HTTP status", f.Status)
	case f.Latency < 0 || f.OversizeBytes < 0:
		return errors.New("fake: negative fault latency or size")
	case f.Path != "" && !strings.HasPrefix(f.Path, "/"):
		return fmt.Errorf("fake: fault path %q must start with /", f.Path)
	case f.Operation != "" && !knownOperation(f.Operation):
		return fmt.Errorf("fake: fault operation %q is not an operation id of openapi.yaml", f.Operation)
	case f.Kind == FaultJobFails && f.Operation != "" && !jobOperations[f.Operation]:
		return fmt.Errorf("fake: a %s fault applies to copyImages or importImage, not %s", f.Kind, f.Operation)
	}
	return nil
}

// faults is the thread-safe script of pending faults.
type faults struct {
	mu   sync.Mutex
	list []*pendingFault
}

type pendingFault struct {
	Fault
	left int // -1: forever
}

func (fs *faults) add(f Fault) error {
	if err := f.validate(); err != nil {
		return err
	}
	if f.Status == 0 {
		f.Status = http.StatusServiceUnavailable
	}
	if f.OversizeBytes == 0 {
		f.OversizeBytes = DefaultOversizeBytes
	}
	left := f.Times
	if left <= 0 {
		left = -1
	}
	fs.mu.Lock()
	fs.list = append(fs.list, &pendingFault{Fault: f, left: left})
	fs.mu.Unlock()
	return nil
}

// jobOperations start the work FaultJobFails makes fail.
var jobOperations = map[string]bool{"copyImages": true, "importImage": true}

func knownOperation(op string) bool {
	for _, rt := range writeRoutes {
		if rt.op == op {
			return true
		}
	}
	for _, o := range readOps {
		if o == op {
			return true
		}
	}
	return false
}

// take returns the first fault matching the path and the operation, consuming one
// use of it, except for a FaultJobFails: the request's job claims that one when it
// starts (claimJobFault), so a request that starts no job leaves it pending.
func (fs *faults) take(path, op string) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, pf := range fs.list {
		if pf.matches(path, op) {
			if pf.Kind != FaultJobFails {
				fs.use(i)
			}
			return pf.Fault, true
		}
	}
	return Fault{}, false
}

// claimJob consumes one use of the first FaultJobFails matching the path and the
// operation; false when none is left (a concurrent request took its last use, or
// ClearFaults removed it).
func (fs *faults) claimJob(path, op string) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, pf := range fs.list {
		if pf.Kind == FaultJobFails && pf.matches(path, op) {
			fs.use(i)
			return pf.Fault, true
		}
	}
	return Fault{}, false
}

func (pf *pendingFault) matches(path, op string) bool {
	return (pf.Path == "" || pf.Path == path) && (pf.Operation == "" || pf.Operation == op) &&
		(pf.Kind != FaultJobFails || jobOperations[op])
}

// use consumes one use of fs.list[i], removing it after its last. The caller holds
// fs.mu.
func (fs *faults) use(i int) {
	pf := fs.list[i]
	if pf.left > 0 {
		pf.left--
		if pf.left == 0 {
			fs.list = append(fs.list[:i:i], fs.list[i+1:]...)
		}
	}
}

// jobFaultKey holds, in the context of a request whose fault is a FaultJobFails, its
// *jobFault.
type jobFaultKey struct{}

// jobFault is a request's pending FaultJobFails. Only the request's goroutine uses it.
type jobFault struct {
	// claim consumes one use of the fault and records it in the request log.
	claim   func() (Fault, bool)
	fault   Fault
	claimed bool
}

// claimJobFault reports whether the copy or import starting now, for the request
// of ctx, must fail: it claims one use of the request's FaultJobFails, if it has one
// still pending. A handler calls it once its job is certain to start (every check
// passed), just before storing it.
func claimJobFault(ctx context.Context) bool {
	jf, _ := ctx.Value(jobFaultKey{}).(*jobFault)
	if jf == nil {
		return false
	}
	if !jf.claimed {
		jf.fault, jf.claimed = jf.claim()
	}
	return jf.claimed
}

// claimedJobFault returns the FaultJobFails the request of ctx claimed, if any.
func claimedJobFault(ctx context.Context) (Fault, bool) {
	jf, _ := ctx.Value(jobFaultKey{}).(*jobFault)
	if jf == nil || !jf.claimed {
		return Fault{}, false
	}
	return jf.fault, true
}

func (fs *faults) clear() {
	fs.mu.Lock()
	fs.list = nil
	fs.mu.Unlock()
}

// symbolFor is the gateway's symbol for a status.
func symbolFor(status int) string {
	switch status {
	case 400:
		return "HTTP_BAD_REQUEST"
	case 401:
		return "ACCESS_ERROR"
	case 403:
		return "HTTP_FORBIDDEN"
	case 404:
		return "NOT_FOUND"
	case 429:
		return "HTTP_RATE_LIMIT_EXCEEDED"
	case 500:
		return "INTERNAL"
	case 502:
		return "HTTP_BAD_GATEWAY"
	case 503:
		return "HTTP_SERVICE_UNAVAILABLE"
	case 504:
		return "HTTP_SERVER_TIMING_OUT"
	}
	return "UNKNOWN"
}

// serveFault writes the faulty response. normal writes the response the service
// would have given (used by the faults that damage a normal answer).
func (s *Service) serveFault(ctx context.Context, w http.ResponseWriter, f Fault, reqID string, normal func(http.ResponseWriter)) error {
	if f.Latency > 0 {
		if err := s.clock.Sleep(ctx, f.Latency); err != nil {
			return err
		}
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	switch f.Kind {
	case FaultNone, FaultJobFails:
		normal(w)
	case FaultStatus:
		code := f.Code
		if code == "" {
			code = symbolFor(f.Status)
		}
		msg := f.Message
		if msg == "" {
			msg = "injected fault: " + http.StatusText(f.Status)
		}
		writeError(w, f.Status, code, msg, reqID)
	case FaultHTML:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, "<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
			f.Status, http.StatusText(f.Status), f.Status, http.StatusText(f.Status))
	case FaultAnswerLost:
		normal(&bufferWriter{header: http.Header{}})
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return err
		}
		return conn.Close()
	case FaultCloseConnection:
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return err
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Len")
		return buf.Flush()
	case FaultTruncatedBody:
		rec := &bufferWriter{header: http.Header{}}
		normal(rec)
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		body := rec.buf.String()
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.status)
		io.WriteString(w, body[:len(body)/2])
		// Returning with fewer bytes than announced makes net/http close the connection.
	case FaultOversizedBody:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set(headerRequestID, reqID)
		w.WriteHeader(http.StatusOK)
		bw := bufio.NewWriterSize(w, 64<<10)
		prefix := `{"requestId":"` + reqID + `","result":{"image":{"desc":"`
		bw.WriteString(prefix)
		pad := strings.Repeat("x", 32<<10)
		for n := int64(len(prefix)); n < f.OversizeBytes-8; n += int64(len(pad)) {
			if _, err := bw.WriteString(pad[:min(int64(len(pad)), f.OversizeBytes-8-n)]); err != nil {
				return nil // the client hung up: expected
			}
		}
		bw.WriteString(`"}}}`)
		bw.Flush()
	case FaultWrongContentType:
		rec := &bufferWriter{header: http.Header{}}
		normal(rec)
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(rec.status)
		w.Write(rec.buf.Bytes())
	}
	return nil
}
