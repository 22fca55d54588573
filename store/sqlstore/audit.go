package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"github.com/kolokol/kolokol/store/sqlrow"
	"slices"
	"strings"

	"github.com/kolokol/kolokol"
)

// AddAudit appends an entry to the audit log.
func (s *Store) AddAudit(ctx context.Context, e *kolokol.AuditEntry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if err := sqlrow.CheckTime("time", e.Time); err != nil {
		return err
	}
	services := auditServices(e)
	t := e.Time.UTC()
	if t.IsZero() {
		t = now()
	}
	var id int64
	err := s.writeUnlocked(ctx, func(tx dbtx) error {
		newID, err := tx.insert(ctx, `INSERT INTO audit_log (time, actor, action, service, article_id, target, detail)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, t.UnixNano(), e.Actor, e.Action, e.Service, e.ArticleID, e.Target, e.Detail)
		if err != nil {
			return err
		}
		id = newID
		for _, svc := range services {
			if _, err := tx.ExecContext(ctx, `INSERT INTO audit_services (audit_id, service) VALUES (?, ?)`, id, svc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return s.wrapf(err, "add audit entry %s", e.Action)
	}
	e.ID, e.Time, e.Services = id, t, services
	return nil
}

// auditServices is the entry's services as stored: Service and the
// others, each once, in order.
func auditServices(e *kolokol.AuditEntry) []string {
	var out []string
	for _, s := range append([]string{e.Service}, e.Services...) {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// PruneAudit keeps the newest keep entries.
func (s *Store) PruneAudit(ctx context.Context, keep int) (int64, error) {
	if keep < 0 {
		return 0, kolokol.Errorf(kolokol.EINVALID, "cannot keep %d audit entries", keep)
	}
	var n int64
	err := s.write(ctx, func(tx dbtx) error {
		var oldestKept int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM audit_log ORDER BY id DESC LIMIT 1 OFFSET ?`, max(keep-1, 0)).Scan(&oldestKept)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // fewer than keep
		} else if err != nil {
			return err
		}
		if keep == 0 {
			oldestKept++
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM audit_log WHERE id < ?`, oldestKept)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, s.wrapf(err, "prune audit log")
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
		{"id IN (SELECT audit_id FROM audit_services WHERE service = ?)", f.Service, f.Service != ""},
		{"article_id = ?", f.ArticleID, f.ArticleID != 0},
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
	q.WriteString(`SELECT id, time, actor, action, service, article_id, target, detail,
		(SELECT coalesce(string_agg(service, ','), '') FROM audit_services WHERE audit_id = audit_log.id) FROM audit_log`)
	writeWhere(&q, where)
	q.WriteString(` ORDER BY id DESC LIMIT ?`)
	rows, err := s.db().QueryContext(ctx, q.String(), append(args, limit)...)
	if err != nil {
		return nil, s.wrapf(err, "find audit entries")
	}
	out, err := sqlrow.Collect(rows, func(sc sqlrow.Scanner) (*kolokol.AuditEntry, error) {
		var e kolokol.AuditEntry
		var t sql.NullInt64
		var services string
		if err := sc.Scan(&e.ID, &t, &e.Actor, &e.Action, &e.Service, &e.ArticleID, &e.Target, &e.Detail, &services); err != nil {
			return nil, err
		}
		e.Time = sqlrow.FromNanos(t)
		if services != "" {
			e.Services = strings.Split(services, ",")
			slices.Sort(e.Services)
		}
		return &e, nil
	})
	return out, s.wrapf(err, "find audit entries")
}
