package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"github.com/kolokol/kolokol/store/sqlrow"
	"time"

	"github.com/kolokol/kolokol"
)

const mirrorColumns = `id, name, kind, public_url, dir, endpoint, bucket, prefix, region, tls, access_key,
	host, port, "user", remote_path, host_key, created_at, updated_at, retired_at,
	last_edition, last_pushed_at, last_verified_at, last_error, last_error_at`

func checkMirror(m *kolokol.Mirror) error {
	m.Normalize()
	return m.Validate()
}

func mirrorNameTaken(name string) error {
	return kolokol.FieldErrorf(kolokol.ECONFLICT, "name", "a live mirror is already called %q; choose another name", name)
}

// CreateMirror stores a new mirror.
func (s *Store) CreateMirror(ctx context.Context, m *kolokol.Mirror) error {
	if err := checkMirror(m); err != nil {
		return err
	}
	t := now()
	var id int64
	err := s.write(ctx, func(tx dbtx) error {
		newID, err := tx.insert(ctx, `INSERT INTO mirrors (name, kind, public_url, dir, endpoint, bucket, prefix, region, tls,
			access_key, host, port, "user", remote_path, host_key, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.Name, string(m.Kind), m.PublicURL, m.Dir, m.Endpoint, m.Bucket, m.Prefix, m.Region, m.TLS,
			m.AccessKey, m.Host, m.Port, m.User, m.RemotePath, m.HostKey, t.UnixNano(), t.UnixNano())
		if tx.isUnique(err) {
			return mirrorNameTaken(m.Name)
		} else if err != nil {
			return err
		}
		id = newID
		return appendChange(ctx, tx, kolokol.Change{Kind: kolokol.ChangeMirrors})
	})
	if err != nil {
		return s.wrapf(err, "create mirror %q", m.Name)
	}
	m.ID, m.CreatedAt, m.UpdatedAt, m.RetiredAt = id, t, t, time.Time{}
	return nil
}

// UpdateMirror writes a live mirror's settings.
func (s *Store) UpdateMirror(ctx context.Context, m *kolokol.Mirror) error {
	if err := checkMirror(m); err != nil {
		return err
	}
	t := now()
	err := s.write(ctx, func(tx dbtx) error {
		var retired sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT retired_at FROM mirrors WHERE id = ?`, m.ID).Scan(&retired)
		if errors.Is(err, sql.ErrNoRows) {
			return kolokol.Errorf(kolokol.ENOTFOUND, "there is no mirror %d", m.ID)
		} else if err != nil {
			return err
		}
		if retired.Valid {
			return kolokol.Errorf(kolokol.ECONFLICT, "mirror %d was retired on %s; add a new mirror instead", m.ID, sqlrow.FromNanos(retired).Format("2006-01-02"))
		}
		_, err = tx.ExecContext(ctx, `UPDATE mirrors SET name = ?, kind = ?, public_url = ?, dir = ?, endpoint = ?, bucket = ?,
			prefix = ?, region = ?, tls = ?, access_key = ?, host = ?, port = ?, "user" = ?, remote_path = ?, host_key = ?,
			updated_at = ? WHERE id = ?`,
			m.Name, string(m.Kind), m.PublicURL, m.Dir, m.Endpoint, m.Bucket, m.Prefix, m.Region, m.TLS,
			m.AccessKey, m.Host, m.Port, m.User, m.RemotePath, m.HostKey, t.UnixNano(), m.ID)
		if tx.isUnique(err) {
			return mirrorNameTaken(m.Name)
		} else if err != nil {
			return err
		}
		return appendChange(ctx, tx, kolokol.Change{Kind: kolokol.ChangeMirrors})
	})
	if err != nil {
		return s.wrapf(err, "update mirror %d", m.ID)
	}
	m.UpdatedAt = t
	return nil
}

// RetireMirror stops a mirror from being pushed to and listed.
func (s *Store) RetireMirror(ctx context.Context, id int64, at time.Time) error {
	if at.IsZero() {
		return kolokol.FieldErrorf(kolokol.EINVALID, "retired_at", "a retirement needs its time")
	}
	if err := sqlrow.CheckTime("retired_at", at); err != nil {
		return err
	}
	return s.wrapf(s.write(ctx, func(tx dbtx) error {
		var retired sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT retired_at FROM mirrors WHERE id = ?`, id).Scan(&retired)
		if errors.Is(err, sql.ErrNoRows) {
			return kolokol.Errorf(kolokol.ENOTFOUND, "there is no mirror %d", id)
		} else if err != nil || retired.Valid {
			return err // retired already: the first time is kept, and readers saw that change then
		}
		if _, err := tx.ExecContext(ctx, `UPDATE mirrors SET retired_at = ? WHERE id = ?`, at.UnixNano(), id); err != nil {
			return err
		}
		return appendChange(ctx, tx, kolokol.Change{Kind: kolokol.ChangeMirrors})
	}), "retire mirror %d", id)
}

// FindMirrorByID returns one mirror.
func (s *Store) FindMirrorByID(ctx context.Context, id int64) (*kolokol.Mirror, error) {
	m, err := scanMirror(s.db().QueryRowContext(ctx, `SELECT `+mirrorColumns+` FROM mirrors WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "there is no mirror %d", id)
	} else if err != nil {
		return nil, s.wrapf(err, "find mirror %d", id)
	}
	return m, nil
}

// FindMirrors returns every mirror, oldest first.
func (s *Store) FindMirrors(ctx context.Context) ([]*kolokol.Mirror, error) {
	rows, err := s.db().QueryContext(ctx, `SELECT `+mirrorColumns+` FROM mirrors ORDER BY id`)
	if err != nil {
		return nil, s.wrapf(err, "find mirrors")
	}
	out, err := sqlrow.Collect(rows, scanMirror)
	return out, s.wrapf(err, "find mirrors")
}

// RecordMirrorPush keeps the outcome of a push. No change is logged:
// health is for admins, not readers.
func (s *Store) RecordMirrorPush(ctx context.Context, id int64, p kolokol.MirrorPush) error {
	if p.At.IsZero() {
		return kolokol.FieldErrorf(kolokol.EINVALID, "at", "a push needs its time")
	}
	if err := sqlrow.CheckTime("at", p.At); err != nil {
		return err
	}
	// Errors come from servers; keep them to a line an admin can read.
	if len(p.Error) > 2000 {
		p.Error = p.Error[:2000]
	}
	return s.wrapf(s.writeUnlocked(ctx, func(tx dbtx) error {
		var res sql.Result
		var err error
		if p.Error != "" {
			res, err = tx.ExecContext(ctx, `UPDATE mirrors SET last_error = ?, last_error_at = ? WHERE id = ?`, p.Error, p.At.UnixNano(), id)
		} else {
			verified := sql.NullInt64{}
			if p.Verified {
				verified = sql.NullInt64{Int64: p.At.UnixNano(), Valid: true}
			}
			res, err = tx.ExecContext(ctx, `UPDATE mirrors SET last_edition = ?, last_pushed_at = ?,
				last_verified_at = coalesce(?, last_verified_at), last_error = '', last_error_at = NULL WHERE id = ?`,
				p.Edition, p.At.UnixNano(), verified, id)
		}
		return sqlrow.OneRow(res, err, kolokol.Errorf(kolokol.ENOTFOUND, "there is no mirror %d", id))
	}), "record push to mirror %d", id)
}

func scanMirror(sc sqlrow.Scanner) (*kolokol.Mirror, error) {
	var m kolokol.Mirror
	var kind string
	var created, updated, retired, pushed, verified, errorAt sql.NullInt64
	if err := sc.Scan(&m.ID, &m.Name, &kind, &m.PublicURL, &m.Dir, &m.Endpoint, &m.Bucket, &m.Prefix, &m.Region, &m.TLS,
		&m.AccessKey, &m.Host, &m.Port, &m.User, &m.RemotePath, &m.HostKey, &created, &updated, &retired,
		&m.Health.Edition, &pushed, &verified, &m.Health.Error, &errorAt); err != nil {
		return nil, err
	}
	m.Kind = kolokol.MirrorKind(kind)
	m.CreatedAt, m.UpdatedAt, m.RetiredAt = sqlrow.FromNanos(created), sqlrow.FromNanos(updated), sqlrow.FromNanos(retired)
	m.Health.PushedAt, m.Health.VerifiedAt, m.Health.ErrorAt = sqlrow.FromNanos(pushed), sqlrow.FromNanos(verified), sqlrow.FromNanos(errorAt)
	return &m, nil
}
