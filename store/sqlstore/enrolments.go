package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"github.com/kolokol/kolokol/store/sqlrow"
	"time"

	"github.com/kolokol/kolokol"
)

// enrolmentGone is what a person following a dead link is told.
func enrolmentGone() error {
	return kolokol.Errorf(kolokol.ENOTFOUND, "this enrolment link is unknown, used, replaced or expired; ask an admin for a new one")
}

func enrolledAlready() error {
	return kolokol.Errorf(kolokol.ECONFLICT, "this account is set up already; an admin must reset it before it can be set up again")
}

// CreateEnrolment stores a one-time enrolment link, replacing the account's
// other links.
func (s *Store) CreateEnrolment(ctx context.Context, e *kolokol.Enrolment) error {
	if err := checkEnrolment(e); err != nil {
		return err
	}
	return s.wrapf(s.write(ctx, func(tx dbtx) error {
		var password string
		err := tx.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, e.UserID).Scan(&password)
		if errors.Is(err, sql.ErrNoRows) {
			return kolokol.FieldErrorf(kolokol.EINVALID, "user_id", "there is no user %d", e.UserID)
		} else if err != nil {
			return err
		}
		if password != "" {
			return enrolledAlready()
		}
		return insertEnrolment(ctx, tx, e)
	}), "create enrolment")
}

func checkEnrolment(e *kolokol.Enrolment) error {
	if err := e.Validate(); err != nil {
		return err
	}
	return sqlrow.CheckTime("expires_at", e.ExpiresAt)
}

// insertEnrolment stores e as the account's only link.
func insertEnrolment(ctx context.Context, tx dbtx, e *kolokol.Enrolment) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM enrolments WHERE user_id = ?`, e.UserID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO enrolments (token_hash, user_id, totp_secret, expires_at) VALUES (?, ?, ?, ?)`,
		e.TokenHash, e.UserID, e.TOTPSecret, e.ExpiresAt.UnixNano())
	if tx.isUnique(err) {
		return kolokol.Errorf(kolokol.ECONFLICT, "the enrolment exists already")
	}
	return err
}

// FindEnrolment returns a link that has not expired.
func (s *Store) FindEnrolment(ctx context.Context, tokenHash string, now time.Time) (*kolokol.Enrolment, error) {
	var e kolokol.Enrolment
	var exp sql.NullInt64
	err := s.db().QueryRowContext(ctx, `SELECT token_hash, user_id, totp_secret, expires_at FROM enrolments
		WHERE token_hash = ? AND expires_at > ?`, tokenHash, now.UnixNano()).Scan(&e.TokenHash, &e.UserID, &e.TOTPSecret, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, enrolmentGone()
	} else if err != nil {
		return nil, s.wrapf(err, "find enrolment")
	}
	e.ExpiresAt = sqlrow.FromNanos(exp)
	return &e, nil
}

// CompleteEnrolment spends a link and sets up its account, all in one
// transaction.
func (s *Store) CompleteEnrolment(ctx context.Context, c *kolokol.EnrolmentCompletion) (*kolokol.User, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	recovery, err := sqlrow.EncodeList(c.RecoveryHashes)
	if err != nil {
		return nil, err
	}
	var u *kolokol.User
	err = s.write(ctx, func(tx dbtx) error {
		var userID int64
		var secret string
		err := tx.QueryRowContext(ctx, `SELECT user_id, totp_secret FROM enrolments WHERE token_hash = ? AND expires_at > ?`,
			c.TokenHash, c.Now.UnixNano()).Scan(&userID, &secret)
		if errors.Is(err, sql.ErrNoRows) {
			return enrolmentGone()
		} else if err != nil {
			return err
		}
		// The password check is in the UPDATE itself: an account enrolled
		// by a concurrent request is not enrolled again.
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, totp_secret = ?, totp_last_step = ?,
			recovery_hashes = ?, updated_at = ?, version = version + 1 WHERE id = ? AND password_hash = ''`,
			c.PasswordHash, secret, c.TOTPLastStep, recovery, now().UnixNano(), userID)
		if err := sqlrow.OneRow(res, err, enrolledAlready()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM enrolments WHERE user_id = ?`, userID); err != nil {
			return err
		}
		if u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, userID)); err != nil {
			return err
		}
		return findDesks(ctx, tx, u)
	})
	if err != nil {
		return nil, s.wrapf(err, "complete enrolment")
	}
	return u, nil
}

// ResetUser clears an account's credentials and gives it a new link, in one
// transaction.
func (s *Store) ResetUser(ctx context.Context, id int64, version int, e *kolokol.Enrolment) (*kolokol.User, error) {
	if e.UserID != id {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "user_id", "the new link is for account %d, not %d", e.UserID, id)
	}
	if err := checkEnrolment(e); err != nil {
		return nil, err
	}
	var u *kolokol.User
	err := s.write(ctx, func(tx dbtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = '', totp_secret = '', totp_last_step = 0,
			recovery_hashes = '[]', updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
			now().UnixNano(), id, version)
		if err := sqlrow.OneRow(res, err, errStale); errors.Is(err, errStale) {
			return userConflict(ctx, tx, id, version)
		} else if err != nil {
			return err
		}
		// Held saves go too: they would be applied by whoever signs in
		// next. Working copies stay, for the owner to look at and decide.
		for _, q := range []string{`DELETE FROM sessions WHERE user_id = ?`, `DELETE FROM passkeys WHERE user_id = ?`,
			`DELETE FROM pending_saves WHERE user_id = ?`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		if err := insertEnrolment(ctx, tx, e); err != nil {
			return err
		}
		if u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id)); err != nil {
			return err
		}
		return findDesks(ctx, tx, u)
	})
	if err != nil {
		return nil, s.wrapf(err, "reset user %d", id)
	}
	return u, nil
}
