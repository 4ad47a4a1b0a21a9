package client

import (
	"context"
	"encoding/json"

	"github.com/vmimage/vmimage/client/api"
)

// DescribeImage returns the details of one image.
//
// regionID and imageID are checked before anything is sent, against the spec's
// rules for regionId and imageId (and so that each travels as one path segment): an
// *InvalidParameterError names the parameter. The signature covers exactly what is
// sent.
//
// Failures are typed: *APIError (match it with ErrNotFound, the other status
// sentinels, ErrUnauthorized, ErrForbidden, ErrThrottled), *UnexpectedResponseError,
// *RequestError (connection failures and the context ending) and *MaxAttemptsError
// (retries exhausted; it unwraps to the last attempt's error). See RetryPolicy for
// what is retried.
func (c *Client) DescribeImage(ctx context.Context, regionID, imageID string) (*api.Image, *Response, error) {
	res, resp, err := invoke[api.DescribeImageResult](ctx, c, &call{op: opDescribeImage, region: regionID, resource: imageID, path: []string{regionID, imageID}})
	if err != nil {
		return nil, resp, err
	}
	return &res.Image, resp, nil
}

// DescribeImageRaw is DescribeImage returning the image's JSON exactly as the service
// sent it, unknown fields included (after checking that it decodes into api.Image).
func (c *Client) DescribeImageRaw(ctx context.Context, regionID, imageID string) (json.RawMessage, *Response, error) {
	cl := &call{op: opDescribeImage, region: regionID, resource: imageID, path: []string{regionID, imageID}}
	res, resp, err := invoke[struct {
		Image json.RawMessage `json:"image"`
	}](ctx, c, cl)
	if err != nil {
		return nil, resp, err
	}
	var img api.Image
	if err := json.Unmarshal(res.Image, &img); err != nil {
		err = unexpected(cl.operation(), resp.StatusCode, resp.Header, res.Image, resp.RequestID, "result.image is not an image: "+jsonErrorText(err), err)
		redactBodyError(err, res.Image, c.secrets, cl.signature)
		return nil, resp, err
	}
	return res.Image, resp, nil
}
