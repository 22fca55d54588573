package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"github.com/kolokol/kolokol/store/sqlrow"
	"strings"

	"github.com/kolokol/kolokol"
)

const wireColumns = `id, service, provider, guid, version, type, language, headline, summary, body, bylines,
	dateline, subjects, urgency, embargo, sent_at, source, media_id, media_caption, media_credit, media_alt,
	status, article_id, used_version,
	used_headline, used_body, received_at, updated_at`

// SaveWireItem stores a new item or its newer version.
func (s *Store) SaveWireItem(ctx context.Context, w *kolokol.WireItem) (changed bool, err error) {
	if err := w.Validate(); err != nil {
		return false, err
	}
	if err := sqlrow.CheckTime("embargo", w.Embargo); err != nil {
		return false, err
	}
	if err := sqlrow.CheckTime("sent", w.Sent); err != nil {
		return false, err
	}
	bylines, err := sqlrow.EncodeList(w.Bylines)
	if err != nil {
		return false, err
	}
	subjects, err := sqlrow.EncodeList(w.Subjects)
	if err != nil {
		return false, err
	}
	t := now()
	err = s.write(ctx, func(tx dbtx) error {
		if err := checkService(ctx, tx, w.Service); err != nil {
			return err
		}
		old, err := scanWireItem(tx.QueryRowContext(ctx, `SELECT `+wireColumns+` FROM wire_items
			WHERE service = ? AND provider = ? AND guid = ?`, w.Service, w.Provider, w.GUID))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			newID, err := tx.insert(ctx, `INSERT INTO wire_items (service, provider, guid, version, type, language,
				headline, summary, body, bylines, dateline, subjects, urgency, embargo, sent_at, source, media_id,
				media_caption, media_credit, media_alt, status, received_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?)`,
				w.Service, w.Provider, w.GUID, w.Version, w.Type, w.Language, w.Headline, w.Summary, w.Body, bylines,
				w.Dateline, subjects, w.Urgency, sqlrow.Nanos(w.Embargo), sqlrow.Nanos(w.Sent), w.Source, w.MediaID,
				w.MediaCaption, w.MediaCredit, w.MediaAlt, t.UnixNano(), t.UnixNano())
			if err != nil {
				return err
			}
			w.ID = newID
			w.Status, w.ReceivedAt, w.UpdatedAt, w.ArticleID = kolokol.WireNew, t, t, 0
			w.UsedVersion, w.UsedHeadline, w.UsedBody = "", "", ""
			changed = true
			return nil
		case err != nil:
			return err
		}
		if !kolokol.NewerVersion(w.Version, w.Sent, old.Version, old.Sent) {
			*w = *old
			return nil
		}
		status := old.Status
		if status == kolokol.WireDismissed {
			status = kolokol.WireNew // the agency has something new to say
		}
		_, err = tx.ExecContext(ctx, `UPDATE wire_items SET version = ?, type = ?, language = ?, headline = ?,
			summary = ?, body = ?, bylines = ?, dateline = ?, subjects = ?, urgency = ?, embargo = ?, sent_at = ?,
			source = ?, media_id = ?, media_caption = ?, media_credit = ?, media_alt = ?, status = ?, updated_at = ?
			WHERE id = ?`,
			w.Version, w.Type, w.Language, w.Headline, w.Summary, w.Body, bylines, w.Dateline, subjects, w.Urgency,
			sqlrow.Nanos(w.Embargo), sqlrow.Nanos(w.Sent), w.Source, w.MediaID, w.MediaCaption, w.MediaCredit, w.MediaAlt,
			string(status), t.UnixNano(), old.ID)
		if err != nil {
			return err
		}
		w.ID, w.Status, w.ReceivedAt, w.UpdatedAt = old.ID, status, old.ReceivedAt, t
		w.ArticleID, w.UsedVersion, w.UsedHeadline, w.UsedBody = old.ArticleID, old.UsedVersion, old.UsedHeadline, old.UsedBody
		changed = true
		return nil
	})
	return changed, s.wrapf(err, "save wire item %q of %s", w.GUID, w.Provider)
}

// FindWireItem returns one item.
func (s *Store) FindWireItem(ctx context.Context, id int64) (*kolokol.WireItem, error) {
	w, err := scanWireItem(s.db().QueryRowContext(ctx, `SELECT `+wireColumns+` FROM wire_items WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "there is no wire item %d", id)
	}
	return w, s.wrapf(err, "find wire item %d", id)
}

// FindWireItemByArticle returns the item a story was opened from.
func (s *Store) FindWireItemByArticle(ctx context.Context, articleID int64) (*kolokol.WireItem, error) {
	w, err := scanWireItem(s.db().QueryRowContext(ctx, `SELECT `+wireColumns+` FROM wire_items WHERE article_id = ?
		ORDER BY id LIMIT 1`, articleID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "story %d was not opened from the wire", articleID)
	}
	return w, s.wrapf(err, "find the wire item of story %d", articleID)
}

// FindWireItems returns a service's queue, newest first.
func (s *Store) FindWireItems(ctx context.Context, f kolokol.WireFilter) ([]*kolokol.WireItem, error) {
	where, args := []string{"service = ?"}, []any{f.Service}
	if f.Status == "" {
		where = append(where, "status != 'dismissed'")
	} else {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if f.Provider != "" {
		where, args = append(where, "provider = ?"), append(args, f.Provider)
	}
	if f.Language != "" {
		// "ru" matches "ru" and "ru-RU".
		where, args = append(where, "(language = ? OR substr(language, 1, ?) = ?)"), append(args, f.Language, len(f.Language)+1, f.Language+"-")
	}
	if f.MaxUrgency > 0 {
		where, args = append(where, "urgency BETWEEN 1 AND ?"), append(args, f.MaxUrgency)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "received_at >= ?"), append(args, f.Since.UnixNano())
	}
	if f.Before > 0 {
		where, args = append(where, "id < ?"), append(args, f.Before)
	}
	rows, err := s.db().QueryContext(ctx, `SELECT `+wireColumns+` FROM wire_items WHERE `+strings.Join(where, " AND ")+
		` ORDER BY id DESC LIMIT ?`, append(args, clampLimit(f.Limit))...)
	if err != nil {
		return nil, s.wrapf(err, "find the wire queue of %q", f.Service)
	}
	out, err := sqlrow.Collect(rows, scanWireItem)
	return out, s.wrapf(err, "find the wire queue of %q", f.Service)
}

// SetWireStatus dismisses an item or records the story opened from it.
func (s *Store) SetWireStatus(ctx context.Context, w *kolokol.WireItem) error {
	switch w.Status {
	case kolokol.WireNew, kolokol.WireDismissed, kolokol.WireUsed:
	default:
		return kolokol.FieldErrorf(kolokol.EINVALID, "status", "a wire item is new, used or dismissed, not %q", w.Status)
	}
	if w.Status == kolokol.WireUsed && w.ArticleID <= 0 {
		return kolokol.FieldErrorf(kolokol.EINVALID, "article", "a used wire item names its story")
	}
	t := now()
	err := s.write(ctx, func(tx dbtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE wire_items SET status = ?, article_id = ?, used_version = ?,
			used_headline = ?, used_body = ?, updated_at = ? WHERE id = ?`,
			string(w.Status), w.ArticleID, w.UsedVersion, w.UsedHeadline, w.UsedBody, t.UnixNano(), w.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return kolokol.Errorf(kolokol.ENOTFOUND, "there is no wire item %d", w.ID)
		}
		return nil
	})
	if err == nil {
		w.UpdatedAt = t
	}
	return s.wrapf(err, "set wire item %d %s", w.ID, w.Status)
}

func scanWireItem(sc sqlrow.Scanner) (*kolokol.WireItem, error) {
	var w kolokol.WireItem
	var bylines, subjects, status string
	var embargo, sent, received, updated sql.NullInt64
	err := sc.Scan(&w.ID, &w.Service, &w.Provider, &w.GUID, &w.Version, &w.Type, &w.Language, &w.Headline, &w.Summary,
		&w.Body, &bylines, &w.Dateline, &subjects, &w.Urgency, &embargo, &sent, &w.Source, &w.MediaID,
		&w.MediaCaption, &w.MediaCredit, &w.MediaAlt, &status,
		&w.ArticleID, &w.UsedVersion, &w.UsedHeadline, &w.UsedBody, &received, &updated)
	if err != nil {
		return nil, err
	}
	w.Status = kolokol.WireStatus(status)
	if w.Bylines, err = sqlrow.DecodeList(bylines); err != nil {
		return nil, err
	}
	if w.Subjects, err = sqlrow.DecodeList(subjects); err != nil {
		return nil, err
	}
	w.Embargo, w.Sent, w.ReceivedAt, w.UpdatedAt = sqlrow.FromNanos(embargo), sqlrow.FromNanos(sent), sqlrow.FromNanos(received), sqlrow.FromNanos(updated)
	return &w, nil
}
