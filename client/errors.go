package client

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Sentinel errors, matched with errors.Is against the typed errors of this package.
var (
	// ErrUnauthorized matches an *APIError for failed authentication (401,
	// ACCESS_ERROR or UNAUTHENTICATED).
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden matches an *APIError for a refused request (403), including a
	// replayed nonce.
	ErrForbidden = errors.New("forbidden")
	// ErrThrottled matches an *APIError for a throttled request (a 429 other than
	// QUOTA_EXCEEDED, which is a quota, or a RATE_LIMIT status).
	ErrThrottled = errors.New("throttled")
	// ErrResponseTooLarge matches an *UnexpectedResponseError for a body over the
	// client's maximum response size.
	ErrResponseTooLarge = errors.New("response too large")
	// ErrRetryBudgetExhausted matches a *MaxAttemptsError raised because the
	// client-wide retry budget ran dry before the attempts did.
	ErrRetryBudgetExhausted = errors.New("retry budget exhausted")
	// ErrMayHaveSucceeded matches a *MayHaveSucceededError: a write failed in a way
	// that does not tell whether it took effect.
	ErrMayHaveSucceeded = errors.New("the request may have taken effect")
)

// StatusError is the sentinel of one error status the service answers (the
// generated ErrInvalidArgument, ErrFailedPrecondition, ErrNotFound, ...; the list is
// openapi.yaml's x-vmimage-error-statuses). errors.Is(err, ErrConflict) matches an
// *APIError whose status is CONFLICT; ErrNotFound also matches any 404.
type StatusError struct {
	// Status is the error symbol, Code its HTTP status, Meaning the spec's words.
	Status  string
	Code    int
	Meaning string
}

func (e *StatusError) Error() string { return words(camel(e.Status)) }

// camel turns NOT_FOUND into NotFound (for words).
func camel(s string) string {
	var b strings.Builder
	for _, w := range strings.Split(strings.ToLower(s), "_") {
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

// ErrorStatuses returns the sentinel of every error status the spec lists.
func ErrorStatuses() []*StatusError { return append([]*StatusError(nil), errorStatuses...) }

// MayHaveSucceededError reports that a write which must not be repeated blindly
// failed after its body may have reached the service (a 5xx, a timeout, a cut
// connection, the caller's context ending while it was in flight), on the last
// attempt or an earlier one: the request may have taken effect. Check the state (DescribeImage,
// DescribeImages) before repeating it; for a call with an idempotency token, repeat
// it with ClientToken. It unwraps to the last attempt's error and matches
// ErrMayHaveSucceeded.
type MayHaveSucceededError struct {
	Op Operation
	// ClientToken is the idempotency token the call sent ("" for a call without one).
	ClientToken string
	// Err is the call's error.
	Err error
}

func (e *MayHaveSucceededError) Error() string { return e.Op.prefix() + ": " + e.detail() }
func (e *MayHaveSucceededError) detail() string {
	s := "may have taken effect: " + detailOf(e.Err)
	if e.ClientToken != "" {
		s += " (repeat it with clientToken " + e.ClientToken + ")"
	}
	return s
}

// Unwrap returns the call's error.
func (e *MayHaveSucceededError) Unwrap() error { return e.Err }

// Is matches ErrMayHaveSucceeded.
func (e *MayHaveSucceededError) Is(target error) bool { return target == ErrMayHaveSucceeded }

// Operation identifies the call an error belongs to, generically: the pipeline that
// makes every call knows nothing else of it.
type Operation struct {
	// Service is the service name in the signature scope, "vm".
	Service string
	// Name is the API's name for the call, e.g. "DescribeImage"; messages show it in
	// words ("describe image").
	Name string
	// Region is the call's regionId (as given, possibly invalid).
	Region string
	// Resource names what the call is about, for messages: the image id of a
	// single-image call, the ids of a batch ("" when nothing in particular).
	Resource string
}

func (o Operation) prefix() string {
	var b strings.Builder
	b.WriteString("vmimage: ")
	b.WriteString(words(o.Name))
	if o.Resource != "" {
		b.WriteString(" ")
		b.WriteString(sanitize(o.Resource, 64))
	}
	if o.Region != "" {
		b.WriteString(" in ")
		b.WriteString(sanitize(o.Region, 64))
	}
	return b.String()
}

// words turns an API name into lowercase words: "DescribeImageMembers" gives
// "describe image members".
func words(name string) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte(' ')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// detailer is implemented by every error type here: its message without the
// operation prefix, so wrappers do not repeat it.
type detailer interface{ detail() string }

func detailOf(err error) string {
	if d, ok := err.(detailer); ok {
		return d.detail()
	}
	return err.Error()
}

// InvalidParameterError reports an argument refused before any request was sent.
type InvalidParameterError struct {
	Op Operation
	// Param is the parameter's name as the API spells it: "regionId", "imageId",
	// "pageSize", ...
	Param string
	// Reason says what is wrong with it.
	Reason string
}

func (e *InvalidParameterError) Error() string { return e.Op.prefix() + ": " + e.detail() }
func (e *InvalidParameterError) detail() string {
	return "invalid " + e.Param + ": " + e.Reason
}

// APIError is an error answered by the service or its gateway in the documented JSON
// envelope. errors.Is matches it against the status sentinels generated from the
// spec (ErrInvalidArgument, ErrFailedPrecondition, ErrNotFound, ErrQuotaExceeded,
// ...) and the classes ErrUnauthorized, ErrForbidden and ErrThrottled.
type APIError struct {
	Op Operation
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is the body's error.code (normally equal to StatusCode).
	Code int
	// Status is the error symbol, e.g. "NOT_FOUND".
	Status string
	// Message is the service's message.
	Message string
	// Details is the body's error.details, of any shape (nil when absent).
	Details any
	// RequestID is the x-jdcloud-request-id (or the body's requestId).
	RequestID string
	// RetryAfter is the Retry-After the service asked for (0 when none).
	RetryAfter time.Duration
}

func (e *APIError) Error() string { return e.Op.prefix() + ": " + e.detail() }
func (e *APIError) detail() string {
	s := fmt.Sprintf("%d %s: %s", e.StatusCode, sanitize(e.Status, 64), sanitize(e.Message, 300))
	if e.RequestID != "" {
		s += " (request id " + sanitize(e.RequestID, 64) + ")"
	}
	return s
}

// Is matches the sentinels of this package: the generated status sentinels
// (ErrFailedPrecondition, ...) by status, and the classes below.
func (e *APIError) Is(target error) bool {
	if s, ok := target.(*StatusError); ok {
		return e.Status == s.Status || (s == ErrNotFound && e.StatusCode == 404)
	}
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == 401 || e.Status == "ACCESS_ERROR" || e.Status == "UNAUTHENTICATED"
	case ErrForbidden:
		return e.StatusCode == 403
	case ErrThrottled:
		return (e.StatusCode == 429 && e.Status != ErrQuotaExceeded.Status) || strings.Contains(e.Status, "RATE_LIMIT")
	}
	return false
}

// UnexpectedResponseError reports a response that is not what the spec promises: not
// JSON, empty, a wrong content type, malformed JSON, a success without its result
// (result.image for DescribeImage), a redirect, or a body over the size limit.
type UnexpectedResponseError struct {
	Op          Operation
	StatusCode  int
	ContentType string
	RequestID   string
	// Reason says what was wrong.
	Reason string
	// Excerpt is the start of the body, sanitised (control characters removed,
	// at most 200 characters).
	Excerpt string
	// Err is the underlying cause, if any (a JSON error, ErrResponseTooLarge).
	Err error
}

func (e *UnexpectedResponseError) Error() string { return e.Op.prefix() + ": " + e.detail() }
func (e *UnexpectedResponseError) detail() string {
	s := fmt.Sprintf("unexpected response: status %d, content type %q: %s", e.StatusCode, sanitize(e.ContentType, 80), e.Reason)
	if e.Excerpt != "" {
		s += fmt.Sprintf(" (body starts %q)", e.Excerpt)
	}
	if e.RequestID != "" {
		s += " (request id " + sanitize(e.RequestID, 64) + ")"
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *UnexpectedResponseError) Unwrap() error { return e.Err }

// RequestError reports a request that got no usable response: a connection error, an
// attempt that timed out, or the caller's context ending. It unwraps to the cause (so
// errors.Is(err, context.Canceled) works) and to the last error of an earlier attempt.
type RequestError struct {
	Op Operation
	// Attempts is the number of attempts sent (0 when none was).
	Attempts int
	// Err is the cause.
	Err error
	// Last is the error of the previous attempt when the call stopped between
	// attempts (nil otherwise).
	Last error
}

func (e *RequestError) Error() string { return e.Op.prefix() + ": " + e.detail() }
func (e *RequestError) detail() string {
	s := "request failed: " + e.Err.Error()
	if e.Last != nil {
		s += fmt.Sprintf(" (after %d attempt(s); last: %s)", e.Attempts, detailOf(e.Last))
	}
	return s
}

// Unwrap returns the cause and the last attempt's error.
func (e *RequestError) Unwrap() []error {
	if e.Last == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Last}
}

// MaxAttemptsError reports that retrying stopped: every allowed attempt failed, or the
// client-wide retry budget ran dry. It unwraps to the last attempt's error.
type MaxAttemptsError struct {
	Op Operation
	// Attempts is the number of attempts made.
	Attempts int
	// BudgetExhausted is true when the retry budget, not the attempt limit, stopped it.
	BudgetExhausted bool
	// Err is the last attempt's error.
	Err error
}

func (e *MaxAttemptsError) Error() string { return e.Op.prefix() + ": " + e.detail() }
func (e *MaxAttemptsError) detail() string {
	why := "gave up after"
	if e.BudgetExhausted {
		why = "retry budget exhausted after"
	}
	return fmt.Sprintf("%s %d attempt(s): %s", why, e.Attempts, detailOf(e.Err))
}

// Unwrap returns the last attempt's error.
func (e *MaxAttemptsError) Unwrap() error { return e.Err }

// Is matches ErrRetryBudgetExhausted when the budget stopped the retries.
func (e *MaxAttemptsError) Is(target error) bool {
	return target == ErrRetryBudgetExhausted && e.BudgetExhausted
}

// sanitize makes untrusted text safe for one log line or error string: invalid UTF-8
// and control characters are replaced, runs of white space collapsed, and the result
// cut at max runes.
func sanitize(s string, max int) string {
	var b strings.Builder
	n, space := 0, false
	for len(s) > 0 && n < max {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		switch {
		case r == utf8.RuneError && size <= 1:
			r = '?'
		case unicode.IsSpace(r):
			if space {
				continue
			}
			space = true
			b.WriteByte(' ')
			n++
			continue
		case unicode.IsControl(r) || !unicode.IsPrint(r):
			r = '?'
		}
		space = false
		b.WriteRune(r)
		n++
	}
	if len(s) > 0 {
		b.WriteString("...")
	}
	return b.String()
}
