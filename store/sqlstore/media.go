package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/kolokol/kolokol/store/sqlrow"

	"github.com/kolokol/kolokol"
)

const mediaColumns = `id, hash, content_type, size, width, height, focal_x, focal_y, created_at, name, alt, caption, credit, uploaded_by`

// mediaFold is the form the library's search compares: the four texts a
// person may look for, folded by Go (see fold), one a line so that a
// query never matches across two of them.
func mediaFold(name, alt, caption, credit string) string {
	return fold(name + "\n" + alt + "\n" + caption + "\n" + credit)
}

// CreateMedia stores a new media row with its renditions and uploading
// services, in one transaction, and sets m.ID and m.CreatedAt. Files are
// content-addressed, so a hash already stored is the same master: the
// services are added to it, m is filled with that row, its renditions and
// services, and nothing else is written.
func (s *Store) CreateMedia(ctx context.Context, m *kolokol.Media) error {
	if err := m.Validate(); err != nil {
		return err
	}
	t := now()
	var got *kolokol.Media
	err := s.write(ctx, func(tx dbtx) error {
		for _, code := range m.Services {
			if err := checkService(ctx, tx, code); kolokol.ErrorCode(err) == kolokol.EINVALID {
				return kolokol.FieldErrorf(kolokol.EINVALID, "services", "there is no service %q", code)
			} else if err != nil {
				return err
			}
		}
		var err error
		got, err = scanMedia(tx.QueryRowContext(ctx, `SELECT `+mediaColumns+` FROM media WHERE hash = ?`, m.Hash))
		if err == nil {
			if err := addMediaServices(ctx, tx, got.ID, m.Services); err != nil {
				return err
			}
			if got.Renditions, err = findRenditions(ctx, tx, got.ID); err != nil {
				return err
			}
			got.Services, err = findMediaServices(ctx, tx, got.ID)
			return err
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		newID, err := tx.insert(ctx, `INSERT INTO media (hash, content_type, size, width, height, focal_x, focal_y, created_at,
			name, alt, caption, credit, uploaded_by, text_fold)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.Hash, m.ContentType, m.Size, m.Width, m.Height, m.FocalX, m.FocalY, t.UnixNano(),
			m.Name, m.Alt, m.Caption, m.Credit, m.UploadedBy, mediaFold(m.Name, m.Alt, m.Caption, m.Credit))
		if err != nil {
			return err
		}
		c := *m
		c.CreatedAt = t
		c.ID = newID
		if err := insertRenditions(ctx, tx, c.ID, m.Renditions); err != nil {
			return err
		}
		if err := addMediaServices(ctx, tx, c.ID, m.Services); err != nil {
			return err
		}
		c.Renditions = cloneRenditions(m.Renditions)
		if c.Services, err = findMediaServices(ctx, tx, c.ID); err != nil {
			return err
		}
		got = &c
		return nil
	})
	if err != nil {
		return s.wrapf(err, "create media %s", m.Hash)
	}
	*m = *got
	return nil
}

// UpdateMediaFocal sets the focal point and replaces every rendition in one
// transaction.
func (s *Store) UpdateMediaFocal(ctx context.Context, id int64, fx, fy float64, r []kolokol.Rendition) error {
	if !kolokol.ValidFocal(fx, fy) {
		return kolokol.FieldErrorf(kolokol.EINVALID, "focal", "the focal point must lie within the image (0 to 1 on each axis), got (%g, %g)", fx, fy)
	}
	if err := kolokol.ValidateRenditions(r); err != nil {
		return err
	}
	err := s.write(ctx, func(tx dbtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE media SET focal_x = ?, focal_y = ? WHERE id = ?`, fx, fy, id)
		if err := sqlrow.OneRow(res, err, kolokol.Errorf(kolokol.ENOTFOUND, "there is no media %d", id)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM media_renditions WHERE media_id = ?`, id); err != nil {
			return err
		}
		if err := insertRenditions(ctx, tx, id, r); err != nil {
			return err
		}
		return appendChange(ctx, tx, kolokol.Change{Kind: kolokol.ChangeMedia, MediaID: id})
	})
	return s.wrapf(err, "update focal point of media %d", id)
}

func insertRenditions(ctx context.Context, tx dbtx, id int64, rs []kolokol.Rendition) error {
	if len(rs) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO media_renditions (media_id, key, ratio, format, width, height, size, position)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, r := range rs {
		if _, err := stmt.ExecContext(ctx, id, r.Key, r.Ratio, r.Format, r.Width, r.Height, r.Size, i); err != nil {
			return err
		}
	}
	return nil
}

func findRenditions(ctx context.Context, tx dbtx, id int64) ([]kolokol.Rendition, error) {
	rows, err := tx.QueryContext(ctx, `SELECT key, ratio, format, width, height, size FROM media_renditions
		WHERE media_id = ? ORDER BY position`, id)
	if err != nil {
		return nil, err
	}
	return sqlrow.Collect(rows, func(sc sqlrow.Scanner) (kolokol.Rendition, error) {
		var r kolokol.Rendition
		err := sc.Scan(&r.Key, &r.Ratio, &r.Format, &r.Width, &r.Height, &r.Size)
		return r, err
	})
}

// cloneRenditions copies rs so the caller's slice is not shared; an empty
// list is nil, as every list the store returns.
func cloneRenditions(rs []kolokol.Rendition) []kolokol.Rendition {
	if len(rs) == 0 {
		return nil
	}
	return append([]kolokol.Rendition(nil), rs...)
}

// FindMediaByID returns the media row with the id and its renditions.
func (s *Store) FindMediaByID(ctx context.Context, id int64) (*kolokol.Media, error) {
	var m *kolokol.Media
	err := s.read(ctx, func(tx dbtx) error {
		var err error
		m, err = scanMedia(tx.QueryRowContext(ctx, `SELECT `+mediaColumns+` FROM media WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return kolokol.Errorf(kolokol.ENOTFOUND, "there is no media %d", id)
		} else if err != nil {
			return err
		}
		if m.Renditions, err = findRenditions(ctx, tx, id); err != nil {
			return err
		}
		m.Services, err = findMediaServices(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, s.wrapf(err, "find media %d", id)
	}
	return m, nil
}

func scanMedia(sc sqlrow.Scanner) (*kolokol.Media, error) {
	var m kolokol.Media
	var created sql.NullInt64
	if err := sc.Scan(&m.ID, &m.Hash, &m.ContentType, &m.Size, &m.Width, &m.Height, &m.FocalX, &m.FocalY, &created,
		&m.Name, &m.Alt, &m.Caption, &m.Credit, &m.UploadedBy); err != nil {
		return nil, err
	}
	m.CreatedAt = sqlrow.FromNanos(created)
	return &m, nil
}

// addMediaServices records services as uploaders of a media; one already
// recorded stays as it is.
func addMediaServices(ctx context.Context, tx dbtx, id int64, services []string) error {
	for _, code := range services {
		if _, err := tx.ExecContext(ctx, `INSERT INTO media_services (media_id, service) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, code); err != nil {
			return err
		}
	}
	return nil
}

// findMediaServices returns the services that uploaded a media, by code.
func findMediaServices(ctx context.Context, tx dbtx, id int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT service FROM media_services WHERE media_id = ? ORDER BY service`, id)
	if err != nil {
		return nil, err
	}
	return sqlrow.Collect(rows, func(sc sqlrow.Scanner) (string, error) {
		var s string
		err := sc.Scan(&s)
		return s, err
	})
}

// FindMedia returns a page of a service's library: the media it uploaded
// or was given (media_services), and those its stories show as their lead
// image, newest first.
func (s *Store) FindMedia(ctx context.Context, f kolokol.MediaFilter) ([]*kolokol.Media, int, error) {
	if !kolokol.ValidServiceCode(f.Service) {
		return nil, 0, kolokol.FieldErrorf(kolokol.EINVALID, "service", "invalid service code %q", f.Service)
	}
	if f.Limit < 0 || f.Offset < 0 {
		return nil, 0, kolokol.Errorf(kolokol.EINVALID, "limit and offset cannot be negative, got %d and %d", f.Limit, f.Offset)
	}
	switch {
	case f.Limit == 0:
		f.Limit = 50
	case f.Limit > 500:
		f.Limit = 500
	}
	where := `(EXISTS (SELECT 1 FROM media_services ms WHERE ms.media_id = m.id AND ms.service = ?)
		OR EXISTS (SELECT 1 FROM article_media am JOIN articles a ON a.id = am.article_id
			WHERE am.media_id = m.id AND a.service = ?))`
	args := []any{f.Service, f.Service}
	// Runs of space, line breaks included, are one space: a query matches
	// within one text, never across the line between two.
	if q := strings.Join(strings.Fields(f.Query), " "); q != "" {
		where += ` AND m.text_fold LIKE ? ESCAPE '\'`
		args = append(args, "%"+likeEscape(fold(q))+"%")
	}
	var (
		list  []*kolokol.Media
		total int
	)
	err := s.read(ctx, func(tx dbtx) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM media m WHERE `+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+mediaColumns+` FROM media m WHERE `+where+`
			ORDER BY m.created_at DESC, m.id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
		if err != nil {
			return err
		}
		if list, err = sqlrow.Collect(rows, scanMedia); err != nil {
			return err
		}
		for _, m := range list {
			if m.Renditions, err = findRenditions(ctx, tx, m.ID); err != nil {
				return err
			}
			if m.Services, err = findMediaServices(ctx, tx, m.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, s.wrapf(err, "find media of service %s", f.Service)
	}
	return list, total, nil
}

// UpdateMediaText sets a media's library texts and their folded form.
// The name, folded in with them, is read in the same transaction.
func (s *Store) UpdateMediaText(ctx context.Context, id int64, alt, caption, credit string) error {
	check := kolokol.Media{Alt: alt, Caption: caption, Credit: credit}
	if err := check.ValidateText(); err != nil {
		return err
	}
	err := s.write(ctx, func(tx dbtx) error {
		var name string
		err := tx.QueryRowContext(ctx, `SELECT name FROM media WHERE id = ?`+tx.ForUpdate, id).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return kolokol.Errorf(kolokol.ENOTFOUND, "there is no media %d", id)
		} else if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE media SET alt = ?, caption = ?, credit = ?, text_fold = ? WHERE id = ?`,
			alt, caption, credit, mediaFold(name, alt, caption, credit), id)
		return err
	})
	return s.wrapf(err, "update texts of media %d", id)
}
