package export

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReaderPagesLoadNoEditor: the newsroom's scripts, the structured
// editor above all, are never on a reader page: every file of a whole
// export (every page, feed and sitemap the site serves) is free of them.
func TestReaderPagesLoadNoEditor(t *testing.T) {
	n := newNewsroom(t)
	out := filepath.Join(t.TempDir(), "mirror")
	run(t, n.exporter(t, out, Options{}))
	pages := 0
	err := filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(filepath.ToSlash(path), filepath.ToSlash(filepath.Join(out, "media"))+"/") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasSuffix(path, ".html") {
			pages++
		}
		for _, script := range []string{"prose.js", "/newsroom/editor.js", "/newsroom/passkeys.js"} {
			if bytes.Contains(b, []byte(script)) {
				t.Errorf("%s refers to %s", path, script)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages < 50 {
		t.Fatalf("only %d pages exported", pages)
	}
}
