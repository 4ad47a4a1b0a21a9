package client

import (
	"context"
	"net/http"
	"strings"

	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/internal/apiclient"
)

// DescribeImageConstraints returns which instance types an image may be launched on:
// with ConstraintsType "excludes" every type but the listed ones, with "includes"
// only the listed ones. Parameters are checked and failures typed as for
// DescribeImage.
func (c *Client) DescribeImageConstraints(ctx context.Context, regionID, imageID string) (*api.ImageConstraint, *Response, error) {
	cl := newCall("DescribeImageConstraints", "describeImageConstraints", regionID, imageID, func(string) (*http.Request, error) {
		return c.pathRequest("regions", regionID, "images", imageID, "constraints"), nil
	})
	if err := checkPathIDs(cl.op, regionID, "imageId", imageID); err != nil {
		return nil, nil, err
	}
	res, resp, err := invoke(ctx, c, cl, func(r *constraintResult) string {
		if r.ImageConstraints == nil {
			return "result.imageConstraints"
		}
		return ""
	})
	if err != nil {
		return nil, resp, err
	}
	return res.ImageConstraints, resp, nil
}

// constraintResult is api.DescribeImageConstraintsResult with a pointer, so that a
// missing constraint is told apart from an empty one.
type constraintResult struct {
	ImageConstraints *api.ImageConstraint `json:"imageConstraints"`
}

// DescribeImageConstraintsBatch returns the constraints of several public or
// third-party images in one call (at most MaxIDs ids); with no ids, of every such
// image that has constraints. Images without constraints are left out of the list.
func (c *Client) DescribeImageConstraintsBatch(ctx context.Context, regionID string, imageIDs []string) ([]api.ImageConstraint, *Response, error) {
	cl := newCall("DescribeImageConstraintsBatch", "describeImageConstraintsBatch", regionID, strings.Join(imageIDs, ","), func(server string) (*http.Request, error) {
		params := &api.DescribeImageConstraintsBatchParams{}
		if len(imageIDs) > 0 {
			params.Ids = imageIDs
		}
		return apiclient.NewDescribeImageConstraintsBatchRequest(server, regionID, params)
	})
	if err := checkRegionID(cl.op, regionID); err != nil {
		return nil, nil, err
	}
	if err := checkIDList(cl.op, "ids", imageIDs); err != nil {
		return nil, nil, err
	}
	res, resp, err := invoke[api.DescribeImageConstraintsBatchResult](ctx, c, cl, nil)
	if err != nil {
		return nil, resp, err
	}
	return res.ImageConstraints, resp, nil
}
