package sqlstore

import (
	"context"
	"database/sql"
	"github.com/kolokol/kolokol/store/sqlrow"

	"github.com/kolokol/kolokol"
)

// CreatePasskey stores a new passkey of an account.
func (s *Store) CreatePasskey(ctx context.Context, p *kolokol.Passkey) error {
	if err := p.Validate(); err != nil {
		return err
	}
	t := now()
	err := s.write(ctx, func(tx dbtx) error {
		ok, err := sqlrow.Exists(ctx, tx, `SELECT 1 FROM users WHERE id = ?`, p.UserID)
		if err != nil {
			return err
		} else if !ok {
			return kolokol.FieldErrorf(kolokol.EINVALID, "user_id", "there is no user %d", p.UserID)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM passkeys WHERE user_id = ?`, p.UserID).Scan(&n); err != nil {
			return err
		}
		if n >= kolokol.MaxPasskeys {
			return kolokol.Errorf(kolokol.ECONFLICT, "an account has at most %d passkeys; remove one first", kolokol.MaxPasskeys)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO passkeys (id, user_id, name, credential, created_at, last_used_at)
			VALUES (?, ?, ?, ?, ?, ?)`, p.ID, p.UserID, p.Name, p.Credential, t.UnixNano(), sqlrow.Nanos(p.LastUsedAt))
		if tx.isUnique(err) {
			return kolokol.Errorf(kolokol.ECONFLICT, "this passkey is registered already")
		}
		return err
	})
	if err != nil {
		return s.wrapf(err, "create passkey")
	}
	p.CreatedAt = t
	return nil
}

// FindPasskeys returns an account's passkeys, oldest first.
func (s *Store) FindPasskeys(ctx context.Context, userID int64) ([]*kolokol.Passkey, error) {
	rows, err := s.db().QueryContext(ctx, `SELECT id, user_id, name, credential, created_at, last_used_at
		FROM passkeys WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, s.wrapf(err, "find passkeys of user %d", userID)
	}
	out, err := sqlrow.Collect(rows, func(sc sqlrow.Scanner) (*kolokol.Passkey, error) {
		var p kolokol.Passkey
		var created, used sql.NullInt64
		err := sc.Scan(&p.ID, &p.UserID, &p.Name, &p.Credential, &created, &used)
		p.CreatedAt, p.LastUsedAt = sqlrow.FromNanos(created), sqlrow.FromNanos(used)
		return &p, err
	})
	return out, s.wrapf(err, "find passkeys of user %d", userID)
}

// DeletePasskey removes one of an account's passkeys.
func (s *Store) DeletePasskey(ctx context.Context, userID int64, id string) error {
	return s.wrapf(s.write(ctx, func(tx dbtx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM passkeys WHERE id = ? AND user_id = ?`, id, userID)
		return sqlrow.OneRow(res, err, kolokol.Errorf(kolokol.ENOTFOUND, "there is no such passkey"))
	}), "delete passkey")
}
