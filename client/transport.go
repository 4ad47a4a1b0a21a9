package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/vmimage/vmimage/signer"
)

// MaxErrorBodyBytes bounds the body read from a non-2xx response (the JSON error
// envelope is a few hundred bytes; a proxy's HTML page rarely more than a few KiB).
const MaxErrorBodyBytes = 64 << 10

// drainBytes is how much of an unread body is drained before closing it.
const drainBytes = 4 << 10

// ErrAttemptTimeout is wrapped by the *RequestError of an attempt that ran past the
// per-attempt timeout.
var ErrAttemptTimeout = errors.New("attempt timed out")

// callState carries one call's identity from DescribeImage through the generated
// client into the doer, and the final body back.
type callState struct {
	op     Operation
	region string
	body   []byte
}

type callStateKey struct{}

func withCallState(ctx context.Context, st *callState) context.Context {
	return context.WithValue(ctx, callStateKey{}, st)
}

// doer is the generated client's HttpRequestDoer: it runs the retry loop, signing
// every attempt afresh, and returns the final response with its body read (bounded).
type doer struct{ c *Client }

// outcome is the result of one attempt.
type outcome struct {
	resp      *http.Response
	body      []byte
	err       error // set when no usable response was had
	retryable bool
	timeout   bool // the attempt failed by timeout or connection error
}

func (d *doer) Do(req *http.Request) (*http.Response, error) {
	c := d.c
	ctx := req.Context()
	st, _ := ctx.Value(callStateKey{}).(*callState)
	if st == nil {
		return nil, errors.New("vmimage: internal: request without call state")
	}
	canonicalizePath(req)
	policy := c.cfg.retry
	paid := 0
	var last error
	for attempt := 1; ; attempt++ {
		if err := c.limiter.wait(ctx); err != nil {
			return nil, &RequestError{Op: st.op, Attempts: attempt - 1, Err: err, Last: last}
		}
		o := c.attempt(ctx, req, st, attempt)
		var retryAfter time.Duration
		var hasRetryAfter bool
		switch {
		case o.err != nil && !o.retryable:
			return nil, o.err
		case o.err != nil:
			last = o.err
		case !retryableStatus(o.resp.StatusCode):
			if o.resp.StatusCode/100 == 2 {
				c.budget.success(paid)
			}
			st.body = o.body
			o.resp.Body = io.NopCloser(bytes.NewReader(o.body))
			return o.resp, nil
		default:
			_, _, last = interpret(st.op, o.resp, o.body, c.cfg.clock.Now())
			retryAfter, hasRetryAfter = parseRetryAfter(o.resp.Header.Get("Retry-After"), c.cfg.clock.Now())
		}
		if attempt >= policy.MaxAttempts {
			if policy.MaxAttempts == 1 {
				return nil, last
			}
			return nil, &MaxAttemptsError{Op: st.op, Attempts: attempt, Err: last}
		}
		cost, ok := c.budget.take(o.timeout)
		if !ok {
			return nil, &MaxAttemptsError{Op: st.op, Attempts: attempt, BudgetExhausted: true, Err: last}
		}
		paid += cost
		delay := policy.backoff(attempt, c.cfg.random())
		if hasRetryAfter {
			delay = min(retryAfter, policy.MaxRetryAfter)
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < delay {
			return nil, &RequestError{Op: st.op, Attempts: attempt, Err: fmt.Errorf("next retry in %s would pass the deadline: %w", delay.Round(time.Millisecond), context.DeadlineExceeded), Last: last}
		}
		if err := c.cfg.clock.Sleep(ctx, delay); err != nil {
			return nil, &RequestError{Op: st.op, Attempts: attempt, Err: err, Last: last}
		}
	}
}

// attempt sends one signed request and reads its body within the per-attempt timeout.
//
// The per-attempt timeout is the HTTP client's Timeout (set on the client's own copy),
// not a context deadline: a context cancelled right after the body is read races with
// the transport's return of the connection to its pool, and loses connections.
//
// The request is reused across attempts (signing replaces the date, nonce and
// Authorization): an attempt starts only after the previous response body is closed.
func (c *Client) attempt(ctx context.Context, req *http.Request, st *callState, n int) outcome {
	req.Header["Content-Type"] = []string{"application/json"}
	req.Header["User-Agent"] = []string{c.userAgent}
	nonce, err := signer.NewNonce()
	if err == nil {
		// Signed on the client's clock, so a test clock shared with a fake agrees.
		err = c.signer.SignAt(req, nil, st.region, c.cfg.clock.Now(), nonce)
	}
	if err != nil {
		return outcome{err: &RequestError{Op: st.op, Err: err}}
	}
	var start time.Time
	logging := c.cfg.logger.Enabled(ctx, slog.LevelDebug)
	if logging {
		start = time.Now()
	}
	resp, err := c.http.Do(req)
	var o outcome
	if err != nil {
		o = c.classify(ctx, st, n, err)
	} else {
		limit := c.cfg.maxBody
		if resp.StatusCode/100 != 2 {
			limit = min(limit, MaxErrorBodyBytes) // an error envelope is small
		}
		body, rerr := readBounded(resp, limit)
		if rerr != nil {
			// Drain a little, so that a body that ends soon still frees its connection.
			_, _ = io.CopyN(io.Discard, resp.Body, drainBytes)
		}
		resp.Body.Close()
		switch {
		case errors.Is(rerr, ErrResponseTooLarge):
			o = outcome{err: &UnexpectedResponseError{Op: st.op, StatusCode: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"),
				RequestID: resp.Header.Get(signer.HeaderRequestID), Reason: fmt.Sprintf("body larger than the %d-byte limit", limit), Err: rerr},
				// A retryable status stays retryable, whatever its body.
				retryable: retryableStatus(resp.StatusCode)}
		case rerr != nil:
			o = c.classify(ctx, st, n, fmt.Errorf("reading body of status %d: %w", resp.StatusCode, rerr))
		default:
			o = outcome{resp: resp, body: body}
		}
	}
	if logging {
		c.logAttempt(ctx, req, n, o, time.Since(start))
	}
	return o
}

// classify decides whether a failed attempt may be retried.
func (c *Client) classify(ctx context.Context, st *callState, n int, err error) outcome {
	if cerr := ctx.Err(); cerr != nil {
		return outcome{err: &RequestError{Op: st.op, Attempts: n, Err: cerr, Last: err}}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return outcome{err: &RequestError{Op: st.op, Attempts: n, Err: fmt.Errorf("%w after %s", ErrAttemptTimeout, c.cfg.attemptTimeout)}, retryable: true, timeout: true}
	}
	rerr := &RequestError{Op: st.op, Attempts: n, Err: err}
	if !retryableTransportError(err) {
		return outcome{err: rerr}
	}
	return outcome{err: rerr, retryable: true, timeout: true}
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

// readBounded reads the whole body, failing with ErrResponseTooLarge past limit
// bytes without buffering more than limit+1 bytes.
func readBounded(resp *http.Response, limit int64) ([]byte, error) {
	if resp.ContentLength > limit {
		return nil, ErrResponseTooLarge
	}
	if resp.ContentLength >= 0 {
		// The common case: read exactly the announced length, then make sure nothing
		// follows (a server that sends more than it announced is cut off by net/http).
		body := make([]byte, resp.ContentLength)
		if _, err := io.ReadFull(resp.Body, body); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		return body, nil
	}
	buf := bytes.NewBuffer(make([]byte, 0, 4096))
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, limit+1))
	if n > limit {
		return nil, ErrResponseTooLarge
	}
	return buf.Bytes(), err
}

// canonicalizePath re-escapes every path segment strictly (all but A-Z a-z 0-9 - . _ ~),
// so the bytes on the wire are the ones JDCLOUD2 canonicalisation expects and signs.
func canonicalizePath(req *http.Request) {
	p := req.URL.Path
	plain := true
	for i := 0; i < len(p) && plain; i++ {
		plain = p[i] == '/' || unreserved(p[i])
	}
	if plain { // nothing to escape: the path is its own escaped form
		req.URL.RawPath = ""
		return
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = escapeSegment(s)
	}
	req.URL.RawPath = strings.Join(segs, "/")
}

func (c *Client) logAttempt(ctx context.Context, req *http.Request, n int, o outcome, latency time.Duration) {
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("path", req.URL.EscapedPath()),
		slog.Int("attempt", n),
		slog.Duration("latency", latency),
	}
	if o.resp != nil {
		attrs = append(attrs, slog.Int("status", o.resp.StatusCode), slog.String("request_id", sanitize(o.resp.Header.Get(signer.HeaderRequestID), 64)))
	}
	if o.err != nil {
		attrs = append(attrs, slog.String("error", detailOf(o.err)), slog.Bool("retryable", o.retryable))
	}
	c.cfg.logger.LogAttrs(ctx, slog.LevelDebug, "vmimage: describe image attempt", attrs...)
}
