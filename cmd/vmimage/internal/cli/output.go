package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/width"

	"github.com/vmimage/vmimage/client/api"
)

// formats are describe's output formats.
var formats = []string{"table", "wide", "json", "yaml"}

func validFormat(f string) bool { return slices.Contains(formats, f) }

// printer writes images in one format: table and wide are aligned when flushed,
// json (one object per line) and yaml (one document each) stream.
type printer struct {
	format string
	w      io.Writer
	region string
	rows   [][]string // table and wide rows, aligned at flush
	n      int
}

func newPrinter(format string, w io.Writer, region string) *printer {
	return &printer{format: format, w: w, region: region}
}

var (
	tableHeader = []string{"IMAGE ID", "NAME", "STATUS", "PLATFORM", "OS VERSION", "ARCH", "SOURCE", "DISK GB"}
	wideHeader  = []string{"REGION", "PROGRESS", "ROOT DEVICE", "DATA DISKS", "SIZE MB", "CREATED", "OFFLINE"}
)

// add prints one image, given as the service's JSON (unknown fields are kept by the
// json and yaml formats).
func (p *printer) add(raw json.RawMessage) error {
	defer func() { p.n++ }()
	switch p.format {
	case "json":
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
		if p.n > 0 {
			if _, err := io.WriteString(p.w, "---\n"); err != nil {
				return err
			}
		}
		_, err = p.w.Write(b)
		return err
	}
	var img api.Image
	if err := json.Unmarshal(raw, &img); err != nil {
		return err
	}
	if p.n == 0 {
		header := tableHeader
		if p.format == "wide" {
			header = append(slices.Clone(tableHeader), wideHeader...)
		}
		p.rows = append(p.rows, header)
	}
	row := []string{str(img.ImageId), str(img.Name), str(img.Status), str(img.Platform), str(img.OsVersion),
		str(img.Architecture), str(img.ImageSource), num(img.SystemDiskSizeGB)}
	if p.format == "wide" {
		progress := str(img.Progress)
		if progress != "-" {
			progress += "%"
		}
		disks := "0"
		if img.DataDisks != nil {
			disks = strconv.Itoa(len(*img.DataDisks))
		}
		offline := "false"
		if img.Offline != nil && *img.Offline {
			offline = "true"
		}
		row = append(row, p.region, progress, str(img.RootDeviceType), disks, num(img.SizeMB), str(img.CreateTime), offline)
	}
	p.rows = append(p.rows, row)
	return nil
}

// flush writes the table, columns aligned by display width (CJK characters take two
// cells), two spaces apart.
func (p *printer) flush() error {
	if len(p.rows) == 0 {
		return nil
	}
	widths := make([]int, len(p.rows[0]))
	for _, row := range p.rows {
		for i, cell := range row {
			widths[i] = max(widths[i], displayWidth(cell))
		}
	}
	var b strings.Builder
	for _, row := range p.rows {
		for i, cell := range row {
			b.WriteString(cell)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(cell)+2))
			}
		}
		b.WriteByte('\n')
	}
	p.rows = nil
	_, err := io.WriteString(p.w, b.String())
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

// str renders an optional string-like field, "-" when absent or empty.
func str[T ~string](p *T) string {
	if p == nil || *p == "" {
		return "-"
	}
	return string(*p)
}

func num(p *int) string {
	if p == nil {
		return "-"
	}
	return strconv.Itoa(*p)
}

// toYAML renders JSON as YAML, keys sorted, field names the API's.
func toYAML(raw json.RawMessage) ([]byte, error) {
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		return nil, err
	}
	return yaml.Marshal(generic)
}
