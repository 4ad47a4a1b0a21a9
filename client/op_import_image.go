package client

import (
	"context"

	"github.com/vmimage/vmimage/client/api"
)

// ImportImageInput is ImportImage's input: the region and the generated body.
// ClientToken may be left nil: the client makes one.
type ImportImageInput struct {
	RegionID string
	api.ImportImageInput
}

// ImportImage imports an image file from object storage and returns the image and
// its import task (see WaitUntilTaskFinished). It carries a clientToken, so it is
// retried.
func (c *Client) ImportImage(ctx context.Context, in *ImportImageInput) (*api.ImportImageResult, *Response, error) {
	if in == nil {
		in = &ImportImageInput{}
	}
	return invoke[api.ImportImageResult](ctx, c, &call{op: opImportImage, region: in.RegionID, resource: in.ImageName,
		path: []string{in.RegionID}, body: &in.ImportImageInput})
}
