// Package jdtime is the time JD Cloud's API writes as text such as
// "2021-01-28 16:49:05": no ISO-8601 "T", no zone, in China Standard Time (UTC+8,
// the service's zone). The openapi.yaml schema ChinaTime maps to [Time] (with
// oapi-codegen's x-go-type), so every Go model generated from the spec, vmimage's or
// a downstream project's, holds a [time.Time] and compares with time.Time's methods.
//
// A Time decodes from JD's form or from the empty string (the zero Time), encodes
// back byte for byte, and refuses anything else with an error that names the field.
package jdtime

import (
	"encoding/json"
	"reflect"
	"strconv"
	"time"
)

// Layout is JD Cloud's time layout, in the terms of [time.Parse].
const Layout = "2006-01-02 15:04:05"

// China is China Standard Time, the zone of JD Cloud's times: a fixed UTC+8, so that
// no time zone database is needed.
var China = time.FixedZone("CST", 8*60*60)

// Time is a time JD Cloud writes as "2006-01-02 15:04:05" in China Standard Time. It
// embeds a [time.Time] (in [China]), so t.After, t.Before, t.Equal, t.IsZero and the
// rest work on it directly; compare two Times with a.After(b.Time). The zero Time
// stands for the empty string.
type Time struct {
	time.Time
}

// New returns t as a Time, in China Standard Time.
func New(t time.Time) Time {
	if t.IsZero() {
		return Time{}
	}
	return Time{t.In(China)}
}

// Parse reads JD Cloud's form ("2021-01-28 16:49:05", China Standard Time) or the
// empty string (the zero Time). Anything else, including a form that would not be
// written back byte for byte (a one-digit hour, a day out of range), is an error.
func Parse(s string) (Time, error) {
	if s == "" {
		return Time{}, nil
	}
	t, ok := parse(s)
	if !ok {
		return Time{}, &ParseError{Value: s}
	}
	return t, nil
}

// parse reads exactly Layout, every field zero-padded and in range, in China
// Standard Time: the texts that are written back byte for byte. (By hand rather
// than with time.ParseInLocation: a page of images holds one per image, and this
// needs no string and no allocation.)
func parse[T string | []byte](b T) (Time, bool) {
	if len(b) != len(Layout) || b[4] != '-' || b[7] != '-' || b[10] != ' ' || b[13] != ':' || b[16] != ':' {
		return Time{}, false
	}
	var f [6]int
	for i, at := range [6][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}, {17, 19}} {
		for _, c := range []byte(b[at[0]:at[1]]) {
			if c < '0' || c > '9' {
				return Time{}, false
			}
			f[i] = f[i]*10 + int(c-'0')
		}
	}
	year, month, day, hour, minute, sec := f[0], f[1], f[2], f[3], f[4], f[5]
	if month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, China)
	if t.Day() != day { // February 30th and the like would roll over
		return Time{}, false
	}
	return Time{t}, true
}

// ParseError is the error of a text that is not a JD Cloud time.
type ParseError struct {
	Value string // the text refused
}

func (e *ParseError) Error() string {
	return "jdtime: " + strconv.Quote(e.Value) + ` is not a JD Cloud time ("` + Layout + `" in China Standard Time, or empty)`
}

// String returns the time in JD Cloud's form, "" for the zero Time.
func (t Time) String() string {
	if t.IsZero() {
		return ""
	}
	return t.In(China).Format(Layout)
}

// AppendText appends JD Cloud's form of t ("" for the zero Time) to b.
func (t Time) AppendText(b []byte) ([]byte, error) {
	if t.IsZero() {
		return b, nil
	}
	return t.In(China).AppendFormat(b, Layout), nil
}

// MarshalText returns JD Cloud's form of t ("" for the zero Time).
func (t Time) MarshalText() ([]byte, error) {
	return t.AppendText(nil)
}

// UnmarshalText reads JD Cloud's form or the empty string, as Parse.
func (t *Time) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// MarshalJSON writes t as a JSON string in JD Cloud's form ("" for the zero Time).
func (t Time) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(Layout)+2)
	b = append(b, '"')
	b, _ = t.AppendText(b)
	return append(b, '"'), nil
}

// timeType is the Go type a refused JSON value is reported against.
var timeType = reflect.TypeFor[Time]()

// UnmarshalJSON reads a JSON string in JD Cloud's form, or "" (the zero Time). A JSON
// null leaves t unchanged, as for other types. Any other value is refused with a
// *json.UnmarshalTypeError, to which encoding/json adds the field's name (for example
// "createTime"); the JSON v2 decoder reports the field's JSON pointer.
func (t *Time) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if n := len(b); n == len(Layout)+2 && b[0] == '"' && b[n-1] == '"' {
		if v, ok := parse(b[1 : n-1]); ok { // the common case, without a string
			*t = v
			return nil
		}
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: timeType}
	}
	v, err := Parse(s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(s) + ` (want "` + Layout + `" in China Standard Time, or "")`, Type: timeType}
	}
	*t = v
	return nil
}

// jsonKind names the kind of a JSON value that is not a string, for an error.
func jsonKind(b []byte) string {
	if len(b) == 0 {
		return "empty"
	}
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case '"':
		return "string"
	}
	return "number"
}
