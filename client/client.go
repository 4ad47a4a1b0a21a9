package client

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime"

	"github.com/vmimage/vmimage/credentials"
	"github.com/vmimage/vmimage/signer"
)

// Client calls the image read API of JD Cloud Virtual Machines. It is safe for
// concurrent use; create one and share it.
//
// Every call goes through one pipeline (rate limit, build, sign every attempt
// afresh, send, bounded read, classify, retry, decode) and returns the same shape:
// the result, a *Response with the call's metadata, and an error.
type Client struct {
	endpoint *url.URL
	server   string // endpoint + "/v1/", the generated request builders' server
	signer   *signer.Signer
	source   string
	sources  Sources
	region   string
	cfg      config
	// rt sends every attempt: the HTTP client's transport, used directly (with or
	// without a cookie jar), as redirects are never followed and the per-attempt
	// timeout is the attempt's context deadline.
	rt http.RoundTripper
	// jar is the HTTP client's cookie jar (nil: none), applied to every attempt as
	// http.Client applies it.
	jar       http.CookieJar
	budget    *budget
	limiter   *limiter
	userAgent []string
	// secrets are redacted from every body excerpt and message an error carries: the
	// access key, the secret key and the security token (raw and base64), as a proxy
	// may echo them.
	secrets []string
}

// New returns a Client. Credentials come from WithCredentials or, when it is not
// given, from the chain documented in package credentials (environment, then the jdc
// profile file); New fails when none is found. Every option is validated.
func New(opts ...Option) (*Client, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			return nil, &OptionError{Err: errors.New("nil Option")}
		}
		if err := o(&cfg); err != nil {
			return nil, &OptionError{Err: err}
		}
	}
	res, err := credentials.Resolve(credentials.Config{Explicit: cfg.creds, Profile: cfg.profile, Region: cfg.region, Endpoint: cfg.endpoint})
	if err != nil {
		return nil, fmt.Errorf("vmimage: new client: %w", err)
	}
	endpoint, endpointSource := res.Endpoint, res.EndpointSource
	if endpoint == "" {
		endpoint, endpointSource = DefaultEndpoint, "default"
	}
	u, err := parseEndpoint(endpoint, !cfg.insecure)
	if err != nil {
		return nil, &OptionError{Err: fmt.Errorf("endpoint: %w", err)}
	}
	if res.Timeout > 0 && !cfg.attemptTimeoutSet {
		cfg.attemptTimeout = res.Timeout
	}
	ua := fmt.Sprintf("vmimage-go/%s (%s; %s/%s)", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if cfg.uaSuffix != "" {
		ua += " " + cfg.uaSuffix
	}
	hc := prepareHTTPClient(cfg.httpClient, cfg.attemptTimeout)
	cfg.attemptTimeout = hc.Timeout // a shorter Timeout of the caller's client stays
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	var signerOpts []signer.Option
	if cfg.algorithm != "" {
		signerOpts = append(signerOpts, signer.WithAlgorithm(cfg.algorithm))
	}
	return &Client{
		endpoint:  u,
		server:    u.String() + "/v1/",
		signer:    signer.New(res.Credentials, Service, signerOpts...),
		source:    res.Source,
		sources:   Sources{Credentials: res.Source, Region: res.RegionSource, Endpoint: endpointSource},
		region:    res.Region,
		cfg:       cfg,
		rt:        rt,
		jar:       hc.Jar,
		budget:    newBudget(cfg.retry.Budget),
		limiter:   newLimiter(cfg.rateLimit, cfg.rateBurst, cfg.clock),
		userAgent: []string{ua},
		secrets:   secretsOf(res.Credentials),
	}, nil
}

func secretsOf(c signer.Credentials) []string {
	out := []string{c.AccessKey, c.SecretKey}
	if c.SecurityToken != "" {
		out = append(out, c.SecurityToken, base64.StdEncoding.EncodeToString([]byte(c.SecurityToken)))
	}
	return out
}

// Endpoint returns the base URL requests go to (without /v1).
func (c *Client) Endpoint() string { return c.endpoint.String() }

// CredentialSource says where the credentials came from ("explicit",
// "environment", or the profile and file). It never contains a secret.
func (c *Client) CredentialSource() string { return c.source }

// DefaultRegion returns the default region: WithRegion, else JDCLOUD_REGION, else
// the profile's region_id (whatever gave the credentials); "" when none.
func (c *Client) DefaultRegion() string { return c.region }

// Sources says where a client's settings came from. Each is "explicit" (an option
// given in code), "environment" (naming the variable for the region), a profile
// ("profile \"NAME\" in PATH"), "default" for the default endpoint, or "" for a
// region no source had. None ever contains a secret.
type Sources struct {
	Credentials, Region, Endpoint string
}

// Sources returns where the credentials, the default region and the endpoint came from.
func (c *Client) Sources() Sources { return c.sources }
