package fake

import (
	"sync"
	"time"
)

// DefaultMaxNonces bounds the nonces the fake remembers to refuse replays. Past it,
// the oldest is forgotten even if its date could still pass the skew check.
const DefaultMaxNonces = 100_000

// maxNonceBytes bounds an x-jdcloud-nonce (a UUID has 36): a longer one is refused.
const maxNonceBytes = 64

// nonceCache remembers nonces in arrival order, so that expiring them costs
// amortised O(1) per request: only the oldest are ever looked at.
type nonceCache struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	seen  map[string]time.Time
	order []seenNonce // arrival order; order[head:] are live
	head  int
}

type seenNonce struct {
	nonce string
	at    time.Time
}

func newNonceCache(ttl time.Duration, max int) *nonceCache {
	return &nonceCache{ttl: ttl, max: max, seen: make(map[string]time.Time)}
}

// claim records a nonce seen at now; it reports false for one seen within the ttl
// (older ones cannot pass the date check anyway).
func (c *nonceCache) claim(nonce string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.head < len(c.order) && (now.Sub(c.order[c.head].at) > c.ttl || len(c.seen) >= c.max) {
		c.forgetOldest()
	}
	if c.head > 1024 && c.head > len(c.order)/2 { // reclaim the consumed front
		c.order = append(c.order[:0:0], c.order[c.head:]...)
		c.head = 0
	}
	if _, dup := c.seen[nonce]; dup {
		return false
	}
	c.seen[nonce] = now
	c.order = append(c.order, seenNonce{nonce, now})
	return true
}

func (c *nonceCache) forgetOldest() {
	old := c.order[c.head]
	if at, ok := c.seen[old.nonce]; ok && at.Equal(old.at) {
		delete(c.seen, old.nonce)
	}
	c.order[c.head] = seenNonce{}
	c.head++
}

func (c *nonceCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}
