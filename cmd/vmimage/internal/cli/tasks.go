package cli

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/client/api/jdtime"
)

type tasksFlags struct {
	output         string
	action, status string
	since, until   string
	all            bool
	page, pageSize int
	inputJSON      string
	ids            []string
}

var taskHeader = []string{"TASK ID", "ACTION", "STATUS", "PROGRESS", "IMAGE ID", "CREATED", "FINISHED", "MESSAGE"}

func taskCells(v any) []string {
	t := v.(api.TaskInfo)
	progress := "-"
	if t.Progress != nil {
		progress = strconv.Itoa(*t.Progress) + "%"
	}
	action := ""
	if t.Action != nil {
		action = string(*t.Action)
	}
	when := func(ct *api.ChinaTime) string {
		if ct == nil {
			return "-"
		}
		return orDash(ct.String())
	}
	msg := deref(t.ErrorInfo)
	if msg == "" {
		msg = deref(t.Message)
	}
	return []string{terminalSafe(t.TaskId), orDash(action), orDash(string(t.TaskStatus)), progress, orDash(deref(t.ImageId)),
		when(t.CreatedTime), when(t.FinishedTime), orDash(msg)}
}

func (a *App) tasksCommand(g *globals) *cobra.Command {
	f := &tasksFlags{}
	cmd := &cobra.Command{
		Use:   "tasks [TASK_ID...]",
		Short: "List image import and export tasks (ImageTasks)",
		Long: `List the import and export tasks of a region that match the filters: one page
(--page, --page-size), or every page with --all. Times are China Standard Time
(UTC+8) as JD writes them ("2024-06-12 10:00:00"), or RFC 3339.`,
		Example: "  vmimage tasks --region cn-north-1 --action ImportImage --status running --all",
		RunE: func(cmd *cobra.Command, args []string) error {
			f.output = queryFormat(g.query, f.output, cmd.Flags().Changed("output"))
			return a.runTasks(cmd.Context(), g, f, append(args, f.ids...), cmd.Flags().Changed)
		},
	}
	g.apiCommand(cmd, true)
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "table", "output format: "+strings.Join(formats, ", "))
	fl.StringVar(&f.action, "action", "", "ImportImage or ExportImage (also --task-action)")
	fl.StringVar(&f.action, "task-action", "", "alias of --action, as jdc spells it")
	fl.StringVar(&f.status, "status", "", "pending, running, finished or failed (also --task-status)")
	fl.StringVar(&f.status, "task-status", "", "alias of --status, as jdc spells it")
	fl.StringVar(&f.since, "since", "", "tasks created at or after this time (also --start-time)")
	fl.StringVar(&f.since, "start-time", "", "alias of --since, as jdc spells it")
	fl.StringVar(&f.until, "until", "", "tasks created at or before this time (also --end-time)")
	fl.StringVar(&f.until, "end-time", "", "alias of --until, as jdc spells it")
	fl.StringSliceVar(&f.ids, "task-ids", nil, "task ids, as jdc spells it (the same as the arguments)")
	fl.BoolVar(&f.all, "all", false, "follow every page")
	fl.IntVar(&f.page, "page", 0, "the page to show (also --page-number)")
	fl.IntVar(&f.page, "page-number", 0, "alias of --page, as jdc spells it")
	fl.IntVar(&f.pageSize, "page-size", 0, "tasks a page (1 to 100; the service may answer fewer)")
	fl.StringVar(&f.inputJSON, "input-json", "", "the request as JSON, as jdc takes it (regionId, taskAction, taskIds, ...); @FILE reads a file; flags given as well win")
	for _, alias := range []string{"task-action", "task-status", "start-time", "end-time", "page-number", "task-ids"} {
		_ = fl.MarkHidden(alias)
	}
	return cmd
}

// parseTaskTime reads a --since/--until time: JD's form in China Standard Time, or
// RFC 3339.
func parseTaskTime(flag, s string) (*api.ChinaTime, error) {
	if t, err := jdtime.Parse(s); err == nil {
		return &t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		ct, err := jdtime.Parse(t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05"))
		if err == nil {
			return &ct, nil
		}
	}
	return nil, usage("%s %q: want \"2024-06-12 10:00:00\" (China Standard Time) or RFC 3339", flag, s)
}

func (a *App) runTasks(ctx context.Context, g *globals, f *tasksFlags, ids []string, changed func(string) bool) error {
	if !validFormat(f.output) {
		return usage("unknown output format %q (want one of %s)", f.output, strings.Join(formats, ", "))
	}
	params := api.ImageTasksParams{}
	if in, err := a.readInputJSON(ctx, f.inputJSON); err != nil {
		return err
	} else if in != nil {
		if err := in.pathParam("regionId", "--region", &g.region); err != nil {
			return err
		}
		delete(in, "regionId")
		if err := in.decodeInto(&params); err != nil {
			return err
		}
	}
	if changed("action") || changed("task-action") {
		v := api.TaskAction(f.action)
		params.TaskAction = &v
	}
	if changed("status") || changed("task-status") {
		v := api.TaskStatus(f.status)
		params.TaskStatus = &v
	}
	if f.since != "" {
		t, err := parseTaskTime("--since", f.since)
		if err != nil {
			return err
		}
		params.StartTime = t
	}
	if f.until != "" {
		t, err := parseTaskTime("--until", f.until)
		if err != nil {
			return err
		}
		params.EndTime = t
	}
	if len(ids) > 0 {
		params.TaskIds = ids
	}
	if changed("page") || changed("page-number") {
		params.PageNumber = &f.page
	}
	if changed("page-size") {
		params.PageSize = &f.pageSize
	}
	if f.all && params.PageNumber != nil {
		return usage("--all and --page do not go together")
	}
	c, region, ctx, cancel, err := a.session(ctx, g, 2*time.Minute, a.rawOptions(f.output)...)
	defer cancel()
	if err != nil {
		return err
	}
	in := &client.ImageTasksInput{RegionID: region, ImageTasksParams: params}
	p := &printer{format: f.output, w: a.Stdout, header: func(bool) []string { return taskHeader }, row: func(v any, _ bool) []string { return taskCells(v) }}
	if err := p.setQuery(g.query); err != nil {
		return err
	}
	add := func(t api.TaskInfo) error {
		raw, _ := json.Marshal(t)
		return p.add(t, raw)
	}
	if f.all {
		for t, err := range c.AllImageTasks(ctx, in) {
			if err != nil {
				_ = p.close()
				return explain(err, region, c)
			}
			if err := add(t); err != nil {
				return &exitError{ExitError, err}
			}
		}
	} else {
		res, _, err := c.ImageTasks(ctx, in)
		if err != nil {
			return explain(err, region, c)
		}
		for _, t := range res.TaskSet {
			if err := add(t); err != nil {
				return &exitError{ExitError, err}
			}
		}
		if !f.all && len(res.TaskSet) < res.TotalCount && p.tabular() {
			defer a.warn("showing %d of %d tasks: --all follows every page", len(res.TaskSet), res.TotalCount)
		}
	}
	if err := p.close(); err != nil {
		return &exitError{ExitError, err}
	}
	return nil
}
