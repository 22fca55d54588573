package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/kolokol/kolokol"
)

const mediaColumns = `id, hash, content_type, size, width, height, created_at`

// CreateMedia stores a new media row and sets m.ID and m.CreatedAt. Files are
// content-addressed, so a hash already stored is the same file: m is filled
// with that row and no new one is made.
func (s *Store) CreateMedia(ctx context.Context, m *kolokol.Media) error {
	if err := checkMedia(m); err != nil {
		return err
	}
	t := now()
	var got *kolokol.Media
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		got, err = scanMedia(tx.QueryRowContext(ctx, `SELECT `+mediaColumns+` FROM media WHERE hash = ?`, m.Hash))
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO media (hash, content_type, size, width, height, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, m.Hash, m.ContentType, m.Size, m.Width, m.Height, t.UnixNano())
		if err != nil {
			return err
		}
		c := *m
		c.CreatedAt = t
		c.ID, err = res.LastInsertId()
		got = &c
		return err
	})
	if err != nil {
		return wrapf(err, "create media %s", m.Hash)
	}
	*m = *got
	return nil
}

// checkMedia stands in for a Validate the domain does not have yet.
func checkMedia(m *kolokol.Media) error {
	switch {
	case strings.TrimSpace(m.Hash) == "":
		return kolokol.FieldErrorf(kolokol.EINVALID, "hash", "media hash is required")
	case m.ContentType == "":
		return kolokol.FieldErrorf(kolokol.EINVALID, "content_type", "media content type is required")
	case m.Size < 0:
		return kolokol.FieldErrorf(kolokol.EINVALID, "size", "media size cannot be negative")
	case m.Width < 0 || m.Height < 0:
		return kolokol.FieldErrorf(kolokol.EINVALID, "width", "media dimensions cannot be negative")
	}
	return nil
}

// FindMediaByID returns the media row with the id.
func (s *Store) FindMediaByID(ctx context.Context, id int64) (*kolokol.Media, error) {
	m, err := scanMedia(s.reader.QueryRowContext(ctx, `SELECT `+mediaColumns+` FROM media WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "there is no media %d", id)
	} else if err != nil {
		return nil, wrapf(err, "find media %d", id)
	}
	return m, nil
}

func scanMedia(sc scanner) (*kolokol.Media, error) {
	var m kolokol.Media
	var created sql.NullInt64
	if err := sc.Scan(&m.ID, &m.Hash, &m.ContentType, &m.Size, &m.Width, &m.Height, &created); err != nil {
		return nil, err
	}
	m.CreatedAt = fromNanos(created)
	return &m, nil
}
