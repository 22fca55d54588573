package sqlstore

import (
	"fmt"
	"testing"
)

func TestRebind(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE b = ? AND c IN (?, ?)`, `SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)`},
		// A "?" in a string or a quoted identifier is text, not a placeholder.
		{`SELECT '?', "a?b" FROM t WHERE x = ?`, `SELECT '?', "a?b" FROM t WHERE x = $1`},
		{`SELECT 'it''s ?' WHERE y = ?`, `SELECT 'it''s ?' WHERE y = $1`},
	} {
		if got := Rebind(tc.in); got != tc.want {
			t.Errorf("Rebind(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestBind(t *testing.T) {
	plain := &engine{}
	if q := `SELECT ? `; plain.bind(q) != q {
		t.Errorf("an engine with ? placeholders rewrote %q", q)
	}
	e := &engine{Dialect: Dialect{Numbered: true}}
	// Past the bound, queries are rewritten all the same, only not kept.
	for i := range maxBound + 10 {
		q := fmt.Sprintf(`SELECT %d WHERE a = ?`, i)
		if got, want := e.bind(q), fmt.Sprintf(`SELECT %d WHERE a = $1`, i); got != want {
			t.Fatalf("bind(%q) = %q, want %q", q, got, want)
		}
	}
	if n := e.nbound.Load(); n != maxBound {
		t.Errorf("%d rewrites kept, want %d", n, maxBound)
	}
	if got := e.bindReturning(`INSERT INTO t (a) VALUES (?)`); got != `INSERT INTO t (a) VALUES ($1) RETURNING id` {
		t.Errorf("bindReturning: %q", got)
	}
}

// BenchmarkBind is the cost a query pays for its rewrite once it is kept.
func BenchmarkBind(b *testing.B) {
	e := &engine{Dialect: Dialect{Numbered: true}}
	q := `UPDATE articles SET service = ?, section = ?, slug = ?, headline = ?, summary = ?, body = ?,
		bylines = ?, dateline = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`
	e.bind(q)
	for b.Loop() {
		e.bind(q)
	}
}
