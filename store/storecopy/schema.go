package storecopy

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/kolokol/kolokol/store/sqlrow"
	"slices"
	"strings"
)

// class is what a column holds, whatever the engine calls it: the two
// schemas are equal in these terms (an SQLite INTEGER is a PostgreSQL
// bigint or boolean, TEXT is text, REAL double precision, BLOB bytea).
type class byte

const (
	classInt  class = 'i'
	classText class = 't'
	classReal class = 'r'
	classBlob class = 'b'
)

func (c class) String() string {
	switch c {
	case classInt:
		return "integer"
	case classText:
		return "text"
	case classReal:
		return "real"
	case classBlob:
		return "blob"
	}
	return "unknown"
}

type column struct {
	name    string
	class   class
	boolean bool // PostgreSQL keeps this integer as a boolean
}

type table struct {
	name string
	cols []column // in the engine's order
	pk   []string // primary key columns, in key order
	refs []string // tables its foreign keys point at
	// seq is the integer key column whose high-water mark the engine keeps
	// so that an id is never handed out twice: SQLite's AUTOINCREMENT, a
	// PostgreSQL identity. "" when the engine keeps none.
	seq string
}

func (t *table) column(name string) (column, bool) {
	for _, c := range t.cols {
		if c.name == name {
			return c, true
		}
	}
	return column{}, false
}

// schema is a database's tables by name, but for each engine's own
// bookkeeping: the migrations table (each store has its own history),
// SQLite's sqlite_sequence and PostgreSQL's change_counter (the change
// log's high-water mark, carried by highWater instead).
type schema map[string]*table

// names returns the tables in dependency order: a table after every table
// its foreign keys point at (by the references of s and of also, so that
// the order suits both sides), then by name.
func (s schema) order(also schema) ([]string, error) {
	deps := map[string][]string{}
	for _, sc := range []schema{s, also} {
		for n, t := range sc {
			for _, r := range t.refs {
				if r != n {
					deps[n] = append(deps[n], r)
				}
			}
		}
	}
	var names []string
	for n := range s {
		names = append(names, n)
	}
	slices.Sort(names)
	var out []string
	done := map[string]bool{}
	for len(out) < len(names) {
		progress := false
		for _, n := range names {
			if done[n] {
				continue
			}
			ready := true
			for _, d := range deps[n] {
				if _, ok := s[d]; ok && !done[d] {
					ready = false
					break
				}
			}
			if ready {
				out, done[n], progress = append(out, n), true, true
			}
		}
		if !progress {
			return nil, fmt.Errorf("the tables' foreign keys make a cycle; no copying order exists")
		}
	}
	return out, nil
}

// compare refuses two schemas that do not hold the same tables and columns
// of the same classes: a migration added to one store only shows here,
// named, before anything is written.
func compare(src, dst schema, srcName, dstName string) error {
	var names []string
	for n := range src {
		names = append(names, n)
	}
	for n := range dst {
		if _, ok := src[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		s, d := src[n], dst[n]
		switch {
		case d == nil:
			return fmt.Errorf("table %s is in the source (%s) but not in the destination (%s): their schemas differ", n, srcName, dstName)
		case s == nil:
			return fmt.Errorf("table %s is in the destination (%s) but not in the source (%s): their schemas differ", n, dstName, srcName)
		}
		for _, c := range s.cols {
			dc, ok := d.column(c.name)
			if !ok {
				return fmt.Errorf("table %s: column %s is in the source (%s) but not in the destination (%s): their schemas differ", n, c.name, srcName, dstName)
			}
			if dc.class != c.class {
				return fmt.Errorf("table %s: column %s holds %s in the source (%s) but %s in the destination (%s): their schemas differ", n, c.name, c.class, srcName, dc.class, dstName)
			}
		}
		for _, c := range d.cols {
			if _, ok := s.column(c.name); !ok {
				return fmt.Errorf("table %s: column %s is in the destination (%s) but not in the source (%s): their schemas differ", n, c.name, dstName, srcName)
			}
		}
		if !slices.Equal(s.pk, d.pk) {
			return fmt.Errorf("table %s: primary key (%s) in the source (%s) but (%s) in the destination (%s): their schemas differ",
				n, strings.Join(s.pk, ", "), srcName, strings.Join(d.pk, ", "), dstName)
		}
		if len(s.pk) == 0 {
			// Rows are compared in key order; without a key there is none.
			return fmt.Errorf("table %s has no primary key: its rows cannot be compared", n)
		}
	}
	return nil
}

// readSchema reads the tables of the database tx works in.
func readSchema(ctx context.Context, tx *sql.Tx, e Engine) (schema, error) {
	if e == SQLite {
		return readSQLiteSchema(ctx, tx)
	}
	return readPostgresSchema(ctx, tx)
}

func readSQLiteSchema(ctx context.Context, tx *sql.Tx) (schema, error) {
	type named struct{ name, sql string }
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_schema
		WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name != 'schema_migrations'`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	tables, err := sqlrow.Collect(rows, func(r sqlrow.Scanner) (n named, err error) { return n, r.Scan(&n.name, &n.sql) })
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	s := schema{}
	for _, nt := range tables {
		t := &table{name: nt.name}
		type col struct {
			name, typ string
			pk        int
		}
		rows, err := tx.QueryContext(ctx, `SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid`, nt.name)
		if err != nil {
			return nil, fmt.Errorf("table %s: read columns: %w", nt.name, err)
		}
		cols, err := sqlrow.Collect(rows, func(r sqlrow.Scanner) (c col, err error) { return c, r.Scan(&c.name, &c.typ, &c.pk) })
		if err != nil {
			return nil, fmt.Errorf("table %s: read columns: %w", nt.name, err)
		}
		pk := map[int]string{}
		for _, c := range cols {
			cl, err := sqliteClass(c.typ)
			if err != nil {
				return nil, fmt.Errorf("table %s: column %s: %w", nt.name, c.name, err)
			}
			t.cols = append(t.cols, column{name: c.name, class: cl})
			if c.pk > 0 {
				pk[c.pk] = c.name
			}
		}
		for i := 1; i <= len(pk); i++ {
			t.pk = append(t.pk, pk[i])
		}
		// Only AUTOINCREMENT makes SQLite keep a high-water mark; other
		// integer keys take max+1, as they would after a move anyway.
		if strings.Contains(strings.ToUpper(nt.sql), "AUTOINCREMENT") && len(t.pk) == 1 {
			t.seq = t.pk[0]
		}
		rows, err = tx.QueryContext(ctx, `SELECT DISTINCT "table" FROM pragma_foreign_key_list(?)`, nt.name)
		if err != nil {
			return nil, fmt.Errorf("table %s: read foreign keys: %w", nt.name, err)
		}
		if t.refs, err = sqlrow.Collect(rows, func(r sqlrow.Scanner) (n string, err error) { return n, r.Scan(&n) }); err != nil {
			return nil, fmt.Errorf("table %s: read foreign keys: %w", nt.name, err)
		}
		s[t.name] = t
	}
	return s, nil
}

// sqliteClass follows SQLite's affinity rules (section 3.1 of "Datatypes
// In SQLite"), refusing NUMERIC affinity, which no Kolokol column has.
func sqliteClass(typ string) (class, error) {
	u := strings.ToUpper(typ)
	switch {
	case strings.Contains(u, "INT"):
		return classInt, nil
	case strings.Contains(u, "CHAR"), strings.Contains(u, "CLOB"), strings.Contains(u, "TEXT"):
		return classText, nil
	case u == "", strings.Contains(u, "BLOB"):
		return classBlob, nil
	case strings.Contains(u, "REAL"), strings.Contains(u, "FLOA"), strings.Contains(u, "DOUB"):
		return classReal, nil
	}
	return 0, fmt.Errorf("type %q is not one Kolokol's schema uses", typ)
}

func readPostgresSchema(ctx context.Context, tx *sql.Tx) (schema, error) {
	rows, err := tx.QueryContext(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
		AND table_name NOT IN ('schema_migrations', 'change_counter')`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	names, err := sqlrow.Collect(rows, func(r sqlrow.Scanner) (n string, err error) { return n, r.Scan(&n) })
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	s := schema{}
	for _, n := range names {
		t := &table{name: n}
		type col struct{ name, typ, identity string }
		rows, err := tx.QueryContext(ctx, `SELECT column_name, data_type, is_identity FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, n)
		if err != nil {
			return nil, fmt.Errorf("table %s: read columns: %w", n, err)
		}
		cols, err := sqlrow.Collect(rows, func(r sqlrow.Scanner) (c col, err error) { return c, r.Scan(&c.name, &c.typ, &c.identity) })
		if err != nil {
			return nil, fmt.Errorf("table %s: read columns: %w", n, err)
		}
		for _, c := range cols {
			cl, boolean := classInt, false
			switch c.typ {
			case "bigint", "integer", "smallint":
			case "boolean":
				boolean = true
			case "text", "character varying", "character":
				cl = classText
			case "double precision", "real":
				cl = classReal
			case "bytea":
				cl = classBlob
			default:
				return nil, fmt.Errorf("table %s: column %s: type %q is not one Kolokol's schema uses", n, c.name, c.typ)
			}
			t.cols = append(t.cols, column{name: c.name, class: cl, boolean: boolean})
			if c.identity == "YES" {
				t.seq = c.name
			}
		}
		rows, err = tx.QueryContext(ctx, `SELECT k.column_name FROM information_schema.table_constraints c
			JOIN information_schema.key_column_usage k
				ON k.constraint_schema = c.constraint_schema AND k.constraint_name = c.constraint_name
			WHERE c.table_schema = current_schema() AND c.table_name = $1 AND c.constraint_type = 'PRIMARY KEY'
			ORDER BY k.ordinal_position`, n)
		if err != nil {
			return nil, fmt.Errorf("table %s: read primary key: %w", n, err)
		}
		if t.pk, err = sqlrow.Collect(rows, func(r sqlrow.Scanner) (c string, err error) { return c, r.Scan(&c) }); err != nil {
			return nil, fmt.Errorf("table %s: read primary key: %w", n, err)
		}
		rows, err = tx.QueryContext(ctx, `SELECT DISTINCT p.relname FROM pg_constraint k
			JOIN pg_class c ON c.oid = k.conrelid
			JOIN pg_class p ON p.oid = k.confrelid
			WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace AND c.relname = $1`, n)
		if err != nil {
			return nil, fmt.Errorf("table %s: read foreign keys: %w", n, err)
		}
		if t.refs, err = sqlrow.Collect(rows, func(r sqlrow.Scanner) (c string, err error) { return c, r.Scan(&c) }); err != nil {
			return nil, fmt.Errorf("table %s: read foreign keys: %w", n, err)
		}
		s[n] = t
	}
	return s, nil
}

// quote makes name an identifier in either engine's SQL ("user" is a
// column name, and a keyword in PostgreSQL).
func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }
