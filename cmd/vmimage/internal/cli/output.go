package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jmespath-community/go-jmespath"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/width"

	"github.com/vmimage/vmimage/client/api"
)

// formats are the output formats of the commands that print images.
var formats = []string{"table", "wide", "json", "jsonl", "yaml", "text", "raw"}

func validFormat(f string) bool { return slices.Contains(formats, f) }

// printer writes a stream of results (images, constraints, ...) in one format:
// table and wide are aligned rows (see table), text the table's cells tab-separated
// without a header (as the AWS CLI's text output), json one indented array, jsonl
// one compact object per line, yaml one sequence. The json and yaml documents have
// the same shape whatever the count, and all formats stream: close ends the
// document.
type printer struct {
	format string
	w      io.Writer
	// query, when set, is applied to the whole document at close (the items are
	// buffered until then); the result is printed in format.
	query jmespath.JMESPath
	items []any
	// row renders a typed result as table cells (wide when the format is wide);
	// nil header means table and wide print nothing.
	header func(wide bool) []string
	row    func(value any, wide bool) []string
	tab    table
	n      int
	// region is shown by the wide format.
	region string
}

// tabular says whether the format prints rows built from typed results (no query).
func (p *printer) tabular() bool {
	return p.query == nil && (p.format == "table" || p.format == "wide" || p.format == "text")
}

// newPrinter returns a printer of images.
func newPrinter(format string, w io.Writer, region string) *printer {
	p := &printer{format: format, w: w, region: region,
		header: func(wide bool) []string {
			if wide {
				return append(slices.Clone(tableHeader), wideHeader...)
			}
			return tableHeader
		}}
	p.row = func(value any, wide bool) []string { return imageRow(value.(api.Image), wide, p.region) }
	return p
}

var (
	tableHeader = []string{"IMAGE ID", "NAME", "STATUS", "PLATFORM", "OS VERSION", "ARCH", "SOURCE", "DISK GB"}
	wideHeader  = []string{"REGION", "PROGRESS", "ROOT DEVICE", "DATA DISKS", "SIZE MB", "CREATED", "OFFLINE"}
)

// add prints one result. value is the typed result the table and text rows are built
// from; raw, when not nil, is the service's own JSON for it, printed by the json,
// jsonl and yaml formats as received (unknown fields kept); without it value is
// marshalled. A tabular format needs value, the others raw or value.
func (p *printer) add(value any, raw json.RawMessage) error {
	defer func() { p.n++ }()
	if p.format == "raw" {
		return nil // the envelopes are printed as they arrive (rawOutput)
	}
	if p.tabular() {
		wide := p.format == "wide"
		if p.n == 0 && p.format != "text" {
			p.tab.add(p.header(wide))
		}
		p.tab.add(p.row(value, wide))
		return nil
	}
	if raw == nil {
		b, err := json.Marshal(value)
		if err != nil {
			return err
		}
		raw = b
	}
	if p.query != nil {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		p.items = append(p.items, v)
		return nil
	}
	switch p.format {
	case "json":
		var b bytes.Buffer
		b.WriteString(",\n  ")
		if p.n == 0 {
			b.Reset()
			b.WriteString("[\n  ")
		}
		if err := json.Indent(&b, raw, "  ", "  "); err != nil {
			return err
		}
		_, err := p.w.Write(b.Bytes())
		return err
	case "jsonl":
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return err
		}
		b.WriteByte('\n')
		_, err := p.w.Write(b.Bytes())
		return err
	case "yaml":
		b, err := toYAML(raw)
		if err != nil {
			return err
		}
		_, err = p.w.Write(b)
		return err
	}
	return fmt.Errorf("unknown output format %q", p.format)
}

// flush writes the table rows added so far (streamed output); other formats write as
// they go.
func (p *printer) flush() error {
	if p.format == "raw" {
		return nil
	}
	if p.format == "text" {
		return p.tab.flushText(p.w)
	}
	return p.tab.flush(p.w)
}

// close flushes and ends the document: the json array's bracket, an empty array or
// sequence when nothing was added.
func (p *printer) close() error {
	if p.query != nil {
		return p.printQuery()
	}
	if err := p.flush(); err != nil {
		return err
	}
	var end string
	switch {
	case p.format == "json" && p.n > 0:
		end = "\n]\n"
	case p.format == "json" || p.format == "yaml" && p.n == 0:
		end = "[]\n"
	}
	_, err := io.WriteString(p.w, end)
	return err
}

// queryFormat is the output format with --query: json unless -o was given.
func queryFormat(query, output string, outputSet bool) string {
	if query != "" && !outputSet {
		return "json"
	}
	return output
}

// setQuery compiles a JMESPath expression for the document (see compileQuery); it
// works with every format but jsonl (one document per line has no one document to
// query).
func (p *printer) setQuery(expr string) error {
	if expr == "" {
		return nil
	}
	if p.format == "jsonl" || p.format == "raw" {
		return usage("--query needs one document: use -o json, yaml, table, wide or text (not %s)", p.format)
	}
	q, err := compileQuery(expr)
	if err != nil {
		return err
	}
	p.query = q
	return nil
}

// printQuery applies the query to the document (the array of every item) and prints
// the result: indented json, yaml, a table of it (table, wide) or tab-separated text.
func (p *printer) printQuery() error {
	doc := p.items
	if doc == nil {
		doc = []any{}
	}
	res, err := p.query.Search(doc)
	if err != nil {
		return fmt.Errorf("--query: %w", err)
	}
	var b []byte
	switch p.format {
	case "table", "wide":
		return queryTable(p.w, res)
	case "text":
		_, err = io.WriteString(p.w, queryText(res))
		return err
	case "yaml":
		b, err = yaml.Marshal(res)
	default:
		b, err = json.MarshalIndent(res, "", "  ")
		b = append(b, '\n')
	}
	if err != nil {
		return err
	}
	_, err = p.w.Write(b)
	return err
}

// imageRow renders an image as table cells. Text from the service is escaped.
func imageRow(img api.Image, wide bool, region string) []string {
	row := []string{cell(img.GetImageId()), cell(img.GetName()), cell(img.GetStatus()), cell(img.GetPlatform()), cell(img.GetOsVersion()),
		cell(img.GetArchitecture()), cell(img.GetImageSource()), num(img.SystemDiskSizeGB)}
	if wide {
		progress := cell(img.GetProgress())
		if progress != "-" {
			progress += "%"
		}
		disks := strconv.Itoa(len(img.DataDisks))
		offline := strconv.FormatBool(img.GetOffline())
		row = append(row, region, progress, cell(img.GetRootDeviceType()), disks, num(img.SizeMB), cell(img.GetCreateTime().String()), offline)
	}
	return row
}

// table aligns rows by display width (CJK characters take two cells), two spaces
// apart. It streams: flush writes the rows added so far, and a column never narrows,
// so later rows stay aligned with earlier ones unless a cell is wider than any seen.
type table struct {
	rows   [][]string
	widths []int
}

func (t *table) add(row []string) { t.rows = append(t.rows, row) }

func (t *table) flush(w io.Writer) error {
	if len(t.rows) == 0 {
		return nil
	}
	for _, row := range t.rows {
		for len(t.widths) < len(row) {
			t.widths = append(t.widths, 0)
		}
		for i, cell := range row {
			t.widths[i] = max(t.widths[i], displayWidth(cell))
		}
	}
	var b strings.Builder
	for _, row := range t.rows {
		for i, cell := range row {
			b.WriteString(cell)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", t.widths[i]-displayWidth(cell)+2))
			}
		}
		b.WriteByte('\n')
	}
	t.rows = t.rows[:0]
	_, err := io.WriteString(w, b.String())
	return err
}

// flushText writes the rows added so far tab-separated, unaligned (a cell never
// holds a tab or a newline: terminalSafe escapes them).
func (t *table) flushText(w io.Writer) error {
	var b strings.Builder
	for _, row := range t.rows {
		b.WriteString(strings.Join(row, "\t"))
		b.WriteByte('\n')
	}
	t.rows = t.rows[:0]
	_, err := io.WriteString(w, b.String())
	return err
}

// displayWidth counts terminal cells: East Asian wide and fullwidth runes take two.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// str renders an optional string-like field, "-" when absent or empty, with control
// characters escaped (terminalSafe).
func cell[T ~string](v T) string {
	if v == "" {
		return "-"
	}
	return terminalSafe(string(v))
}

// terminalSafe escapes what a terminal would act on in text from the network:
// control characters (ESC, BEL, CR, ...) and invalid UTF-8 become Go escapes (\x1b),
// so a name chosen by another tenant cannot move the cursor or retitle the window.
func terminalSafe(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func num(p *int) string {
	if p == nil {
		return "-"
	}
	return strconv.Itoa(*p)
}

// toYAML renders JSON as one item of a YAML sequence, keys sorted, field names the
// API's.
func toYAML(raw json.RawMessage) ([]byte, error) {
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		return nil, err
	}
	return yaml.Marshal([]any{generic})
}
