package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/vmimage/vmimage/client/api"
)

// waitState is what one poll of a waiter says.
type waitState uint8

const (
	// waitRetry: not there yet, poll again.
	waitRetry waitState = iota
	// waitSuccess: the resource reached the goal.
	waitSuccess
	// waitFailure: the resource will not reach it (the poll's error says why).
	waitFailure
	// waitNotFound: the resource is not (or no longer) there.
	waitNotFound
	// waitError: the poll failed (its error is returned as it is, unless it is a
	// not-found the waiter's notFound rule handles).
	waitError
)

// notFoundRule says what a waiter does when the resource is not found.
type notFoundRule uint8

const (
	// waitRetryInGrace tolerates not-found within the grace period, then fails.
	waitRetryInGrace notFoundRule = iota
	// waitSucceed makes not-found the goal (a resource gone).
	waitSucceed
)

// waiter is one resource's rules for the generic waiter, in the style of the AWS
// SDKs' waiters: a poll, its success and failure rules, and what not-found means.
type waiter struct {
	op   Operation
	goal string
	// check checks the parameters before the first poll.
	check func() error
	// poll makes one poll, fills the observation and classifies it.
	poll     func(ctx context.Context, o *Observation) (waitState, error)
	notFound notFoundRule
}

// wait is the generic waiter loop: delays doubling with jitter from the minimum to the
// maximum, a last poll before the deadline, observations reported, typed failures.
func (c *Client) wait(ctx context.Context, w waiter, opts []WaitOption) error {
	cfg := waitConfig{minDelay: DefaultWaitMinDelay, maxDelay: DefaultWaitMaxDelay, grace: DefaultWaitNotFoundGrace}
	for _, o := range opts {
		if o == nil {
			return &InvalidParameterError{Op: w.op, Param: "opts", Reason: "nil WaitOption"}
		}
		if err := o(&cfg); err != nil {
			return &InvalidParameterError{Op: w.op, Param: "opts", Reason: err.Error()}
		}
	}
	if cfg.maxWait <= 0 {
		return &InvalidParameterError{Op: w.op, Param: "opts", Reason: "WithMaxWait is required"}
	}
	if err := w.check(); err != nil {
		if ipe, ok := err.(*InvalidParameterError); ok {
			ipe.Op = w.op
		}
		return err
	}
	clock := c.cfg.clock
	start := clock.Now()
	deadline := start.Add(cfg.maxWait)
	timeout := &WaitTimeoutError{Op: w.op, Goal: w.goal, MaxWait: cfg.maxWait, LastProgress: -1}
	lastPoll := false
	for attempt := 1; ; attempt++ {
		obs := Observation{Attempt: attempt, Progress: -1}
		state, err := w.poll(ctx, &obs)
		obs.Elapsed = clock.Now().Sub(start)
		timeout.Attempts = attempt
		if state == waitError && errors.Is(err, ErrNotFound) {
			state = waitNotFound
		}
		if state == waitNotFound {
			if w.notFound == waitSucceed {
				c.notify(cfg, obs)
				return nil
			}
			if obs.Elapsed >= cfg.grace {
				c.notify(cfg, obs)
				return &WaitFailedError{Op: w.op, Goal: w.goal, Reason: fmt.Sprintf("not found after the %s grace period", cfg.grace), Attempts: attempt, Err: err}
			}
			obs.Err = err
		}
		switch state {
		case waitError:
			c.notify(cfg, obs)
			return err
		case waitSuccess:
			c.notify(cfg, obs)
			return nil
		case waitFailure:
			c.notify(cfg, obs)
			return &WaitFailedError{Op: w.op, Goal: w.goal, Reason: err.Error(), Image: obs.Image, Task: obs.Task, Attempts: attempt}
		}
		if obs.Image != nil || obs.Task != nil || obs.Images != nil {
			timeout.LastStatus, timeout.LastProgress, timeout.Image, timeout.Task = obs.Status, obs.Progress, obs.Image, obs.Task
			if obs.Task != nil {
				timeout.LastStatus = api.ImageStatus(obs.TaskStatus)
			}
		}
		remaining := deadline.Sub(clock.Now())
		if lastPoll || remaining <= 0 {
			c.notify(cfg, obs)
			return timeout
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
			return &RequestError{Op: w.op, Attempts: attempt, Err: err}
		}
	}
}
