package client

import (
	"context"
	"fmt"
	"time"

	"github.com/vmimage/vmimage/signer"
)

// invoke runs a call through the pipeline and decodes the success envelope's result
// into T, checking that it carries the result fields the spec requires.
func invoke[T any](ctx context.Context, c *Client, cl *call) (*T, *Response, error) {
	body, resp, err := c.send(ctx, cl)
	if err != nil {
		return nil, resp, err
	}
	out, reqID, err := decodeSuccess[T](cl.operation(), cl.op, resp.StatusCode, resp.Header, body)
	resp.RequestID = reqID
	if err != nil {
		redactBodyError(err, body, c.secrets, cl.signature)
	}
	return out, resp, err
}

// send checks and builds the call once, then makes attempts until one gives a final
// answer: it returns the body of a 2xx response, or the typed error of the last
// attempt. Whether a failed attempt is repeated is the operation's generated retry
// rule (retryable), not the call's.
func (c *Client) send(ctx context.Context, cl *call) ([]byte, *Response, error) {
	op := cl.operation()
	p, err := c.prepare(cl)
	if err != nil {
		if _, ok := err.(*InvalidParameterError); ok {
			return nil, nil, err
		}
		return nil, nil, &RequestError{Op: op, Err: fmt.Errorf("building the request: %w", err)}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, &RequestError{Op: op, Err: err}
	}
	policy := c.cfg.retry
	resp := &Response{ClientToken: p.token}
	paid := 0
	var last error
	// reached: an earlier attempt may have done its work, and no answer since said
	// what it did.
	reached := false
	for attempt := 1; ; attempt++ {
		if err := c.limiter.wait(ctx); err != nil {
			return nil, resp, c.final(cl, p, &RequestError{Op: op, Attempts: attempt - 1, Err: err, Last: last}, reached)
		}
		o := c.attempt(ctx, op, p, attempt)
		// The Response describes the last attempt only.
		resp.Attempts = attempt
		resp.StatusCode, resp.Header, resp.RequestID = o.status, o.header, ""
		if o.status != 0 {
			resp.RequestID = o.header.Get(signer.HeaderRequestID)
		}
		if o.err == nil {
			c.budget.success(paid)
			cl.signature = o.signature
			resp.Body = o.body
			if c.cfg.onSuccess != nil {
				c.cfg.onSuccess(op, resp)
			}
			return o.body, resp, nil
		}
		if reqID := requestIDOf(o.err); reqID != "" {
			resp.RequestID = reqID
		}
		last = o.err
		retry := retryable(cl.op, o)
		if !retry {
			// This attempt may have done its work when it failed in a retryable way or
			// was cut off by the caller's context; an earlier one's doubt stands unless
			// the service gave this attempt a final answer of its own.
			uncertain := o.mayHaveReached() && (o.retryable || o.interrupted)
			answered := o.status != 0 && !o.retryable && !o.interrupted
			return nil, resp, c.final(cl, p, o.err, uncertain || reached && !answered)
		}
		reached = reached || o.mayHaveReached()
		if attempt >= policy.MaxAttempts {
			return nil, resp, c.final(cl, p, &MaxAttemptsError{Op: op, Attempts: attempt, Err: last}, reached)
		}
		cost, ok := c.budget.take(o.timeout)
		if !ok {
			return nil, resp, c.final(cl, p, &MaxAttemptsError{Op: op, Attempts: attempt, BudgetExhausted: true, Err: last}, reached)
		}
		paid += cost
		delay := policy.backoff(attempt, c.cfg.random())
		if o.hasRetryAfter {
			delay = min(o.retryAfter, policy.MaxRetryAfter)
		}
		// The deadline is the caller's, on the wall clock, whatever clock sleeps.
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < delay {
			return nil, resp, c.final(cl, p, &RequestError{Op: op, Attempts: attempt, Err: fmt.Errorf("next retry in %s would pass the deadline: %w", delay.Round(time.Millisecond), context.DeadlineExceeded), Last: last}, reached)
		}
		if err := c.cfg.clock.Sleep(ctx, delay); err != nil {
			return nil, resp, c.final(cl, p, &RequestError{Op: op, Attempts: attempt, Err: err, Last: last}, reached)
		}
	}
}

// retryable applies the operation's retry rule (x-vmimage-retry) to an attempt whose
// failure is of a retryable kind: a safe or token call is repeated; a never call only
// when the attempt provably never reached the service (a dial failure, or a
// throttling answer the gateway gives before any work).
func retryable(o *operation, out outcome) bool {
	if !out.retryable {
		return false
	}
	switch o.retry {
	case retrySafe, retryToken:
		return true
	}
	return out.unsent || out.throttled
}

// final returns a call's error, marked *MayHaveSucceededError when the operation
// writes without a safe repeat (a never or token call) and the attempts may have
// reached the service without an answer telling what they did.
func (c *Client) final(cl *call, p *prepared, err error, uncertain bool) error {
	if !uncertain || cl.op.retry == retrySafe {
		return err
	}
	return &MayHaveSucceededError{Op: cl.operation(), ClientToken: p.token, Err: err}
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
