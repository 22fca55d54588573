package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

func testLeases(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	try := func(name, holder string, ttl time.Duration) bool {
		t.Helper()
		got, err := s.TryLease(ctx, name, holder, ttl)
		ok(t, err, "try lease %s for %s", name, holder)
		return got
	}
	// Each step runs on the state the ones before left.
	for _, step := range []struct {
		what         string
		name, holder string
		ttl          time.Duration
		release      bool
		want         bool
	}{
		{"a free lease is taken", "scheduler", "a", time.Minute, false, true},
		{"its holder renews it", "scheduler", "a", time.Minute, false, true},
		{"another cannot take it while it lasts", "scheduler", "b", time.Minute, false, false},
		{"leases are by name", "mirrors", "b", time.Minute, false, true},
		{"another's release leaves it", "scheduler", "b", 0, true, false},
		{"so it is still held", "scheduler", "b", time.Minute, false, false},
		{"its holder releases it", "scheduler", "a", 0, true, false},
		{"then another takes it at once", "scheduler", "b", time.Minute, false, true},
		{"the holder lets it lapse (ttl 0: expired now)", "scheduler", "b", 0, false, true},
		{"another takes an expired lease", "scheduler", "c", time.Minute, false, true},
		{"the old holder cannot renew what it lost", "scheduler", "b", time.Minute, false, false},
	} {
		if step.release {
			ok(t, s.ReleaseLease(ctx, step.name, step.holder), "%s", step.what)
			continue
		}
		if got := try(step.name, step.holder, step.ttl); got != step.want {
			t.Errorf("%s: TryLease(%s, %s) = %v, want %v", step.what, step.name, step.holder, got, step.want)
		}
	}
	for _, tt := range []struct {
		name, holder, field string
		ttl                 time.Duration
	}{
		{"", "a", "name", time.Minute},
		{"x", "", "holder", time.Minute},
		{"x", "a", "ttl", -time.Second},
		{"x", "a", "ttl", 25 * time.Hour},
	} {
		_, err := s.TryLease(ctx, tt.name, tt.holder, tt.ttl)
		wantCode(t, err, kolokol.EINVALID, tt.field)
	}

	// Of many servers taking one free lease at once, one gets it.
	var mu sync.Mutex
	var winners []string
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := fmt.Sprintf("server-%d", i)
			got, err := s.TryLease(ctx, "race", h, time.Minute)
			if err != nil {
				t.Errorf("try lease: %v", err)
				return
			}
			if got {
				mu.Lock()
				winners = append(winners, h)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(winners) != 1 {
		t.Errorf("holders of one lease taken at once: %v, want one", winners)
	}
}

func testThrottles(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	count := func(th kolokol.Throttle) kolokol.Throttle {
		th.Failures++
		th.Last = th.Last.Add(time.Minute)
		if th.Failures == 1 {
			th.Last = t0
		}
		if th.Failures > 2 {
			th.Until = th.Last.Add(time.Hour)
		}
		return th
	}
	none, err := s.FindThrottle(ctx, "src", "k1")
	ok(t, err, "find an unknown key")
	same(t, "unknown key", none, kolokol.Throttle{})
	for range 3 {
		ok(t, s.FailThrottle(ctx, "src", "k1", kolokol.ThrottleBounds{}, count), "fail")
	}
	got, err := s.FindThrottle(ctx, "src", "k1")
	ok(t, err, "find")
	same(t, "after three failures", got, kolokol.Throttle{Failures: 3, Last: t0.Add(2 * time.Minute), Until: t0.Add(2*time.Minute + time.Hour)})
	other, err := s.FindThrottle(ctx, "acct", "k1")
	ok(t, err, "find")
	same(t, "kinds are apart", other, kolokol.Throttle{})
	ok(t, s.ResetThrottle(ctx, "src", "k1"), "reset")
	got, err = s.FindThrottle(ctx, "src", "k1")
	ok(t, err, "find")
	same(t, "after reset", got, kolokol.Throttle{})
	ok(t, s.ResetThrottle(ctx, "src", "never"), "reset an unknown key")
	for _, tt := range []struct{ kind, key, field string }{
		{"", "k", "kind"},
		{"src", "", "key"},
		{"src", string(make([]byte, kolokol.MaxThrottleKey+1)), "key"},
	} {
		_, err := s.FindThrottle(ctx, tt.kind, tt.key)
		wantCode(t, err, kolokol.EINVALID, tt.field)
		wantCode(t, s.FailThrottle(ctx, tt.kind, tt.key, kolokol.ThrottleBounds{}, count), kolokol.EINVALID, tt.field)
	}

	// Forgotten counts are pruned; a count still locked is kept however
	// old its last failure.
	later := t0.Add(48 * time.Hour)
	ok(t, s.FailThrottle(ctx, "src", "old", kolokol.ThrottleBounds{}, count), "fail")
	ok(t, s.FailThrottle(ctx, "src", "locked", kolokol.ThrottleBounds{}, func(kolokol.Throttle) kolokol.Throttle {
		return kolokol.Throttle{Failures: 9, Last: t0, Until: later.Add(time.Hour)}
	}), "fail")
	ok(t, s.FailThrottle(ctx, "src", "recent", kolokol.ThrottleBounds{}, func(kolokol.Throttle) kolokol.Throttle {
		return kolokol.Throttle{Failures: 1, Last: later.Add(-time.Hour)}
	}), "fail")
	n, err := s.PruneThrottles(ctx, later.Add(-24*time.Hour), later)
	ok(t, err, "prune")
	if n != 1 {
		t.Errorf("pruned %d counts, want 1", n)
	}
	for key, want := range map[string]int{"old": 0, "locked": 9, "recent": 1} {
		th, err := s.FindThrottle(ctx, "src", key)
		ok(t, err, "find %s", key)
		if th.Failures != want {
			t.Errorf("%s after pruning: %d failures, want %d", key, th.Failures, want)
		}
	}

	// Failures at once, as on several servers, all count.
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.FailThrottle(ctx, "src", "busy", kolokol.ThrottleBounds{}, count); err != nil {
				t.Errorf("fail: %v", err)
			}
		}()
	}
	wg.Wait()
	got, err = s.FindThrottle(ctx, "src", "busy")
	ok(t, err, "find")
	if got.Failures != 10 {
		t.Errorf("10 failures at once counted %d", got.Failures)
	}

	// The bound: a new key past Max drops the forgotten keys, then the
	// unlocked, then the soonest to unlock, down to nine tenths of Max.
	now := t0.Add(48 * time.Hour)
	set := func(key string, last, until time.Time) {
		t.Helper()
		ok(t, s.FailThrottle(ctx, "b", key, kolokol.ThrottleBounds{}, func(kolokol.Throttle) kolokol.Throttle {
			return kolokol.Throttle{Failures: 1, Last: last, Until: until}
		}), "set %s", key)
	}
	for i := range 4 {
		set(fmt.Sprintf("forgotten%d", i), t0, time.Time{})
	}
	for i := range 3 {
		set(fmt.Sprintf("unlocked%d", i), now.Add(-time.Minute), now.Add(-time.Second))
	}
	for i := range 3 {
		set(fmt.Sprintf("locked%d", i), now.Add(-time.Minute), now.Add(time.Duration(i+1)*time.Minute))
	}
	bounds := kolokol.ThrottleBounds{Now: now, Forget: now.Add(-24 * time.Hour), Max: 10}
	fresh := func(kolokol.Throttle) kolokol.Throttle { return kolokol.Throttle{Failures: 1, Last: now} }
	ok(t, s.FailThrottle(ctx, "b", "new", bounds, fresh), "fail a new key at the bound")
	var kept []string
	for _, k := range []string{"forgotten0", "forgotten1", "forgotten2", "forgotten3", "unlocked0", "unlocked1", "unlocked2", "locked0", "locked1", "locked2", "new"} {
		th, err := s.FindThrottle(ctx, "b", k)
		ok(t, err, "find %s", k)
		if th.Failures > 0 {
			kept = append(kept, k)
		}
	}
	// Max 10 leaves room for 8 before the new key: dropping the four
	// forgotten ones is enough.
	if want := []string{"unlocked0", "unlocked1", "unlocked2", "locked0", "locked1", "locked2", "new"}; !slices.Equal(kept, want) {
		t.Errorf("kept %v, want %v", kept, want)
	}
	// Past the bound again with nothing forgotten: the unlocked go.
	bounds.Max = 5 // room for 4 of the 7 there
	ok(t, s.FailThrottle(ctx, "b", "newer", bounds, fresh), "fail a new key at the bound")
	kept = nil
	for _, k := range []string{"unlocked0", "unlocked1", "unlocked2", "locked0", "locked1", "locked2", "new", "newer"} {
		th, err := s.FindThrottle(ctx, "b", k)
		ok(t, err, "find %s", k)
		if th.Failures > 0 {
			kept = append(kept, k)
		}
	}
	// ("new" has no lock: its zero Until comes first.)
	if want := []string{"unlocked2", "locked0", "locked1", "locked2", "newer"}; !slices.Equal(kept, want) {
		t.Errorf("kept %v, want %v", kept, want)
	}
	// Then the locks that end soonest.
	bounds.Max = 3 // room for 2 of the 5 there
	ok(t, s.FailThrottle(ctx, "b", "newest", bounds, fresh), "fail a new key at the bound")
	kept = nil
	for _, k := range []string{"unlocked2", "locked0", "locked1", "locked2", "newer", "newest"} {
		th, err := s.FindThrottle(ctx, "b", k)
		ok(t, err, "find %s", k)
		if th.Failures > 0 {
			kept = append(kept, k)
		}
	}
	if want := []string{"locked1", "locked2", "newest"}; !slices.Equal(kept, want) {
		t.Errorf("kept %v, want %v", kept, want)
	}
}

func testCeremonies(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	now := time.Now()
	later := now.Add(5 * time.Minute)
	ok(t, s.PutCeremony(ctx, sessionID("one"), []byte(`{"a":1}`), now, later, 10), "put")
	wantCode(t, s.PutCeremony(ctx, sessionID("one"), []byte(`{}`), now, later, 10), kolokol.ECONFLICT, "")
	got, err := s.TakeCeremony(ctx, sessionID("one"), now)
	ok(t, err, "take")
	if string(got) != `{"a":1}` {
		t.Errorf("took %q", got)
	}
	_, err = s.TakeCeremony(ctx, sessionID("one"), now)
	wantCode(t, err, kolokol.ENOTFOUND, "")

	// Expired: not found, and no longer counted towards the bound.
	ok(t, s.PutCeremony(ctx, sessionID("old"), []byte(`{}`), now, now.Add(time.Minute), 10), "put")
	_, err = s.TakeCeremony(ctx, sessionID("old"), now.Add(2*time.Minute))
	wantCode(t, err, kolokol.ENOTFOUND, "")
	for i := range 3 {
		ok(t, s.PutCeremony(ctx, sessionID(fmt.Sprint(i)), []byte(`{}`), now, later, 3), "put %d", i)
	}
	wantCode(t, s.PutCeremony(ctx, sessionID("full"), []byte(`{}`), now, later, 3), kolokol.ECONFLICT, "")
	ok(t, s.PutCeremony(ctx, sessionID("later"), []byte(`{}`), now, now.Add(10*time.Minute), 4), "put")
	wantCode(t, s.PutCeremony(ctx, sessionID("room"), []byte(`{}`), now, later, 4), kolokol.ECONFLICT, "")
	// At a later now, those that expired before it make room.
	ok(t, s.PutCeremony(ctx, sessionID("room"), []byte(`{}`), now.Add(6*time.Minute), now.Add(20*time.Minute), 4), "expired ceremonies leave room")
	wantCode(t, s.PutCeremony(ctx, "", nil, now, later, 3), kolokol.EINVALID, "key")

	// Of two servers finishing one ceremony at once, one gets it.
	var wg sync.WaitGroup
	var mu sync.Mutex
	taken := 0
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.TakeCeremony(ctx, sessionID("room"), now); err == nil {
				mu.Lock()
				taken++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if taken != 1 {
		t.Errorf("one ceremony finished %d times", taken)
	}
}

func testThrottleKey(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	k1 := []byte("0123456789abcdef-first")
	k2 := []byte("0123456789abcdef-second")
	got, err := s.ThrottleKey(ctx, time.Now().Add(-24*time.Hour), k1)
	ok(t, err, "first key")
	if string(got) != string(k1) {
		t.Errorf("first key = %q, want the fresh one", got)
	}
	got, err = s.ThrottleKey(ctx, time.Now().Add(-24*time.Hour), k2)
	ok(t, err, "key again")
	if string(got) != string(k1) {
		t.Errorf("a key made today was replaced: %q", got)
	}
	got, err = s.ThrottleKey(ctx, time.Now().Add(time.Second), k2)
	ok(t, err, "key after a day")
	if string(got) != string(k2) {
		t.Errorf("an old key was kept: %q", got)
	}
	_, err = s.ThrottleKey(ctx, time.Now(), []byte("short"))
	wantCode(t, err, kolokol.EINVALID, "key")
}
