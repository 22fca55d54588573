// Package sqlite is the kolokol.Store kept in one SQLite file, through the
// pure-Go modernc.org/sqlite driver so that the binary needs no cgo.
//
// The file is opened twice: a writer pool of exactly one connection, which
// serializes every write inside the process so that writers never meet
// SQLITE_BUSY, and a pool of read-only connections which, thanks to WAL,
// read while the writer writes.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/store/sqlstore"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// readers is the size of the reader pool: enough for a small server's
// concurrent page renders, few enough to keep file handles in check.
const readers = 4

// Store is a kolokol.Store backed by a SQLite database file: the SQL is
// store/sqlstore's, in SQLite's dialect.
type Store struct {
	*sqlstore.Store
	writer *sql.DB
	reader *sql.DB
}

var _ kolokol.Store = (*Store)(nil)

// dialect is SQLite's: the one writer connection serializes writes, so
// there is no write lock to take, nor rows to lock.
func dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		IsUnique: isUnique,
		NoLimit:  " LIMIT -1",
		// The partial index is what a language switcher's few stories
		// are found through; SQLite's planner prefers walking by id.
		IndexedBy: func(index string) string { return " INDEXED BY " + index },
		LastChange: func(ctx context.Context, tx *sql.Tx) (int64, error) {
			// sqlite_sequence remembers the last seq handed out.
			var seq sql.NullInt64
			err := tx.QueryRowContext(ctx, `SELECT seq FROM sqlite_sequence WHERE name = 'changes'`).Scan(&seq)
			if errors.Is(err, sql.ErrNoRows) {
				return 0, nil
			}
			return seq.Int64, err
		},
	}
}

// Open opens the database at path, creating the file if it does not exist
// (its directory must), and brings the schema up to date.
func Open(ctx context.Context, path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	// SQLite would only say "unable to open database file"; name the cause.
	if fi, err := os.Stat(filepath.Dir(abs)); err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("open store %s: %s is not a directory", path, filepath.Dir(abs))
	}

	writer, err := openPool(ctx, dsn(abs, false), 1)
	if err != nil {
		return nil, fmt.Errorf("open store %s: writer: %w", path, err)
	}
	// Migrate before the readers exist so that they never see a half-built
	// schema.
	if err := migrate(ctx, writer, now()); err != nil {
		writer.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	reader, err := openPool(ctx, dsn(abs, true), readers)
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("open store %s: readers: %w", path, err)
	}
	return &Store{Store: sqlstore.New(dialect(), writer, reader), writer: writer, reader: reader}, nil
}

// dsn builds a file: URI so that any character in the path survives, with
// the pragmas as DSN parameters so that every connection the pool opens,
// not just the first, gets them.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	// busy_timeout first: switching to WAL takes a lock another process may hold.
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		// query_only rather than mode=ro: a read-only connection cannot
		// create the -shm file or recover the WAL, so it would fail on a
		// file no writer holds open; query_only refuses writes all the same.
		q.Add("_pragma", "query_only(1)")
	} else {
		// The one writer connection makes this moot inside the process. With
		// a second process on the file (a CLI run against a live server), a
		// transaction that reads before it writes then waits for the lock
		// under busy_timeout instead of failing with SQLITE_BUSY.
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	return u.String()
}

func openPool(ctx context.Context, dsn string, conns int) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(conns)
	// Keep every connection: reopening one reruns the pragmas.
	db.SetMaxIdleConns(conns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// now is the time the store stamps on rows (sqlstore.Now).
func now() time.Time { return sqlstore.Now() }
