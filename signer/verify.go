package signer

import (
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/vmimage/vmimage/internal/query"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// SecretLookup returns the secret key of an access key, and whether the key is known.
type SecretLookup func(accessKey string) (secretKey string, ok bool)

// VerifyOptions tune Verify.
type VerifyOptions struct {
	// Service the scope must name; "" accepts any.
	Service string
	// MaxSkew bounds |x-jdcloud-date - now|; 0 means DefaultMaxSkew, a negative value
	// disables the check.
	MaxSkew time.Duration
	// Now is the server clock; nil means time.Now.
	Now func() time.Time
}

// DefaultMaxSkew is the clock skew Verify accepts by default.
const DefaultMaxSkew = 5 * time.Minute

// Limits Verify puts on what it parses, so that an absurd request is refused before
// any work proportional to its size: an Authorization header longer than
// MaxAuthorizationBytes, or one naming more than MaxSignedHeaders headers, is
// malformed.
const (
	MaxAuthorizationBytes = 4 << 10
	MaxSignedHeaders      = 64
)

// Verified describes a request whose signature checked out.
type Verified struct {
	AccessKey     string
	Region        string
	Service       string
	Nonce         string
	Date          time.Time
	SignedHeaders []string
	// SecurityToken is the decoded security token, "" when none was sent.
	SecurityToken string
}

// Reason classifies why Verify refused a request.
type Reason int

// The reasons Verify refuses a request.
const (
	// ReasonMissing: Authorization, x-jdcloud-date or x-jdcloud-nonce is absent.
	ReasonMissing Reason = iota + 1
	// ReasonMalformed: a header cannot be parsed or the scope is inconsistent.
	ReasonMalformed
	// ReasonUnknownKey: the access key is not known.
	ReasonUnknownKey
	// ReasonSkew: x-jdcloud-date is too far from the server's clock.
	ReasonSkew
	// ReasonMismatch: the signature does not match the request.
	ReasonMismatch
)

// VerifyError says why a request was refused. It never contains a secret.
type VerifyError struct {
	Reason Reason
	Msg    string
}

func (e *VerifyError) Error() string { return "signer: verify: " + e.Msg }

func verr(r Reason, format string, args ...any) error {
	return &VerifyError{Reason: r, Msg: fmt.Sprintf(format, args...)}
}

// Verify checks a signed request against the secret its access key maps to. body is
// the exact request body. On success it returns what the signature vouches for; on
// failure a *VerifyError whose Reason classifies the failure.
func Verify(req *http.Request, body []byte, lookup SecretLookup, opts VerifyOptions) (*Verified, error) {
	if req == nil || req.URL == nil {
		return nil, errors.New("signer: verify: nil request")
	}
	auth := req.Header.Get(HeaderAuthorization)
	if auth == "" {
		return nil, verr(ReasonMissing, "lack of header Authorization")
	}
	if len(auth) > MaxAuthorizationBytes {
		return nil, verr(ReasonMalformed, "Authorization is longer than %d bytes", MaxAuthorizationBytes)
	}
	date := req.Header.Get(HeaderDate)
	if date == "" {
		return nil, verr(ReasonMissing, "lack of header x-jdcloud-date")
	}
	nonce := req.Header.Get(HeaderNonce)
	if nonce == "" {
		return nil, verr(ReasonMissing, "lack of header x-jdcloud-nonce")
	}
	at, err := time.Parse(TimeFormat, date)
	if err != nil {
		return nil, verr(ReasonMalformed, "x-jdcloud-date %q is not in the form 20060102T150405Z", date)
	}
	parsed, err := parseAuthorization(auth)
	if err != nil {
		return nil, err
	}
	scope := strings.Split(parsed.scope, "/")
	if len(scope) != 4 || scope[3] != terminator || scope[1] == "" || scope[2] == "" {
		return nil, verr(ReasonMalformed, "credential scope %q is not day/region/service/jdcloud2_request", parsed.scope)
	}
	if scope[0] != date[:8] {
		return nil, verr(ReasonMalformed, "credential scope day %s does not match x-jdcloud-date %s", scope[0], date)
	}
	if opts.Service != "" && scope[2] != opts.Service {
		return nil, verr(ReasonMalformed, "credential scope names service %q, want %q", scope[2], opts.Service)
	}
	for _, must := range []string{"host", "x-jdcloud-date", "x-jdcloud-nonce"} {
		if !slices.Contains(parsed.signed, must) {
			return nil, verr(ReasonMalformed, "signed headers do not include %s", must)
		}
	}
	if req.Header.Get(HeaderSecurityToken) != "" && !slices.Contains(parsed.signed, "x-jdcloud-security-token") {
		return nil, verr(ReasonMalformed, "x-jdcloud-security-token is present but not signed")
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	maxSkew := opts.MaxSkew
	if maxSkew == 0 {
		maxSkew = DefaultMaxSkew
	}
	if maxSkew > 0 {
		if d := now().Sub(at); d > maxSkew || d < -maxSkew {
			return nil, verr(ReasonSkew, "x-jdcloud-date %s is %s away from the server clock (at most %s allowed)", date, d.Round(time.Second), maxSkew)
		}
	}
	secret, ok := lookup(parsed.accessKey)
	if !ok {
		return nil, verr(ReasonUnknownKey, "Invalid accessKey %q", parsed.accessKey)
	}
	key := verifyKeys.get(secret, scope[0], scope[1], scope[2])
	want := key.sign(req.Method, escapedPath(req), query.Canonical(req.URL.RawQuery), hostOf(req), req.Header, namedHeaders(req.Header, parsed.signed),
		bodyHash(body), date)
	if !hmac.Equal([]byte(parsed.signature), want[:]) {
		return nil, verr(ReasonMismatch, "sign result is not same")
	}
	v := &Verified{AccessKey: parsed.accessKey, Region: scope[1], Service: scope[2], Nonce: nonce, Date: at, SignedHeaders: parsed.signed}
	if tok := req.Header.Get(HeaderSecurityToken); tok != "" {
		dec, err := base64.StdEncoding.DecodeString(tok)
		if err != nil {
			return nil, verr(ReasonMalformed, "x-jdcloud-security-token is not base64")
		}
		v.SecurityToken = string(dec)
	}
	return v, nil
}

// verifyKeys caches the signing keys Verify derives, per secret, day, region and
// service: a server verifies many requests of one key a day, and the derivation is
// four HMACs.
var verifyKeys = keyCache{max: 1024}

// keyCache is a bounded cache of derived signing keys; when full it starts afresh.
type keyCache struct {
	max int
	mu  sync.Mutex
	m   map[keyCacheID]*signingKey
}

type keyCacheID struct{ secret, day, region, service string }

func (c *keyCache) get(secret, day, region, service string) *signingKey {
	id := keyCacheID{secret, day, region, service}
	c.mu.Lock()
	k, ok := c.m[id]
	c.mu.Unlock()
	if ok {
		return k
	}
	k = newSigningKey(deriveKey(secret, day, region, service), day, region, service)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = make(map[keyCacheID]*signingKey)
	}
	c.m[id] = k
	c.mu.Unlock()
	return k
}

type authorization struct {
	accessKey, scope, signature string
	signed                      []string
}

// parseAuthorization parses
// "JDCLOUD2-HMAC-SHA256 Credential=ak/scope, SignedHeaders=a;b, Signature=hex".
func parseAuthorization(h string) (authorization, error) {
	var a authorization
	rest, ok := strings.CutPrefix(h, Algorithm+" ")
	if !ok {
		return a, verr(ReasonMalformed, "Authorization does not start with %s", Algorithm)
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, verr(ReasonMalformed, "Authorization part %q is not key=value", truncate(part))
		}
		switch k {
		case "Credential":
			ak, scope, ok := strings.Cut(v, "/")
			if !ok || ak == "" {
				return a, verr(ReasonMalformed, "Authorization Credential is not accessKey/scope")
			}
			a.accessKey, a.scope = ak, scope
		case "SignedHeaders":
			if strings.Count(v, ";") >= MaxSignedHeaders {
				return a, verr(ReasonMalformed, "SignedHeaders names more than %d headers", MaxSignedHeaders)
			}
			a.signed = strings.Split(v, ";")
			if !slices.IsSorted(a.signed) {
				return a, verr(ReasonMalformed, "SignedHeaders are not sorted")
			}
		case "Signature":
			a.signature = v
		}
	}
	if a.accessKey == "" || len(a.signed) == 0 || a.signature == "" {
		return a, verr(ReasonMalformed, "Authorization lacks Credential, SignedHeaders or Signature")
	}
	return a, nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
