package signer

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// An absurd Authorization (huge, or naming thousands of headers) is refused as
// malformed before any work proportional to its size, even with a known key.
func TestAbsurdAuthorizationIsRefusedEarly(t *testing.T) {
	signed := func(n int) string {
		names := []string{"content-type", "host", "x-jdcloud-date", "x-jdcloud-nonce"}
		for i := 0; i < n; i++ {
			names = append(names, fmt.Sprintf("x-z%05d", i))
		}
		return strings.Join(names, ";")
	}
	prefix := string(JDCLOUD2) + " Credential=ak/20260102/cn-north-1/vm/jdcloud2_request, SignedHeaders="
	for name, c := range map[string]struct{ auth, want string }{
		"too long":           {prefix + signed(0) + ", Signature=" + strings.Repeat("0", 5000), "longer than 4096 bytes"},
		"too many names":     {prefix + signed(100) + ", Signature=00", "more than 64 headers"},
		"thousands of names": {prefix + signed(1000) + ", Signature=00", "longer than"},
	} {
		req := signedVector(t)
		req.Header.Set("Authorization", c.auth)
		_, err := Verify(req, nil, lookup, at(vectorTime))
		var ve *VerifyError
		if !errors.As(err, &ve) || ve.Reason != ReasonMalformed || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want a malformed refusal saying %q", name, err, c.want)
		}
	}
}

// Headers present under a non-canonical key are found through one index, not one
// scan of every header per signed name.
func TestNamedHeadersFindsNonCanonicalKeys(t *testing.T) {
	h := http.Header{"x-custom-a": {"1"}, "X-Jdcloud-Date": {"d"}}
	for i := 0; i < 1000; i++ {
		h["x-filler-"+strings.Repeat("z", i%40)+string(rune('a'+i%26))] = []string{"f"}
	}
	got := namedHeaders(h, []string{"host", "x-custom-a", "x-jdcloud-date", "x-missing"})
	want := []hdr{{lower: "host"}, {lower: "x-custom-a", key: "x-custom-a"}, {lower: "x-jdcloud-date", key: "X-Jdcloud-Date"}, {lower: "x-missing", key: "X-Missing"}}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

// A Verifier derives the signing key of a secret and scope once, caches the derived
// key under an index that is not the secret, and keeps its cache to itself.
func TestVerifierCachesDerivedKeys(t *testing.T) {
	v, err := NewVerifier(lookup, at(vectorTime))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := v.Verify(signedVector(t), nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := v.cachedKeys(); n != 1 {
		t.Errorf("5 verifications of one key and scope cached %d keys, want 1", n)
	}
	k1 := v.key(JDCLOUD2, "sk", "20260102", "cn-north-1", "vm")
	if k2 := v.key(JDCLOUD2, "sk", "20260102", "cn-north-1", "vm"); k1 != k2 {
		t.Error("the same secret and scope derived a second key")
	}
	if k3 := v.key(JDCLOUD3, "sk", "20260102", "cn-north-1", "vm"); k3 == k1 || hmacEqual(k3.key, k1.key) {
		t.Error("JDCLOUD3 shares JDCLOUD2's key")
	}
	if k4 := v.key(JDCLOUD2, "other", "20260102", "cn-north-1", "vm"); k4 == k1 {
		t.Error("another secret got the cached key")
	}
	if !hmacEqual(k1.key, deriveKey(JDCLOUD2, "sk", "20260102", "cn-north-1", "vm")) {
		t.Error("the cached key is not the derived key")
	}
	// The index is keyed per Verifier: another one indexes the same secret elsewhere,
	// so an index says nothing about a secret across instances.
	w, _ := NewVerifier(lookup, at(vectorTime))
	if v.cacheID(JDCLOUD2, "sk", "20260102", "cn-north-1", "vm") == w.cacheID(JDCLOUD2, "sk", "20260102", "cn-north-1", "vm") {
		t.Error("two Verifiers index a secret alike")
	}
	if w.cachedKeys() != 0 {
		t.Error("a new Verifier starts with cached keys")
	}
	if _, err := NewVerifier(nil, VerifyOptions{}); err == nil {
		t.Error("NewVerifier accepted a nil lookup")
	}
}

func hmacEqual(a, b []byte) bool { return string(a) == string(b) }

// Verify's errors quote and bound the request's text: a huge x-jdcloud-date does not
// make a huge error, and a credential scope's day with control characters is
// escaped, never copied raw into an error a server may log or print.
func TestVerifyErrorsQuoteAndBoundRequestText(t *testing.T) {
	for name, c := range map[string]struct{ header, value string }{
		"huge date":          {HeaderDate, strings.Repeat("9", 100_000)},
		"scope day escapes":  {HeaderAuthorization, string(JDCLOUD2) + " Credential=ak/\x1b[31m\u009b2J/cn-north-1/vm/jdcloud2_request, SignedHeaders=host;x-jdcloud-date;x-jdcloud-nonce, Signature=00"},
		"scope long escapes": {HeaderAuthorization, string(JDCLOUD2) + " Credential=ak/20260102/" + strings.Repeat("\x1b", 3000) + "/vm/x, SignedHeaders=host, Signature=00"},
	} {
		req := signedVector(t)
		req.Header.Set(c.header, c.value)
		_, err := Verify(req, nil, lookup, at(vectorTime))
		var ve *VerifyError
		if !errors.As(err, &ve) || ve.Reason != ReasonMalformed {
			t.Fatalf("%s: got %v, want a malformed refusal", name, err)
		}
		if msg := err.Error(); len(msg) > 300 || strings.ContainsAny(msg, "\x1b\u009b") {
			t.Errorf("%s: error of %d bytes, raw control characters: %v", name, len(msg), strings.ContainsAny(msg, "\x1b\u009b"))
		}
	}
}
