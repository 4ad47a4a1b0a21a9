package client

import (
	"context"
	"strings"

	"github.com/vmimage/vmimage/client/api"
)

// DescribeImageConstraints returns which instance types an image may be launched on:
// with ConstraintsType "excludes" every type but the listed ones, with "includes"
// only the listed ones. Parameters are checked and failures typed as for
// DescribeImage.
func (c *Client) DescribeImageConstraints(ctx context.Context, regionID, imageID string) (*api.ImageConstraint, *Response, error) {
	res, resp, err := invoke[api.DescribeImageConstraintsResult](ctx, c, &call{op: opDescribeImageConstraints, region: regionID, resource: imageID, path: []string{regionID, imageID}})
	if err != nil {
		return nil, resp, err
	}
	return &res.ImageConstraints, resp, nil
}

// DescribeImageConstraintsBatch returns the constraints of several public or
// third-party images in one call (at most MaxIDs ids); with no ids, of every such
// image that has constraints. Images without constraints are left out of the list.
func (c *Client) DescribeImageConstraintsBatch(ctx context.Context, regionID string, imageIDs []string) ([]api.ImageConstraint, *Response, error) {
	res, resp, err := invoke[api.DescribeImageConstraintsBatchResult](ctx, c, &call{op: opDescribeImageConstraintsBatch, region: regionID,
		resource: strings.Join(imageIDs, ","), path: []string{regionID}, params: &api.DescribeImageConstraintsBatchParams{Ids: imageIDs}})
	if err != nil {
		return nil, resp, err
	}
	return res.ImageConstraints, resp, nil
}
