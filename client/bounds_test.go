package client_test

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/signer"
)

// TestLargestMaxResponseBytesReadsAChunkedBody: WithMaxResponseBytes accepts any
// positive limit, math.MaxInt64 included; a body sent without a Content-Length is
// then read whole (limit+1 must not wrap to a negative read limit).
func TestLargestMaxResponseBytesReadsAChunkedBody(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		w.(http.Flusher).Flush() // no Content-Length: chunked
		io.WriteString(w, okBody)
	}))
	defer s.Close()
	for _, limit := range []int64{math.MaxInt64, math.MaxInt64 - 1, client.DefaultMaxResponseBytes} {
		c, err := client.New(client.WithCredentials(signer.Credentials{AccessKey: testAK, SecretKey: testSK}),
			client.WithEndpoint(s.URL), client.WithMaxResponseBytes(limit))
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := c.DescribeImage(context.Background(), "cn-north-1", "img-abc12345")
		if err != nil || img.ImageId == nil || *img.ImageId != "img-abc12345" {
			t.Errorf("limit %d: %v, %+v", limit, err, img)
		}
	}
}

// TestAnnouncedLengthIsNotAllocatedAhead: under a large limit, a Content-Length far
// beyond the bytes that follow is no allocation of that size (which panics or runs
// out of memory): the short body is reported as the truncated body it is.
func TestAnnouncedLengthIsNotAllocatedAhead(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		rw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1125899906842624\r\n\r\n" + okBody)
		rw.Flush()
	}))
	defer s.Close()
	c, err := client.New(client.WithCredentials(signer.Credentials{AccessKey: testAK, SecretKey: testSK}),
		client.WithEndpoint(s.URL), client.WithMaxResponseBytes(math.MaxInt64), client.WithRetryPolicy(client.NoRetries()))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.DescribeImage(context.Background(), "cn-north-1", "img-abc12345")
	var re *client.RequestError
	if !errors.As(err, &re) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("got %T %v", err, err)
	}
}
