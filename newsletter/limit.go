package newsletter

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"time"
)

// clientLimit counts subscription requests per client over fixed windows,
// in memory only. Clients are known by an HMAC of their address under a
// key made at start and never written anywhere: the counts cannot be
// turned back into addresses, and they die with the process.
type clientLimit struct {
	key    []byte
	max    int           // requests per window per client
	window time.Duration // length of a window
	most   int           // clients tracked at most; past it, a new window starts for all

	mu    sync.Mutex
	start time.Time
	seen  map[[16]byte]int
}

func newClientLimit(max int, window time.Duration) *clientLimit {
	key := make([]byte, 32)
	rand.Read(key)
	return &clientLimit{key: key, max: max, window: window, most: 100_000, seen: map[[16]byte]int{}}
}

// allow counts one request of client at now and reports whether it is
// within the limit. A zero max allows everything.
func (l *clientLimit) allow(client string, now time.Time) bool {
	if l == nil || l.max <= 0 {
		return true
	}
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte(client))
	var k [16]byte
	copy(k[:], m.Sum(nil))
	l.mu.Lock()
	defer l.mu.Unlock()
	// Fixed windows: one map cleared at once costs nothing per request.
	// A flood of distinct clients clears it early, which lets clients
	// through sooner, never later; the per-service cap in the store holds
	// regardless.
	if now.Sub(l.start) >= l.window || now.Before(l.start) || len(l.seen) >= l.most {
		clear(l.seen)
		l.start = now
	}
	if l.seen[k] >= l.max {
		return false
	}
	l.seen[k]++
	return true
}
