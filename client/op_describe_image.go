package client

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/vmimage/vmimage/client/api"
)

// DescribeImage returns the details of one image.
//
// regionID and imageID are checked before anything is sent: an empty, over-long
// value, or one with white space, control characters, '/', '?', '#', '%' or ".."
// gives an *InvalidParameterError naming the parameter. Each id travels
// percent-encoded as one path segment, and the signature covers exactly what is sent.
//
// Failures are typed: *APIError (match it with ErrNotFound, ErrUnauthorized,
// ErrForbidden, ErrThrottled), *UnexpectedResponseError, *RequestError (connection
// failures and the context ending) and *MaxAttemptsError (retries exhausted; it
// unwraps to the last attempt's error). See RetryPolicy for what is retried.
func (c *Client) DescribeImage(ctx context.Context, regionID, imageID string) (*api.Image, *Response, error) {
	res, resp, err := describeImage(ctx, c, regionID, imageID, func(r *imageResult) bool { return r.Image != nil })
	if err != nil {
		return nil, resp, err
	}
	return res.Image, resp, nil
}

// DescribeImageRaw is DescribeImage returning the image's JSON exactly as the service
// sent it, unknown fields included (after checking that it decodes into api.Image).
func (c *Client) DescribeImageRaw(ctx context.Context, regionID, imageID string) (json.RawMessage, *Response, error) {
	res, resp, err := describeImage(ctx, c, regionID, imageID, func(r *rawImageResult) bool {
		var img *api.Image
		return json.Unmarshal(r.Image, &img) == nil && img != nil
	})
	if err != nil {
		return nil, resp, err
	}
	return res.Image, resp, nil
}

// imageResult is api.DescribeImageResult with a pointer, so that a missing image is
// told apart from an empty one; rawImageResult keeps the image as JSON.
type (
	imageResult struct {
		Image *api.Image `json:"image"`
	}
	rawImageResult struct {
		Image json.RawMessage `json:"image"`
	}
)

func describeImage[T any](ctx context.Context, c *Client, regionID, imageID string, hasImage func(*T) bool) (*T, *Response, error) {
	cl := newCall("DescribeImage", "describeImage", regionID, imageID, func(string) (*http.Request, error) {
		return c.pathRequest("regions", regionID, "images", imageID), nil
	})
	if err := checkPathIDs(cl.op, regionID, "imageId", imageID); err != nil {
		return nil, nil, err
	}
	return invoke(ctx, c, cl, func(r *T) string {
		if !hasImage(r) {
			return "result.image"
		}
		return ""
	})
}
