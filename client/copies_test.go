package client_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
)

// TestWaitUntilCopiesReadySeesMoreThanADefaultPage: more copies than the service's
// default page (20 images) are all found: the poll asks for a page that holds every
// id (ids take at most MaxPageSize), not the default one.
func TestWaitUntilCopiesReadySeesMoreThanADefaultPage(t *testing.T) {
	const n = 25
	s := newWServer(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		size := 20 // the service's default
		if v := q.Get("pageSize"); v != "" {
			size, _ = strconv.Atoi(v)
		}
		var imgs []string
		for i := 1; q.Has("ids." + strconv.Itoa(i)); i++ {
			imgs = append(imgs, `{"imageId":"`+q.Get("ids."+strconv.Itoa(i))+`","status":"ready","progress":"100"}`)
		}
		total := len(imgs)
		imgs = imgs[:min(size, len(imgs))]
		writeJSON(w, 200, `{"requestId":"r","result":{"totalCount":`+strconv.Itoa(total)+`,"images":[`+strings.Join(imgs, ",")+`]}}`)
	})
	tc := newWClient(t, s)
	copies := make([]api.CopyImage, n)
	for i := range copies {
		copies[i] = api.CopyImage{SourceImageId: "img-src" + strconv.Itoa(i), DestinationImageId: "img-copy" + strconv.Itoa(i)}
	}
	imgs, err := tc.WaitUntilCopiesReady(context.Background(), "cn-east-2", copies,
		client.WithMaxWait(time.Minute), client.WithNotFoundGrace(0))
	if err != nil || len(imgs) != n {
		t.Fatalf("got %d images, %v", len(imgs), err)
	}
	tc.assertValid(t)
}

// TestWaitUntilImageDeletedFailsWhenTheImageComesBackReady: as its doc says, a
// status other than deleting after the delete began, ready as well as error, is a
// *WaitFailedError (the service gave up), not a wait until the deadline.
func TestWaitUntilImageDeletedFailsWhenTheImageComesBackReady(t *testing.T) {
	s := newWServer(t, respond(200, imageBody("deleting")), respond(200, imageBody("ready")))
	tc := newWClient(t, s)
	var obs []client.Observation
	err := tc.WaitUntilImageDeleted(context.Background(), region, image, waitOpts(&obs)...)
	var wf *client.WaitFailedError
	if !errors.As(err, &wf) || wf.Attempts != 2 || !strings.Contains(err.Error(), `"ready"`) {
		t.Errorf("got %v", err)
	}
}
