package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
)

// waitGoal is what a wait waits for.
type waitGoal int

const (
	untilReady    waitGoal = iota // an image becomes ready
	untilGone                     // an image is deleted
	untilTaskDone                 // an import or export task finishes
)

// maxBars is the most progress bars drawn at once.
const maxBars = 20

// waitTarget is one thing a write command waits for, with one progress bar.
type waitTarget struct {
	goal   waitGoal
	region string
	id     string // the image id, or the task id
	// status is the outcome: ready, gone, finished, or why not (failed, timed out,
	// interrupted); err the wait's error.
	status string
	err    error
}

// waitAll waits for every target concurrently, drawing one bar per target on a
// terminal (redrawn in place, each fitted to the width) or printing one line per
// change elsewhere, and returns when all are done. The error is the worst outcome:
// interrupted, then failed, then timed out, then any other.
func (a *App) waitAll(ctx context.Context, c *client.Client, targets []*waitTarget, maxWait time.Duration, f *waitFlags) error {
	// Bars are redrawn in place by moving the cursor up: more than a screenful
	// cannot be, so many targets get plain lines.
	m := &multiProgress{w: a.Stderr, terminal: a.drawsOn(a.Stderr) && len(targets) <= maxBars, lines: make([]string, len(targets)), plain: make([]string, len(targets))}
	if m.terminal && a.TerminalWidth != nil {
		m.width = a.TerminalWidth(a.Stderr)
	}
	var wg sync.WaitGroup
	for i, t := range targets {
		if m.terminal {
			m.set(i, t, client.Observation{Progress: -1}) // every bar shows from the start
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			opts := []client.WaitOption{client.WithMaxWait(maxWait), client.WithDelays(f.minDelay, f.maxDelay),
				client.WithObserver(func(o client.Observation) { m.set(i, t, o) })}
			var err error
			switch t.goal {
			case untilReady:
				_, err = c.WaitUntilImageReady(ctx, t.region, t.id, append(opts, client.WithNotFoundGrace(f.grace))...)
				t.status = "ready"
			case untilGone:
				err = c.WaitUntilImageDeleted(ctx, t.region, t.id, opts...)
				t.status = "gone"
			case untilTaskDone:
				_, err = c.WaitUntilTaskFinished(ctx, t.region, t.id, append(opts, client.WithNotFoundGrace(f.grace))...)
				t.status = "finished"
			}
			if err != nil {
				t.err, t.status = err, outcomeWord(ctx, err)
			}
			m.done(i, t)
		}()
	}
	wg.Wait()
	m.finish()
	var worst error
	rank := func(err error) int {
		switch code := exitCode(err); {
		case err == nil:
			return 0
		case code == ExitInterrupted:
			return 4
		case code == ExitFailed:
			return 3
		case code == ExitTimeout:
			return 2
		}
		return 1
	}
	for _, t := range targets {
		if rank(t.err) > rank(worst) {
			worst = t.err
		}
	}
	if worst != nil && ctx.Err() != nil && errors.Is(worst, context.Canceled) {
		return &exitError{ExitInterrupted, errors.New("interrupted: stopped waiting")}
	}
	return worst
}

// outcomeWord says in one word how a wait ended.
func outcomeWord(ctx context.Context, err error) string {
	switch exitCode(err) {
	case ExitInterrupted:
		return "interrupted"
	case ExitTimeout:
		if errors.Is(ctx.Err(), context.Canceled) {
			return "interrupted"
		}
		return "timed-out"
	case ExitFailed:
		return "failed"
	case ExitNotFound:
		return "not-found"
	}
	return "error"
}

// multiProgress draws the bars of waitAll.
type multiProgress struct {
	mu       sync.Mutex
	w        io.Writer
	terminal bool
	width    int
	lines    []string // the bar line of each target
	plain    []string // the last plain line printed for each target
	drawn    int      // lines on the terminal drawn by the last redraw
}

// targetLabel names a target in its line.
func targetLabel(t *waitTarget) string {
	if t.goal == untilTaskDone {
		return "task " + terminalSafe(t.id) + " (" + t.region + ")"
	}
	return terminalSafe(t.id) + " (" + t.region + ")"
}

// observed reads an observation's status word and percentage.
func observed(t *waitTarget, o client.Observation) (string, int) {
	pct := o.Progress
	status := "waiting"
	switch {
	case t.goal == untilGone && o.Image == nil && o.Err == nil && o.Attempt > 0:
		status = "gone"
	case o.Err != nil:
		status = "not found yet"
	case t.goal == untilTaskDone && o.TaskStatus != "":
		status = terminalSafe(string(o.TaskStatus))
	case o.Status != "":
		status = terminalSafe(string(o.Status))
	}
	if t.goal == untilGone && o.Status == api.ImageStatusDeleting {
		pct = -1
	}
	return status, pct
}

func (m *multiProgress) set(i int, t *waitTarget, o client.Observation) {
	status, pct := observed(t, o)
	m.update(i, targetLabel(t), status, pct)
}

func (m *multiProgress) done(i int, t *waitTarget) {
	pct := -1
	if t.err == nil {
		pct = 100
	}
	m.update(i, targetLabel(t), t.status, pct)
}

// update records target i's state and redraws (terminal) or prints a line when it
// changed (elsewhere).
func (m *multiProgress) update(i int, label, status string, pct int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.terminal {
		line := label + ": " + status
		if pct >= 0 {
			line += fmt.Sprintf(", progress %d%%", pct)
		}
		if line != m.plain[i] {
			m.plain[i] = line
			fmt.Fprintln(m.w, line)
		}
		return
	}
	m.lines[i] = fitBar(label, status, pct, m.width)
	var b strings.Builder
	if m.drawn > 0 {
		fmt.Fprintf(&b, "\033[%dA", m.drawn)
	}
	for _, l := range m.lines {
		b.WriteString("\r\033[K" + l + "\n")
	}
	m.drawn = len(m.lines)
	io.WriteString(m.w, b.String())
}

// finish ends the drawing: every line drawn ended with a newline, so nothing is left
// half-printed.
func (m *multiProgress) finish() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.drawn = 0
}

// fitBar renders "LABEL [####....]  45% STATUS" in at most width-1 cells: the bar
// narrows first, then goes, then the status, then the label is cut.
func fitBar(label, status string, pct, width int) string {
	shown := max(pct, 0)
	if width <= 0 {
		return label + " " + renderBarWidth(shown, barWidth) + " " + status
	}
	limit := width - 1
	if w := limit - displayWidth(label) - displayWidth(status) - len("  [] 100%"); w >= 10 {
		return label + " " + renderBarWidth(shown, min(w, barWidth)) + " " + status
	}
	pctText := fmt.Sprintf(" %3d%%", shown)
	for _, line := range []string{label + pctText + " " + status, label + pctText} {
		if displayWidth(line) <= limit {
			return line
		}
	}
	return truncateCells(label, max(limit-len(pctText), 0)) + pctText
}
