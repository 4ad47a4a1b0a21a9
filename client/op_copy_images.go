package client

import (
	"context"
	"strings"

	"github.com/vmimage/vmimage/client/api"
)

// CopyImagesInput is CopyImages' input: the source region and the generated body
// (SourceImageIds, DestinationRegion, Name, Description). The body's RegionId, a copy
// of the path's, is never sent.
type CopyImagesInput struct {
	RegionID string
	api.CopyImagesInput
}

// CopyImages copies up to 10 ready private images of a region to DestinationRegion
// and returns the new image ids; each copy is pending in its region until ready (see
// WaitUntilCopiesReady). The call has no idempotency token: it is never repeated once
// its body may have reached the service, and such a failure is a
// *MayHaveSucceededError (errors.Is(err, ErrMayHaveSucceeded)). Every field is checked
// against the spec before sending.
func (c *Client) CopyImages(ctx context.Context, in *CopyImagesInput) (*api.CopyImagesResult, *Response, error) {
	if in == nil {
		in = &CopyImagesInput{}
	}
	return invoke[api.CopyImagesResult](ctx, c, &call{op: opCopyImages, region: in.RegionID,
		resource: strings.Join(in.SourceImageIds, ","), path: []string{in.RegionID}, body: &in.CopyImagesInput})
}
