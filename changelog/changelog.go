// Package changelog follows the store's change log. Every newsroom
// operation appends a kolokol.Change in the transaction that makes it; each
// consumer (the page cache now; export, feeds, search and other servers
// later) reads forward from its own cursor with a Follower, so a crash
// between a commit and a consumer's update loses nothing: the consumer
// reads the change when it next catches up.
//
// Delivery is at least once: a durable follower stores its cursor after its
// consumer has applied a batch, so a crash in between delivers the batch
// again. Consumers are idempotent (invalidating a page twice, exporting a
// page twice, are harmless).
package changelog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kolokol/kolokol"
)

// Consumer is what a follower feeds.
type Consumer struct {
	// Apply takes a batch of changes, oldest first.
	Apply func(ctx context.Context, changes []*kolokol.Change) error
	// Rebuild recomputes everything from the store: for a consumer that
	// starts with no cursor, or fell so far behind that the changes it
	// missed were pruned.
	Rebuild func(ctx context.Context) error
}

// Follower reads the log for one consumer. It is safe for concurrent use;
// catching up is serialised.
type Follower struct {
	name string // "" keeps the cursor in memory only
	log  kolokol.Changes
	c    Consumer
	lg   *slog.Logger

	mu      sync.Mutex
	cursor  int64
	started bool
	applied int64 // changes applied, for tests and metrics
	rebuilt int
}

// New returns a follower of log for c. A named follower keeps its cursor
// in the store (a durable consumer: export, search); an unnamed one in
// memory (the page cache, which starts empty with every process).
func New(log kolokol.Changes, name string, c Consumer, lg *slog.Logger) *Follower {
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	return &Follower{name: name, log: log, c: c, lg: lg}
}

// Start positions the follower. An unnamed one starts at the end of the
// log: its consumer has just been built from the store as it is. A named
// one starts at its stored cursor, or, having none, rebuilds and starts at
// the end.
func (f *Follower) Start(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.start(ctx)
}

func (f *Follower) start(ctx context.Context) error {
	if f.started {
		return nil
	}
	if f.name != "" {
		seq, err := f.log.FindCursor(ctx, f.name)
		switch {
		case err == nil:
			f.cursor, f.started = seq, true
			return nil
		case !kolokol.IsNotFound(err):
			return fmt.Errorf("start %s: %w", f.name, err)
		}
	}
	_, last, err := f.log.ChangeBounds(ctx)
	if err != nil {
		return fmt.Errorf("start %s: %w", f.label(), err)
	}
	if f.name != "" {
		if err := f.rebuild(ctx, last, "it has no cursor yet"); err != nil {
			return err
		}
	}
	f.cursor, f.started = last, true
	return nil
}

func (f *Follower) label() string {
	if f.name == "" {
		return "the page cache"
	}
	return f.name
}

// rebuild runs the consumer's Rebuild and moves the cursor to last.
func (f *Follower) rebuild(ctx context.Context, last int64, why string) error {
	f.lg.Warn("change log: rebuilding from the store", "consumer", f.label(), "why", why)
	if f.c.Rebuild != nil {
		if err := f.c.Rebuild(ctx); err != nil {
			return fmt.Errorf("rebuild %s: %w", f.label(), err)
		}
	}
	f.rebuilt++
	f.cursor = last
	return f.store(ctx)
}

func (f *Follower) store(ctx context.Context) error {
	if f.name == "" {
		return nil
	}
	if err := f.log.SetCursor(ctx, f.name, f.cursor); err != nil {
		return fmt.Errorf("store the cursor of %s: %w", f.name, err)
	}
	return nil
}

// CatchUp applies every change after the cursor and returns how many. A
// follower whose missed changes were pruned (see kolokol.KeepChanges)
// rebuilds instead, and says so in the log.
func (f *Follower) CatchUp(ctx context.Context) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.start(ctx); err != nil {
		return 0, err
	}
	n := 0
	for {
		batch, err := f.log.FindChanges(ctx, f.cursor, kolokol.MaxChangeBatch)
		if err != nil {
			return n, fmt.Errorf("catch up %s: %w", f.label(), err)
		}
		if len(batch) == 0 {
			return n, nil
		}
		if batch[0].Seq > f.cursor+1 {
			// Seqs can skip (a database may burn one on a rolled-back
			// write): what decides is whether the log still holds
			// everything after the cursor.
			first, last, err := f.log.ChangeBounds(ctx)
			if err != nil {
				return n, fmt.Errorf("catch up %s: %w", f.label(), err)
			}
			if first > f.cursor+1 {
				return n, f.rebuild(ctx, last, fmt.Sprintf("it was at change %d and the log starts at %d", f.cursor, first))
			}
		}
		if f.c.Apply != nil {
			if err := f.c.Apply(ctx, batch); err != nil {
				return n, fmt.Errorf("%s: apply changes %d to %d: %w", f.label(), batch[0].Seq, batch[len(batch)-1].Seq, err)
			}
		}
		f.cursor = batch[len(batch)-1].Seq
		f.applied += int64(len(batch))
		n += len(batch)
		if err := f.store(ctx); err != nil {
			return n, err
		}
	}
}

// Restart makes the next catch-up start again from the stored cursor, for
// a named follower that stopped while another process's follower of the
// same name went on (a job another server ran while this one did not hold
// its lease): its own cursor is behind.
func (f *Follower) Restart() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.name != "" {
		f.started = false
	}
}

// Cursor is the last change the follower applied.
func (f *Follower) Cursor() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cursor
}

// Stats says how many changes the follower applied and how often it
// rebuilt.
func (f *Follower) Stats() (applied int64, rebuilt int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.applied, f.rebuilt
}

// Hub is a process's followers: the desk pokes it after every operation,
// so that consumers in the process catch up before the operation returns
// (a reader never sees a stale page after an editor's call), and it polls
// for changes other processes wrote.
type Hub struct {
	followers []*Follower
	lg        *slog.Logger
	// wake holds one pending Wake: a burst of notifications while a
	// catch-up runs costs one more catch-up, not one each.
	wake chan struct{}
}

// NewHub returns a hub of followers.
func NewHub(lg *slog.Logger, fs ...*Follower) *Hub {
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	return &Hub{followers: fs, lg: lg, wake: make(chan struct{}, 1)}
}

// Start starts every follower.
func (h *Hub) Start(ctx context.Context) error {
	var errs []error
	for _, f := range h.followers {
		errs = append(errs, f.Start(ctx))
	}
	return errors.Join(errs...)
}

// Poke catches every follower up now. A failure is logged, not returned:
// the operation that poked has committed, and the next poll retries.
func (h *Hub) Poke(ctx context.Context) {
	// The operation has happened; a client hanging up must not stop its
	// consumers.
	ctx = context.WithoutCancel(ctx)
	for _, f := range h.followers {
		if _, err := f.CatchUp(ctx); err != nil {
			h.lg.Error("change log", "err", err)
		}
	}
}

// Wake asks Run to catch up now, without waiting for the poll: for a
// notification that another process committed a change. It never blocks.
func (h *Hub) Wake() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Run catches up when woken and polls every interval until ctx ends, for
// changes other processes write (a CLI run, another server on the same
// database). The poll is the fallback when nothing wakes the hub: on
// SQLite, or while a PostgreSQL listener reconnects.
func (h *Hub) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-h.wake:
		}
		h.Poke(ctx)
	}
}
