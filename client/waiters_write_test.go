package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
)

func waitOpts(obs *[]client.Observation) []client.WaitOption {
	return []client.WaitOption{client.WithMaxWait(10 * time.Minute), client.WithDelays(time.Second, 4*time.Second),
		client.WithObserver(func(o client.Observation) { *obs = append(*obs, o) })}
}

func taskBody(status string, progress int) string {
	return fmt.Sprintf(`{"requestId":"r","result":{"totalCount":1,"taskSet":[{"taskId":"541","action":"ImportImage","taskStatus":%q,"progress":%d,"errorInfo":"bad file","imageId":"img-m5s0ab1c29"}]}}`, status, progress)
}

func TestWaitUntilTaskFinishedReportsProgress(t *testing.T) {
	s := newWServer(t, respond(200, taskBody("pending", 0)), respond(200, taskBody("running", 45)), respond(200, taskBody("finished", 100)))
	tc := newWClient(t, s)
	var obs []client.Observation
	task, err := tc.WaitUntilTaskFinished(context.Background(), region, "541", waitOpts(&obs)...)
	if err != nil || task.TaskStatus != api.TaskStatusFinished {
		t.Fatalf("got %+v, %v", task, err)
	}
	if len(obs) != 3 || obs[0].Progress != 0 || obs[1].Progress != 45 || obs[1].TaskStatus != api.TaskStatusRunning || obs[2].Progress != 100 {
		t.Errorf("observations %+v", obs)
	}
	if uri := s.requests()[0].RawURI; uri != "/v1/regions/cn-north-1/imageTasks?taskIds.1=541" {
		t.Errorf("polled %s", uri)
	}
	tc.assertValid(t)

	s2 := newWServer(t, respond(200, taskBody("running", 10)), respond(200, taskBody("failed", 30)))
	tc2 := newWClient(t, s2)
	_, err = tc2.WaitUntilTaskFinished(context.Background(), region, "541", waitOpts(&obs)...)
	var wf *client.WaitFailedError
	if !errors.As(err, &wf) || wf.Task == nil || wf.Attempts != 2 || err.Error() != `vmimage: wait for image task 541 in cn-north-1: will not finish: task failed: bad file (after 2 poll(s))` {
		t.Errorf("failed task: %v", err)
	}
}

func imageBody(status string) string {
	return `{"requestId":"r","result":{"image":{"imageId":"img-m5s0ab1c29","status":"` + status + `"}}}`
}

func TestWaitUntilImageDeleted(t *testing.T) {
	s := newWServer(t, respond(200, imageBody("deleting")), respond(200, imageBody("deleting")), apiErr(404, "NOT_FOUND", "gone"))
	tc := newWClient(t, s)
	var obs []client.Observation
	if err := tc.WaitUntilImageDeleted(context.Background(), region, image, waitOpts(&obs)...); err != nil || len(obs) != 3 {
		t.Fatalf("got %v after %d polls", err, len(obs))
	}
	s2 := newWServer(t, respond(200, imageBody("deleting")), respond(200, imageBody("error")))
	tc2 := newWClient(t, s2)
	var wf *client.WaitFailedError
	if err := tc2.WaitUntilImageDeleted(context.Background(), region, image, waitOpts(&obs)...); !errors.As(err, &wf) {
		t.Errorf("delete gone wrong: %v", err)
	}
}

func TestWaitUntilCopiesReady(t *testing.T) {
	page := func(a, pa, b, pb string) http.HandlerFunc {
		return respond(200, `{"requestId":"r","result":{"totalCount":2,"images":[{"imageId":"img-copya","status":"`+a+`","progress":"`+pa+`"},{"imageId":"img-copyb","status":"`+b+`","progress":"`+pb+`"}]}}`)
	}
	copies := []api.CopyImage{{SourceImageId: "img-a", DestinationImageId: "img-copya"}, {SourceImageId: "img-b", DestinationImageId: "img-copyb"}}
	s := newWServer(t, respond(200, `{"requestId":"r","result":{"totalCount":0,"images":[]}}`), page("pending", "30", "pending", "60"), page("ready", "100", "pending", "90"), page("ready", "100", "ready", "100"))
	tc := newWClient(t, s)
	var obs []client.Observation
	imgs, err := tc.WaitUntilCopiesReady(context.Background(), "cn-east-2", copies, waitOpts(&obs)...)
	if err != nil || len(imgs) != 2 {
		t.Fatalf("got %v, %v", imgs, err)
	}
	if len(obs) != 4 || obs[1].Progress != 30 || obs[2].Progress != 90 {
		t.Errorf("observations %+v", obs)
	}
	if uri := s.requests()[0].RawURI; uri != "/v1/regions/cn-east-2/images?ids.1=img-copya&ids.2=img-copyb&pageSize=100" {
		t.Errorf("polled %s", uri)
	}
	tc.assertValid(t)
	s2 := newWServer(t, page("ready", "100", "error", "40"))
	tc2 := newWClient(t, s2)
	var wf *client.WaitFailedError
	if _, err := tc2.WaitUntilCopiesReady(context.Background(), "cn-east-2", copies, waitOpts(&obs)...); !errors.As(err, &wf) {
		t.Errorf("a failed copy: %v", err)
	}
}

// TestAllImageTasksFollowsShortPages: asked for 100 a page, the server answers at
// most 10; the pager follows pages until the total.
func TestAllImageTasksFollowsShortPages(t *testing.T) {
	const total = 25
	s := newWServer(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("pageNumber"))
		body := `{"requestId":"r","result":{"totalCount":` + strconv.Itoa(total) + `,"taskSet":[`
		for i := (n - 1) * 10; i < min(n*10, total); i++ {
			if i > (n-1)*10 {
				body += ","
			}
			body += `{"taskId":"` + strconv.Itoa(700+i) + `","taskStatus":"finished","progress":100}`
		}
		writeJSON(w, 200, body+`]}}`)
	})
	tc := newWClient(t, s)
	var ids []string
	for task, err := range tc.AllImageTasks(context.Background(), &client.ImageTasksInput{RegionID: region, ImageTasksParams: api.ImageTasksParams{PageSize: ptr(client.MaxTaskPageSize)}}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, task.TaskId)
	}
	if len(ids) != total || ids[0] != "700" || ids[total-1] != "724" {
		t.Errorf("tasks %v", ids)
	}
	tc.assertValid(t)
}

// TestWaitTimeoutReadsForEveryGoal: a wait that runs out says what it waited for in
// words that fit every goal ("be deleted" as well as "become ready").
func TestWaitTimeoutReadsForEveryGoal(t *testing.T) {
	for goal, want := range map[string]string{
		"be deleted":   "timed out waiting to be deleted after 1m0s",
		"become ready": "timed out waiting to become ready after 1m0s",
		"finish":       "timed out waiting to finish after 1m0s",
	} {
		e := &client.WaitTimeoutError{Goal: goal, MaxWait: time.Minute, LastProgress: -1}
		if got := e.Error(); !strings.Contains(got, want) {
			t.Errorf("goal %q: %q, want it to contain %q", goal, got, want)
		}
	}
}
