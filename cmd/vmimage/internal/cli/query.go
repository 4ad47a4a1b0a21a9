package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/jmespath-community/go-jmespath"
)

// queryFlag is --query: a JMESPath expression; an empty one is refused (it would
// otherwise be silently ignored).
type queryFlag struct{ expr *string }

func (q queryFlag) String() string {
	if q.expr == nil {
		return ""
	}
	return *q.expr
}

func (q queryFlag) Set(s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("is empty: give a JMESPath expression, for example '[].imageId'")
	}
	*q.expr = s
	return nil
}

func (queryFlag) Type() string { return "expression" }

// compileQuery compiles a JMESPath expression as the AWS CLI reads it: a literal
// between backticks that is not JSON (`ready`) is JMESPath's legacy string literal,
// taken as the JSON string of its text less leading white space, as the Python
// jmespath library the AWS CLI uses does.
func compileQuery(expr string) (jmespath.JMESPath, error) {
	q, err := jmespath.Compile(legacyLiterals(expr))
	if err != nil {
		return nil, usage("--query %q: %v", expr, err)
	}
	return q, nil
}

// legacyLiterals rewrites each backtick literal of expr whose text is not JSON into
// the JSON string of that text (leading white space dropped). Raw strings ('...')
// and quoted identifiers ("...") are copied as they are, escapes included; a
// literal whose text is JSON, or whose string form is not JSON either, is left for
// the parser to take or refuse.
func legacyLiterals(expr string) string {
	var b strings.Builder
	for i := 0; i < len(expr); {
		c := expr[i]
		switch c {
		case '\'', '"':
			end := closing(expr, i+1, c)
			b.WriteString(expr[i:end])
			i = end
		case '`':
			end := closing(expr, i+1, '`')
			if end > len(expr) || expr[end-1] != '`' || end-1 <= i {
				b.WriteString(expr[i:]) // unterminated: the parser says so
				return b.String()
			}
			text := strings.ReplaceAll(expr[i+1:end-1], "\\`", "`")
			if !json.Valid([]byte(text)) {
				legacy := `"` + strings.TrimLeft(text, " \t\n\r") + `"`
				if json.Valid([]byte(legacy)) {
					text = legacy
				}
			}
			b.WriteString("`" + strings.ReplaceAll(text, "`", "\\`") + "`")
			i = end
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// closing returns the index just past the quote q that closes the run starting at
// from (a backslash escapes the next byte), or len(s) when there is none.
func closing(s string, from int, q byte) int {
	for j := from; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			return j + 1
		}
	}
	return len(s)
}

// queryText renders a query result as the AWS CLI's text output does: a scalar on
// its own line, a list of scalars on one line, tab-separated, a list's lists and
// objects one line each, an object's scalar values in key order on one line (its
// lists and objects on the lines after). null is None.
func queryText(v any) string {
	var b strings.Builder
	writeText(&b, v)
	return b.String()
}

func writeText(b *strings.Builder, v any) {
	switch v := v.(type) {
	case []any:
		var scalars []string
		for _, e := range v {
			if isScalar(e) {
				scalars = append(scalars, scalarText(e))
			}
		}
		if len(scalars) > 0 {
			b.WriteString(strings.Join(scalars, "\t") + "\n")
		}
		for _, e := range v {
			if !isScalar(e) {
				writeText(b, e)
			}
		}
	case map[string]any:
		keys := slices.Sorted(maps.Keys(v))
		var scalars []string
		for _, k := range keys {
			if isScalar(v[k]) {
				scalars = append(scalars, scalarText(v[k]))
			}
		}
		if len(scalars) > 0 {
			b.WriteString(strings.Join(scalars, "\t") + "\n")
		}
		for _, k := range keys {
			if !isScalar(v[k]) {
				writeText(b, v[k])
			}
		}
	default:
		b.WriteString(scalarText(v) + "\n")
	}
}

func isScalar(v any) bool {
	switch v.(type) {
	case []any, map[string]any:
		return false
	}
	return true
}

// scalarText renders a scalar as text, escaped for a terminal (tabs and newlines
// included, so a cell stays one cell).
func scalarText(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case string:
		return terminalSafe(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	b, _ := json.Marshal(v)
	return terminalSafe(string(b))
}

// cellText is a table cell: a scalar's text, or the compact JSON of a list or object.
func cellText(v any) string {
	if isScalar(v) {
		return scalarText(v)
	}
	b, _ := json.Marshal(v)
	return terminalSafe(string(b))
}

// queryTable renders a query result as an aligned table: a list of objects with
// their keys as the header (sorted), a list of lists or scalars a row each, an
// object its keys and one row, a scalar one cell.
func queryTable(w io.Writer, v any) error {
	var t table
	switch v := v.(type) {
	case []any:
		var keys []string
		for _, e := range v {
			if m, ok := e.(map[string]any); ok {
				for k := range m {
					if !slices.Contains(keys, k) {
						keys = append(keys, k)
					}
				}
			}
		}
		slices.Sort(keys)
		if len(keys) > 0 {
			header := make([]string, len(keys))
			for i, k := range keys {
				header[i] = strings.ToUpper(terminalSafe(k))
			}
			t.add(header)
		}
		for _, e := range v {
			switch e := e.(type) {
			case map[string]any:
				row := make([]string, len(keys))
				for i, k := range keys {
					row[i] = "-"
					if x, ok := e[k]; ok {
						row[i] = cellText(x)
					}
				}
				t.add(row)
			case []any:
				row := make([]string, len(e))
				for i, x := range e {
					row[i] = cellText(x)
				}
				t.add(row)
			default:
				t.add([]string{cellText(e)})
			}
		}
	case map[string]any:
		keys := slices.Sorted(maps.Keys(v))
		header, row := make([]string, len(keys)), make([]string, len(keys))
		for i, k := range keys {
			header[i], row[i] = strings.ToUpper(terminalSafe(k)), cellText(v[k])
		}
		t.add(header)
		t.add(row)
	default:
		t.add([]string{cellText(v)})
	}
	return t.flush(w)
}
