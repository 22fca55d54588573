package lease_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/internal/pgtest"
	"github.com/kolokol/kolokol/lease"
	"github.com/kolokol/kolokol/store/postgres"
	"github.com/kolokol/kolokol/store/sqlite"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func openSQLite(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "kolokol.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// job counts how many of its runs are running at once, and the most.
type job struct {
	running, most, runs atomic.Int32
}

func (j *job) run(ctx context.Context) {
	n := j.running.Add(1)
	j.runs.Add(1)
	for {
		m := j.most.Load()
		if n <= m || j.most.CompareAndSwap(m, n) {
			break
		}
	}
	<-ctx.Done()
	j.running.Add(-1)
}

func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestOneAtATime: three servers run one job; one runs it; when it stops,
// another takes the job at once (the lease is released), not at expiry.
func TestOneAtATime(t *testing.T) {
	s := openSQLite(t)
	var j job
	var holder atomic.Int32 // which server runs the job
	ttl := 600 * time.Millisecond
	cancels := map[int32]context.CancelFunc{}
	var wg sync.WaitGroup
	for h := range int32(3) {
		ctx, cancel := context.WithCancel(t.Context())
		cancels[h] = cancel
		wg.Add(1)
		go func() {
			defer wg.Done()
			lease.Run(ctx, s, "job", []string{"a", "b", "c"}[h], ttl, func(ctx context.Context) {
				holder.Store(h)
				j.run(ctx)
			}, nil)
		}()
	}
	defer func() {
		for _, c := range cancels {
			c()
		}
		wg.Wait()
	}()
	waitFor(t, "a server runs the job", time.Second, func() bool { return j.running.Load() == 1 })
	time.Sleep(ttl) // renewals go on; nobody else starts it
	if j.runs.Load() != 1 {
		t.Fatalf("the job started %d times while its holder lived", j.runs.Load())
	}
	// Stop the holders one by one: each time another takes over within a
	// renewal's pace (ttl/3), not the lease's lifetime.
	for i := range int32(2) {
		start := time.Now()
		h := holder.Load()
		cancels[h]()
		delete(cancels, h)
		waitFor(t, "another server takes the job", ttl, func() bool { return j.runs.Load() == i+2 && j.running.Load() == 1 })
		if d := time.Since(start); d >= ttl*2/3 {
			t.Errorf("takeover after a clean stop took %s", d)
		}
	}
	if j.most.Load() != 1 {
		t.Errorf("%d runs of the job at once", j.most.Load())
	}
}

// broken is a store that has gone away, for a holder that is cut off
// (its database link is down): it must stop its job before its lease can
// expire for the others.
type broken struct {
	kolokol.Leases
	down atomic.Bool
}

func (b *broken) TryLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if b.down.Load() {
		return false, errors.New("connection refused")
	}
	return b.Leases.TryLease(ctx, name, holder, ttl)
}

// TestTakeover: a server that dies stops renewing; another takes its job
// once the lease expires, and the cut-off one has stopped by then.
func TestTakeover(t *testing.T) {
	s := openSQLite(t)
	ttl := 600 * time.Millisecond
	cut := &broken{Leases: s}
	var first, second job
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); lease.Run(ctx, cut, "job", "first", ttl, first.run, nil) }()
	waitFor(t, "the first server runs the job", time.Second, func() bool { return first.running.Load() == 1 })
	go func() { defer wg.Done(); lease.Run(ctx, s, "job", "second", ttl, second.run, nil) }()
	time.Sleep(ttl / 2)
	if second.runs.Load() != 0 {
		t.Fatal("the second server ran the job while the first held the lease")
	}
	died := time.Now()
	cut.down.Store(true)
	waitFor(t, "the cut-off server stops", ttl, func() bool { return first.running.Load() == 0 })
	stopped := time.Since(died)
	waitFor(t, "the second server takes over", 2*ttl, func() bool { return second.running.Load() == 1 })
	took := time.Since(died)
	if stopped >= took {
		t.Errorf("the cut-off server stopped after %s, the other started after %s", stopped, took)
	}
	if took < ttl/2 {
		t.Errorf("took over after %s, before the lease (%s) could have expired", took, ttl)
	}
	cancel()
	wg.Wait()
}

// TestSchedulersPublishOnce: two servers' schedulers on one PostgreSQL
// database, each run through the lease as serve runs it; a story that
// falls due is published once: one publish in its versions, revisions and
// the change log.
func TestSchedulersPublishOnce(t *testing.T) {
	dsn := pgtest.DSN(t)
	var stores []*postgres.Store
	var desks []*desk.Desk
	for range 2 {
		s, err := postgres.Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
		desks = append(desks, desk.New(s, nil, nil, nil))
	}
	ctx := t.Context()
	if err := stores[0].CreateService(ctx, &kolokol.Service{Code: "ru", Tag: "ru-RU", Script: "Cyrl", Direction: kolokol.LTR,
		Name: "Русский", TimeZone: "Europe/Moscow"}); err != nil {
		t.Fatal(err)
	}
	if err := stores[0].CreateSection(ctx, &kolokol.Section{Service: "ru", Slug: "world", Name: "World"}); err != nil {
		t.Fatal(err)
	}
	editor := kolokol.Actor{Name: "editor", Role: kolokol.RoleEditor, Services: []string{"ru"}}
	var ids []int64
	for _, h := range []string{"Первая", "Вторая", "Третья"} {
		a, err := desks[0].CreateArticle(ctx, editor, desk.ArticleInput{Service: "ru", Section: "world", Headline: h,
			Summary: "Кратко.", Body: "Текст.", Bylines: []string{"Анна"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := desks[1].Schedule(ctx, editor, a.ID, time.Now().Add(1500*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	_, before, err := stores[0].ChangeBounds(ctx)
	if err != nil {
		t.Fatal(err)
	}

	var published atomic.Int32
	rctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for i, d := range desks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lease.Run(rctx, stores[i], "scheduler", []string{"one", "two"}[i], 3*50*time.Millisecond, func(ctx context.Context) {
				d.RunScheduler(ctx, 50*time.Millisecond, func(n int, err error) {
					published.Add(int32(n))
					// A run cut short, by the test's end or by its lease
					// lapsing (a slow machine), reports the cancellation;
					// only a failure while it held the lease counts.
					if err != nil && ctx.Err() == nil {
						t.Errorf("scheduler %d: %v", i, err)
					}
				})
			}, nil)
		}()
	}
	waitFor(t, "the stories go out", 5*time.Second, func() bool { return published.Load() >= 3 })
	time.Sleep(300 * time.Millisecond) // time for a second publish, were there one
	cancel()
	wg.Wait()
	if n := published.Load(); n != 3 {
		t.Errorf("schedulers published %d stories, want 3", n)
	}
	for _, id := range ids {
		a, err := stores[1].FindArticleByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != kolokol.StatusPublished || a.Version != 3 {
			t.Errorf("story %d: %s at version %d, want published at version 3 (created, scheduled, published)", id, a.Status, a.Version)
		}
		revs, err := stores[1].FindRevisions(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(revs) != 3 {
			t.Errorf("story %d has %d revisions, want 3", id, len(revs))
		}
	}
	changes, err := stores[1].FindChanges(ctx, before, 100)
	if err != nil {
		t.Fatal(err)
	}
	per := map[int64]int{}
	for _, c := range changes {
		per[c.ArticleID]++
	}
	for _, id := range ids {
		if per[id] != 1 {
			t.Errorf("story %d: %d changes after scheduling, want 1 (the publish)", id, per[id])
		}
	}
}
