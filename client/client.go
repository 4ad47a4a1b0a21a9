package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"runtime"

	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/credentials"
	"github.com/vmimage/vmimage/signer"
)

// Client calls DescribeImage. It is safe for concurrent use; create one and share it.
type Client struct {
	endpoint  *url.URL
	raw       *api.Client
	signer    *signer.Signer
	source    string
	region    string
	cfg       config
	http      *http.Client
	budget    *budget
	limiter   *limiter
	userAgent string
}

// New returns a Client. Credentials come from WithCredentials or, when it is not
// given, from the chain documented in package credentials (environment, then the jdc
// profile file); New fails when none is found. Every option is validated.
func New(opts ...Option) (*Client, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("vmimage: new client: nil Option")
		}
		if err := o(&cfg); err != nil {
			return nil, fmt.Errorf("vmimage: new client: %w", err)
		}
	}
	res, err := credentials.Resolve(credentials.Config{Explicit: cfg.creds, Profile: cfg.profile})
	if err != nil {
		return nil, fmt.Errorf("vmimage: new client: %w", err)
	}
	endpoint := cfg.endpoint
	if endpoint == DefaultEndpoint && res.Endpoint != "" && cfg.creds == nil {
		endpoint = res.Endpoint
	}
	u, err := parseEndpoint(endpoint, !cfg.insecure)
	if err != nil {
		return nil, fmt.Errorf("vmimage: new client: endpoint: %w", err)
	}
	c := &Client{
		endpoint: u,
		signer:   signer.New(res.Credentials, Service),
		source:   res.Source,
		region:   res.Region,
		cfg:      cfg,
		http:     prepareHTTPClient(cfg.httpClient, cfg.attemptTimeout),
		budget:   newBudget(cfg.retry.Budget),
		limiter:  newLimiter(cfg.rateLimit, cfg.rateBurst, cfg.clock),
	}
	c.userAgent = fmt.Sprintf("vmimage-go/%s (%s; %s/%s)", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if cfg.uaSuffix != "" {
		c.userAgent += " " + cfg.uaSuffix
	}
	raw, err := api.NewClient(u.String()+"/v1/", api.WithHTTPClient(&doer{c: c}))
	if err != nil {
		return nil, fmt.Errorf("vmimage: new client: %w", err)
	}
	c.raw = raw
	return c, nil
}

// Endpoint returns the base URL requests go to (without /v1).
func (c *Client) Endpoint() string { return c.endpoint.String() }

// CredentialSource says where the credentials came from ("explicit",
// "environment", or the profile and file). It never contains a secret.
func (c *Client) CredentialSource() string { return c.source }

// DefaultRegion returns the region named with the credentials (JDCLOUD_REGION or the
// profile's region_id), "" when none.
func (c *Client) DefaultRegion() string { return c.region }

// DescribeImage returns the details of one image and the request id of the
// response that carried them.
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
func (c *Client) DescribeImage(ctx context.Context, regionID, imageID string) (*api.Image, string, error) {
	img, reqID, _, err := c.describe(ctx, regionID, imageID)
	return img, reqID, err
}

// DescribeImageRaw is DescribeImage returning the image's JSON exactly as the service
// sent it, unknown fields included (after checking that it decodes into api.Image).
func (c *Client) DescribeImageRaw(ctx context.Context, regionID, imageID string) (json.RawMessage, string, error) {
	_, reqID, body, err := c.describe(ctx, regionID, imageID)
	if err != nil {
		return nil, reqID, err
	}
	var env struct {
		Result struct {
			Image json.RawMessage `json:"image"`
		} `json:"result"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, reqID, fmt.Errorf("vmimage: describe image %s: %w", imageID, err)
	}
	return env.Result.Image, reqID, nil
}

// describe makes the call and returns the image, the request id and the body.
func (c *Client) describe(ctx context.Context, regionID, imageID string) (*api.Image, string, []byte, error) {
	op := Operation{Name: "describe image", Region: regionID, ImageID: imageID}
	if err := checkID(op, "regionId", regionID, MaxRegionIDLength); err != nil {
		return nil, "", nil, err
	}
	if err := checkID(op, "imageId", imageID, MaxImageIDLength); err != nil {
		return nil, "", nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, "", nil, &RequestError{Op: op, Err: err}
	}
	st := &callState{op: op, region: regionID}
	resp, err := c.raw.DescribeImage(withCallState(ctx, st), regionID, imageID)
	if err != nil {
		return nil, "", nil, unwrapDoerError(op, err)
	}
	img, reqID, err := decodeResponse(st, resp, c.cfg.clock.Now())
	return img, reqID, st.body, err
}

// unwrapDoerError passes the doer's typed errors through and wraps anything else
// (a failure to build the request) in a *RequestError.
func unwrapDoerError(op Operation, err error) error {
	switch err.(type) {
	case *RequestError, *APIError, *UnexpectedResponseError, *MaxAttemptsError, *InvalidParameterError:
		return err
	}
	return &RequestError{Op: op, Err: err}
}
