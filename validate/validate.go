package validate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/vmimage/vmimage"
	"github.com/vmimage/vmimage/internal/query"
)

// BasePath is the path prefix of every operation: the path of the document's servers.
const BasePath = "/v1"

// Validator validates exchanges against one loaded OpenAPI document. It is safe for
// concurrent use; build it once (building the router costs about a millisecond).
type Validator struct {
	doc    *openapi3.T
	router routers.Router
	opts   *openapi3filter.Options
	// reqOpts is opts with the request body validated (requests only).
	reqOpts *openapi3filter.Options
	// bodyless is opts with ExcludeResponseBody, for the exchanges whose body is
	// validated by validateJSONBody.
	bodyless *openapi3filter.Options
	// direct holds the response media types whose JSON bodies validateJSONBody
	// validates (see directSchema).
	direct map[*openapi3.MediaType]string
	// schemaOptions are the options openapi3filter.ValidateResponse visits a body
	// with under opts, less openapi3.VisitAsResponse.
	schemaOptions []openapi3.SchemaValidationOption
	// bodies decodes the JSON bodies validated directly (this Validator's own).
	bodies *jsonBodies
	// samples are a request per operation id and its route, used by ValidateBody.
	samples map[string]sample
	// indexed are the array query parameters of each operation id that the document
	// marks x-jdcloud-array-encoding: indexed.
	indexed map[string][]string
}

// sample is a made-up request for one operation, its route and path parameters.
type sample struct {
	req    *http.Request
	route  *routers.Route
	params map[string]string
}

// ArrayEncodingExtension is the parameter extension that marks an array query
// parameter as sent indexed (name.1=a&name.2=b); its one value is "indexed".
const ArrayEncodingExtension = "x-jdcloud-array-encoding"

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
// base path. It changes no process-wide state: JSON bodies it validates directly are
// decoded by the Validator's own decoder, and kin-openapi's decoder registry is left
// as the program set it.
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
	samples, indexed, err := operations(doc, router)
	if err != nil {
		return nil, err
	}
	opts := &openapi3filter.Options{
		IncludeResponseStatus: true,
		MultiError:            true,
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
	}
	opts.WithCustomSchemaErrorFunc(schemaErrorText)
	// Requests are checked body included (the write calls' JSON bodies); a response's
	// validation never re-reads the request body.
	reqOpts := *opts
	opts.ExcludeRequestBody = true
	bodyless := *opts
	bodyless.ExcludeResponseBody = true
	return &Validator{doc: doc, router: router, opts: opts, reqOpts: &reqOpts, bodyless: &bodyless, direct: directMediaTypes(doc),
		schemaOptions: []openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.SetSchemaErrorMessageCustomizer(schemaErrorText)},
		samples:       samples, indexed: indexed, bodies: newJSONBodies()}, nil
}

// schemaErrorText is a schema error's reason alone: flatten adds the rest.
func schemaErrorText(err *openapi3.SchemaError) string {
	return err.Reason
}

// operations builds a sample request for every operation of the document, with each
// path parameter set to its example, and reads which query parameters are indexed.
func operations(doc *openapi3.T, router routers.Router) (map[string]sample, map[string][]string, error) {
	samples := map[string]sample{}
	indexed := map[string][]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID == "" {
				return nil, nil, fmt.Errorf("validate: %s %s has no operationId", method, path)
			}
			concrete := path
			for _, ref := range append(item.Parameters, op.Parameters...) {
				p := ref.Value
				if p.In == openapi3.ParameterInPath {
					concrete = strings.ReplaceAll(concrete, "{"+p.Name+"}", fmt.Sprint(exampleOf(p)))
				}
				if enc, ok := p.Extensions[ArrayEncodingExtension]; ok {
					if enc != "indexed" {
						return nil, nil, fmt.Errorf("validate: %s parameter %s: %s %v is not \"indexed\"", op.OperationID, p.Name, ArrayEncodingExtension, enc)
					}
					indexed[op.OperationID] = append(indexed[op.OperationID], p.Name)
				}
			}
			req, err := http.NewRequest(method, BasePath+concrete, nil)
			if err != nil {
				return nil, nil, fmt.Errorf("validate: %s: %w", op.OperationID, err)
			}
			route, params, err := router.FindRoute(req)
			if err != nil || route.Operation.OperationID != op.OperationID {
				return nil, nil, fmt.Errorf("validate: %s: the sample request %s does not route back to it (%v)", op.OperationID, req.URL.Path, err)
			}
			samples[op.OperationID] = sample{req: req, route: route, params: params}
		}
	}
	return samples, indexed, nil
}

// exampleOf is a parameter's example (or its schema's), "x" when it has none.
func exampleOf(p *openapi3.Parameter) any {
	switch {
	case p.Example != nil:
		return p.Example
	case p.Schema != nil && p.Schema.Value != nil && p.Schema.Value.Example != nil:
		return p.Schema.Value.Example
	}
	return "x"
}

// Operations returns the operation ids of the document, sorted.
func (v *Validator) Operations() []string {
	ids := make([]string, 0, len(v.samples))
	for id := range v.samples {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// OperationID returns the operation id of the document that name designates: an
// operation id (describeImages) or the API's name for the operation
// (DescribeImages, UnReleaseImage), matched without regard to case, since the two
// differ only in the case of their first letter; ok is false when name designates
// none.
func (v *Validator) OperationID(name string) (id string, ok bool) {
	if _, ok := v.samples[name]; ok {
		return name, true
	}
	for id := range v.samples {
		if strings.EqualFold(id, name) {
			return id, true
		}
	}
	return "", false
}

// Document returns the loaded document. Callers must not modify it.
func (v *Validator) Document() *openapi3.T { return v.doc }

// ValidateExchange validates one exchange of any operation of the document: the
// request's path and query parameters (array parameters must travel indexed,
// ids.1=a&ids.2=b, as x-jdcloud-array-encoding says), then the response's status (a
// status covered only by the "default" response is reported as undocumented),
// content type, declared headers and body. It returns nil or an *Error listing every
// violation found.
func (v *Validator) ValidateExchange(ctx context.Context, req *http.Request, status int, header http.Header, body []byte) error {
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return &Error{Violations: []Violation{{Where: WhereRequest, Reason: "reading the request body: " + err.Error()}}}
		}
		reqBody = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	// Route on the decoded path: JD's custom-method colon travels escaped (%3A, as JD's
	// Go SDK and vmimage's client send it) or raw, and both reach the same operation.
	route, pathParams, err := v.router.FindRoute(decodedPath(req))
	if err != nil {
		return &Error{Violations: []Violation{{Where: WhereRequest, Reason: fmt.Sprintf("%s %s matches no operation: %v", req.Method, req.URL.Path, err)}}}
	}
	var violations []Violation
	q, err := query.Unindex(req.URL.Query(), v.indexed[route.Operation.OperationID])
	if err != nil {
		violations = append(violations, Violation{Where: WhereRequest, Reason: err.Error()})
	} else {
		r2 := req.Clone(ctx)
		r2.URL.RawQuery = q.Encode()
		r2.Body = http.NoBody
		if reqBody != nil {
			r2.Body = io.NopCloser(bytes.NewReader(reqBody))
		}
		in := &openapi3filter.RequestValidationInput{Request: r2, PathParams: pathParams, Route: route, Options: v.reqOpts}
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			violations = append(violations, requestViolations(err)...)
		}
	}
	return v.validate(ctx, violations, req, route, pathParams, status, header, body)
}

// ValidateBody validates a saved response of the operation with the given id
// (describeImage, describeImages, ...; see Operations) with no live request: the
// status code, the content type (empty means application/json) and the body bytes.
// It returns nil or an *Error listing every violation found.
func (v *Validator) ValidateBody(ctx context.Context, operationID string, status int, contentType string, body []byte) error {
	s, ok := v.samples[operationID]
	if !ok {
		return fmt.Errorf("validate: no operation %q in the document (it has %s)", operationID, strings.Join(v.Operations(), ", "))
	}
	if contentType == "" {
		contentType = "application/json"
	}
	// The sample request is only read by the validation: safe to share.
	return v.validate(ctx, nil, s.req, s.route, s.params, status, http.Header{"Content-Type": {contentType}}, body)
}

// decodedPath returns req with its path unescaped for routing (a shallow copy when
// the path had an escaped form).
func decodedPath(req *http.Request) *http.Request {
	if req.URL.RawPath == "" {
		return req
	}
	u := *req.URL
	u.RawPath = ""
	r := *req
	r.URL = &u
	return &r
}

// requestViolations flattens the request validation's errors, all about the request.
func requestViolations(err error) []Violation {
	var out []Violation
	for _, e := range flatten(err) {
		var re *openapi3filter.RequestError
		reason := e.Reason
		if errors.As(err, &re) && re.Parameter != nil && !strings.Contains(reason, re.Parameter.Name) {
			reason = "parameter " + re.Parameter.Name + ": " + reason
		}
		out = append(out, Violation{Where: WhereRequest, Pointer: e.Pointer, Reason: reason})
	}
	return out
}

func (v *Validator) validate(ctx context.Context, violations []Violation, req *http.Request, route *routers.Route, pathParams map[string]string, status int, header http.Header, body []byte) error {
	if route.Operation.Responses.Status(status) == nil {
		violations = append(violations, Violation{Where: WhereStatus, Reason: fmt.Sprintf("status %d is not documented for %s (only the default response covers it)", status, route.Operation.OperationID)})
	}
	opts := v.opts
	media, schemaID := v.directMedia(req, route, status, header)
	if media != nil {
		opts = v.bodyless // the status and headers only: the body is validated below
	}
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
	err := openapi3filter.ValidateResponse(ctx, input)
	if err == nil && media != nil {
		err = v.validateJSONBody(input, media, schemaID, body)
	}
	if err != nil {
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
