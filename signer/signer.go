package signer

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Header names set or read by the signer (canonical MIME form).
const (
	HeaderAuthorization = "Authorization"
	HeaderDate          = "X-Jdcloud-Date"
	HeaderNonce         = "X-Jdcloud-Nonce"
	HeaderSecurityToken = "X-Jdcloud-Security-Token"
	HeaderRequestID     = "X-Jdcloud-Request-Id"
	// HeaderContentSHA256 carries the hex SHA-256 of the body: JDCLOUD3 clients
	// send it (JD Cloud's Python SDK unsigned), and Verify refuses a request whose
	// value disagrees with the body.
	HeaderContentSHA256 = "X-Jdcloud-Content-Sha256"
)

// TimeFormat is the layout of x-jdcloud-date.
const TimeFormat = "20060102T150405Z"

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Credentials are a JD Cloud access key pair and an optional security (MFA) token.
// Printing them with fmt shows the access key only.
type Credentials struct {
	AccessKey     string
	SecretKey     string
	SecurityToken string
}

// String redacts the secret parts.
func (c Credentials) String() string {
	tok := ""
	if c.SecurityToken != "" {
		tok = ", SecurityToken: REDACTED"
	}
	return fmt.Sprintf("{AccessKey: %s, SecretKey: REDACTED%s}", c.AccessKey, tok)
}

// GoString redacts the secret parts for %#v too.
func (c Credentials) GoString() string { return "signer.Credentials" + c.String() }

// Validate reports whether the credentials can sign: both keys set, no surrounding
// white space. The error never contains the secret.
func (c Credentials) Validate() error {
	switch {
	case c.AccessKey == "" && c.SecretKey == "":
		return errors.New("signer: credentials: access key and secret key are empty")
	case c.AccessKey == "":
		return errors.New("signer: credentials: access key is empty (secret key is set)")
	case c.SecretKey == "":
		return errors.New("signer: credentials: secret key is empty (access key is set)")
	case strings.TrimSpace(c.AccessKey) != c.AccessKey || strings.ContainsAny(c.AccessKey, " \t\r\n/,"):
		return errors.New("signer: credentials: access key contains white space, '/' or ','")
	case strings.TrimSpace(c.SecretKey) != c.SecretKey:
		return errors.New("signer: credentials: secret key has leading or trailing white space")
	}
	return nil
}

// Signer signs requests for one service with one set of credentials and one
// algorithm. It is safe for concurrent use.
type Signer struct {
	creds   Credentials
	err     error // creds.Validate() or a refused Option, once
	service string
	alg     Algorithm
	token   string // base64 of the security token, "" when none
	now     func() time.Time

	// date is the x-jdcloud-date of the last second signed in: one string serves
	// every request signed within that second.
	date atomic.Pointer[signedDate]

	// last is the most recently used key: one day and region serve nearly every
	// request, lock-free; keys holds the others. Both hold derived keys only.
	last atomic.Pointer[cachedKey]
	mu   sync.Mutex
	keys map[keyID]*signingKey // derived signing keys, per day and region
}

// Option configures a Signer.
type Option func(*Signer) error

// WithAlgorithm sets the algorithm the Signer signs with (default
// DefaultAlgorithm()). An unknown one makes every Sign fail with an error naming it.
func WithAlgorithm(a Algorithm) Option {
	return func(s *Signer) error {
		if err := a.Validate(); err != nil {
			return err
		}
		s.alg = a
		return nil
	}
}

type keyID struct{ day, region string }

type cachedKey struct {
	id  keyID
	key *signingKey
}

type signedDate struct {
	unix int64
	date string
}

// New returns a Signer for service ("vm" for this API). Invalid credentials or a
// refused Option do not fail here: every Sign returns the error.
func New(c Credentials, service string, opts ...Option) *Signer {
	s := &Signer{creds: c, err: c.Validate(), service: service, alg: DefaultAlgorithm(), now: time.Now, keys: make(map[keyID]*signingKey)}
	for _, opt := range opts {
		if opt == nil {
			s.err = errors.Join(s.err, errors.New("signer: nil Option"))
			continue
		}
		if err := opt(s); err != nil {
			s.err = errors.Join(s.err, err)
		}
	}
	if c.SecurityToken != "" {
		s.token = base64.StdEncoding.EncodeToString([]byte(c.SecurityToken))
	}
	return s
}

// String describes the signer without its secrets, so that printing one (for example
// with %+v) never shows the secret key or the token.
func (s *Signer) String() string {
	return fmt.Sprintf("signer.Signer{algorithm: %s, service: %s, credentials: %s}", s.alg, s.service, s.creds)
}

// Algorithm returns the algorithm the signer signs with.
func (s *Signer) Algorithm() Algorithm { return s.alg }

// GoString is String, for %#v.
func (s *Signer) GoString() string { return s.String() }

// AccessKey returns the access key the signer signs with.
func (s *Signer) AccessKey() string { return s.creds.AccessKey }

// Sign sets x-jdcloud-date (now, UTC) and a fresh UUIDv4 x-jdcloud-nonce (with
// JDCLOUD3 also x-jdcloud-content-sha256), then Authorization. Every header on the
// request but Authorization, User-Agent and X-Jdcloud-Request-Id is signed, date and
// nonce included, for both algorithms. body is the exact request body (nil for
// none).
func (s *Signer) Sign(req *http.Request, body []byte, region string) error {
	nonce, err := NewNonce()
	if err != nil {
		return err
	}
	return s.SignAt(req, body, region, s.now(), nonce)
}

// SignAt is Sign with the time and nonce given: deterministic, for tests and test
// vectors.
func (s *Signer) SignAt(req *http.Request, body []byte, region string, at time.Time, nonce string) error {
	if req == nil || req.URL == nil {
		return errors.New("signer: nil request or URL")
	}
	if s.err != nil {
		return s.err
	}
	if s.service == "" {
		return errors.New("signer: service is empty")
	}
	if nonce == "" {
		return errors.New("signer: nonce is empty")
	}
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	date := s.dateOf(at)
	day := date[:8]
	key, err := s.signingKey(day, region)
	if err != nil {
		return err
	}
	delete(req.Header, HeaderAuthorization)
	// One backing array for the values this signer sets: date, nonce, Authorization,
	// the token and the content hash.
	payloadHash := bodyHash(body)
	vals := make([]string, 5)
	vals[0], vals[1], vals[3], vals[4] = date, nonce, s.token, payloadHash
	req.Header[HeaderDate] = vals[0:1:1]
	req.Header[HeaderNonce] = vals[1:2:2]
	if s.token != "" {
		req.Header[HeaderSecurityToken] = vals[3:4:4]
	}
	if s.alg == JDCLOUD3 {
		req.Header[HeaderContentSHA256] = vals[4:5:5]
	}
	var namesBuf [8]hdr
	names := signableHeaders(namesBuf[:0], req.Header)
	sig := key.sign(req.Method, canonicalPath(req), canonicalQuery(req.URL.RawQuery), hostOf(req), req.Header, names, payloadHash, date)

	var b strings.Builder
	b.Grow(len(key.credential) + 24*len(names) + len(", Signature=") + len(sig))
	b.WriteString(key.credential)
	for i, n := range names {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(n.lower)
	}
	b.WriteString(", Signature=")
	b.Write(sig[:])
	vals[2] = b.String()
	req.Header[HeaderAuthorization] = vals[2:3:3]
	return nil
}

// dateOf formats at as x-jdcloud-date, reusing the last second's string.
func (s *Signer) dateOf(at time.Time) string {
	unix := at.Unix()
	if d := s.date.Load(); d != nil && d.unix == unix {
		return d.date
	}
	var buf [16]byte
	d := &signedDate{unix: unix, date: string(at.UTC().AppendFormat(buf[:0], TimeFormat))}
	s.date.Store(d)
	return d.date
}

// signingKey returns the key of a day and region: the last one used without a lock,
// else from the cache, else derived (after checking the region, which a cached key
// vouches for).
func (s *Signer) signingKey(day, region string) (*signingKey, error) {
	id := keyID{day, region}
	if c := s.last.Load(); c != nil && c.id == id {
		return c.key, nil
	}
	s.mu.Lock()
	k, ok := s.keys[id]
	s.mu.Unlock()
	if !ok {
		if err := checkRegion(region); err != nil {
			return nil, err
		}
		k = newSigningKey(s.alg, s.creds.SecretKey, day, region, s.service)
		k.credential = string(s.alg) + " Credential=" + s.creds.AccessKey + "/" + scopeOf(s.alg, day, region, s.service) + ", SignedHeaders="
		s.mu.Lock()
		if len(s.keys) > 64 { // a day change or many regions: start afresh
			clear(s.keys)
		}
		s.keys[id] = k
		s.mu.Unlock()
	}
	s.last.Store(&cachedKey{id, k})
	return k, nil
}

// NewNonce returns a random lowercase UUIDv4.
func NewNonce() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("signer: nonce: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:]), nil
}

// CheckRegion refuses a region that cannot stand in a credential scope: an empty one,
// or one with a character other than letters, digits, '-', '_' or '.'.
func CheckRegion(region string) error { return checkRegion(region) }

// checkRegion refuses a region that cannot stand in a credential scope.
func checkRegion(region string) error {
	if region == "" {
		return errors.New("signer: region is empty")
	}
	for i := 0; i < len(region); i++ {
		c := region[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fmt.Errorf("signer: region %q has a character other than letters, digits, '-', '_' or '.'", region)
		}
	}
	return nil
}
