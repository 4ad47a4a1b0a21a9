package client

import (
	"context"

	"github.com/vmimage/vmimage/client/api"
)

// CreateImageFromSnapshotsInput is CreateImageFromSnapshots' input: the region and
// the generated body. ClientToken may be left nil: the client makes one.
type CreateImageFromSnapshotsInput struct {
	RegionID string
	api.CreateImageFromSnapshotsInput
}

// CreateImageFromSnapshots makes a private image from disk snapshots and returns its
// id. It carries a clientToken (the caller's, or one the client makes, the same on
// every attempt; Response.ClientToken says which), so every attempt may be repeated.
func (c *Client) CreateImageFromSnapshots(ctx context.Context, in *CreateImageFromSnapshotsInput) (*api.CreateImageResult, *Response, error) {
	if in == nil {
		in = &CreateImageFromSnapshotsInput{}
	}
	return invoke[api.CreateImageResult](ctx, c, &call{op: opCreateImageFromSnapshots, region: in.RegionID,
		resource: in.Name, path: []string{in.RegionID}, body: &in.CreateImageFromSnapshotsInput})
}
