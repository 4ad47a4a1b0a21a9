package fake_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/fake"
)

func TestFaultScripting(t *testing.T) {
	h := start(t, nil, client.WithRetryPolicy(client.NoRetries()))
	centos := "/v1/regions/cn-north-1/images/" + fake.SeedCentOS
	if err := h.srv.Inject(fake.Fault{Kind: fake.FaultStatus, Status: 503, Times: 2, Path: centos}); err != nil {
		t.Fatal(err)
	}
	describe := func(id string) error {
		_, _, err := h.c.DescribeImage(context.Background(), "cn-north-1", id)
		return err
	}
	// The fault is for one path: another image is unaffected.
	if err := describe(fake.SeedUbuntu); err != nil {
		t.Fatalf("other path: %v", err)
	}
	for i := 0; i < 2; i++ {
		var ae *client.APIError
		if err := describe(fake.SeedCentOS); !errors.As(err, &ae) || ae.StatusCode != 503 || ae.Status != "HTTP_SERVICE_UNAVAILABLE" {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if err := describe(fake.SeedCentOS); err != nil {
		t.Fatalf("fault did not expire after 2 uses: %v", err)
	}

	// A global fault with no count lasts until cleared.
	if err := h.srv.Inject(fake.Fault{Kind: fake.FaultStatus, Status: 500}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := describe(fake.SeedUbuntu); err == nil {
			t.Fatal("global fault not applied")
		}
	}
	h.srv.ClearFaults()
	if err := describe(fake.SeedUbuntu); err != nil {
		t.Fatalf("after ClearFaults: %v", err)
	}

	log := h.srv.Requests()
	if len(log) != 8 {
		t.Fatalf("log has %d entries, want 8", len(log))
	}
	first, faulty := log[0], log[1]
	if first.Method != "GET" || first.Path != "/v1/regions/cn-north-1/images/"+fake.SeedUbuntu || first.Status != 200 || first.Fault != "" ||
		first.AccessKey != h.srv.Credentials().AccessKey || len(first.Nonce) != 36 || first.Time.IsZero() {
		t.Errorf("log entry: %+v", first)
	}
	for _, name := range []string{"content-type", "host", "x-jdcloud-date", "x-jdcloud-nonce"} {
		if first.SignedHeaders[name] == "" {
			t.Errorf("signed header %s not logged: %v", name, first.SignedHeaders)
		}
	}
	if faulty.Status != 503 || faulty.Fault != "status" {
		t.Errorf("fault entry: %+v", faulty)
	}
	h.srv.ResetRequests()
	if len(h.srv.Requests()) != 0 {
		t.Error("ResetRequests left entries")
	}
}

func TestFaultLatencyUsesTheClock(t *testing.T) {
	h := start(t, nil)
	if err := h.srv.Inject(fake.Fault{Kind: fake.FaultNone, Latency: 3 * time.Second, Times: 1}); err != nil {
		t.Fatal(err)
	}
	before := h.clock.Now()
	if _, _, err := h.c.DescribeImage(context.Background(), "cn-north-1", fake.SeedCentOS); err != nil {
		t.Fatal(err)
	}
	if got := h.clock.Now().Sub(before); got != 3*time.Second {
		t.Errorf("latency advanced the clock by %s, want 3s", got)
	}
	h.assertValid(t)
}

func TestInvalidFaultsAreRefused(t *testing.T) {
	h := start(t, nil)
	for _, f := range []fake.Fault{{Kind: 99}, {Kind: fake.FaultStatus, Status: 42}, {Latency: -1}, {Path: "v1/x"}} {
		if err := h.srv.Inject(f); err == nil {
			t.Errorf("%+v accepted", f)
		}
	}
}
