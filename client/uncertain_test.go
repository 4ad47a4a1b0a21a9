package client_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
)

// TestTokenWriteKeepsAnEarlierAttemptsDoubt: a token write whose first attempt got a
// 500 (it may have made the image) and whose later attempts were throttled by the
// gateway (no work) still says the request may have taken effect when it gives up.
func TestTokenWriteKeepsAnEarlierAttemptsDoubt(t *testing.T) {
	s := newWServer(t, apiErr(500, "INTERNAL", "oops"), apiErr(429, "HTTP_RATE_LIMIT_EXCEEDED", "slow down"))
	tc := newWClient(t, s)
	in := &client.ImportImageInput{RegionID: region, ImportImageInput: api.ImportImageInput{
		Architecture: api.ArchitectureX8664, OsType: api.OsTypeLinux, Platform: "CentOS", DiskFormat: api.DiskFormatRaw,
		SystemDiskSizeGB: 50, ImageUrl: "https://test.s3-internal.cn-north-1.jdcloud-oss.com/a.raw", ImageName: "imported"}}
	_, resp, err := tc.ImportImage(context.Background(), in)
	var ma *client.MaxAttemptsError
	if !errors.As(err, &ma) || resp.Attempts != 3 {
		t.Fatalf("got %v, %+v", err, resp)
	}
	var may *client.MayHaveSucceededError
	if !errors.As(err, &may) || may.ClientToken == "" || may.ClientToken != resp.ClientToken {
		t.Errorf("the first attempt's 500 is forgotten: %v", err)
	}
}

// TestNeverWriteCutOffByTheCallerMayHaveSucceeded: a write without a token whose
// context ends after its body reached the service says it may have taken effect.
func TestNeverWriteCutOffByTheCallerMayHaveSucceeded(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := newWServer(t, func(w http.ResponseWriter, r *http.Request) {
		cancel() // the caller gives up while the service works
		<-r.Context().Done()
	})
	tc := newWClient(t, s)
	_, resp, err := tc.CreateImage(ctx, &client.CreateImageInput{RegionID: region, InstanceID: "i-eumm4d5fd6",
		CreateImageInput: api.CreateImageInput{Name: "golden-2024"}})
	if !errors.Is(err, client.ErrMayHaveSucceeded) || !errors.Is(err, context.Canceled) {
		t.Errorf("got %v", err)
	}
	var re *client.RequestError
	if !errors.As(err, &re) {
		t.Errorf("%T does not unwrap to the *RequestError", err)
	}
	if n := len(s.requests()); n != 1 || resp.Attempts != 1 {
		t.Errorf("sent %d times, Attempts %d", n, resp.Attempts)
	}
}

// TestSafeAndReadCallsCutOffByTheCallerAreNotMarked: the context ending is not a
// may-have-succeeded for a safe call, nor for a write that never got going.
func TestSafeAndReadCallsCutOffByTheCallerAreNotMarked(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := newWServer(t, func(w http.ResponseWriter, r *http.Request) {
		cancel()
		<-r.Context().Done()
	})
	tc := newWClient(t, s)
	_, _, err := tc.DeleteImage(ctx, &client.DeleteImageInput{RegionID: region, ImageID: image})
	if !errors.Is(err, context.Canceled) || errors.Is(err, client.ErrMayHaveSucceeded) {
		t.Errorf("delete: got %v", err)
	}
	_, _, err = tc.CreateImage(ctx, &client.CreateImageInput{RegionID: region, InstanceID: "i-eumm4d5fd6",
		CreateImageInput: api.CreateImageInput{Name: "golden-2024"}})
	if !errors.Is(err, context.Canceled) || errors.Is(err, client.ErrMayHaveSucceeded) {
		t.Errorf("create with an ended context: got %v", err)
	}
}
