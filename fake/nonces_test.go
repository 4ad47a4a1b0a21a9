package fake

import (
	"fmt"
	"testing"
	"time"
)

// Expiry looks only at the oldest nonces, and the cache never holds more than its
// bound.
func TestNonceCacheExpiresInOrderAndIsBounded(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	c := newNonceCache(time.Minute, 1000)
	for i := 0; i < 500; i++ {
		if !c.claim(fmt.Sprint("n", i), start.Add(time.Duration(i)*time.Millisecond)) {
			t.Fatal("a fresh nonce was refused")
		}
	}
	if c.claim("n7", start.Add(time.Second)) {
		t.Fatal("a replay within the window was accepted")
	}
	// Two minutes on, every old nonce has expired: one claim clears them all.
	if !c.claim("late", start.Add(2*time.Minute)) || c.len() != 1 {
		t.Fatalf("after expiry the cache holds %d", c.len())
	}
	if !c.claim("n7", start.Add(2*time.Minute)) {
		t.Fatal("an expired nonce is not forgotten")
	}
	// The bound: a flood within one window keeps at most max entries.
	small := newNonceCache(time.Hour, 100)
	for i := 0; i < 10_000; i++ {
		small.claim(fmt.Sprint("f", i), start)
	}
	if small.len() != 100 || len(small.order)-small.head != 100 || cap(small.order) > 4*1024 {
		t.Fatalf("bounded cache holds %d (order %d, head %d, cap %d)", small.len(), len(small.order), small.head, cap(small.order))
	}
}
