package client

import (
	"context"

	"github.com/vmimage/vmimage/client/api"
)

// CreateImageInput is CreateImage's input: the region, the instance and the
// generated body (Name, Description, DataDisks).
type CreateImageInput struct {
	RegionID   string
	InstanceID string
	api.CreateImageInput
}

// CreateImage makes a private image from an instance and returns its id; the image
// is pending until ready (see WaitUntilImageReady). No idempotency token: it is never
// repeated once its body may have reached the service (*MayHaveSucceededError).
func (c *Client) CreateImage(ctx context.Context, in *CreateImageInput) (*api.CreateImageResult, *Response, error) {
	if in == nil {
		in = &CreateImageInput{}
	}
	return invoke[api.CreateImageResult](ctx, c, &call{op: opCreateImage, region: in.RegionID,
		resource: in.InstanceID, path: []string{in.RegionID, in.InstanceID}, body: &in.CreateImageInput})
}
