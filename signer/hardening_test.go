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
	prefix := Algorithm + " Credential=ak/20260102/cn-north-1/vm/jdcloud2_request, SignedHeaders="
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

// Verify derives the signing key of a secret, day, region and service once.
func TestVerifyCachesDerivedKeys(t *testing.T) {
	req := signedVector(t)
	if _, err := Verify(req, nil, lookup, at(vectorTime)); err != nil { // may derive
		t.Fatal(err)
	}
	before := derivations.Load()
	for i := 0; i < 5; i++ {
		if _, err := Verify(req, nil, lookup, at(vectorTime)); err != nil {
			t.Fatal(err)
		}
	}
	if n := derivations.Load() - before; n != 0 {
		t.Errorf("5 verifications derived the key %d more time(s), want 0", n)
	}
}
