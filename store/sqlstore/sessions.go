package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/kolokol/kolokol/store/sqlrow"
	"slices"
	"time"

	"github.com/kolokol/kolokol"
)

// CreateSession stores a signed-in browser.
func (s *Store) CreateSession(ctx context.Context, sess *kolokol.Session) error {
	row, err := checkSession(sess)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(tx dbtx) error {
		ok, err := sqlrow.Exists(ctx, tx, `SELECT 1 FROM users WHERE id = ?`, sess.UserID)
		if err != nil {
			return err
		} else if !ok {
			return kolokol.FieldErrorf(kolokol.EINVALID, "user_id", "there is no user %d", sess.UserID)
		}
		return insertSession(ctx, tx, row)
	})
	if err != nil {
		return s.wrapf(err, "create session")
	}
	*sess = row
	return nil
}

// checkSession validates a session and returns it as it will be stored.
// The caller's value changes only once the session is stored.
func checkSession(sess *kolokol.Session) (kolokol.Session, error) {
	if err := sess.Validate(); err != nil {
		return kolokol.Session{}, err
	}
	for _, f := range []struct {
		name string
		t    time.Time
	}{{"created_at", sess.CreatedAt}, {"last_seen_at", sess.LastSeenAt}, {"expires_at", sess.ExpiresAt}} {
		if err := sqlrow.CheckTime(f.name, f.t); err != nil {
			return kolokol.Session{}, err
		}
	}
	row := *sess
	row.CreatedAt, row.LastSeenAt, row.ExpiresAt = sess.CreatedAt.UTC(), sess.LastSeenAt.UTC(), sess.ExpiresAt.UTC()
	if row.CreatedAt.IsZero() {
		row.CreatedAt = now()
	}
	if row.LastSeenAt.IsZero() {
		row.LastSeenAt = row.CreatedAt
	}
	return row, nil
}

func insertSession(ctx context.Context, tx dbtx, sess kolokol.Session) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`, sess.ID, sess.UserID, sess.CreatedAt.UnixNano(), sess.LastSeenAt.UnixNano(), sess.ExpiresAt.UnixNano())
	if tx.isUnique(err) {
		return kolokol.Errorf(kolokol.ECONFLICT, "the session exists already")
	}
	return err
}

// SignIn spends a second factor and stores the session in one transaction.
func (s *Store) SignIn(ctx context.Context, sess *kolokol.Session, f kolokol.SecondFactor) error {
	row, err := checkSession(sess)
	if err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	if f.Passkey != nil && f.Passkey.UserID != sess.UserID {
		return kolokol.FieldErrorf(kolokol.EINVALID, "passkey", "the passkey is not the account's")
	}
	err = s.write(ctx, func(tx dbtx) error {
		if err := spendFactor(ctx, tx, sess.UserID, f); err != nil {
			return err
		}
		return insertSession(ctx, tx, row)
	})
	if err != nil {
		return s.wrapf(err, "sign in user %d", sess.UserID)
	}
	*sess = row
	return nil
}

// UseSecondFactor spends a second factor without starting a session.
func (s *Store) UseSecondFactor(ctx context.Context, userID int64, f kolokol.SecondFactor) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if f.Passkey != nil && f.Passkey.UserID != userID {
		return kolokol.FieldErrorf(kolokol.EINVALID, "passkey", "the passkey is not the account's")
	}
	return s.wrapf(s.write(ctx, func(tx dbtx) error {
		return spendFactor(ctx, tx, userID, f)
	}), "use second factor of user %d", userID)
}

// spendFactor records the use of f by an enabled account: the TOTP step
// only moves forward, a recovery code is removed, a passkey's credential
// (its sign count) is written. Each check is in the statement that writes,
// so two transactions cannot both spend one code.
func spendFactor(ctx context.Context, tx dbtx, userID int64, f kolokol.SecondFactor) error {
	var disabled bool
	var recovery string
	err := tx.QueryRowContext(ctx, `SELECT disabled, recovery_hashes FROM users WHERE id = ?`, userID).Scan(&disabled, &recovery)
	if errors.Is(err, sql.ErrNoRows) || err == nil && disabled {
		return kolokol.Errorf(kolokol.EUNAUTHORIZED, "the account is unknown or disabled")
	} else if err != nil {
		return err
	}
	t := now().UnixNano()
	switch {
	case f.TOTPStep > 0:
		res, err := tx.ExecContext(ctx, `UPDATE users SET totp_last_step = ?, updated_at = ?, version = version + 1
			WHERE id = ? AND totp_last_step < ?`, f.TOTPStep, t, userID, f.TOTPStep)
		if err := sqlrow.OneRow(res, err, kolokol.FieldErrorf(kolokol.ECONFLICT, "code", "this code was already used; wait for the next one")); err != nil {
			return err
		}
	case f.RecoveryHash != "":
		hashes, err := sqlrow.DecodeList(recovery)
		if err != nil {
			return fmt.Errorf("recovery hashes of user %d: %w", userID, err)
		}
		i := slices.Index(hashes, f.RecoveryHash)
		if i < 0 {
			return kolokol.FieldErrorf(kolokol.ECONFLICT, "code", "this recovery code was already used")
		}
		left, err := sqlrow.EncodeList(slices.Delete(hashes, i, i+1))
		if err != nil {
			return err
		}
		// Compared with what was read: a concurrent spend of another code
		// makes this one fail rather than bring the spent one back.
		res, err := tx.ExecContext(ctx, `UPDATE users SET recovery_hashes = ?, updated_at = ?, version = version + 1
			WHERE id = ? AND recovery_hashes = ?`, left, t, userID, recovery)
		if err := sqlrow.OneRow(res, err, kolokol.FieldErrorf(kolokol.ECONFLICT, "code", "the recovery codes changed meanwhile; try again")); err != nil {
			return err
		}
	case f.Passkey != nil:
		if err := sqlrow.CheckTime("last_used_at", f.Passkey.LastUsedAt); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE passkeys SET credential = ?, last_used_at = ? WHERE id = ? AND user_id = ?`,
			f.Passkey.Credential, sqlrow.Nanos(f.Passkey.LastUsedAt), f.Passkey.ID, userID)
		if err := sqlrow.OneRow(res, err, kolokol.Errorf(kolokol.EUNAUTHORIZED, "there is no such passkey")); err != nil {
			return err
		}
	}
	if f.PasswordHash != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, f.PasswordHash, userID); err != nil {
			return err
		}
	}
	return nil
}

// FindSession returns a session by the hash of its cookie.
func (s *Store) FindSession(ctx context.Context, id string) (*kolokol.Session, error) {
	var sess kolokol.Session
	var created, seen, expires sql.NullInt64
	err := s.db().QueryRowContext(ctx, `SELECT id, user_id, created_at, last_seen_at, expires_at
		FROM sessions WHERE id = ?`, id).Scan(&sess.ID, &sess.UserID, &created, &seen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "no such session")
	} else if err != nil {
		return nil, s.wrapf(err, "find session")
	}
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = sqlrow.FromNanos(created), sqlrow.FromNanos(seen), sqlrow.FromNanos(expires)
	return &sess, nil
}

// TouchSession records activity, for the idle timeout.
func (s *Store) TouchSession(ctx context.Context, id string, seen time.Time) error {
	if seen.IsZero() {
		return kolokol.FieldErrorf(kolokol.EINVALID, "last_seen_at", "a session cannot be seen at the zero time")
	}
	if err := sqlrow.CheckTime("last_seen_at", seen); err != nil {
		return err
	}
	return s.wrapf(s.writeUnlocked(ctx, func(tx dbtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, seen.UTC().UnixNano(), id)
		return sqlrow.OneRow(res, err, kolokol.Errorf(kolokol.ENOTFOUND, "no such session"))
	}), "touch session")
}

// DeleteSession signs one browser out. Deleting none is not an error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return s.wrapf(s.writeUnlocked(ctx, func(tx dbtx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
		return err
	}), "delete session")
}

// DeleteUserSessions signs a user out everywhere.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64) error {
	return s.wrapf(s.writeUnlocked(ctx, func(tx dbtx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
		return err
	}), "delete sessions of user %d", userID)
}
