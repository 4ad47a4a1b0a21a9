package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vmimage/vmimage/client"
)

func (a *App) deleteCommand(g *globals) *cobra.Command {
	w := &writeFlags{}
	var imageID string
	var snapshots bool
	cmd := &cobra.Command{
		Use:   "delete IMAGE_ID... [--delete-snapshots]",
		Short: "Delete private images (DeleteImage); asks first",
		Long: `Delete private images, and their snapshots with --delete-snapshots. On a terminal it
first names each image, its name, whom it is shared with and its snapshots, and
asks; without a terminal it refuses unless --yes (exit 2, nothing deleted). A
shared image cannot be deleted: unshare it first. With --wait, waits until every
image is gone.`,
		Example: "  vmimage delete img-m5s0ab1c29 --region cn-north-1 --delete-snapshots --yes --wait",
		RunE: func(cmd *cobra.Command, args []string) error {
			w.output = queryFormat(g.query, w.output, cmd.Flags().Changed("output"))
			if imageID != "" {
				args = append(args, imageID)
			}
			return a.runDelete(cmd.Context(), g, w, args, snapshots, cmd.Flags().Changed)
		},
	}
	a.writeCommand(g, cmd, w, writeKind{wait: true, confirm: true})
	fl := cmd.Flags()
	fl.StringVar(&imageID, "image-id", "", "the image, as jdc spells it (the same as the argument)")
	fl.BoolVar(&snapshots, "delete-snapshots", false, "delete the images' snapshots too (also --delete-snapshot)")
	fl.BoolVar(&snapshots, "delete-snapshot", false, "alias of --delete-snapshots, as jdc spells it")
	_ = fl.MarkHidden("delete-snapshot")
	return cmd
}

func (a *App) runDelete(ctx context.Context, g *globals, w *writeFlags, ids []string, snapshots bool, changed func(string) bool) error {
	if err := w.check(g); err != nil {
		return err
	}
	if in, err := a.readInputJSON(ctx, w.inputJSON); err != nil {
		return err
	} else if in != nil {
		if err := in.only("deleteImage", "regionId", "imageId", "deleteSnapshot"); err != nil {
			return err
		}
		var id string
		if err := in.imagePath(&g.region, &id); err != nil {
			return err
		}
		// The input's image is deleted only when no image is given otherwise: one that
		// disagrees with the arguments is refused, not deleted as well.
		if id != "" && len(ids) == 0 {
			ids = append(ids, id)
		} else if id != "" && !slices.Contains(ids, id) {
			return usage("--input-json: imageId %q is not one of the image ids given (%s): name the images to delete one way", terminalSafe(id), terminalSafe(strings.Join(ids, ", ")))
		}
		v, ok, err := in.boolField("deleteSnapshot")
		if err != nil {
			return err
		}
		if ok && !changed("delete-snapshots") && !changed("delete-snapshot") {
			snapshots = v
		}
	}
	if len(ids) == 0 {
		return usage("delete needs at least one image id")
	}
	// An id given twice is deleted once: a second DeleteImage is a write sent twice.
	ids = uniqueIDs(ids)
	if err := a.refuseWithoutTerminal(w, "delete"); err != nil {
		return err
	}
	s, ctx, cancel, err := a.writeSession(ctx, g, w)
	defer cancel()
	if err != nil {
		return err
	}
	if !w.yes && !w.dryRun {
		var lines []string
		for _, id := range ids {
			summary, err := a.imageSummary(ctx, s.c, s.region, id, snapshots)
			if err != nil {
				return explain(err, s.region, s.c)
			}
			lines = append(lines, summary)
		}
		q := fmt.Sprintf("Delete %d image%s in %s?", len(ids), plural(len(ids), "", "s"), s.region)
		if snapshots {
			q = fmt.Sprintf("Delete %d image%s in %s and their snapshots?", len(ids), plural(len(ids), "", "s"), s.region)
		}
		if err := a.ask(ctx, w, q, lines); err != nil {
			return err
		}
	}
	var rows []imageRowOut
	var targets []*waitTarget
	var firstErr error
	detail := ""
	if snapshots {
		detail = "with its snapshots"
	}
	for _, id := range ids {
		_, resp, err := s.c.DeleteImage(ctx, &client.DeleteImageInput{RegionID: s.region, ImageID: id, DeleteSnapshot: snapshots})
		if s.dry != nil {
			if err := dryRunOutcome(err); err != nil {
				return a.writeError(err, s.region, s.c, "")
			}
			continue
		}
		if err != nil && errors.Is(err, client.ErrNotFound) && resp != nil && resp.Attempts > 1 {
			// An earlier attempt's answer was lost, and the retry found the image gone.
			a.warn("%s: an answer was lost and the retry found the image gone: it was deleted (check with: vmimage describe %s --region %s)", terminalSafe(id), terminalSafe(id), s.region)
			rows = append(rows, imageRowOut{ImageID: id, RegionID: s.region, Action: "deleted", Status: "gone", Detail: detail})
			continue
		}
		if err != nil {
			err = a.writeError(err, s.region, s.c, "vmimage describe "+id+" --region "+s.region)
			if len(ids) > 1 {
				a.warn("%s", oneLine(err))
			}
			if firstErr == nil {
				firstErr = err
			}
			if exitCode(err) == ExitInterrupted {
				break
			}
			continue
		}
		rows = append(rows, imageRowOut{ImageID: id, RegionID: s.region, Action: "deleting", Detail: detail})
		targets = append(targets, &waitTarget{goal: untilGone, region: s.region, id: id})
	}
	if s.dry != nil {
		return s.dry.print(a.Stdout)
	}
	var waitErr error
	if w.wait && len(targets) > 0 {
		waitErr = a.waitAll(ctx, s.c, targets, s.maxWait, &w.waitFlags)
		k := 0
		for i := range rows {
			if rows[i].Status == "" && k < len(targets) {
				rows[i].Status = targets[k].status
				k++
			}
		}
	}
	if err := a.printChanges(g, w, imageChangeTable, rows); err != nil {
		return err
	}
	if firstErr != nil && len(ids) == 1 {
		return firstErr
	}
	if firstErr != nil {
		return &exitError{exitCode(firstErr), errors.New("not every image was deleted (see above)")}
	}
	if waitErr != nil {
		return a.waitError(waitErr)
	}
	return nil
}

// uniqueIDs returns ids without repeats, in the order first given.
func uniqueIDs(ids []string) []string {
	var out []string
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
