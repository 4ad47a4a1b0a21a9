package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
)

func (a *App) constraintsCommand(g *globals) *cobra.Command {
	var output string
	var ids []string
	cmd := &cobra.Command{
		Use:   "constraints IMAGE_ID...",
		Short: "Show which instance types images may be launched on",
		Long: `Show the instance-type constraints of images: "only" lists the only instance types an
image runs on (includes), "all but" the types it does not run on (excludes). One id
makes one DescribeImageConstraints call; several (at most 100, public or thirdparty
images) make one DescribeImageConstraintsBatch call; an id the batch leaves out (an
image without constraints, a private one, or one that does not exist) is then asked
alone, so each id reads the same alone and in a batch. Ids not found are named on
stderr; the exit code is 3 when every failure was "not found".`,
		Example: "  vmimage constraints img-m5s0ab1c29\n  vmimage constraints img-a img-b -o json",
		RunE: func(cmd *cobra.Command, args []string) error {
			output = queryFormat(g.query, output, cmd.Flags().Changed("output"))
			return a.runConstraints(cmd.Context(), g, output, append(args, ids...))
		},
	}
	g.apiCommand(cmd, true)
	cmd.Flags().StringArrayVar(&ids, "image-id", nil, "an image id, as jdc spells it (repeatable; the same as an argument)")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: "+strings.Join(formats, ", "))
	return cmd
}

func (a *App) runConstraints(ctx context.Context, g *globals, output string, ids []string) error {
	if !validFormat(output) {
		return usage("unknown output format %q (want one of %s)", output, strings.Join(formats, ", "))
	}
	if len(ids) == 0 {
		return usage("constraints needs at least one image id")
	}
	out := &printer{format: output, w: a.Stdout,
		header: func(bool) []string { return []string{"IMAGE ID", "RUNS ON", "INSTANCE TYPES"} },
		row:    constraintRow}
	if err := out.setQuery(g.query); err != nil {
		return err
	}
	c, region, ctx, cancel, err := a.session(ctx, g, 2*time.Minute, a.rawOptions(output)...)
	defer cancel()
	if err != nil {
		return err
	}
	// An id's answer does not depend on how many were asked: the batch leaves out
	// unknown ids, images without constraints and private ones alike, so each id it
	// leaves out is asked alone (its answer, or not found, as if it were the only one).
	byID := map[string]api.ImageConstraint{}
	if len(ids) > 1 {
		list, _, err := c.DescribeImageConstraintsBatch(ctx, region, ids)
		if err != nil {
			return explain(err, region, c)
		}
		for _, ic := range list {
			if ic.ImageId != nil {
				byID[*ic.ImageId] = ic
			}
		}
	}
	failures, notFound := 0, 0
	for _, id := range ids {
		ic, ok := byID[id]
		if !ok {
			one, _, err := c.DescribeImageConstraints(ctx, region, id)
			switch {
			case err != nil && len(ids) == 1:
				return explain(err, region, c)
			case err != nil:
				failures++
				if errors.Is(err, client.ErrNotFound) {
					notFound++
				}
				fmt.Fprintln(a.Stderr, oneLine(explain(err, region, c)))
				continue
			}
			ic = *one
			if ic.ImageId == nil {
				ic.ImageId = &id
			}
		}
		if err := out.add(ic, nil); err != nil {
			return &exitError{ExitError, err}
		}
	}
	if err := out.close(); err != nil {
		return &exitError{ExitError, err}
	}
	return tally(failures, notFound, len(ids))
}

// constraintRow renders a constraint: "only" for includes, "all but" for excludes.
func constraintRow(value any, _ bool) []string {
	ic := value.(api.ImageConstraint)
	runsOn, types := "any", "-"
	if c := ic.ImageInstanceTypeConstraint; c != nil {
		safe := make([]string, len(c.InstanceTypes))
		for i, t := range c.InstanceTypes {
			safe[i] = terminalSafe(t)
		}
		if len(safe) > 0 {
			types = strings.Join(safe, ", ")
		}
		switch ct := c.GetConstraintsType(); {
		case ct == "":
			runsOn = "?"
		case ct == api.ConstraintsTypeIncludes:
			runsOn = "only"
		case ct == api.ConstraintsTypeExcludes && len(safe) > 0:
			runsOn = "all but"
		case ct != api.ConstraintsTypeExcludes:
			runsOn = terminalSafe(string(ct))
		}
	}
	return []string{cell(ic.GetImageId()), runsOn, types}
}
