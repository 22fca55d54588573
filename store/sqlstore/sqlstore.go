// Package sqlstore is the kolokol.Store written once in SQL, for the
// engines that keep the newsroom in a relational database: store/sqlite and
// store/postgres open their database, bring its schema up to date (each
// from migration files of its own, read by LoadMigrations) and hand it
// here with a Dialect, which says what their SQL and their locking do
// differently. Queries are written with "?" placeholders; a Dialect that
// numbers them ($1, $2, …) has each query string rewritten once and kept.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/store/sqlrow"
)

// Dialect is what an engine does its own way. In the zero value, inserts
// return their ids through LastInsertId, writes take no lock of their own,
// and errors are passed on as they are.
type Dialect struct {
	// Numbered placeholders: "?" becomes $1, $2, … (PostgreSQL).
	Numbered bool
	// Returning makes inserts hand back their id with RETURNING id rather
	// than through the driver's LastInsertId, which PostgreSQL's lacks.
	Returning bool
	// LockWrite, if set, runs first in every write transaction that needs
	// writers serialized (see Store.write); an engine whose writes are
	// serialized already (one writer connection) leaves it nil.
	LockWrite func(ctx context.Context, tx *sql.Tx) error
	// ReadOptions begin a read of several statements, which must see one
	// snapshot.
	ReadOptions sql.TxOptions
	// ForUpdate is appended to a SELECT of a row the transaction goes on
	// to update, where the engine locks rows ("" where it locks the
	// database).
	ForUpdate string
	// NullsLast follows "DESC" where NULLs must come last and the engine
	// would put them first.
	NullsLast string
	// NoLimit comes before an OFFSET that has no LIMIT, where the engine
	// wants one (SQLite's " LIMIT -1").
	NoLimit string
	// IndexedBy names the index a query should use, for a planner that
	// picks a worse one on its own ("" leaves the choice to the planner).
	IndexedBy func(index string) string

	// IsUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
	IsUnique func(err error) bool
	// Lost, if set, marks an error that says the database is unreachable
	// (kolokol.Unavailable) and returns any other as it is.
	Lost func(err error) error
	// BadText, if set, reports whether err is the engine refusing text
	// (invalid UTF-8 or NUL) that the domain's checks let through: the
	// caller's mistake, not the server's.
	BadText func(err error) bool
	// StrictText: text columns refuse invalid UTF-8 and NUL characters,
	// so settings, which the domain does not check, are checked first.
	StrictText bool

	// NextChange, if set, hands out the next seq of the change log in tx;
	// nil leaves it to the changes table's AUTOINCREMENT.
	NextChange func(ctx context.Context, tx *sql.Tx) (int64, error)
	// ChangeAppended, if set, runs after a change with seq is appended in tx.
	ChangeAppended func(ctx context.Context, tx *sql.Tx, seq int64) error
	// LastChange returns the last seq ever handed out, 0 if none, for the
	// bounds of an empty change log.
	LastChange func(ctx context.Context, tx *sql.Tx) (int64, error)
}

// Store is a kolokol.Store on a database/sql pool. A Store that InTx hands
// out works inside that transaction (tx is set).
type Store struct {
	e      *engine
	writer *sql.DB
	reader *sql.DB
	tx     *sql.Tx
	saves  *int    // savepoints made in tx, for unique names
	rq     querier // what db returns, made once rather than per read
}

var _ kolokol.Store = (*Store)(nil)

// New returns a Store that writes through writer and reads through reader,
// which may be the same pool. The schema must be up to date.
func New(d Dialect, writer, reader *sql.DB) *Store {
	e := &engine{Dialect: d}
	return &Store{e: e, writer: writer, reader: reader, rq: dbq{reader, e}}
}

// Close closes the readers first so that the writer is the last
// connection: SQLite then checkpoints the WAL into the main file and
// removes it.
func (s *Store) Close() error {
	if s.tx != nil {
		return fmt.Errorf("close store: a transaction's store is not closed; return from InTx")
	}
	if s.reader == s.writer {
		return s.writer.Close()
	}
	return errors.Join(s.reader.Close(), s.writer.Close())
}

// DB returns the store's writer pool, for tools that work on the tables
// themselves: store/storecopy moves a newsroom between databases table by
// table. Writes through it bypass the store's checks, its change log and
// any write lock of the engine's.
func (s *Store) DB() *sql.DB { return s.writer }

// Now is the time the store stamps on rows. It is truncated to
// microseconds because PostgreSQL keeps no more, so both engines hand back
// the same value.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func now() time.Time { return Now() }

// engine is a Dialect with the placeholder rewrites made so far.
type engine struct {
	Dialect
	bound  sync.Map // query string → its rewrite
	nbound atomic.Int64
}

// maxBound bounds the rewrites kept: queries built from filters come in
// many shapes, and those past the bound are rewritten every time, as they
// were before any were kept.
const maxBound = 4096

// bind returns q as the engine takes it.
func (e *engine) bind(q string) string {
	if !e.Numbered {
		return q
	}
	if b, ok := e.bound.Load(q); ok {
		return b.(string)
	}
	b := Rebind(q)
	if e.nbound.Load() < maxBound {
		if _, had := e.bound.LoadOrStore(q, b); !had {
			e.nbound.Add(1)
		}
	}
	return b
}

// Rebind numbers the "?" placeholders of q as PostgreSQL's $1, $2, …; a
// "?" inside a quoted string or identifier is left alone.
func Rebind(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func (e *engine) lost(err error) error {
	if err == nil || e.Lost == nil {
		return err
	}
	return e.Lost(err)
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func (e *engine) isUnique(err error) bool { return err != nil && e.IsUnique(err) }

// querier is what a method reads with: the reader pool, or the
// transaction it works in.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// dbtx is a transaction whose queries are rewritten for the engine.
type dbtx struct {
	*sql.Tx
	*engine
}

func (t dbtx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, t.bind(query), args...)
}

func (t dbtx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, t.bind(query), args...)
}

func (t dbtx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, t.bind(query), args...)
}

func (t dbtx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.Tx.PrepareContext(ctx, t.bind(query))
}

// insert runs an INSERT of one row and returns the row's id.
func (t dbtx) insert(ctx context.Context, query string, args ...any) (int64, error) {
	if t.Returning {
		var id int64
		err := t.Tx.QueryRowContext(ctx, t.bindReturning(query), args...).Scan(&id)
		return id, err
	}
	res, err := t.Tx.ExecContext(ctx, t.bind(query), args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// prepareInsert prepares an INSERT of one row for insertStmt.
func (t dbtx) prepareInsert(ctx context.Context, query string) (insertStmt, error) {
	if t.Returning {
		query = t.bindReturning(query)
	} else {
		query = t.bind(query)
	}
	st, err := t.Tx.PrepareContext(ctx, query)
	return insertStmt{st, t.Returning}, err
}

// returning is the key under which an INSERT with RETURNING id appended
// is kept, apart from the query alone.
type returning struct{ q string }

func (e *engine) bindReturning(q string) string {
	if b, ok := e.bound.Load(returning{q}); ok {
		return b.(string)
	}
	b := e.bind(q) + " RETURNING id"
	if e.nbound.Load() < maxBound {
		if _, had := e.bound.LoadOrStore(returning{q}, b); !had {
			e.nbound.Add(1)
		}
	}
	return b
}

// insertStmt is a prepared INSERT that returns the id of its row.
type insertStmt struct {
	*sql.Stmt
	returning bool
}

func (st insertStmt) insert(ctx context.Context, args ...any) (int64, error) {
	if st.returning {
		var id int64
		err := st.QueryRowContext(ctx, args...).Scan(&id)
		return id, err
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// dbq is a pool, or a transaction, whose queries are rewritten for the
// engine.
type dbq struct {
	q querier
	*engine
}

func (d dbq) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.q.QueryContext(ctx, d.bind(query), args...)
}

func (d dbq) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return d.q.QueryRowContext(ctx, d.bind(query), args...)
}

// db is where a method that reads once reads: in a transaction, the
// transaction, so that it sees what the transaction wrote.
func (s *Store) db() querier { return s.rq }

// write runs fn in a write transaction, serialized with every other
// write: by the engine's write lock (Dialect.LockWrite), or by its one
// writer connection. fn must not call other Store methods that write:
// they would wait for the lock, or the connection, fn's transaction holds.
// Inside InTx, fn runs in a savepoint of the transaction, so that a method
// that fails halfway leaves nothing of itself behind there either, and the
// transaction stays usable after a failed statement.
func (s *Store) write(ctx context.Context, fn func(dbtx) error) error {
	return s.e.lost(s.writeTx(ctx, true, fn))
}

// writeUnlocked is write without the engine's write lock, for the writes
// that need none: those that check nothing but in the one statement that
// writes (PostgreSQL evaluates an UPDATE's condition again on the row it
// has locked), append no change, and only add rows whose order nobody
// reads by. They are what requests do on their way (a session seen, a
// token used, an audit entry, a cursor moved), and they do not queue
// behind a long write such as an import. With one writer connection they
// are serialized all the same.
func (s *Store) writeUnlocked(ctx context.Context, fn func(dbtx) error) error {
	return s.e.lost(s.writeTx(ctx, false, fn))
}

func (s *Store) writeTx(ctx context.Context, lock bool, fn func(dbtx) error) error {
	if s.tx != nil {
		*s.saves++
		name := fmt.Sprintf("m%d", *s.saves)
		if _, err := s.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
			return err
		}
		if err := fn(dbtx{s.tx, s.e}); err != nil {
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
	if lock && s.e.LockWrite != nil {
		if err := s.e.LockWrite(ctx, tx); err != nil {
			return fmt.Errorf("take the write lock: %w", err)
		}
	}
	if err := fn(dbtx{tx, s.e}); err != nil {
		return err
	}
	return tx.Commit()
}

// read runs fn in a read-only transaction so that its queries see one
// snapshot.
func (s *Store) read(ctx context.Context, fn func(dbtx) error) error {
	return s.e.lost(s.readTx(ctx, fn))
}

func (s *Store) readTx(ctx context.Context, fn func(dbtx) error) error {
	if s.tx != nil {
		return fn(dbtx{s.tx, s.e})
	}
	opts := s.e.ReadOptions
	opts.ReadOnly = true
	tx, err := s.reader.BeginTx(ctx, &opts)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(dbtx{tx, s.e}); err != nil {
		return err
	}
	return tx.Commit()
}

// InTx runs fn with a Store working in one write transaction.
func (s *Store) InTx(ctx context.Context, fn func(kolokol.Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	return s.write(ctx, func(tx dbtx) error {
		return fn(&Store{e: s.e, writer: s.writer, reader: s.reader, tx: tx.Tx, saves: new(int), rq: dbq{tx.Tx, s.e}})
	})
}

// wrapf gives internal errors context for the log; an *kolokol.Error already
// says what went wrong in words a user may see and passes through unchanged.
func (s *Store) wrapf(err error, format string, args ...any) error {
	var e *kolokol.Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	if s.e.BadText != nil && s.e.BadText(err) {
		return kolokol.Errorf(kolokol.EINVALID, "%s: the text is not valid UTF-8 or holds a NUL character", fmt.Sprintf(format, args...))
	}
	return s.e.lost(fmt.Errorf(format+": %w", append(args, err)...))
}

// checkService turns an unknown service code into an error naming the field,
// which a foreign key violation would not.
func checkService(ctx context.Context, tx dbtx, code string) error {
	ok, err := sqlrow.Exists(ctx, tx, `SELECT 1 FROM services WHERE code = ?`, code)
	if err != nil {
		return err
	}
	if !ok {
		return kolokol.FieldErrorf(kolokol.EINVALID, "service", "there is no service %q", code)
	}
	return nil
}
