// Package storecopy moves a newsroom from one store's database to the
// other's (SQLite to PostgreSQL and back), table by table and column by
// column, keeping every id, and then proves the copy equal: the same rows
// in every table, by count and by a checksum that comes out the same in
// both engines for the same data.
//
// The two stores keep one schema by design (store/postgres's 0001 is
// store/sqlite's schema at 0021), so the copy works on the tables rather
// than through kolokol.Store: nothing is reinterpreted, and a table the
// Store interface does not expose (sessions, the change log's cursors,
// autosaves) is copied all the same. What is compared is the schemas as
// the databases report them; a column added to one store only is refused
// by name before anything is written.
//
// It imports no store: the caller opens both (which brings each schema up
// to its build's) and hands over their *sql.DB with the engine's name.
package storecopy

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/kolokol/kolokol/store/sqlrow"
	"hash"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Engine names the SQL dialect of a database.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is one side of a move: a store's database and its engine.
type DB struct {
	Engine Engine
	DB     *sql.DB
}

// Table is what verification found of one table, the same on both sides.
type Table struct {
	Name   string
	Rows   int64
	SHA256 string // hex, over the rows' canonical encoding in key order
}

// Report is a verified copy: its tables in copying order, and the change
// log's high-water mark (the last seq handed out, which the destination
// continues from).
type Report struct {
	Tables    []Table
	ChangeSeq int64
	// How long the copy (up to its commit) and the verification took.
	Copied, Verified time.Duration
}

var (
	// ErrNotEmpty is the refusal of a destination that holds a newsroom.
	ErrNotEmpty = errors.New("the destination is not empty")
	// ErrDiffer is a verification that found the two databases unequal.
	ErrDiffer = errors.New("the databases differ")
)

// Copy copies every table of src into dst, which must be freshly migrated
// and empty, in one transaction on dst, from one snapshot of src; sets
// dst's id sequences to continue above the copied rows (and above ids src
// handed out and deleted since); and verifies the result, table by table,
// against the same snapshot. Nothing is written to dst unless the whole
// copy commits; a failed verification is reported after the commit (the
// destination then holds a copy known to differ, and says so).
func Copy(ctx context.Context, src, dst DB) (*Report, error) {
	if err := checkEngine(src); err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	if err := checkEngine(dst); err != nil {
		return nil, fmt.Errorf("destination: %w", err)
	}
	if src.DB == dst.DB {
		return nil, fmt.Errorf("the source and the destination are the same database")
	}
	start := time.Now()
	stx, err := beginSnapshot(ctx, src)
	if err != nil {
		return nil, fmt.Errorf("read the source: %w", err)
	}
	defer stx.Rollback()
	ss, err := readSchema(ctx, stx, src.Engine)
	if err != nil {
		return nil, fmt.Errorf("read the source's schema: %w", err)
	}
	dtx, err := dst.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin writing the destination: %w", err)
	}
	defer dtx.Rollback()
	ds, err := readSchema(ctx, dtx, dst.Engine)
	if err != nil {
		return nil, fmt.Errorf("read the destination's schema: %w", err)
	}
	if err := compare(ss, ds, string(src.Engine), string(dst.Engine)); err != nil {
		return nil, err
	}
	order, err := ss.order(ds)
	if err != nil {
		return nil, err
	}
	if err := checkEmpty(ctx, dtx, dst.Engine, order); err != nil {
		return nil, err
	}
	for _, name := range order {
		if err := copyTable(ctx, stx, dtx, ss[name], ds[name], dst.Engine); err != nil {
			return nil, fmt.Errorf("copy table %s: %w", name, err)
		}
	}
	marks, err := highWater(ctx, stx, src.Engine, ss)
	if err != nil {
		return nil, fmt.Errorf("read the source's id sequences: %w", err)
	}
	if err := setHighWater(ctx, dtx, dst.Engine, ds, marks); err != nil {
		return nil, fmt.Errorf("set the destination's id sequences: %w", err)
	}
	if err := dtx.Commit(); err != nil {
		return nil, fmt.Errorf("commit the copy: %w", err)
	}
	// Verified against the snapshot copied from (stx is still open), and
	// the destination as a reader now sees it.
	vtx, err := beginSnapshot(ctx, dst)
	if err != nil {
		return nil, fmt.Errorf("read the destination: %w", err)
	}
	defer vtx.Rollback()
	copied := time.Since(start)
	rep, err := verify(ctx, stx, vtx, src, dst, ss, ds, order)
	if err != nil {
		return nil, err
	}
	rep.Copied, rep.Verified = copied, time.Since(start)-copied
	return rep, nil
}

// Verify compares a and b as Copy's verification does, each read in one
// snapshot: the same tables and columns, the same rows in every table, and
// id sequences in b that continue at or above a's. It reports a's tables.
func Verify(ctx context.Context, a, b DB) (*Report, error) {
	for _, d := range []DB{a, b} {
		if err := checkEngine(d); err != nil {
			return nil, err
		}
	}
	atx, err := beginSnapshot(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", a.Engine, err)
	}
	defer atx.Rollback()
	btx, err := beginSnapshot(ctx, b)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", b.Engine, err)
	}
	defer btx.Rollback()
	as, err := readSchema(ctx, atx, a.Engine)
	if err != nil {
		return nil, fmt.Errorf("read the schema of %s: %w", a.Engine, err)
	}
	bs, err := readSchema(ctx, btx, b.Engine)
	if err != nil {
		return nil, fmt.Errorf("read the schema of %s: %w", b.Engine, err)
	}
	if err := compare(as, bs, string(a.Engine), string(b.Engine)); err != nil {
		return nil, err
	}
	order, err := as.order(bs)
	if err != nil {
		return nil, err
	}
	return verify(ctx, atx, btx, a, b, as, bs, order)
}

func verify(ctx context.Context, atx, btx *sql.Tx, a, b DB, as, bs schema, order []string) (*Report, error) {
	rep := &Report{}
	for _, name := range order {
		// Both sides encode the columns in the same (sorted) order: the
		// engines keep them in different orders (SQLite appends added
		// columns at the end).
		cols := make([]column, len(as[name].cols))
		copy(cols, as[name].cols)
		slices.SortFunc(cols, func(x, y column) int { return strings.Compare(x.name, y.name) })
		at, err := checksum(ctx, atx, as[name], cols)
		if err != nil {
			return nil, fmt.Errorf("verify table %s: read %s: %w", name, a.Engine, err)
		}
		bt, err := checksum(ctx, btx, bs[name], cols)
		if err != nil {
			return nil, fmt.Errorf("verify table %s: read %s: %w", name, b.Engine, err)
		}
		if at.Rows != bt.Rows {
			return nil, fmt.Errorf("%w: verify table %s: %d rows in %s, %d in %s", ErrDiffer, name, at.Rows, a.Engine, bt.Rows, b.Engine)
		}
		if at.SHA256 != bt.SHA256 {
			return nil, fmt.Errorf("%w: verify table %s: the rows differ (%d rows each; SHA-256 %s in %s, %s in %s)",
				ErrDiffer, name, at.Rows, at.SHA256[:16], a.Engine, bt.SHA256[:16], b.Engine)
		}
		rep.Tables = append(rep.Tables, at)
	}
	am, err := highWater(ctx, atx, a.Engine, as)
	if err != nil {
		return nil, fmt.Errorf("verify id sequences: read %s: %w", a.Engine, err)
	}
	bm, err := highWater(ctx, btx, b.Engine, bs)
	if err != nil {
		return nil, fmt.Errorf("verify id sequences: read %s: %w", b.Engine, err)
	}
	// The change log's seq must continue exactly: followers' cursors point
	// into it, and a seq handed out twice would be skipped by them.
	if am["changes"] != bm["changes"] {
		return nil, fmt.Errorf("%w: verify the change log: last seq %d in %s, %d in %s", ErrDiffer, am["changes"], a.Engine, bm["changes"], b.Engine)
	}
	for _, name := range order {
		// Where b keeps a high-water mark, it must not hand out an id a
		// has used: an article id is part of a public URL.
		if bs[name].seq != "" && bm[name] < am[name] {
			return nil, fmt.Errorf("%w: verify table %s: ids continue from %d in %s but %d in %s", ErrDiffer, name, bm[name], b.Engine, am[name], a.Engine)
		}
	}
	rep.ChangeSeq = am["changes"]
	return rep, nil
}

func checkEngine(d DB) error {
	if d.DB == nil {
		return fmt.Errorf("no database")
	}
	if d.Engine != SQLite && d.Engine != Postgres {
		return fmt.Errorf("unknown engine %q (sqlite or postgres)", d.Engine)
	}
	return nil
}

// beginSnapshot starts a transaction that reads one moment of d: in
// PostgreSQL a REPEATABLE READ one (read only); in SQLite any transaction,
// whose first read fixes its snapshot (WAL) until it ends.
func beginSnapshot(ctx context.Context, d DB) (*sql.Tx, error) {
	if d.Engine == Postgres {
		return d.DB.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	}
	return d.DB.BeginTx(ctx, nil)
}

// checkEmpty refuses a destination that holds anything at all: a move
// merges nothing, and ids copied from the source would collide.
func checkEmpty(ctx context.Context, tx *sql.Tx, e Engine, tables []string) error {
	for _, n := range tables {
		var found bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+quote(n)+`)`).Scan(&found); err != nil {
			return fmt.Errorf("check the destination is empty: table %s: %w", n, err)
		}
		if found {
			return fmt.Errorf("%w: table %s has rows; migrate only into a new, freshly created database", ErrNotEmpty, n)
		}
	}
	m, err := highWater(ctx, tx, e, schema{})
	if err != nil {
		return fmt.Errorf("check the destination is empty: %w", err)
	}
	if m["changes"] != 0 {
		return fmt.Errorf("%w: its change log has handed out seq %d; migrate only into a new, freshly created database", ErrNotEmpty, m["changes"])
	}
	return nil
}

// batchParams bounds the parameters of one INSERT, under both engines'
// limits (SQLite's 32,766 variables, PostgreSQL's 65,535).
const (
	batchParams = 30000
	batchRows   = 500
)

func copyTable(ctx context.Context, stx, dtx *sql.Tx, st, dt *table, de Engine) error {
	names := make([]string, len(st.cols))
	dcols := make([]column, len(st.cols))
	for i, c := range st.cols {
		names[i] = quote(c.name)
		dcols[i], _ = dt.column(c.name) // compare made sure it is there
	}
	pk := make([]string, len(st.pk))
	for i, c := range st.pk {
		pk[i] = quote(c)
	}
	rows, err := stx.QueryContext(ctx, `SELECT `+strings.Join(names, ", ")+` FROM `+quote(st.name)+` ORDER BY `+strings.Join(pk, ", "))
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	defer rows.Close()
	per := max(1, min(batchRows, batchParams/len(names)))
	head := `INSERT INTO ` + quote(dt.name) + ` (` + strings.Join(names, ", ") + `) VALUES `
	stmts := map[int]*sql.Stmt{} // by rows in the batch
	defer func() {
		for _, s := range stmts {
			s.Close()
		}
	}()
	flush := func(args []any) error {
		n := len(args) / len(names)
		stmt := stmts[n]
		if stmt == nil {
			var err error
			if stmt, err = dtx.PrepareContext(ctx, head+placeholders(de, n, len(names))); err != nil {
				return err
			}
			stmts[n] = stmt
		}
		_, err := stmt.ExecContext(ctx, args...)
		return err
	}
	vals := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	args := make([]any, 0, per*len(names))
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read row %d: %w", n+1, err)
		}
		for i, v := range vals {
			nv, err := normalize(v, st.cols[i].class)
			if err != nil {
				return fmt.Errorf("row %d, column %s: %w", n+1, st.cols[i].name, err)
			}
			if dcols[i].boolean {
				if nv, err = toBool(nv); err != nil {
					return fmt.Errorf("row %d, column %s: %w", n+1, st.cols[i].name, err)
				}
			}
			args = append(args, nv)
		}
		n++
		if len(args) == per*len(names) {
			if err := flush(args); err != nil {
				return fmt.Errorf("write rows up to %d: %w", n, err)
			}
			args = args[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if len(args) > 0 {
		if err := flush(args); err != nil {
			return fmt.Errorf("write rows up to %d: %w", n, err)
		}
	}
	return nil
}

func placeholders(e Engine, rows, cols int) string {
	var b strings.Builder
	p := 0
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			p++
			if e == Postgres {
				b.WriteString("$" + strconv.Itoa(p))
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}

// normalize turns what a driver scanned into the one Go value a column of
// class c holds in both engines: int64 (PostgreSQL's booleans as 0 and 1),
// string, float64, []byte, or nil for NULL. A value that is not of its
// column's class (SQLite's non-STRICT tables would keep one) is an error,
// not a guess.
func normalize(v any, c class) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch c {
	case classInt:
		switch x := v.(type) {
		case int64:
			return x, nil
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
	case classText:
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			if utf8.Valid(x) {
				return string(x), nil
			}
		}
	case classReal:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			// SQLite keeps a REAL that is whole as an integer on disk in
			// non-STRICT tables and may hand it back so.
			return float64(x), nil
		}
	case classBlob:
		switch x := v.(type) {
		case []byte:
			return slices.Clone(x), nil
		case string:
			return []byte(x), nil
		}
	}
	return nil, fmt.Errorf("a %T where the schema says %s", v, c)
}

func toBool(v any) (any, error) {
	switch v {
	case nil:
		return nil, nil
	case int64(0):
		return false, nil
	case int64(1):
		return true, nil
	}
	return nil, fmt.Errorf("%v where PostgreSQL keeps a boolean (0 or 1)", v)
}

// checksum reads t's rows in key order, cols in the order given, and
// hashes their canonical encoding: for each value a tag byte, then
// integers as 8 bytes big-endian, reals as their IEEE 754 bits, text and
// blobs as an 8-byte length and their bytes; NULL as its tag alone. The
// same data gives the same bytes whichever engine it was read from.
func checksum(ctx context.Context, tx *sql.Tx, t *table, cols []column) (Table, error) {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = quote(c.name)
	}
	pk := make([]string, len(t.pk))
	for i, c := range t.pk {
		pk[i] = quote(c)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+strings.Join(names, ", ")+` FROM `+quote(t.name)+` ORDER BY `+strings.Join(pk, ", "))
	if err != nil {
		return Table{}, err
	}
	defer rows.Close()
	h := sha256.New()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	var buf [9]byte
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return Table{}, err
		}
		n++
		for i, v := range vals {
			nv, err := normalize(v, cols[i].class)
			if err != nil {
				return Table{}, fmt.Errorf("row %d, column %s: %w", n, cols[i].name, err)
			}
			encode(h, buf[:], nv)
		}
	}
	if err := rows.Err(); err != nil {
		return Table{}, err
	}
	return Table{Name: t.name, Rows: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

func encode(h hash.Hash, buf []byte, v any) {
	switch x := v.(type) {
	case nil:
		h.Write([]byte{'N'})
	case int64:
		buf[0] = 'I'
		binary.BigEndian.PutUint64(buf[1:], uint64(x))
		h.Write(buf)
	case float64:
		buf[0] = 'R'
		binary.BigEndian.PutUint64(buf[1:], math.Float64bits(x))
		h.Write(buf)
	case string:
		buf[0] = 'T'
		binary.BigEndian.PutUint64(buf[1:], uint64(len(x)))
		h.Write(buf)
		h.Write([]byte(x))
	case []byte:
		buf[0] = 'B'
		binary.BigEndian.PutUint64(buf[1:], uint64(len(x)))
		h.Write(buf)
		h.Write(x)
	}
}

// highWater returns, by table, the largest id the database has handed out
// for the tables of s with an integer key: the larger of the largest id
// present and the mark the engine keeps (SQLite's sqlite_sequence, a
// PostgreSQL identity's sequence), which stays above ids since deleted.
// "changes" is always there: the change log's last seq (SQLite keeps it in
// sqlite_sequence, PostgreSQL in change_counter).
func highWater(ctx context.Context, tx *sql.Tx, e Engine, s schema) (map[string]int64, error) {
	m := map[string]int64{}
	for n, t := range s {
		if len(t.pk) != 1 {
			continue
		}
		if c, _ := t.column(t.pk[0]); c.class != classInt || c.boolean {
			continue
		}
		var v sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT max(`+quote(t.pk[0])+`) FROM `+quote(n)).Scan(&v); err != nil {
			return nil, fmt.Errorf("table %s: largest id: %w", n, err)
		}
		m[n] = v.Int64
		if e == Postgres && t.seq != "" {
			var last sql.NullInt64
			if err := tx.QueryRowContext(ctx, `SELECT pg_sequence_last_value(pg_get_serial_sequence($1, $2)::regclass)`,
				quote(n), t.seq).Scan(&last); err != nil {
				return nil, fmt.Errorf("table %s: its identity's sequence: %w", n, err)
			}
			m[n] = max(m[n], last.Int64)
		}
	}
	if e == SQLite {
		rows, err := tx.QueryContext(ctx, `SELECT name, seq FROM sqlite_sequence`)
		if err != nil {
			return nil, fmt.Errorf("read sqlite_sequence: %w", err)
		}
		type mark struct {
			name string
			seq  int64
		}
		marks, err := sqlrow.Collect(rows, func(r sqlrow.Scanner) (k mark, err error) { return k, r.Scan(&k.name, &k.seq) })
		if err != nil {
			return nil, fmt.Errorf("read sqlite_sequence: %w", err)
		}
		for _, k := range marks {
			if _, ok := s[k.name]; ok || k.name == "changes" {
				m[k.name] = max(m[k.name], k.seq)
			}
		}
	} else {
		var seq int64
		if err := tx.QueryRowContext(ctx, `SELECT seq FROM change_counter`).Scan(&seq); err != nil {
			return nil, fmt.Errorf("read change_counter: %w", err)
		}
		m["changes"] = max(m["changes"], seq)
	}
	return m, nil
}

// setHighWater makes dst continue above marks: each table's identity (or
// AUTOINCREMENT) hands out ids above the source's, deleted ones included,
// and the change log's next seq follows the source's last, so followers'
// copied cursors read on without a gap or a repeat.
func setHighWater(ctx context.Context, tx *sql.Tx, e Engine, s schema, marks map[string]int64) error {
	for n, t := range s {
		v := marks[n]
		if t.seq == "" || v <= 0 {
			continue
		}
		var err error
		if e == Postgres {
			_, err = tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, $2)::regclass, $3, true)`, quote(n), t.seq, v)
		} else {
			err = setSQLiteSequence(ctx, tx, n, v)
		}
		if err != nil {
			return fmt.Errorf("table %s: %w", n, err)
		}
	}
	if e == Postgres {
		if _, err := tx.ExecContext(ctx, `UPDATE change_counter SET seq = $1`, marks["changes"]); err != nil {
			return fmt.Errorf("change_counter: %w", err)
		}
	} else if _, ok := s["changes"]; ok && s["changes"].seq == "" {
		return fmt.Errorf("the SQLite change log has no AUTOINCREMENT: its last seq has nowhere to go")
	}
	return nil
}

// setSQLiteSequence raises sqlite_sequence's mark for table to v. Inserting
// ids set it to the largest copied already; a source that deleted its
// newest rows had handed out more.
func setSQLiteSequence(ctx context.Context, tx *sql.Tx, table string, v int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?`, v, table)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)`, table, v)
	return err
}
