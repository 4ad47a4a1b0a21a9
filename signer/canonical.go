package signer

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/vmimage/vmimage/internal/query"
)

// hdr is a signed header: its lowercase name and its key in the http.Header map
// ("" for host, which is read from the request).
type hdr struct{ lower, key string }

// signingKey is a derived signing key (never a secret) with what every signature
// made with it shares.
type signingKey struct {
	alg Algorithm
	key []byte // kSigning: the end of the HMAC chain
	// macs holds *macState keyed with key, reset and reused, so that a signature
	// allocates no HMAC state.
	macs sync.Pool
	// scope is the string to sign's third line, with its newline:
	// day/region/service/jdcloud2_request (or jdcloud3_request).
	scope string
	// credential opens the Authorization header, up to the signed header names:
	// "JDCLOUD2-HMAC-SHA256 Credential=ak/scope, SignedHeaders=" (set by a Signer;
	// Verify writes no Authorization).
	credential string
}

// scopeOf is a credential scope: day/region/service/jdcloud2_request (or
// jdcloud3_request).
func scopeOf(alg Algorithm, day, region, service string) string {
	return day + "/" + region + "/" + service + "/" + alg.terminator()
}

// deriveKey runs the key chain: HMAC(seed+secret, day), then region, service and
// the terminator. Both algorithms share its shape.
func deriveKey(alg Algorithm, secret, day, region, service string) []byte {
	k := hmacSum([]byte(alg.keySeed()+secret), day)
	k = hmacSum(k, region)
	k = hmacSum(k, service)
	return hmacSum(k, alg.terminator())
}

func hmacSum(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func newSigningKey(alg Algorithm, secret, day, region, service string) *signingKey {
	k := &signingKey{alg: alg, key: deriveKey(alg, secret, day, region, service), scope: scopeOf(alg, day, region, service) + "\n"}
	k.macs.New = func() any { return &macState{mac: hmac.New(sha256.New, k.key), sts: make([]byte, 0, 256)} }
	return k
}

// macState is an HMAC keyed with a signing key and the buffers a signature uses.
type macState struct {
	mac hash.Hash
	sts []byte // the string to sign
	sum [sha256.Size]byte
}

// sign returns the lowercase hex signature of a request, whose path and query are
// already in canonical form.
func (k *signingKey) sign(method, path, query, host string, h http.Header, names []hdr, payloadHash, date string) [2 * sha256.Size]byte {
	canonical := appendCanonical(make([]byte, 0, 512), method, path, query, host, h, names, payloadHash)
	crHash := sha256.Sum256(canonical)

	m := k.macs.Get().(*macState)
	sts := append(m.sts[:0], k.alg...)
	sts = append(sts, '\n')
	sts = append(sts, date...)
	sts = append(sts, '\n')
	sts = append(sts, k.scope...)
	sts = hex.AppendEncode(sts, crHash[:])

	m.mac.Reset()
	m.mac.Write(sts)
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], m.mac.Sum(m.sum[:0]))
	m.sts = sts
	k.macs.Put(m)
	return out
}

// lowerName lowercases a header key, without allocating for the headers this client
// sends.
func lowerName(k string) string {
	switch k {
	case "Content-Type":
		return "content-type"
	case HeaderDate:
		return "x-jdcloud-date"
	case HeaderNonce:
		return "x-jdcloud-nonce"
	case HeaderSecurityToken:
		return "x-jdcloud-security-token"
	case HeaderContentSHA256:
		return "x-jdcloud-content-sha256"
	case "Accept":
		return "accept"
	case "User-Agent":
		return "user-agent"
	case HeaderAuthorization:
		return "authorization"
	}
	return strings.ToLower(k)
}

// unsigned lists the headers never signed, lowercased.
func unsigned(name string) bool {
	switch name {
	case "authorization", "user-agent", "x-jdcloud-request-id":
		return true
	}
	return false
}

// signableHeaders appends host plus every signable header present, sorted by
// lowercase name.
func signableHeaders(dst []hdr, h http.Header) []hdr {
	dst = append(dst, hdr{lower: "host"})
	for k := range h {
		lk := lowerName(k)
		if unsigned(lk) || lk == "host" {
			continue
		}
		dst = append(dst, hdr{lower: lk, key: k})
	}
	slices.SortFunc(dst, func(a, b hdr) int { return strings.Compare(a.lower, b.lower) })
	return slices.CompactFunc(dst, func(a, b hdr) bool { return a.lower == b.lower })
}

// namedHeaders finds the map keys of signed header names (for Verify), in time
// linear in the number of names and headers: a header not under its canonical key is
// looked up in a lowercase index built once.
func namedHeaders(h http.Header, lower []string) []hdr {
	out := make([]hdr, 0, len(lower))
	var index map[string]string
	for _, name := range lower {
		if name == "host" {
			out = append(out, hdr{lower: name})
			continue
		}
		key := http.CanonicalHeaderKey(name)
		if _, ok := h[key]; !ok {
			if index == nil {
				index = make(map[string]string, len(h))
				for k := range h {
					if lk := strings.ToLower(k); index[lk] == "" {
						index[lk] = k
					}
				}
			}
			if k, ok := index[name]; ok {
				key = k
			}
		}
		out = append(out, hdr{lower: name, key: key})
	}
	return out
}

// appendCanonical appends the canonical request.
func appendCanonical(b []byte, method, path, query, host string, h http.Header, names []hdr, payloadHash string) []byte {
	b = append(b, method...)
	b = append(b, '\n')
	b = append(b, path...)
	b = append(b, '\n')
	b = append(b, query...)
	b = append(b, '\n')
	for _, n := range names {
		b = append(b, n.lower...)
		b = append(b, ':')
		if n.key == "" {
			b = appendValue(b, host)
		} else {
			for i, v := range h[n.key] {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendValue(b, v)
			}
		}
		b = append(b, '\n')
	}
	b = append(b, '\n')
	for i, n := range names {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, n.lower...)
	}
	b = append(b, '\n')
	return append(b, payloadHash...)
}

// appendValue appends v trimmed, with inner runs of spaces collapsed to one.
func appendValue(b []byte, v string) []byte {
	v = strings.TrimSpace(v)
	if strings.IndexByte(v, '\t') < 0 && !strings.Contains(v, "  ") {
		return append(b, v...) // nothing to collapse: the common case
	}
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' || c == '\t' {
			if !space {
				b = append(b, ' ')
			}
			space = true
			continue
		}
		space = false
		b = append(b, c)
	}
	return b
}

func bodyHash(body []byte) string {
	if len(body) == 0 {
		return emptySHA256
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

func hostOf(req *http.Request) string {
	if req.Host != "" {
		return req.Host
	}
	return req.URL.Host
}

// canonicalPath is the path as both algorithms sign it, whatever form travelled on
// the wire: percent-escapes decoded (a malformed one is kept as is), runs of '/'
// collapsed to one, then every byte but A-Z a-z 0-9 - _ . ~ and '/' escaped as %XX
// with uppercase hex. So a ':' sent raw and one sent as %3A are signed alike, as JD
// Cloud's gateway does.
func canonicalPath(req *http.Request) string { return canonicalizePath(req.URL.EscapedPath()) }

// canonicalizePath is canonicalPath of an escaped path.
func canonicalizePath(p string) string {
	if p == "" {
		return "/"
	}
	if isCanonicalPath(p) {
		return p // the common case: nothing to escape again, nothing to collapse
	}
	return rebuildPath(p)
}

// rebuildPath writes an escaped path canonically: each escape decoded, then every
// byte but the unreserved ones and '/' escaped in upper case, repeated slashes
// collapsed, a leading '/' added when missing.
func rebuildPath(p string) string {
	b := make([]byte, 0, len(p)+16)
	last := byte(0)
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) {
			c = unhex(p[i+1])<<4 | unhex(p[i+2])
			i += 2
		}
		switch {
		case c == '/':
			if last == '/' {
				continue
			}
			b = append(b, '/')
		case query.Unreserved(c):
			b = append(b, c)
		default:
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
		last = c
	}
	if len(b) == 0 || b[0] != '/' {
		b = append([]byte{'/'}, b...)
	}
	return string(b)
}

// isCanonicalPath reports whether p is its own canonical form: it starts with '/',
// has single slashes, and only unreserved bytes or escapes as canonicalizePath
// writes them (upper-case hex of a byte that is neither unreserved nor '/', such
// as JD's colon sent as %3A).
func isCanonicalPath(p string) bool {
	if p[0] != '/' {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '/':
			if i > 0 && p[i-1] == '/' {
				return false
			}
		case c == '%':
			if i+2 >= len(p) || !isUpperHex(p[i+1]) || !isUpperHex(p[i+2]) {
				return false
			}
			if d := unhex(p[i+1])<<4 | unhex(p[i+2]); d == '/' || query.Unreserved(d) {
				return false
			}
			i += 2
		case !query.Unreserved(c):
			return false
		}
	}
	return true
}

func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

const upperHex = "0123456789ABCDEF"

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// canonicalQuery is the query as both algorithms sign it: each parameter decoded,
// re-encoded per RFC 3986 and sorted (query.Canonical), parameters with an empty name
// dropped.
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	if raw[0] == '=' || strings.Contains(raw, "&=") {
		parts := strings.Split(raw, "&")
		parts = slices.DeleteFunc(parts, func(p string) bool { return p == "" || p[0] == '=' })
		raw = strings.Join(parts, "&")
	}
	return query.Canonical(raw)
}
