package bundle

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/demo"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/internal/realpart"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/render"
	"github.com/kolokol/kolokol/sign"
	"github.com/kolokol/kolokol/store/sqlite"
	"github.com/kolokol/kolokol/zim"
)

const origin = "https://news.example.org"

// newsroom is the demo newsroom (every service, stories with photos and
// every kind of block) with a signing key.
type newsroom struct {
	maker *Maker
	store *sqlite.Store
	now   time.Time
}

func newNewsroom(t testing.TB) *newsroom {
	t.Helper()
	ctx := context.Background()
	data := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(data, "kolokol.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	blobs, err := media.NewDir(filepath.Join(data, "media"))
	if err != nil {
		t.Fatal(err)
	}
	images, err := media.NewProcessor(media.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	if _, err := demo.Seed(ctx, st, desk.New(st, blobs, images, nil), now); err != nil {
		t.Fatal(err)
	}
	signer, err := sign.LoadSigner(data, now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := render.New(st, render.Options{BaseURL: origin, SiteName: "Kolokol"})
	if err != nil {
		t.Fatal(err)
	}
	return &newsroom{maker: &Maker{Render: b, Blobs: blobs, Signer: signer, Network: "Kolokol", Now: func() time.Time { return now }},
		store: st, now: now}
}

// period is the last week up to a minute from now: every demo story.
func (n *newsroom) period() (time.Time, time.Time) {
	return n.now.Add(-7 * 24 * time.Hour), n.now.Add(time.Minute)
}

// TestZIM makes the English (LTR) and Persian (RTL) services' ZIM files
// of the demo newsroom: zimcheck finds nothing, Debian's kiwix-serve
// serves each story with its headline intact, kolokol's verify accepts
// the file, and the detached signature verifies.
func TestZIM(t *testing.T) {
	n := newNewsroom(t)
	ctx := context.Background()
	from, to := n.period()
	dir := t.TempDir()
	results := map[string]*Result{}
	for _, code := range []string{"en", "fa"} {
		r, err := n.maker.Write(ctx, kolokol.BundleZIM, code, from, to, filepath.Join(dir, Name(kolokol.BundleZIM, code, to)))
		if err != nil {
			t.Fatal(err)
		}
		results[code] = r
		if want := code + "-" + to.Format(time.DateOnly) + ".zim"; r.Name != want || r.Path != filepath.Join(dir, want) {
			t.Errorf("named %s at %s, want %s", r.Name, r.Path, want)
		}
		t.Run("zimcheck "+code, func(t *testing.T) {
			for _, l := range realpart.Zimcheck(t, r.Path) {
				t.Errorf("zimcheck %s %s: %s", l.Level, l.Check, l.Message)
			}
		})
		t.Run("verify "+code, func(t *testing.T) {
			rep, err := VerifyZIM(ctx, r.Path, sign.Options{Keys: n.maker.Signer.Keyring(), Origin: origin})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Findings) != 0 || rep.Files < r.Stories+2 || rep.Edition.Edition != to.Unix() {
				t.Errorf("verify: %d files, edition %d, findings %+v", rep.Files, rep.Edition.Edition, rep.Findings)
			}
			st, err := VerifyFile(r.Path, n.maker.Signer.Keyring())
			if err != nil || st.File != r.Name || st.Origin != origin {
				t.Errorf("the detached signature: %+v, %v", st, err)
			}
		})
	}

	// Both files in one kiwix-serve, as a reader's library would be.
	bin := realpart.Need(t, "kiwix-serve", "Debian package kiwix-tools")
	port := realpart.FreePort(t)
	realpart.Start(t, port, bin, "-i", "127.0.0.1", "-p", strconv.Itoa(port), results["en"].Path, results["fa"].Path)
	for code, r := range results {
		t.Run("kiwix-serve "+code, func(t *testing.T) {
			zr, err := zim.OpenFile(r.Path)
			if err != nil {
				t.Fatal(err)
			}
			defer zr.Close()
			book := strings.TrimSuffix(r.Name, ".zim")
			var stories int
			for _, p := range zr.Paths() {
				if !strings.HasPrefix(p, "a") || !strings.HasSuffix(p, ".html") {
					continue
				}
				stories++
				title, err := zr.Title(p)
				if err != nil {
					t.Fatal(err)
				}
				body := get(t, fmt.Sprintf("http://127.0.0.1:%d/%s/%s", port, book, p))
				if want := "<h1>" + html.EscapeString(title) + "</h1>"; !strings.Contains(body, want) {
					t.Errorf("%s: kiwix-serve's page has no %q", p, want)
				}
				dir := map[string]string{"en": "ltr", "fa": "rtl"}[code]
				if want := `dir="` + dir + `"`; !strings.Contains(body, want) {
					t.Errorf("%s: no %s", p, want)
				}
			}
			if stories != r.Stories || stories == 0 {
				t.Errorf("%d stories in the file, %d made", stories, r.Stories)
			}
			main := get(t, fmt.Sprintf("http://127.0.0.1:%d/%s/index.html", port, book))
			if !strings.Contains(main, `href="a`) {
				t.Errorf("the main page links no story:\n%s", main)
			}
		})
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %v", url, resp.Status, err)
	}
	return string(body)
}

// TestZIMTampered: verify refuses a ZIM file whose story was changed, or
// which gained an entry, even when the file's own checksum was made anew
// (anyone can rewrite a ZIM file; only the newsroom can sign).
func TestZIMTampered(t *testing.T) {
	n := newNewsroom(t)
	ctx := context.Background()
	from, to := n.period()
	a, _, err := n.maker.ZIM(ctx, "fa", from, to)
	if err != nil {
		t.Fatal(err)
	}
	keys := sign.Options{Keys: n.maker.Signer.Keyring()}
	for _, c := range []struct {
		what string
		edit func(a *zim.Archive)
		kind sign.Kind
	}{
		{"a story changed", func(a *zim.Archive) {
			for i, e := range a.Entries {
				if strings.HasPrefix(e.Path, "a") && strings.HasSuffix(e.Path, ".html") {
					a.Entries[i].Data = bytes.Replace(e.Data, []byte("<h1>"), []byte("<h1>FAKE "), 1)
					return
				}
			}
		}, sign.Altered},
		{"a page added", func(a *zim.Archive) {
			a.Entries = append(a.Entries, zim.Entry{Path: "a999999.html", Title: "fake", MIME: "text/html", Data: []byte("<p>fake</p>"), Front: true})
		}, sign.Unlisted},
		{"a picture removed", func(a *zim.Archive) {
			for i, e := range a.Entries {
				if e.MIME == "image/jpeg" {
					a.Entries = append(a.Entries[:i], a.Entries[i+1:]...)
					return
				}
			}
			t.Fatal("the Persian bundle has no picture")
		}, sign.Missing},
	} {
		t.Run(c.what, func(t *testing.T) {
			b := *a
			b.Entries = append([]zim.Entry(nil), a.Entries...)
			c.edit(&b)
			file := filepath.Join(t.TempDir(), "fa.zim")
			if err := zim.WriteFile(ctx, file, &b); err != nil {
				t.Fatal(err)
			}
			rep, err := VerifyZIM(ctx, file, keys)
			if err == nil {
				t.Fatalf("verify accepted it: %+v", rep)
			}
			if rep == nil || len(rep.Findings) != 1 || rep.Findings[0].Kind != c.kind {
				t.Errorf("findings %+v, want one %s (%v)", rep, c.kind, err)
			}
		})
	}
	t.Run("another newsroom's key", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "fa.zim")
		if err := zim.WriteFile(ctx, file, a); err != nil {
			t.Fatal(err)
		}
		other, err := sign.LoadSigner(t.TempDir(), n.now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := VerifyZIM(ctx, file, sign.Options{Keys: other.Keyring()}); !errors.Is(err, sign.ErrUnknownKey) {
			t.Errorf("verify with another key: %v", err)
		}
	})
}

// TestEPUB makes the English and Persian books and has Debian's epubcheck
// read them: no error, no warning.
func TestEPUB(t *testing.T) {
	n := newNewsroom(t)
	ctx := context.Background()
	from, to := n.period()
	dir := t.TempDir()
	// Debian's /usr/bin/epubcheck is the jar itself, which runs through
	// binfmt_misc where that is set up: java -jar runs it everywhere.
	jar := realpart.Need(t, "epubcheck", "Debian package epubcheck")
	java := realpart.Need(t, "java", "Debian package default-jre-headless")
	for _, code := range []string{"en", "fa"} {
		r, err := n.maker.Write(ctx, kolokol.BundleEPUB, code, from, to, filepath.Join(dir, code+".epub"))
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(java, "-jar", jar, r.Path).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "No errors or warnings detected") {
			t.Errorf("epubcheck %s: %v\n%s", r.Name, err, out)
		}
		if _, err := VerifyFile(r.Path, n.maker.Signer.Keyring()); err != nil {
			t.Errorf("the book's signature: %v", err)
		}
		// epubcheck passes a book without a cover or with the wrong
		// direction: what a reader sees first is checked here.
		zr, err := zip.OpenReader(r.Path)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string]string{}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			files[f.Name] = string(b)
		}
		zr.Close()
		dir := map[string]string{"en": "ltr", "fa": "rtl"}[code]
		b, err := n.maker.Render.Bundle(ctx, code, from, to)
		if err != nil {
			t.Fatal(err)
		}
		opf, cov, svg := files["EPUB/package.opf"], files["EPUB/cover.xhtml"], files["EPUB/cover.svg"]
		for _, want := range []string{`properties="cover-image"`, `href="cover.svg"`, `<dc:language>` + b.Lang + `</dc:language>`} {
			if !strings.Contains(opf, want) {
				t.Errorf("%s package document lacks %s:\n%s", code, want, opf)
			}
		}
		if rtl := strings.Contains(opf, `page-progression-direction="rtl"`); rtl != (dir == "rtl") {
			t.Errorf("%s book: right-to-left page progression %v, want %v", code, rtl, dir == "rtl")
		}
		if !strings.Contains(cov, `lang="`+b.Lang+`"`) || !strings.Contains(cov, `dir="`+dir+`"`) || !strings.Contains(cov, `src="cover.svg"`) {
			t.Errorf("%s cover page:\n%s", code, cov)
		}
		for _, want := range []string{`xml:lang="` + b.Lang + `"`, `direction="` + dir + `"`, ">" + html.EscapeString(b.Brand) + "<", ">" + html.EscapeString(b.Period) + "<"} {
			if !strings.Contains(svg, want) {
				t.Errorf("%s cover picture lacks %s:\n%s", code, want, svg)
			}
		}
	}
}

// TestNothingHalfWritten: a period without stories, or a bundle that
// cannot be made, leaves no file, and no signature, where a mirror or a
// reader would pick it up.
func TestNothingHalfWritten(t *testing.T) {
	n := newNewsroom(t)
	ctx := context.Background()
	dir := t.TempDir()
	long := n.now.Add(-400 * 24 * time.Hour)
	for _, kind := range []kolokol.BundleKind{kolokol.BundleZIM, kolokol.BundleEPUB} {
		if _, err := n.maker.Write(ctx, kind, "fa", long, long.Add(24*time.Hour), filepath.Join(dir, "fa."+string(kind))); !errors.Is(err, ErrEmpty) || !strings.Contains(err.Error(), "nothing to put in a bundle") {
			t.Errorf("%s of an empty period: %v", kind, err)
		}
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		from, to := n.period()
		if _, err := n.maker.Write(cancelled, kind, "fa", from, to, filepath.Join(dir, "fa."+string(kind))); err == nil {
			t.Errorf("%s with a cancelled context was written", kind)
		}
	}
	if _, err := n.maker.Write(ctx, "pdf", "fa", long, n.now, filepath.Join(dir, "fa.pdf")); err == nil {
		t.Error("a pdf was made")
	}
	left, _ := os.ReadDir(dir)
	for _, e := range left {
		t.Errorf("left behind: %s", e.Name())
	}
}
