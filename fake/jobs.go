package fake

import (
	"crypto/rand"
	"strconv"
	"time"

	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/client/api/jdtime"
)

// imageState is what the write calls did to a stored image, read on the fake's clock.
type imageState struct {
	protected bool
	// busyUntil: the image is the source of a copy until then.
	busyUntil time.Time
	// taskUntil: an image task (an export) runs on it until then.
	taskUntil time.Time
	// deleteAt: non-zero once DeleteImage accepted it; deleting until then, gone after.
	deleteAt time.Time
}

func (st imageState) gone(now time.Time) bool {
	return !st.deleteAt.IsZero() && !now.Before(st.deleteAt)
}

func (st imageState) apply(img *api.Image, now time.Time) {
	if !st.deleteAt.IsZero() {
		deleting := api.ImageStatusDeleting
		img.Status = &deleting
	}
}

func (st imageState) busy(now time.Time) bool    { return now.Before(st.busyUntil) }
func (st imageState) hasTask(now time.Time) bool { return now.Before(st.taskUntil) }

// owned reports whether an image is the account's own: private, or released by it.
func owned(img api.Image) bool {
	switch sourceOf(img) {
	case "private":
		return true
	case "community":
		return str(img.OwnerPin) == OwnPin
	}
	return false
}

// count adds d to the region's own-image count when e is an own image that is not gone.
func (s *Store) count(region string, e *entry, d int) {
	if owned(e.image) && e.state.deleteAt.IsZero() {
		s.owned[region] += d
	}
}

// sweep forgets the images whose deletion has finished (amortised O(1): they go in
// the order they were deleted). The caller holds s.mu.
func (s *Store) sweep(now time.Time) {
	for len(s.deleting) > 0 {
		k := s.deleting[0]
		e, ok := s.images[k]
		if ok && !e.state.deleteAt.IsZero() && now.Before(e.state.deleteAt) {
			return
		}
		if ok && e.state.gone(now) {
			delete(s.images, k)
		}
		s.deleting[0] = key{}
		s.deleting = s.deleting[1:]
	}
}

// statusOf is an entry's status now. The caller holds s.mu.
func statusOf(e *entry, now time.Time) api.ImageStatus {
	img := api.Image{Status: e.image.Status}
	if e.transition != nil {
		e.transition.apply(&img, now)
	}
	e.state.apply(&img, now)
	return api.ImageStatus(str(img.Status))
}

// newImageID returns a fresh image id of the documented shape.
func newImageID() string { return "img-" + randomLower(10) }

func randomLower(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// DefaultMaxTasks bounds the image tasks the fake remembers: past it the oldest is
// forgotten.
const DefaultMaxTasks = 10_000

// task is an import or export task; its status and progress are read on the clock.
type task struct {
	region, id string
	action     api.TaskAction
	imageID    string
	start      time.Time
	d          time.Duration
	fail       bool
	imageName  string // import
	imageURL   string // import
	ossURL     string // export
	objects    []string
}

// taskList keeps tasks in creation order (ids increase), bounded.
type taskList struct {
	list []*task
	next int
}

func (l *taskList) add(t *task) {
	l.next++
	t.id = strconv.Itoa(1000 + l.next)
	if len(l.list) >= DefaultMaxTasks {
		l.list[0] = nil
		l.list = l.list[1:]
	}
	l.list = append(l.list, t)
}

const taskFailure = "image file is not a valid qcow2 file"

// info describes a task as ImageTasks answers it now.
func (t *task) info(now time.Time) api.TaskInfo {
	elapsed := now.Sub(t.start)
	status, progress := api.TaskStatusPending, 0
	var finished jdtime.Time
	failAt := t.d * 3 / 10
	switch {
	case t.fail && elapsed >= failAt:
		status, progress, finished = api.TaskStatusFailed, 30, jdtime.New(t.start.Add(failAt))
	case elapsed >= t.d:
		status, progress, finished = api.TaskStatusFinished, 100, jdtime.New(t.start.Add(t.d))
	case elapsed >= t.d/10:
		status, progress = api.TaskStatusRunning, int(int64(elapsed)*100/int64(t.d))
	}
	action, created, id, empty := t.action, jdtime.New(t.start), t.imageID, ""
	info := api.TaskInfo{TaskId: t.id, Action: &action, TaskStatus: status, Progress: &progress, CreatedTime: &created,
		FinishedTime: &finished, ImageId: &id, ErrorInfo: &empty, Message: &empty}
	if status == api.TaskStatusFailed {
		msg := taskFailure
		info.ErrorInfo, info.Message = &msg, &msg
	}
	if t.action == api.TaskActionImportImage {
		info.ImageName, info.ImageUrl = &t.imageName, &t.imageURL
	} else {
		info.OssUrl = &t.ossURL
		objects := []string{}
		if status == api.TaskStatusFinished {
			objects = append(objects, t.objects...)
		}
		obj := ""
		if len(objects) > 0 {
			obj = objects[0]
		}
		info.OssObject, info.OssObjects = &obj, objects
	}
	return info
}
