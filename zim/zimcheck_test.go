package zim

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kolokol/kolokol/internal/realpart"
)

// TestZimcheck: zimcheck reports nothing at all (no error, no warning) on
// an English and a Persian archive.
func TestZimcheck(t *testing.T) {
	for _, s := range []service{english, persian} {
		t.Run(s.lang3, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), s.name+".zim")
			if err := WriteFile(context.Background(), file, sample(t, s)); err != nil {
				t.Fatal(err)
			}
			for _, l := range realpart.Zimcheck(t, file) {
				t.Errorf("zimcheck %s %s: %s", l.Level, l.Check, l.Message)
			}
		})
	}
}

// TestZimcheckFindsBreakage shows the test above can fail: each broken
// archive gets the error zimcheck should find. Those missing metadata are
// written past Write's own validation, which refuses them.
func TestZimcheckFindsBreakage(t *testing.T) {
	inStory := func(html string) func(*Archive) {
		return func(a *Archive) {
			a.Entries[1].Data = bytes.Replace(a.Entries[1].Data, []byte("</body>"), []byte(html+"</body>"), 1)
		}
	}
	for _, c := range []struct {
		name, check string
		breakIt     func(*Archive)
	}{
		{"broken internal link", "url_internal", inStory(`<a href="9.html">nine</a>`)},
		{"link out of the archive", "url_internal", inStory(`<a href="../../x.html">x</a>`)},
		{"picture from another host", "url_external", inStory(`<img src="https://example.org/x.png" alt="">`)},
		{"picture from a scheme-relative host", "url_external", inStory(`<img src="//example.org/x.png" alt="">`)},
		{"no Creator", "metadata", func(a *Archive) { a.Metadata.Creator = "" }},
		{"no Language", "metadata", func(a *Archive) { a.Metadata.Language = "" }},
		{"no illustration", "favicon", func(a *Archive) { a.Metadata.Illustration48 = nil }},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := sample(t, persian)
			c.breakIt(a)
			p, err := newPlan(context.Background(), a)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := p.write(context.Background(), &b); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(t.TempDir(), "broken.zim")
			if err := writeBytes(file, b.Bytes()); err != nil {
				t.Fatal(err)
			}
			var found []string
			for _, l := range realpart.Zimcheck(t, file) {
				if l.Level == "ERROR" && l.Check == c.check {
					return
				}
				found = append(found, l.Level+" "+l.Check+": "+l.Message)
			}
			t.Errorf("zimcheck found no %s error; it said: %s", c.check, strings.Join(found, "; "))
		})
	}
}
