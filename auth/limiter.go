package auth

import (
	"slices"
	"sync"
	"time"
)

// Limiter slows down guessing: after a few failures for a key (an account,
// or a source the caller names), the key is locked for a while, and each
// further failure doubles the lock, up to an hour. Failures are forgotten
// after a day without one, or at Reset (after a success).
//
// It is safe for concurrent use and its memory is bounded: it holds at most
// 100,000 keys, dropping first the forgotten ones, then the unlocked ones,
// then those whose locks end soonest (a flood of new keys can thus cut a
// lock short, at the cost of tens of thousands of failed sign-ins).
//
// It holds only the keys it is given, in memory, and never logs them.
// Callers must not pass a reader's or journalist's raw IP address as a key:
// pass a keyed hash or a truncated prefix, and never write the key to a log.
type Limiter struct {
	free    int           // failures allowed before the first lock
	lock    time.Duration // the first lock
	maxLock time.Duration
	window  time.Duration // failures are forgotten after this long without one
	maxKeys int

	mu   sync.Mutex
	keys map[string]*attempts
}

type attempts struct {
	failures int
	last     time.Time // of the last failure
	until    time.Time // locked before this
}

// Count is one key's failures, for a limiter whose counts are kept
// elsewhere (in the store, shared by several servers): the limiter's rule
// applies to it through Next and Wait, the same rule as in memory.
type Count struct {
	Failures int
	Last     time.Time // of the last failure
	Until    time.Time // locked before this
}

// Next is c after one more failure at now.
func (l *Limiter) Next(c Count, now time.Time) Count {
	a := attempts{failures: c.Failures, last: c.Last, until: c.Until}
	l.fail(&a, now)
	return Count{Failures: a.failures, Last: a.last, Until: a.until}
}

// Wait reports whether a key whose count is c may try now, and if not,
// how long to wait, rounded up to the second.
func (l *Limiter) Wait(c Count, now time.Time) (ok bool, retryAfter time.Duration) {
	return wait(c.Until, now)
}

// Forget is the time before which a last failure is forgotten at now.
func (l *Limiter) Forget(now time.Time) time.Time { return now.Add(-l.window) }

// MaxKeys is how many keys the limiter holds at most.
func (l *Limiter) MaxKeys() int { return l.maxKeys }

func wait(until, now time.Time) (bool, time.Duration) {
	if !now.Before(until) {
		return true, 0
	}
	return false, (until.Sub(now) + time.Second - 1).Truncate(time.Second)
}

// NewLimiter allows free failures per key, then locks the key for lock at
// the next failure, twice as long at the one after, and so on up to an hour.
func NewLimiter(free int, lock time.Duration) *Limiter {
	return &Limiter{free: free, lock: lock, maxLock: time.Hour, window: 24 * time.Hour, maxKeys: 100_000, keys: map[string]*attempts{}}
}

// Allow reports whether key may try now, and if not, how long to wait,
// rounded up to the second.
func (l *Limiter) Allow(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.keys[key]
	if a == nil {
		return true, 0
	}
	return wait(a.until, now)
}

// Fail records a failed attempt.
func (l *Limiter) Fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.keys[key]
	if a == nil {
		if len(l.keys) >= l.maxKeys {
			l.evict(now)
		}
		a = &attempts{}
		l.keys[key] = a
	}
	l.fail(a, now)
}

// fail counts a failure at now in a: the rule.
func (l *Limiter) fail(a *attempts, now time.Time) {
	if now.Sub(a.last) > l.window {
		*a = attempts{}
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

// evict brings the keys down to nine tenths of the cap, so that a flood
// pays for a scan once per many new keys: first the forgotten keys, then
// the unlocked ones, then those whose locks end soonest.
func (l *Limiter) evict(now time.Time) {
	target := l.maxKeys - l.maxKeys/10 - 1
	for k, a := range l.keys {
		if now.Sub(a.last) > l.window {
			delete(l.keys, k)
		}
	}
	for k, a := range l.keys {
		if len(l.keys) <= target {
			return
		}
		if !now.Before(a.until) {
			delete(l.keys, k)
		}
	}
	if len(l.keys) <= target {
		return
	}
	locked := make([]string, 0, len(l.keys))
	for k := range l.keys {
		locked = append(locked, k)
	}
	slices.SortFunc(locked, func(x, y string) int { return l.keys[x].until.Compare(l.keys[y].until) })
	for _, k := range locked[:len(locked)-target] {
		delete(l.keys, k)
	}
}
