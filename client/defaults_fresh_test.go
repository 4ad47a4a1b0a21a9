package client_test

import (
	"testing"

	"github.com/vmimage/vmimage/client"
)

// TestDefaultsAreFreshValues: what a caller does to a default it was given does not
// change what the next caller gets (no mutable package state).
func TestDefaultsAreFreshValues(t *testing.T) {
	r := client.DocumentedRegions()
	r[0] = "changed"
	if client.DocumentedRegions()[0] != "cn-north-1" {
		t.Error("DocumentedRegions shares its slice")
	}
	p := client.NoRetries()
	p.MaxAttempts = 9
	if client.NoRetries().MaxAttempts != 1 {
		t.Error("NoRetries shares its value")
	}
}
