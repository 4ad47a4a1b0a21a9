package client

import (
	"context"
	"iter"

	"github.com/vmimage/vmimage/client/api"
)

// ImageTasksInput is ImageTasks' input: the region and the generated query
// parameters (TaskAction, TaskIds, TaskStatus, StartTime, EndTime, PageNumber,
// PageSize).
type ImageTasksInput struct {
	RegionID string
	api.ImageTasksParams
}

// ImageTasks returns one page of the import and export tasks that match, and the
// number of all matches. A page may hold fewer tasks than asked (the fake serves 10
// at most): AllImageTasks follows the pages.
func (c *Client) ImageTasks(ctx context.Context, in *ImageTasksInput) (*api.ImageTasksResult, *Response, error) {
	if in == nil {
		in = &ImageTasksInput{}
	}
	return invoke[api.ImageTasksResult](ctx, c, tasksCall(in))
}

func tasksCall(in *ImageTasksInput) *call {
	return &call{op: opImageTasks, region: in.RegionID, path: []string{in.RegionID}, params: &in.ImageTasksParams}
}

// AllImageTasks returns an iterator over every task that matches in (its PageNumber
// is ignored), with AllImages' paging: pages shorter than asked are followed until
// the total, a failed page is yielded once as (zero TaskInfo, error) and ends the
// iteration.
func (c *Client) AllImageTasks(ctx context.Context, in *ImageTasksInput) iter.Seq2[api.TaskInfo, error] {
	if in == nil {
		in = &ImageTasksInput{}
	}
	base := *in
	op := Operation{Service: Service, Name: opImageTasks.name, Region: in.RegionID}
	return paginate(ctx, pager[api.TaskInfo]{
		inFlight: c.pagesInFlight(),
		fetch: func(ctx context.Context, n int) func() ([]api.TaskInfo, int, error) {
			page := base
			page.PageNumber = &n
			next := fetchPage[api.ImageTasksResult](ctx, c, tasksCall(&page))
			return func() ([]api.TaskInfo, int, error) {
				res, err := next()
				if err != nil {
					return nil, 0, err
				}
				return res.TaskSet, res.TotalCount, nil
			}
		},
		key: func(t api.TaskInfo) (string, bool) {
			return t.TaskId, t.TaskId != ""
		},
		interrupted: func(err error) error { return &RequestError{Op: op, Err: err} },
	})
}
