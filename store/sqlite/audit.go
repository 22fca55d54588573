package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/kolokol/kolokol"
)

// AddAudit appends an entry to the audit log.
func (s *Store) AddAudit(ctx context.Context, e *kolokol.AuditEntry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if err := checkTime("time", e.Time); err != nil {
		return err
	}
	t := e.Time.UTC()
	if t.IsZero() {
		t = now()
	}
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO audit_log (time, actor, action, service, article_id, target, detail)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, t.UnixNano(), e.Actor, e.Action, e.Service, e.ArticleID, e.Target, e.Detail)
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return wrapf(err, "add audit entry %s", e.Action)
	}
	e.ID, e.Time = id, t
	return nil
}

// FindAudit returns the entries f selects, newest first.
func (s *Store) FindAudit(ctx context.Context, f kolokol.AuditFilter) ([]*kolokol.AuditEntry, error) {
	var where []string
	var args []any
	for _, c := range []struct {
		col string
		val any
		set bool
	}{
		{"actor = ?", f.Actor, f.Actor != ""}, {"action = ?", f.Action, f.Action != ""},
		{"service = ?", f.Service, f.Service != ""}, {"article_id = ?", f.ArticleID, f.ArticleID != 0},
		{"id < ?", f.Before, f.Before > 0},
	} {
		if c.set {
			where, args = append(where, c.col), append(args, c.val)
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = kolokol.DefaultAuditLimit
	}
	limit = min(limit, kolokol.MaxAuditLimit)
	var q strings.Builder
	q.WriteString(`SELECT id, time, actor, action, service, article_id, target, detail FROM audit_log`)
	writeWhere(&q, where)
	q.WriteString(` ORDER BY id DESC LIMIT ?`)
	rows, err := s.reader.QueryContext(ctx, q.String(), append(args, limit)...)
	if err != nil {
		return nil, wrapf(err, "find audit entries")
	}
	out, err := collect(rows, func(sc scanner) (*kolokol.AuditEntry, error) {
		var e kolokol.AuditEntry
		var t sql.NullInt64
		if err := sc.Scan(&e.ID, &t, &e.Actor, &e.Action, &e.Service, &e.ArticleID, &e.Target, &e.Detail); err != nil {
			return nil, err
		}
		e.Time = fromNanos(t)
		return &e, nil
	})
	return out, wrapf(err, "find audit entries")
}
