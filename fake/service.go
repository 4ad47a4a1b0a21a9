package fake

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/internal/query"
	"github.com/vmimage/vmimage/signer"
)

// The fake implements the generated strict server interface: a spec change that it
// does not follow breaks this build.
var _ StrictServerInterface = (*Service)(nil)

const headerRequestID = "X-Jdcloud-Request-Id"

// DefaultCredentials are the test credentials a fake accepts unless told otherwise.
// They are not secret: they only open the fake.
var DefaultCredentials = signer.Credentials{AccessKey: "FAKEACCESSKEY0001", SecretKey: "fake-secret-key-not-a-secret"}

// DefaultMaxSkew is the clock skew the fake accepts, as the gateway does.
const DefaultMaxSkew = 5 * time.Minute

// Option configures a fake Service or Server.
type Option func(*options) error

type options struct {
	creds   signer.Credentials
	clock   client.Clock
	maxSkew time.Duration
	noSeed  bool
	addr    string
}

// WithCredentials sets the one key pair the fake accepts.
func WithCredentials(c signer.Credentials) Option {
	return func(o *options) error {
		if err := c.Validate(); err != nil {
			return fmt.Errorf("fake: WithCredentials: %w", err)
		}
		o.creds = c
		return nil
	}
}

// WithClock sets the clock for signature skew checks, lifecycles, latency and the
// request log.
func WithClock(c client.Clock) Option {
	return func(o *options) error {
		if c == nil {
			return errors.New("fake: WithClock: nil clock")
		}
		o.clock = c
		return nil
	}
}

// WithMaxSkew sets how far x-jdcloud-date may be from the fake's clock (default
// DefaultMaxSkew).
func WithMaxSkew(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("fake: WithMaxSkew: %s is not positive", d)
		}
		o.maxSkew = d
		return nil
	}
}

// WithoutSeed starts with an empty store.
func WithoutSeed() Option {
	return func(o *options) error { o.noSeed = true; return nil }
}

// WithAddr sets the address Start listens on (default 127.0.0.1:0, a free loopback
// port).
func WithAddr(addr string) Option {
	return func(o *options) error {
		if addr == "" {
			return errors.New("fake: WithAddr: empty address")
		}
		o.addr = addr
		return nil
	}
}

// indexedParams are the array query parameters of every operation, sent indexed
// (ids.1=a&ids.2=b); the fake turns them into the repeated form the generated server
// parses, and refuses any other form as the service would.
var indexedParams = func() []string {
	var names []string
	for _, ps := range api.IndexedArrayParams {
		for _, p := range ps {
			if !slices.Contains(names, p) {
				names = append(names, p)
			}
		}
	}
	return names
}()

// Service is the fake image read service as an http.Handler, for callers that
// mount it themselves. Start wraps it in a loopback server.
type Service struct {
	creds   signer.Credentials
	clock   client.Clock
	maxSkew time.Duration
	store   *Store
	faults  faults
	log     requestLog
	mux     *http.ServeMux
	addr    string

	nonceMu sync.Mutex
	nonces  map[string]time.Time
}

// New returns a Service, seeded unless WithoutSeed is given.
func New(opts ...Option) (*Service, error) {
	o := options{creds: DefaultCredentials, clock: client.SystemClock{}, maxSkew: DefaultMaxSkew, addr: "127.0.0.1:0"}
	for _, opt := range opts {
		if opt == nil {
			return nil, errors.New("fake: nil Option")
		}
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	s := &Service{creds: o.creds, clock: o.clock, maxSkew: o.maxSkew, addr: o.addr, nonces: make(map[string]time.Time)}
	s.store = newStore(o.clock.Now)
	if !o.noSeed {
		if err := seed(s.store); err != nil {
			return nil, err
		}
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "HTTP_NOT_FOUND", "no such API: "+r.Method+" "+r.URL.Path, requestIDFrom(r.Context()))
	})
	HandlerWithOptions(NewStrictHandlerWithOptions(s, nil, StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", err.Error(), requestIDFrom(r.Context()))
		},
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			var se *serviceError
			if errors.As(err, &se) {
				writeError(w, se.status, se.code, se.msg, requestIDFrom(r.Context()))
				return
			}
			writeError(w, http.StatusInternalServerError, "INTERNAL", "internal error", requestIDFrom(r.Context()))
		},
	}), StdHTTPServerOptions{
		BaseURL:    "/v1",
		BaseRouter: s.mux,
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", err.Error(), requestIDFrom(r.Context()))
		},
	})
	return s, nil
}

// Credentials returns the key pair the fake accepts.
func (s *Service) Credentials() signer.Credentials { return s.creds }

// Images returns the store, to add, replace, remove or transition images.
func (s *Service) Images() *Store { return s.store }

// Inject scripts a fault (see Fault). Faults are matched in the order injected.
func (s *Service) Inject(f Fault) error { return s.faults.add(f) }

// ClearFaults removes every scripted fault.
func (s *Service) ClearFaults() { s.faults.clear() }

// Requests returns the request log, oldest first.
func (s *Service) Requests() []RecordedRequest { return s.log.all() }

// ResetRequests empties the request log.
func (s *Service) ResetRequests() { s.log.reset() }

// Handler returns the fake as an http.Handler serving /v1/regions/... .
func (s *Service) Handler() http.Handler { return s }

type requestIDKey struct{}

func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// ServeHTTP authenticates like the gateway, applies scripted faults, then serves the
// generated handler; every request is logged.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := newRequestID()
	entry := RecordedRequest{Time: s.clock.Now(), Method: r.Method, Path: r.URL.EscapedPath(), RequestID: reqID, Nonce: r.Header.Get(signer.HeaderNonce)}
	entry.AccessKey, entry.SignedHeaders = signedHeaders(r)
	idx := s.log.add(entry)
	rec := &statusRecorder{ResponseWriter: w, onWrite: func(status int) {
		entry.Status = status
		s.log.update(idx, entry)
	}}
	r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, reqID))

	var body []byte
	var err error
	if r.Body != nil { // nil when a caller mounts the handler and passes a client request
		body, err = io.ReadAll(io.LimitReader(r.Body, 1<<20))
	}
	if err != nil {
		writeError(rec, http.StatusBadRequest, "HTTP_BAD_REQUEST", "cannot read request body", reqID)
		return
	}
	if status, code, msg := s.authenticate(r, body); status != 0 {
		entry.AuthError = msg
		s.log.update(idx, entry)
		writeError(rec, status, code, msg, reqID)
		return
	}
	params, err := query.Unindex(r.URL.Query(), indexedParams)
	if err != nil {
		writeError(rec, http.StatusBadRequest, "INVALID_ARGUMENT", err.Error(), reqID)
		return
	}
	r.URL.RawQuery = params.Encode()
	if f, ok := s.faults.take(entry.Path); ok {
		entry.Fault = f.Kind.String()
		s.log.update(idx, entry)
		_ = s.serveFault(r.Context(), rec, f, reqID, func(w http.ResponseWriter) { s.mux.ServeHTTP(w, r) })
		return
	}
	s.mux.ServeHTTP(rec, r)
}

// authenticate checks the signature and the nonce; it returns a zero status when the
// request may pass.
func (s *Service) authenticate(r *http.Request, body []byte) (status int, code, msg string) {
	lookup := func(ak string) (string, bool) {
		if ak == s.creds.AccessKey {
			return s.creds.SecretKey, true
		}
		return "", false
	}
	v, err := signer.Verify(r, body, lookup, signer.VerifyOptions{Service: client.Service, MaxSkew: s.maxSkew, Now: s.clock.Now})
	var ve *signer.VerifyError
	switch {
	case errors.As(err, &ve) && ve.Reason == signer.ReasonMismatch:
		return http.StatusUnauthorized, "ACCESS_ERROR", "sign result is not same [gw]"
	case errors.As(err, &ve) && ve.Reason == signer.ReasonUnknownKey:
		return http.StatusUnauthorized, "ACCESS_ERROR", "Invalid accessKey"
	case errors.As(err, &ve) && ve.Reason == signer.ReasonSkew:
		return http.StatusUnauthorized, "ACCESS_ERROR", "request expired: " + ve.Msg
	case errors.As(err, &ve):
		return http.StatusUnauthorized, "ACCESS_ERROR", ve.Msg
	case err != nil:
		return http.StatusUnauthorized, "ACCESS_ERROR", err.Error()
	}
	if !s.claimNonce(v.Nonce) {
		return http.StatusForbidden, "HTTP_FORBIDDEN", "nonce " + v.Nonce + " has been used"
	}
	return 0, "", ""
}

// claimNonce records a nonce; it reports false for a nonce seen within the skew
// window (older ones cannot pass the date check anyway).
func (s *Service) claimNonce(nonce string) bool {
	now := s.clock.Now()
	s.nonceMu.Lock()
	defer s.nonceMu.Unlock()
	if _, seen := s.nonces[nonce]; seen {
		return false
	}
	if len(s.nonces) >= 10000 {
		for n, t := range s.nonces {
			if now.Sub(t) > 2*s.maxSkew {
				delete(s.nonces, n)
			}
		}
	}
	s.nonces[nonce] = now
	return true
}

// DescribeImage implements the generated StrictServerInterface.
func (s *Service) DescribeImage(ctx context.Context, req DescribeImageRequestObject) (DescribeImageResponseObject, error) {
	img, err := s.image(req.RegionId, req.ImageId)
	if err != nil {
		return nil, err
	}
	reqID := requestIDFrom(ctx)
	return DescribeImage200JSONResponse{DescribeImageOKJSONResponse{
		Body:    api.DescribeImageOutput{RequestId: reqID, Result: api.DescribeImageResult{Image: img}},
		Headers: DescribeImageOKResponseHeaders{XJdcloudRequestId: &reqID},
	}}, nil
}

// image finds an image named in a path, or returns the service's error for it.
func (s *Service) image(region, imageID string) (api.Image, error) {
	if err := checkRegion(region); err != nil {
		return api.Image{}, err
	}
	if !ImageIDPattern.MatchString(imageID) {
		return api.Image{}, invalidArgument("Invalid imageId '%s'", imageID)
	}
	img, ok := s.store.Get(region, imageID)
	if !ok {
		return api.Image{}, &serviceError{http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("Image '%s' not found", imageID)}
	}
	return img, nil
}

func checkRegion(region string) error {
	if !RegionIDPattern.MatchString(region) {
		return invalidArgument("Invalid regionId '%s'", region)
	}
	return nil
}

// serviceError is an error answer of an operation: the strict handlers return it as
// their error, and the response error handler writes it as the JSON envelope.
type serviceError struct {
	status    int
	code, msg string
}

func (e *serviceError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.msg) }

func invalidArgument(format string, args ...any) error {
	return &serviceError{http.StatusBadRequest, "INVALID_ARGUMENT", fmt.Sprintf(format, args...)}
}

func errorBody(reqID string, code int, status, msg string) api.ErrorResponse {
	return api.ErrorResponse{RequestId: reqID, Error: api.ErrorInfo{Code: code, Status: status, Message: msg}}
}

// writeError writes the JSON error envelope with the request id header.
func writeError(w http.ResponseWriter, status int, code, msg, reqID string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(headerRequestID, reqID)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorBody(reqID, status, code, msg))
}

// newRequestID returns 32 random lowercase letters and digits, like the gateway's.
func newRequestID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [32]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

// signedHeaders reads the access key and the signed headers named by Authorization,
// for the request log. Nothing is verified here.
func signedHeaders(r *http.Request) (accessKey string, headers map[string]string) {
	auth := r.Header.Get(signer.HeaderAuthorization)
	headers = map[string]string{}
	for _, part := range strings.Split(strings.TrimPrefix(auth, signer.Algorithm+" "), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			accessKey, _, _ = strings.Cut(v, "/")
		case "SignedHeaders":
			for _, name := range strings.Split(v, ";") {
				if name == "host" {
					headers[name] = r.Host
				} else if name != "" {
					headers[name] = r.Header.Get(name)
				}
			}
		}
	}
	return accessKey, headers
}
