package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
)

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
		if err := in.imagePath(&g.region, &imageID); err != nil {
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
