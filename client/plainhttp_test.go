package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/signer"
)

// TestPlainHTTPEndpointIsNotRetried: an https:// endpoint that answers in plain HTTP
// fails at once (one attempt, not three), and the error says what to change.
func TestPlainHTTPEndpointIsNotRetried(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	c, err := client.New(client.WithEndpoint(strings.Replace(srv.URL, "http://", "https://", 1)),
		client.WithCredentials(signer.Credentials{AccessKey: "ak", SecretKey: "sk"}))
	if err != nil {
		t.Fatal(err)
	}
	_, resp, err := c.DescribeImage(context.Background(), "cn-north-1", "img-abc12345")
	var re *client.RequestError
	if !errors.As(err, &re) || resp == nil || resp.Attempts != 1 {
		t.Fatalf("got %T %v, %+v", err, err, resp)
	}
	if !strings.Contains(err.Error(), "does not speak TLS") || !strings.Contains(err.Error(), "http://") {
		t.Errorf("the error does not say what to change: %v", err)
	}
	var ma *client.MaxAttemptsError
	if errors.As(err, &ma) {
		t.Errorf("retried: %v", err)
	}
}
