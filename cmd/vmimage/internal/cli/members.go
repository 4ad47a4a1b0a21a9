package cli

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmimage/vmimage/client/api"
)

func (a *App) membersCommand(g *globals) *cobra.Command {
	var output, imageID string
	cmd := &cobra.Command{
		Use:     "members IMAGE_ID",
		Short:   "Show whom a private image is shared with",
		Long:    `Show the accounts (pins and login names) a private image is shared with (DescribeImageMembers).`,
		Example: "  vmimage members img-privshare01 --region cn-north-1",
		RunE: func(cmd *cobra.Command, args []string) error {
			if imageID != "" {
				args = append(args, imageID)
			}
			if len(args) != 1 {
				return usage("members takes one image id (got %d)", len(args))
			}
			output = queryFormat(g.query, output, cmd.Flags().Changed("output"))
			return a.runMembers(cmd.Context(), g, output, args[0])
		},
	}
	g.apiCommand(cmd, true)
	cmd.Flags().StringVar(&imageID, "image-id", "", "the image id, as jdc spells it (the same as the argument)")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: "+strings.Join(formats, ", "))
	return cmd
}

func (a *App) runMembers(ctx context.Context, g *globals, output, imageID string) error {
	if !validFormat(output) {
		return usage("unknown output format %q (want one of %s)", output, strings.Join(formats, ", "))
	}
	c, region, ctx, cancel, err := a.session(ctx, g, 2*time.Minute, a.rawOptions(output)...)
	defer cancel()
	if err != nil {
		return err
	}
	m, _, err := c.DescribeImageMembers(ctx, region, imageID)
	if err != nil {
		return explain(err, region, c)
	}
	out := &printer{format: output, w: a.Stdout,
		header: func(bool) []string { return []string{"ACCOUNT", "KIND"} },
		row: func(value any, _ bool) []string {
			r := value.(memberRow)
			return []string{terminalSafe(r.account), r.kind}
		}}
	if err := out.setQuery(g.query); err != nil {
		return err
	}
	if out.tabular() {
		for _, list := range []struct {
			kind  string
			names []string
		}{{"pin", m.Pins}, {"login name", m.LoginNames}} {
			for _, name := range list.names {
				if err := out.add(memberRow{name, list.kind}, nil); err != nil {
					return &exitError{ExitError, err}
				}
			}
		}
		if out.n == 0 {
			a.Stderr.Write([]byte("vmimage: " + terminalSafe(imageID) + " is shared with no one\n"))
		}
		return out.close()
	}
	err = out.add(membersDoc{ImageID: imageID, DescribeImageMembersResult: *m}, nil)
	if err == nil {
		err = out.close()
	}
	if err != nil {
		return &exitError{ExitError, err}
	}
	return nil
}

// memberRow is a row of the members table: an account and its kind.
type memberRow struct{ account, kind string }

// membersDoc is what json and yaml print: the result with the image it is about.
type membersDoc struct {
	ImageID string `json:"imageId"`
	api.DescribeImageMembersResult
}
