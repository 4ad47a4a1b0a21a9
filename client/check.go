package client

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// checkValue checks a path or query value v against the generated rule r and names
// what is wrong with the parameter name. v is a string, json.Number, bool or []any
// of those, or nil for absent (bodies are checked as encoded, by checkBody). Every
// limit comes from r, generated from the spec: nothing here restates one.
func checkValue(op Operation, name string, r *rule, v any) error {
	bad := func(reason string) error { return &InvalidParameterError{Op: op, Param: name, Reason: reason} }
	if r == nil || v == nil {
		return nil
	}
	switch r.typ {
	case "string":
		s, ok := v.(string)
		if !ok {
			return bad("is not a string")
		}
		return checkString(op, name, r, s)
	case "integer", "number":
		n, ok := v.(json.Number)
		if !ok {
			return bad("is not a number")
		}
		return checkNumber(op, name, r, n)
	case "boolean":
		if _, ok := v.(bool); !ok {
			return bad("is not true or false")
		}
	case "array":
		items, ok := v.([]any)
		if !ok {
			return bad("is not a list")
		}
		if err := checkCount(op, name, r, len(items)); err != nil {
			return err
		}
		for i, it := range items {
			if err := checkValue(op, name+"["+strconv.Itoa(i)+"]", r.items, it); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkCount checks a list's number of items.
func checkCount(op Operation, name string, r *rule, n int) error {
	switch {
	case r.minItems > 0 && n < r.minItems:
		return &InvalidParameterError{Op: op, Param: name, Reason: "has " + strconv.Itoa(n) + " elements, at least " + strconv.Itoa(r.minItems) + " are required"}
	case r.maxItems > 0 && n > r.maxItems:
		return &InvalidParameterError{Op: op, Param: name, Reason: "has " + strconv.Itoa(n) + " elements, at most " + strconv.Itoa(r.maxItems) + " are allowed"}
	}
	return nil
}

// checkNumber checks a number's type (an integer must have no fraction) and range.
func checkNumber(op Operation, name string, r *rule, n json.Number) error {
	bad := func(reason string) error { return &InvalidParameterError{Op: op, Param: name, Reason: reason} }
	f, err := n.Float64()
	if err != nil {
		return bad("is not a number")
	}
	if r.typ == "integer" && f != math.Trunc(f) {
		return bad(n.String() + " is not an integer")
	}
	switch {
	case r.minimum != nil && f < *r.minimum:
		return bad(n.String() + " is below the minimum " + fmtNum(*r.minimum))
	case r.maximum != nil && f > *r.maximum:
		return bad(n.String() + " is above the maximum " + fmtNum(*r.maximum))
	case r.multipleOf != nil && math.Mod(f, *r.multipleOf) != 0:
		return bad(n.String() + " is not a multiple of " + fmtNum(*r.multipleOf))
	}
	return nil
}

// checkString checks a string's enum, lengths (in characters) and pattern.
func checkString(op Operation, name string, r *rule, s string) error {
	bad := func(reason string) error { return &InvalidParameterError{Op: op, Param: name, Reason: reason} }
	if !utf8.ValidString(s) {
		return bad("is not valid UTF-8")
	}
	if len(r.enum) > 0 {
		if !slices.Contains(r.enum, s) {
			return bad(strconv.Quote(s) + " is not one of the values the API documents (" + strings.Join(r.enum, ", ") + ")")
		}
		return nil
	}
	n := utf8.RuneCountInString(s)
	switch {
	case s == "" && r.minLength > 0:
		return bad("is empty")
	case n < r.minLength:
		return bad("is shorter than " + strconv.Itoa(r.minLength) + " characters")
	case r.maxLength > 0 && n > r.maxLength:
		return bad("is longer than " + strconv.Itoa(r.maxLength) + " characters")
	case r.pattern != nil && !r.pattern.MatchString(s):
		return bad("does not match " + r.pattern.String())
	}
	return nil
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
