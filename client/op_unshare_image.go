package client

import (
	"context"

	"github.com/vmimage/vmimage/client/api"
)

// UnShareImageInput is UnShareImage's input: the region, the image and the generated
// body (Pins and/or LoginNames).
type UnShareImageInput struct {
	RegionID, ImageID string
	api.UnShareImageInput
}

// UnShareImage stops sharing a private image with accounts. It is retried.
func (c *Client) UnShareImage(ctx context.Context, in *UnShareImageInput) (*VoidResult, *Response, error) {
	if in == nil {
		in = &UnShareImageInput{}
	}
	return invoke[VoidResult](ctx, c, &call{op: opUnShareImage, region: in.RegionID, resource: in.ImageID,
		path: []string{in.RegionID, in.ImageID}, body: &in.UnShareImageInput,
		check: func(op Operation) error { return checkAccounts(op, in.Pins, in.LoginNames) }})
}
