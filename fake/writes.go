package fake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// DefaultImageQuota is how many private images of its own the account may hold in a
// region unless WithImageQuota says otherwise (JD Cloud's default quota).
const DefaultImageQuota = 20

// DefaultJobDuration is how long, on the fake's clock, a create, copy, import or
// export takes unless WithJobDuration says otherwise; DeleteDuration how long a
// deleted image stays deleting.
const (
	DefaultJobDuration = time.Minute
	DeleteDuration     = 10 * time.Second
)

// WithImageQuota sets the per-region quota of private images (DefaultImageQuota):
// past it CreateImage, CreateImageFromSnapshots, CopyImages and ImportImage answer 429
// QUOTA_EXCEEDED.
func WithImageQuota(n int) Option {
	return func(o *options) error {
		if n < 0 || n > 1_000_000 {
			return fmt.Errorf("fake: WithImageQuota: %d is not between 0 and 1000000", n)
		}
		o.quota = n
		return nil
	}
}

// WithJobDuration sets how long a create, copy, import or export takes on the fake's
// clock (DefaultJobDuration): the image is pending with progress rising from "0" to
// "100", then ready.
func WithJobDuration(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("fake: WithJobDuration: %s is not positive", d)
		}
		o.jobDuration = d
		return nil
	}
}

// serveWrite answers one of the write routes: path checks, the body (path copies,
// nulls, any key order), the clientToken, then the operation.
func (s *Service) serveWrite(w http.ResponseWriter, r *http.Request, rt *writeRoute, params map[string]string, body []byte, accessKey string) {
	reqID := requestIDFrom(r.Context())
	result, err := s.write(r.Context(), r, rt, params, body, accessKey)
	if f, ok := claimedJobFault(r.Context()); ok {
		// A FaultJobFails's latency and Retry-After go with the job it made fail.
		if f.Latency > 0 && s.clock.Sleep(r.Context(), f.Latency) != nil {
			return // the client gave up: nobody to answer
		}
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
	}
	var se *serviceError
	switch {
	case errors.As(err, &se):
		writeError(w, se.status, se.code, se.msg, reqID)
	case err != nil:
		writeError(w, http.StatusInternalServerError, "INTERNAL", "internal error", reqID)
	default:
		writeResult(w, reqID, result)
	}
}

// writeResult writes the success envelope; a nil result (the void calls) is left out.
func writeResult(w http.ResponseWriter, reqID string, result json.RawMessage) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(headerRequestID, reqID)
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(struct {
		RequestID string          `json:"requestId"`
		Result    json.RawMessage `json:"result,omitempty"`
	}{reqID, result})
}

// writeOp is an operation's work once its input is decoded: it returns the result
// (nil for the void calls).
type writeOp func(ctx context.Context, region string, params map[string]string) (any, error)

func (s *Service) write(ctx context.Context, r *http.Request, rt *writeRoute, params map[string]string, body []byte, accessKey string) (json.RawMessage, error) {
	region := params["regionId"]
	if err := checkRegion(region); err != nil {
		return nil, err
	}
	if id, ok := params["imageId"]; ok && !ImageIDPattern.MatchString(id) {
		return nil, invalidArgument("Invalid imageId '%s'", clip(id, maxLoggedID))
	}
	if id, ok := params["instanceId"]; ok && !InstanceIDPattern.MatchString(id) {
		return nil, invalidArgument("Invalid instanceId '%s'", clip(id, maxLoggedID))
	}
	in, run, err := s.decode(ctx, r, rt.op, params, body)
	if err != nil {
		return nil, err
	}
	token := ""
	if t, ok := in.(interface{ token() *string }); ok && t.token() != nil {
		token = *t.token()
		if len(token) > 64 || !printableASCII(token) {
			return nil, invalidArgument("Invalid clientToken '%s': at most 64 printable ASCII characters", clip(token, maxLoggedID))
		}
	}
	if token == "" {
		return encodeResult(run(ctx, region, params))
	}
	// The same token and body answer the first answer; the token's work and its
	// remembering are one step, so two attempts racing do the work once.
	s.tokenMu.Lock()
	defer s.tokenMu.Unlock()
	canon, _ := json.Marshal(struct {
		Params map[string]string
		In     any
	}{params, in})
	sum := sha256.Sum256(canon)
	tk := tokenKey{accessKey: accessKey, op: rt.op, token: token}
	now := s.clock.Now()
	if prev, ok := s.tokens.get(tk, now); ok {
		if prev.body != sum {
			return nil, invalidArgument("clientToken '%s' was used with another request", token)
		}
		return prev.result, nil
	}
	result, err := encodeResult(run(ctx, region, params))
	if err == nil {
		s.tokens.put(tk, tokenAnswer{body: sum, result: result}, now)
	}
	return result, err
}

func encodeResult(v any, err error) (json.RawMessage, error) {
	if err != nil || v == nil {
		return nil, err
	}
	return json.Marshal(v)
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// pathCopies are the path parameters JD's SDKs copy into a body.
var pathCopies = []string{"regionId", "imageId", "instanceId"}

// decodeBody reads a JSON object body into into: copies of path parameters must
// agree with the path, nulls read as absent, keys may come in any order.
func decodeBody(body []byte, params map[string]string, required bool, into any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		if required {
			return invalidArgument("the request body is required (a JSON object)")
		}
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return invalidArgument("the request body is not a JSON object: %s", clip(err.Error(), maxLoggedText))
	}
	for _, name := range pathCopies {
		raw, ok := fields[name]
		if !ok || string(raw) == "null" {
			continue
		}
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return invalidArgument("%s in the body is not a string", name)
		}
		if want, inPath := params[name]; inPath && v != want {
			return invalidArgument("%s '%s' in the body does not match %s '%s' in the path", name, clip(v, maxLoggedID), name, want)
		}
	}
	if err := json.Unmarshal(body, into); err != nil {
		return invalidArgument("Invalid request body: %s", clip(err.Error(), maxLoggedText))
	}
	return nil
}

// tokenKey scopes a clientToken: per access key and operation.
type tokenKey struct{ accessKey, op, token string }

type tokenAnswer struct {
	body   [sha256.Size]byte // the request's canonical form
	result json.RawMessage
	at     time.Time
}

// TokenTTL is how long, on the fake's clock, a clientToken is remembered;
// DefaultMaxTokens how many are (past it the oldest is forgotten).
const (
	TokenTTL         = 24 * time.Hour
	DefaultMaxTokens = 100_000
)

// tokenCache remembers answers by token in arrival order, so expiry is amortised O(1).
type tokenCache struct {
	seen  map[tokenKey]tokenAnswer
	order []tokenKey
}

func (c *tokenCache) get(k tokenKey, now time.Time) (tokenAnswer, bool) {
	c.expire(now)
	a, ok := c.seen[k]
	return a, ok
}

func (c *tokenCache) put(k tokenKey, a tokenAnswer, now time.Time) {
	a.at = now
	if c.seen == nil {
		c.seen = make(map[tokenKey]tokenAnswer)
	}
	for len(c.seen) >= DefaultMaxTokens {
		c.forgetOldest()
	}
	c.seen[k] = a
	c.order = append(c.order, k)
}

func (c *tokenCache) expire(now time.Time) {
	for len(c.order) > 0 {
		a, ok := c.seen[c.order[0]]
		if ok && now.Sub(a.at) < TokenTTL {
			return
		}
		c.forgetOldest()
	}
}

func (c *tokenCache) forgetOldest() {
	k := c.order[0]
	delete(c.seen, k)
	c.order[0] = tokenKey{}
	c.order = c.order[1:]
}

func (c *tokenCache) len() int { return len(c.seen) }

func conflictf(format string, args ...any) error {
	return &serviceError{http.StatusBadRequest, "CONFLICT", fmt.Sprintf(format, args...)}
}

func preconditionf(format string, args ...any) error {
	return &serviceError{http.StatusBadRequest, "FAILED_PRECONDITION", fmt.Sprintf(format, args...)}
}

func outOfRangef(format string, args ...any) error {
	return &serviceError{http.StatusBadRequest, "OUT_OF_RANGE", fmt.Sprintf(format, args...)}
}

func notFoundf(format string, args ...any) error {
	return &serviceError{http.StatusNotFound, "NOT_FOUND", fmt.Sprintf(format, args...)}
}

func quotaExceeded(what string) error {
	return &serviceError{http.StatusTooManyRequests, "QUOTA_EXCEEDED", what + " quota limit exceeded"}
}

func duplicatef(format string, args ...any) error {
	return &serviceError{http.StatusBadRequest, "DUPLICATE", fmt.Sprintf(format, args...)}
}

// parseBool reads deleteSnapshot as Go (true) and Python (True) send it.
func parseBool(name, v string) (bool, error) {
	switch v {
	case "true", "True":
		return true, nil
	case "false", "False", "":
		return false, nil
	}
	return false, invalidArgument("Invalid %s '%s': true or false", name, clip(v, maxLoggedID))
}

func trimmed(s string) string { return strings.TrimSpace(s) }
