package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"github.com/kolokol/kolokol/store/sqlrow"

	"github.com/kolokol/kolokol"
)

const serviceColumns = `code, tag, script, direction, name, english_name, time_zone,
	about, legal_status, show_gregorian, safety, brand, logo_svg, logo_viewbox, logo_media_id,
	created_at, updated_at, latin_slugs`

// CreateService stores a new service and sets its CreatedAt and UpdatedAt.
func (s *Store) CreateService(ctx context.Context, svc *kolokol.Service) error {
	if err := svc.Validate(); err != nil {
		return err
	}
	t := now()
	err := s.write(ctx, func(tx dbtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO services (`+serviceColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			svc.Code, svc.Tag, svc.Script, string(svc.Direction), svc.Name, svc.EnglishName,
			svc.TimeZone, svc.About, svc.LegalStatus, svc.ShowGregorian, svc.Safety,
			svc.Brand, svc.Logo.SVG, svc.Logo.ViewBox, svc.Logo.MediaID, t.UnixNano(), t.UnixNano(), svc.LatinSlugs)
		if tx.isUnique(err) {
			return kolokol.FieldErrorf(kolokol.ECONFLICT, "code", "service %q already exists", svc.Code)
		} else if err != nil {
			return err
		}
		return appendChange(ctx, tx, kolokol.Change{Kind: kolokol.ChangeService, Service: svc.Code, Listed: true})
	})
	if err != nil {
		return s.wrapf(err, "create service %q", svc.Code)
	}
	svc.CreatedAt, svc.UpdatedAt = t, t
	return nil
}

// UpdateService writes every field of svc but Code and CreatedAt, and sets
// UpdatedAt and, from the stored row, CreatedAt.
func (s *Store) UpdateService(ctx context.Context, svc *kolokol.Service) error {
	if err := svc.Validate(); err != nil {
		return err
	}
	t := now()
	var created int64
	err := s.write(ctx, func(tx dbtx) error {
		// Pages that list services (the portal, every page's languages,
		// translation switchers) show their names, tags and directions.
		var name, tag, dir string
		err := tx.QueryRowContext(ctx, `SELECT name, tag, direction FROM services WHERE code = ?`, svc.Code).Scan(&name, &tag, &dir)
		if errors.Is(err, sql.ErrNoRows) {
			return kolokol.Errorf(kolokol.ENOTFOUND, "there is no service %q", svc.Code)
		} else if err != nil {
			return err
		}
		listed := name != svc.Name || tag != svc.Tag || dir != string(svc.Direction)
		err = tx.QueryRowContext(ctx, `UPDATE services SET tag = ?, script = ?, direction = ?,
			name = ?, english_name = ?, time_zone = ?, about = ?, legal_status = ?, show_gregorian = ?,
			safety = ?, brand = ?, logo_svg = ?, logo_viewbox = ?, logo_media_id = ?, updated_at = ?,
			latin_slugs = ? WHERE code = ? RETURNING created_at`,
			svc.Tag, svc.Script, string(svc.Direction), svc.Name, svc.EnglishName, svc.TimeZone,
			svc.About, svc.LegalStatus, svc.ShowGregorian, svc.Safety,
			svc.Brand, svc.Logo.SVG, svc.Logo.ViewBox, svc.Logo.MediaID, t.UnixNano(), svc.LatinSlugs, svc.Code).Scan(&created)
		if errors.Is(err, sql.ErrNoRows) {
			return kolokol.Errorf(kolokol.ENOTFOUND, "there is no service %q", svc.Code)
		} else if err != nil {
			return err
		}
		return appendChange(ctx, tx, kolokol.Change{Kind: kolokol.ChangeService, Service: svc.Code, Listed: listed})
	})
	if err != nil {
		return s.wrapf(err, "update service %q", svc.Code)
	}
	svc.CreatedAt = sqlrow.FromNanos(sql.NullInt64{Int64: created, Valid: true})
	svc.UpdatedAt = t
	return nil
}

// FindServiceByCode returns the service with the code.
func (s *Store) FindServiceByCode(ctx context.Context, code string) (*kolokol.Service, error) {
	row := s.db().QueryRowContext(ctx, `SELECT `+serviceColumns+` FROM services WHERE code = ?`, code)
	svc, err := scanService(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "there is no service %q", code)
	} else if err != nil {
		return nil, s.wrapf(err, "find service %q", code)
	}
	return svc, nil
}

// FindServices returns every service, ordered by code.
func (s *Store) FindServices(ctx context.Context) ([]*kolokol.Service, error) {
	rows, err := s.db().QueryContext(ctx, `SELECT `+serviceColumns+` FROM services ORDER BY code`)
	if err != nil {
		return nil, s.wrapf(err, "find services")
	}
	out, err := sqlrow.Collect(rows, scanService)
	return out, s.wrapf(err, "find services")
}

func scanService(sc sqlrow.Scanner) (*kolokol.Service, error) {
	var svc kolokol.Service
	var created, updated sql.NullInt64
	err := sc.Scan(&svc.Code, &svc.Tag, &svc.Script, &svc.Direction, &svc.Name, &svc.EnglishName,
		&svc.TimeZone, &svc.About, &svc.LegalStatus, &svc.ShowGregorian, &svc.Safety,
		&svc.Brand, &svc.Logo.SVG, &svc.Logo.ViewBox, &svc.Logo.MediaID, &created, &updated, &svc.LatinSlugs)
	if err != nil {
		return nil, err
	}
	svc.CreatedAt, svc.UpdatedAt = sqlrow.FromNanos(created), sqlrow.FromNanos(updated)
	return &svc, nil
}

// CreateSection stores a new section of an existing service and sets its ID.
func (s *Store) CreateSection(ctx context.Context, sec *kolokol.Section) error {
	if err := sec.Validate(); err != nil {
		return err
	}
	var id int64
	err := s.write(ctx, func(tx dbtx) error {
		if err := checkService(ctx, tx, sec.Service); err != nil {
			return err
		}
		newID, err := tx.insert(ctx, `INSERT INTO sections (service, slug, name, position)
			VALUES (?, ?, ?, ?)`, sec.Service, sec.Slug, sec.Name, sec.Position)
		if tx.isUnique(err) {
			return kolokol.FieldErrorf(kolokol.ECONFLICT, "slug",
				"service %q already has a section %q", sec.Service, sec.Slug)
		} else if err != nil {
			return err
		}
		id = newID
		return appendChange(ctx, tx, kolokol.Change{Kind: kolokol.ChangeService, Service: sec.Service})
	})
	if err != nil {
		return s.wrapf(err, "create section %s/%s", sec.Service, sec.Slug)
	}
	sec.ID = id
	return nil
}

// FindSections returns a service's sections ordered by position, then slug.
func (s *Store) FindSections(ctx context.Context, service string) ([]*kolokol.Section, error) {
	rows, err := s.db().QueryContext(ctx, `SELECT `+sectionColumns+`
		FROM sections WHERE service = ? ORDER BY position, slug`, service)
	if err != nil {
		return nil, s.wrapf(err, "find sections of %q", service)
	}
	out, err := sqlrow.Collect(rows, scanSection)
	return out, s.wrapf(err, "find sections of %q", service)
}

// FindSection returns one section of a service by slug.
func (s *Store) FindSection(ctx context.Context, service, slug string) (*kolokol.Section, error) {
	sec, err := scanSection(s.db().QueryRowContext(ctx, `SELECT `+sectionColumns+`
		FROM sections WHERE service = ? AND slug = ?`, service, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "service %q has no section %q", service, slug)
	} else if err != nil {
		return nil, s.wrapf(err, "find section %s/%s", service, slug)
	}
	return sec, nil
}

const sectionColumns = `id, service, slug, name, position`

func scanSection(sc sqlrow.Scanner) (*kolokol.Section, error) {
	var sec kolokol.Section
	if err := sc.Scan(&sec.ID, &sec.Service, &sec.Slug, &sec.Name, &sec.Position); err != nil {
		return nil, err
	}
	return &sec, nil
}
