package zim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/kolokol/kolokol/internal/realpart"
)

// TestKiwixServe: Debian's kiwix-serve serves our files. kiwix-serve 3.3
// names a book after its file name and serves it under /NAME/PATH.
func TestKiwixServe(t *testing.T) {
	bin := realpart.Need(t, "kiwix-serve", "Debian package kiwix-tools")
	dir := t.TempDir()
	var files []string
	archives := map[string]*Archive{}
	for i, s := range []service{english, persian} {
		a := sample(t, s)
		// Kiwix keys its library by UUID: two books need two.
		a.UUID[0] = byte(i + 1)
		file := filepath.Join(dir, s.lang3+".zim")
		if err := WriteFile(context.Background(), file, a); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
		archives[s.lang3] = a
	}
	port := realpart.FreePort(t)
	realpart.Start(t, port, bin, append([]string{"-i", "127.0.0.1", "-p", strconv.Itoa(port)}, files...)...)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)

	get := func(t *testing.T, path string) ([]byte, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", path, resp.Status)
		}
		return body, resp.Header.Get("Content-Type")
	}
	for _, s := range []service{english, persian} {
		t.Run(s.lang3, func(t *testing.T) {
			a := archives[s.lang3]
			for i, h := range s.headlines {
				// kiwix-serve adds its toolbar to HTML; the story's
				// own bytes must be there untouched.
				body, ctype := get(t, fmt.Sprintf("/%s/a/%d.html", s.lang3, i+1))
				if want := []byte("<h1>" + h + "</h1>"); !bytes.Contains(body, want) {
					t.Errorf("story %d: no %q in\n%s", i+1, want, body)
				}
				if want := fmt.Appendf(nil, `<html lang="%s" dir="%s">`, s.lang2, s.dir); !bytes.Contains(body, want) {
					t.Errorf("story %d: no %q", i+1, want)
				}
				if ctype != "text/html" {
					t.Errorf("story %d: Content-Type %q", i+1, ctype)
				}
			}
			for _, e := range a.Entries {
				if e.MIME != "image/jpeg" && e.MIME != "image/png" {
					continue
				}
				body, ctype := get(t, "/"+s.lang3+"/"+e.Path)
				if !bytes.Equal(body, e.Data) || ctype != e.MIME {
					t.Errorf("%s: %d bytes of %q, want %d bytes of %q", e.Path, len(body), ctype, len(e.Data), e.MIME)
				}
			}
			// The title listing of front articles is what Kiwix
			// suggests from, when a file has no Xapian index.
			body, _ := get(t, "/suggest?content="+s.lang3+"&term="+url.QueryEscape(s.headlines[1]))
			if !bytes.Contains(body, []byte(`"path" : "a/2.html"`)) {
				t.Errorf("suggestions for %q do not list a/2.html:\n%s", s.headlines[1], body)
			}
		})
	}
}
