package client

import "net/http"

// Response is what a call learned besides its result. Every call returns one, the
// same for every operation, so it can grow without changing any signature.
//
// It is nil only when the call failed before sending anything (an invalid
// parameter, a context already done). It describes the last attempt only:
// StatusCode, Header and RequestID are that attempt's (0, nil and "" when it got no
// HTTP response), whatever earlier attempts got.
type Response struct {
	// RequestID is the x-jdcloud-request-id of the last response (or its body's
	// requestId), "" when there was none.
	RequestID string
	// StatusCode is the HTTP status of the last response.
	StatusCode int
	// Header is the last response's header.
	Header http.Header
	// Attempts is how many attempts were sent, retries included.
	Attempts int
	// ClientToken is the idempotency token a token operation sent on every attempt
	// (the caller's, or the one the client made); "" for other operations.
	ClientToken string
	// Body is the last response's body exactly as received (within the client's
	// read limit), the service's whole envelope: set when the call succeeded, nil
	// otherwise. It is what `vmimage ... -o raw` prints and what `vmimage validate`
	// checks; the client never changes it.
	Body []byte
}
