package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/kolokol/kolokol"
)

// enrolmentGone is what a person following a dead link is told.
func enrolmentGone() error {
	return kolokol.Errorf(kolokol.ENOTFOUND, "this enrolment link is unknown, used or expired; ask an admin for a new one")
}

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
		return nil, enrolmentGone()
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

// ConsumeEnrolment deletes a link that has not expired and returns it, in
// one statement: of two requests racing for one link, one gets it.
func (s *Store) ConsumeEnrolment(ctx context.Context, tokenHash string, now time.Time) (*kolokol.Enrolment, error) {
	e := kolokol.Enrolment{TokenHash: tokenHash}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var exp sql.NullInt64
		err := tx.QueryRowContext(ctx, `DELETE FROM enrolments WHERE token_hash = ? AND expires_at > ?
			RETURNING user_id, expires_at`, tokenHash, now.UnixNano()).Scan(&e.UserID, &exp)
		if errors.Is(err, sql.ErrNoRows) {
			return enrolmentGone()
		}
		e.ExpiresAt = fromNanos(exp)
		return err
	})
	if err != nil {
		return nil, wrapf(err, "consume enrolment")
	}
	return &e, nil
}
