package mirror

import (
	"path"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheckPath(t *testing.T) {
	for _, p := range []string{"index.html", "ru/a/12-паром-вернулся/index.html", "fa/a/7-بازگشت-کشتی/", "media/ab.webp",
		"kolokol.pub", "next-page.html", "a/manifest.json", ".well-known/security.txt", "..x/y", "x..y"} {
		if strings.HasSuffix(p, "/") {
			continue
		}
		if err := CheckPath(p); err != nil {
			t.Errorf("%q refused: %v", p, err)
		}
	}
	for _, p := range []string{"", "/etc/passwd", "../x", "a/../../x", "a/..", "./a", "a/./b", "a//b", "a/", `a\b`, `..\x`,
		"a\x00b", "a\nb", "a\x7fb", "\xff", strings.Repeat("a", 256), strings.Repeat("a/", 600),
		"manifest.json", "manifest.json.minisig", "SHA256SUMS", "SHA256SUMS.minisig", "next-manifest.json",
		"next-SHA256SUMS.minisig", ".kolokol-staging", ".kolokol-staging/x"} {
		if err := CheckPath(p); err == nil {
			t.Errorf("%q accepted", p)
		}
	}
}

// FuzzCheckPath: whatever CheckPath accepts stays inside any root once
// joined to it, by the standard library's own account, and names no file
// the protocol keeps.
func FuzzCheckPath(f *testing.F) {
	for _, s := range []string{"index.html", "ru/a/1-x/index.html", "../x", "a/../b", "/abs", `a\b`, "a//b", "a/./b",
		"manifest.json", "next-manifest.json", ".kolokol-staging/x", "a\x00b", "…/…", "C:x", "~/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if CheckPath(p) != nil {
			return
		}
		if !utf8.ValidString(p) || !filepath.IsLocal(p) || !path.IsAbs("/"+p) || path.Clean(p) != p {
			t.Fatalf("accepted %q, which is not a clean local path", p)
		}
		joined := filepath.Join("/srv/mirror", p)
		if !strings.HasPrefix(joined, "/srv/mirror/") {
			t.Fatalf("accepted %q, which joins to %q", p, joined)
		}
		if strings.ContainsAny(p, "\\\x00") || reserved(p) {
			t.Fatalf("accepted %q", p)
		}
	})
}
