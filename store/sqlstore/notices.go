package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/kolokol/kolokol/store/sqlrow"

	"github.com/kolokol/kolokol"
)

const noticeColumns = `id, service, text, link, countries, is_default, mirrors, created_at, updated_at`

func checkNotice(n *kolokol.Notice) (countries string, err error) {
	n.Normalize()
	if err := n.Validate(); err != nil {
		return "", err
	}
	if countries, err = sqlrow.EncodeList(n.Countries); err != nil {
		return "", fmt.Errorf("encode countries: %w", err)
	}
	return countries, nil
}

// CreateNotice stores a new notice of a service.
func (s *Store) CreateNotice(ctx context.Context, n *kolokol.Notice) error {
	countries, err := checkNotice(n)
	if err != nil {
		return err
	}
	t := now()
	var id int64
	err = s.write(ctx, func(tx dbtx) error {
		if err := checkService(ctx, tx, n.Service); err != nil {
			return err
		}
		var count int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM notices WHERE service = ?`, n.Service).Scan(&count); err != nil {
			return err
		}
		if count >= kolokol.MaxNotices {
			return kolokol.Errorf(kolokol.ECONFLICT, "service %q has %d notices, the most it may have; remove one first", n.Service, count)
		}
		newID, err := tx.insert(ctx, `INSERT INTO notices (service, text, link, countries, is_default, mirrors, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, n.Service, n.Text, n.Link, countries, n.Default, n.Mirrors, t.UnixNano(), t.UnixNano())
		if err != nil {
			return err
		}
		id = newID
		return appendChange(ctx, tx, kolokol.Change{Kind: kolokol.ChangeNotice, Service: n.Service})
	})
	if err != nil {
		return s.wrapf(err, "create notice for %q", n.Service)
	}
	n.ID, n.CreatedAt, n.UpdatedAt = id, t, t
	return nil
}

// UpdateNotice writes a notice's text, link, countries and flags.
func (s *Store) UpdateNotice(ctx context.Context, n *kolokol.Notice) error {
	countries, err := checkNotice(n)
	if err != nil {
		return err
	}
	t := now()
	err = s.write(ctx, func(tx dbtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notices SET text = ?, link = ?, countries = ?, is_default = ?, mirrors = ?, updated_at = ?
			WHERE id = ? AND service = ?`, n.Text, n.Link, countries, n.Default, n.Mirrors, t.UnixNano(), n.ID, n.Service)
		if err := sqlrow.OneRow(res, err, kolokol.Errorf(kolokol.ENOTFOUND, "service %q has no notice %d", n.Service, n.ID)); err != nil {
			return err
		}
		return appendChange(ctx, tx, kolokol.Change{Kind: kolokol.ChangeNotice, Service: n.Service})
	})
	if err != nil {
		return s.wrapf(err, "update notice %d", n.ID)
	}
	n.UpdatedAt = t
	return nil
}

// FindNotice returns one notice.
func (s *Store) FindNotice(ctx context.Context, id int64) (*kolokol.Notice, error) {
	n, err := scanNotice(s.db().QueryRowContext(ctx, `SELECT `+noticeColumns+` FROM notices WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "there is no notice %d", id)
	} else if err != nil {
		return nil, s.wrapf(err, "find notice %d", id)
	}
	return n, nil
}

// FindNotices returns a service's notices, oldest first.
func (s *Store) FindNotices(ctx context.Context, service string) ([]*kolokol.Notice, error) {
	rows, err := s.db().QueryContext(ctx, `SELECT `+noticeColumns+` FROM notices WHERE service = ? ORDER BY id`, service)
	if err != nil {
		return nil, s.wrapf(err, "find notices of %q", service)
	}
	out, err := sqlrow.Collect(rows, scanNotice)
	return out, s.wrapf(err, "find notices of %q", service)
}

// DeleteNotice removes a notice.
func (s *Store) DeleteNotice(ctx context.Context, id int64) error {
	return s.wrapf(s.write(ctx, func(tx dbtx) error {
		var service string
		err := tx.QueryRowContext(ctx, `DELETE FROM notices WHERE id = ? RETURNING service`, id).Scan(&service)
		if errors.Is(err, sql.ErrNoRows) {
			return kolokol.Errorf(kolokol.ENOTFOUND, "there is no notice %d", id)
		} else if err != nil {
			return err
		}
		return appendChange(ctx, tx, kolokol.Change{Kind: kolokol.ChangeNotice, Service: service})
	}), "delete notice %d", id)
}

func scanNotice(sc sqlrow.Scanner) (*kolokol.Notice, error) {
	var n kolokol.Notice
	var countries string
	var created, updated sql.NullInt64
	if err := sc.Scan(&n.ID, &n.Service, &n.Text, &n.Link, &countries, &n.Default, &n.Mirrors, &created, &updated); err != nil {
		return nil, err
	}
	var err error
	if n.Countries, err = sqlrow.DecodeList(countries); err != nil {
		return nil, fmt.Errorf("notice %d: %w", n.ID, err)
	}
	n.CreatedAt, n.UpdatedAt = sqlrow.FromNanos(created), sqlrow.FromNanos(updated)
	return &n, nil
}
