package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/vmimage/vmimage/internal/query"
)

// call is what a facade hands the pipeline: the generated operation, the region (for
// the signature and messages), what the call is about (for messages), and the values
// of its path parameters (in template order), its query parameters (a pointer to the
// generated api.<Op>Params, or nil) and its body (a pointer to the generated
// api.<Op>Input, or nil). Everything else comes from the operation.
type call struct {
	op       *operation
	region   string
	resource string
	path     []string
	params   any
	body     any
	// check, when not nil, checks a rule the spec states only in words (after the
	// generated checks).
	check func(Operation) error
	// signature is the signature of the attempt whose 2xx body send returned, to be
	// redacted from an error that quotes the body.
	signature string
}

// operation returns the Operation errors name.
func (cl *call) operation() Operation {
	return Operation{Service: Service, Name: cl.op.name, Region: cl.region, Resource: cl.resource}
}

// prepared is a call built once: the request template, the exact body bytes every
// attempt sends and signs (nil for none), and the client token sent (or "").
type prepared struct {
	req   *http.Request
	body  []byte
	token string
}

// prepare checks every parameter against the generated rules and builds the request
// once: the path from the template (each value escaped as one segment, JD's colon
// sent as %3A), the query in canonical form with indexed arrays, and the body encoded
// once with only the fields the caller set (no path copies, no nulls) and, for a
// token operation, the caller's clientToken or one made here.
func (c *Client) prepare(cl *call) (*prepared, error) {
	op := cl.operation()
	if len(cl.path) != len(cl.op.pathParams) {
		return nil, fmt.Errorf("%s takes %d path parameters, got %d", cl.op.name, len(cl.op.pathParams), len(cl.path))
	}
	for i, p := range cl.op.pathParams {
		if err := checkPathValue(op, p, cl.path[i]); err != nil {
			return nil, err
		}
	}
	raw, err := encodeQuery(op, cl.op, cl.params)
	if err != nil {
		return nil, err
	}
	if cl.check != nil {
		if err := cl.check(op); err != nil {
			return nil, err
		}
	}
	p := &prepared{}
	if cl.op.body != nil {
		if p.body, p.token, err = encodeBody(op, cl.op, cl.body); err != nil {
			return nil, err
		}
	}
	u := &url.URL{Scheme: c.endpoint.Scheme, Host: c.endpoint.Host}
	u.Path, u.RawPath = expandPath(cl.op, cl.path)
	u.RawQuery = raw
	p.req = &http.Request{Method: cl.op.method, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Host: u.Host}
	return p, nil
}

// checkPathValue checks a path value: first that it can travel as one segment and
// stand in a signature's scope, then the spec's rule.
func checkPathValue(op Operation, p param, v string) error {
	if err := checkID(op, p.name, v); err != nil {
		return err
	}
	return checkValue(op, p.name, p.rule, v)
}

// expandPath fills the template below /v1: it returns the path and, when it differs,
// the escaped form sent and signed (each value percent-encoded as one segment, JD's
// custom-method colon as %3A, as JD's Go SDK sends it).
func expandPath(o *operation, values []string) (path, raw string) {
	t := templateOf(o)
	n := len(t.plain[len(t.plain)-1])
	plain := !t.colon
	for i, v := range values {
		n += len(t.plain[i]) + len(v)
		for j := 0; j < len(v) && plain; j++ {
			plain = query.Unreserved(v[j])
		}
	}
	path = fillPath(t.plain, values, n, false)
	if plain { // nothing to escape: the path is its own escaped form
		return path, ""
	}
	return path, fillPath(t.escaped, values, n+2*strings.Count(path, ":"), true)
}

// pathTemplate is an operation's path template cut at its parameters, the literal
// parts ready to write ("/v1" first): as they are and with JD's colon escaped.
type pathTemplate struct {
	plain, escaped []string
	colon          bool
}

// templates holds each operation's cut template, made once.
var templates = func() map[*operation]*pathTemplate {
	m := make(map[*operation]*pathTemplate, len(operations))
	for _, o := range operations {
		m[o] = cutTemplate(o.path)
	}
	return m
}()

// templateOf returns o's cut template (cutting it now for an operation not in the
// generated list, as tests may make).
func templateOf(o *operation) *pathTemplate {
	if t, ok := templates[o]; ok {
		return t
	}
	return cutTemplate(o.path)
}

// cutTemplate cuts a template such as "/regions/{regionId}/images/{imageId}:share".
func cutTemplate(t string) *pathTemplate {
	pt := &pathTemplate{colon: strings.IndexByte(t, ':') >= 0}
	lit := "/v1"
	for {
		open := strings.IndexByte(t, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(t[open:], '}') + open
		if end < open { // a '{' never closed is text (generated templates have none)
			break
		}
		pt.plain = append(pt.plain, lit+t[:open])
		lit, t = "", t[end+1:]
	}
	pt.plain = append(pt.plain, lit+t)
	for _, l := range pt.plain {
		pt.escaped = append(pt.escaped, strings.ReplaceAll(l, ":", "%3A"))
	}
	return pt
}

// fillPath writes the literal parts with the values between them, the values
// escaped or not.
func fillPath(lits, values []string, n int, escaped bool) string {
	b := make([]byte, 0, n)
	for i := range len(lits) - 1 {
		v := ""
		if i < len(values) { // prepare has checked the count
			v = values[i]
		}
		b = append(b, lits[i]...)
		if escaped {
			b = append(b, query.Escape(v)...)
		} else {
			b = append(b, v...)
		}
	}
	b = append(b, lits[len(lits)-1]...)
	return unsafeString(b)
}

// unsafeString returns b as a string without copying; b is never written again.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// fieldIndex maps the JSON (or form) names of a generated struct's fields to their
// index, cached per type and tag.
var fieldIndex sync.Map // fieldKey -> map[string]int

type fieldKey struct {
	t   reflect.Type
	tag string
}

func fieldsOf(t reflect.Type, tag string) map[string]int {
	key := fieldKey{t, tag}
	if m, ok := fieldIndex.Load(key); ok {
		return m.(map[string]int)
	}
	m := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get(tag), ",")
		if name != "" && name != "-" {
			m[name] = i
		}
	}
	fieldIndex.Store(key, m)
	return m
}

// encodeQuery checks the query parameters the caller set (params is a pointer to the
// generated Params struct) and encodes them canonically, arrays indexed.
func encodeQuery(op Operation, o *operation, params any) (string, error) {
	if len(o.query) == 0 {
		return "", nil
	}
	var v reflect.Value
	if params != nil {
		v = reflect.ValueOf(params)
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v = reflect.Value{}
			} else {
				v = v.Elem()
			}
		}
	}
	var fields map[string]int
	if v.IsValid() {
		fields = fieldsOf(v.Type(), "form")
	}
	vals := url.Values{}
	var indexed []string
	for _, p := range o.query {
		var f reflect.Value
		if i, ok := fields[p.name]; ok {
			f = v.Field(i)
		}
		texts, jv, err := paramValue(f)
		if err != nil {
			return "", &InvalidParameterError{Op: op, Param: p.name, Reason: err.Error()}
		}
		if texts == nil {
			if p.required {
				return "", &InvalidParameterError{Op: op, Param: p.name, Reason: "is required"}
			}
			continue
		}
		if err := checkValue(op, p.name, p.rule, jv); err != nil {
			return "", err
		}
		vals[p.name] = texts
		if p.indexed {
			indexed = append(indexed, p.name)
		}
	}
	return query.Encode(query.Index(vals, indexed)), nil
}

// paramValue reads one field of a Params struct: its texts on the wire (nil when
// unset: a nil pointer or an empty list) and its value as the checks read it.
func paramValue(f reflect.Value) ([]string, any, error) {
	if !f.IsValid() {
		return nil, nil, nil
	}
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return nil, nil, nil
		}
		f = f.Elem()
	}
	if f.Kind() == reflect.Slice {
		if f.Len() == 0 {
			return nil, nil, nil
		}
		texts := make([]string, f.Len())
		items := make([]any, f.Len())
		for i := range texts {
			t, jv, err := scalarText(f.Index(i))
			if err != nil {
				return nil, nil, err
			}
			texts[i], items[i] = t, jv
		}
		return texts, items, nil
	}
	t, jv, err := scalarText(f)
	if err != nil {
		return nil, nil, err
	}
	return []string{t}, jv, nil
}

// scalarText renders a scalar parameter as the query carries it.
func scalarText(f reflect.Value) (string, any, error) {
	if m, ok := f.Interface().(interface{ MarshalText() ([]byte, error) }); ok {
		b, err := m.MarshalText()
		return string(b), string(b), err
	}
	switch f.Kind() {
	case reflect.String:
		return f.String(), f.String(), nil
	case reflect.Bool:
		return strconv.FormatBool(f.Bool()), f.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		s := strconv.FormatInt(f.Int(), 10)
		return s, json.Number(s), nil
	case reflect.Float32, reflect.Float64:
		s := strconv.FormatFloat(f.Float(), 'f', -1, 64)
		return s, json.Number(s), nil
	}
	return "", nil, errors.New("has a type the query cannot carry")
}

// encodeBody encodes the caller's body once: the generated input struct copied, its
// path copies cleared (the path carries them), the idempotency token set (the
// caller's, else a new one), encoded with only the fields set, then checked against
// the spec's schema as it will be sent.
func encodeBody(op Operation, o *operation, in any) ([]byte, string, error) {
	var v reflect.Value
	if in != nil {
		v = reflect.ValueOf(in)
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v = reflect.Value{}
			} else {
				v = v.Elem()
			}
		}
	}
	token := ""
	var body []byte
	if !v.IsValid() {
		if o.bodyRequired && len(o.body.required) > 0 {
			return nil, "", &InvalidParameterError{Op: op, Param: o.body.required[0], Reason: "is required"}
		}
		body = []byte("{}")
		if o.token != "" {
			var err error
			if token, err = newClientToken(); err != nil {
				return nil, "", &InvalidParameterError{Op: op, Param: o.token, Reason: err.Error()}
			}
			body, _ = json.Marshal(map[string]string{o.token: token})
		}
	} else {
		fields := fieldsOf(v.Type(), "json")
		// The caller's struct is never changed: a copy is made only when a path
		// copy is set or a token goes in; otherwise the caller's value is encoded.
		value := in
		needCopy := o.token != ""
		for _, p := range o.pathParams {
			if i, ok := fields[p.name]; ok && !v.Field(i).IsZero() {
				needCopy = true
			}
		}
		if needCopy {
			cp := reflect.New(v.Type()).Elem()
			cp.Set(v)
			for _, p := range o.pathParams {
				if i, ok := fields[p.name]; ok {
					cp.Field(i).SetZero()
				}
			}
			if o.token != "" {
				i, ok := fields[o.token]
				if !ok {
					return nil, "", fmt.Errorf("body type %s has no %s field", v.Type(), o.token)
				}
				f := cp.Field(i)
				if f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().String() != "" {
					token = f.Elem().String()
				} else {
					var err error
					if token, err = newClientToken(); err != nil {
						return nil, "", &InvalidParameterError{Op: op, Param: o.token, Reason: err.Error()}
					}
					f.Set(reflect.ValueOf(&token))
				}
			}
			value = cp.Addr().Interface()
		}
		var err error
		if body, err = json.Marshal(value); err != nil {
			return nil, "", &InvalidParameterError{Op: op, Param: "body", Reason: err.Error()}
		}
	}
	if err := checkBody(op, o.body, body); err != nil {
		return nil, "", err
	}
	return body, token, nil
}
