package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmimage/vmimage/client"
)

// DefaultWaitTimeout is wait's maximum wait when --timeout is not given.
const DefaultWaitTimeout = 30 * time.Minute

type waitFlags struct {
	minDelay, maxDelay, grace time.Duration
	imageID                   string
}

func (a *App) waitCommand(g *globals) *cobra.Command {
	f := &waitFlags{}
	cmd := &cobra.Command{
		Use:   "wait IMAGE_ID",
		Short: "Wait until an image is ready",
		Long: `Poll an image until its status is ready. On a terminal a progress bar follows the
image's progress; elsewhere one line is printed per change. Exits 0 when ready,
4 when --timeout (default 30m) passes, 5 when the image fails (error, deleting,
offline), 3 when it is not found after the grace period.`,
		Example: "  vmimage wait img-m5s0ab1c29 --region cn-north-1 --timeout 30m",
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.imageID != "" {
				args = append(args, f.imageID)
			}
			if len(args) != 1 {
				return usage("wait needs exactly one image id (got %d)", len(args))
			}
			return a.runWait(cmd.Context(), g, f, args[0])
		},
	}
	g.apiCommand(cmd, false)
	cmd.Flags().StringVar(&f.imageID, "image-id", "", "the image id, as jdc spells it (the same as the argument)")
	cmd.Flags().DurationVar(&f.minDelay, "min-delay", client.DefaultWaitMinDelay, "first delay between polls")
	cmd.Flags().DurationVar(&f.maxDelay, "max-delay", client.DefaultWaitMaxDelay, "longest delay between polls")
	cmd.Flags().DurationVar(&f.grace, "not-found-grace", client.DefaultWaitNotFoundGrace, "how long a new image may be unknown")
	return cmd
}

func exactArgs(n int, msg string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usage("%s (got %d)", msg, len(args))
		}
		return nil
	}
}

func (a *App) runWait(ctx context.Context, g *globals, f *waitFlags, imageID string) error {
	maxWait := DefaultWaitTimeout
	if g.timeout > 0 {
		maxWait = g.timeout
	}
	if f.minDelay <= 0 || f.minDelay > f.maxDelay {
		return usage("--min-delay %s must be positive and at most --max-delay %s", f.minDelay, f.maxDelay)
	}
	c, region, ctx, cancel, err := a.session(ctx, g, 0) // the waiter bounds itself: --timeout is its maximum wait
	defer cancel()
	if err != nil {
		return err
	}
	return explain(a.wait(ctx, c, region, imageID, maxWait, f), region, c)
}

// wait runs the waiter with progress output and prints the outcome line.
func (a *App) wait(ctx context.Context, c *client.Client, region, imageID string, maxWait time.Duration, f *waitFlags) error {
	p := &waitProgress{w: a.Stderr, terminal: a.drawsOn(a.Stderr), id: terminalSafe(imageID)}
	if p.terminal && a.TerminalWidth != nil {
		p.width = a.TerminalWidth(a.Stderr)
	}
	img, err := c.WaitUntilImageReady(ctx, region, imageID,
		client.WithMaxWait(maxWait), client.WithDelays(f.minDelay, f.maxDelay),
		client.WithNotFoundGrace(f.grace), client.WithObserver(p.observe))
	p.finish() // the progress line ends before anything else is printed
	if err != nil && errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return &exitError{ExitInterrupted, fmt.Errorf("interrupted: stopped waiting for %s", terminalSafe(imageID))}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.Stdout, "image %s is ready (%s)\n", cell(img.GetImageId()), cell(img.GetName()))
	return nil
}

// waitProgress draws a bar on a terminal (fitted to its width), or prints one line
// per change, in words.
type waitProgress struct {
	w        io.Writer
	terminal bool
	width    int // the terminal's width, 0 when unknown
	id       string
	last     string
	drawn    bool
}

// describe says what a poll saw, in words.
func describeObservation(o client.Observation) string {
	switch {
	case o.Err != nil:
		return "not found yet (a new image can take a while to appear)"
	case o.Image != nil && o.Image.Offline != nil && *o.Image.Offline:
		return "offline: no new instances can be created from it"
	case o.Status == "":
		return "status unknown (the service did not say)"
	}
	s := "status " + terminalSafe(string(o.Status))
	if o.Progress >= 0 {
		s += fmt.Sprintf(", progress %d%%", o.Progress)
	}
	return s
}

func (p *waitProgress) observe(o client.Observation) {
	if p.terminal {
		fmt.Fprintf(p.w, "\r\033[K%s", p.barLine(o))
		p.drawn = true
		return
	}
	line := p.id + ": " + describeObservation(o)
	if line != p.last {
		fmt.Fprintln(p.w, line)
		p.last = line
	}
}

// barLine renders "waiting for ID [####....]  45% pending, poll 3, next in 2s" in at
// most width-1 cells: the bar narrows first, then the next-poll note goes, then the
// status, then the id is cut.
func (p *waitProgress) barLine(o client.Observation) string {
	status := "not found yet"
	switch {
	case o.Err != nil:
	case o.Image != nil && o.Image.Offline != nil && *o.Image.Offline:
		status = "offline"
	case o.Status == "":
		status = "status unknown"
	default:
		status = terminalSafe(string(o.Status))
	}
	next := ""
	if o.NextDelay > 0 {
		next = fmt.Sprintf(", next in %s", o.NextDelay.Round(100*time.Millisecond))
	}
	pct := max(o.Progress, 0)
	head := "waiting for " + p.id + " "
	tail := fmt.Sprintf(" %s, poll %d%s", status, o.Attempt, next)
	if p.width <= 0 {
		return head + renderBarWidth(pct, barWidth) + tail
	}
	limit := p.width - 1 // never the last column: some terminals wrap there
	barFor := func(tail string) int { return limit - displayWidth(head) - displayWidth(tail) - len("[] 100%") }
	for _, t := range []string{tail, fmt.Sprintf(" %s, poll %d", status, o.Attempt), " " + status, ""} {
		if w := barFor(t); w >= 10 {
			return head + renderBarWidth(pct, min(w, barWidth)) + t
		}
	}
	// Too narrow for a bar: the percentage, then as much of the id as fits.
	pctText := fmt.Sprintf(" %3d%%", pct)
	for _, line := range []string{"waiting for " + p.id + pctText + " " + status, p.id + pctText + " " + status, p.id + pctText} {
		if displayWidth(line) <= limit {
			return line
		}
	}
	return truncateCells(p.id, max(limit-len(pctText), 0)) + pctText
}

// truncateCells cuts s to at most n terminal cells.
func truncateCells(s string, n int) string {
	w := 0
	for i, r := range s {
		rw := displayWidth(string(r))
		if w+rw > n {
			return s[:i]
		}
		w += rw
	}
	return s
}

func (p *waitProgress) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}
