package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/kolokol/kolokol/store/sqlrow"
	"time"

	"github.com/kolokol/kolokol"
)

// CreatePending holds a form until its author signs in again.
func (s *Store) CreatePending(ctx context.Context, p *kolokol.PendingSave) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := sqlrow.CheckTime("expires_at", p.ExpiresAt); err != nil {
		return err
	}
	t := now()
	err := s.write(ctx, func(tx dbtx) error {
		ok, err := sqlrow.Exists(ctx, tx, `SELECT 1 FROM users WHERE id = ?`, p.UserID)
		if err != nil {
			return err
		} else if !ok {
			return kolokol.FieldErrorf(kolokol.EINVALID, "user_id", "there is no user %d", p.UserID)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM pending_saves WHERE expires_at <= ?`, t.UnixNano()); err != nil {
			return err
		}
		// Room for this one: the account's oldest go first.
		if _, err := tx.ExecContext(ctx, `DELETE FROM pending_saves WHERE id_hash IN (SELECT id_hash FROM pending_saves
			WHERE user_id = ? ORDER BY created_at DESC, id_hash`+tx.NoLimit+` OFFSET ?)`, p.UserID, kolokol.MaxPendingPerUser-1); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO pending_saves (id_hash, user_id, path, content_type, title, body, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, p.IDHash, p.UserID, p.Path, p.ContentType, p.Title, p.Body, t.UnixNano(), p.ExpiresAt.UnixNano())
		if tx.isUnique(err) {
			return kolokol.Errorf(kolokol.ECONFLICT, "the held save exists already")
		}
		return err
	})
	if err != nil {
		return s.wrapf(err, "hold a save of user %d", p.UserID)
	}
	p.CreatedAt = t
	return nil
}

// TakePending returns one of the account's held forms and forgets it.
func (s *Store) TakePending(ctx context.Context, idHash string, userID int64, now time.Time) (*kolokol.PendingSave, error) {
	p := kolokol.PendingSave{IDHash: idHash, UserID: userID}
	err := s.writeUnlocked(ctx, func(tx dbtx) error {
		var created, expires sql.NullInt64
		err := tx.QueryRowContext(ctx, `DELETE FROM pending_saves WHERE id_hash = ? AND user_id = ? AND expires_at > ?
			RETURNING path, content_type, title, body, created_at, expires_at`, idHash, userID, now.UnixNano()).
			Scan(&p.Path, &p.ContentType, &p.Title, &p.Body, &created, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return kolokol.Errorf(kolokol.ENOTFOUND, "the held save is unknown, expired or applied already")
		}
		p.CreatedAt, p.ExpiresAt = sqlrow.FromNanos(created), sqlrow.FromNanos(expires)
		return err
	})
	if err != nil {
		return nil, s.wrapf(err, "take a held save of user %d", userID)
	}
	if p.Body == nil {
		p.Body = []byte{}
	}
	return &p, nil
}

// PutAutosave replaces an account's working copy of a story.
func (s *Store) PutAutosave(ctx context.Context, a *kolokol.Autosave) error {
	if err := a.Validate(); err != nil {
		return err
	}
	fields, err := json.Marshal(a.Fields)
	if err != nil {
		return fmt.Errorf("encode working copy: %w", err)
	}
	t := now()
	err = s.write(ctx, func(tx dbtx) error {
		ok, err := sqlrow.Exists(ctx, tx, `SELECT 1 FROM users WHERE id = ?`, a.UserID)
		if err != nil {
			return err
		} else if !ok {
			return kolokol.FieldErrorf(kolokol.EINVALID, "user_id", "there is no user %d", a.UserID)
		}
		if a.ArticleID > 0 {
			ok, err := sqlrow.Exists(ctx, tx, `SELECT 1 FROM articles WHERE id = ? AND service = ?`, a.ArticleID, a.Service)
			if err != nil {
				return err
			} else if !ok {
				return kolokol.FieldErrorf(kolokol.EINVALID, "article_id", "service %q has no story %d", a.Service, a.ArticleID)
			}
		} else if err := checkService(ctx, tx, a.Service); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO autosaves (user_id, article_id, service, version, fields, saved_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, article_id, service) DO UPDATE SET
			version = excluded.version, fields = excluded.fields, saved_at = excluded.saved_at`,
			a.UserID, a.ArticleID, a.Service, a.Version, string(fields), t.UnixNano())
		return err
	})
	if err != nil {
		return s.wrapf(err, "autosave story %d of user %d", a.ArticleID, a.UserID)
	}
	a.SavedAt = t
	return nil
}

// FindAutosave returns an account's working copy of a story.
func (s *Store) FindAutosave(ctx context.Context, userID, articleID int64, service string) (*kolokol.Autosave, error) {
	a := kolokol.Autosave{UserID: userID, ArticleID: articleID, Service: service}
	var fields string
	var saved sql.NullInt64
	err := s.db().QueryRowContext(ctx, `SELECT version, fields, saved_at FROM autosaves
		WHERE user_id = ? AND article_id = ? AND service = ?`, userID, articleID, service).Scan(&a.Version, &fields, &saved)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "there is no working copy of story %d", articleID)
	} else if err != nil {
		return nil, s.wrapf(err, "find working copy of story %d", articleID)
	}
	if err := json.Unmarshal([]byte(fields), &a.Fields); err != nil {
		return nil, fmt.Errorf("working copy of story %d: %w", articleID, err)
	}
	a.SavedAt = sqlrow.FromNanos(saved)
	return &a, nil
}

// DeleteAutosave removes a working copy; none is not an error.
func (s *Store) DeleteAutosave(ctx context.Context, userID, articleID int64, service string) error {
	return s.wrapf(s.writeUnlocked(ctx, func(tx dbtx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM autosaves WHERE user_id = ? AND article_id = ? AND service = ?`,
			userID, articleID, service)
		return err
	}), "delete working copy of story %d", articleID)
}
