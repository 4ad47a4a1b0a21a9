package client

import (
	"context"

	"github.com/vmimage/vmimage/client/api"
)

// ExportImageInput is ExportImage's input: the region, the image and the generated
// body. ClientToken may be left nil: the client makes one.
type ExportImageInput struct {
	RegionID, ImageID string
	api.ExportImageInput
}

// ExportImage exports an image to object storage and returns the export task's id
// (see WaitUntilTaskFinished). It carries a clientToken, so it is retried.
func (c *Client) ExportImage(ctx context.Context, in *ExportImageInput) (*api.ExportImageResult, *Response, error) {
	if in == nil {
		in = &ExportImageInput{}
	}
	return invoke[api.ExportImageResult](ctx, c, &call{op: opExportImage, region: in.RegionID, resource: in.ImageID,
		path: []string{in.RegionID, in.ImageID}, body: &in.ExportImageInput})
}
