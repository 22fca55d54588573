// Package postgres is the kolokol.Store kept in a PostgreSQL database (15
// or later), through pgx's database/sql driver, so that the code and its
// SQL stay parallel to the SQLite store's file by file: the two pass the
// same conformance suite (store/storetest).
//
// Writers are serialized as the SQLite store's one writer connection
// serializes them: every write transaction first takes one transaction-level
// advisory lock, in whatever process it runs (but the few single-statement
// writes that need none; see writeUnlocked). The store's checks-then-writes
// (a version compared before an update, a limit counted before an insert,
// an enrolment link spent once) and the change log's order in commits rely
// on it, so they hold across several servers on one database as they hold
// in one process on a SQLite file. Readers take no lock and see committed
// data only; a read of several statements sees one snapshot.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"github.com/kolokol/kolokol/store/sqlrow"
	"io"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/kolokol/kolokol"
)

// conns bounds the pool: writers waiting for the write lock each hold a
// connection, and readers must still find one free.
const conns = 16

// Advisory lock keys, constants of this program ("kolokol" in ASCII, and a
// second for migrations), so that no other application on the database
// takes them by chance.
const (
	writeLock   int64 = 0x6b6f6c6f6b6f6c01
	migrateLock int64 = 0x6b6f6c6f6b6f6c02
)

// Store is a kolokol.Store backed by a PostgreSQL database. A Store that
// InTx hands out works inside that transaction (tx is set).
type Store struct {
	db    *sql.DB
	cfg   *pgx.ConnConfig // for Listen's own connection
	tx    *sql.Tx
	saves *int // savepoints made in tx, for unique names
}

var _ kolokol.Store = (*Store)(nil)

// Open connects to the database at dsn (a postgres:// URL or key=value
// words, as libpq takes them) and brings the schema up to date.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message quotes the address, its password masked at best
		// effort; only its cause is passed on.
		msg := "the address does not parse"
		if cause := errors.Unwrap(err); cause != nil {
			msg += ": " + cause.Error()
		}
		return nil, fmt.Errorf("open store %s: %s", Redact(dsn), msg)
	}
	db := sql.OpenDB(lostConnector{stdlib.GetConnector(*cfg)})
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	// A server restarted or a connection cut by a proxy: new ones come.
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", Redact(dsn), err)
	}
	if err := migrate(ctx, db, now()); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", Redact(dsn), err)
	}
	return &Store{db: db, cfg: cfg}, nil
}

var passwordWord = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)`)

// Redact returns dsn with its password, in either form, replaced by
// "xxxxx", for error and log lines.
func Redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		q := u.Query()
		for _, k := range []string{"password", "sslpassword"} {
			if q.Has(k) {
				q.Set(k, "xxxxx")
				u.RawQuery = q.Encode()
			}
		}
		return u.Redacted()
	}
	if strings.Contains(dsn, "://") {
		// Not a URL we can take apart: say nothing of it.
		return "(unparsable database URL)"
	}
	return passwordWord.ReplaceAllString(dsn, "${1}xxxxx")
}

// Close closes the pool.
func (s *Store) Close() error {
	if s.tx != nil {
		return fmt.Errorf("close store: a transaction's store is not closed; return from InTx")
	}
	return s.db.Close()
}

// DB returns the store's pool, for tools that work on the tables
// themselves: store/storecopy moves a newsroom between databases table by
// table. Writes through it bypass the store's checks, its write lock and
// its change log.
func (s *Store) DB() *sql.DB { return s.db }

// querier is what a method reads with: the pool, or the transaction it
// works in.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// db is where a method that reads once reads: in a transaction, the
// transaction, so that it sees what the transaction wrote.
func (s *Store) q() querier {
	if s.tx != nil {
		return s.tx
	}
	return s.db
}

// write runs fn in a transaction holding the write lock. fn must not call
// other Store methods that write: they would wait for the lock fn's
// transaction holds. Inside InTx, fn runs in a savepoint of the
// transaction, so that a method that fails halfway leaves nothing of
// itself behind there either, and the transaction stays usable after a
// failed statement.
func (s *Store) write(ctx context.Context, fn func(*sql.Tx) error) error {
	return lost(s.writeTx(ctx, true, fn))
}

// writeUnlocked is write without the write lock, for the writes that need
// none: those that check nothing but in the one statement that writes
// (PostgreSQL evaluates an UPDATE's condition again on the row it has
// locked), append no change, and only add rows whose order nobody reads
// by. They are what requests do on their way (a session seen, a token
// used, an audit entry, a cursor moved), and they do not queue behind a
// long write such as an import.
func (s *Store) writeUnlocked(ctx context.Context, fn func(*sql.Tx) error) error {
	return lost(s.writeTx(ctx, false, fn))
}

func (s *Store) writeTx(ctx context.Context, lock bool, fn func(*sql.Tx) error) error {
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
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if lock {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, writeLock); err != nil {
			return fmt.Errorf("take the write lock: %w", err)
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// read runs fn in a read-only transaction so that its queries see one
// snapshot: PostgreSQL's default takes a new one for every statement.
func (s *Store) read(ctx context.Context, fn func(*sql.Tx) error) error {
	return lost(s.readTx(ctx, fn))
}

func (s *Store) readTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if s.tx != nil {
		return fn(s.tx)
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
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
		return fn(&Store{db: s.db, tx: tx, saves: new(int)})
	})
}

// rebind numbers the "?" placeholders of a query built from pieces (filters
// add conditions one by one) as PostgreSQL's $1, $2, …; a "?" inside a
// quoted string or identifier is left alone.
func rebind(q string) string {
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

// wrapf gives internal errors context for the log; an *kolokol.Error already
// says what went wrong in words a user may see and passes through unchanged.
func wrapf(err error, format string, args ...any) error {
	var e *kolokol.Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	// PostgreSQL's text holds no NUL and no invalid UTF-8, which SQLite
	// would store: what the domain's checks let through is the caller's
	// mistake all the same, not the server's.
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "22021" {
		return kolokol.Errorf(kolokol.EINVALID, "%s: the text is not valid UTF-8 or holds a NUL character", fmt.Sprintf(format, args...))
	}
	return lost(fmt.Errorf(format+": %w", append(args, err)...))
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// now is the time the store stamps on rows, truncated to microseconds as
// the SQLite store's is, so that both hand back the same value.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// checkService turns an unknown service code into an error naming the field,
// which a foreign key violation would not.
func checkService(ctx context.Context, tx *sql.Tx, code string) error {
	ok, err := sqlrow.Exists(ctx, tx, `SELECT 1 FROM services WHERE code = $1`, code)
	if err != nil {
		return err
	}
	if !ok {
		return kolokol.FieldErrorf(kolokol.EINVALID, "service", "there is no service %q", code)
	}
	return nil
}

// lost marks an error of a connection to the server that failed (refused,
// cut, the server shutting down or starting) as kolokol.Unavailable: the
// newsroom answers 503 and the request can be made again once the server
// is back, which database/sql reconnects to by itself.
func lost(err error) error {
	if err == nil || !connectionLost(err) {
		return err
	}
	return kolokol.Unavailable(err)
}

func connectionLost(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P01-57P03: the server is
		// shutting down, crashed, or not yet taking connections.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	// Not net.Error: a context's deadline is one, and a request that ran
	// out of time did not find the server gone.
	var ce *pgconn.ConnectError
	var oe *net.OpError
	return errors.As(err, &ce) || errors.As(err, &oe) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// lostConnector marks the connections it cannot make as the server being
// away (see lost): every method's error, however it wraps it, then says
// so, since a query with no connection fails with the connector's error.
type lostConnector struct{ driver.Connector }

func (c lostConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	return conn, lost(err)
}
