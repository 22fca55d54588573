package sqlite

import (
	"context"
	"errors"
	"fmt"
	"github.com/kolokol/kolokol/store/sqlrow"
	"os"
	"path/filepath"
)

// Snapshot writes a consistent copy of the database at path to out (which
// must not exist) while servers keep using it: VACUUM INTO reads one WAL
// snapshot, so writers go on meanwhile and the copy holds every
// transaction committed before it began and nothing of any later. It
// runs on a connection of its own, neither a server's writer (which it
// would hold up) nor a query_only reader (which may not run VACUUM). The
// copy is checked with PRAGMA integrity_check before it is handed back.
func Snapshot(ctx context.Context, path, out string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", path, err)
	}
	if _, err := os.Stat(abs); err != nil {
		return fmt.Errorf("snapshot %s: %w", path, err)
	}
	// An empty file of our own first (VACUUM INTO takes one): the copy
	// holds token and password hashes, and is private from its first byte.
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", path, err)
	}
	f.Close()
	db, err := openPool(ctx, dsn(abs, false), 1)
	if err != nil {
		os.Remove(out)
		return fmt.Errorf("snapshot %s: %w", path, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, out); err != nil {
		os.Remove(out)
		return fmt.Errorf("snapshot %s: %w", path, err)
	}
	if err := Check(ctx, out); err != nil {
		os.Remove(out)
		return fmt.Errorf("snapshot %s: %w", path, err)
	}
	return nil
}

// Check runs PRAGMA integrity_check on the database file at path, which
// must exist, and says what is wrong with it, if anything.
func Check(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err != nil {
		return err
	}
	db, err := openPool(ctx, dsn(abs, true), 1)
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	problems, err := sqlrow.Collect(rows, func(s sqlrow.Scanner) (string, error) {
		var p string
		return p, s.Scan(&p)
	})
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	if len(problems) != 1 || problems[0] != "ok" {
		return fmt.Errorf("check %s: the database is damaged: %w", path, errors.New(fmt.Sprint(problems)))
	}
	return nil
}
