package sqlstore

import (
	"context"
	"database/sql"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/store/sqlrow"
)

const bundleColumns = `id, service, kind, name, key, sig_key, size, stories, period_from, period_to, created_at`

// AddBundle stores a published offline edition.
func (s *Store) AddBundle(ctx context.Context, b *kolokol.Bundle) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if err := sqlrow.CheckTime("from", b.From); err != nil {
		return err
	}
	if err := sqlrow.CheckTime("to", b.To); err != nil {
		return err
	}
	t := now()
	var id int64
	err := s.write(ctx, func(tx dbtx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM services WHERE code = ?`, b.Service).Scan(&n); err != nil {
			return err
		} else if n == 0 {
			return kolokol.Errorf(kolokol.ENOTFOUND, "there is no service %q", b.Service)
		}
		newID, err := tx.insert(ctx, `INSERT INTO bundles (service, kind, name, key, sig_key, size, stories, period_from, period_to, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, b.Service, string(b.Kind), b.Name, b.Key, b.SigKey, b.Size, b.Stories,
			b.From.UnixNano(), b.To.UnixNano(), t.UnixNano())
		if err != nil {
			return err
		}
		id = newID
		return appendChange(ctx, tx, kolokol.Change{Kind: kolokol.ChangeBundles, Service: b.Service})
	})
	if err != nil {
		return s.wrapf(err, "add bundle %s", b.Name)
	}
	b.ID, b.CreatedAt = id, t
	return nil
}

// FindBundles lists a service's bundles, newest first.
func (s *Store) FindBundles(ctx context.Context, service string) ([]*kolokol.Bundle, error) {
	rows, err := s.db().QueryContext(ctx, `SELECT `+bundleColumns+` FROM bundles WHERE service = ? ORDER BY created_at DESC, id DESC`, service)
	if err != nil {
		return nil, s.wrapf(err, "find bundles of %s", service)
	}
	out, err := sqlrow.Collect(rows, scanBundle)
	return out, s.wrapf(err, "find bundles of %s", service)
}

// DeleteBundle withdraws a bundle from its service's list.
func (s *Store) DeleteBundle(ctx context.Context, id int64) error {
	return s.wrapf(s.write(ctx, func(tx dbtx) error {
		var service string
		err := tx.QueryRowContext(ctx, `SELECT service FROM bundles WHERE id = ?`, id).Scan(&service)
		if err == sql.ErrNoRows {
			return kolokol.Errorf(kolokol.ENOTFOUND, "there is no bundle %d", id)
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM bundles WHERE id = ?`, id); err != nil {
			return err
		}
		return appendChange(ctx, tx, kolokol.Change{Kind: kolokol.ChangeBundles, Service: service})
	}), "delete bundle %d", id)
}

func scanBundle(sc sqlrow.Scanner) (*kolokol.Bundle, error) {
	var b kolokol.Bundle
	var kind string
	var from, to, created sql.NullInt64
	if err := sc.Scan(&b.ID, &b.Service, &kind, &b.Name, &b.Key, &b.SigKey, &b.Size, &b.Stories, &from, &to, &created); err != nil {
		return nil, err
	}
	b.Kind = kolokol.BundleKind(kind)
	b.From, b.To, b.CreatedAt = sqlrow.FromNanos(from), sqlrow.FromNanos(to), sqlrow.FromNanos(created)
	return &b, nil
}
