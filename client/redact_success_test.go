package client_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/signer"
)

// TestEchoedCredentialsAreRedactedFromASuccessExcerpt: a proxy answering 200 with a
// page that echoes the request (not the JSON envelope) gets no credential of ours
// into the error: not the signature, and not a piece of a secret that straddles the
// end of the excerpt (the excerpt is cut after redaction, not before).
func TestEchoedCredentialsAreRedactedFromASuccessExcerpt(t *testing.T) {
	for _, pad := range []int{0, 120, 124, 126, 128, 130, 180, 186, 188, 190, 192, 194, 196} {
		echoSig := pad < 150 // then the secret straddles the cut behind the echoed signature
		s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			auth := r.Header.Get("Authorization")
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(200)
			body := strings.Repeat("x", pad) + testSK + " " + testToken
			if echoSig {
				body = "sig " + auth[strings.LastIndex(auth, "=")+1:] + " " + body
			}
			w.Write([]byte(body))
		})
		tc := newClient(t, s, client.WithCredentials(signer.Credentials{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken}),
			client.WithRetryPolicy(client.NoRetries()))
		_, err := call(operations[0], tc)
		if err == nil {
			t.Fatal("no error")
		}
		reqs := wantRequests(t, s, 1)
		auth := reqs[0].Header.Get("Authorization")
		sig := auth[strings.LastIndex(auth, "=")+1:]
		for _, secret := range []string{sig, testSK[:8], testToken[:8]} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("pad %d: error carries %q: %v", pad, secret, err)
			}
		}
	}
}

// TestEchoedAccessKeyIsRedacted: the access key is a credential too: a proxy that
// echoes the Authorization header (Credential=AK/...) into its error page or a 200
// page does not put it into the error.
func TestEchoedAccessKeyIsRedacted(t *testing.T) {
	for _, status := range []int{502, 200} {
		s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			w.Write([]byte("you sent " + r.Header.Get("Authorization")))
		})
		tc := newClient(t, s, client.WithRetryPolicy(client.NoRetries()))
		_, err := call(operations[0], tc)
		if err == nil || strings.Contains(err.Error(), testAK) || !strings.Contains(err.Error(), "[REDACTED]") {
			t.Errorf("status %d: %v", status, err)
		}
	}
}
