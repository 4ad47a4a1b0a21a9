package signer

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
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

// maxCachedKeys bounds a Verifier's cache of derived keys; when full it starts afresh.
const maxCachedKeys = 1024

// Verified describes a request whose signature checked out.
type Verified struct {
	// Algorithm is the algorithm the request was signed with.
	Algorithm     Algorithm
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
	// ReasonContentHash: x-jdcloud-content-sha256 is not the SHA-256 of the body
	// received (JDCLOUD3 clients may send it unsigned).
	ReasonContentHash
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

// Verifier checks signed requests on the server side, with either algorithm. It
// caches the signing keys it derives (a server verifies many requests of one key a
// day, and a derivation is four HMACs): the cache holds derived keys only, indexed by
// an HMAC of the secret and scope under a key random to this Verifier, never by the
// secret. It is safe for concurrent use.
type Verifier struct {
	lookup SecretLookup
	opts   VerifyOptions

	idKey []byte // HMAC key of the cache's index; nil: no cache (Verify)
	mu    sync.Mutex
	keys  map[[sha256.Size]byte]*signingKey
}

// NewVerifier returns a Verifier that looks secrets up with lookup.
func NewVerifier(lookup SecretLookup, opts VerifyOptions) (*Verifier, error) {
	if lookup == nil {
		return nil, errors.New("signer: NewVerifier: nil SecretLookup")
	}
	idKey := make([]byte, 32)
	_, _ = rand.Read(idKey) // crypto/rand.Read never fails
	return &Verifier{lookup: lookup, opts: opts, idKey: idKey, keys: make(map[[sha256.Size]byte]*signingKey)}, nil
}

// Verify checks one signed request against the secret its access key maps to: a
// one-shot Verifier, which derives the key afresh. A server verifying many requests
// keeps a Verifier instead.
func Verify(req *http.Request, body []byte, lookup SecretLookup, opts VerifyOptions) (*Verified, error) {
	if lookup == nil {
		return nil, errors.New("signer: verify: nil SecretLookup")
	}
	v := Verifier{lookup: lookup, opts: opts}
	return v.Verify(req, body)
}

// key returns the signing key of a secret and scope, from the cache when there is one.
func (v *Verifier) key(alg Algorithm, secret, day, region, service string) *signingKey {
	if v.idKey == nil {
		return newSigningKey(alg, secret, day, region, service)
	}
	id := v.cacheID(alg, secret, day, region, service)
	v.mu.Lock()
	k, ok := v.keys[id]
	v.mu.Unlock()
	if ok {
		return k
	}
	k = newSigningKey(alg, secret, day, region, service)
	v.mu.Lock()
	if len(v.keys) >= maxCachedKeys {
		clear(v.keys)
	}
	v.keys[id] = k
	v.mu.Unlock()
	return k
}

// cacheID is HMAC-SHA256 under the Verifier's random key of the secret and the scope,
// each field length-prefixed so that no two inputs share an encoding.
func (v *Verifier) cacheID(alg Algorithm, secret, day, region, service string) [sha256.Size]byte {
	m := hmac.New(sha256.New, v.idKey)
	for _, f := range [...]string{string(alg), secret, day, region, service} {
		var n [4]byte
		n[0], n[1], n[2], n[3] = byte(len(f)>>24), byte(len(f)>>16), byte(len(f)>>8), byte(len(f))
		m.Write(n[:])
		m.Write([]byte(f))
	}
	var id [sha256.Size]byte
	m.Sum(id[:0])
	return id
}

// cachedKeys is the number of keys in the cache.
func (v *Verifier) cachedKeys() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.keys)
}

// Verify checks a signed request, JDCLOUD2 or JDCLOUD3. body is the exact request
// body. Both algorithms are checked on the canonical path and query (decoded,
// re-encoded), so a path sent with ':' raw verifies like one sent with %3A.
//
// JDCLOUD2 must sign host, x-jdcloud-date and x-jdcloud-nonce. JDCLOUD3 must sign
// host; x-jdcloud-date, x-jdcloud-nonce and x-jdcloud-content-sha256 may travel
// unsigned (JD Cloud's Python SDK signs only content-type and host), and are checked
// all the same: the date (part of the string to sign whatever is signed) within the
// skew, the nonce present (the caller refuses a repeated one), the content hash equal
// to the body's. On success it returns what the signature vouches for; on failure a
// *VerifyError whose Reason classifies the failure.
func (v *Verifier) Verify(req *http.Request, body []byte) (*Verified, error) {
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
		return nil, verr(ReasonMalformed, "x-jdcloud-date %q is not in the form 20060102T150405Z", clipText(date))
	}
	parsed, err := parseAuthorization(auth)
	if err != nil {
		return nil, err
	}
	alg := parsed.alg
	scope := strings.Split(parsed.scope, "/")
	if len(scope) != 4 || scope[3] != alg.terminator() || scope[1] == "" || scope[2] == "" {
		return nil, verr(ReasonMalformed, "credential scope %q is not day/region/service/%s", clipText(parsed.scope), alg.terminator())
	}
	if scope[0] != date[:8] {
		return nil, verr(ReasonMalformed, "credential scope day %q does not match x-jdcloud-date %s", clipText(scope[0]), date)
	}
	if v.opts.Service != "" && scope[2] != v.opts.Service {
		return nil, verr(ReasonMalformed, "credential scope names service %q, want %q", clipText(scope[2]), v.opts.Service)
	}
	mustSign := []string{"host"}
	if alg == JDCLOUD2 {
		mustSign = append(mustSign, "x-jdcloud-date", "x-jdcloud-nonce")
	}
	for _, must := range mustSign {
		if !slices.Contains(parsed.signed, must) {
			return nil, verr(ReasonMalformed, "signed headers do not include %s", must)
		}
	}
	if req.Header.Get(HeaderSecurityToken) != "" && !slices.Contains(parsed.signed, "x-jdcloud-security-token") {
		return nil, verr(ReasonMalformed, "x-jdcloud-security-token is present but not signed")
	}
	now := time.Now
	if v.opts.Now != nil {
		now = v.opts.Now
	}
	maxSkew := v.opts.MaxSkew
	if maxSkew == 0 {
		maxSkew = DefaultMaxSkew
	}
	if maxSkew > 0 {
		if d := now().Sub(at); d > maxSkew || d < -maxSkew {
			return nil, verr(ReasonSkew, "x-jdcloud-date %s is %s away from the server clock (at most %s allowed)", date, d.Round(time.Second), maxSkew)
		}
	}
	secret, ok := v.lookup(parsed.accessKey)
	if !ok {
		return nil, verr(ReasonUnknownKey, "Invalid accessKey %q", clipText(parsed.accessKey))
	}
	key := v.key(alg, secret, scope[0], scope[1], scope[2])
	payloadHash := bodyHash(body)
	want := key.sign(req.Method, canonicalPath(req), canonicalQuery(req.URL.RawQuery), hostOf(req), req.Header, namedHeaders(req.Header, parsed.signed),
		payloadHash, date)
	if !hmac.Equal([]byte(parsed.signature), want[:]) {
		return nil, verr(ReasonMismatch, "sign result is not same")
	}
	if sent, ok := req.Header[HeaderContentSHA256]; ok && (len(sent) != 1 || !strings.EqualFold(strings.TrimSpace(sent[0]), payloadHash)) {
		return nil, verr(ReasonContentHash, "x-jdcloud-content-sha256 is not the SHA-256 of the body received")
	}
	out := &Verified{Algorithm: alg, AccessKey: parsed.accessKey, Region: scope[1], Service: scope[2], Nonce: nonce, Date: at, SignedHeaders: parsed.signed}
	if tok := req.Header.Get(HeaderSecurityToken); tok != "" {
		dec, err := base64.StdEncoding.DecodeString(tok)
		if err != nil {
			return nil, verr(ReasonMalformed, "x-jdcloud-security-token is not base64")
		}
		out.SecurityToken = string(dec)
	}
	return out, nil
}

type authorization struct {
	alg                         Algorithm
	accessKey, scope, signature string
	signed                      []string
}

// parseAuthorization parses
// "JDCLOUD2-HMAC-SHA256 Credential=ak/scope, SignedHeaders=a;b, Signature=hex"
// (or JDCLOUD3-HMAC-SHA256).
func parseAuthorization(h string) (authorization, error) {
	var a authorization
	alg, ok := AlgorithmOf(h)
	if !ok {
		return a, verr(ReasonMalformed, "Authorization does not start with %s or %s", JDCLOUD2, JDCLOUD3)
	}
	a.alg = alg
	rest := h[len(alg)+1:]
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, verr(ReasonMalformed, "Authorization part %q is not key=value", clipText(part))
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
