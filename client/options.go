package client

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vmimage/vmimage/credentials"
	"github.com/vmimage/vmimage/signer"
)

// Defaults of a Client, exported so callers can see and reuse them.
const (
	// DefaultEndpoint is the Virtual Machines service endpoint.
	DefaultEndpoint = "https://vm.jdcloud-api.com"
	// DefaultAttemptTimeout bounds one attempt: connect, send, and read the body.
	DefaultAttemptTimeout = 10 * time.Second
	// DefaultMaxResponseBytes bounds a response body.
	DefaultMaxResponseBytes int64 = 10 << 20
	// DefaultRateLimit is the client-side limit on attempts per second: none. JD
	// Cloud documents no such limit, and throttling (429, Retry-After) is handled by
	// the retries and the retry budget. See WithRateLimit for when to set one.
	DefaultRateLimit = 0.0
	// DefaultMaxConnsPerHost caps the connections the default transport opens to the
	// service (and keeps as many idle): far above what the rate limit needs, and a
	// bound on what a burst of goroutines can open.
	DefaultMaxConnsPerHost = 64
	// Service is the service name in the signature scope.
	Service = "vm"
	// Version is this client's version, sent in the User-Agent.
	Version = "0.1.0"
)

// ErrPlainHTTP matches the error of New for a plain-http endpoint on a host where it
// is not allowed without WithInsecureHTTP.
var ErrPlainHTTP = errors.New("plain http is only allowed for loopback or vm.internal.<region>.jdcloud-api.com")

// DocumentedRegions returns the regions JD Cloud documents for the service, a fresh
// slice each call. The list is open: other region ids are sent as given.
func DocumentedRegions() []string {
	return []string{"cn-north-1", "cn-east-1", "cn-east-2", "cn-south-1"}
}

// OptionError reports an Option that New refused; it unwraps to the option's error.
type OptionError struct{ Err error }

func (e *OptionError) Error() string { return "vmimage: new client: " + e.Err.Error() }

// Unwrap returns the option's error.
func (e *OptionError) Unwrap() error { return e.Err }

// Option configures a Client. Options validate their input: New fails with an error
// naming the option when one is wrong.
type Option func(*config) error

type config struct {
	// attemptTimeoutSet is true when WithAttemptTimeout was given (a profile's
	// timeout then does not apply).
	attemptTimeoutSet bool
	creds             *signer.Credentials
	profile           string
	region            string
	endpoint          string // "" leaves it to the profile, then DefaultEndpoint
	insecure          bool
	httpClient        *http.Client
	attemptTimeout    time.Duration
	retry             RetryPolicy
	maxBody           int64
	logger            *slog.Logger
	uaSuffix          string
	clock             Clock
	random            func() float64
	rateLimit         float64
	rateBurst         int
	algorithm         signer.Algorithm // "" until WithSignatureAlgorithm: signer.DefaultAlgorithm()
	pagesInFlight     int              // 0: DefaultPagesInFlight
	onSuccess         func(Operation, *Response)
}

// WithSuccessObserver calls f once for each call whose last attempt got a 2xx
// answer, with the call's operation and Response (whose Body is the service's
// envelope as received), before the result is decoded. f runs in the goroutine that made the call, before the call
// returns, so calls made one after another are observed in that order; calls made
// concurrently (a paginator's pages in flight, a caller's goroutines) may be observed
// in any order, and f must then be safe for concurrent use. f must not keep or change
// the Response: it is the caller's. A nil f is refused.
func WithSuccessObserver(f func(op Operation, resp *Response)) Option {
	return func(cfg *config) error {
		if f == nil {
			return errors.New("WithSuccessObserver: nil function")
		}
		cfg.onSuccess = f
		return nil
	}
}

// WithCredentials sets explicit credentials, the first link of the credential chain.
func WithCredentials(c signer.Credentials) Option {
	return func(cfg *config) error {
		if err := c.Validate(); err != nil {
			return fmt.Errorf("WithCredentials: %w", err)
		}
		cp := c
		cfg.creds = &cp
		return nil
	}
}

// WithSignatureAlgorithm sets the algorithm requests are signed with:
// signer.JDCLOUD2 (the default, as JD Cloud's Go SDK) or signer.JDCLOUD3 (as its
// Python SDK and jdc). JD Cloud's gateway accepts both.
func WithSignatureAlgorithm(a signer.Algorithm) Option {
	return func(cfg *config) error {
		if err := a.Validate(); err != nil {
			return fmt.Errorf("WithSignatureAlgorithm: %w", err)
		}
		cfg.algorithm = a
		return nil
	}
}

// WithProfile names the jdc CLI profile to read when the chain reaches the profile
// file (overriding $JDCLOUD_PROFILE and ~/.jdc/current).
func WithProfile(name string) Option {
	return func(cfg *config) error {
		if strings.TrimSpace(name) == "" || strings.ContainsAny(name, "[]\n\r") {
			return fmt.Errorf("WithProfile: invalid profile name %q", name)
		}
		cfg.profile = name
		return nil
	}
}

// WithEndpoint sets the service's base URL (scheme and host, optionally a port), for
// example "https://vm.jdcloud-api.com"; the client appends /v1. Without a scheme
// (host or host:port, as the jdc profile writes it) it takes the profile's scheme,
// else https. It wins over the profile's endpoint. New accepts plain
// http only for a loopback host or the VPC-internal host
// vm.internal.<region>.jdcloud-api.com, unless WithInsecureHTTP is given too.
func WithEndpoint(rawURL string) Option {
	return func(cfg *config) error {
		if _, err := parseEndpoint(credentials.EndpointURL(rawURL, ""), false); err != nil {
			return fmt.Errorf("WithEndpoint: %w", err)
		}
		cfg.endpoint = rawURL
		return nil
	}
}

// WithRegion sets the default region (Client.DefaultRegion), winning over
// JDCLOUD_REGION and the profile's region_id. The operations still take their
// region as a parameter; this is the one a caller (the CLI) uses when it has none.
func WithRegion(regionID string) Option {
	return func(cfg *config) error {
		if err := CheckRegionID(regionID); err != nil {
			return fmt.Errorf("WithRegion: %w", err)
		}
		cfg.region = regionID
		return nil
	}
}

// WithInsecureHTTP allows a plain-http endpoint on any host. Requests are still
// signed, but travel unencrypted.
func WithInsecureHTTP() Option {
	return func(cfg *config) error { cfg.insecure = true; return nil }
}

// WithHTTPClient sets the HTTP client (a copy is kept). The client's CheckRedirect is
// replaced on the copy: redirects are never followed. When its Transport is an
// *http.Transport, a clone with TLS 1.2 as the minimum version is used.
func WithHTTPClient(hc *http.Client) Option {
	return func(cfg *config) error {
		if hc == nil {
			return errors.New("WithHTTPClient: nil *http.Client")
		}
		cp := *hc
		cfg.httpClient = &cp
		return nil
	}
}

// WithAttemptTimeout bounds each attempt (default: the jdc profile's timeout when the
// credentials come from a profile that sets one, else DefaultAttemptTimeout).
func WithAttemptTimeout(d time.Duration) Option {
	return func(cfg *config) error {
		if d <= 0 {
			return fmt.Errorf("WithAttemptTimeout: %s is not positive", d)
		}
		cfg.attemptTimeout, cfg.attemptTimeoutSet = d, true
		return nil
	}
}

// WithRetryPolicy replaces DefaultRetryPolicy.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(cfg *config) error {
		if err := p.validate(); err != nil {
			return fmt.Errorf("WithRetryPolicy: %w", err)
		}
		cfg.retry = p
		return nil
	}
}

// WithMaxResponseBytes bounds a response body (default DefaultMaxResponseBytes).
func WithMaxResponseBytes(n int64) Option {
	return func(cfg *config) error {
		if n <= 0 {
			return fmt.Errorf("WithMaxResponseBytes: %d is not positive", n)
		}
		cfg.maxBody = n
		return nil
	}
}

// WithLogger logs one debug record per attempt (method, path, status, attempt,
// latency, request id). The default is silent. Credentials, signatures and tokens
// are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(cfg *config) error {
		if l == nil {
			return errors.New("WithLogger: nil *slog.Logger")
		}
		cfg.logger = l
		return nil
	}
}

// WithUserAgentSuffix appends s to the User-Agent, e.g. "my-tool/1.2".
func WithUserAgentSuffix(s string) Option {
	return func(cfg *config) error {
		if s == "" || len(s) > 200 || strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r > 0x7e }) >= 0 {
			return fmt.Errorf("WithUserAgentSuffix: %q must be 1-200 printable ASCII characters", s)
		}
		cfg.uaSuffix = s
		return nil
	}
}

// WithRateLimit limits attempts to perSecond on average with the given burst, shared
// by every goroutine using the Client; perSecond 0 (the default) disables the limit.
// Use it when one client fans out many calls at once (a batch job, the CLI's
// describe of many ids) and should stay below a rate the service's operators gave
// you; the service's own throttling is already honoured without it (429 and
// Retry-After are retried within the retry budget).
func WithRateLimit(perSecond float64, burst int) Option {
	return func(cfg *config) error {
		if perSecond < 0 || perSecond != perSecond || (perSecond > 0 && burst < 1) {
			return fmt.Errorf("WithRateLimit: need perSecond >= 0 and burst >= 1, got %v and %d", perSecond, burst)
		}
		cfg.rateLimit, cfg.rateBurst = perSecond, burst
		return nil
	}
}

// WithClock replaces the clock used for backoff sleeps, rate limiting and waiting
// (for tests).
func WithClock(c Clock) Option {
	return func(cfg *config) error {
		if c == nil {
			return errors.New("WithClock: nil Clock")
		}
		cfg.clock = c
		return nil
	}
}

// WithRandom replaces the source of jitter; f must return values in [0, 1) and be
// safe for concurrent use (for tests).
func WithRandom(f func() float64) Option {
	return func(cfg *config) error {
		if f == nil {
			return errors.New("WithRandom: nil function")
		}
		cfg.random = f
		return nil
	}
}

func defaultConfig() config {
	return config{
		attemptTimeout: DefaultAttemptTimeout,
		retry:          DefaultRetryPolicy(),
		maxBody:        DefaultMaxResponseBytes,
		logger:         slog.New(slog.DiscardHandler),
		clock:          SystemClock{},
		random:         rand.Float64,
		rateLimit:      DefaultRateLimit,
	}
}

// parseEndpoint checks an endpoint URL. With strict false, plain http is allowed on
// any host (WithInsecureHTTP).
func parseEndpoint(raw string, strict bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL", raw)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("%q: scheme must be https or http", raw)
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("%q has no host", raw)
	case u.User != nil:
		return nil, fmt.Errorf("endpoint must not carry user information")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("%q must not have a query or fragment", raw)
	case u.Path != "" && u.Path != "/" && strings.TrimSuffix(u.Path, "/") != "/v1":
		return nil, fmt.Errorf("%q: path must be empty or /v1", raw)
	}
	if strict && u.Scheme == "http" && !plainHTTPAllowed(u.Hostname()) {
		return nil, fmt.Errorf("%q: %w (use WithInsecureHTTP to override)", raw, ErrPlainHTTP)
	}
	u.Path, u.RawPath = "", ""
	return u, nil
}

func plainHTTPAllowed(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" {
		return true
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	region, ok := strings.CutPrefix(host, "vm.internal.")
	if !ok {
		return false
	}
	region, ok = strings.CutSuffix(region, ".jdcloud-api.com")
	return ok && region != "" && !strings.Contains(region, ".")
}

// prepareHTTPClient applies the client's rules to its own copy: no redirects, TLS 1.2
// at least, and the per-attempt timeout as the client's Timeout (a shorter Timeout the
// caller set is kept).
func prepareHTTPClient(hc *http.Client, attemptTimeout time.Duration) *http.Client {
	var cp http.Client
	if hc != nil {
		cp = *hc
	}
	if cp.Timeout <= 0 || cp.Timeout > attemptTimeout {
		cp.Timeout = attemptTimeout
	}
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	switch t := cp.Transport.(type) {
	case nil:
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		tr.MaxIdleConnsPerHost = DefaultMaxConnsPerHost
		tr.MaxConnsPerHost = DefaultMaxConnsPerHost
		cp.Transport = tr
	case *http.Transport:
		tr := t.Clone()
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{}
		}
		if tr.TLSClientConfig.MinVersion < tls.VersionTLS12 {
			tr.TLSClientConfig.MinVersion = tls.VersionTLS12
		}
		cp.Transport = tr
	}
	return &cp
}
