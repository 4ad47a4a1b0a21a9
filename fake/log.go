package fake

import (
	"bytes"
	"net/http"
	"sync"
	"time"
)

// RecordedRequest is what the fake saw of one request, and how it answered.
type RecordedRequest struct {
	// Time is when it arrived, on the fake's clock.
	Time time.Time
	// Method and Path (escaped, as on the wire).
	Method, Path string
	// SignedHeaders maps each header named in the signature (lowercase) to its value.
	SignedHeaders map[string]string
	// AccessKey and Nonce from the signature ("" when absent).
	AccessKey, Nonce string
	// Status is the HTTP status answered (0 when the connection was cut).
	Status int
	// RequestID is the x-jdcloud-request-id answered.
	RequestID string
	// Fault names the injected fault, "" when none.
	Fault string
	// AuthError is why authentication failed, "" when it passed.
	AuthError string
}

type requestLog struct {
	mu   sync.Mutex
	reqs []RecordedRequest
}

// add records a request and returns its index, for setStatus.
func (l *requestLog) add(r RecordedRequest) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = append(l.reqs, r)
	return len(l.reqs) - 1
}

// update changes a recorded request (after a reset, an old index is ignored).
func (l *requestLog) update(i int, r RecordedRequest) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i < len(l.reqs) && l.reqs[i].RequestID == r.RequestID {
		l.reqs[i] = r
	}
}

func (l *requestLog) all() []RecordedRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]RecordedRequest(nil), l.reqs...)
}

func (l *requestLog) reset() {
	l.mu.Lock()
	l.reqs = nil
	l.mu.Unlock()
}

// statusRecorder records the status in the request log before it goes on the wire,
// so that a client never sees a response the log does not show yet.
type statusRecorder struct {
	http.ResponseWriter
	status  int
	onWrite func(status int)
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
		r.onWrite(code)
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (for hijacking faults).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// bufferWriter captures a response in memory.
type bufferWriter struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func (b *bufferWriter) Header() http.Header { return b.header }
func (b *bufferWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.buf.Write(p)
}
