package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/store/sqlrow"
)

// AddSavedSearch stores an account's search under a name of its own.
func (s *Store) AddSavedSearch(ctx context.Context, ss *kolokol.SavedSearch) error {
	if err := ss.Validate(); err != nil {
		return err
	}
	t := now()
	var id int64
	err := s.write(ctx, func(tx dbtx) error {
		ok, err := sqlrow.Exists(ctx, tx, `SELECT 1 FROM users WHERE id = ?`, ss.UserID)
		if err != nil {
			return err
		} else if !ok {
			return kolokol.FieldErrorf(kolokol.EINVALID, "user_id", "there is no user %d", ss.UserID)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM saved_searches WHERE user_id = ?`, ss.UserID).Scan(&n); err != nil {
			return err
		}
		if n >= kolokol.MaxSavedSearches {
			return kolokol.Errorf(kolokol.EINVALID, "an account keeps at most %d searches; delete one first", kolokol.MaxSavedSearches)
		}
		newID, err := tx.insert(ctx, `INSERT INTO saved_searches (user_id, name, query, created_at) VALUES (?, ?, ?, ?)`,
			ss.UserID, ss.Name, ss.Query, t.UnixNano())
		if tx.isUnique(err) {
			return kolokol.FieldErrorf(kolokol.ECONFLICT, "name", "you have a search named %q already", ss.Name)
		} else if err != nil {
			return err
		}
		id = newID
		return nil
	})
	if err != nil {
		return s.wrapf(err, "add saved search")
	}
	ss.ID, ss.CreatedAt = id, t
	return nil
}

// FindSavedSearches returns an account's searches by name.
func (s *Store) FindSavedSearches(ctx context.Context, userID int64) ([]*kolokol.SavedSearch, error) {
	rows, err := s.db().QueryContext(ctx, `SELECT id, user_id, name, query, created_at
		FROM saved_searches WHERE user_id = ? ORDER BY name, id`, userID)
	if err != nil {
		return nil, s.wrapf(err, "find saved searches of user %d", userID)
	}
	out, err := sqlrow.Collect(rows, func(sc sqlrow.Scanner) (*kolokol.SavedSearch, error) {
		var ss kolokol.SavedSearch
		var created sql.NullInt64
		err := sc.Scan(&ss.ID, &ss.UserID, &ss.Name, &ss.Query, &created)
		ss.CreatedAt = sqlrow.FromNanos(created)
		return &ss, err
	})
	return out, s.wrapf(err, "find saved searches of user %d", userID)
}

// DeleteSavedSearch removes one of an account's searches.
func (s *Store) DeleteSavedSearch(ctx context.Context, userID, id int64) error {
	return s.wrapf(s.write(ctx, func(tx dbtx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM saved_searches WHERE id = ? AND user_id = ?`, id, userID)
		return sqlrow.OneRow(res, err, kolokol.Errorf(kolokol.ENOTFOUND, "there is no such saved search"))
	}), "delete saved search %d", id)
}

// FindHomeDesk returns the service an account's dashboard opens on. The
// column is read on its own, not with the rest of the account, so that
// the account's other columns and queries stay as they are.
func (s *Store) FindHomeDesk(ctx context.Context, userID int64) (string, error) {
	var code string
	err := s.db().QueryRowContext(ctx, `SELECT home_desk FROM users WHERE id = ?`, userID).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		err = kolokol.Errorf(kolokol.ENOTFOUND, "there is no user %d", userID)
	}
	return code, s.wrapf(err, "find the home desk of user %d", userID)
}

// SetHomeDesk sets the service an account's dashboard opens on.
func (s *Store) SetHomeDesk(ctx context.Context, userID int64, service string) error {
	return s.wrapf(s.write(ctx, func(tx dbtx) error {
		if service != "" {
			if err := checkService(ctx, tx, service); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET home_desk = ? WHERE id = ?`, service, userID)
		return sqlrow.OneRow(res, err, kolokol.Errorf(kolokol.ENOTFOUND, "there is no user %d", userID))
	}), "set the home desk of user %d", userID)
}
