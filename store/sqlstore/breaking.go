package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"github.com/kolokol/kolokol/store/sqlrow"

	"github.com/kolokol/kolokol"
)

// SetBreaking replaces the service's banner and sets b.CreatedAt. It trims
// b's text and URL, as Validate does.
func (s *Store) SetBreaking(ctx context.Context, b *kolokol.Breaking) error {
	t := now()
	if err := b.Validate(t); err != nil {
		return err
	}
	if err := sqlrow.CheckTime("expires_at", b.ExpiresAt); err != nil {
		return err
	}
	err := s.write(ctx, func(tx dbtx) error {
		if err := checkService(ctx, tx, b.Service); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO breaking (service, text, url, expires_at, created_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (service) DO UPDATE SET text = excluded.text, url = excluded.url,
				expires_at = excluded.expires_at, created_at = excluded.created_at`,
			b.Service, b.Text, b.URL, sqlrow.Nanos(b.ExpiresAt), t.UnixNano())
		if err != nil {
			return err
		}
		return appendChange(ctx, tx, kolokol.Change{Kind: kolokol.ChangeBreaking, Service: b.Service})
	})
	if err != nil {
		return s.wrapf(err, "set breaking news of %q", b.Service)
	}
	b.CreatedAt = t
	return nil
}

// ClearBreaking removes the service's banner. Clearing a service that shows
// none is not an error: the outcome the caller wants already holds.
func (s *Store) ClearBreaking(ctx context.Context, service string) error {
	err := s.write(ctx, func(tx dbtx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM breaking WHERE service = ?`, service)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // nothing was shown: nothing changed
		}
		return appendChange(ctx, tx, kolokol.Change{Kind: kolokol.ChangeBreaking, Service: service})
	})
	return s.wrapf(err, "clear breaking news of %q", service)
}

// FindBreaking returns the service's banner, expired or not.
func (s *Store) FindBreaking(ctx context.Context, service string) (*kolokol.Breaking, error) {
	var b kolokol.Breaking
	var expires, created sql.NullInt64
	err := s.db().QueryRowContext(ctx, `SELECT service, text, url, expires_at, created_at
		FROM breaking WHERE service = ?`, service).Scan(&b.Service, &b.Text, &b.URL, &expires, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "service %q has no breaking news", service)
	} else if err != nil {
		return nil, s.wrapf(err, "find breaking news of %q", service)
	}
	b.ExpiresAt, b.CreatedAt = sqlrow.FromNanos(expires), sqlrow.FromNanos(created)
	return &b, nil
}
