package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// RetryPolicy says when and how long to wait before trying again.
//
// An attempt is retried when it failed with a connection error, timed out (the
// per-attempt timeout, not the caller's context), or was answered 429 (but not
// QUOTA_EXCEEDED), 500, 502, 503 or 504, as far as the operation's rule
// (x-vmimage-retry) allows: a never call only when the attempt never reached the
// service. It is never retried on another 4xx, on the caller's cancellation or
// deadline, on a TLS verification failure or on an unknown host.
//
// The wait before attempt n+1 is "full jitter": a uniformly random duration in
// [0, min(MaxDelay, BaseDelay*2^(n-1))). A Retry-After header (seconds or an HTTP
// date) replaces it, capped at MaxRetryAfter. A wait that would end after the
// caller's deadline is not started: the call returns at once.
type RetryPolicy struct {
	// MaxAttempts is the number of attempts, the first included (1 disables retries).
	MaxAttempts int
	// BaseDelay is the backoff's scale.
	BaseDelay time.Duration
	// MaxDelay caps the backoff.
	MaxDelay time.Duration
	// MaxRetryAfter caps a server-given Retry-After.
	MaxRetryAfter time.Duration
	// Budget is the client-wide retry budget; a zero Budget disables it.
	Budget RetryBudget
}

// RetryBudget is a client-wide token bucket that stops a client from hammering a
// failing service: every retry takes RetryCost tokens (TimeoutCost after a timeout or
// connection error), every success puts SuccessRefund back, up to Capacity. When the
// bucket cannot pay for a retry, the call fails with a *MaxAttemptsError matching
// ErrRetryBudgetExhausted.
type RetryBudget struct {
	Capacity      int
	RetryCost     int
	TimeoutCost   int
	SuccessRefund int
}

// DefaultRetryBudget returns the default retry budget, which mirrors the AWS SDKs'
// standard retry quota. Each call returns a fresh value: changing it changes nothing
// else.
func DefaultRetryBudget() RetryBudget {
	return RetryBudget{Capacity: 500, RetryCost: 5, TimeoutCost: 10, SuccessRefund: 1}
}

// DefaultRetryPolicy returns the policy a client uses unless WithRetryPolicy says
// otherwise: 3 attempts, full-jitter backoff from 200 ms capped at 20 s, Retry-After
// honoured up to 20 s, and DefaultRetryBudget. Each call returns a fresh value, so
// callers can start from it and change fields without affecting other clients.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts:   3,
		BaseDelay:     200 * time.Millisecond,
		MaxDelay:      20 * time.Second,
		MaxRetryAfter: 20 * time.Second,
		Budget:        DefaultRetryBudget(),
	}
}

// NoRetries returns a policy that makes exactly one attempt. Like
// DefaultRetryPolicy, it is a function: each call returns a fresh value, so no
// caller can change what another gets.
func NoRetries() RetryPolicy { return RetryPolicy{MaxAttempts: 1} }

func (p RetryPolicy) validate() error {
	switch {
	case p.MaxAttempts < 1:
		return fmt.Errorf("MaxAttempts %d must be at least 1", p.MaxAttempts)
	case p.MaxAttempts > 1 && p.BaseDelay <= 0:
		return fmt.Errorf("BaseDelay %s must be positive", p.BaseDelay)
	case p.MaxDelay < p.BaseDelay:
		return fmt.Errorf("MaxDelay %s is below BaseDelay %s", p.MaxDelay, p.BaseDelay)
	case p.MaxRetryAfter < 0:
		return fmt.Errorf("MaxRetryAfter %s is negative", p.MaxRetryAfter)
	case p.Budget.Capacity < 0 || p.Budget.RetryCost < 0 || p.Budget.TimeoutCost < 0 || p.Budget.SuccessRefund < 0:
		return errors.New("RetryBudget fields must not be negative")
	}
	return nil
}

// backoff returns the full-jitter delay before attempt+1; r is uniform in [0,1).
func (p RetryPolicy) backoff(attempt int, r float64) time.Duration {
	d := p.BaseDelay
	for i := 1; i < attempt && d < p.MaxDelay; i++ {
		if d > p.MaxDelay/2 { // doubling would pass the cap (or wrap past math.MaxInt64)
			d = p.MaxDelay
			break
		}
		d *= 2
	}
	d = min(d, p.MaxDelay)
	return time.Duration(r * float64(d))
}

// outcome is one attempt's result, classified: a 2xx body (err nil), or the
// attempt's typed error and whether the call may try again. Every retry decision of
// the pipeline is made by classifyResponse and classifyTransportError, here.
type outcome struct {
	// status, header and body are those of the response, when one was had.
	status int
	header http.Header
	body   []byte
	// err is the attempt's error; nil for a 2xx response.
	err       error
	retryable bool
	// timeout marks a timeout or connection error (a dearer retry for the budget).
	timeout bool
	// retryAfter is the server's Retry-After, when hasRetryAfter.
	retryAfter    time.Duration
	hasRetryAfter bool
	// unsent marks an attempt that provably never reached the service (its
	// connection was never made); throttled a throttling answer given before any work.
	unsent, throttled bool
	// interrupted marks an attempt cut off by the caller's context: sent or not, its
	// answer was never read.
	interrupted bool
	// signature is the attempt's signature, never to be quoted from its body.
	signature string
}

// mayHaveReached reports whether a failed attempt may have done its work.
func (o outcome) mayHaveReached() bool { return !o.unsent && !o.throttled }

// classifyResponse classifies a complete response: a 2xx is final and good; a 3xx is
// refused; any other status becomes its typed error, retried when the status is.
func classifyResponse(op Operation, status int, header http.Header, body []byte, now time.Time) outcome {
	o := outcome{status: status, header: header, body: body}
	if status/100 == 2 {
		return o
	}
	o.err = decodeError(op, status, header, body, now)
	o.retryable = retryableStatus(status)
	if e, ok := o.err.(*APIError); ok && status == http.StatusTooManyRequests {
		// A quota is not a throttle: it is never retried.
		o.throttled = e.Status != ErrQuotaExceeded.Status
		o.retryable = o.throttled
	}
	o.retryAfter, o.hasRetryAfter = parseRetryAfter(header.Get("Retry-After"), now)
	return o
}

// classifyTransportError classifies an attempt that got no usable response.
func classifyTransportError(ctx context.Context, op Operation, n int, err error, attemptTimeout time.Duration) outcome {
	if cerr := ctx.Err(); cerr != nil {
		return outcome{err: &RequestError{Op: op, Attempts: n, Err: cerr, Last: err}, interrupted: true, unsent: dialFailed(err)}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return outcome{err: &RequestError{Op: op, Attempts: n, Err: fmt.Errorf("%w after %s", ErrAttemptTimeout, attemptTimeout)}, retryable: true, timeout: true}
	}
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) {
		// The server answered the TLS handshake with something else, typically plain
		// HTTP: no retry can change that.
		return outcome{err: &RequestError{Op: op, Attempts: n, Err: fmt.Errorf("%w (the endpoint does not speak TLS: if it serves plain HTTP, give its URL with http://)", err)}}
	}
	rerr := &RequestError{Op: op, Attempts: n, Err: err}
	if !retryableTransportError(err) {
		return outcome{err: rerr}
	}
	return outcome{err: rerr, retryable: true, timeout: true, unsent: dialFailed(err)}
}

// dialFailed reports a connection that was never made: the request never left.
func dialFailed(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}

// retryableTransportError refuses TLS verification failures and unknown hosts.
func retryableTransportError(err error) bool {
	var (
		certErr     *tls.CertificateVerificationError
		unknownAuth x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidCert x509.CertificateInvalidError
		dnsErr      *net.DNSError
	)
	switch {
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &invalidCert):
		return false
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return false
	}
	return true
}

func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	const maxSecs = int64(time.Duration(1<<62) / time.Second)
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, maxSecs)) * time.Second, true
	}
	if allDigits(v) { // too large for int64: as long as can be (the caller caps it)
		return time.Duration(maxSecs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// budget is the shared token bucket, lock-free: every call touches it (a success
// refunds), so it must not serialize goroutines.
type budget struct {
	cfg    RetryBudget
	tokens atomic.Int64
}

func newBudget(cfg RetryBudget) *budget {
	b := &budget{cfg: cfg}
	b.tokens.Store(int64(cfg.Capacity))
	return b
}

// take pays for a retry; it reports false when the bucket cannot pay.
func (b *budget) take(timeout bool) (cost int, ok bool) {
	if b.cfg.Capacity == 0 {
		return 0, true
	}
	cost = b.cfg.RetryCost
	if timeout {
		cost = b.cfg.TimeoutCost
	}
	for {
		t := b.tokens.Load()
		if t < int64(cost) {
			return 0, false
		}
		if b.tokens.CompareAndSwap(t, t-int64(cost)) {
			return cost, true
		}
	}
}

// success refunds a successful call: the cost of its retries, or SuccessRefund.
func (b *budget) success(paid int) {
	if b.cfg.Capacity == 0 {
		return
	}
	if paid == 0 {
		paid = b.cfg.SuccessRefund
	}
	for {
		t := b.tokens.Load()
		n := min(t+int64(paid), int64(b.cfg.Capacity))
		if n == t || b.tokens.CompareAndSwap(t, n) {
			return
		}
	}
}
