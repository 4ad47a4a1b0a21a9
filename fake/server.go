package fake

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"
)

// Timeouts are the limits a Server puts on each connection, so that a client that
// sends nothing, sends slowly or sits idle cannot hold one forever. Zero fields
// take the defaults of DefaultTimeouts().
type Timeouts struct {
	// ReadHeader bounds reading a request's headers; Read the whole request.
	ReadHeader, Read time.Duration
	// Write bounds writing a response, from the end of the request's headers; keep it
	// above the longest latency fault a test injects.
	Write time.Duration
	// Idle bounds the wait for the next request on a keep-alive connection.
	Idle time.Duration
	// MaxHeaderBytes bounds a request's header block.
	MaxHeaderBytes int
}

// DefaultTimeouts returns the limits of a Server unless WithTimeouts says otherwise
// (a fresh value each call).
func DefaultTimeouts() Timeouts { return defaultTimeouts }

var defaultTimeouts = Timeouts{
	ReadHeader:     10 * time.Second,
	Read:           30 * time.Second,
	Write:          2 * time.Minute,
	Idle:           2 * time.Minute,
	MaxHeaderBytes: 64 << 10,
}

// WithTimeouts sets a Server's connection limits; a zero field keeps its default.
func WithTimeouts(t Timeouts) Option {
	return func(o *options) error {
		if t.ReadHeader < 0 || t.Read < 0 || t.Write < 0 || t.Idle < 0 || t.MaxHeaderBytes < 0 {
			return errors.New("fake: WithTimeouts: negative limit")
		}
		d := DefaultTimeouts()
		for _, f := range []struct {
			dst *time.Duration
			v   time.Duration
		}{{&d.ReadHeader, t.ReadHeader}, {&d.Read, t.Read}, {&d.Write, t.Write}, {&d.Idle, t.Idle}} {
			if f.v > 0 {
				*f.dst = f.v
			}
		}
		if t.MaxHeaderBytes > 0 {
			d.MaxHeaderBytes = t.MaxHeaderBytes
		}
		o.timeouts = d
		return nil
	}
}

// MaxLatency is the most WithLatency accepts.
const MaxLatency = time.Minute

// WithLatency delays every answer by d on the fake's clock (WithClock), as a network
// round trip would: paging and fan-out over a "network" can be seen on loopback. The
// wait ends early, and nothing is answered, when the request's context ends (the
// client gave up or its connection closed). Zero, the default, adds nothing.
func WithLatency(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 || d > MaxLatency {
			return fmt.Errorf("fake: WithLatency: %s is not between 0 and %s", d, MaxLatency)
		}
		o.latency = d
		return nil
	}
}

// delay waits the latency WithLatency set; false when ctx ended first.
func (s *Service) delay(ctx context.Context) bool {
	return s.latency <= 0 || s.clock.Sleep(ctx, s.latency) == nil
}

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
		srv: &http.Server{Handler: svc, ReadHeaderTimeout: svc.timeouts.ReadHeader, ReadTimeout: svc.timeouts.Read,
			WriteTimeout: svc.timeouts.Write, IdleTimeout: svc.timeouts.Idle, MaxHeaderBytes: svc.timeouts.MaxHeaderBytes},
		ln:   ln,
		done: make(chan struct{}),
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
