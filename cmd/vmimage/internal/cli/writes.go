package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmimage/vmimage/client"
)

// DefaultWriteTimeout bounds a write call (not its --wait) when --timeout is not
// given.
const DefaultWriteTimeout = 2 * time.Minute

// writeFlags are the flags the write commands share.
type writeFlags struct {
	output    string
	dryRun    bool
	inputJSON string
	yes       bool
	wait      bool
	rate      float64
	waitFlags waitFlags
	// waitsBetween is set by a command that waits for its own work between calls
	// even without --wait (copy to several regions waits for each copy in flight):
	// the command is then bounded as a wait is, by --timeout (default 30m).
	waitsBetween bool
}

// writeKind says which of the shared flags a write command takes.
type writeKind struct {
	wait    bool // --wait and the poll delays: the call finishes later
	confirm bool // --yes: the command asks first
}

// writeCommand adds the API flags and the write flags to cmd.
func (a *App) writeCommand(g *globals, cmd *cobra.Command, w *writeFlags, k writeKind) *cobra.Command {
	g.apiCommand(cmd, true)
	fl := cmd.Flags()
	fl.StringVarP(&w.output, "output", "o", "table", "output format: "+strings.Join(slices.DeleteFunc(slices.Clone(formats), func(f string) bool { return f == "raw" }), ", "))
	fl.BoolVar(&w.dryRun, "dry-run", false, "print the request that would be sent (method, path, body; no signature) and send nothing")
	fl.StringVar(&w.inputJSON, "input-json", "", "the request as JSON, as jdc takes it (path parameters such as regionId and imageId included), checked against the spec before sending; @FILE reads a file; flags given as well win")
	if k.wait {
		fl.BoolVar(&w.wait, "wait", false, "wait until the work is done (progress on a terminal); --timeout is then the maximum wait (default 30m)")
		fl.DurationVar(&w.waitFlags.minDelay, "min-delay", client.DefaultWaitMinDelay, "with --wait: first delay between polls")
		fl.DurationVar(&w.waitFlags.maxDelay, "max-delay", client.DefaultWaitMaxDelay, "with --wait: longest delay between polls")
		fl.DurationVar(&w.waitFlags.grace, "not-found-grace", client.DefaultWaitNotFoundGrace, "with --wait: how long a new image or task may be unknown")
	}
	if k.confirm {
		fl.BoolVarP(&w.yes, "yes", "y", false, "do not ask (needed when stdin is not a terminal)")
	}
	return cmd
}

// check refuses what the write flags cannot do, before anything is sent.
func (w *writeFlags) check(g *globals) error {
	if !validFormat(w.output) {
		return usage("unknown output format %q (want one of %s)", w.output, strings.Join(formats, ", "))
	}
	// What the write prints is checked before it is sent: an output refused after the
	// write would lose the ids it made.
	if w.output == "raw" {
		return usage("-o raw prints the answers of describe, list, constraints, members and tasks; a write prints what it made: use -o table, wide, text, json, jsonl or yaml")
	}
	if err := (&printer{format: w.output}).setQuery(g.query); err != nil {
		return err
	}
	if w.wait && (w.waitFlags.minDelay <= 0 || w.waitFlags.minDelay > w.waitFlags.maxDelay) {
		return usage("--min-delay %s must be positive and at most --max-delay %s", w.waitFlags.minDelay, w.waitFlags.maxDelay)
	}
	if w.rate < 0 {
		return usage("--rate %v must be positive", w.rate)
	}
	if w.wait && w.dryRun {
		return usage("--wait and --dry-run do not go together: a dry run makes nothing to wait for")
	}
	if w.dryRun && g.query != "" {
		return usage("--query and --dry-run do not go together: a dry run prints the requests as JSON, for vmimage validate --request")
	}
	if w.dryRun && w.output != "table" && w.output != "json" {
		return usage("-o %s and --dry-run do not go together: a dry run prints the requests as JSON, for vmimage validate --request", w.output)
	}
	return nil
}

// writeSession is what a write command starts with: the client (a capturing one for
// --dry-run), the region, and the call's context, bounded by --timeout (default
// DefaultWriteTimeout) unless the command waits (--wait, or a copy to several
// regions), when --timeout bounds the wait instead (default DefaultWaitTimeout).
type writeSession struct {
	c       *client.Client
	region  string
	maxWait time.Duration
	dry     *dryRun
}

func (a *App) writeSession(ctx context.Context, g *globals, w *writeFlags) (*writeSession, context.Context, context.CancelFunc, error) {
	var extra []client.Option
	var dry *dryRun
	if w.dryRun {
		dry = newDryRun()
		g.last = dry.options()
	} else if w.rate > 0 {
		extra = append(extra, client.WithRateLimit(w.rate, 1))
	}
	def := DefaultWriteTimeout
	if a.WriteTimeout > 0 {
		def = a.WriteTimeout
	}
	waits := w.wait || w.waitsBetween
	if waits {
		def = 0
	}
	c, region, ctx, cancel, err := a.session(ctx, g, def, extra...)
	if err != nil {
		return nil, ctx, cancel, err
	}
	s := &writeSession{c: c, region: region, maxWait: DefaultWaitTimeout, dry: dry}
	if g.timeout > 0 {
		s.maxWait = g.timeout
	}
	if waits {
		// The calls themselves stay bounded by the write timeout or the wait's.
		var cancel2 context.CancelFunc
		ctx, cancel2 = context.WithTimeout(ctx, s.maxWait)
		prev := cancel
		cancel = func() { cancel2(); prev() }
	}
	return s, ctx, cancel, nil
}

// writeError turns a write's error into what the user must know: a refused
// parameter is a usage error naming the flag; an answer lost after the request may
// have reached the service says so and what to check (exit 1, never retried).
func (a *App) writeError(err error, region string, c *client.Client, check string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, client.ErrMayHaveSucceeded) {
		msg := "the answer was lost and vmimage did not send the request again"
		if check != "" {
			msg += "; check with: " + check
		}
		return &exitError{ExitError, fmt.Errorf("%w; %s", err, msg)}
	}
	if errors.Is(err, context.Canceled) {
		return &exitError{ExitInterrupted, fmt.Errorf("interrupted: %w", err)}
	}
	return explain(err, region, c)
}

// waitError says how a --wait ended badly, pointing at the list printed.
func (a *App) waitError(err error) error {
	var ee *exitError
	if errors.As(err, &ee) && ee.code == ExitInterrupted {
		return &exitError{ExitInterrupted, errors.New("interrupted: stopped waiting; the ids made are printed above")}
	}
	return err
}

// warn prints a line on stderr.
func (a *App) warn(format string, args ...any) {
	s := strings.TrimPrefix(strings.Join(strings.Fields(fmt.Sprintf(format, args...)), " "), "vmimage: ")
	io.WriteString(a.Stderr, "vmimage: "+s+"\n")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
