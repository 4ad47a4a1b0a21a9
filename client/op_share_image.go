package client

import (
	"context"

	"github.com/vmimage/vmimage/client/api"
)

// ShareImageInput is ShareImage's input: the region, the image and the generated body
// (Pins and/or LoginNames).
type ShareImageInput struct {
	RegionID, ImageID string
	api.ShareImageInput
}

// ShareImage shares a private image with accounts (by pin or login name). Sharing
// again changes nothing, so it is retried.
func (c *Client) ShareImage(ctx context.Context, in *ShareImageInput) (*VoidResult, *Response, error) {
	if in == nil {
		in = &ShareImageInput{}
	}
	return invoke[VoidResult](ctx, c, &call{op: opShareImage, region: in.RegionID, resource: in.ImageID,
		path: []string{in.RegionID, in.ImageID}, body: &in.ShareImageInput,
		check: func(op Operation) error { return checkAccounts(op, in.Pins, in.LoginNames) }})
}

// checkAccounts is the rule ShareImageInput and UnShareImageInput state in words in
// the spec: pins, loginNames or both, at least one non-empty.
func checkAccounts(op Operation, pins, loginNames []string) error {
	if len(pins) == 0 && len(loginNames) == 0 {
		return &InvalidParameterError{Op: op, Param: "pins", Reason: "is required unless loginNames are given"}
	}
	return nil
}
