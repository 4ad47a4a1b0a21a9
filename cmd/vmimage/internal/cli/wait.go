package cli

import (
	"context"
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
		Args:    exactArgs(1, "wait needs exactly one image id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return fail(a.runWait(cmd.Context(), g, f, args[0]))
		},
	}
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
	c, err := a.newClient(g)
	if err != nil {
		return err
	}
	region, err := a.region(g, c)
	if err != nil {
		return err
	}
	return a.wait(ctx, c, region, imageID, maxWait, f)
}

// wait runs the waiter with progress output and prints the outcome line.
func (a *App) wait(ctx context.Context, c *client.Client, region, imageID string, maxWait time.Duration, f *waitFlags) error {
	p := &waitProgress{w: a.Stderr, terminal: a.IsTerminal != nil && a.IsTerminal(a.Stderr), id: terminalSafe(imageID)}
	img, err := c.WaitUntilImageReady(ctx, region, imageID,
		client.WithMaxWait(maxWait), client.WithDelays(f.minDelay, f.maxDelay),
		client.WithNotFoundGrace(f.grace), client.WithObserver(p.observe))
	p.finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(a.Stdout, "image %s is ready (%s)\n", str(img.ImageId), str(img.Name))
	return nil
}

// waitProgress draws a bar on a terminal, or prints one line per change.
type waitProgress struct {
	w        io.Writer
	terminal bool
	id       string
	last     string
	drawn    bool
}

func (p *waitProgress) observe(o client.Observation) {
	status := terminalSafe(string(o.Status))
	if o.Err != nil {
		status = "not found yet"
	}
	if p.terminal {
		line := fmt.Sprintf("waiting for %s %s %-13s poll %d", p.id, renderBar(max(o.Progress, 0)), status, o.Attempt)
		if o.NextDelay > 0 {
			line += fmt.Sprintf(", next in %s", o.NextDelay.Round(100*time.Millisecond))
		}
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.drawn = true
		return
	}
	progress := "unknown"
	if o.Progress >= 0 {
		progress = fmt.Sprintf("%d%%", o.Progress)
	}
	line := fmt.Sprintf("%s: status %s, progress %s", p.id, status, progress)
	if line != p.last {
		fmt.Fprintln(p.w, line)
		p.last = line
	}
}

func (p *waitProgress) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}
