package auth

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	type step struct {
		at    time.Duration // after now
		op    string        // "fail", "reset" or "allow"
		key   string
		ok    bool          // for allow
		retry time.Duration // for allow
	}
	fail := func(at time.Duration, key string) step { return step{at: at, op: "fail", key: key} }
	allow := func(at time.Duration, key string, ok bool, retry time.Duration) step {
		return step{at, "allow", key, ok, retry}
	}
	for _, tt := range []struct {
		name  string
		steps []step
	}{
		{"free failures", []step{fail(0, "a"), fail(0, "a"), fail(0, "a"), allow(0, "a", true, 0)}},
		{"the first lock", []step{fail(0, "a"), fail(0, "a"), fail(0, "a"), fail(0, "a"),
			allow(0, "a", false, time.Minute), allow(59*time.Second+time.Millisecond, "a", false, time.Second),
			allow(time.Minute, "a", true, 0), allow(0, "b", true, 0)}},
		{"doubling", []step{fail(0, "a"), fail(0, "a"), fail(0, "a"), fail(0, "a"), fail(time.Minute, "a"),
			allow(time.Minute, "a", false, 2*time.Minute), fail(3*time.Minute, "a"), allow(3*time.Minute, "a", false, 4*time.Minute)}},
		{"an hour at most", append(repeat(fail(0, "a"), 30), allow(0, "a", false, time.Hour), allow(time.Hour, "a", true, 0))},
		{"reset", []step{fail(0, "a"), fail(0, "a"), fail(0, "a"), fail(0, "a"), {op: "reset", key: "a"},
			allow(0, "a", true, 0), fail(0, "a"), allow(0, "a", true, 0)}},
		{"forgotten after a quiet day", []step{fail(0, "a"), fail(0, "a"), fail(0, "a"), fail(0, "a"),
			fail(25*time.Hour, "a"), allow(25*time.Hour, "a", true, 0)}},
		{"remembered within the day", []step{fail(0, "a"), fail(0, "a"), fail(0, "a"), fail(23*time.Hour, "a"),
			allow(23*time.Hour, "a", false, time.Minute)}},
		{"rounded up to the second", []step{fail(0, "a"), fail(0, "a"), fail(0, "a"), fail(0, "a"),
			allow(time.Minute-time.Millisecond, "a", false, time.Second)}},
	} {
		l := NewLimiter(3, time.Minute)
		for i, s := range tt.steps {
			switch s.op {
			case "fail":
				l.Fail(s.key, now.Add(s.at))
			case "reset":
				l.Reset(s.key)
			case "allow":
				if ok, retry := l.Allow(s.key, now.Add(s.at)); ok != s.ok || retry != s.retry {
					t.Errorf("%s, step %d: Allow(%s, +%s) = %v %s, want %v %s", tt.name, i, s.key, s.at, ok, retry, s.ok, s.retry)
				}
			}
		}
		// The same rule on counts kept elsewhere (the store, for several
		// servers), through Next and Wait.
		counts := map[string]Count{}
		for i, s := range tt.steps {
			switch s.op {
			case "fail":
				counts[s.key] = l.Next(counts[s.key], now.Add(s.at))
			case "reset":
				delete(counts, s.key)
			case "allow":
				if ok, retry := l.Wait(counts[s.key], now.Add(s.at)); ok != s.ok || retry != s.retry {
					t.Errorf("%s, step %d, counted elsewhere: Wait(%s, +%s) = %v %s, want %v %s", tt.name, i, s.key, s.at, ok, retry, s.ok, s.retry)
				}
			}
		}
	}
}

func repeat[T any](v T, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = v
	}
	return s
}

func TestLimiterBounded(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, tt := range []struct {
		name   string
		failAt func(i int) time.Time
		perKey int // failures per key
	}{
		{"old keys", func(i int) time.Time { return now.Add(time.Duration(i) * 25 * time.Hour) }, 1},
		{"unlocked keys", func(int) time.Time { return now }, 1},
		{"every key locked", func(i int) time.Time { return now.Add(time.Duration(i) * time.Second) }, 3},
	} {
		l := NewLimiter(1, time.Minute)
		l.maxKeys = 100
		for i := range 1000 {
			for range tt.perKey {
				l.Fail(fmt.Sprint("k", i), tt.failAt(i))
			}
			if len(l.keys) > l.maxKeys {
				t.Fatalf("%s: %d keys, cap %d", tt.name, len(l.keys), l.maxKeys)
			}
		}
		// The newest key is always kept, and still locked where it should be.
		if ok, _ := l.Allow("k999", tt.failAt(999)); ok == (tt.perKey > 1) {
			t.Errorf("%s: the newest key's lock: ok %v", tt.name, ok)
		}
	}
	// Under a flood of locked keys, the locks that end last survive.
	l := NewLimiter(0, time.Minute)
	l.maxKeys = 10
	for i := range 10 {
		for range i + 1 { // key i locked 2^i minutes, capped at an hour
			l.Fail(fmt.Sprint("k", i), now)
		}
	}
	l.Fail("new", now)
	if _, ok := l.keys["k9"]; !ok || len(l.keys) > 10 {
		t.Errorf("after eviction: %d keys, longest lock kept %v", len(l.keys), ok)
	}
	if _, ok := l.keys["k0"]; ok {
		t.Error("the shortest lock survived eviction")
	}
}

// Run with -race: many sign-ins at once share one limiter.
func TestLimiterConcurrent(t *testing.T) {
	l := NewLimiter(5, time.Minute)
	l.maxKeys = 50
	now := time.Unix(1_800_000_000, 0)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				key := fmt.Sprint("k", (g*31+i)%80)
				at := now.Add(time.Duration(i) * time.Second)
				if ok, _ := l.Allow(key, at); ok {
					l.Fail(key, at)
				}
				if i%50 == 0 {
					l.Reset(key)
				}
			}
		})
	}
	wg.Wait()
	if len(l.keys) > 50 {
		t.Errorf("%d keys, cap 50", len(l.keys))
	}
}
