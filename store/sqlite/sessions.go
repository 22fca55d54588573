package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/kolokol/kolokol"
)

// CreateSession stores a signed-in browser.
func (s *Store) CreateSession(ctx context.Context, sess *kolokol.Session) error {
	if err := sess.Validate(); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		t    time.Time
	}{{"created_at", sess.CreatedAt}, {"last_seen_at", sess.LastSeenAt}, {"expires_at", sess.ExpiresAt}} {
		if err := checkTime(f.name, f.t); err != nil {
			return err
		}
	}
	// The caller's value changes only once the session is stored.
	created, seen := sess.CreatedAt.UTC(), sess.LastSeenAt.UTC()
	if created.IsZero() {
		created = now()
	}
	if seen.IsZero() {
		seen = created
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		ok, err := exists(ctx, tx, `SELECT 1 FROM users WHERE id = ?`, sess.UserID)
		if err != nil {
			return err
		} else if !ok {
			return kolokol.FieldErrorf(kolokol.EINVALID, "user_id", "there is no user %d", sess.UserID)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`, sess.ID, sess.UserID, created.UnixNano(), seen.UnixNano(), sess.ExpiresAt.UnixNano())
		if isUnique(err) {
			return kolokol.Errorf(kolokol.ECONFLICT, "the session exists already")
		}
		return err
	})
	if err != nil {
		return wrapf(err, "create session")
	}
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = created, seen, sess.ExpiresAt.UTC()
	return nil
}

// FindSession returns a session by the hash of its cookie.
func (s *Store) FindSession(ctx context.Context, id string) (*kolokol.Session, error) {
	var sess kolokol.Session
	var created, seen, expires sql.NullInt64
	err := s.reader.QueryRowContext(ctx, `SELECT id, user_id, created_at, last_seen_at, expires_at
		FROM sessions WHERE id = ?`, id).Scan(&sess.ID, &sess.UserID, &created, &seen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "no such session")
	} else if err != nil {
		return nil, wrapf(err, "find session")
	}
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = fromNanos(created), fromNanos(seen), fromNanos(expires)
	return &sess, nil
}

// TouchSession records activity, for the idle timeout.
func (s *Store) TouchSession(ctx context.Context, id string, seen time.Time) error {
	if seen.IsZero() {
		return kolokol.FieldErrorf(kolokol.EINVALID, "last_seen_at", "a session cannot be seen at the zero time")
	}
	if err := checkTime("last_seen_at", seen); err != nil {
		return err
	}
	return wrapf(s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, seen.UTC().UnixNano(), id)
		return oneRow(res, err, kolokol.Errorf(kolokol.ENOTFOUND, "no such session"))
	}), "touch session")
}

// DeleteSession signs one browser out. Deleting none is not an error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return wrapf(s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
		return err
	}), "delete session")
}

// DeleteUserSessions signs a user out everywhere.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64) error {
	return wrapf(s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
		return err
	}), "delete sessions of user %d", userID)
}
