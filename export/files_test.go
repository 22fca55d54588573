package export

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFileOf(t *testing.T) {
	for _, c := range []struct {
		path, want, err string
	}{
		{"/", "index.html", ""},
		{"/ru/", "ru/index.html", ""},
		{"/ru/a/12-паром/", "ru/a/12-паром/index.html", ""},
		{"/style.css", "style.css", ""},
		{"/media/ab/cd.640.webp", "media/ab/cd.640.webp", ""},
		{"/ru/404.html", "ru/404.html", ""},
		{"/../etc/passwd", "", ".."},
		{"/ru/../../x/", "", ".."},
		{"//etc/passwd", "", "absolute"},
		{"/ru/./a/", "", "."},
		{"/ru//a/", "", "empty"},
		{"/ru\\..\\x", "", "backslash"},
		{"/.git/config", "", "hidden"},
		{"/ru/.well-known/x", "", "hidden"},
		{"/manifest.json", "", "manifest.json"},
		{"/next-manifest.json", "", "next-manifest.json"},
		{"/SHA256SUMS", "", "SHA256SUMS"},
		{"/kolokol.pub", "", "kolokol.pub"},
		{"/ru/a\x00b/", "", ""},
		{"/ru/a\nb/", "", ""},
	} {
		got, err := fileOf(c.path)
		switch {
		case c.want != "" && (err != nil || got != c.want):
			t.Errorf("fileOf(%q) = %q, %v; want %q", c.path, got, err, c.want)
		case c.want == "" && err == nil:
			t.Errorf("fileOf(%q) = %q, want it refused", c.path, got)
		case c.want == "" && !strings.Contains(err.Error(), c.err):
			t.Errorf("fileOf(%q): %v, want it to say %q", c.path, err, c.err)
		}
	}
}

// FuzzFileOf: whatever a slug, media key or route makes, the file is
// inside the export, not hidden, and not one of the signed files.
func FuzzFileOf(f *testing.F) {
	for _, s := range []string{"/", "/ru/a/1-x/", "/../x", "/a/./b", "/.x", "/manifest.json", "/a\\b", "/ä/", "/a//b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		rel, err := fileOf(p)
		if err != nil {
			return
		}
		if filepath.IsAbs(rel) || !filepath.IsLocal(rel) || filepath.Clean(rel) != rel || strings.Contains(rel, "\\") {
			t.Fatalf("fileOf(%q) = %q: not a clean local path", p, rel)
		}
		for _, seg := range strings.Split(rel, "/") {
			if seg == "" || strings.HasPrefix(seg, ".") {
				t.Fatalf("fileOf(%q) = %q: empty or hidden segment", p, rel)
			}
		}
		switch rel {
		case "manifest.json", "SHA256SUMS", "kolokol.pub", "manifest.json.minisig", "SHA256SUMS.minisig", "next-manifest.json", "next-SHA256SUMS":
			t.Fatalf("fileOf(%q) = %q: a signed file", p, rel)
		}
	})
}

// TestSymlinkInTree: a link planted in the output directory (by anyone
// else who can write there) is refused, naming it, and nothing is written
// through it.
func TestSymlinkInTree(t *testing.T) {
	n := newNewsroom(t)
	out := filepath.Join(t.TempDir(), "mirror")
	e := n.exporter(t, out, Options{Services: []string{"ru"}})
	run(t, e)
	elsewhere := t.TempDir()
	if err := os.RemoveAll(filepath.Join(out, "ru", "archive")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(out, "ru", "archive")); err != nil {
		t.Fatal(err)
	}
	_, err := n.exporter(t, out, Options{Services: []string{"ru"}, Full: true}).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "ru/archive") || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("got %v, want the link ru/archive refused", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) > 0 {
		t.Errorf("the export wrote through the link: %v", entries)
	}
}

// TestWriteRefusesLinks: a link planted after its directory was made (the
// tree knows the directory as its own, and writes without a look) is still
// not written through, on the way to a file or in its place.
func TestWriteRefusesLinks(t *testing.T) {
	out := t.TempDir()
	tr, err := openTree(out)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	for _, rel := range []string{"en/a/1-x/index.html", "en/a/2-y/index.html"} {
		if err := tr.write(rel, []byte("page"), false); err != nil {
			t.Fatal(err)
		}
	}
	elsewhere := t.TempDir()
	if err := os.RemoveAll(filepath.Join(out, "en", "a", "1-x")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(out, "en", "a", "1-x")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(elsewhere, "file"), filepath.Join(out, "en", "a", "2-y", "feed.xml")); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"en/a/1-x/index.html", "en/a/2-y/feed.xml"} {
		if err := tr.write(rel, []byte("again"), false); err == nil {
			t.Errorf("%s written through a link", rel)
		}
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) > 0 {
		t.Errorf("the tree wrote through a link: %v", entries)
	}
}
