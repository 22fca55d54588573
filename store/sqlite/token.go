package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/kolokol/kolokol"
)

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
	services, err := encodeList(t.Services)
	if err != nil {
		return fmt.Errorf("create token %q: %w", t.Name, err)
	}
	created := now()
	var id int64
	err = s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO tokens (name, hash, role, services, created_at)
			VALUES (?, ?, ?, ?, ?)`, t.Name, t.Hash, string(t.Role), services, created.UnixNano())
		if isUnique(err) {
			return kolokol.FieldErrorf(kolokol.ECONFLICT, "hash", "a token with this hash already exists")
		} else if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return wrapf(err, "create token %q", t.Name)
	}
	t.ID, t.CreatedAt = id, created
	return nil
}

// FindTokenByHash returns the token whose secret hashes to hash.
func (s *Store) FindTokenByHash(ctx context.Context, hash string) (*kolokol.Token, error) {
	var t kolokol.Token
	var services string
	var created sql.NullInt64
	err := s.reader.QueryRowContext(ctx, `SELECT id, name, hash, role, services, created_at
		FROM tokens WHERE hash = ?`, hash).Scan(&t.ID, &t.Name, &t.Hash, &t.Role, &services, &created)
	if errors.Is(err, sql.ErrNoRows) {
		// The hash stays out of the message: it is as good as a credential
		// in a log line.
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "no such token")
	} else if err != nil {
		return nil, fmt.Errorf("find token by hash: %w", err)
	}
	if t.Services, err = decodeList(services); err != nil {
		return nil, fmt.Errorf("token %d: %w", t.ID, err)
	}
	t.CreatedAt = fromNanos(created)
	return &t, nil
}
