package auth

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/kolokol/kolokol"
)

// Gate bounds how many password hashes run at once. Each argon2id hash
// takes 19 MiB and a core for about 19 ms, and anyone on the network can
// ask for one by signing in: unbounded, a flood of sign-ins would exhaust
// memory and starve the reader site. Waiters queue for a while; beyond the
// queue, or after the wait, the attempt is refused as busy.
type Gate struct {
	slots   chan struct{}
	waiting atomic.Int64
	queue   int64
	wait    time.Duration
	// peak is the most hashes that ran at once, for tests and metrics.
	running, peak atomic.Int64
}

// NewGate lets n hashes run at once, queues up to queue more, and refuses
// one that waited longer than wait.
func NewGate(n, queue int, wait time.Duration) *Gate {
	return &Gate{slots: make(chan struct{}, max(n, 1)), queue: int64(queue), wait: wait}
}

// Do runs fn once a slot is free.
func (g *Gate) Do(ctx context.Context, fn func()) error {
	if g.waiting.Add(1) > g.queue+int64(cap(g.slots)) {
		g.waiting.Add(-1)
		return busy()
	}
	defer g.waiting.Add(-1)
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
	case <-t.C:
		return busy()
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-g.slots }()
	n := g.running.Add(1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
	defer g.running.Add(-1)
	fn()
	return nil
}

// Limit is how many hashes may run at once.
func (g *Gate) Limit() int { return cap(g.slots) }

// Peak is the most hashes that have run at once.
func (g *Gate) Peak() int { return int(g.peak.Load()) }

func busy() error {
	return kolokol.Errorf(kolokol.ETHROTTLED, "sign-in is busy; try again in a few seconds")
}
