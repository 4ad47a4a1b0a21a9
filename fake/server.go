package fake

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"
)

// Server is a fake Service listening on a loopback port.
type Server struct {
	*Service
	// URL is the base URL to give a client's endpoint, e.g. http://127.0.0.1:41234
	// (requests go to URL + "/v1/regions/...").
	URL string

	srv  *http.Server
	ln   net.Listener
	done chan struct{}
}

// Start serves a new fake Service on 127.0.0.1 (or WithAddr's address) until Close.
func Start(opts ...Option) (*Server, error) {
	svc, err := New(opts...)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", svc.addr)
	if err != nil {
		return nil, fmt.Errorf("fake: listen: %w", err)
	}
	s := &Server{
		Service: svc,
		URL:     "http://" + ln.Addr().String(),
		srv:     &http.Server{Handler: svc, ReadHeaderTimeout: 10 * time.Second},
		ln:      ln,
		done:    make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln) // returns http.ErrServerClosed after Close or Shutdown
	}()
	return s, nil
}

// StartTest is Start for tests: it fails tb on error and closes the server at
// cleanup.
func StartTest(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s, err := Start(opts...)
	if err != nil {
		tb.Fatalf("fake: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// Close stops the server at once, closing open connections, and waits for it.
func (s *Server) Close() error {
	err := s.srv.Close()
	<-s.done
	return err
}

// Shutdown stops the server gracefully, waiting for requests in flight until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	<-s.done
	return err
}
