package client

import (
	"context"

	"github.com/vmimage/vmimage/client/api"
)

// DeleteImageInput is DeleteImage's input.
type DeleteImageInput struct {
	RegionID, ImageID string
	// DeleteSnapshot also deletes the image's snapshots.
	DeleteSnapshot bool
}

// DeleteImage deletes a private image (deleting, then gone: see
// WaitUntilImageDeleted). A DELETE is retried like a read; when an answer was lost
// and a retry finds the image gone, the 404 is returned as it is (errors.Is(err,
// ErrNotFound)) with Response.Attempts above 1, so the caller can tell.
func (c *Client) DeleteImage(ctx context.Context, in *DeleteImageInput) (*VoidResult, *Response, error) {
	if in == nil {
		in = &DeleteImageInput{}
	}
	return invoke[VoidResult](ctx, c, &call{op: opDeleteImage, region: in.RegionID, resource: in.ImageID,
		path: []string{in.RegionID, in.ImageID}, params: &api.DeleteImageParams{DeleteSnapshot: ptrIf(in.DeleteSnapshot)}})
}
