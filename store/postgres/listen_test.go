package postgres

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/changelog"
	"github.com/kolokol/kolokol/internal/pgtest"
)

// TestListenWakesOtherServer: two stores on one database, as two servers
// have; a change written through one reaches the other's follower at once,
// though its poll is a minute away.
func TestListenWakesOtherServer(t *testing.T) {
	dsn := pgtest.DSN(t)
	a, b := openTest(t, dsn), openTest(t, dsn)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()

	got := make(chan int64, 100)
	f := changelog.New(b, "", changelog.Consumer{Apply: func(_ context.Context, cs []*kolokol.Change) error {
		for _, c := range cs {
			got <- c.Seq
		}
		return nil
	}}, nil)
	hub := changelog.NewHub(nil, f)
	if err := hub.Start(ctx); err != nil {
		t.Fatal(err)
	}
	listening := make(chan struct{}, 1)
	go b.ListenChanges(ctx, func() {
		hub.Wake()
		select {
		case listening <- struct{}{}:
		default:
		}
	}, func(err error) { t.Logf("listener: %v", err) })
	go hub.Run(ctx, time.Minute)
	<-listening // the first wake: connected and listening

	for i := range 3 {
		createService(t, a, "s"+string(rune('a'+i)))
		committed := time.Now()
		select {
		case seq := <-got:
			// Tens of milliseconds when the machine is idle; a second
			// leaves room for a loaded one and is still far from the poll.
			if d := time.Since(committed); d > time.Second {
				t.Errorf("change %d arrived after %s", seq, d)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("change %d did not arrive without the poll", i+1)
		}
	}
}

// TestListenReconnects: a listener whose connection is cut connects again,
// reports the failure, and wakes once it listens again.
func TestListenReconnects(t *testing.T) {
	dsn := pgtest.DSN(t)
	s := openTest(t, dsn)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var wakes, fails atomic.Int32
	woke := make(chan struct{}, 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.ListenChanges(ctx, func() { wakes.Add(1); woke <- struct{}{} }, func(error) { fails.Add(1) })
	}()
	<-woke
	// Cut every other connection to this database, the listener's too.
	if _, err := s.db.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	select {
	case <-woke:
	case <-time.After(10 * time.Second):
		t.Fatal("the listener did not come back")
	}
	if fails.Load() == 0 {
		t.Error("the lost connection was not reported")
	}
	createService(t, s, "sx")
	select {
	case <-woke:
	case <-time.After(5 * time.Second):
		t.Fatal("no wake for a change after reconnecting")
	}
	cancel()
	<-done
}
