package client

import (
	"context"

	"github.com/vmimage/vmimage/client/api"
)

// DescribeImageMembers returns the accounts (pins and login names) a private image is
// shared with. Parameters are checked and failures typed as for DescribeImage.
func (c *Client) DescribeImageMembers(ctx context.Context, regionID, imageID string) (*api.DescribeImageMembersResult, *Response, error) {
	return invoke[api.DescribeImageMembersResult](ctx, c, &call{op: opDescribeImageMembers, region: regionID, resource: imageID, path: []string{regionID, imageID}})
}
