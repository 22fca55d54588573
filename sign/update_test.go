package sign

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nextSite is edition 11 of site(): one page changed, one file dropped,
// one story added.
func nextSite() map[string]string {
	m := site()
	m["ru/index.html"] = "<!doctype html><title>Новости: 14</title>"
	delete(m, "media/empty.txt")
	m["ru/a/14-new/index.html"] = "<p>new</p>"
	return m
}

func signNext(t *testing.T, s *Signer, edition int64, files map[string]string) *Edition {
	t.Helper()
	var list []File
	for p, body := range files {
		list = append(list, FileFor(p, []byte(body)))
	}
	e, err := s.Sign(Manifest{Origin: testOrigin, Edition: edition, Time: t0.Add(time.Hour), Files: list})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestUpdateInProgress walks the push order that Edition.Files documents
// for a target without rename, one write at a time, and verifies after
// every one: a mirror mid-push is never called tampered.
func TestUpdateInProgress(t *testing.T) {
	s, _ := newSigner(t)
	dir, cur := export(t, s, 10, site())
	next := signNext(t, s, 11, nextSite())
	var steps []func()
	put := func(name string, data []byte) func() {
		return func() { mustWrite(t, filepath.Join(dir, filepath.FromSlash(name)), string(data)) }
	}
	for _, f := range next.Files(true) {
		steps = append(steps, put(f.Name, f.Data))
	}
	for _, f := range next.Parts() {
		steps = append(steps, put(f.Name, f.Data))
	}
	for _, p := range []string{"ru/index.html", "ru/a/14-new/index.html"} {
		steps = append(steps, put(p, []byte(nextSite()[p])))
	}
	steps = append(steps, func() { os.Remove(filepath.Join(dir, "media", "empty.txt")) })
	// The former parts, once the files are as the next edition lists them.
	kept := map[string]bool{}
	for _, p := range next.Manifest.Parts {
		kept[p.Path] = true
	}
	for _, p := range cur.Manifest.Parts {
		if !kept[p.Path] {
			steps = append(steps, func() { os.Remove(filepath.Join(dir, filepath.FromSlash(p.Path))) })
		}
	}
	switching := len(steps) + len(next.Files(false)) - 1
	for _, f := range next.Files(false) {
		steps = append(steps, put(f.Name, f.Data))
	}
	for _, name := range []string{ManifestFile, ManifestFile + SigSuffix, SumsFile, SumsFile + SigSuffix} {
		steps = append(steps, func() { os.Remove(filepath.Join(dir, NextPrefix+name)) })
	}
	for i, step := range steps {
		step()
		r, err := Verify(context.Background(), Dir(dir), Options{Keys: s.Keyring(), MinEdition: 10})
		if err != nil {
			t.Fatalf("after step %d: %v\n%s%q", i+1, err, findings(r), r.Notes)
		}
		if r.Count(Updating) > 0 && r.Next == nil {
			t.Fatalf("step %d: updating findings without a next edition", i+1)
		}
		if i+1 == switching && !r.Switching {
			t.Errorf("step %d: manifest.json.minisig is the new one, manifest.json not yet: want Switching", i+1)
		}
		t.Logf("step %d: edition %d, next %v, %d updating, notes %q", i+1, r.Edition.Edition, r.Next, r.Count(Updating), r.Notes)
	}
	r, err := Verify(context.Background(), Dir(dir), Options{Keys: s.Keyring(), MinEdition: 11})
	if err != nil || r.Edition.Edition != 11 || r.InProgress() || len(r.Findings) != 0 || len(r.Notes) != 0 {
		t.Fatalf("at the end: %v %+v", err, r)
	}
}

func TestUpdateInProgressCases(t *testing.T) {
	s, _ := newSigner(t)
	other, _ := newSigner(t)
	tests := []struct {
		name   string
		change func(t *testing.T, dir string, next *Edition)
		want   []string // findings; "" entries none
		fail   error    // nil: verify succeeds
		note   string   // in the notes
	}{
		{"next signed, nothing uploaded", func(t *testing.T, dir string, next *Edition) {
			next.Write(dir, true)
		}, []string{"updating ru/a/14-new/index.html"}, nil, ""},
		{"a changed page uploaded", func(t *testing.T, dir string, next *Edition) {
			next.Write(dir, true)
			mustWrite(t, filepath.Join(dir, "ru", "index.html"), nextSite()["ru/index.html"])
		}, []string{"updating ru/index.html", "updating ru/a/14-new/index.html"}, nil, ""},
		{"a dropped file removed", func(t *testing.T, dir string, next *Edition) {
			next.Write(dir, true)
			os.Remove(filepath.Join(dir, "media", "empty.txt"))
		}, []string{"updating media/empty.txt", "updating ru/a/14-new/index.html"}, nil, ""},
		{"a new page uploaded", func(t *testing.T, dir string, next *Edition) {
			next.Write(dir, true)
			mustWrite(t, filepath.Join(dir, "ru", "a", "14-new", "index.html"), nextSite()["ru/a/14-new/index.html"])
		}, []string{"updating ru/a/14-new/index.html"}, nil, ""},
		{"a page matching neither edition", func(t *testing.T, dir string, next *Edition) {
			next.Write(dir, true)
			mustWrite(t, filepath.Join(dir, "ru", "index.html"), "<p>fake</p>")
		}, []string{"altered ru/index.html", "updating ru/a/14-new/index.html"}, ErrTampered, ""},
		{"a page both editions list removed", func(t *testing.T, dir string, next *Edition) {
			next.Write(dir, true)
			os.Remove(filepath.Join(dir, "static", "site.css"))
		}, []string{"missing static/site.css", "updating ru/a/14-new/index.html"}, ErrTampered, ""},
		{"a new page that is not the signed one", func(t *testing.T, dir string, next *Edition) {
			next.Write(dir, true)
			mustWrite(t, filepath.Join(dir, "ru", "a", "14-new", "index.html"), "<p>fake</p>")
		}, []string{"altered ru/a/14-new/index.html"}, ErrTampered, ""},
		{"a file neither lists", func(t *testing.T, dir string, next *Edition) {
			next.Write(dir, true)
			mustWrite(t, filepath.Join(dir, "ru", "a", "15-fake", "index.html"), "<p>fake</p>")
		}, []string{"unlisted ru/a/15-fake/index.html", "updating ru/a/14-new/index.html"}, ErrTampered, ""},
		{"next signed by an unknown key: its files are tampering", func(t *testing.T, dir string, _ *Edition) {
			writeNextTop(t, dir, signNext(t, other, 11, nextSite()))
			mustWrite(t, filepath.Join(dir, "ru", "index.html"), nextSite()["ru/index.html"])
		}, []string{"altered ru/index.html"}, ErrTampered, "next-manifest.json ignored: next-manifest.json.minisig is signed by key " + other.id.String()},
		{"next not newer", func(t *testing.T, dir string, _ *Edition) {
			writeNextTop(t, dir, signNext(t, s, 10, nextSite()))
			mustWrite(t, filepath.Join(dir, "ru", "index.html"), nextSite()["ru/index.html"])
		}, []string{"altered ru/index.html"}, ErrTampered, "next-manifest.json ignored: edition 10 is not newer than 10"},
		{"next edited after signing", func(t *testing.T, dir string, next *Edition) {
			writeNextTop(t, dir, next)
			name := filepath.Join(dir, NextPrefix+ManifestFile)
			b, _ := os.ReadFile(name)
			mustWrite(t, name, strings.Replace(string(b), `"edition":11`, `"edition":12`, 1))
			mustWrite(t, filepath.Join(dir, "ru", "index.html"), nextSite()["ru/index.html"])
		}, []string{"altered ru/index.html"}, ErrTampered, "next-manifest.json ignored: next-manifest.json does not match its signature"},
		{"next for another site", func(t *testing.T, dir string, _ *Edition) {
			var list []File
			for p, body := range nextSite() {
				list = append(list, FileFor(p, []byte(body)))
			}
			e, err := s.Sign(Manifest{Origin: "https://other.example.net", Edition: 11, Time: t0, Files: list})
			if err != nil {
				t.Fatal(err)
			}
			writeNextTop(t, dir, e)
		}, nil, nil, "next-manifest.json ignored: it is for https://other.example.net"},
		{"manifest.json replaced, its signature not yet", func(t *testing.T, dir string, next *Edition) {
			writeFiles(t, dir, nextSite())
			os.Remove(filepath.Join(dir, "media", "empty.txt"))
			next.Write(dir, true)
			if err := RemoveStaleParts(dir, &next.Manifest); err != nil {
				t.Fatal(err)
			}
			for _, f := range next.Files(false)[:3] { // up to SHA256SUMS.minisig
				mustWrite(t, filepath.Join(dir, f.Name), string(f.Data))
			}
			mustWrite(t, filepath.Join(dir, ManifestFile), string(next.Files(false)[4].Data))
		}, []string{}, nil, "manifest.json is being replaced by edition 11"},
		{"manifest.json garbled while next is there", func(t *testing.T, dir string, next *Edition) {
			next.Write(dir, true)
			mustWrite(t, filepath.Join(dir, ManifestFile), `{"origin":"https://news.example.org"}`)
		}, nil, ErrBadSignature, ""},
		{"SHA256SUMS of neither edition while next is there", func(t *testing.T, dir string, next *Edition) {
			next.Write(dir, true)
			mustWrite(t, filepath.Join(dir, SumsFile), hashOfEmpty+"  index.html\n")
		}, []string{"altered SHA256SUMS", "updating ru/a/14-new/index.html"}, ErrTampered, ""},
		{"SHA256SUMS already the next edition's", func(t *testing.T, dir string, next *Edition) {
			next.Write(dir, true)
			mustWrite(t, filepath.Join(dir, SumsFile), string(next.Files(false)[1].Data))
		}, []string{"updating SHA256SUMS", "updating ru/a/14-new/index.html"}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, _ := export(t, s, 10, site())
			tt.change(t, dir, signNext(t, s, 11, nextSite()))
			r, err := Verify(context.Background(), Dir(dir), Options{Keys: s.Keyring()})
			if tt.fail == nil && err != nil || tt.fail != nil && !errors.Is(err, tt.fail) {
				t.Fatalf("err %v, want %v\n%s%q", err, tt.fail, findings(r), notesOf(r))
			}
			if tt.want != nil && !has(r, tt.want...) {
				t.Errorf("findings:\n%swant %q", findings(r), tt.want)
			}
			if tt.note != "" && !strings.Contains(strings.Join(notesOf(r), "\n"), tt.note) {
				t.Errorf("notes %q, want %q", notesOf(r), tt.note)
			}
			if tt.fail == nil && r.Count(Updating) > 0 && !r.InProgress() {
				t.Errorf("updating without a next edition")
			}
		})
	}
}

// writeNextTop writes a next edition's signed files without its parts:
// a next manifest that verify ignores, whose parts would be unlisted
// files of their own.
func writeNextTop(t *testing.T, dir string, e *Edition) {
	t.Helper()
	for _, f := range e.Files(true) {
		mustWrite(t, filepath.Join(dir, f.Name), string(f.Data))
	}
}

func notesOf(r *Report) []string {
	if r == nil {
		return nil
	}
	return r.Notes
}
