package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kolokol/kolokol"
)

// changesChannel is the channel every append to the change log notifies,
// with the change's seq as the payload.
const changesChannel = "kolokol_changes"

var _ kolokol.ChangeWaker = (*Store)(nil)

// Listen backoff: a database restarting is retried soon, one that is down
// is not hammered.
const (
	listenRetry    = time.Second
	listenMaxRetry = 30 * time.Second
)

// ListenChanges calls wake whenever a change is committed to the log, by
// any process, until ctx ends. It keeps a connection of its own outside
// the pool (a LISTEN belongs to its session), and when that connection
// fails it reports the error to fail, connects again, and calls wake once
// connected, since notifications sent in between were lost.
func (s *Store) ListenChanges(ctx context.Context, wake func(), fail func(error)) {
	if s.cfg == nil {
		return // a transaction's store: its parent listens
	}
	retry := listenRetry
	for ctx.Err() == nil {
		connected, err := s.listen(ctx, wake)
		if ctx.Err() != nil {
			return
		}
		if connected {
			retry = listenRetry
		}
		fail(fmt.Errorf("listen for changes: %w", err))
		select {
		case <-ctx.Done():
			return
		case <-time.After(retry):
		}
		retry = min(retry*2, listenMaxRetry)
	}
}

// listen is one connection's life: it returns why the connection ended,
// and whether it got as far as listening.
func (s *Store) listen(ctx context.Context, wake func()) (bool, error) {
	conn, err := pgx.ConnectConfig(ctx, s.cfg)
	if err != nil {
		return false, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+changesChannel); err != nil {
		return false, err
	}
	wake()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return true, err
		}
		wake()
	}
}
