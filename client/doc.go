// Package client is a production-grade client for JD Cloud's Virtual Machines image
// read API, built over the code oapi-codegen generates from the project's
// openapi.yaml (package client/api): DescribeImage, DescribeImages (and AllImages,
// an iterator over every page), DescribeImageConstraints,
// DescribeImageConstraintsBatch and DescribeImageMembers.
//
//	c, err := client.New() // credentials from the environment or ~/.jdc/config
//	if err != nil { ... }
//	img, resp, err := c.DescribeImage(ctx, "cn-north-1", "img-m5s0ab1c29")
//	switch {
//	case errors.Is(err, client.ErrNotFound): // no such image
//	case err != nil: // see "Errors" below
//	}
//	fmt.Println(img.GetName(), resp.RequestID)
//
// Every call returns its result, a *Response (request id, status, header, attempts)
// and an error, and goes through one pipeline: rate limit, build, sign (every
// attempt afresh), send, bounded read, classify, retry, decode. DescribeImageRaw
// returns the image's JSON as the service sent it (fields the spec does not know yet
// included); DecodeResponse interprets a recorded response of any operation exactly
// as the calls do. WaitUntilImageReady polls until an image is ready, in the style of
// the AWS SDKs' waiters (see its documentation).
//
// # Credentials
//
// New takes each setting from the first source that has it, on its own, as the AWS
// CLI does (package credentials decides): credentials from WithCredentials, the
// environment (JDCLOUD_ACCESS_KEY and JDCLOUD_SECRET_KEY, optionally
// JDCLOUD_SECURITY_TOKEN; skipped when WithProfile names a profile), then the jdc
// CLI's profile file ~/.jdc/config (profile from WithProfile, $JDCLOUD_PROFILE,
// ~/.jdc/current, else "default"); the default region from WithRegion,
// JDCLOUD_REGION, then the profile's region_id; the endpoint from WithEndpoint, the
// profile's endpoint, then DefaultEndpoint. Client.Sources says where each came
// from. Half-set credentials are an error; when none are found the error lists every
// place looked at.
//
// # Requests
//
// Every attempt is signed afresh with JDCLOUD2-HMAC-SHA256 (a new date and nonce),
// carries Content-Type: application/json, and is bounded by the per-attempt timeout
// (DefaultAttemptTimeout). Identifiers are checked before anything is sent and
// percent-encoded as one path segment each. Bodies over DefaultMaxResponseBytes (error
// bodies over MaxErrorBodyBytes) fail with ErrResponseTooLarge without being buffered
// whole; an unread rest is drained (a few KiB at most) before the body is closed. Redirects are never
// followed. The default transport requires TLS 1.2 or later. There is no client-side
// rate limit unless WithRateLimit sets one.
//
// # Retries
//
// DefaultRetryPolicy makes up to 3 attempts. Connection errors, attempt timeouts and
// the statuses 429, 500, 502, 503 and 504 are retried; other 4xx, the caller's
// cancellation or deadline, TLS verification failures and unknown hosts are not. The
// wait is full-jitter exponential backoff (base 200 ms, cap 20 s); a Retry-After
// header (seconds or an HTTP date) replaces it, capped at 20 s. A client-wide retry
// budget (DefaultRetryBudget, a token bucket) stops retries when a service keeps
// failing. Sleeps end at once when the context ends, and a wait that would pass the
// context's deadline is not started. WithClock and WithRandom make all of this
// deterministic in tests.
//
// # Errors
//
// Every error carries the operation (service, name, region, and the image id or ids
// it is about), and reads like
//
//	vmimage: describe image img-x in cn-north-1: 404 NOT_FOUND: Image 'img-x' not found (request id ...)
//
// The types, all usable with errors.As:
//   - *InvalidParameterError: an argument refused before sending;
//   - *APIError: the service's JSON error (status, symbol, message, details,
//     Retry-After, request id); errors.Is matches ErrNotFound, ErrUnauthorized,
//     ErrForbidden, ErrThrottled;
//   - *UnexpectedResponseError: not JSON, empty, malformed, a success without its
//     result (result.image, result.totalCount, ...), a redirect or a body too large
//     (ErrResponseTooLarge), with a sanitised excerpt of the body;
//   - *RequestError: no usable response (connection error, ErrAttemptTimeout, the
//     context ending; it unwraps to context.Canceled or DeadlineExceeded);
//   - *MaxAttemptsError: retries exhausted (or ErrRetryBudgetExhausted); it unwraps
//     to the last attempt's error.
//
// # Logging
//
// With WithLogger, one debug record per attempt: operation, method, path, query,
// status, attempt, latency and request id. No credential, token or signature is ever logged or put in
// an error.
package client
