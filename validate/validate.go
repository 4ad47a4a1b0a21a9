package validate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/vmimage/vmimage"
)

// BasePath is the path prefix of every operation: the path of the document's servers.
const BasePath = "/v1"

// Validator validates exchanges against one loaded OpenAPI document. It is safe for
// concurrent use; build it once (building the router costs about a millisecond).
type Validator struct {
	doc    *openapi3.T
	router routers.Router
	opts   *openapi3filter.Options
	// sample is a request for the only operation and its route, used by ValidateBody.
	sample       *http.Request
	sampleRoute  *routers.Route
	sampleParams map[string]string
}

var (
	defaultOnce sync.Once
	defaultV    *Validator
	defaultErr  error
)

// Default returns the Validator for the embedded spec, loaded and checked once per
// process.
func Default() (*Validator, error) {
	defaultOnce.Do(func() { defaultV, defaultErr = New(vmimage.Spec) })
	return defaultV, defaultErr
}

// New loads an OpenAPI 3.0 document, validates it (examples included) and builds a
// router that matches requests to any host whose path starts with the document's
// base path.
func New(spec []byte) (*Validator, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("validate: load spec: %w", err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableMultiError(), openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("validate: invalid spec: %w", err)
	}
	// Match any host: the traffic under test goes to httptest servers and fakes.
	doc.Servers = openapi3.Servers{{URL: BasePath}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("validate: build router: %w", err)
	}
	sample, err := http.NewRequest(http.MethodGet, BasePath+"/regions/cn-north-1/images/img-sample0", nil)
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	route, params, err := router.FindRoute(sample)
	if err != nil {
		return nil, fmt.Errorf("validate: the spec has no GET /regions/{regionId}/images/{imageId}: %w", err)
	}
	opts := &openapi3filter.Options{
		IncludeResponseStatus: true,
		MultiError:            true,
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
	}
	opts.WithCustomSchemaErrorFunc(func(err *openapi3.SchemaError) string { return err.Reason })
	return &Validator{doc: doc, router: router, opts: opts, sample: sample, sampleRoute: route, sampleParams: params}, nil
}

// Document returns the loaded document. Callers must not modify it.
func (v *Validator) Document() *openapi3.T { return v.doc }

// ValidateExchange validates one response to req: its status (a status covered only by
// the "default" response is reported as undocumented), content type, declared headers
// and body. It returns nil or an *Error listing every violation found.
func (v *Validator) ValidateExchange(ctx context.Context, req *http.Request, status int, header http.Header, body []byte) error {
	route, pathParams, err := v.router.FindRoute(req)
	if err != nil {
		return &Error{Violations: []Violation{{Where: WhereRequest, Reason: fmt.Sprintf("%s %s matches no operation: %v", req.Method, req.URL.Path, err)}}}
	}
	return v.validate(ctx, req, route, pathParams, status, header, body)
}

// ValidateBody validates a saved response of DescribeImage with no live request: the
// status code, the content type (empty means application/json) and the body bytes.
// It returns nil or an *Error listing every violation found.
func (v *Validator) ValidateBody(ctx context.Context, status int, contentType string, body []byte) error {
	if contentType == "" {
		contentType = "application/json"
	}
	// The sample request is only read by the validation: safe to share.
	return v.validate(ctx, v.sample, v.sampleRoute, v.sampleParams, status, http.Header{"Content-Type": {contentType}}, body)
}

func (v *Validator) validate(ctx context.Context, req *http.Request, route *routers.Route, pathParams map[string]string, status int, header http.Header, body []byte) error {
	var violations []Violation
	if route.Operation.Responses.Status(status) == nil {
		violations = append(violations, Violation{Where: WhereStatus, Reason: fmt.Sprintf("status %d is not documented for %s (only the default response covers it)", status, route.Operation.OperationID)})
	}
	opts := v.opts
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: pathParams,
			Route:      route,
			Options:    opts,
		},
		Status:  status,
		Header:  header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: opts,
	}
	if err := openapi3filter.ValidateResponse(ctx, input); err != nil {
		violations = append(violations, flatten(err)...)
	}
	if len(violations) == 0 {
		return nil
	}
	return &Error{Status: status, Violations: violations}
}

// flatten turns kin-openapi's nested errors into a flat list of violations.
func flatten(err error) []Violation {
	var out []Violation
	var walk func(where Where, context string, err error)
	walk = func(where Where, context string, err error) {
		var multi openapi3.MultiError
		if errors.As(err, &multi) {
			for _, e := range multi {
				walk(where, context, e)
			}
			return
		}
		var se *openapi3.SchemaError
		if errors.As(err, &se) {
			out = append(out, Violation{
				Where:   where,
				Pointer: pointer(se.JSONPointer()),
				Reason:  schemaReason(context, se),
			})
			return
		}
		var re *openapi3filter.ResponseError
		if errors.As(err, &re) {
			w := classify(re.Reason)
			if re.Err == nil {
				out = append(out, Violation{Where: w, Reason: re.Reason})
				return
			}
			walk(w, re.Reason, re.Err)
			return
		}
		reason := err.Error()
		if context != "" {
			reason = context + ": " + reason
		}
		out = append(out, Violation{Where: where, Reason: reason})
	}
	walk(WhereBody, "", err)
	return out
}

func schemaReason(context string, se *openapi3.SchemaError) string {
	reason := se.Reason
	if se.SchemaField != "" {
		reason = fmt.Sprintf("%s (schema keyword %q)", reason, se.SchemaField)
	}
	if strings.HasPrefix(context, "response header") {
		reason = context + ": " + reason
	}
	return reason
}

func classify(reason string) Where {
	switch {
	case strings.Contains(reason, "Content-Type"):
		return WhereContentType
	case strings.HasPrefix(reason, "response header"), strings.Contains(reason, "header \""):
		return WhereHeader
	case reason == "status is not supported":
		return WhereStatus
	default:
		return WhereBody
	}
}

// pointer renders path elements as an RFC 6901 JSON pointer.
func pointer(path []string) string {
	var b strings.Builder
	for _, p := range path {
		b.WriteByte('/')
		p = strings.ReplaceAll(p, "~", "~0")
		b.WriteString(strings.ReplaceAll(p, "/", "~1"))
	}
	return b.String()
}
