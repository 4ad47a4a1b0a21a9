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
	// Status and Progress (percent; -1 when unknown) are read from Image.
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

// WaitOption configures WaitUntilImageReady.
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
	// Reason says why, e.g. `status "error"`.
	Reason string
	// Image is the last image seen (nil when it was never found).
	Image *api.Image
	// Attempts is the number of polls made.
	Attempts int
	// Err is the poll error behind the failure (a not-found *APIError), or nil.
	Err error
}

func (e *WaitFailedError) Error() string { return e.Op.prefix() + ": " + e.detail() }
func (e *WaitFailedError) detail() string {
	return fmt.Sprintf("image will not become ready: %s (after %d poll(s))", e.Reason, e.Attempts)
}

// Unwrap returns the poll error behind the failure.
func (e *WaitFailedError) Unwrap() error { return e.Err }

// WaitTimeoutError reports that the maximum wait passed before the image was ready.
type WaitTimeoutError struct {
	Op      Operation
	MaxWait time.Duration
	// LastStatus and LastProgress are the last seen ("" and -1 when never seen).
	LastStatus   api.ImageStatus
	LastProgress int
	Attempts     int
	// Image is the last image seen, nil when none.
	Image *api.Image
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
	return fmt.Sprintf("image not ready after %s (%s; %d poll(s))", e.MaxWait, last, e.Attempts)
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
	op := Operation{Service: Service, Name: "WaitForImage", Region: regionID, Resource: imageID}
	cfg := waitConfig{minDelay: DefaultWaitMinDelay, maxDelay: DefaultWaitMaxDelay, grace: DefaultWaitNotFoundGrace}
	for _, o := range opts {
		if o == nil {
			return nil, &InvalidParameterError{Op: op, Param: "opts", Reason: "nil WaitOption"}
		}
		if err := o(&cfg); err != nil {
			return nil, &InvalidParameterError{Op: op, Param: "opts", Reason: err.Error()}
		}
	}
	if cfg.maxWait <= 0 {
		return nil, &InvalidParameterError{Op: op, Param: "opts", Reason: "WithMaxWait is required"}
	}
	if err := checkPathIDs(op, regionID, "imageId", imageID); err != nil {
		return nil, err
	}
	clock := c.cfg.clock
	start := clock.Now()
	deadline := start.Add(cfg.maxWait)
	timeout := &WaitTimeoutError{Op: op, MaxWait: cfg.maxWait, LastProgress: -1}
	lastPoll := false
	for attempt := 1; ; attempt++ {
		img, _, err := c.DescribeImage(ctx, regionID, imageID)
		obs := Observation{Attempt: attempt, Image: img, Progress: -1, Elapsed: clock.Now().Sub(start)}
		timeout.Attempts = attempt
		switch {
		case errors.Is(err, ErrNotFound) && obs.Elapsed < cfg.grace:
			obs.Err = err
		case errors.Is(err, ErrNotFound):
			c.notify(cfg, obs)
			return nil, &WaitFailedError{Op: op, Reason: fmt.Sprintf("not found after the %s grace period", cfg.grace), Attempts: attempt, Err: err}
		case err != nil:
			c.notify(cfg, obs)
			return nil, err
		default:
			obs.Status, obs.Progress = statusOf(img)
			timeout.LastStatus, timeout.LastProgress, timeout.Image = obs.Status, obs.Progress, img
			var reason string
			switch {
			case img.Offline != nil && *img.Offline:
				reason = "image is offline"
			case obs.Status == api.ImageStatusReady:
				c.notify(cfg, obs)
				return img, nil
			case obs.Status == api.ImageStatusError || obs.Status == api.ImageStatusDeleting:
				reason = fmt.Sprintf("status %q", obs.Status)
			}
			if reason != "" {
				c.notify(cfg, obs)
				return nil, &WaitFailedError{Op: op, Reason: reason, Image: img, Attempts: attempt}
			}
		}
		remaining := deadline.Sub(clock.Now())
		if lastPoll || remaining <= 0 {
			c.notify(cfg, obs)
			return nil, timeout
		}
		delay := waitDelay(cfg, attempt, c.cfg.random())
		if delay >= remaining {
			// Shorten the wait so that the last poll lands before the deadline.
			delay = max(remaining-min(cfg.minDelay, remaining)/2, 0)
			lastPoll = true
		}
		obs.NextDelay = delay
		c.notify(cfg, obs)
		if err := clock.Sleep(ctx, delay); err != nil {
			return nil, &RequestError{Op: op, Attempts: attempt, Err: err}
		}
	}
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
