package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/vmimage/vmimage/validate"
)

// specOperation is an operation of the embedded spec, found by id or by request.
type specOperation struct {
	id, method, template string
	op                   *openapi3.Operation
	pathItem             *openapi3.PathItem
	match                *regexp.Regexp // the path template, /v1 included, as a pattern
	names                []string       // the path parameters, in template order
}

// specOperations lists the spec's operations with their path patterns.
func specOperations() ([]specOperation, error) {
	v, err := validate.Default()
	if err != nil {
		return nil, err
	}
	var out []specOperation
	doc := v.Document()
	for template, item := range doc.Paths.Map() {
		var pat strings.Builder
		var names []string
		pat.WriteString("^/v1")
		rest := template
		for {
			i := strings.IndexByte(rest, '{')
			if i < 0 {
				pat.WriteString(regexp.QuoteMeta(rest))
				break
			}
			j := strings.IndexByte(rest[i:], '}')
			pat.WriteString(regexp.QuoteMeta(rest[:i]) + "([^/:]+)")
			names = append(names, rest[i+1:i+j])
			rest = rest[i+j+1:]
		}
		pat.WriteString("$")
		re := regexp.MustCompile(pat.String())
		for method, op := range item.Operations() {
			out = append(out, specOperation{id: op.OperationID, method: method, template: template, op: op, pathItem: item, match: re, names: names})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out, nil
}

// operationByID finds an operation by its id or the API's name (CopyImages).
func operationByID(id string) (*specOperation, error) {
	ops, err := specOperations()
	if err != nil {
		return nil, err
	}
	for i := range ops {
		if strings.EqualFold(ops[i].id, id) {
			return &ops[i], nil
		}
		if name, _ := ops[i].op.Extensions["x-jdcloud-api-name"].(string); name == id {
			return &ops[i], nil
		}
	}
	return nil, fmt.Errorf("%q is not an operation of the spec", id)
}

// checkRequest checks a request as --dry-run prints it against the spec: the method
// and path name an operation, the path parameters match their schemas, and the body
// its schema (required when the spec requires one). It returns the operation id and
// what is wrong, one line each.
func checkRequest(r dryRequest) (string, []string, error) {
	ops, err := specOperations()
	if err != nil {
		return "", nil, err
	}
	for i := range ops {
		o := &ops[i]
		m := o.match.FindStringSubmatch(r.Path)
		if m == nil || !strings.EqualFold(o.method, r.Method) {
			continue
		}
		var problems []string
		params := map[string]*openapi3.Parameter{}
		for _, p := range append(o.pathItem.Parameters, o.op.Parameters...) {
			if p.Value != nil {
				params[p.Value.In+":"+p.Value.Name] = p.Value
			}
		}
		for k, name := range o.names {
			p := params["path:"+name]
			if p == nil || p.Schema == nil {
				continue
			}
			value, _ := url.PathUnescape(m[k+1])
			if err := p.Schema.Value.VisitJSON(value, openapi3.MultiErrors()); err != nil {
				problems = append(problems, schemaProblems("path parameter "+name, err)...)
			}
		}
		problems = append(problems, checkBody(o, r.Body)...)
		return o.id, problems, nil
	}
	return "", []string{fmt.Sprintf("%s %s is no operation of the spec", r.Method, r.Path)}, nil
}

// checkBody checks a request body against the operation's schema.
func checkBody(o *specOperation, body json.RawMessage) []string {
	rb := o.op.RequestBody
	if rb == nil || rb.Value == nil {
		if len(bytes.TrimSpace(body)) > 0 {
			return []string{o.id + " takes no body"}
		}
		return nil
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if rb.Value.Required {
			return []string{o.id + " needs a body"}
		}
		return nil
	}
	media := rb.Value.Content.Get("application/json")
	if media == nil || media.Schema == nil {
		return nil
	}
	var value any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&value); err != nil {
		return []string{"body: not JSON: " + err.Error()}
	}
	value = numbersToFloat(value)
	if err := media.Schema.Value.VisitJSON(value, openapi3.MultiErrors()); err != nil {
		return schemaProblems("body", err)
	}
	return nil
}

// numbersToFloat turns json.Numbers into float64, as VisitJSON wants them.
func numbersToFloat(v any) any {
	switch t := v.(type) {
	case json.Number:
		f, _ := t.Float64()
		return f
	case map[string]any:
		for k, x := range t {
			t[k] = numbersToFloat(x)
		}
	case []any:
		for i, x := range t {
			t[i] = numbersToFloat(x)
		}
	}
	return v
}

// schemaProblems renders a schema validation error as lines naming the field.
func schemaProblems(where string, err error) []string {
	var multi openapi3.MultiError
	var errs []error
	if errors.As(err, &multi) {
		errs = multi
	} else {
		errs = []error{err}
	}
	var out []string
	for _, e := range errs {
		var se *openapi3.SchemaError
		if errors.As(e, &se) {
			field := strings.Join(se.JSONPointer(), ".")
			if field == "" {
				out = append(out, fmt.Sprintf("%s: %s", where, se.Reason))
			} else {
				out = append(out, fmt.Sprintf("%s: %s: %s", where, field, se.Reason))
			}
			continue
		}
		var inner openapi3.MultiError
		if errors.As(e, &inner) {
			out = append(out, schemaProblems(where, inner)...)
			continue
		}
		out = append(out, where+": "+e.Error())
	}
	return out
}
