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
	"github.com/vmimage/vmimage/fake/internal/server"
	"github.com/vmimage/vmimage/internal/apiclient"
	"github.com/vmimage/vmimage/internal/query"
	"github.com/vmimage/vmimage/signer"
)

// The fake implements the generated strict server interface: a spec change that it
// does not follow breaks this build.
var _ server.StrictServerInterface = handlers{}

// handlers are the operations of the generated strict server, answered from the
// Service's store.
type handlers struct{ s *Service }

const headerRequestID = "X-Jdcloud-Request-Id"

// DefaultCredentials returns the test credentials a fake accepts unless told
// otherwise (a fresh value each call: no caller can change what another fake uses).
// They are not secret: they only open the fake.
func DefaultCredentials() signer.Credentials {
	return signer.Credentials{AccessKey: "FAKEACCESSKEY0001", SecretKey: "fake-secret-key-not-a-secret"}
}

// DefaultMaxSkew is the clock skew the fake accepts, as the gateway does.
const DefaultMaxSkew = 5 * time.Minute

// Option configures a fake Service or Server.
type Option func(*options) error

type options struct {
	creds    signer.Credentials
	clock    client.Clock
	maxSkew  time.Duration
	noSeed   bool
	addr     string
	logSize  int
	observe  func(RecordedRequest)
	timeouts Timeouts
	latency  time.Duration
	// The write calls' world: the image quota and how long work takes.
	quota       int
	jobDuration time.Duration
}

// WithRequestLogSize sets how many recent requests Requests keeps (default
// DefaultRequestLogSize); older ones are only counted in RequestStats.
func WithRequestLogSize(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("fake: WithRequestLogSize: %d is not positive", n)
		}
		o.logSize = n
		return nil
	}
}

// WithObserver calls f with every request once it has been answered (or its
// connection cut), for example to print a line per request. f must be safe for
// concurrent use; its RecordedRequest holds untrusted text from the client.
func WithObserver(f func(RecordedRequest)) Option {
	return func(o *options) error {
		if f == nil {
			return errors.New("fake: WithObserver: nil function")
		}
		o.observe = f
		return nil
	}
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
	for _, ps := range apiclient.IndexedArrayParams {
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
	creds    signer.Credentials
	clock    client.Clock
	store    *Store
	faults   faults
	log      *requestLog
	nonces   *nonceCache
	verifier *signer.Verifier
	mux      *http.ServeMux
	addr     string
	timeouts Timeouts
	latency  time.Duration
	// The write calls: the image quota, how long work takes, remembered clientTokens.
	quota       int
	jobDuration time.Duration
	tokenMu     sync.Mutex
	tokens      tokenCache
}

// New returns a Service, seeded unless WithoutSeed is given.
func New(opts ...Option) (*Service, error) {
	o := options{creds: DefaultCredentials(), clock: client.SystemClock{}, maxSkew: DefaultMaxSkew, addr: "127.0.0.1:0",
		logSize: DefaultRequestLogSize, timeouts: DefaultTimeouts(), quota: DefaultImageQuota, jobDuration: DefaultJobDuration}
	for _, opt := range opts {
		if opt == nil {
			return nil, errors.New("fake: nil Option")
		}
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	s := &Service{creds: o.creds, clock: o.clock, addr: o.addr, timeouts: o.timeouts, latency: o.latency, quota: o.quota, jobDuration: o.jobDuration,
		log: newRequestLog(o.logSize, o.observe), nonces: newNonceCache(2*o.maxSkew, DefaultMaxNonces)}
	creds := o.creds
	s.verifier, _ = signer.NewVerifier(func(ak string) (string, bool) {
		if ak == creds.AccessKey {
			return creds.SecretKey, true
		}
		return "", false
	}, signer.VerifyOptions{Service: client.Service, MaxSkew: o.maxSkew, Now: o.clock.Now}) // fails only on a nil lookup
	s.store = newStore(o.clock.Now)
	if !o.noSeed {
		if err := seed(s.store); err != nil {
			return nil, err
		}
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "HTTP_NOT_FOUND", "no such API: "+clip(r.Method, maxLoggedID)+" "+clip(r.URL.Path, maxLoggedText), requestIDFrom(r.Context()))
	})
	server.HandlerWithOptions(server.NewStrictHandlerWithOptions(handlers{s}, nil, server.StrictHTTPServerOptions{
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
	}), server.StdHTTPServerOptions{
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

// Requests returns the most recent requests (at most the log's size), oldest first.
func (s *Service) Requests() []RecordedRequest { return s.log.all() }

// RequestStats counts every request since the start or the last ResetRequests.
func (s *Service) RequestStats() RequestStats { return s.log.statistics() }

// ResetRequests empties the request log and its counters.
func (s *Service) ResetRequests() { s.log.reset() }

// Handler returns the fake as an http.Handler serving /v1/regions/... .
func (s *Service) Handler() http.Handler { return s }

type requestIDKey struct{}

func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// MaxRequestBodyBytes bounds a request body; a larger one is refused with 413 before
// its signature is checked (the read API's calls have no body at all).
const MaxRequestBodyBytes = 1 << 20

// ServeHTTP authenticates like the gateway, refuses a method the path does not take
// (405), applies scripted faults, then serves the generated handler; every request
// is logged (bounded) and counted.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := newRequestID()
	entry := RecordedRequest{Time: s.clock.Now(), Method: clip(r.Method, maxLoggedID), Path: clip(r.URL.EscapedPath(), maxLoggedText),
		RequestID: reqID, Nonce: clip(r.Header.Get(signer.HeaderNonce), maxLoggedID)}
	entry.Algorithm, entry.AccessKey, entry.SignedHeaders = signedHeaders(r)
	seq := s.log.add(entry)
	defer func() { s.log.done(seq, entry) }()
	rec := &statusRecorder{ResponseWriter: w, onWrite: func(status int) {
		entry.Status = status
		s.log.update(seq, entry)
	}}
	r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, reqID))
	if !s.delay(r.Context()) {
		return // the client gave up during the latency: nobody to answer
	}

	if r.ContentLength > MaxRequestBodyBytes {
		writeError(rec, http.StatusRequestEntityTooLarge, "HTTP_REQUEST_ENTITY_TOO_LARGE", fmt.Sprintf("request body over %d bytes", MaxRequestBodyBytes), reqID)
		return
	}
	var body []byte
	var err error
	if r.Body != nil { // nil when a caller mounts the handler and passes a client request
		body, err = io.ReadAll(io.LimitReader(r.Body, MaxRequestBodyBytes+1))
	}
	switch {
	case err != nil:
		writeError(rec, http.StatusBadRequest, "HTTP_BAD_REQUEST", "cannot read request body", reqID)
		return
	case len(body) > MaxRequestBodyBytes:
		writeError(rec, http.StatusRequestEntityTooLarge, "HTTP_REQUEST_ENTITY_TOO_LARGE", fmt.Sprintf("request body over %d bytes", MaxRequestBodyBytes), reqID)
		return
	}
	entry.Body = clip(string(body), maxLoggedBody)
	s.log.update(seq, entry)
	if status, code, msg := s.authenticate(r, body); status != 0 {
		entry.AuthError = clip(msg, maxLoggedText)
		s.log.update(seq, entry)
		writeError(rec, status, code, msg, reqID)
		return
	}
	// After authentication, as at JD Cloud's gateway: a signed request for a method
	// the path does not take is authenticated first, then refused.
	if allow := s.allowed(r); allow != "" {
		rec.Header().Set("Allow", allow)
		writeError(rec, http.StatusMethodNotAllowed, "HTTP_METHOD_NOT_ALLOWED", "method "+entry.Method+" is not allowed here; use "+allow, reqID)
		return
	}
	params, err := query.Unindex(r.URL.Query(), indexedParams)
	if err != nil {
		writeError(rec, http.StatusBadRequest, "INVALID_ARGUMENT", err.Error(), reqID)
		return
	}
	r.URL.RawQuery = params.Encode()
	serve := func(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }
	if rt, pathParams, _ := findWrite(r.Method, r.URL.Path); rt != nil {
		serve = func(w http.ResponseWriter, r *http.Request) {
			s.serveWrite(w, r, rt, pathParams, body, entry.AccessKey)
		}
	}
	op := s.operationOf(r)
	f, ok := s.faults.take(entry.Path, op)
	switch {
	case ok && f.Kind == FaultJobFails:
		// Consumed, and logged, only if the request starts its copy or import.
		claim := func() (Fault, bool) {
			jf, ok := s.faults.claimJob(entry.Path, op)
			if ok {
				entry.Fault = jf.Kind.String()
				s.log.update(seq, entry)
			}
			return jf, ok
		}
		serve(rec, r.WithContext(context.WithValue(r.Context(), jobFaultKey{}, &jobFault{claim: claim})))
	case ok:
		entry.Fault = f.Kind.String()
		s.log.update(seq, entry)
		_ = s.serveFault(r.Context(), rec, f, reqID, func(w http.ResponseWriter) { serve(w, r) })
	default:
		serve(rec, r)
	}
}

// authenticate checks the signature (JDCLOUD2 or JDCLOUD3, on the canonical path
// and query, as JD Cloud's gateway), that its scope's region is the path's, and the
// nonce, signed or not; it returns a zero status when the request may pass.
func (s *Service) authenticate(r *http.Request, body []byte) (status int, code, msg string) {
	if n := r.Header.Get(signer.HeaderNonce); len(n) > maxNonceBytes {
		return http.StatusUnauthorized, "ACCESS_ERROR", fmt.Sprintf("x-jdcloud-nonce is longer than %d bytes", maxNonceBytes)
	}
	v, err := s.verifier.Verify(r, body)
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
	if region, ok := pathRegion(r.URL.Path); ok && region != v.Region {
		return http.StatusUnauthorized, "ACCESS_ERROR", fmt.Sprintf("the signature's credential scope names region %q, but the request is for region %q", clip(v.Region, maxLoggedID), clip(region, maxLoggedID))
	}
	if !s.nonces.claim(v.Nonce, s.clock.Now()) {
		return http.StatusForbidden, "HTTP_FORBIDDEN", "nonce " + v.Nonce + " has been used"
	}
	return 0, "", ""
}

// pathRegion reads the region of a /v1/regions/{regionId}/... path.
func pathRegion(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/v1/regions/")
	if !ok {
		return "", false
	}
	region, _, _ := strings.Cut(rest, "/")
	return region, region != ""
}

// DescribeImage implements the generated StrictServerInterface.
func (h handlers) DescribeImage(ctx context.Context, req server.DescribeImageRequestObject) (server.DescribeImageResponseObject, error) {
	s := h.s
	img, err := s.image(req.RegionId, req.ImageId)
	if err != nil {
		return nil, err
	}
	reqID := requestIDFrom(ctx)
	return server.DescribeImage200JSONResponse{DescribeImageOKJSONResponse: server.DescribeImageOKJSONResponse{
		Body:    api.DescribeImageOutput{RequestId: reqID, Result: api.DescribeImageResult{Image: img}},
		Headers: server.DescribeImageOKResponseHeaders{XJdcloudRequestId: &reqID},
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

// maxErrorMessage bounds an error answer's message, which may quote the request.
const maxErrorMessage = 1024

// writeError writes the JSON error envelope with the request id header; a message
// over maxErrorMessage bytes is cut, ending in "...".
func writeError(w http.ResponseWriter, status int, code, msg, reqID string) {
	if len(msg) > maxErrorMessage {
		msg = clip(msg, maxErrorMessage-3) + "..."
	}
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

// redacted stands in the request log for a signed header's secret value.
const redacted = "REDACTED"

// signedHeaders reads the algorithm, the access key and the signed headers named by
// Authorization, for the request log, each bounded (maxLoggedHeaders names, clipped
// values; the security token's value redacted); the algorithm is "" unless it is one
// the fake knows. Nothing is verified here.
func signedHeaders(r *http.Request) (alg, accessKey string, headers map[string]string) {
	auth := r.Header.Get(signer.HeaderAuthorization)
	if len(auth) > signer.MaxAuthorizationBytes {
		auth = auth[:signer.MaxAuthorizationBytes]
	}
	headers = map[string]string{}
	if a, ok := signer.AlgorithmOf(auth); ok {
		alg = string(a)
		auth = auth[len(a)+1:]
	}
	for _, part := range strings.Split(auth, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			accessKey, _, _ = strings.Cut(v, "/")
			accessKey = clip(accessKey, maxLoggedID)
		case "SignedHeaders":
			for _, name := range strings.Split(v, ";") {
				if len(headers) == maxLoggedHeaders {
					break
				}
				switch {
				case name == "host":
					headers[name] = clip(r.Host, maxLoggedText)
				case strings.EqualFold(name, signer.HeaderSecurityToken):
					headers[clip(name, maxLoggedID)] = redacted // a secret: only that it was signed
				case name != "":
					headers[clip(name, maxLoggedID)] = clip(r.Header.Get(name), maxLoggedText)
				}
			}
		}
	}
	return alg, accessKey, headers
}
