package main

import (
	"bytes"
	"database/sql"
	"errors"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/internal/pgtest"
)

// TestMigrateCommand moves a generated newsroom from its SQLite file to
// PostgreSQL and back into a new file with the command, then checks its
// refusals. The copy itself is tested table by table in store/storecopy.
func TestMigrateCommand(t *testing.T) {
	ctx := t.Context()
	env := func(string) string { return "" }
	data := t.TempDir()
	if err := run(ctx, []string{"demo", "generate", "--data", data, "--stories", "40", "--now", "2026-11-01T12:00:00Z"},
		io.Discard, io.Discard, env); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	// The test cluster trusts loopback, so any password connects.
	const password = "s3cret-pw"
	u.User = url.UserPassword(u.User.Username(), password)
	dsn := u.String()
	from := "sqlite:" + filepath.Join(data, "kolokol.db")

	migrate := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := run(ctx, append([]string{"migrate"}, args...), &out, &errb, env)
		all := out.String() + errb.String()
		if err != nil {
			all += err.Error()
		}
		if strings.Contains(all, password) {
			t.Errorf("migrate %q printed the database password:\n%s", args, all)
		}
		return out.String(), err
	}

	out, err := migrate("--from", from, "--to", dsn)
	if err != nil {
		t.Fatalf("to PostgreSQL: %v\n%s", err, out)
	}
	for _, want := range []string{"moving " + from + " to postgres://postgres:xxxxx@", "articles", "revisions", "audit_log",
		"verified: ", "not moved"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	count := func(db string) int {
		st, err := openStore(ctx, "", db, false)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		n, err := st.CountArticles(ctx, kolokol.ArticleFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n, m := count(from), count(dsn); n == 0 || n != m {
		t.Errorf("%d articles in SQLite, %d in PostgreSQL", n, m)
	}

	back := filepath.Join(t.TempDir(), "new", "back.db")
	if out, err := migrate("--from", dsn, "--to", back); err != nil || !strings.Contains(out, "verified: ") {
		t.Fatalf("back to SQLite: %v\n%s", err, out)
	}
	if n, m := count(from), count(back); n != m {
		t.Errorf("%d articles in SQLite, %d after the round trip", n, m)
	}

	for _, c := range []struct {
		name     string
		from, to string
		want     string
	}{
		{"into a PostgreSQL newsroom", from, dsn, "the destination is not empty: table "},
		{"into a SQLite newsroom", dsn, back, "the destination is not empty: table "},
		{"onto itself, SQLite", from, filepath.Join(data, "kolokol.db"), "name the same database"},
		{"onto itself, PostgreSQL", dsn, strings.Replace(dsn, password, "other", 1), "name the same database"},
		{"unknown scheme", "mysql://root:" + password + "@db/news", back, `unknown database scheme "mysql"`},
		{"empty sqlite path", from, "sqlite:", "give the file's path"},
		{"missing source", "sqlite:" + filepath.Join(data, "missing.db"), filepath.Join(t.TempDir(), "x.db"), "no Kolokol database at"},
		{"no destination", from, "", "--from and --to"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := migrate("--from", c.from, "--to", c.to)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
	// A move refused after it created its SQLite file removes it: here the
	// source has a column the destination lacks.
	odd := filepath.Join(t.TempDir(), "odd.db")
	st, err := openStore(ctx, filepath.Dir(odd), odd, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.(interface{ DB() *sql.DB }).DB().ExecContext(ctx, `ALTER TABLE articles ADD COLUMN kicker TEXT NOT NULL DEFAULT ''`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	created := filepath.Join(t.TempDir(), "created.db")
	if _, err := migrate("--from", odd, "--to", created); err == nil || !strings.Contains(err.Error(), "table articles: column kicker is in the source") {
		t.Errorf("a source with a column of its own: %v", err)
	}
	if _, err := os.Stat(created); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused move left its new file: %v", err)
	}
	// The refused move left the existing file alone.
	if _, err := os.Stat(back); err != nil {
		t.Errorf("the refused destination: %v", err)
	}
}
