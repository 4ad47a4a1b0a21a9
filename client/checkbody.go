package client

import (
	"encoding/json"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
)

// checkBody checks an encoded request body against the operation's body rule,
// reading the bytes that will be sent with a pooled streaming decoder (no map or
// list is built for it). Within an object a missing required member is reported
// before a wrong one; otherwise the first wrong value in the body's order is. It
// accepts what a check of the body as encoding/json decodes it would accept, but for
// a name repeated in one object (which no generated struct encodes): every value of
// it is checked, and the last says whether a required member is present.
func checkBody(op Operation, r *rule, body []byte) error {
	sc := scanners.Get().(*scanner)
	defer scanners.Put(sc)
	sc.r.Reset(body)
	// As encoding/json reads it (and the service): a repeated name and invalid UTF-8
	// (which only a json.RawMessage or a Marshaler inside a free-form member such as
	// DiskSpec.charge can put in the body) are not errors.
	sc.dec.Reset(&sc.r, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	if sc.dec.PeekKind() != '{' {
		return &InvalidParameterError{Op: op, Param: "body", Reason: "does not encode as a JSON object"}
	}
	if _, err := checkJSON(op, "", r, sc.dec); err != nil {
		return err
	}
	return nil
}

// checkJSON checks the JSON value dec is at against r, naming a wrong value by name
// (a body field reads "cloudDisks[0].deviceName"). It reads the whole value even
// when it is wrong, so that the caller can go on, and reports whether the value
// counts as present for a required member (neither null nor "").
func checkJSON(op Operation, name string, r *rule, dec *jsontext.Decoder) (present bool, err error) {
	bad := func(reason string) error { return &InvalidParameterError{Op: op, Param: name, Reason: reason} }
	kind := dec.PeekKind()
	if kind == 'n' || r == nil {
		return skipPresent(op, dec)
	}
	want, what := kindOf(r.typ)
	if want == 0 { // a type the checks do not know: nothing to check
		return skipPresent(op, dec)
	}
	if kind != want && !(want == 't' && kind == 'f') {
		present, err := skipPresent(op, dec)
		if err != nil {
			return present, err
		}
		return present, bad(what)
	}
	switch kind {
	case '"':
		tok, err := dec.ReadToken()
		if err != nil {
			return false, bad("is not valid JSON")
		}
		s := tok.String()
		return s != "", checkString(op, name, r, s)
	case '0':
		tok, err := dec.ReadToken()
		if err != nil {
			return false, bad("is not valid JSON")
		}
		return true, checkNumber(op, name, r, json.Number(tok.String()))
	case '[':
		return true, checkArray(op, name, r, dec)
	case '{':
		return true, checkMembers(op, name, r, dec)
	}
	return true, skipJSON(op, dec)
}

// checkArray checks a list: its number of items first, then each item in order.
func checkArray(op Operation, name string, r *rule, dec *jsontext.Decoder) error {
	if _, err := dec.ReadToken(); err != nil { // '['
		return &InvalidParameterError{Op: op, Param: name, Reason: "is not valid JSON"}
	}
	var first error
	n := 0
	for dec.PeekKind() != ']' {
		if first != nil {
			if err := skipJSON(op, dec); err != nil {
				return err
			}
		} else if _, err := checkJSON(op, name+"["+strconv.Itoa(n)+"]", r.items, dec); err != nil {
			first = err
		}
		n++
	}
	if _, err := dec.ReadToken(); err != nil { // ']'
		return &InvalidParameterError{Op: op, Param: name, Reason: "is not valid JSON"}
	}
	if err := checkCount(op, name, r, n); err != nil {
		return err
	}
	return first
}

// checkMembers checks an object: a missing required member first (in the spec's
// order), then the first wrong member. Members the spec does not name pass.
func checkMembers(op Operation, prefix string, r *rule, dec *jsontext.Decoder) error {
	field := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	if _, err := dec.ReadToken(); err != nil { // '{'
		return &InvalidParameterError{Op: op, Param: orBody(prefix), Reason: "is not valid JSON"}
	}
	var first error
	// Whether each required member is present, as the last of its name says (as
	// encoding/json keeps the last): a bit each for the first 64, a slice beyond.
	var seen uint64
	var seenMore []bool
	if len(r.required) > 64 {
		seenMore = make([]bool, len(r.required)-64)
	}
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return &InvalidParameterError{Op: op, Param: orBody(prefix), Reason: "is not valid JSON"}
		}
		k := tok.String()
		var present bool
		if first != nil {
			if present, err = skipPresent(op, dec); err != nil {
				return err
			}
		} else if present, err = checkJSON(op, field(k), r.properties[k], dec); err != nil {
			first = err
		}
		for i, req := range r.required {
			switch {
			case req != k:
			case i >= 64:
				seenMore[i-64] = present
			case present:
				seen |= 1 << i
			default:
				seen &^= 1 << i
			}
		}
	}
	if _, err := dec.ReadToken(); err != nil { // '}'
		return &InvalidParameterError{Op: op, Param: orBody(prefix), Reason: "is not valid JSON"}
	}
	for i, req := range r.required {
		if i < 64 && seen&(1<<i) == 0 || i >= 64 && !seenMore[i-64] {
			return &InvalidParameterError{Op: op, Param: field(req), Reason: "is required"}
		}
	}
	return first
}

// orBody names a value for an error: "body" for the body itself.
func orBody(name string) string {
	if name == "" {
		return "body"
	}
	return name
}

// kindOf is the JSON kind a schema type is read as ('t' for both booleans), and
// what a value of another kind is said to be not.
func kindOf(typ string) (jsontext.Kind, string) {
	switch typ {
	case "string":
		return '"', "is not a string"
	case "integer", "number":
		return '0', "is not a number"
	case "boolean":
		return 't', "is not true or false"
	case "array":
		return '[', "is not a list"
	case "object":
		return '{', "is not an object"
	}
	return 0, ""
}

// skipPresent reads past the value dec is at and says whether it counts as present
// for a required member (neither null nor "").
func skipPresent(op Operation, dec *jsontext.Decoder) (bool, error) {
	kind := dec.PeekKind()
	v, err := dec.ReadValue()
	if err != nil {
		return false, &InvalidParameterError{Op: op, Param: "body", Reason: "is not valid JSON"}
	}
	return kind != 'n' && string(v) != `""`, nil
}

// skipJSON reads past the value dec is at.
func skipJSON(op Operation, dec *jsontext.Decoder) error {
	if err := dec.SkipValue(); err != nil {
		return &InvalidParameterError{Op: op, Param: "body", Reason: "is not valid JSON"}
	}
	return nil
}
