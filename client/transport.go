package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
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

// contentType is the Content-Type every request carries (and signs), as JD Cloud's
// SDKs send it even on GET.
var contentType = []string{"application/json"}

// attempt sends one freshly signed copy of the template and reads its body within
// the per-attempt timeout, then classifies the result.
//
// The per-attempt timeout is a context.WithTimeout on the attempt's context, cancelled
// only after the body was read: net/http returns a body's last bytes with io.EOF and
// hands the connection back to the pool before that read returns, so no connection is
// lost to the cancellation.
func (c *Client) attempt(ctx context.Context, op Operation, p *prepared, n int) outcome {
	actx, cancel := context.WithTimeout(ctx, c.cfg.attemptTimeout)
	defer cancel()
	// A fresh copy each attempt: what is added to a request after it was signed (a
	// cookie jar's Cookie) never reaches the next attempt's signature.
	req := p.req.WithContext(actx)
	req.Header = http.Header{"Content-Type": contentType, "User-Agent": c.userAgent}
	// No nonce is ever sent twice: net/http's Transport re-sends a request by itself
	// on a reused connection that died only when the request "either has no body or
	// has its Request.GetBody defined" (http.Transport's documentation). A body
	// without GetBody is neither, so the Transport leaves the retry to the pipeline,
	// which signs each attempt with a new nonce over the same bytes. (net/http sends
	// a GET whose body is empty without any body.)
	if p.body == nil {
		req.Body, req.GetBody, req.ContentLength = emptyBody(), nil, 0
	} else {
		req.Body, req.GetBody, req.ContentLength = io.NopCloser(bytes.NewReader(p.body)), nil, int64(len(p.body))
	}
	nonce, err := signer.NewNonce()
	if err == nil {
		// Signed on the client's clock, so a test clock shared with a fake agrees.
		err = c.signer.SignAt(req, p.body, op.Region, c.cfg.clock.Now(), nonce)
	}
	if err != nil {
		return outcome{err: &RequestError{Op: op, Err: err}}
	}
	var start time.Time
	logging := c.cfg.logger.Enabled(ctx, slog.LevelDebug)
	if logging {
		start = c.cfg.clock.Now()
	}
	o := c.exchange(ctx, op, req, n)
	if o.err != nil {
		redactError(o.err, c.secrets, signatureOf(req))
	}
	if logging {
		c.logAttempt(ctx, op, req, n, o, c.cfg.clock.Now().Sub(start))
	}
	o.signature = signatureOf(req)
	return o
}

// exchange does one HTTP round trip with a bounded read of the body: the transport
// used directly (redirects are never followed), with the cookie jar applied as
// http.Client applies it.
func (c *Client) exchange(ctx context.Context, op Operation, req *http.Request, n int) outcome {
	if c.jar != nil {
		for _, ck := range c.jar.Cookies(req.URL) {
			req.AddCookie(ck)
		}
	}
	resp, err := c.rt.RoundTrip(req)
	if err == nil && c.jar != nil {
		if rc := resp.Cookies(); len(rc) > 0 {
			c.jar.SetCookies(req.URL, rc)
		}
	}
	if err != nil {
		return classifyTransportError(ctx, op, n, attemptErr(req.Context(), err), c.cfg.attemptTimeout)
	}
	limit := c.cfg.maxBody
	if resp.StatusCode/100 != 2 {
		limit = min(limit, MaxErrorBodyBytes) // an error envelope is small
	}
	body, rerr := readBounded(resp, limit)
	if resp.StatusCode/100 != 2 && rerr == nil {
		// A proxy may echo the request into its error page: no credential of ours
		// goes into an error's excerpt or message.
		body = redact(body, c.secrets, signatureOf(req))
	}
	if rerr != nil {
		// Drain a little, so that a body that ends soon still frees its connection.
		_, _ = io.CopyN(io.Discard, resp.Body, drainBytes)
	}
	resp.Body.Close()
	switch {
	case errors.Is(rerr, ErrResponseTooLarge):
		return outcome{status: resp.StatusCode, header: resp.Header,
			err: &UnexpectedResponseError{Op: op, StatusCode: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"),
				RequestID: resp.Header.Get(signer.HeaderRequestID), Reason: fmt.Sprintf("body larger than the %d-byte limit", limit), Err: rerr},
			// A retryable status stays retryable, whatever its body.
			retryable: retryableStatus(resp.StatusCode)}
	case rerr != nil:
		o := classifyTransportError(ctx, op, n, fmt.Errorf("reading body of status %d: %w", resp.StatusCode, attemptErr(req.Context(), rerr)), c.cfg.attemptTimeout)
		o.status, o.header = resp.StatusCode, resp.Header
		return o
	}
	return classifyResponse(op, resp.StatusCode, resp.Header, body, c.cfg.clock.Now())
}

// attemptErr makes the error of an attempt whose own deadline passed a timeout, as
// the classification expects.
func attemptErr(actx context.Context, err error) error {
	if actx.Err() == context.DeadlineExceeded {
		return context.DeadlineExceeded
	}
	return err
}

// emptyBody returns an empty request body that net/http cannot rewind (it has no
// GetBody). It reads as empty at once, so net/http sends the GET without any body.
func emptyBody() io.ReadCloser { return eofBody{} }

// eofBody is an empty body: stateless, so one value serves every request.
type eofBody struct{}

func (eofBody) Read([]byte) (int, error) { return 0, io.EOF }
func (eofBody) Close() error             { return nil }

// signatureOf returns the signature of a signed request ("" when none).
func signatureOf(req *http.Request) string {
	auth := req.Header.Get(signer.HeaderAuthorization)
	if i := strings.LastIndex(auth, "Signature="); i >= 0 {
		return auth[i+len("Signature="):]
	}
	return ""
}

// redacted replaces a secret in text from the network.
const redacted = "[REDACTED]"

// redact replaces every secret (of at least 8 bytes) found in b.
func redact(b []byte, secrets []string, more ...string) []byte {
	for _, s := range append(secrets, more...) {
		if len(s) >= 8 && bytes.Contains(b, []byte(s)) {
			b = bytes.ReplaceAll(b, []byte(s), []byte(redacted))
		}
	}
	return b
}

// redactError redacts the text of an attempt's error that came from the network.
func redactError(err error, secrets []string, more ...string) {
	switch e := err.(type) {
	case *UnexpectedResponseError:
		e.Excerpt = string(redact([]byte(e.Excerpt), secrets, more...))
	case *APIError:
		e.Message = string(redact([]byte(e.Message), secrets, more...))
	}
}

// redactBodyError redacts the error of a 2xx body that did not decode: its excerpt
// is cut again from the body with every secret replaced, so that no piece of one is
// left where the excerpt ends.
func redactBodyError(err error, body []byte, secrets []string, more ...string) {
	if e, ok := err.(*UnexpectedResponseError); ok && e.Excerpt != "" {
		e.Excerpt = excerptOf(redact(body, secrets, more...))
	}
}

// readBounded reads the whole body, failing with ErrResponseTooLarge past limit
// bytes without buffering more than limit+1 bytes.
func readBounded(resp *http.Response, limit int64) ([]byte, error) {
	if resp.ContentLength > limit {
		return nil, ErrResponseTooLarge
	}
	if resp.ContentLength >= 0 && resp.ContentLength <= DefaultMaxResponseBytes {
		// The common case: read exactly the announced length, then make sure nothing
		// follows (a server that sends more than it announced is cut off by net/http).
		// A larger announced length is not allocated before it arrives: under a
		// large WithMaxResponseBytes it is read as it comes, below.
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
	// limit+1 shows a body past the limit; math.MaxInt64 has no room for the +1.
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, min(limit, math.MaxInt64-1)+1))
	if n > limit {
		return nil, ErrResponseTooLarge
	}
	return buf.Bytes(), err
}

func (c *Client) logAttempt(ctx context.Context, op Operation, req *http.Request, n int, o outcome, latency time.Duration) {
	attrs := []slog.Attr{
		slog.String("operation", op.Name),
		slog.String("method", req.Method),
		slog.String("path", req.URL.EscapedPath()),
		slog.Int("attempt", n),
		slog.Duration("latency", latency),
	}
	if req.URL.RawQuery != "" {
		attrs = append(attrs, slog.String("query", sanitize(req.URL.RawQuery, 300)))
	}
	if o.status != 0 {
		attrs = append(attrs, slog.Int("status", o.status), slog.String("request_id", sanitize(o.header.Get(signer.HeaderRequestID), 64)))
	}
	if o.err != nil {
		attrs = append(attrs, slog.String("error", detailOf(o.err)), slog.Bool("retryable", o.retryable))
	}
	c.cfg.logger.LogAttrs(ctx, slog.LevelDebug, "vmimage: attempt", attrs...)
}
