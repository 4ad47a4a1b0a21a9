package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
)

// copyRow is one copy made: what copy prints.
type copyRow struct {
	SourceImageID      string `json:"sourceImageId"`
	SourceRegion       string `json:"sourceRegion"`
	DestinationRegion  string `json:"destinationRegion"`
	DestinationImageID string `json:"destinationImageId"`
	// Status is the copy's state after --wait (ready, failed, timed-out,
	// interrupted); empty without --wait.
	Status string `json:"status,omitempty"`
}

var copyTable = changeTable{
	header: []string{"SOURCE IMAGE", "FROM", "TO", "NEW IMAGE", "STATUS"},
	cells: func(v any) []string {
		r := v.(copyRow)
		status := r.Status
		if status == "" {
			status = "pending"
		}
		return []string{terminalSafe(r.SourceImageID), r.SourceRegion, r.DestinationRegion, terminalSafe(r.DestinationImageID), status}
	},
}

type copyFlags struct {
	to, toAlias []string
	sourceIDs   []string
	name, descr string
}

func (a *App) copyCommand(g *globals) *cobra.Command {
	w := &writeFlags{}
	f := &copyFlags{}
	cmd := &cobra.Command{
		Use:   "copy IMAGE_ID... --to REGION...",
		Short: "Copy private images to other regions (CopyImages), one call per region, concurrently",
		Long: `Copy up to 10 ready private images of --region to each --to region: one CopyImages
call per destination region, run concurrently (under --rate calls per second when
given). Prints each copy made: source image, regions and the new image id. With
--wait, waits until every copy is ready, one progress bar per copy on a terminal.

The service copies an image to one region at a time: a region refused as busy is
asked again once the copy in flight is ready, so with several --to regions vmimage
waits between calls even without --wait, and --timeout (default 30m) bounds the
whole command, as it bounds a wait; to one region, it bounds the call (default 2m).

A copy is never repeated by vmimage: when an answer is lost, the copies may have
been made, and vmimage says what to check.`,
		Example: `  vmimage copy img-m5s0ab1c29 --region cn-north-1 --to cn-east-2 --to cn-south-1 --wait
  NEW=$(vmimage copy img-m5s0ab1c29 -r cn-north-1 --to cn-east-2 --query '[0].destinationImageId' -o text)`,
		RunE: func(cmd *cobra.Command, args []string) error {
			w.output = queryFormat(g.query, w.output, cmd.Flags().Changed("output"))
			f.to = append(f.to, f.toAlias...)
			return a.runCopy(cmd.Context(), g, w, f, append(args, f.sourceIDs...), cmd)
		},
	}
	a.writeCommand(g, cmd, w, writeKind{wait: true})
	fl := cmd.Flags()
	fl.StringSliceVar(&f.to, "to", nil, "destination region (repeat, or comma-separate, for several; all: every documented region but the source)")
	fl.StringSliceVar(&f.toAlias, "destination-region", nil, "alias of --to, as jdc spells it")
	fl.StringSliceVar(&f.sourceIDs, "source-image-ids", nil, "the images to copy, as jdc spells it (the same as the arguments)")
	fl.StringVar(&f.name, "name", "", "name of every copy (default: its source's)")
	fl.StringVar(&f.descr, "description", "", "description of every copy")
	fl.Float64Var(&w.rate, "rate", 0, "at most this many calls per second (0: no limit)")
	_ = fl.MarkHidden("destination-region")
	_ = fl.MarkHidden("source-image-ids")
	return cmd
}

func (a *App) runCopy(ctx context.Context, g *globals, w *writeFlags, f *copyFlags, ids []string, cmd *cobra.Command) error {
	if err := w.check(g); err != nil {
		return err
	}
	base := api.CopyImagesInput{}
	if in, err := a.readInputJSON(ctx, w.inputJSON); err != nil {
		return err
	} else if in != nil {
		if err := in.pathParam("regionId", "--region", &g.region); err != nil {
			return err
		}
		if err := in.body("copyImages", &base); err != nil {
			return err
		}
		base.RegionId = nil
		if len(ids) == 0 {
			ids = base.SourceImageIds
		}
		if len(f.to) == 0 && base.DestinationRegion != "" {
			f.to = []string{base.DestinationRegion}
		}
	}
	if len(ids) == 0 {
		return usage("copy needs at least one image id")
	}
	ids = uniqueIDs(ids) // the service refuses a list that names an image twice
	toAll := slices.Contains(f.to, "all")
	if toAll {
		if len(f.to) > 1 {
			return usage("--to all takes no other region")
		}
		f.to = nil // filled once the source region is known
	}
	if len(f.to) == 0 && !toAll {
		return usage("copy needs --to REGION (one or more destination regions, or all)")
	}
	for _, r := range f.to {
		if err := client.CheckRegionID(r); err != nil {
			return usage("--to %q: must look like cn-north-1", r)
		}
	}
	var regions []string
	for _, r := range f.to {
		if !slices.Contains(regions, r) {
			regions = append(regions, r)
		}
	}
	if cmd.Flags().Changed("name") {
		base.Name = &f.name
	}
	if cmd.Flags().Changed("description") {
		base.Description = &f.descr
	}
	base.SourceImageIds = ids
	// The service copies an image to one region at a time: to several regions, the
	// command waits for each copy in flight before the next region, so it is bounded
	// as a wait, not as one call.
	w.waitsBetween = toAll || len(regions) > 1
	s, ctx, cancel, err := a.writeSession(ctx, g, w)
	defer cancel()
	if err != nil {
		return err
	}
	if toAll {
		for _, r := range client.DocumentedRegions() {
			if r != s.region {
				regions = append(regions, r)
			}
		}
	}
	if s.dry != nil {
		// One request per destination region, in the order given.
		for _, region := range regions {
			in := &client.CopyImagesInput{RegionID: s.region, CopyImagesInput: base}
			in.DestinationRegion = region
			_, _, err := s.c.CopyImages(ctx, in)
			if err := dryRunOutcome(err); err != nil {
				return a.writeError(err, s.region, s.c, "")
			}
		}
		return s.dry.print(a.Stdout)
	}
	rows, targets, waited, err := a.copyWaves(ctx, s, base, regions, ids, w)
	waitErr := err
	if err == nil && w.wait {
		var rest []*waitTarget
		for i, t := range targets {
			if !waited[i] {
				rest = append(rest, t)
			}
		}
		if len(rest) > 0 {
			waitErr = a.waitAll(ctx, s.c, rest, s.maxWait, &w.waitFlags)
		}
	}
	for i := range rows {
		rows[i].Status = targets[i].status
	}
	// In the order of --to (the calls end in any order).
	slices.SortStableFunc(rows, func(x, y copyRow) int {
		return slices.Index(regions, x.DestinationRegion) - slices.Index(regions, y.DestinationRegion)
	})
	// What was made is printed whatever happened after, so that it can be found.
	if perr := a.printChanges(g, w, copyTable, rows); perr != nil {
		return perr
	}
	if waitErr != nil {
		return a.waitError(waitErr)
	}
	return nil
}

// isBusy reports a refusal because a source image is being copied: the service
// copies an image to one region at a time.
func isBusy(err error) bool {
	var ae *client.APIError
	return errors.As(err, &ae) && errors.Is(err, client.ErrFailedPrecondition) && strings.Contains(ae.Message, "is busy")
}

// copyWaves makes one CopyImages call per destination region, concurrently. The
// service refuses to copy an image that is being copied ("The image ... is busy"):
// a region refused so, while a copy made here is in flight, is called again once
// the copies in flight are ready (waited for with progress), and so on until every
// region has its copies. A refusal is not a lost answer: nothing was made, so
// calling again is safe. It returns the copies made, their wait targets (status
// filled for those waited for), which were waited for, and the error that stopped
// it (the copies made before it are returned too).
func (a *App) copyWaves(ctx context.Context, s *writeSession, base api.CopyImagesInput, regions, ids []string, w *writeFlags) ([]copyRow, []*waitTarget, []bool, error) {
	var rows []copyRow
	var targets []*waitTarget
	var waited []bool
	pending := regions
	for len(pending) > 0 {
		type answer struct {
			copies []api.CopyImage
			err    error
		}
		answers := make([]answer, len(pending))
		var wg sync.WaitGroup
		for i, region := range pending {
			in := &client.CopyImagesInput{RegionID: s.region, CopyImagesInput: base}
			in.DestinationRegion = region
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, _, err := s.c.CopyImages(ctx, in)
				answers[i].err = err
				if res != nil {
					answers[i].copies = res.CopyImages
				}
			}()
		}
		wg.Wait()
		var busy []string
		var firstErr error
		for i, ans := range answers {
			switch {
			case ans.err == nil:
				for _, cp := range ans.copies {
					rows = append(rows, copyRow{SourceImageID: cp.SourceImageId, SourceRegion: s.region, DestinationRegion: pending[i], DestinationImageID: cp.DestinationImageId})
					targets = append(targets, &waitTarget{goal: untilReady, region: pending[i], id: cp.DestinationImageId})
					waited = append(waited, false)
				}
			case isBusy(ans.err):
				busy = append(busy, pending[i])
			default:
				check := "vmimage list --region " + pending[i] + " --source private (new copies of " + strings.Join(ids, ", ") + ")"
				err := a.writeError(ans.err, s.region, s.c, check)
				switch {
				case firstErr == nil:
					firstErr = err
				case exitCode(err) == ExitInterrupted:
					a.warn("%s", oneLine(firstErr))
					firstErr = err
				default:
					a.warn("%s", oneLine(err)) // the first is returned
				}
			}
		}
		if firstErr != nil {
			return rows, targets, waited, firstErr
		}
		if len(busy) == 0 {
			return rows, targets, waited, nil
		}
		var inFlight []*waitTarget
		for i, t := range targets {
			if !waited[i] {
				inFlight = append(inFlight, t)
				waited[i] = true
			}
		}
		if len(inFlight) == 0 {
			// Busy with a copy this command did not make.
			err := a.writeError(fmt.Errorf("copy to %s: %w", strings.Join(busy, ", "), errBusy), s.region, s.c, "")
			return rows, targets, waited, err
		}
		a.warn("the service copies an image to one region at a time: the copy to %s starts when the copy in flight is ready", strings.Join(busy, ", "))
		if err := a.waitAll(ctx, s.c, inFlight, s.maxWait, &w.waitFlags); err != nil {
			return rows, targets, waited, err
		}
		pending = busy
	}
	return rows, targets, waited, nil
}

// errBusy says a source image is being copied by someone else.
var errBusy = errors.New("a source image is busy with another copy; try again when it is done")
