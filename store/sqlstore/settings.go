package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/kolokol/kolokol"
)

// FindSetting returns a site-wide setting.
func (s *Store) FindSetting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db().QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", kolokol.Errorf(kolokol.ENOTFOUND, "there is no setting %q", key)
	}
	return v, s.wrapf(err, "find setting %q", key)
}

// SetSetting stores a site-wide setting; an empty value removes it.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if key == "" || len(key) > 100 {
		return kolokol.FieldErrorf(kolokol.EINVALID, "key", "a setting's name is 1 to 100 bytes")
	}
	if len(value) > 64<<10 {
		return kolokol.FieldErrorf(kolokol.EINVALID, "value", "a setting is at most 64 KiB")
	}
	if s.e.StrictText && (!utf8.ValidString(value) || strings.ContainsRune(value, 0)) {
		return kolokol.FieldErrorf(kolokol.EINVALID, "value", "a setting is UTF-8 text without NUL characters")
	}
	return s.wrapf(s.write(ctx, func(tx dbtx) error {
		var err error
		if value == "" {
			_, err = tx.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, key)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, now().UnixNano())
		}
		if err != nil {
			return err
		}
		return appendChange(ctx, tx, kolokol.Change{Kind: kolokol.ChangeSettings})
	}), "set setting %q", key)
}
