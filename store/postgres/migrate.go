package postgres

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"github.com/kolokol/kolokol/store/sqlrow"
	"github.com/kolokol/kolokol/store/sqlstore"
	"time"
)

// Migrations are named NNNN_what.sql; NNNN is the version. A released
// migration is never edited: a change to the schema is a new file. 0001 is
// the SQLite store's schema at its migration 0021; later versions need not
// match the SQLite store's numbers, only its schema.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrate applies, in order, each migration the database has not seen,
// each in its own transaction together with its schema_migrations row, so
// a failed migration leaves the database at the previous version. Every
// step holds an advisory lock: servers started together wait for one
// another, and the one that comes second finds the work done.
func migrate(ctx context.Context, db *sql.DB, now time.Time) error {
	ms, err := sqlstore.LoadMigrations(migrationFiles)
	if err != nil {
		return err
	}
	err = locked(ctx, db, func(tx *sql.Tx) error {
		// IF NOT EXISTS alone is not enough: two sessions creating the
		// same table at once collide in the catalog; the lock orders them.
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    bigint PRIMARY KEY,
			applied_at bigint NOT NULL
		)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		var newest int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&newest); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		// An older binary must not write to a schema it does not understand.
		if known := ms[len(ms)-1].Version; newest > known {
			return fmt.Errorf("database schema version %d is newer than this binary's %d", newest, known)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := locked(ctx, db, func(tx *sql.Tx) error { return apply(ctx, tx, m, now) }); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// locked runs fn in a transaction holding the migration lock.
func locked(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
		return fmt.Errorf("take the migration lock: %w", err)
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func apply(ctx context.Context, tx *sql.Tx, m sqlstore.Migration, now time.Time) error {
	// Checked under the lock: another server may have applied it while
	// this one waited.
	ok, err := sqlrow.Exists(ctx, tx, `SELECT 1 FROM schema_migrations WHERE version = $1`, m.Version)
	if err != nil || ok {
		return err
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
		m.Version, now.UnixNano())
	return err
}
