package cli

import (
	"reflect"
)

// changeTable is how a write command prints what it made or changed: a header and
// the cells of each row (a row is a struct whose JSON is what json, jsonl and yaml
// print, and what --query reads).
type changeTable struct {
	header []string
	cells  func(row any) []string
}

// printChanges prints rows in the command's -o format, with --query.
func (a *App) printChanges(g *globals, w *writeFlags, t changeTable, rows any) error {
	p := &printer{format: w.output, w: a.Stdout, header: func(bool) []string { return t.header },
		row: func(v any, _ bool) []string { return t.cells(v) }}
	if err := p.setQuery(g.query); err != nil {
		return err
	}
	v := reflect.ValueOf(rows)
	for i := range v.Len() {
		if err := p.add(v.Index(i).Interface(), nil); err != nil {
			return &exitError{ExitError, err}
		}
	}
	if err := p.close(); err != nil {
		return &exitError{ExitError, err}
	}
	return nil
}

// orDash renders an optional cell.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return terminalSafe(s)
}
