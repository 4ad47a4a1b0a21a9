// Package client is a production-grade client for JD Cloud's Virtual Machines image
// API, all 17 calls, built over the code generated from the project's openapi.yaml
// (the models in package client/api, and the operation descriptors and input checks
// internal/cmd/opsgen writes into ops.gen.go). The reads: DescribeImage,
// DescribeImages (and AllImages, an iterator over every page),
// DescribeImageConstraints, DescribeImageConstraintsBatch, DescribeImageMembers and
// ImageTasks (and AllImageTasks). The writes: CopyImages, CreateImage,
// CreateImageFromSnapshots, DeleteImage, ExportImage, ImportImage,
// ModifyImageAttribute, ReleaseImage, UnReleaseImage, ShareImage and UnShareImage; a
// call with more than a region and an id takes an input struct (*ShareImageInput:
// the region, the id and the generated body).
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
// as the calls do. One waiter loop, in the style of the AWS SDKs' waiters, has rules
// per resource: WaitUntilImageReady, WaitUntilImageDeleted, WaitUntilTaskFinished
// (with progress) and WaitUntilCopiesReady.
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
// (DefaultAttemptTimeout). Every parameter and body field is checked before anything
// is sent against its constraints in the spec (required, enum, pattern, lengths, item
// counts, ranges), by code generated from it; each path value travels percent-encoded
// as one segment, and JD's custom-method colon as %3A. A body is encoded once, with
// only the fields the caller set (no path copies, no nulls), and every attempt signs
// the same bytes. Bodies over DefaultMaxResponseBytes (error
// bodies over MaxErrorBodyBytes) fail with ErrResponseTooLarge without being buffered
// whole; an unread rest is drained (a few KiB at most) before the body is closed. Redirects are never
// followed. The default transport requires TLS 1.2 or later. There is no client-side
// rate limit unless WithRateLimit sets one.
//
// # Retries
//
// Each operation's rule is the spec's x-vmimage-retry. A safe call (the reads,
// DeleteImage, ModifyImageAttribute, ShareImage, UnShareImage) and a token call
// (CreateImageFromSnapshots, ExportImage, ImportImage: the caller's clientToken, or one
// the client makes, the same on every attempt, in Response.ClientToken) are retried as
// below. A never call (CopyImages, CreateImage, ReleaseImage, UnReleaseImage) is
// repeated only when the attempt never reached the service (a dial failure, a
// gateway throttle); cut off after sending (the caller's context ending included),
// it fails with a *MayHaveSucceededError (ErrMayHaveSucceeded), and so does a token
// call that gives up after an attempt that may have done its work. A 429 QUOTA_EXCEEDED is a quota, never retried.
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
//     Retry-After, request id); errors.Is matches the sentinel of its status,
//     generated from the spec (ErrInvalidArgument, ErrFailedPrecondition,
//     ErrNotFound, ErrQuotaExceeded, ...; ErrorStatuses lists them), and the classes
//     ErrUnauthorized, ErrForbidden, ErrThrottled;
//   - *MayHaveSucceededError: a write that must not be repeated blindly was cut off
//     after sending: it may have taken effect;
//   - *UnexpectedResponseError: not JSON, empty, malformed, a success without its
//     result (result.image, result.totalCount, ...), a redirect or a body too large
//     (ErrResponseTooLarge), with a sanitised excerpt of the body;
//   - *RequestError: no usable response (connection error, ErrAttemptTimeout, the
//     context ending; it unwraps to context.Canceled or DeadlineExceeded);
//   - *MaxAttemptsError: a retryable failure used up the attempts (whatever
//     MaxAttempts, 1 included) or the budget (ErrRetryBudgetExhausted); it unwraps
//     to the last attempt's error.
//
// # Logging
//
// With WithLogger, one debug record per attempt: operation, method, path, query,
// status, attempt, latency and request id. No credential, token or signature is ever logged or put in
// an error.
package client
