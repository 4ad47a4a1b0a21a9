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
		path: []string{in.RegionID, in.ImageID}, body: &in.ShareImageInput})
}
