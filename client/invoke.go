package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vmimage/vmimage/internal/apiclient"
	"github.com/vmimage/vmimage/internal/query"
	"github.com/vmimage/vmimage/signer"
)

// call is what an operation hands the pipeline: who it is (for errors, logs and the
// signature's region) and how to build its request. The pipeline knows nothing else
// of the operation.
type call struct {
	op Operation
	// id is the spec's operationId; it selects the indexed array parameters.
	id string
	// build returns the request for server (the endpoint + "/v1/"), normally with
	// one of the generated apiclient.New<Op>Request builders.
	build func(server string) (*http.Request, error)
}

// newCall returns the call of one operation in one region.
func newCall(name, id, region, resource string, build func(server string) (*http.Request, error)) call {
	return call{op: Operation{Service: Service, Name: name, Region: region, Resource: resource}, id: id, build: build}
}

// invoke runs a call through the pipeline and decodes the success envelope's result
// into T. check, when not nil, names what a decoded result lacks that the operation
// promises ("" when nothing).
func invoke[T any](ctx context.Context, c *Client, cl call, check func(*T) string) (*T, *Response, error) {
	body, resp, err := c.send(ctx, cl)
	if err != nil {
		return nil, resp, err
	}
	out, err := decodeResult(c, cl, body, resp, check)
	return out, resp, err
}

// decodeResult decodes the body of a call's 2xx answer as invoke does.
func decodeResult[T any](c *Client, cl call, body []byte, resp *Response, check func(*T) string) (*T, error) {
	out, reqID, err := decodeSuccess(cl.op, resp.StatusCode, resp.Header, body, check)
	resp.RequestID = reqID
	if err != nil {
		redactError(err, c.secrets)
	}
	return out, err
}

// send builds the request once, then makes attempts until one gives a final answer:
// it returns the body of a 2xx response, or the typed error of the last attempt.
func (c *Client) send(ctx context.Context, cl call) ([]byte, *Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, &RequestError{Op: cl.op, Err: err}
	}
	tmpl, err := c.prepare(cl)
	if err != nil {
		return nil, nil, &RequestError{Op: cl.op, Err: fmt.Errorf("building the request: %w", err)}
	}
	policy := c.cfg.retry
	resp := &Response{}
	paid := 0
	var last error
	for attempt := 1; ; attempt++ {
		if err := c.limiter.wait(ctx); err != nil {
			return nil, resp, &RequestError{Op: cl.op, Attempts: attempt - 1, Err: err, Last: last}
		}
		o := c.attempt(ctx, cl, tmpl, attempt)
		resp.Attempts = attempt
		if o.status != 0 {
			resp.StatusCode, resp.Header = o.status, o.header
			resp.RequestID = o.header.Get(signer.HeaderRequestID)
		}
		if o.err == nil {
			c.budget.success(paid)
			return o.body, resp, nil
		}
		if reqID := requestIDOf(o.err); reqID != "" {
			resp.RequestID = reqID
		}
		last = o.err
		if !o.retryable {
			return nil, resp, o.err
		}
		if attempt >= policy.MaxAttempts {
			if policy.MaxAttempts == 1 {
				return nil, resp, last
			}
			return nil, resp, &MaxAttemptsError{Op: cl.op, Attempts: attempt, Err: last}
		}
		cost, ok := c.budget.take(o.timeout)
		if !ok {
			return nil, resp, &MaxAttemptsError{Op: cl.op, Attempts: attempt, BudgetExhausted: true, Err: last}
		}
		paid += cost
		delay := policy.backoff(attempt, c.cfg.random())
		if o.hasRetryAfter {
			delay = min(o.retryAfter, policy.MaxRetryAfter)
		}
		// The deadline is the caller's, on the wall clock, whatever clock sleeps.
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < delay {
			return nil, resp, &RequestError{Op: cl.op, Attempts: attempt, Err: fmt.Errorf("next retry in %s would pass the deadline: %w", delay.Round(time.Millisecond), context.DeadlineExceeded), Last: last}
		}
		if err := c.cfg.clock.Sleep(ctx, delay); err != nil {
			return nil, resp, &RequestError{Op: cl.op, Attempts: attempt, Err: err, Last: last}
		}
	}
}

// prepare builds the call's request template: the generated builder's request with
// the query in canonical form (array parameters indexed) and every path segment
// strictly escaped, so that what is signed is byte for byte what is sent. Each
// attempt sends a copy of it with the call's context.
func (c *Client) prepare(cl call) (*http.Request, error) {
	req, err := cl.build(c.server)
	if err != nil {
		return nil, err
	}
	if req.URL.RawQuery != "" {
		v, err := url.ParseQuery(req.URL.RawQuery)
		if err != nil {
			return nil, err
		}
		req.URL.RawQuery = query.Encode(query.Index(v, apiclient.IndexedArrayParams[cl.id]))
	}
	canonicalizePath(req)
	return req, nil
}

// pathRequest builds a GET of the endpoint's /v1/ path made of segments, each
// escaped as one path segment (RFC 3986), without parsing any URL: the hot path of
// the calls about one image. TestPathRequestsMatchTheGeneratedBuilders holds it equal
// to the request builders oapi-codegen generates from the spec.
func (c *Client) pathRequest(segments ...string) *http.Request {
	n := len("/v1")
	escaped := false
	for _, s := range segments {
		n += 1 + len(s)
		for i := 0; i < len(s) && !escaped; i++ {
			escaped = !query.Unreserved(s[i])
		}
	}
	var path strings.Builder
	path.Grow(n)
	path.WriteString("/v1")
	for _, s := range segments {
		path.WriteByte('/')
		path.WriteString(s)
	}
	u := &url.URL{Scheme: c.endpoint.Scheme, Host: c.endpoint.Host, Path: path.String()}
	if escaped { // rare: ids are checked, and valid ones need no escaping
		var raw strings.Builder
		raw.WriteString("/v1")
		for _, s := range segments {
			raw.WriteByte('/')
			raw.WriteString(query.Escape(s))
		}
		u.RawPath = raw.String()
	}
	return &http.Request{Method: http.MethodGet, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Host: u.Host}
}

// requestIDOf reads the request id an attempt's typed error carries.
func requestIDOf(err error) string {
	switch e := err.(type) {
	case *APIError:
		return e.RequestID
	case *UnexpectedResponseError:
		return e.RequestID
	}
	return ""
}

// canonicalizePath re-escapes every path segment strictly (all but A-Z a-z 0-9 - . _ ~),
// so the bytes on the wire are the ones JDCLOUD2 canonicalisation expects and signs.
func canonicalizePath(req *http.Request) {
	p := req.URL.Path
	plain := true
	for i := 0; i < len(p) && plain; i++ {
		plain = p[i] == '/' || query.Unreserved(p[i])
	}
	if plain { // nothing to escape: the path is its own escaped form
		req.URL.RawPath = ""
		return
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = query.Escape(s)
	}
	req.URL.RawPath = strings.Join(segs, "/")
}
