package validate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// Transport is an http.RoundTripper that validates every exchange passing through it
// and records violations, without changing what the caller sees: the response is
// returned as received, its body readable in full. It reads each body whole before
// handing it on, so use it in tests and CI, where bodies are small, and compose it
// under the client (client.WithHTTPClient), whose size limit still applies.
type Transport struct {
	base      http.RoundTripper
	validator *Validator

	mu     sync.Mutex
	errs   []error
	checks int
}

// Transport wraps base (http.DefaultTransport when nil) in a validating RoundTripper.
func (v *Validator) Transport(base http.RoundTripper) *Transport {
	if base == nil {
		base = http.DefaultTransport
	}
	return &Transport{base: base, validator: v}
}

// RoundTrip sends the request through the wrapped transport, reads the whole response
// body, validates the exchange and hands back an equivalent response. Transport
// errors are passed through unvalidated; a body that fails to read is returned to the
// caller as the same read error, at the same place.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	// The request body is read here, sent from a copy and validated from another,
	// so that what is checked is what was sent.
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		sent := *req
		sent.Body = io.NopCloser(bytes.NewReader(b))
		req = &sent
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, readErr := io.ReadAll(resp.Body)
	resp.Body.Close()
	if readErr != nil {
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{readErr}))
		return resp, nil
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	checked := *req
	checked.Body = http.NoBody
	if reqBody != nil {
		checked.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	verr := t.validator.ValidateExchange(req.Context(), &checked, resp.StatusCode, resp.Header, body)
	t.mu.Lock()
	t.checks++
	if verr != nil {
		t.errs = append(t.errs, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, verr))
	}
	t.mu.Unlock()
	return resp, nil
}

// Checked returns how many complete exchanges have been validated.
func (t *Transport) Checked() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.checks
}

// Err returns every violation recorded so far, joined, or nil.
func (t *Transport) Err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return errors.Join(t.errs...)
}

// Reset forgets the recorded violations and count.
func (t *Transport) Reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.errs, t.checks = nil, 0
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
