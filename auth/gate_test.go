package auth

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

func TestGateBoundsConcurrency(t *testing.T) {
	g := NewGate(2, 100, time.Minute)
	var running, peak atomic.Int64
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			err := g.Do(context.Background(), func() {
				n := running.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				time.Sleep(2 * time.Millisecond)
				running.Add(-1)
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if peak.Load() != 2 || g.Peak() != 2 || g.Limit() != 2 {
		t.Errorf("peak %d (gate says %d), want 2", peak.Load(), g.Peak())
	}
}

func TestGateRefusesBeyondItsQueue(t *testing.T) {
	g := NewGate(1, 2, time.Minute)
	release := make(chan struct{})
	started := make(chan struct{})
	go g.Do(context.Background(), func() { close(started); <-release })
	<-started
	var wg sync.WaitGroup
	for range 2 { // these queue
		wg.Go(func() {
			if err := g.Do(context.Background(), func() {}); err != nil {
				t.Errorf("a queued hash: %v", err)
			}
		})
	}
	for g.waiting.Load() < 3 {
		time.Sleep(time.Millisecond)
	}
	if err := g.Do(context.Background(), func() { t.Error("ran past the queue") }); kolokol.ErrorCode(err) != kolokol.ETHROTTLED {
		t.Errorf("beyond the queue: %v", err)
	}
	close(release)
	wg.Wait()

	// A wait that lasts too long is refused too, and so is a cancelled one.
	slow := NewGate(1, 10, 10*time.Millisecond)
	hold := make(chan struct{})
	go slow.Do(context.Background(), func() { <-hold })
	time.Sleep(5 * time.Millisecond)
	if err := slow.Do(context.Background(), func() {}); kolokol.ErrorCode(err) != kolokol.ETHROTTLED {
		t.Errorf("after the wait: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := slow.Do(ctx, func() {}); err == nil {
		t.Error("a cancelled wait ran")
	}
	close(hold)
}

func TestSourcesKeys(t *testing.T) {
	s := NewSources()
	key := func(a string) string { return s.Key(netip.MustParseAddr(a)) }
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", true}, // one /64
		{"2001:db8:1:2::1", "2001:db8:1:3::1", false},
		{"203.0.113.7", "203.0.113.8", false}, // IPv4 counts alone
		{"203.0.113.7", "::ffff:203.0.113.7", true},
		{"127.0.0.1", "127.0.0.1", true}, // all of an onion service's visitors
	} {
		if got := key(c.a) == key(c.b); got != c.same {
			t.Errorf("%s and %s share a key: %t, want %t", c.a, c.b, got, c.same)
		}
	}
	if k := key("203.0.113.7"); len(k) < 20 || strings.Contains(k, "203.0") || strings.Contains(k, "cb00:7107") {
		t.Errorf("the key %q shows the address", k)
	}
	if NewSources().Key(netip.MustParseAddr("203.0.113.7")) == key("203.0.113.7") {
		t.Error("keys are the same across restarts: they could be matched to addresses")
	}
	if s.Key(netip.Addr{}) != "src:unknown" {
		t.Error("an unknown address")
	}
}
