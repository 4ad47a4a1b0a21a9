package cli

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
)

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
				if err := in.imagePath(&g.region, &id); err != nil {
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
