package cli

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"sync"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/signer"
)

// errDryRun is what the dry run's transport answers every request with: nothing
// leaves the process.
var errDryRun = errors.New("dry run: not sent")

// dryRun captures the requests a write command's client would send, through the
// client's own pipeline (its input checks, its body encoding, its path escaping),
// and never sends them: its transport records the request and fails it before any
// connection is made. The client signs with placeholder credentials, so no real key
// is used, and no signature is printed.
type dryRun struct {
	mu       sync.Mutex
	requests []dryRequest
}

// dryRequest is what --dry-run prints of one request; vmimage validate --request
// reads it back.
type dryRequest struct {
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Query  string          `json:"query,omitempty"`
	Body   json.RawMessage `json:"body,omitempty"`
}

func newDryRun() *dryRun { return &dryRun{} }

// options are the client options of a dry run: the capturing transport, one attempt
// (a failed attempt is not retried), placeholder credentials.
func (d *dryRun) options() []client.Option {
	policy := client.DefaultRetryPolicy()
	policy.MaxAttempts = 1
	return []client.Option{
		client.WithHTTPClient(&http.Client{Transport: d}),
		client.WithRetryPolicy(policy),
		client.WithCredentials(signer.Credentials{AccessKey: "DRYRUNACCESSKEY", SecretKey: "DRYRUNSECRETKEY"}),
	}
}

// RoundTrip records req and fails it.
func (d *dryRun) RoundTrip(req *http.Request) (*http.Response, error) {
	r := dryRequest{Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery}
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		if len(b) > 0 {
			r.Body = b
		}
	}
	d.mu.Lock()
	d.requests = append(d.requests, r)
	d.mu.Unlock()
	return nil, errDryRun
}

// taken returns the requests captured so far, in the order they were made.
func (d *dryRun) taken() []dryRequest {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.requests)
}

// print writes the captured requests as one JSON document: an array of requests.
func (d *dryRun) print(w io.Writer) error {
	reqs := d.taken()
	if reqs == nil {
		reqs = []dryRequest{}
	}
	b, err := json.MarshalIndent(reqs, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// dryRunOutcome is what a write command does with its call's error in a dry run: a
// refused parameter is still the user's error; the transport's refusal is the
// expected end.
func dryRunOutcome(err error) error {
	if err == nil || errors.Is(err, errDryRun) {
		return nil
	}
	var ip *client.InvalidParameterError
	if errors.As(err, &ip) {
		return err
	}
	// The client wraps the transport's error in its own types (a request error, or a
	// may-have-succeeded one for a call that is never repeated): the request was
	// captured, nothing was sent.
	var re *client.RequestError
	if errors.As(err, &re) || errors.Is(err, client.ErrMayHaveSucceeded) {
		return nil
	}
	return err
}
