// Package postgres is the kolokol.Store kept in a PostgreSQL database (15
// or later), through pgx's database/sql driver. Its SQL is the SQLite
// store's, store/sqlstore, in PostgreSQL's dialect: the two pass the same
// conformance suite (store/storetest).
//
// Writers are serialized as the SQLite store's one writer connection
// serializes them: every write transaction first takes one transaction-level
// advisory lock, in whatever process it runs (but the few single-statement
// writes that need none; see sqlstore's writeUnlocked). The store's checks-then-writes
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
	"github.com/kolokol/kolokol/store/sqlstore"
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

// Store is a kolokol.Store backed by a PostgreSQL database: the SQL is
// store/sqlstore's, in PostgreSQL's dialect.
type Store struct {
	*sqlstore.Store
	db  *sql.DB
	cfg *pgx.ConnConfig // for Listen's own connection
}

var _ kolokol.Store = (*Store)(nil)

// dialect is PostgreSQL's: numbered placeholders, ids by RETURNING, the
// write lock, and a change log numbered by change_counter whose appends
// notify the servers that listen (see Listen).
func dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Numbered:  true,
		Returning: true,
		LockWrite: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, writeLock)
			return err
		},
		// PostgreSQL's default takes a new snapshot for every statement.
		ReadOptions: sql.TxOptions{Isolation: sql.LevelRepeatableRead},
		ForUpdate:   " FOR UPDATE",
		// NULL sorts first when descending, where SQLite sorts it last.
		NullsLast:  " NULLS LAST",
		IsUnique:   isUnique,
		Lost:       lost,
		BadText:    badText,
		StrictText: true,
		NextChange: func(ctx context.Context, tx *sql.Tx) (int64, error) {
			// The counter's row stays locked until tx ends, so the next
			// append waits for this one to commit or roll back: seqs become
			// visible in their order, and a follower reading after its
			// cursor never misses a change that commits later with a
			// smaller seq. A rolled-back append gives its number back, as
			// SQLite's AUTOINCREMENT does.
			var seq int64
			err := tx.QueryRowContext(ctx, `UPDATE change_counter SET seq = seq + 1 RETURNING seq`).Scan(&seq)
			return seq, err
		},
		ChangeAppended: func(ctx context.Context, tx *sql.Tx, seq int64) error {
			// Other servers listening (see Listen) are woken when tx
			// commits, and not at all if it rolls back: PostgreSQL
			// delivers a transaction's notifications at its commit.
			_, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, changesChannel, strconv.FormatInt(seq, 10))
			return err
		},
		LastChange: func(ctx context.Context, tx *sql.Tx) (int64, error) {
			// The counter remembers the last seq handed out.
			var seq int64
			err := tx.QueryRowContext(ctx, `SELECT seq FROM change_counter`).Scan(&seq)
			return seq, err
		},
	}
}

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
	return &Store{Store: sqlstore.New(dialect(), db, db), db: db, cfg: cfg}, nil
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

// badText reports whether err is PostgreSQL refusing text that SQLite
// would store (a NUL, invalid UTF-8): what the domain's checks let through
// is the caller's mistake all the same, not the server's.
func badText(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "22021"
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// now is the time the store stamps on rows (sqlstore.Now).
func now() time.Time { return sqlstore.Now() }

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
