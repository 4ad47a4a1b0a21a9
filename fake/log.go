package fake

import (
	"bytes"
	"maps"
	"net/http"
	"strings"
	"sync"
	"time"
)

// RecordedRequest is what the fake saw of one request, and how it answered.
type RecordedRequest struct {
	// Time is when it arrived, on the fake's clock.
	Time time.Time
	// Method and Path (escaped, as on the wire).
	Method, Path string
	// SignedHeaders maps each header named in the signature (lowercase) to its value
	// (x-jdcloud-security-token's, a secret, to "REDACTED").
	SignedHeaders map[string]string
	// Algorithm is the signature algorithm named by Authorization
	// (JDCLOUD2-HMAC-SHA256 or JDCLOUD3-HMAC-SHA256), "" when absent or unknown.
	Algorithm string
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
	// Body is the request body, clipped to its first 2 KiB.
	Body string
}

// DefaultRequestLogSize is how many recent requests the log keeps unless
// WithRequestLogSize says otherwise; older ones are only counted (RequestStats).
const DefaultRequestLogSize = 1000

// Bounds on what one log entry keeps of a request, whatever its size: a request
// from anyone must not grow the fake's memory.
const (
	maxLoggedText    = 256 // path, auth error, each signed header's value
	maxLoggedID      = 64  // nonce, access key, a signed header's name
	maxLoggedHeaders = 16  // signed headers recorded
	maxLoggedBody    = 2048
)

// RequestStats counts every request since the fake started (or ResetRequests),
// including those the bounded log no longer holds.
type RequestStats struct {
	// Total is the number of requests; Evicted how many of them the log dropped.
	Total, Evicted int
	// AuthFailures is the number refused by authentication (401 or 403).
	AuthFailures int
	// ByStatus counts the answers by HTTP status (0: the connection was cut).
	ByStatus map[int]int
}

// requestLog is a ring of the most recent requests, addressed by sequence number.
type requestLog struct {
	mu      sync.Mutex
	size    int
	ring    []RecordedRequest
	next    uint64 // sequence number of the next entry
	stats   RequestStats
	observe func(RecordedRequest)
}

func newRequestLog(size int, observe func(RecordedRequest)) *requestLog {
	return &requestLog{size: size, observe: observe, stats: RequestStats{ByStatus: map[int]int{}}}
}

// add records a request and returns its sequence number, for update and done.
func (l *requestLog) add(r RecordedRequest) uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	seq := l.next
	l.next++
	l.stats.Total++
	if len(l.ring) < l.size {
		l.ring = append(l.ring, r)
	} else {
		l.ring[seq%uint64(l.size)] = r
		l.stats.Evicted++
	}
	return seq
}

// update changes a recorded request still in the ring (after a reset, or once the
// ring has moved past it, the call is ignored).
func (l *requestLog) update(seq uint64, r RecordedRequest) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.set(seq, r)
}

func (l *requestLog) set(seq uint64, r RecordedRequest) {
	if seq < l.next && l.next-seq <= uint64(len(l.ring)) {
		if i := seq % uint64(l.size); l.ring[i].RequestID == r.RequestID {
			l.ring[i] = r
		}
	}
}

// done records a request's final state, counts it, and reports it to the observer.
func (l *requestLog) done(seq uint64, r RecordedRequest) {
	l.mu.Lock()
	l.set(seq, r)
	l.stats.ByStatus[r.Status]++
	if r.AuthError != "" {
		l.stats.AuthFailures++
	}
	observe := l.observe
	l.mu.Unlock()
	if observe != nil {
		observe(r)
	}
}

// all returns the entries in the ring, oldest first.
func (l *requestLog) all() []RecordedRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]RecordedRequest, 0, len(l.ring))
	first := l.next - uint64(len(l.ring))
	for seq := first; seq < l.next; seq++ {
		out = append(out, l.ring[seq%uint64(l.size)])
	}
	return out
}

func (l *requestLog) statistics() RequestStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.stats
	st.ByStatus = maps.Clone(l.stats.ByStatus)
	return st
}

func (l *requestLog) reset() {
	l.mu.Lock()
	// Sequence numbers restart with the ring, so that seq%size indexes it again; a
	// request still in flight from before finds another RequestID there and is ignored.
	l.next = 0
	l.ring = nil
	l.stats = RequestStats{ByStatus: map[int]int{}}
	l.mu.Unlock()
}

// clip cuts untrusted text to at most n bytes of valid UTF-8.
func clip(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
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
