package signer

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
)

// hdr is a signed header: its lowercase name and its key in the http.Header map
// ("" for host, which is read from the request).
type hdr struct{ lower, key string }

// signingKey is a derived key with the HMAC pads precomputed, so that a signature
// costs two SHA-256 sums and no allocation.
type signingKey struct {
	ipad, opad [sha256.BlockSize]byte
	// scope is the string to sign's third line, with its newline:
	// day/region/service/jdcloud2_request.
	scope string
	// credential opens the Authorization header, up to the signed header names:
	// "JDCLOUD2-HMAC-SHA256 Credential=ak/scope, SignedHeaders=" (set by a Signer;
	// Verify writes no Authorization).
	credential string
}

// scopeOf is a credential scope: day/region/service/jdcloud2_request.
func scopeOf(day, region, service string) string {
	return day + "/" + region + "/" + service + "/" + terminator
}

func newSigningKey(k []byte, day, region, service string) *signingKey {
	sk := &signingKey{scope: scopeOf(day, region, service) + "\n"}
	copy(sk.ipad[:], k) // derived keys are 32 bytes: shorter than a block
	copy(sk.opad[:], k)
	for i := range sk.ipad {
		sk.ipad[i] ^= 0x36
		sk.opad[i] ^= 0x5c
	}
	return sk
}

// mac returns HMAC-SHA256(key, msg).
func (k *signingKey) mac(msg []byte) [sha256.Size]byte {
	buf := make([]byte, 0, sha256.BlockSize+256)
	buf = append(append(buf, k.ipad[:]...), msg...)
	inner := sha256.Sum256(buf)
	var outer [sha256.BlockSize + sha256.Size]byte
	copy(outer[:], k.opad[:])
	copy(outer[sha256.BlockSize:], inner[:])
	return sha256.Sum256(outer[:])
}

// sign returns the lowercase hex signature of a request.
func (k *signingKey) sign(method, path, query, host string, h http.Header, names []hdr, payloadHash, date string) [2 * sha256.Size]byte {
	canonical := appendCanonical(make([]byte, 0, 512), method, path, query, host, h, names, payloadHash)
	crHash := sha256.Sum256(canonical)

	sts := make([]byte, 0, 256)
	sts = append(sts, Algorithm+"\n"...)
	sts = append(sts, date...)
	sts = append(sts, '\n')
	sts = append(sts, k.scope...)
	sts = hex.AppendEncode(sts, crHash[:])

	sum := k.mac(sts)
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], sum[:])
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

func escapedPath(req *http.Request) string {
	p := req.URL.EscapedPath()
	if p == "" {
		return "/"
	}
	return p
}
