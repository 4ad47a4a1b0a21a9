package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
)

// defaultDescribeRate is describe's own limit on requests a second: a fan-out of many
// ids stays polite by default (the library has no limit unless asked).
const defaultDescribeRate = 10.0

// defaultDescribeConcurrency is how many ids describe sends at once: as many as the
// default rate's burst lets go, so that up to 10 ids take one round trip.
const defaultDescribeConcurrency = int(defaultDescribeRate)

// manyIDs is the count from which describe draws a progress bar on a terminal.
const manyIDs = 5

type describeFlags struct {
	ids         []string
	output      string
	fromFile    string
	concurrency int
	rate        float64
}

func (a *App) describeCommand(g *globals) *cobra.Command {
	f := &describeFlags{}
	cmd := &cobra.Command{
		Use:   "describe IMAGE_ID...",
		Short: "Describe one or more images",
		Long: `Describe images by id. Several ids (arguments, or --from-file with one id per line,
"-" for stdin) are described concurrently under a client-side rate limit; results
come out in input order, each failure on its own line on stderr, and the exit code is
non-zero if any failed (3 when every failure was "not found").`,
		Example: `  vmimage describe img-m5s0ab1c29 --region cn-north-1
  vmimage describe -o json --from-file ids.txt`,
		RunE: func(cmd *cobra.Command, args []string) error {
			f.output = queryFormat(g.query, f.output, cmd.Flags().Changed("output"))
			return a.runDescribe(cmd.Context(), g, f, args)
		},
	}
	g.apiCommand(cmd, true)
	cmd.Flags().StringArrayVar(&f.ids, "image-id", nil, "an image id, as jdc spells it (repeatable; the same as an argument)")
	cmd.Flags().StringVarP(&f.output, "output", "o", "table", "output format: "+strings.Join(formats, ", "))
	cmd.Flags().StringVar(&f.fromFile, "from-file", "", `read image ids from a file, one per line ("-" for stdin)`)
	cmd.Flags().IntVar(&f.concurrency, "concurrency", defaultDescribeConcurrency, "how many images to describe at once")
	cmd.Flags().Float64Var(&f.rate, "rate", defaultDescribeRate, "client-side limit on requests per second when describing many ids (0: none)")
	_ = cmd.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return formats, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func (a *App) runDescribe(ctx context.Context, g *globals, f *describeFlags, args []string) error {
	if !validFormat(f.output) {
		return usage("unknown output format %q (want one of %s)", f.output, strings.Join(formats, ", "))
	}
	if f.concurrency < 1 || f.concurrency > 64 {
		return usage("--concurrency %d must be between 1 and 64", f.concurrency)
	}
	if f.rate < 0 {
		return usage("--rate must not be negative")
	}
	ids := append(append([]string(nil), args...), f.ids...)
	if f.fromFile != "" {
		more, err := a.readIDs(f.fromFile)
		if err != nil {
			return &exitError{ExitError, err}
		}
		ids = append(ids, more...)
	}
	if len(ids) == 0 {
		return usage("describe needs at least one image id (arguments or --from-file)")
	}
	out := newPrinter(f.output, a.Stdout, "")
	if err := out.setQuery(g.query); err != nil {
		return err
	}
	burst := max(1, int(f.rate))
	c, region, ctx, cancel, err := a.session(ctx, g, 2*time.Minute, append(a.rawOptions(f.output), client.WithRateLimit(f.rate, burst))...)
	defer cancel()
	if err != nil {
		return err
	}

	type result struct {
		raw json.RawMessage
		err error
	}
	results := make([]result, len(ids))
	done := make([]chan struct{}, len(ids))
	for i := range done {
		done[i] = make(chan struct{})
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	workers := min(f.concurrency, len(ids))
	if f.output == "raw" {
		workers = 1 // the envelopes print as they arrive: one at a time keeps the ids' order
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				raw, _, err := c.DescribeImageRaw(ctx, region, ids[i])
				results[i] = result{raw, err}
				close(done[i])
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range ids {
			select {
			case jobs <- i:
			case <-ctx.Done():
				for j := i; j < len(ids); j++ {
					results[j] = result{err: fmt.Errorf("vmimage: describe image %s: not started: %w", ids[j], ctx.Err())}
					close(done[j])
				}
				return
			}
		}
	}()

	out.region = region
	bar := a.newCountBar(len(ids))
	failures, notFound := 0, 0
	for i := range ids {
		<-done[i]
		bar.step(i + 1)
		r := results[i]
		if r.err != nil && len(ids) == 1 {
			return explain(r.err, region, c) // one id: its error is the one line
		}
		if r.err != nil {
			failures++
			if errors.Is(r.err, client.ErrNotFound) {
				notFound++
			}
			bar.clear()
			fmt.Fprintln(a.Stderr, oneLine(explain(r.err, region, c)))
			continue
		}
		var img api.Image
		if out.tabular() {
			// the table's rows come from the typed image (DescribeImageRaw checked it decodes)
			if err := json.Unmarshal(r.raw, &img); err != nil {
				return &exitError{ExitError, err}
			}
		}
		if err := out.add(img, r.raw); err != nil {
			return &exitError{ExitError, err}
		}
	}
	wg.Wait()
	bar.clear()
	if err := out.close(); err != nil {
		return &exitError{ExitError, err}
	}
	return tally(failures, notFound, len(ids))
}

// readIDs reads ids one per line, skipping blank lines and # comments.
func (a *App) readIDs(path string) ([]string, error) {
	var r io.Reader
	if path == "-" {
		r = a.Stdin
	} else {
		fh, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("--from-file: %w", err)
		}
		defer fh.Close()
		r = fh
	}
	var ids []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		ids = append(ids, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--from-file %s: %w", path, err)
	}
	return ids, nil
}

// tally is the outcome of a command about several images: nil when none failed,
// not found (exit 3) when every failure was a not-found, else an error (exit 1).
func tally(failures, notFound, total int) error {
	switch {
	case failures == 0:
		return nil
	case failures == notFound:
		return &exitError{ExitNotFound, fmt.Errorf("%d of %d image(s) not found", failures, total)}
	}
	return &exitError{ExitError, fmt.Errorf("%d of %d image(s) failed", failures, total)}
}
