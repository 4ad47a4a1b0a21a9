package client

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/vmimage/vmimage/client/api"
)

// Defaults of WaitUntilImageReady, in the style of the AWS SDKs' waiters.
const (
	DefaultWaitMinDelay      = 2 * time.Second
	DefaultWaitMaxDelay      = 30 * time.Second
	DefaultWaitNotFoundGrace = 30 * time.Second
)

// Observation is one poll of a waiter, reported to WithObserver's callback.
type Observation struct {
	// Attempt counts polls from 1.
	Attempt int
	// Image is the image seen (nil when the poll failed, e.g. not found yet).
	Image *api.Image
	// Images are the images a wait for several (WaitUntilCopiesReady) saw.
	Images []api.Image
	// Task and TaskStatus are the task seen by WaitUntilTaskFinished (nil when none).
	Task       *api.TaskInfo
	TaskStatus api.TaskStatus
	// Status and Progress (percent; -1 when unknown) are read from Image (the least
	// progress of the copies for WaitUntilCopiesReady, the task's for a task).
	Status   api.ImageStatus
	Progress int
	// Err is the error of a poll that the waiter tolerates (not found during the
	// grace period); nil otherwise.
	Err error
	// Elapsed is the time since the wait began; NextDelay the wait before the next
	// poll (0 when this poll ends the wait).
	Elapsed   time.Duration
	NextDelay time.Duration
}

// WaitOption configures a waiter (WaitUntilImageReady, WaitUntilImageDeleted,
// WaitUntilTaskFinished, WaitUntilCopiesReady).
type WaitOption func(*waitConfig) error

type waitConfig struct {
	maxWait  time.Duration
	minDelay time.Duration
	maxDelay time.Duration
	grace    time.Duration
	observe  func(Observation)
}

// WithMaxWait sets the longest the waiter may take, from its start to its last poll.
// It is required.
func WithMaxWait(d time.Duration) WaitOption {
	return func(c *waitConfig) error {
		if d <= 0 {
			return fmt.Errorf("WithMaxWait: %s is not positive", d)
		}
		c.maxWait = d
		return nil
	}
}

// WithDelays sets the first delay between polls and the most it may grow to
// (defaults DefaultWaitMinDelay and DefaultWaitMaxDelay).
func WithDelays(min, max time.Duration) WaitOption {
	return func(c *waitConfig) error {
		switch {
		case min <= 0:
			return fmt.Errorf("WithDelays: minimum delay %s is not positive", min)
		case min > max:
			return fmt.Errorf("WithDelays: minimum delay %s is above the maximum %s", min, max)
		}
		c.minDelay, c.maxDelay = min, max
		return nil
	}
}

// WithNotFoundGrace sets how long a NOT_FOUND answer is tolerated from the start of
// the wait, as the service may not know an image right after it is created (default
// DefaultWaitNotFoundGrace; 0 fails on the first NOT_FOUND).
func WithNotFoundGrace(d time.Duration) WaitOption {
	return func(c *waitConfig) error {
		if d < 0 {
			return fmt.Errorf("WithNotFoundGrace: %s is negative", d)
		}
		c.grace = d
		return nil
	}
}

// WithObserver calls f after every poll, on the waiter's goroutine, for example to
// draw progress. f must not block for long.
func WithObserver(f func(Observation)) WaitOption {
	return func(c *waitConfig) error {
		if f == nil {
			return errors.New("WithObserver: nil function")
		}
		c.observe = f
		return nil
	}
}

// WaitFailedError reports an image that will not become ready: its status is error
// or deleting, it went offline, or it stayed unknown past the not-found grace.
type WaitFailedError struct {
	Op Operation
	// Goal is what the wait was for ("become ready", "finish", "be deleted").
	Goal string
	// Reason says why, e.g. `status "error"`.
	Reason string
	// Image is the last image seen (nil when it was never found).
	Image *api.Image
	// Task is the last task seen (WaitUntilTaskFinished), nil otherwise.
	Task *api.TaskInfo
	// Attempts is the number of polls made.
	Attempts int
	// Err is the poll error behind the failure (a not-found *APIError), or nil.
	Err error
}

func (e *WaitFailedError) Error() string { return e.Op.prefix() + ": " + e.detail() }
func (e *WaitFailedError) detail() string {
	if e.Goal == "" {
		return fmt.Sprintf("image will not become ready: %s (after %d poll(s))", e.Reason, e.Attempts)
	}
	return fmt.Sprintf("will not %s: %s (after %d poll(s))", e.Goal, e.Reason, e.Attempts)
}

// Unwrap returns the poll error behind the failure.
func (e *WaitFailedError) Unwrap() error { return e.Err }

// WaitTimeoutError reports that the maximum wait passed before the image was ready.
type WaitTimeoutError struct {
	Op Operation
	// Goal is what the wait was for ("become ready", "finish", "be deleted").
	Goal    string
	MaxWait time.Duration
	// LastStatus and LastProgress are the last seen ("" and -1 when never seen).
	LastStatus   api.ImageStatus
	LastProgress int
	Attempts     int
	// Image is the last image seen, nil when none; Task the last task seen.
	Image *api.Image
	Task  *api.TaskInfo
}

func (e *WaitTimeoutError) Error() string { return e.Op.prefix() + ": " + e.detail() }
func (e *WaitTimeoutError) detail() string {
	last := "never seen"
	if e.LastStatus != "" {
		last = "last status " + sanitize(string(e.LastStatus), 64)
		if e.LastProgress >= 0 {
			last += ", progress " + strconv.Itoa(e.LastProgress) + "%"
		}
	}
	if e.Goal == "" {
		return fmt.Sprintf("image not ready after %s (%s; %d poll(s))", e.MaxWait, last, e.Attempts)
	}
	return fmt.Sprintf("timed out waiting to %s after %s (%s; %d poll(s))", e.Goal, e.MaxWait, last, e.Attempts)
}

// WaitUntilImageReady polls DescribeImage until the image's status is ready.
//
// The delay between polls starts at the minimum and doubles, with jitter, up to the
// maximum (WithDelays). When the next delay would reach the deadline (start +
// WithMaxWait, which is required), it is shortened so that a last poll happens
// before the deadline. It returns the ready image; a *WaitFailedError when the
// status is error or deleting, when the image is offline, or when it is still not
// found after the grace period (WithNotFoundGrace); a *WaitTimeoutError carrying the
// last status and progress at the deadline; any other DescribeImage error (after
// the client's own retries) as it is. Context cancellation returns at once.
func (c *Client) WaitUntilImageReady(ctx context.Context, regionID, imageID string, opts ...WaitOption) (*api.Image, error) {
	var last *api.Image
	err := c.wait(ctx, waiter{op: Operation{Service: Service, Name: "WaitForImage", Region: regionID, Resource: imageID},
		check: func() error { return checkPathValues(opDescribeImage, regionID, imageID) },
		poll: func(ctx context.Context, o *Observation) (waitState, error) {
			img, _, err := c.DescribeImage(ctx, regionID, imageID)
			if err != nil {
				return waitError, err
			}
			last, o.Image = img, img
			o.Status, o.Progress = statusOf(img)
			return imageState(img, o.Status)
		},
		notFound: waitRetryInGrace,
	}, opts)
	if err != nil {
		return nil, err
	}
	return last, nil
}

// imageState is the rule of an image that should become ready.
func imageState(img *api.Image, status api.ImageStatus) (waitState, error) {
	switch {
	case img.Offline != nil && *img.Offline:
		return waitFailure, errors.New("image is offline")
	case status == api.ImageStatusReady:
		return waitSuccess, nil
	case status == api.ImageStatusError || status == api.ImageStatusDeleting:
		return waitFailure, fmt.Errorf("status %q", status)
	}
	return waitRetry, nil
}

// WaitUntilImageDeleted polls DescribeImage after DeleteImage until the image is
// gone (NOT_FOUND). A status other than deleting after the delete (ready or error:
// the service gave up) is a *WaitFailedError. Options as WaitUntilImageReady's
// (WithNotFoundGrace does not apply).
func (c *Client) WaitUntilImageDeleted(ctx context.Context, regionID, imageID string, opts ...WaitOption) error {
	seenDeleting := false
	return c.wait(ctx, waiter{op: Operation{Service: Service, Name: "WaitForImageDeleted", Region: regionID, Resource: imageID}, goal: "be deleted",
		check: func() error { return checkPathValues(opDescribeImage, regionID, imageID) },
		poll: func(ctx context.Context, o *Observation) (waitState, error) {
			img, _, err := c.DescribeImage(ctx, regionID, imageID)
			if err != nil {
				return waitError, err
			}
			o.Image = img
			o.Status, o.Progress = statusOf(img)
			switch {
			case o.Status == api.ImageStatusDeleting:
				seenDeleting = true
			case seenDeleting && (o.Status == api.ImageStatusError || o.Status == api.ImageStatusReady):
				return waitFailure, fmt.Errorf("status %q after deleting", o.Status)
			}
			return waitRetry, nil
		},
		notFound: waitSucceed,
	}, opts)
}

// WaitUntilTaskFinished polls ImageTasks until an import or export task is finished,
// reporting its progress to WithObserver (Observation.Task, Progress). A failed task
// is a *WaitFailedError naming the task's error; a task not found past the grace
// period too.
func (c *Client) WaitUntilTaskFinished(ctx context.Context, regionID, taskID string, opts ...WaitOption) (*api.TaskInfo, error) {
	var last *api.TaskInfo
	err := c.wait(ctx, waiter{op: Operation{Service: Service, Name: "WaitForImageTask", Region: regionID, Resource: taskID}, goal: "finish",
		check: func() error {
			_, err := c.prepare(tasksCall(&ImageTasksInput{RegionID: regionID, ImageTasksParams: api.ImageTasksParams{TaskIds: []string{taskID}}}))
			return err
		},
		poll: func(ctx context.Context, o *Observation) (waitState, error) {
			res, _, err := c.ImageTasks(ctx, &ImageTasksInput{RegionID: regionID, ImageTasksParams: api.ImageTasksParams{TaskIds: []string{taskID}}})
			if err != nil {
				return waitError, err
			}
			for i := range res.TaskSet {
				if t := &res.TaskSet[i]; t.TaskId == taskID {
					last, o.Task = t, t
					if t.Progress != nil {
						o.Progress = int(*t.Progress)
					}
					o.TaskStatus = t.TaskStatus
					switch o.TaskStatus {
					case api.TaskStatusFinished:
						return waitSuccess, nil
					case api.TaskStatusFailed:
						msg := ""
						if t.ErrorInfo != nil {
							msg = ": " + sanitize(*t.ErrorInfo, 200)
						}
						return waitFailure, errors.New("task failed" + msg)
					}
					return waitRetry, nil
				}
			}
			return waitNotFound, nil
		},
		notFound: waitRetryInGrace,
	}, opts)
	if err != nil {
		return nil, err
	}
	return last, nil
}

// WaitUntilCopiesReady polls DescribeImages in the destination region until every
// copy CopyImages made is ready, and returns them. A copy in error (or deleting, or
// not found past the grace period) is a *WaitFailedError; Observation.Progress is the
// least progress of the copies not yet ready.
func (c *Client) WaitUntilCopiesReady(ctx context.Context, destinationRegion string, copies []api.CopyImage, opts ...WaitOption) ([]api.Image, error) {
	ids := make([]string, len(copies))
	for i, cp := range copies {
		ids[i] = cp.DestinationImageId
	}
	var ready []api.Image
	f := ImageFilter{IDs: ids}
	// One page holds every copy: ids take at most MaxPageSize, the default page 20.
	pg := Page{Size: MaxPageSize}
	err := c.wait(ctx, waiter{op: Operation{Service: Service, Name: "WaitForImageCopies", Region: destinationRegion}, goal: "become ready",
		check: func() error {
			if len(ids) == 0 {
				return &InvalidParameterError{Op: Operation{Name: "WaitForImageCopies"}, Param: "copies", Reason: "is empty"}
			}
			_, err := c.prepare(c.imagesCall(destinationRegion, f, pg))
			return err
		},
		poll: func(ctx context.Context, o *Observation) (waitState, error) {
			res, _, err := c.DescribeImages(ctx, destinationRegion, f, pg)
			if err != nil {
				return waitError, err
			}
			byID := map[string]api.Image{}
			for _, img := range res.Images {
				if img.ImageId != nil {
					byID[*img.ImageId] = img
				}
			}
			o.Images, o.Progress = res.Images, 100
			ready = ready[:0]
			for _, id := range ids {
				img, ok := byID[id]
				if !ok {
					return waitNotFound, nil
				}
				status, progress := statusOf(&img)
				if st, err := imageState(&img, status); st == waitFailure {
					return st, fmt.Errorf("copy %s: %w", id, err)
				} else if st == waitSuccess {
					ready = append(ready, img)
					continue
				}
				o.Status = status
				if progress >= 0 && progress < o.Progress {
					o.Progress = progress
				}
			}
			if len(ready) == len(ids) {
				o.Status = api.ImageStatusReady
				return waitSuccess, nil
			}
			return waitRetry, nil
		},
		notFound: waitRetryInGrace,
	}, opts)
	if err != nil {
		return nil, err
	}
	return ready, nil
}

// checkPathValues checks path values against an operation's path parameters.
func checkPathValues(o *operation, values ...string) error {
	op := Operation{Service: Service, Name: o.name}
	for i, p := range o.pathParams {
		if err := checkPathValue(op, p, values[i]); err != nil {
			return err
		}
	}
	return nil
}

func (c *Client) notify(cfg waitConfig, o Observation) {
	if cfg.observe != nil {
		cfg.observe(o)
	}
}

// waitDelay doubles from the minimum up to the maximum, with up to 50% jitter taken
// off (never below the minimum).
func waitDelay(cfg waitConfig, attempt int, r float64) time.Duration {
	d := cfg.minDelay
	for i := 1; i < attempt && d < cfg.maxDelay; i++ {
		if d > cfg.maxDelay/2 { // doubling would pass the maximum (or wrap)
			d = cfg.maxDelay
			break
		}
		d *= 2
	}
	d = min(d, cfg.maxDelay)
	return max(d-time.Duration(r*float64(d)/2), cfg.minDelay)
}

func statusOf(img *api.Image) (api.ImageStatus, int) {
	var status api.ImageStatus
	if img.Status != nil {
		status = *img.Status
	}
	progress := -1
	if img.Progress != nil {
		if p, err := strconv.Atoi(*img.Progress); err == nil && p >= 0 && p <= 100 {
			progress = p
		}
	}
	return status, progress
}
