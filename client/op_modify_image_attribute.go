package client

import (
	"context"

	"github.com/vmimage/vmimage/client/api"
)

// ModifyImageAttributeInput is ModifyImageAttribute's input: the region, the image
// and the generated body (Name, Description).
type ModifyImageAttributeInput struct {
	RegionID, ImageID string
	api.ModifyImageAttributeInput
}

// ModifyImageAttribute renames an image or changes its description. It is safe to
// repeat, so it is retried.
func (c *Client) ModifyImageAttribute(ctx context.Context, in *ModifyImageAttributeInput) (*VoidResult, *Response, error) {
	if in == nil {
		in = &ModifyImageAttributeInput{}
	}
	return invoke[VoidResult](ctx, c, &call{op: opModifyImageAttribute, region: in.RegionID, resource: in.ImageID,
		path: []string{in.RegionID, in.ImageID}, body: &in.ModifyImageAttributeInput})
}
