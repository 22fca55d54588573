package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBundleCommands makes a ZIM file and an EPUB of a generated
// newsroom with kolokol bundle, checks them with kolokol verify, and
// shows verify refusing a damaged file and a moved signature.
func TestBundleCommands(t *testing.T) {
	data := t.TempDir()
	if _, errOut, err := runCLI(t, noEnv, "demo", "generate", "--data", data, "--stories", "120"); err != nil {
		t.Fatalf("demo generate: %v\n%s", err, errOut)
	}
	out := t.TempDir()
	zimFile, epubFile := filepath.Join(out, "ru.zim"), filepath.Join(out, "ru.epub")
	base := []string{"--data", data, "--service", "ru", "--days", "366", "--base-url", "https://news.example.org"}
	for _, c := range [][]string{
		append([]string{"bundle", "zim", "--out", zimFile}, base...),
		append([]string{"bundle", "epub", "--out", epubFile}, base...),
	} {
		stdout, errOut, err := runCLI(t, noEnv, c...)
		if err != nil || !strings.Contains(stdout, "wrote "+c[3]+": ") {
			t.Fatalf("kolokol %s: %v\n%s%s", strings.Join(c, " "), err, stdout, errOut)
		}
	}
	pub := filepath.Join(data, "signing", "kolokol.pub")
	stdout, _, err := runCLI(t, noEnv, "verify", zimFile, "--pubkey", pub)
	if err != nil || !strings.Contains(stdout, "every one as signed") || !strings.Contains(stdout, "signature verified") {
		t.Fatalf("verify %s: %v\n%s", zimFile, err, stdout)
	}
	if stdout, _, err := runCLI(t, noEnv, "verify", epubFile, "--pubkey", pub, "--origin", "https://news.example.org"); err != nil || !strings.Contains(stdout, "signature verified") {
		t.Fatalf("verify %s: %v\n%s", epubFile, err, stdout)
	}
	if _, _, err := runCLI(t, noEnv, "verify", epubFile, "--pubkey", pub, "--origin", "https://other.example.org"); err == nil {
		t.Error("verify accepted a book for another origin")
	}

	// A byte changed in the middle of the file.
	b, _ := os.ReadFile(zimFile)
	b[len(b)/2] ^= 1
	bad := filepath.Join(out, "bad.zim")
	os.WriteFile(bad, b, 0o644)
	if _, _, err := runCLI(t, noEnv, "verify", bad, "--pubkey", pub); err == nil || exitCode(err) != 1 {
		t.Errorf("a damaged ZIM file: %v (exit %d), want refused (exit 1)", err, exitCode(err))
	}
	// The book's signature beside the ZIM file.
	sig, _ := os.ReadFile(epubFile + ".minisig")
	os.WriteFile(zimFile+".minisig", sig, 0o644)
	if _, _, err := runCLI(t, noEnv, "verify", zimFile, "--pubkey", pub); err == nil || exitCode(err) != 1 {
		t.Errorf("a ZIM file with another file's signature: %v (exit %d), want refused", err, exitCode(err))
	}
	os.Remove(epubFile + ".minisig")
	if _, _, err := runCLI(t, noEnv, "verify", epubFile, "--pubkey", pub); err == nil || !strings.Contains(err.Error(), "is not beside it") {
		t.Errorf("a book without its signature: %v", err)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"bundle"}, "give the format, zim or epub"},
		{[]string{"bundle", "pdf"}, "give the format, zim or epub"},
		{[]string{"bundle", "zim", "--data", data, "--service", "../ru", "--base-url", "https://news.example.org"}, "not a service code"},
		{append([]string{"bundle", "zim", "--out", filepath.Join(out, "x.epub")}, base...), "ends .zim"},
		{append([]string{"bundle", "zim", "--out", filepath.Join(out, "nope", "x.zim")}, base...), "does not exist"},
		{append(append([]string{"bundle", "zim", "--out", filepath.Join(out, "x.zim")}, base...), "--days", "0"), "from 1 to 366"},
		{[]string{"bundle", "zim", "--data", data, "--out", filepath.Join(out, "x.zim"), "--service", "ru"}, "--base-url"},
		{[]string{"bundle", "zim", "--data", data, "--out", filepath.Join(out, "x.zim"), "--service", "xx", "--base-url", "https://news.example.org"}, "bundle of xx"},
	} {
		if _, _, err := runCLI(t, noEnv, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("kolokol %s: %v, want an error saying %q", strings.Join(c.args, " "), err, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "x.zim")); err == nil {
		t.Error("a refused bundle left a file")
	}

	// Without --out, the edition gets the mirrors page's name, here.
	here := t.TempDir()
	t.Chdir(here)
	stdout, errOut, err := runCLI(t, noEnv, append([]string{"bundle", "epub"}, base...)...)
	name := "ru-" + time.Now().UTC().Format(time.DateOnly) + ".epub"
	if err != nil || !strings.HasPrefix(stdout, "wrote "+name+": ") {
		t.Fatalf("kolokol bundle epub without --out: %v\n%s%s", err, stdout, errOut)
	}
	for _, f := range []string{name, name + ".minisig"} {
		if _, err := os.Stat(filepath.Join(here, f)); err != nil {
			t.Errorf("without --out: %v", err)
		}
	}
}

func TestParseBundles(t *testing.T) {
	for _, c := range []struct {
		kinds            string
		days, hour, keep int
		want             string // "" for no error; else in the error
		n                int
	}{
		{"zim,epub", 7, 3, 7, "", 2},
		{" epub , zim,zim", 1, 0, 1, "", 2},
		{"none", 7, 3, 7, "", 0},
		{"pdf", 7, 3, 7, "is not zim or epub", 0},
		{"zim,", 7, 3, 7, "is not zim or epub", 0},
		{"zim", 0, 3, 7, "--bundle-days", 0},
		{"zim", 7, 24, 7, "--bundle-hour", 0},
		{"zim", 7, 3, 0, "--bundle-keep", 0},
	} {
		got, err := parseBundles(c.kinds, c.days, c.hour, c.keep)
		switch {
		case c.want == "" && (err != nil || len(got.Kinds) != c.n):
			t.Errorf("parseBundles(%q) = %+v, %v", c.kinds, got, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("parseBundles(%q, %d, %d, %d): %v, want %q", c.kinds, c.days, c.hour, c.keep, err, c.want)
		}
	}
}
