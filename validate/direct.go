package validate

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// A JSON response body is validated here rather than by openapi3filter.ValidateResponse
// when the outcome is the same and the work is not: kin-openapi visits a response body
// "as a response", which only matters to properties marked writeOnly (refused in a
// response, and not required there) but costs a sorted copy of every object schema's
// property names at each object visited (40% of the schema walk for DescribeImage's
// body). For a media type whose schema graph marks nothing writeOnly, the body is
// decoded by the Validator's own jsonBodies and visited with the same options, less that one; the
// errors are the ResponseErrors kin-openapi builds. Any other response takes
// kin-openapi's own path. TestDirectMatchesKinOpenAPI holds the two paths to the
// same violations.

// directMediaTypes returns the response media types of doc whose bodies may be
// validated directly, each with the schema identifier kin-openapi names in its
// "doesn't match schema" reason.
func directMediaTypes(doc *openapi3.T) map[*openapi3.MediaType]string {
	direct := map[*openapi3.MediaType]string{}
	if doc.IsOpenAPI31OrLater() {
		return direct // kin-openapi visits those with its JSON Schema 2020-12 validator
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.Responses == nil {
				continue
			}
			for _, ref := range op.Responses.Map() {
				if ref.Value == nil {
					continue
				}
				for mime, media := range ref.Value.Content {
					if directSchema(mime, media) {
						direct[media] = schemaIdentifier(media.Schema)
					}
				}
			}
		}
	}
	return direct
}

// directSchema says whether a media type's bodies may be validated directly: JSON,
// without encodings, with an object schema that marks nothing writeOnly.
func directSchema(mime string, media *openapi3.MediaType) bool {
	if media == nil || len(media.Encoding) != 0 || media.Schema == nil || media.Schema.Value == nil {
		return false
	}
	if strings.ToLower(strings.TrimSpace(mime)) != "application/json" {
		return false
	}
	s := media.Schema.Value
	return s.Type.Is(openapi3.TypeObject) && !marksWriteOnly(s, map[*openapi3.Schema]bool{})
}

// marksWriteOnly says whether any schema reachable from s is writeOnly.
func marksWriteOnly(s *openapi3.Schema, seen map[*openapi3.Schema]bool) bool {
	if s == nil || seen[s] {
		return false
	}
	seen[s] = true
	if s.WriteOnly {
		return true
	}
	refs := []*openapi3.SchemaRef{s.Items, s.Not, s.AdditionalProperties.Schema, s.Contains, s.PropertyNames,
		s.UnevaluatedItems.Schema, s.UnevaluatedProperties.Schema, s.If, s.Then, s.Else}
	for _, list := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf, s.AllOf, s.PrefixItems} {
		refs = append(refs, list...)
	}
	for _, m := range []openapi3.Schemas{s.Properties, s.PatternProperties, s.DependentSchemas, s.Defs} {
		for _, r := range m {
			refs = append(refs, r)
		}
	}
	for _, r := range refs {
		if r != nil && marksWriteOnly(r.Value, seen) {
			return true
		}
	}
	return false
}

// schemaIdentifier is the identifier kin-openapi gives a body's schema in its
// reason: its $ref, else its title.
func schemaIdentifier(ref *openapi3.SchemaRef) string {
	id := strings.TrimSpace(ref.Ref)
	if id == "" && ref.Value != nil {
		id = strings.TrimSpace(ref.Value.Title)
	}
	return id
}

// directMedia returns the media type of an exchange whose body validateJSONBody
// validates, and its schema identifier; nil when kin-openapi's own path is taken.
// It follows openapi3filter.ValidateResponse's choice of a response and a media type.
func (v *Validator) directMedia(req *http.Request, route *routers.Route, status int, header http.Header) (*openapi3.MediaType, string) {
	if req.Method == http.MethodHead || route.Operation.Responses == nil || route.Operation.Responses.Len() == 0 {
		return nil, ""
	}
	switch status {
	case http.StatusNotModified, http.StatusPermanentRedirect, http.StatusTemporaryRedirect, http.StatusMovedPermanently:
		return nil, ""
	}
	ref := route.Operation.Responses.Status(status)
	if ref == nil {
		ref = route.Operation.Responses.Default()
	}
	if ref == nil || ref.Value == nil {
		return nil, ""
	}
	ct := header.Get("Content-Type")
	media := ref.Value.Content.Get(ct)
	id, ok := v.direct[media]
	if !ok || !isJSON(ct) {
		return nil, ""
	}
	return media, id
}

// isJSON says whether a Content-Type is application/json (parameters aside).
func isJSON(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt)) == "application/json"
}

// validateJSONBody decodes and validates a body as openapi3filter.ValidateResponse
// does, with the same options less "visit as a response" (see directSchema).
func (v *Validator) validateJSONBody(input *openapi3filter.ResponseValidationInput, media *openapi3.MediaType, schemaID string, body []byte) error {
	value, err := v.bodies.decode(bytes.NewReader(body), input.Header, media.Schema, nil)
	if err != nil {
		return &openapi3filter.ResponseError{Input: input, Reason: "failed to decode response body", Err: err}
	}
	if err := media.Schema.Value.VisitJSON(value, v.schemaOptions...); err != nil {
		if schemaID != "" {
			schemaID = " " + schemaID
		}
		return &openapi3filter.ResponseError{Input: input, Reason: "response body doesn't match schema" + schemaID, Err: err}
	}
	return nil
}
