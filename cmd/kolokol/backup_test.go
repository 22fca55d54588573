package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/sign"
)

func manifestEdition(t *testing.T, dir string) int64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, sign.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	m, err := sign.ParseManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	return m.Edition
}

// TestBackupRestore backs up a serving newsroom, restores it into a new
// directory and serves that: the stories, accounts and keys are there,
// and the restored newsroom signs editions above the backed-up one's, and
// above --edition-floor.
func TestBackupRestore(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	a := ta.create(t, ta.tokens["editor-fa"], map[string]any{"service": "fa", "headline": "پیش از پشتیبان", "body": "متن."})
	ta.publish(t, ta.tokens["editor-fa"], a.ID)
	out := exportDir(ta.data)
	for range 2 {
		if _, _, err := runCLI(t, noEnv, "export", "--data", ta.data, "--out", out, "--base-url", "https://news.example.org"); err != nil {
			t.Fatal(err)
		}
		a2 := ta.create(t, ta.tokens["editor-fa"], map[string]any{"service": "fa", "headline": "خبر دیگر", "body": "متن."})
		ta.publish(t, ta.tokens["editor-fa"], a2.ID)
	}
	edition := manifestEdition(t, out)

	file := filepath.Join(t.TempDir(), "newsroom.tar.gz")
	stdout, _, err := runCLI(t, noEnv, "backup", "--data", ta.data, "--out", file)
	if err != nil || !strings.Contains(stdout, "newest edition 2") {
		t.Fatalf("backup: %v; %s", err, stdout)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the backup holds the signing key: %v %v, want mode 0600", fi, err)
	}
	if _, _, err := runCLI(t, noEnv, "backup", "--data", ta.data, "--out", file); err == nil {
		t.Fatal("a backup over an existing file was written")
	}
	if _, _, err := runCLI(t, noEnv, "restore", "--from", file, "--data", ta.data); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("restore over the live newsroom: %v", err)
	}

	restored := filepath.Join(t.TempDir(), "restored")
	stdout, _, err = runCLI(t, noEnv, "restore", "--from", file, "--data", restored)
	if err != nil || !strings.Contains(stdout, "above 2") {
		t.Fatalf("restore: %v; %s", err, stdout)
	}
	want, err := sign.LoadSigner(ta.data, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got, err := sign.LoadSigner(restored, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got.Keyring().Fingerprint() != want.Keyring().Fingerprint() {
		t.Fatal("the restored newsroom has another signing key: its mirrors would fail to verify")
	}
	app, err := NewApp(ctx, restored, "http://127.0.0.1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	for _, f := range []kolokol.ArticleFilter{{Service: "fa"}, {}} {
		n1, err1 := ta.Store.CountArticles(ctx, f)
		n2, err2 := app.Store.CountArticles(ctx, f)
		if err1 != nil || err2 != nil || n1 != n2 {
			t.Fatalf("stories %+v: %d in the newsroom, %d restored (%v %v)", f, n1, n2, err1, err2)
		}
	}
	users1, _ := ta.Store.FindUsers(ctx)
	users2, _ := app.Store.FindUsers(ctx)
	if len(users1) == 0 || len(users1) != len(users2) {
		t.Fatalf("%d accounts, %d restored", len(users1), len(users2))
	}
	rec := httptest.NewRecorder()
	app.Handler.ServeHTTP(rec, httptest.NewRequest("GET", "/fa/", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "پیش از پشتیبان") {
		t.Fatalf("the restored newsroom's /fa/: %d", rec.Code)
	}
	app.Close()

	if _, _, err := runCLI(t, noEnv, "export", "--data", restored, "--out", exportDir(restored), "--base-url", "https://news.example.org"); err != nil {
		t.Fatal(err)
	}
	if e := manifestEdition(t, exportDir(restored)); e != edition+1 {
		t.Fatalf("the restored newsroom signed edition %d, want %d (above the backup's %d)", e, edition+1, edition)
	}

	// Editions signed after the backup: --edition-floor.
	again := filepath.Join(t.TempDir(), "again")
	if _, _, err := runCLI(t, noEnv, "restore", "--from", file, "--data", again, "--edition-floor", "40"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, noEnv, "export", "--data", again, "--out", exportDir(again), "--base-url", "https://news.example.org"); err != nil {
		t.Fatal(err)
	}
	if e := manifestEdition(t, exportDir(again)); e != 41 {
		t.Fatalf("with --edition-floor 40: edition %d, want 41", e)
	}
}
