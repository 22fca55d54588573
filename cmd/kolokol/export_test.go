package main

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol/sign"
)

// TestExportCommand: kolokol export writes a signed tree that kolokol
// verify accepts; a second run changes nothing; a publish changes only its
// pages; --service exports one service; and it refuses a folder that holds
// someone else's files, a base URL that is not an origin and an unknown
// service, naming each.
func TestExportCommand(t *testing.T) {
	ta := newTestApp(t)
	out := filepath.Join(t.TempDir(), "site")
	pub := filepath.Join(t.TempDir(), sign.PublicKeyFile)
	if err := os.WriteFile(pub, mustKeyring(t, ta.data).Marshal(), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runCLI(t, noEnv, "export", "--data", ta.data, "--out", out, "--base-url", "https://news.example.org/")
	if err != nil || !strings.Contains(stdout, "signed edition 1: full (first export)") {
		t.Fatalf("export: %v\n%s%s", err, stdout, stderr)
	}
	if _, _, err := runCLI(t, noEnv, "verify", out, "--pubkey", pub, "--origin", "https://news.example.org"); err != nil {
		t.Fatalf("verify the export: %v", err)
	}
	// The mirrors page carries the fingerprint readers check the key by,
	// as the live site's does.
	if b, err := os.ReadFile(filepath.Join(out, "ru", "mirrors", "index.html")); err != nil || !strings.Contains(string(b), mustKeyring(t, ta.data).Fingerprint()) {
		t.Errorf("the exported mirrors page lacks the key's fingerprint: %v", err)
	}
	if stdout, _, err = runCLI(t, noEnv, "export", "--data", ta.data, "--out", out, "--base-url", "https://news.example.org"); err != nil ||
		!strings.Contains(stdout, "nothing changed, edition 1 kept: incremental, 0 pages rendered") {
		t.Fatalf("second export: %v %s", err, stdout)
	}

	a := ta.create(t, ta.tokens["editor-ru"], map[string]any{"service": "ru", "headline": "Паром вернулся в порт", "body": "Текст заметки."})
	a = ta.publish(t, ta.tokens["editor-ru"], a.ID)
	if stdout, _, err = runCLI(t, noEnv, "export", "--data", ta.data, "--out", out, "--base-url", "https://news.example.org"); err != nil ||
		!strings.Contains(stdout, "signed edition 2: incremental") {
		t.Fatalf("export after a publish: %v %s", err, stdout)
	}
	page := treePath(t, ta.path(a))
	if _, err := os.Stat(filepath.Join(out, page)); err != nil {
		t.Fatalf("the published story is not in the export: %v", err)
	}
	if _, _, err := runCLI(t, noEnv, "verify", out, "--pubkey", pub, "--min-edition", "2"); err != nil {
		t.Fatalf("verify edition 2: %v", err)
	}

	one := filepath.Join(t.TempDir(), "fa")
	if stdout, _, err = runCLI(t, noEnv, "export", "--data", ta.data, "--out", one, "--service", "fa", "--base-url", "https://news.example.org"); err != nil {
		t.Fatalf("export fa: %v %s", err, stdout)
	}
	if _, err := os.Stat(filepath.Join(one, "fa", "index.html")); err != nil {
		t.Errorf("fa home missing from the fa export: %v", err)
	}
	if _, err := os.Stat(filepath.Join(one, "ru")); !os.IsNotExist(err) {
		t.Errorf("the fa export holds ru: %v", err)
	}
	// --network names the portal and every service without a brand.
	net := filepath.Join(t.TempDir(), "net")
	if _, _, err = runCLI(t, noEnv, "export", "--data", ta.data, "--out", net, "--network", "Test Network", "--base-url", "https://news.example.org"); err != nil {
		t.Fatalf("export --network: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(net, "index.html")); err != nil || !strings.Contains(string(b), "<title>Test Network</title>") {
		t.Errorf("the portal is not named by --network: %v\n%.400s", err, b)
	}

	foreign := t.TempDir()
	os.WriteFile(filepath.Join(foreign, "notes.txt"), []byte("mine"), 0o644)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"foreign folder", []string{"--out", foreign, "--base-url", "https://news.example.org"}, "is not empty and holds no export"},
		{"path in the base URL", []string{"--out", t.TempDir(), "--base-url", "https://example.org/news"}, "an origin has no path"},
		{"no base URL", []string{"--out", t.TempDir()}, "--base-url: give the site's public origin"},
		{"no out", []string{"--base-url", "https://news.example.org"}, "--out: give the folder"},
		{"bad service", []string{"--out", t.TempDir(), "--base-url", "https://news.example.org", "--service", "../ru"}, `"../ru" is not a service code`},
		{"negative catch-up", []string{"--out", t.TempDir(), "--base-url", "https://news.example.org", "--catch-up", "-5"}, "--catch-up: -5 is not a number of pages"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := runCLI(t, noEnv, append([]string{"export", "--data", ta.data}, c.args...)...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error saying %q", err, c.want)
			}
		})
	}
	if b, err := os.ReadFile(filepath.Join(foreign, "notes.txt")); err != nil || string(b) != "mine" {
		t.Errorf("the foreign folder was touched: %q %v", b, err)
	}
}

// TestPublishReachesMirrors: with the publisher running, as serve runs it,
// a story published through the API reaches a directory mirror, which then
// verifies as the new edition; a mirror that cannot be written to is
// retried and reported in its health, and holds up neither the other
// mirror nor the publish.
func TestPublishReachesMirrors(t *testing.T) {
	ta := newTestApp(t)
	if ta.Mirrors == nil {
		t.Fatal("the app has no mirror publisher")
	}
	ta.Mirrors.Retry = 50 * time.Millisecond
	// No mirror yet: nothing is exported.
	if r := ta.Mirrors.Pass(t.Context()); r.Export != nil || r.Err != nil || len(r.Reports) > 0 {
		t.Fatalf("a pass with no mirror: %+v", r)
	}
	if _, err := os.Stat(exportDir(ta.data)); !os.IsNotExist(err) {
		t.Fatalf("exported with no mirror: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ta.Mirrors.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	work := t.TempDir()
	good := filepath.Join(work, "good")
	blocked := filepath.Join(work, "blocked")
	os.Mkdir(good, 0o755)
	// A file where the mirror's folder should be: every push fails.
	os.WriteFile(blocked, []byte("not a folder"), 0o644)
	for _, d := range []struct{ name, dir string }{{"Good", good}, {"Blocked", blocked}} {
		r := ta.api(t, "POST", "/mirrors", ta.admin, map[string]any{"name": d.name, "kind": "dir", "public_url": "https://m.example/", "dir": d.dir})
		if r.status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
	}
	keys := mustKeyring(t, ta.data)
	start := time.Now()
	waitVerified(t, good, keys, 1, "")
	t.Logf("first edition on the mirror after %s", time.Since(start))

	a := ta.create(t, ta.tokens["editor-fa"], map[string]any{"service": "fa", "headline": "کشتی به بندر بازگشت", "body": "متن خبر."})
	start = time.Now()
	a = ta.publish(t, ta.tokens["editor-fa"], a.ID)
	page := treePath(t, ta.path(a))
	waitVerified(t, good, keys, 2, page)
	t.Logf("published story on the mirror after %s", time.Since(start))

	ms, err := ta.Store.FindMirrors(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		switch m.Name {
		case "Good":
			if m.Health.Edition < 2 || m.Health.Error != "" {
				t.Errorf("Good's health: %+v", m.Health)
			}
		case "Blocked":
			if m.Health.Edition != 0 || !strings.Contains(m.Health.Error, "Blocked") {
				t.Errorf("Blocked's health: %+v", m.Health)
			}
		}
	}
}

func mustKeyring(t testing.TB, data string) sign.Keyring {
	t.Helper()
	s, err := sign.LoadSigner(data, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return s.Keyring()
}

// waitVerified waits until the mirror in dir verifies, with no update in
// progress, at edition min or newer and holding file (if given).
func waitVerified(t *testing.T, dir string, keys sign.Keyring, min int64, file string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	var last string
	for time.Now().Before(deadline) {
		r, err := sign.Verify(t.Context(), sign.Dir(dir), sign.Options{Keys: keys, MinEdition: min})
		switch {
		case err != nil:
			last = err.Error()
		case len(r.Findings) > 0 || r.InProgress():
			last = "findings or in progress"
		default:
			if file == "" {
				return
			}
			if _, err := os.Stat(filepath.Join(dir, file)); err == nil {
				return
			}
			last = file + " missing"
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the mirror %s did not verify at edition %d within a minute: %s", dir, min, last)
}

// treePath is the file of a reader path in an export.
func treePath(t testing.TB, p string) string {
	t.Helper()
	u, err := url.PathUnescape(strings.TrimPrefix(p, "/"))
	if err != nil {
		t.Fatal(err)
	}
	return u + "index.html"
}
