package client

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on the length of identifiers, checked before any request is sent.
const (
	MaxRegionIDLength = 64
	MaxImageIDLength  = 128
)

// checkID refuses identifiers that cannot travel safely as one path segment.
func checkID(op Operation, param, v string, max int) error {
	bad := func(reason string) error { return &InvalidParameterError{Op: op, Param: param, Reason: reason} }
	switch {
	case v == "":
		return bad("is empty")
	case len(v) > max:
		return bad("is longer than " + strconv.Itoa(max) + " bytes")
	case !utf8.ValidString(v):
		return bad("is not valid UTF-8")
	case v == "." || strings.Contains(v, ".."):
		return bad(`contains ".."`)
	}
	for _, r := range v {
		switch {
		case unicode.IsSpace(r):
			return bad("contains white space")
		case unicode.IsControl(r) || !unicode.IsPrint(r):
			return bad("contains a control character")
		case r == '/' || r == '?' || r == '#' || r == '%':
			return bad("contains '" + string(r) + "'")
		}
	}
	return nil
}

// escapeSegment percent-encodes everything but A-Z a-z 0-9 - . _ ~ (uppercase hex),
// as JDCLOUD2 signing canonicalises path segments.
func escapeSegment(s string) string {
	const hexDigits = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}
