package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
)

// imageArg takes the one image a command acts on: the argument, --image-id, or the
// --input-json's imageId.
func imageArg(args []string, flag string) (string, error) {
	switch {
	case len(args) > 1:
		return "", usage("takes one image id (got %d)", len(args))
	case len(args) == 1 && flag != "" && flag != args[0]:
		return "", usage("--image-id %q and the argument %q disagree", flag, args[0])
	case len(args) == 1:
		return args[0], nil
	}
	return flag, nil
}

// printDry ends a dry run: the captured requests, or the error that stopped them.
func (a *App) printDry(s *writeSession, err error) error {
	if err := dryRunOutcome(err); err != nil {
		return a.writeError(err, s.region, s.c, "")
	}
	return s.dry.print(a.Stdout)
}

// accountsWords names the accounts of a share.
func accountsWords(pins, logins []string) string {
	var parts []string
	if len(pins) > 0 {
		parts = append(parts, "pin "+terminalSafe(strings.Join(pins, ", ")))
	}
	if len(logins) > 0 {
		parts = append(parts, "login name "+terminalSafe(strings.Join(logins, ", ")))
	}
	return strings.Join(parts, "; ")
}

func (a *App) shareCommand(g *globals, unshare bool) *cobra.Command {
	w := &writeFlags{}
	var pins, logins, pinsAlias, loginsAlias []string
	var imageID string
	verb, op, apiName := "share", "shareImage", "ShareImage"
	short := "Share a private image with other accounts (ShareImage)"
	if unshare {
		verb, op, apiName = "unshare", "unShareImage", "UnShareImage"
		short = "Stop sharing a private image with accounts (UnShareImage); asks first"
	}
	cmd := &cobra.Command{
		Use:     verb + " IMAGE_ID --pin PIN... --login-name NAME...",
		Short:   short,
		Example: "  vmimage " + verb + " img-m5s0ab1c29 --region cn-north-1 --pin jdcloud-pin-1 --login-name ops@example.com",
		RunE: func(cmd *cobra.Command, args []string) error {
			w.output = queryFormat(g.query, w.output, cmd.Flags().Changed("output"))
			id, err := imageArg(args, imageID)
			if err != nil {
				return err
			}
			return a.runShare(cmd.Context(), g, w, unshare, op, apiName, id, append(pins, pinsAlias...), append(logins, loginsAlias...))
		},
	}
	a.writeCommand(g, cmd, w, writeKind{confirm: unshare})
	fl := cmd.Flags()
	fl.StringVar(&imageID, "image-id", "", "the image, as jdc spells it (the same as the argument)")
	fl.StringSliceVar(&pins, "pin", nil, "an account's pin (repeat, or comma-separate; also --pins)")
	fl.StringSliceVar(&pinsAlias, "pins", nil, "alias of --pin, as jdc spells it")
	fl.StringSliceVar(&logins, "login-name", nil, "an account's login name (repeat, or comma-separate; also --login-names)")
	fl.StringSliceVar(&loginsAlias, "login-names", nil, "alias of --login-name, as jdc spells it")
	_ = fl.MarkHidden("pins")
	_ = fl.MarkHidden("login-names")
	return cmd
}

func (a *App) runShare(ctx context.Context, g *globals, w *writeFlags, unshare bool, op, apiName, imageID string, pins, logins []string) error {
	if err := w.check(g); err != nil {
		return err
	}
	body := api.ShareImageInput{}
	if in, err := a.readInputJSON(ctx, w.inputJSON); err != nil {
		return err
	} else if in != nil {
		if err := in.pathParam("regionId", "--region", &g.region); err != nil {
			return err
		}
		if err := in.pathParam("imageId", "the image id", &imageID); err != nil {
			return err
		}
		if err := in.body(op, &body); err != nil {
			return err
		}
	}
	if len(pins) > 0 {
		body.Pins = pins
	}
	if len(logins) > 0 {
		body.LoginNames = logins
	}
	if imageID == "" {
		return usage("%s needs an image id", strings.ToLower(apiName))
	}
	if len(body.Pins) == 0 && len(body.LoginNames) == 0 {
		return usage("%s needs --pin or --login-name (the accounts)", map[bool]string{false: "share", true: "unshare"}[unshare])
	}
	if unshare {
		if err := a.refuseWithoutTerminal(w, "unshare"); err != nil {
			return err
		}
	}
	s, ctx, cancel, err := a.writeSession(ctx, g, w)
	defer cancel()
	if err != nil {
		return err
	}
	who := accountsWords(body.Pins, body.LoginNames)
	if unshare && !w.yes && !w.dryRun {
		summary, err := a.imageSummary(ctx, s.c, s.region, imageID, false)
		if err != nil {
			return explain(err, s.region, s.c)
		}
		if err := a.ask(ctx, w, fmt.Sprintf("Stop sharing this image in %s with %s?", s.region, who), []string{summary}); err != nil {
			return err
		}
	}
	action := "shared"
	if unshare {
		action = "unshared"
		_, _, err = s.c.UnShareImage(ctx, &client.UnShareImageInput{RegionID: s.region, ImageID: imageID,
			UnShareImageInput: api.UnShareImageInput{Pins: body.Pins, LoginNames: body.LoginNames}})
	} else {
		_, _, err = s.c.ShareImage(ctx, &client.ShareImageInput{RegionID: s.region, ImageID: imageID,
			ShareImageInput: api.ShareImageInput{Pins: body.Pins, LoginNames: body.LoginNames}})
	}
	if s.dry != nil {
		return a.printDry(s, err)
	}
	if err != nil {
		return a.writeError(err, s.region, s.c, "vmimage members "+imageID+" --region "+s.region)
	}
	return a.printChanges(g, w, imageChangeTable, []imageRowOut{{ImageID: imageID, RegionID: s.region, Action: action, Detail: who}})
}

func (a *App) releaseCommand(g *globals, unrelease bool) *cobra.Command {
	w := &writeFlags{}
	var imageID string
	verb, short := "release", "Publish a private image as a community image (ReleaseImage); asks first"
	if unrelease {
		verb, short = "unrelease", "Withdraw a community image back to private (UnReleaseImage)"
	}
	cmd := &cobra.Command{
		Use:     verb + " IMAGE_ID",
		Short:   short,
		Example: "  vmimage " + verb + " img-m5s0ab1c29 --region cn-north-1",
		RunE: func(cmd *cobra.Command, args []string) error {
			w.output = queryFormat(g.query, w.output, cmd.Flags().Changed("output"))
			id, err := imageArg(args, imageID)
			if err != nil {
				return err
			}
			return a.runRelease(cmd.Context(), g, w, unrelease, id)
		},
	}
	a.writeCommand(g, cmd, w, writeKind{confirm: !unrelease})
	cmd.Flags().StringVar(&imageID, "image-id", "", "the image, as jdc spells it (the same as the argument)")
	return cmd
}

func (a *App) runRelease(ctx context.Context, g *globals, w *writeFlags, unrelease bool, imageID string) error {
	if err := w.check(g); err != nil {
		return err
	}
	op := map[bool]string{false: "releaseImage", true: "unReleaseImage"}[unrelease]
	if in, err := a.readInputJSON(ctx, w.inputJSON); err != nil {
		return err
	} else if in != nil {
		if err := in.only(op, "regionId", "imageId"); err != nil {
			return err
		}
		if err := in.pathParam("regionId", "--region", &g.region); err != nil {
			return err
		}
		if err := in.pathParam("imageId", "the image id", &imageID); err != nil {
			return err
		}
	}
	if imageID == "" {
		return usage("%s needs an image id", map[bool]string{false: "release", true: "unrelease"}[unrelease])
	}
	if !unrelease {
		if err := a.refuseWithoutTerminal(w, "release"); err != nil {
			return err
		}
	}
	s, ctx, cancel, err := a.writeSession(ctx, g, w)
	defer cancel()
	if err != nil {
		return err
	}
	action := "unreleased"
	if unrelease {
		_, _, err = s.c.UnReleaseImage(ctx, s.region, imageID)
	} else {
		if !w.yes && !w.dryRun {
			summary, err := a.imageSummary(ctx, s.c, s.region, imageID, false)
			if err != nil {
				return explain(err, s.region, s.c)
			}
			if err := a.ask(ctx, w, "Publish this image of "+s.region+" as a community image, for every JD Cloud account? Its shares are revoked.", []string{summary}); err != nil {
				return err
			}
		}
		action = "released"
		_, _, err = s.c.ReleaseImage(ctx, s.region, imageID)
	}
	if s.dry != nil {
		return a.printDry(s, err)
	}
	if err != nil {
		return a.writeError(err, s.region, s.c, "vmimage describe "+imageID+" --region "+s.region+" -o wide")
	}
	return a.printChanges(g, w, imageChangeTable, []imageRowOut{{ImageID: imageID, RegionID: s.region, Action: action}})
}

func (a *App) modifyCommand(g *globals) *cobra.Command {
	w := &writeFlags{}
	var imageID, name, descr string
	cmd := &cobra.Command{
		Use:     "modify IMAGE_ID [--name NAME] [--description TEXT]",
		Short:   "Rename an image or change its description (ModifyImageAttribute)",
		Example: "  vmimage modify img-m5s0ab1c29 --region cn-north-1 --name golden-2024.06",
		RunE: func(cmd *cobra.Command, args []string) error {
			w.output = queryFormat(g.query, w.output, cmd.Flags().Changed("output"))
			id, err := imageArg(args, imageID)
			if err != nil {
				return err
			}
			body := api.ModifyImageAttributeInput{}
			in, err := a.readInputJSON(cmd.Context(), w.inputJSON)
			if err != nil {
				return err
			}
			if in != nil {
				if err := in.pathParam("regionId", "--region", &g.region); err != nil {
					return err
				}
				if err := in.pathParam("imageId", "the image id", &id); err != nil {
					return err
				}
				if err := in.body("modifyImageAttribute", &body); err != nil {
					return err
				}
				body.RegionId, body.ImageId = nil, nil
			}
			if cmd.Flags().Changed("name") {
				body.Name = &name
			}
			if cmd.Flags().Changed("description") {
				body.Description = &descr
			}
			return a.runModify(cmd.Context(), g, w, id, body)
		},
	}
	a.writeCommand(g, cmd, w, writeKind{})
	fl := cmd.Flags()
	fl.StringVar(&imageID, "image-id", "", "the image, as jdc spells it (the same as the argument)")
	fl.StringVar(&name, "name", "", "the new name")
	fl.StringVar(&descr, "description", "", "the new description")
	return cmd
}

func (a *App) runModify(ctx context.Context, g *globals, w *writeFlags, imageID string, body api.ModifyImageAttributeInput) error {
	if err := w.check(g); err != nil {
		return err
	}
	if imageID == "" {
		return usage("modify needs an image id")
	}
	if body.Name == nil && body.Description == nil {
		return usage("modify needs --name or --description")
	}
	s, ctx, cancel, err := a.writeSession(ctx, g, w)
	defer cancel()
	if err != nil {
		return err
	}
	_, _, err = s.c.ModifyImageAttribute(ctx, &client.ModifyImageAttributeInput{RegionID: s.region, ImageID: imageID, ModifyImageAttributeInput: body})
	if s.dry != nil {
		return a.printDry(s, err)
	}
	if err != nil {
		return a.writeError(err, s.region, s.c, "vmimage describe "+imageID+" --region "+s.region)
	}
	var what []string
	if body.Name != nil {
		what = append(what, "name "+terminalSafe(*body.Name))
	}
	if body.Description != nil {
		what = append(what, "description "+terminalSafe(*body.Description))
	}
	return a.printChanges(g, w, imageChangeTable, []imageRowOut{{ImageID: imageID, RegionID: s.region, Action: "modified", Detail: strings.Join(what, "; ")}})
}

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
		if err := in.pathParam("regionId", "--region", &g.region); err != nil {
			return err
		}
		var id string
		if err := in.pathParam("imageId", "the image id", &id); err != nil {
			return err
		}
		if id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
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
