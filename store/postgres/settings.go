package postgres

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
	err := s.q().QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", kolokol.Errorf(kolokol.ENOTFOUND, "there is no setting %q", key)
	}
	return v, wrapf(err, "find setting %q", key)
}

// SetSetting stores a site-wide setting; an empty value removes it.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if key == "" || len(key) > 100 {
		return kolokol.FieldErrorf(kolokol.EINVALID, "key", "a setting's name is 1 to 100 bytes")
	}
	if len(value) > 64<<10 {
		return kolokol.FieldErrorf(kolokol.EINVALID, "value", "a setting is at most 64 KiB")
	}
	// A text column holds neither (the SQLite store keeps them as given).
	if !utf8.ValidString(value) || strings.ContainsRune(value, 0) {
		return kolokol.FieldErrorf(kolokol.EINVALID, "value", "a setting is UTF-8 text without NUL characters")
	}
	return wrapf(s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if value == "" {
			_, err = tx.ExecContext(ctx, `DELETE FROM settings WHERE key = $1`, key)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, now().UnixNano())
		}
		if err != nil {
			return err
		}
		return appendChange(ctx, tx, kolokol.Change{Kind: kolokol.ChangeSettings})
	}), "set setting %q", key)
}
