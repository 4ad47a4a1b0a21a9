package cli

import (
	"context"

	"github.com/spf13/cobra"
)

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
		if err := in.imagePath(&g.region, &imageID); err != nil {
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
