// Package query encodes and decodes the JD Cloud query string: the canonical form
// that JDCLOUD2 signing covers (parameters sorted by name, values of one name sorted,
// RFC 3986 percent-encoding with space as %20) and the indexed encoding of array
// parameters (ids.1=a&ids.2=b) that the spec marks x-jdcloud-array-encoding: indexed.
// It uses the standard library only.
package query

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

const hexDigits = "0123456789ABCDEF"

// Unreserved reports whether c is left as is by RFC 3986 percent-encoding:
// A-Z a-z 0-9 - . _ ~.
func Unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

// Escape percent-encodes every byte of s but the unreserved ones, with uppercase hex
// (a space is %20, never +).
func Escape(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !Unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	return string(appendEscaped(b, s))
}

func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if Unreserved(c) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
	}
	return b
}

type pair struct{ name, value string }

// Encode returns v in canonical form: names sorted (byte order), the values of one
// name sorted, names and values escaped with Escape, name=value joined with &.
func Encode(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	pairs := make([]pair, 0, len(v))
	for name, values := range v {
		for _, value := range values {
			pairs = append(pairs, pair{name, value})
		}
	}
	return encodePairs(pairs)
}

func encodePairs(pairs []pair) string {
	slices.SortFunc(pairs, func(a, b pair) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	var b []byte
	for i, p := range pairs {
		if i > 0 {
			b = append(b, '&')
		}
		b = appendEscaped(b, p.name)
		b = append(b, '=')
		b = appendEscaped(b, p.value)
	}
	return string(b)
}

// Canonical returns the canonical form of a raw query string as received, in any
// order and any escaping: each name=value pair is unescaped (a + is a space, as in
// HTML forms; a malformed escape is kept literally) and the pairs re-encoded as
// Encode does. A pair without = has an empty value. Empty pairs are dropped.
func Canonical(raw string) string {
	if raw == "" {
		return ""
	}
	pairs := make([]pair, 0, strings.Count(raw, "&")+1)
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		pairs = append(pairs, pair{unescape(name), unescape(value)})
	}
	return encodePairs(pairs)
}

func unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	u, err := url.QueryUnescape(s)
	if err != nil {
		return s
	}
	return u
}

// Index rewrites the array parameters named in arrays from repeated form (ids=a&ids=b,
// as url.Values and OpenAPI's form style hold them) to indexed form (ids.1=a,
// ids.2=b), keeping the order of the values. Other parameters are left alone; v is
// changed in place and returned.
func Index(v url.Values, arrays []string) url.Values {
	for _, name := range arrays {
		values, ok := v[name]
		if !ok {
			continue
		}
		delete(v, name)
		for i, value := range values {
			v[name+"."+strconv.Itoa(i+1)] = []string{value}
		}
	}
	return v
}

// Unindex is the inverse of Index, as a server reads a query: for each array name, the
// parameters name.1, name.2, ... become the values of name, in index order. It fails,
// naming the parameter, on a plain or repeated name (ids=a: arrays must be sent
// indexed), an index that is not a positive number, a gap in the numbering, or a
// repeated index. v is changed in place and returned.
func Unindex(v url.Values, arrays []string) (url.Values, error) {
	for _, name := range arrays {
		if _, plain := v[name]; plain {
			return v, fmt.Errorf("parameter %s must be sent indexed (%s.1=...&%s.2=...), not as %s=", name, name, name, name)
		}
		prefix := name + "."
		byIndex := map[int]string{}
		for k, values := range v {
			suffix, ok := strings.CutPrefix(k, prefix)
			if !ok {
				continue
			}
			i, err := strconv.Atoi(suffix)
			if err != nil || i < 1 || strconv.Itoa(i) != suffix {
				return v, fmt.Errorf("parameter %s: index %q is not a number from 1", name, suffix)
			}
			if len(values) != 1 {
				return v, fmt.Errorf("parameter %s.%d is repeated", name, i)
			}
			byIndex[i] = values[0]
			delete(v, k)
		}
		if len(byIndex) == 0 {
			continue
		}
		values := make([]string, len(byIndex))
		for i := 1; i <= len(byIndex); i++ {
			value, ok := byIndex[i]
			if !ok {
				return v, fmt.Errorf("parameter %s: %s.%d is missing (indices run from 1 without gaps)", name, name, i)
			}
			values[i-1] = value
		}
		v[name] = values
	}
	return v, nil
}
