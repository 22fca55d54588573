package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/kolokol/kolokol/store/sqlrow"
	"time"

	"github.com/kolokol/kolokol"
)

const tokenColumns = `id, name, hash, role, services, created_at, created_by, expires_at, revoked_at, last_used`

// dayLayout is how last_used is kept: a date, which sorts as text.
const dayLayout = "2006-01-02"

// CreateToken stores a new API token and sets its ID and CreatedAt.
func (s *Store) CreateToken(ctx context.Context, t *kolokol.Token) error {
	if err := t.Validate(); err != nil {
		return err
	}
	// Token.Validate leaves the hash alone; an empty one would let an
	// empty secret authenticate.
	if t.Hash == "" {
		return kolokol.FieldErrorf(kolokol.EINVALID, "hash", "token hash is required")
	}
	for _, f := range []struct {
		name string
		t    time.Time
	}{{"expires_at", t.ExpiresAt}, {"revoked_at", t.RevokedAt}} {
		if err := sqlrow.CheckTime(f.name, f.t); err != nil {
			return err
		}
	}
	services, err := sqlrow.EncodeList(t.Services)
	if err != nil {
		return fmt.Errorf("create token %q: %w", t.Name, err)
	}
	created := now()
	var id int64
	err = s.write(ctx, func(tx dbtx) error {
		newID, err := tx.insert(ctx, `INSERT INTO tokens (name, hash, role, services, created_at, created_by, expires_at, revoked_at, last_used)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.Name, t.Hash, string(t.Role), services, created.UnixNano(), t.CreatedBy,
			sqlrow.Nanos(t.ExpiresAt), sqlrow.Nanos(t.RevokedAt), day(t.LastUsed))
		if tx.isUnique(err) {
			return kolokol.FieldErrorf(kolokol.ECONFLICT, "hash", "a token with this hash already exists")
		} else if err != nil {
			return err
		}
		id = newID
		return nil
	})
	if err != nil {
		return s.wrapf(err, "create token %q", t.Name)
	}
	t.ID, t.CreatedAt = id, created
	return nil
}

// FindTokenByHash returns the token whose secret hashes to hash.
func (s *Store) FindTokenByHash(ctx context.Context, hash string) (*kolokol.Token, error) {
	t, err := scanToken(s.db().QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		// The hash stays out of the message: it is as good as a credential
		// in a log line.
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "no such token")
	} else if err != nil {
		return nil, fmt.Errorf("find token by hash: %w", err)
	}
	return t, nil
}

// FindTokenByID returns the token with the id.
func (s *Store) FindTokenByID(ctx context.Context, id int64) (*kolokol.Token, error) {
	t, err := scanToken(s.db().QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "there is no token %d", id)
	} else if err != nil {
		return nil, fmt.Errorf("find token %d: %w", id, err)
	}
	return t, nil
}

// FindTokens returns every token, newest first. A newsroom has a handful.
func (s *Store) FindTokens(ctx context.Context) ([]*kolokol.Token, error) {
	rows, err := s.db().QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("find tokens: %w", err)
	}
	out, err := sqlrow.Collect(rows, scanToken)
	if err != nil {
		return nil, fmt.Errorf("find tokens: %w", err)
	}
	return out, nil
}

// RevokeToken sets revoked_at unless it is set already: the first
// revocation is the one the list and the audit log agree on.
func (s *Store) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	if at.IsZero() {
		return kolokol.FieldErrorf(kolokol.EINVALID, "revoked_at", "a revocation needs a time")
	}
	if err := sqlrow.CheckTime("revoked_at", at); err != nil {
		return err
	}
	err := s.writeUnlocked(ctx, func(tx dbtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`, at.UnixNano(), id)
		return sqlrow.OneRow(res, err, kolokol.Errorf(kolokol.ENOTFOUND, "there is no token %d", id))
	})
	return s.wrapf(err, "revoke token %d", id)
}

// RecordTokenUse moves last_used forward to at's day. It is called for
// every API request, so it reads first: only the first request of a day
// writes, and that write waits for no lock but the token's row (or the one
// writer connection).
func (s *Store) RecordTokenUse(ctx context.Context, id int64, at time.Time) error {
	today := kolokol.Day(at).Format(dayLayout)
	var last sql.NullString
	err := s.db().QueryRowContext(ctx, `SELECT last_used FROM tokens WHERE id = ?`, id).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return kolokol.Errorf(kolokol.ENOTFOUND, "there is no token %d", id)
	} else if err != nil {
		return fmt.Errorf("record use of token %d: %w", id, err)
	}
	if last.Valid && last.String >= today {
		return nil
	}
	// The condition again: another request, or process, may have written
	// the day since the read; a clock running behind never moves it back.
	err = s.writeUnlocked(ctx, func(tx dbtx) error {
		_, err := tx.ExecContext(ctx, `UPDATE tokens SET last_used = ? WHERE id = ? AND (last_used IS NULL OR last_used < ?)`, today, id, today)
		return err
	})
	return s.wrapf(err, "record use of token %d", id)
}

func scanToken(sc sqlrow.Scanner) (*kolokol.Token, error) {
	var t kolokol.Token
	var services string
	var created, expires, revoked sql.NullInt64
	var used sql.NullString
	if err := sc.Scan(&t.ID, &t.Name, &t.Hash, &t.Role, &services, &created, &t.CreatedBy, &expires, &revoked, &used); err != nil {
		return nil, err
	}
	var err error
	if t.Services, err = sqlrow.DecodeList(services); err != nil {
		return nil, fmt.Errorf("token %d: %w", t.ID, err)
	}
	t.CreatedAt, t.ExpiresAt, t.RevokedAt = sqlrow.FromNanos(created), sqlrow.FromNanos(expires), sqlrow.FromNanos(revoked)
	if used.Valid {
		if t.LastUsed, err = time.Parse(dayLayout, used.String); err != nil {
			return nil, fmt.Errorf("token %d: last used %q: %w", t.ID, used.String, err)
		}
	}
	return &t, nil
}

// day is a token's last use for its column: NULL for never.
func day(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return kolokol.Day(t).Format(dayLayout)
}
