package main

import (
	"context"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/internal/pgtest"
	"github.com/kolokol/kolokol/store/postgres"
)

// TestServeOnPostgres runs the real serve command on PostgreSQL, named by
// KOLOKOL_DB as a deployment would: the demo newsroom is seeded into the
// database, not a SQLite file, and a service's front page renders its
// stories from there. The address's password shows in no line serve
// prints.
func TestServeOnPostgres(t *testing.T) {
	dsn, err := url.Parse(pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	// The test cluster trusts loopback, so any password connects.
	const password = "s3cret-pw"
	dsn.User = url.UserPassword(dsn.User.Username(), password)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	data := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"KOLOKOL_DB": dsn.String(), "KOLOKOL_ADDR": addr, "KOLOKOL_ADMIN_ADDR": "127.0.0.1:0"}
	if testNetHTTP() {
		env["KOLOKOL_NET_HTTP"] = "true"
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--data", data}, &out, &errb, func(k string) string { return env[k] })
	}()
	var resp *http.Response
	for range 200 {
		if resp, err = http.Get("http://" + addr + "/healthz"); err == nil {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned %v\n%s", err, errb.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err != nil {
		t.Fatalf("server did not come up: %v\n%s", err, errb.String())
	}
	resp.Body.Close()
	if _, err := os.Stat(filepath.Join(data, "kolokol.db")); err == nil {
		t.Error("serve --db postgres://… made a SQLite file too")
	}

	st, err := postgres.Open(t.Context(), dsn.String())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	newest, err := st.FindArticles(t.Context(), kolokol.ArticleFilter{Service: "en", Status: kolokol.StatusPublished, ByPublished: true, Limit: 1})
	if err != nil || len(newest) != 1 {
		t.Fatalf("the demo's English stories in PostgreSQL: %v %v", newest, err)
	}
	resp, err = http.Get("http://" + addr + "/en/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), html.EscapeString(newest[0].Headline)) {
		t.Errorf("/en/: %d, without the newest story %q", resp.StatusCode, newest[0].Headline)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(errb.String(), "xxxxx@"+dsn.Host) {
		t.Errorf("serve did not log which database it serves, password redacted:\n%s", errb.String())
	}
	if strings.Contains(out.String()+errb.String(), password) {
		t.Errorf("serve printed the database password:\n%s\n%s", out.String(), errb.String())
	}
}

// TestOpenStoreByName: --db picks the store by its form, and a missing
// SQLite file named by --db is reported with how to make it.
func TestOpenStoreByName(t *testing.T) {
	ctx := t.Context()
	data := filepath.Join(t.TempDir(), "data")
	other := filepath.Join(t.TempDir(), "other.db")
	for _, db := range []string{"", "sqlite:" + other, other} {
		st, err := openStore(ctx, data, db, true)
		if err != nil {
			t.Fatalf("--db %q: %v", db, err)
		}
		st.Close()
	}
	if _, err := os.Stat(filepath.Join(data, "kolokol.db")); err != nil {
		t.Errorf("the default database: %v", err)
	}
	if _, err := openStore(ctx, data, filepath.Join(data, "missing.db"), false); err == nil || !strings.Contains(err.Error(), "--db") {
		t.Errorf("a missing SQLite file: %v", err)
	}
	st, err := openStore(ctx, data, pgtest.DSN(t), false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, ok := st.(*postgres.Store); !ok {
		t.Errorf("a postgres:// address opened %T", st)
	}
}
