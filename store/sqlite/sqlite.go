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
	"github.com/kolokol/kolokol/store/sqlrow"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/kolokol/kolokol"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// readers is the size of the reader pool: enough for a small server's
// concurrent page renders, few enough to keep file handles in check.
const readers = 4

// Store is a kolokol.Store backed by a SQLite database file. A Store that
// InTx hands out works inside that transaction (tx is set).
type Store struct {
	writer *sql.DB
	reader *sql.DB
	tx     *sql.Tx
	saves  *int // savepoints made in tx, for unique names
}

var _ kolokol.Store = (*Store)(nil)

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
	return &Store{writer: writer, reader: reader}, nil
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

// Close closes the readers first so that the writer is the last connection:
// SQLite then checkpoints the WAL into the main file and removes it.
func (s *Store) Close() error {
	if s.tx != nil {
		return fmt.Errorf("close store: a transaction's store is not closed; return from InTx")
	}
	return errors.Join(s.reader.Close(), s.writer.Close())
}

// DB returns the store's writer pool (one connection), for tools that
// work on the tables themselves: store/storecopy moves a newsroom between
// databases table by table. Writes through it bypass the store's checks
// and its change log; the writer being the only connection, a transaction
// held on it also keeps the store's own writes out until it ends.
func (s *Store) DB() *sql.DB { return s.writer }

// querier is what a method reads with: the reader pool, or the
// transaction it works in.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// db is where a method that reads once reads: in a transaction, the
// transaction, so that it sees what the transaction wrote.
func (s *Store) db() querier {
	if s.tx != nil {
		return s.tx
	}
	return s.reader
}

// write runs fn in a transaction on the writer connection. fn must not call
// other Store methods that write: the one connection is already taken.
// Inside InTx, fn runs in a savepoint of the transaction, so that a method
// that fails halfway leaves nothing of itself behind there either.
func (s *Store) write(ctx context.Context, fn func(*sql.Tx) error) error {
	if s.tx != nil {
		*s.saves++
		name := fmt.Sprintf("m%d", *s.saves)
		if _, err := s.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
			return err
		}
		if err := fn(s.tx); err != nil {
			if _, rerr := s.tx.ExecContext(context.WithoutCancel(ctx), "ROLLBACK TO "+name); rerr != nil {
				return errors.Join(err, rerr)
			}
			s.tx.ExecContext(context.WithoutCancel(ctx), "RELEASE "+name)
			return err
		}
		_, err := s.tx.ExecContext(ctx, "RELEASE "+name)
		return err
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// read runs fn in a read transaction so that its queries see one snapshot.
func (s *Store) read(ctx context.Context, fn func(*sql.Tx) error) error {
	if s.tx != nil {
		return fn(s.tx)
	}
	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// InTx runs fn with a Store working in one write transaction.
func (s *Store) InTx(ctx context.Context, fn func(kolokol.Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		return fn(&Store{writer: s.writer, reader: s.reader, tx: tx, saves: new(int)})
	})
}

// wrapf gives internal errors context for the log; an *kolokol.Error already
// says what went wrong in words a user may see and passes through unchanged.
func wrapf(err error, format string, args ...any) error {
	var e *kolokol.Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// now is the time the store stamps on rows. It is truncated to microseconds
// because PostgreSQL keeps no more, so both stores hand back the same value.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// checkService turns an unknown service code into an error naming the field,
// which a foreign key violation would not.
func checkService(ctx context.Context, tx *sql.Tx, code string) error {
	ok, err := sqlrow.Exists(ctx, tx, `SELECT 1 FROM services WHERE code = ?`, code)
	if err != nil {
		return err
	}
	if !ok {
		return kolokol.FieldErrorf(kolokol.EINVALID, "service", "there is no service %q", code)
	}
	return nil
}
