package client

// retryRule is an operation's x-vmimage-retry: what a failed attempt may do when
// repeated.
type retryRule uint8

const (
	// retrySafe: repeating changes nothing more than one call would.
	retrySafe retryRule = iota
	// retryToken: the call carries an idempotency token, the same on every attempt.
	retryToken
	// retryNever: repeated only when the attempt provably never reached the service.
	retryNever
)

// operation is one operation of openapi.yaml, as internal/cmd/opsgen generates it
// (ops.gen.go): everything the pipeline needs to build, check, send, retry and
// decode a call. No facade restates any of it.
type operation struct {
	// id is the spec's operationId, name the JD Cloud API name (x-jdcloud-api-name).
	id, name string
	// method and path are the HTTP method and the path template below /v1, with
	// JD's colon kept ("/regions/{regionId}/images/{imageId}:share").
	method, path string
	// retry is x-vmimage-retry; token names the body's idempotency token field
	// (x-vmimage-idempotency-token), "" when none.
	retry retryRule
	token string
	// pathParams are in template order; query in the spec's order.
	pathParams, query []param
	// body is the request body's schema (nil: no body), bodyRequired whether the
	// spec requires one.
	body         *rule
	bodyRequired bool
	// resultRequired says whether a success must carry result; resultFields are the
	// fields result must carry.
	resultRequired bool
	resultFields   []string
}

// param is a path or query parameter.
type param struct {
	name     string
	required bool
	// indexed marks an array query parameter sent as name.1=a&name.2=b.
	indexed bool
	rule    *rule
}

// rule is a schema's constraints, as the generated checks read them.
type rule struct {
	typ                  string
	enum                 []string
	pattern              regexpMatcher
	minLength, maxLength int
	minItems, maxItems   int
	minimum, maximum     *float64
	multipleOf           *float64
	items                *rule
	properties           map[string]*rule
	required             []string
}

// regexpMatcher is what a compiled pattern offers the checks.
type regexpMatcher interface {
	MatchString(string) bool
	String() string
}

func ptr[T any](v T) *T { return &v }
