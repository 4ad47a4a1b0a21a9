package cli

import (
	"fmt"
	"io"
	"strings"
)

// barWidth is the number of cells in a progress bar.
const barWidth = 30

// renderBar draws "[#########.....]  45%".
func renderBar(pct int) string { return renderBarWidth(pct, barWidth) }

// renderBarWidth draws the bar with width cells between the brackets.
func renderBarWidth(pct, width int) string {
	pct = max(0, min(100, pct))
	filled := pct * width / 100
	return fmt.Sprintf("[%s%s] %3d%%", strings.Repeat("#", filled), strings.Repeat(".", width-filled), pct)
}

// countBar shows "describing [####....] 12/50" on a terminal; elsewhere it is silent.
type countBar struct {
	w     io.Writer
	total int
	on    bool
	drawn bool
}

func (a *App) newCountBar(total int) *countBar {
	return &countBar{w: a.Stderr, total: total, on: total >= manyIDs && a.drawsOn(a.Stderr)}
}

// drawsOn reports whether progress may be drawn on w: a terminal, and not TERM=dumb.
func (a *App) drawsOn(w io.Writer) bool {
	if a.IsTerminal == nil || !a.IsTerminal(w) {
		return false
	}
	return a.Getenv == nil || a.Getenv("TERM") != "dumb"
}

func (b *countBar) step(done int) {
	if !b.on {
		return
	}
	fmt.Fprintf(b.w, "\r\033[Kdescribing %s %d/%d", renderBar(done*100/b.total), done, b.total)
	b.drawn = true
}

// clear erases the bar so that a line can be printed in its place.
func (b *countBar) clear() {
	if b.drawn {
		fmt.Fprint(b.w, "\r\033[K")
		b.drawn = false
	}
}
