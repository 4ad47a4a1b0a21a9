package client

import "context"

// ReleaseImage publishes a ready private image as a community image (revoking its
// shares). No idempotency token: it is never repeated once it may have reached the
// service (*MayHaveSucceededError).
func (c *Client) ReleaseImage(ctx context.Context, regionID, imageID string) (*VoidResult, *Response, error) {
	return invoke[VoidResult](ctx, c, &call{op: opReleaseImage, region: regionID, resource: imageID, path: []string{regionID, imageID}})
}

// UnReleaseImage withdraws a community image back to private. No idempotency token:
// it is never repeated once it may have reached the service (*MayHaveSucceededError).
func (c *Client) UnReleaseImage(ctx context.Context, regionID, imageID string) (*VoidResult, *Response, error) {
	return invoke[VoidResult](ctx, c, &call{op: opUnReleaseImage, region: regionID, resource: imageID, path: []string{regionID, imageID}})
}
