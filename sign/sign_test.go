package sign

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const testOrigin = "https://news.example.org"

// site is a small reader site: pages in two scripts, a nested path, an
// empty file and a binary one.
func site() map[string]string {
	return map[string]string{
		"index.html":    "<!doctype html><title>Kolokol</title>",
		"ru/index.html": "<!doctype html><title>Новости</title>",
		"ru/a/12-паром-вернулся/index.html": "<p>Паром вернулся.</p>",
		"fa/a/7-بازگشت/index.html":          "<p dir=rtl>بازگشت</p>",
		"static/site.css":                   "body{margin:0}",
		"media/empty.txt":                   "",
		"media/bin.webp":                    "RIFF\x00\x01\x02\xff\xfeWEBP",
	}
}

func newSigner(t *testing.T) (*Signer, string) {
	t.Helper()
	data := t.TempDir()
	s, err := LoadSigner(data, t0)
	if err != nil {
		t.Fatal(err)
	}
	return s, data
}

// writeFiles writes a tree's files and returns their manifest entries.
func writeFiles(t *testing.T, dir string, files map[string]string) []File {
	t.Helper()
	var out []File
	for p, body := range files {
		name := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, FileFor(p, []byte(body)))
	}
	return out
}

// export writes a whole signed edition into a new directory.
func export(t *testing.T, s *Signer, edition int64, files map[string]string) (string, *Edition) {
	t.Helper()
	dir := t.TempDir()
	e, err := s.Sign(Manifest{Origin: testOrigin, Edition: edition, Time: t0.Add(time.Duration(edition) * time.Minute), Files: writeFiles(t, dir, files)})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Write(dir, false); err != nil {
		t.Fatal(err)
	}
	return dir, e
}

func mustWrite(t *testing.T, name, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func findings(r *Report) string {
	if r == nil {
		return "<no report>"
	}
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%s %s: %s\n", f.Kind, f.Path, f.Detail)
	}
	return b.String()
}

// has reports whether the report names exactly these findings (kind path),
// in any order, and no other.
func has(r *Report, want ...string) bool {
	if r == nil {
		return len(want) == 0
	}
	got := map[string]bool{}
	for _, f := range r.Findings {
		got[f.Kind.String()+" "+f.Path] = true
	}
	// A push under way changes parts as well as pages: a part updating is
	// named only where a test asks for it.
	for _, f := range r.Findings {
		if k := f.Kind.String() + " " + f.Path; f.Kind == Updating && IsPart(f.Path) && !slices.Contains(want, k) {
			delete(got, k)
		}
	}
	for _, w := range want {
		if !got[w] {
			return false
		}
	}
	return len(got) == len(want)
}

func TestSignVerifyRoundTrip(t *testing.T) {
	s, _ := newSigner(t)
	dir, e := export(t, s, 42, site())
	r, err := Verify(context.Background(), Dir(dir), Options{Keys: s.Keyring(), MinEdition: 42, Origin: "https://NEWS.example.org/"})
	if err != nil {
		t.Fatalf("verify: %v\n%s", err, findings(r))
	}
	if r.Edition.Edition != 42 || r.Edition.Origin != testOrigin || !r.Edition.Time.Equal(t0.Add(42*time.Minute)) ||
		r.KeyID != s.PublicKey().ID || r.Files != len(site()) || r.Parts != len(e.Manifest.Parts) || !r.Listed || len(r.Findings) != 0 || r.InProgress() {
		t.Fatalf("report %+v", r)
	}
	if e.Manifest.KeyID != s.PublicKey().ID.String() {
		t.Errorf("manifest key id %q, signer %s", e.Manifest.KeyID, s.PublicKey().ID)
	}
	// The signed files are the ones verify read, and the manifest reads
	// back as what was signed.
	raw, _ := os.ReadFile(filepath.Join(dir, ManifestFile))
	m, err := ParseManifest(raw)
	if err != nil {
		t.Fatal(err)
	}
	// Five groups (the root, fa, media, ru, static), each a list and sums.
	if len(m.Parts) != 10 || m.Parts[0].Path[:len("manifests/_.")] != "manifests/_." {
		t.Fatalf("parts %+v", m.Parts)
	}
	missing, err := AssembleFiles(m, func(p File) ([]byte, error) { return os.ReadFile(filepath.Join(dir, p.Path)) })
	if err != nil || len(missing) > 0 || len(m.Files) != len(site()) || m.Files[0].Path != "fa/a/7-بازگشت/index.html" {
		t.Fatalf("manifest: %v %v %+v", err, missing, m)
	}
	sigData, _ := os.ReadFile(filepath.Join(dir, ManifestFile+SigSuffix))
	sig, err := ParseSignature(sigData)
	if err != nil || sig.Algorithm != "ED" || sig.TrustedComment != "kolokol origin=https://news.example.org edition=42 time=2026-11-30T09:42:00Z" {
		t.Fatalf("signature: %v %+v", err, sig)
	}
	pub, _ := os.ReadFile(filepath.Join(dir, PublicKeyFile))
	if string(pub) != string(s.Keyring().Marshal()) {
		t.Errorf("kolokol.pub in the tree differs from the keyring")
	}
	for _, f := range e.Files(false) {
		fi, err := os.Stat(filepath.Join(dir, f.Name))
		if err != nil || fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: %v %v", f.Name, fi.Mode(), err)
		}
	}
}

// TestVerifyTampering changes a tree each way a fake mirror could, and
// verify must name each file.
func TestVerifyTampering(t *testing.T) {
	s, _ := newSigner(t)
	tests := []struct {
		name   string
		tamper func(t *testing.T, dir string)
		want   []string
	}{
		{"one byte of one page", func(t *testing.T, dir string) {
			name := filepath.Join(dir, "ru", "index.html")
			b, _ := os.ReadFile(name)
			b[len(b)-3] ^= 1
			mustWrite(t, name, string(b))
		}, []string{"altered ru/index.html"}},
		{"a page removed", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "ru", "a", "12-паром-вернулся", "index.html"))
		}, []string{"missing ru/a/12-паром-вернулся/index.html"}},
		{"a page added", func(t *testing.T, dir string) {
			mustWrite(t, filepath.Join(dir, "ru", "a", "13-fake", "index.html"), "<p>fake</p>")
		}, []string{"unlisted ru/a/13-fake/index.html"}},
		{"all three", func(t *testing.T, dir string) {
			mustWrite(t, filepath.Join(dir, "static", "site.css"), "body{margin:1}")
			os.Remove(filepath.Join(dir, "index.html"))
			mustWrite(t, filepath.Join(dir, "evil.html"), "x")
		}, []string{"altered static/site.css", "missing index.html", "unlisted evil.html"}},
		{"an empty file filled", func(t *testing.T, dir string) {
			mustWrite(t, filepath.Join(dir, "media", "empty.txt"), "x")
		}, []string{"altered media/empty.txt"}},
		{"a file grown", func(t *testing.T, dir string) {
			mustWrite(t, filepath.Join(dir, "static", "site.css"), "body{margin:0}"+strings.Repeat(" ", 1<<20))
		}, []string{"altered static/site.css"}},
		{"a page replaced by a symlink to the same bytes", func(t *testing.T, dir string) {
			name := filepath.Join(dir, "ru", "index.html")
			b, _ := os.ReadFile(name)
			other := filepath.Join(t.TempDir(), "outside.html")
			mustWrite(t, other, string(b))
			os.Remove(name)
			if err := os.Symlink(other, name); err != nil {
				t.Fatal(err)
			}
		}, []string{"altered ru/index.html"}},
		{"a directory replaced by a symlink", func(t *testing.T, dir string) {
			os.RemoveAll(filepath.Join(dir, "static"))
			other := t.TempDir()
			mustWrite(t, filepath.Join(other, "site.css"), site()["static/site.css"])
			if err := os.Symlink(other, filepath.Join(dir, "static")); err != nil {
				t.Fatal(err)
			}
		}, []string{"altered static/site.css", "unlisted static"}},
		{"a leftover temporary file", func(t *testing.T, dir string) {
			mustWrite(t, filepath.Join(dir, ".manifest.json.tmp-123"), "{}")
		}, []string{"unlisted .manifest.json.tmp-123"}},
		{"SHA256SUMS edited", func(t *testing.T, dir string) {
			mustWrite(t, filepath.Join(dir, SumsFile), "0000  index.html\n")
		}, []string{"altered SHA256SUMS"}},
		{"SHA256SUMS removed", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, SumsFile))
		}, []string{"missing SHA256SUMS"}},
		{"SHA256SUMS signature removed", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, SumsFile+SigSuffix))
		}, []string{"missing SHA256SUMS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, _ := export(t, s, 7, site())
			tt.tamper(t, dir)
			r, err := Verify(context.Background(), Dir(dir), Options{Keys: s.Keyring()})
			var refusal *Refusal
			if !errors.Is(err, ErrTampered) || !errors.As(err, &refusal) {
				t.Fatalf("err %v, want a refusal wrapping ErrTampered\n%s", err, findings(r))
			}
			if !has(r, tt.want...) {
				t.Fatalf("findings:\n%swant %q", findings(r), tt.want)
			}
		})
	}
}

// TestEditionWrite: Sign sorts and normalizes what it is given and refuses
// what verify would; Write replaces files whole and clears what a killed
// write left; RemoveNext ends a push.
func TestEditionWrite(t *testing.T) {
	s, _ := newSigner(t)
	f := func(p string) File { return FileFor(p, []byte(p)) }
	e, err := s.Sign(Manifest{Origin: "HTTPS://News.Example.org/", Edition: 3, Time: t0.Add(1500 * time.Millisecond).In(time.FixedZone("MSK", 3*3600)),
		Files: []File{f("b"), f("a/c"), f("a-b")}})
	if err != nil {
		t.Fatal(err)
	}
	m := e.Manifest
	if m.Origin != testOrigin || !m.Time.Equal(t0.Add(time.Second)) || m.Time.Location() != time.UTC ||
		m.Files[0].Path != "a-b" || m.Files[1].Path != "a/c" || m.Files[2].Path != "b" {
		t.Fatalf("signed manifest %+v", m)
	}
	for _, bad := range []Manifest{
		{Origin: testOrigin, Edition: 0, Time: t0},
		{Origin: testOrigin, Edition: 1},
		{Origin: "ftp://news.example.org", Edition: 1, Time: t0},
		{Origin: "https://news.example.org/ru/", Edition: 1, Time: t0},
		{Origin: testOrigin, Edition: 1, Time: t0, Files: []File{f("a"), f("a")}},
		{Origin: testOrigin, Edition: 1, Time: t0, Files: []File{f("a"), f("a/b")}},
		{Origin: testOrigin, Edition: 1, Time: t0, Files: []File{f("../a")}},
		{Origin: testOrigin, Edition: 1, Time: t0, Files: []File{f(SumsFile)}},
		{Origin: testOrigin, Edition: 1, Time: t0, Files: []File{{Path: "a", SHA256: "AB", Size: 1}}},
	} {
		if _, err := s.Sign(bad); err == nil {
			t.Errorf("signed %+v", bad)
		}
	}

	dir := t.TempDir()
	stale := filepath.Join(dir, ".manifest.json.tmp-4242")
	mustWrite(t, stale, "half a manifest")
	if err := e.Write(dir, true); err != nil {
		t.Fatal(err)
	}
	if err := e.Write(dir, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a killed write's temporary file is still there: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 10 {
		t.Errorf("%d files after writing both, want 9 and the parts folder", len(entries))
	}
	if err := RemoveNext(dir); err != nil {
		t.Fatal(err)
	}
	if err := RemoveNext(dir); err != nil {
		t.Fatalf("removing again: %v", err)
	}
	entries, _ = os.ReadDir(dir)
	var names []string
	for _, de := range entries {
		names = append(names, de.Name())
	}
	if strings.Join(names, " ") != "SHA256SUMS SHA256SUMS.minisig kolokol.pub manifest.json manifest.json.minisig manifests" {
		t.Errorf("after RemoveNext: %q", names)
	}
}

// TestSignReusesParts: an edition that lists the unchanged groups' parts
// of the edition before, and the files of the others alone, is the
// edition a signing of every file makes, and verifies.
func TestSignReusesParts(t *testing.T) {
	s, _ := newSigner(t)
	dir, first := export(t, s, 1, site())
	files := site()
	files["ru/index.html"] = "<p>changed</p>"
	mustWrite(t, filepath.Join(dir, "ru", "index.html"), files["ru/index.html"])
	var changed []File
	for p, body := range files {
		if GroupOf(p) == "ru" {
			changed = append(changed, FileFor(p, []byte(body)))
		}
	}
	var reused []File
	for _, p := range first.Manifest.Parts {
		if g, _, _ := ParsePartName(p.Path); g != "ru" {
			reused = append(reused, p)
		}
	}
	e, err := s.Sign(Manifest{Origin: testOrigin, Edition: 2, Time: t0, Parts: reused, Files: changed})
	if err != nil {
		t.Fatal(err)
	}
	whole := signNext(t, s, 2, files)
	if !slices.Equal(e.Manifest.Parts, whole.Manifest.Parts) || len(e.Parts()) != 2 {
		t.Fatalf("parts %v, made %d; signing every file: %v", e.Manifest.Parts, len(e.Parts()), whole.Manifest.Parts)
	}
	if err := e.Write(dir, true); err != nil {
		t.Fatal(err)
	}
	if err := RemoveStaleParts(dir, &e.Manifest); err != nil {
		t.Fatal(err)
	}
	if err := e.Write(dir, false); err != nil {
		t.Fatal(err)
	}
	RemoveNext(dir)
	if r, err := Verify(context.Background(), Dir(dir), Options{Keys: s.Keyring(), MinEdition: 2}); err != nil || len(r.Findings) > 0 {
		t.Fatalf("%v\n%s", err, findings(r))
	}
	// A reused part of a group whose files are given too is refused.
	if _, err := s.Sign(Manifest{Origin: testOrigin, Edition: 3, Time: t0, Parts: first.Manifest.Parts, Files: changed}); err == nil {
		t.Fatal("signed files of a group whose part is reused")
	}
}
