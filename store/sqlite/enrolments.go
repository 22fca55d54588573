package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/kolokol/kolokol"
)

// CreateEnrolment stores a one-time enrolment link.
func (s *Store) CreateEnrolment(ctx context.Context, e *kolokol.Enrolment) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if err := checkTime("expires_at", e.ExpiresAt); err != nil {
		return err
	}
	return wrapf(s.write(ctx, func(tx *sql.Tx) error {
		ok, err := exists(ctx, tx, `SELECT 1 FROM users WHERE id = ?`, e.UserID)
		if err != nil {
			return err
		} else if !ok {
			return kolokol.FieldErrorf(kolokol.EINVALID, "user_id", "there is no user %d", e.UserID)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO enrolments (token_hash, user_id, expires_at) VALUES (?, ?, ?)`,
			e.TokenHash, e.UserID, e.ExpiresAt.UnixNano())
		if isUnique(err) {
			return kolokol.Errorf(kolokol.ECONFLICT, "the enrolment exists already")
		}
		return err
	}), "create enrolment")
}

// FindEnrolment returns a link that has not expired.
func (s *Store) FindEnrolment(ctx context.Context, tokenHash string, now time.Time) (*kolokol.Enrolment, error) {
	var e kolokol.Enrolment
	var exp sql.NullInt64
	err := s.reader.QueryRowContext(ctx, `SELECT token_hash, user_id, expires_at FROM enrolments
		WHERE token_hash = ? AND expires_at > ?`, tokenHash, now.UnixNano()).Scan(&e.TokenHash, &e.UserID, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "this enrolment link is unknown, used or expired; ask an admin for a new one")
	} else if err != nil {
		return nil, wrapf(err, "find enrolment")
	}
	e.ExpiresAt = fromNanos(exp)
	return &e, nil
}

// DeleteEnrolment spends a link. Deleting none is not an error.
func (s *Store) DeleteEnrolment(ctx context.Context, tokenHash string) error {
	return wrapf(s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM enrolments WHERE token_hash = ?`, tokenHash)
		return err
	}), "delete enrolment")
}
