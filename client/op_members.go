package client

import (
	"context"
	"net/http"

	"github.com/vmimage/vmimage/client/api"
)

// DescribeImageMembers returns the accounts (pins and login names) a private image is
// shared with. Parameters are checked and failures typed as for DescribeImage.
func (c *Client) DescribeImageMembers(ctx context.Context, regionID, imageID string) (*api.DescribeImageMembersResult, *Response, error) {
	cl := newCall("DescribeImageMembers", "describeImageMembers", regionID, imageID, func(string) (*http.Request, error) {
		return c.pathRequest("regions", regionID, "images", imageID, "members"), nil
	})
	if err := checkPathIDs(cl.op, regionID, "imageId", imageID); err != nil {
		return nil, nil, err
	}
	return invoke[api.DescribeImageMembersResult](ctx, c, cl, nil)
}
