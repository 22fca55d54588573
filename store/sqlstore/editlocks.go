package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/store/sqlrow"
)

// checkLockRefs refuses a lock or a viewer of a story or an account that
// is not there, by name, rather than as a foreign key's failure.
func checkLockRefs(ctx context.Context, q querier, articleID, userID int64) error {
	if ok, err := sqlrow.Exists(ctx, q, `SELECT 1 FROM articles WHERE id = ?`, articleID); err != nil {
		return err
	} else if !ok {
		return kolokol.FieldErrorf(kolokol.EINVALID, "article_id", "there is no story %d", articleID)
	}
	if ok, err := sqlrow.Exists(ctx, q, `SELECT 1 FROM users WHERE id = ?`, userID); err != nil {
		return err
	} else if !ok {
		return kolokol.FieldErrorf(kolokol.EINVALID, "user_id", "there is no user %d", userID)
	}
	return nil
}

// LockArticle takes, refreshes or takes over a story's lock.
func (s *Store) LockArticle(ctx context.Context, l kolokol.EditLock, now time.Time, takeover bool) (kolokol.EditLock, error) {
	if !l.Expires.After(now) {
		return kolokol.EditLock{}, kolokol.FieldErrorf(kolokol.EINVALID, "expires", "a lock ends after it is taken, not at %s", l.Expires.UTC().Format(time.RFC3339))
	}
	force := 0
	if takeover {
		force = 1
	}
	var got kolokol.EditLock
	// One statement decides, so that of two colleagues opening a free
	// story at once on two servers one holds it and the other is told
	// who: the row is locked by the upsert (PostgreSQL checks the WHERE
	// again on it), and a refused update changes nothing. SET sees the
	// row as it was, so Since and TookFrom are worked out from the lock
	// being replaced.
	err := s.writeUnlocked(ctx, func(tx dbtx) error {
		if err := checkLockRefs(ctx, tx, l.ArticleID, l.UserID); err != nil {
			return err
		}
		n := now.UnixNano()
		if _, err := tx.ExecContext(ctx, `INSERT INTO edit_locks (article_id, user_id, since, expires, took_from) VALUES (?, ?, ?, ?, 0)
			ON CONFLICT (article_id) DO UPDATE SET
				since = CASE WHEN edit_locks.user_id = excluded.user_id AND edit_locks.expires > ? THEN edit_locks.since ELSE excluded.since END,
				took_from = CASE WHEN edit_locks.user_id = excluded.user_id AND edit_locks.expires > ? THEN edit_locks.took_from
					WHEN edit_locks.user_id <> excluded.user_id AND edit_locks.expires > ? THEN edit_locks.user_id ELSE 0 END,
				user_id = excluded.user_id, expires = excluded.expires
			WHERE edit_locks.user_id = excluded.user_id OR edit_locks.expires <= ? OR ? = 1`,
			l.ArticleID, l.UserID, n, l.Expires.UnixNano(), n, n, n, n, force); err != nil {
			return err
		}
		var err error
		got, err = findEditLock(ctx, tx, l.ArticleID)
		return err
	})
	if err != nil {
		return kolokol.EditLock{}, s.wrapf(err, "lock story %d", l.ArticleID)
	}
	return got, nil
}

func findEditLock(ctx context.Context, q querier, articleID int64) (kolokol.EditLock, error) {
	l := kolokol.EditLock{ArticleID: articleID}
	var since, expires int64
	err := q.QueryRowContext(ctx, `SELECT user_id, since, expires, took_from FROM edit_locks WHERE article_id = ?`, articleID).
		Scan(&l.UserID, &since, &expires, &l.TookFrom)
	if errors.Is(err, sql.ErrNoRows) {
		return l, kolokol.Errorf(kolokol.ENOTFOUND, "story %d has no lock", articleID)
	} else if err != nil {
		return l, err
	}
	l.Since, l.Expires = time.Unix(0, since).UTC(), time.Unix(0, expires).UTC()
	return l, nil
}

// FindEditLock returns a story's lock.
func (s *Store) FindEditLock(ctx context.Context, articleID int64) (kolokol.EditLock, error) {
	l, err := findEditLock(ctx, s.db(), articleID)
	if err != nil && !kolokol.IsNotFound(err) {
		return l, s.wrapf(err, "find the lock of story %d", articleID)
	}
	return l, err
}

// UnlockArticle ends an account's lock of a story.
func (s *Store) UnlockArticle(ctx context.Context, articleID, userID int64) error {
	return s.wrapf(s.writeUnlocked(ctx, func(tx dbtx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM edit_locks WHERE article_id = ? AND user_id = ?`, articleID, userID)
		return err
	}), "unlock story %d", articleID)
}

// SeeArticle records that an account has a story open.
func (s *Store) SeeArticle(ctx context.Context, articleID, userID int64, now, expires time.Time) error {
	return s.wrapf(s.writeUnlocked(ctx, func(tx dbtx) error {
		if err := checkLockRefs(ctx, tx, articleID, userID); err != nil {
			return err
		}
		// The story's stale rows go here, where they are found, so that
		// the table holds only who has stories open now.
		if _, err := tx.ExecContext(ctx, `DELETE FROM story_viewers WHERE article_id = ? AND expires <= ?`, articleID, now.UnixNano()); err != nil {
			return err
		}
		if !expires.After(now) {
			_, err := tx.ExecContext(ctx, `DELETE FROM story_viewers WHERE article_id = ? AND user_id = ?`, articleID, userID)
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO story_viewers (article_id, user_id, expires) VALUES (?, ?, ?)
			ON CONFLICT (article_id, user_id) DO UPDATE SET expires = excluded.expires`, articleID, userID, expires.UnixNano())
		return err
	}), "record a viewer of story %d", articleID)
}

// ViewersOf lists who has a story open.
func (s *Store) ViewersOf(ctx context.Context, articleID int64, now time.Time) ([]int64, error) {
	rows, err := s.db().QueryContext(ctx, `SELECT user_id FROM story_viewers WHERE article_id = ? AND expires > ? ORDER BY user_id`,
		articleID, now.UnixNano())
	if err != nil {
		return nil, s.wrapf(err, "find the viewers of story %d", articleID)
	}
	out, err := sqlrow.Collect(rows, func(sc sqlrow.Scanner) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	})
	return out, s.wrapf(err, "find the viewers of story %d", articleID)
}
