package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/store/postgres"
	"github.com/kolokol/kolokol/store/sqlite"
)

// dbUsage is the --db flag's help, the same for every subcommand.
const dbUsage = "the database: a postgres://USER@HOST/DB URL (PostgreSQL 15 or later), or sqlite:PATH or a PATH of a SQLite file (default: DATA/kolokol.db)"

// isPostgres reports whether db names a PostgreSQL database.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// describeDB names db for messages: a PostgreSQL address without its
// password.
func describeDB(db string) string {
	if isPostgres(db) {
		return postgres.Redact(db)
	}
	return db
}

// openStore opens the store named by db (see dbUsage); "" is the data
// directory's SQLite file, as it always was. create makes the data
// directory, and the SQLite file, when missing; without it a missing file
// is an error that says how to make one.
func openStore(ctx context.Context, data, db string, create bool) (kolokol.Store, error) {
	if create {
		// The data directory holds the database (when it is SQLite), media,
		// keys and token hashes: keep it private to the service account.
		if err := os.MkdirAll(data, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	if isPostgres(db) {
		store, err := postgres.Open(ctx, db)
		if err != nil {
			// postgres.Open names the database without its password.
			return nil, fmt.Errorf("open database: %w", err)
		}
		return store, nil
	}
	path := strings.TrimPrefix(db, "sqlite:")
	if path == "" {
		path = filepath.Join(data, "kolokol.db")
	}
	if !create {
		if _, err := os.Stat(path); err != nil {
			if db == "" {
				return nil, fmt.Errorf("no Kolokol database in %s (run kolokol serve --data %s first)", data, data)
			}
			return nil, fmt.Errorf("no Kolokol database at %s (run kolokol serve --db %s first)", path, db)
		}
	} else {
		// SQLite creates the file (and its WAL) with the umask's mode; make
		// it private first, and the WAL and shared-memory files follow it.
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create database file: %w", err)
		}
		f.Close()
	}
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return store, nil
}
