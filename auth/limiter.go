package auth

import (
	"sync"
	"time"
)

// Limiter slows down guessing: after a few failures for a key (an account,
// or a source the caller names), the key is locked for a while, and each
// further failure doubles the lock up to an hour. It holds only the keys it
// is given, in memory, and never logs them. Callers must not use a reader's
// raw address as a key anywhere it could be stored.
type Limiter struct {
	free    int           // failures allowed before the first lock
	lock    time.Duration // the first lock
	maxLock time.Duration
	window  time.Duration // failures older than this are forgotten
	maxKeys int

	mu   sync.Mutex
	keys map[string]*attempts
}

type attempts struct {
	failures int
	last     time.Time
	until    time.Time
}

// NewLimiter allows free failures per key, then locks for lock, doubling.
func NewLimiter(free int, lock time.Duration) *Limiter {
	return &Limiter{free: free, lock: lock, maxLock: time.Hour, window: 24 * time.Hour, maxKeys: 100_000, keys: map[string]*attempts{}}
}

// Allow reports whether key may try now, and if not, how long to wait.
func (l *Limiter) Allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.keys[key]
	if a == nil || now.After(a.until) {
		return true, 0
	}
	return false, a.until.Sub(now).Round(time.Second)
}

// Fail records a failed attempt.
func (l *Limiter) Fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.keys[key]
	if a == nil || now.Sub(a.last) > l.window {
		if a == nil && len(l.keys) >= l.maxKeys {
			l.evict(now)
		}
		a = &attempts{}
		l.keys[key] = a
	}
	a.failures++
	a.last = now
	if over := a.failures - l.free; over > 0 {
		d := l.lock
		for i := 1; i < over && d < l.maxLock; i++ {
			d *= 2
		}
		a.until = now.Add(min(d, l.maxLock))
	}
}

// Reset forgets a key, after a success.
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
}

// evict drops keys whose failures are forgotten anyway, then, if that is
// not enough, any unlocked key: memory stays bounded under a flood.
func (l *Limiter) evict(now time.Time) {
	for k, a := range l.keys {
		if now.Sub(a.last) > l.window {
			delete(l.keys, k)
		}
	}
	for k, a := range l.keys {
		if len(l.keys) < l.maxKeys {
			return
		}
		if now.After(a.until) {
			delete(l.keys, k)
		}
	}
}
