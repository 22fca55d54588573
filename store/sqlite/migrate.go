package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/base32"
	"fmt"
	"github.com/kolokol/kolokol/store/sqlrow"
	"github.com/kolokol/kolokol/store/sqlstore"
	"time"
)

// Migrations are named NNNN_what.sql; NNNN is the version. A released
// migration is never edited: a change to the schema is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrate applies, in order, each migration the database has not seen, each
// in its own transaction together with its schema_migrations row, so a
// failed migration leaves the database at the previous version.
func migrate(ctx context.Context, db *sql.DB, now time.Time) error {
	ms, err := sqlstore.LoadMigrations(migrationFiles)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var newest int
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&newest); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	// An older binary must not write to a schema it does not understand.
	if known := ms[len(ms)-1].Version; newest > known {
		return fmt.Errorf("database schema version %d is newer than this binary's %d", newest, known)
	}
	for _, m := range ms {
		if err := apply(ctx, db, m, now); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// goSteps finish migrations that SQL alone cannot do, in the migration's
// own transaction.
var goSteps = map[int]func(ctx context.Context, tx *sql.Tx) error{
	9:  refoldHeadlines,
	13: moveEnrolmentSecrets,
	17: foldAuthors,
	21: keyTags,
}

// keyTags fills article_tags for the stories stored before it existed.
func keyTags(ctx context.Context, tx *sql.Tx) error {
	type row struct {
		id            int64
		service, tags string
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, service, tags FROM articles`)
	if err != nil {
		return err
	}
	all, err := sqlrow.Collect(rows, func(sc sqlrow.Scanner) (r row, err error) { return r, sc.Scan(&r.id, &r.service, &r.tags) })
	if err != nil {
		return err
	}
	for _, r := range all {
		tags, err := sqlrow.DecodeList(r.tags)
		if err != nil {
			return fmt.Errorf("article %d: %w", r.id, err)
		}
		if err := sqlstore.PutTags(ctx, tx, r.id, r.service, tags); err != nil {
			return fmt.Errorf("article %d: %w", r.id, err)
		}
	}
	return nil
}

// foldAuthors fills author_fold for the stories stored before it existed.
func foldAuthors(ctx context.Context, tx *sql.Tx) error {
	type row struct {
		id          int64
		by, bylines string
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, created_by, bylines FROM articles`)
	if err != nil {
		return err
	}
	all, err := sqlrow.Collect(rows, func(sc sqlrow.Scanner) (r row, err error) { return r, sc.Scan(&r.id, &r.by, &r.bylines) })
	if err != nil {
		return err
	}
	for _, r := range all {
		bylines, err := sqlrow.DecodeList(r.bylines)
		if err != nil {
			return fmt.Errorf("article %d: %w", r.id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET author_fold = ? WHERE id = ?`, sqlstore.AuthorFold(r.by, bylines), r.id); err != nil {
			return err
		}
	}
	return nil
}

// moveEnrolmentSecrets gives each open link the TOTP secret its account was
// shown (kept on the account before links carried it), or a new one, and
// removes links of accounts that are enrolled already: such a link could
// enrol the account again over its owner.
func moveEnrolmentSecrets(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM enrolments WHERE user_id IN
		(SELECT id FROM users WHERE password_hash != '')`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE enrolments SET totp_secret =
		(SELECT totp_secret FROM users WHERE users.id = enrolments.user_id)`); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT token_hash FROM enrolments WHERE totp_secret = ''`)
	if err != nil {
		return err
	}
	hashes, err := sqlrow.Collect(rows, func(sc sqlrow.Scanner) (h string, err error) { return h, sc.Scan(&h) })
	if err != nil {
		return err
	}
	for _, h := range hashes {
		secret, err := newTOTPSecret()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE enrolments SET totp_secret = ? WHERE token_hash = ?`, secret, h); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE users SET totp_secret = '', totp_last_step = 0 WHERE password_hash = ''`)
	return err
}

// newTOTPSecret is auth.NewTOTPSecret's format (160 bits, unpadded base32),
// for the migration above only: the store does not make secrets otherwise.
func newTOTPSecret() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b), nil
}

// refoldHeadlines fills headline_fold for the stories stored before it
// existed: SQLite's lower() folds ASCII only.
func refoldHeadlines(ctx context.Context, tx *sql.Tx) error {
	type row struct {
		id       int64
		headline string
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, headline FROM articles`)
	if err != nil {
		return err
	}
	all, err := sqlrow.Collect(rows, func(sc sqlrow.Scanner) (r row, err error) { return r, sc.Scan(&r.id, &r.headline) })
	if err != nil {
		return err
	}
	for _, r := range all {
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET headline_fold = ? WHERE id = ?`, sqlstore.Fold(r.headline), r.id); err != nil {
			return err
		}
	}
	return nil
}

func apply(ctx context.Context, db *sql.DB, m sqlstore.Migration, now time.Time) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Checked inside the transaction: another process opening the same file
	// may have applied it while this one waited for the write lock.
	ok, err := sqlrow.Exists(ctx, tx, `SELECT 1 FROM schema_migrations WHERE version = ?`, m.Version)
	if err != nil || ok {
		return err
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return err
	}
	if step := goSteps[m.Version]; step != nil {
		if err := step(ctx, tx); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		m.Version, now.UnixNano()); err != nil {
		return err
	}
	return tx.Commit()
}
