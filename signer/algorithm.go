package signer

import "fmt"

// Algorithm names a signature algorithm: the word that opens the Authorization
// header. JD Cloud's gateway accepts both; they differ only in that word, the key
// seed, the scope terminator and what the SDKs that send them sign.
type Algorithm string

// The algorithms JD Cloud's gateway accepts.
const (
	// JDCLOUD2 is what JD Cloud's Go and Node SDKs send, and this package signs by
	// default.
	JDCLOUD2 Algorithm = "JDCLOUD2-HMAC-SHA256"
	// JDCLOUD3 is what JD Cloud's Python SDK (since 1.6.95) and the jdc command line
	// (since 1.2.9) send.
	JDCLOUD3 Algorithm = "JDCLOUD3-HMAC-SHA256"
)

// DefaultAlgorithm returns the algorithm a Signer uses unless told otherwise:
// JDCLOUD2, as JD Cloud's Go SDK.
func DefaultAlgorithm() Algorithm { return JDCLOUD2 }

// Algorithms returns the algorithms Verify accepts.
func Algorithms() []Algorithm { return []Algorithm{JDCLOUD2, JDCLOUD3} }

// Validate reports whether a is one of the algorithms this package signs.
func (a Algorithm) Validate() error {
	switch a {
	case JDCLOUD2, JDCLOUD3:
		return nil
	}
	return fmt.Errorf("signer: unknown signature algorithm %q (want %s or %s)", clipText(string(a)), JDCLOUD2, JDCLOUD3)
}

// String returns the algorithm's name.
func (a Algorithm) String() string { return string(a) }

// keySeed is what the secret key is prefixed with to seed the key chain.
func (a Algorithm) keySeed() string {
	if a == JDCLOUD3 {
		return "JDCLOUD3"
	}
	return "JDCLOUD2"
}

// terminator ends the credential scope.
func (a Algorithm) terminator() string {
	if a == JDCLOUD3 {
		return "jdcloud3_request"
	}
	return "jdcloud2_request"
}

// AlgorithmOf returns the algorithm that opens an Authorization header value, and
// whether it is one this package knows. Nothing else is checked.
func AlgorithmOf(authorization string) (Algorithm, bool) {
	for _, a := range Algorithms() {
		if len(authorization) > len(a) && authorization[len(a)] == ' ' && Algorithm(authorization[:len(a)]) == a {
			return a, true
		}
	}
	return "", false
}

// clipText bounds untrusted text quoted in an error.
func clipText(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
