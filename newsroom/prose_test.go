package newsroom

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestProseServed: the structured editor's bundle is served whole, gzipped
// to browsers that take it, and as a 304 to one that has these bytes.
func TestProseServed(t *testing.T) {
	if len(proseJS) < 1000 || !bytes.Contains(proseJS, []byte("data-editor-ready")) {
		t.Fatalf("the embedded prose.js (%d bytes) is not the editor: run scripts/editor.sh", len(proseJS))
	}
	get := func(h ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/newsroom/prose.js", nil)
		for i := 0; i+1 < len(h); i += 2 {
			r.Header.Set(h[i], h[i+1])
		}
		w := httptest.NewRecorder()
		serveProseJS(w, r)
		return w
	}
	plain := get()
	if plain.Code != 200 || !bytes.Equal(plain.Body.Bytes(), proseJS) || plain.Header().Get("Content-Encoding") != "" {
		t.Errorf("plain: %d, %d bytes, encoding %q", plain.Code, plain.Body.Len(), plain.Header().Get("Content-Encoding"))
	}
	if ct := plain.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("content type %q", ct)
	}
	zipped := get("Accept-Encoding", "gzip, br")
	if zipped.Header().Get("Content-Encoding") != "gzip" || zipped.Body.Len() >= len(proseJS) {
		t.Fatalf("gzip: encoding %q, %d bytes", zipped.Header().Get("Content-Encoding"), zipped.Body.Len())
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	back, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(back, proseJS) {
		t.Errorf("the gzipped bundle does not unzip to the bundle (%v)", err)
	}
	etag := plain.Header().Get("ETag")
	if etag == "" || zipped.Header().Get("ETag") != etag {
		t.Fatalf("ETag %q, gzipped %q", etag, zipped.Header().Get("ETag"))
	}
	if again := get("If-None-Match", etag); again.Code != http.StatusNotModified || again.Body.Len() != 0 {
		t.Errorf("revalidation: %d with %d bytes", again.Code, again.Body.Len())
	}
	if other := get("If-None-Match", `"other"`); other.Code != 200 {
		t.Errorf("another ETag: %d", other.Code)
	}
}

// TestEditorOnStoryPagesOnly: the story pages load the structured editor;
// the newsroom's other pages do not, and a story the editor may not change
// (its form is read-only) does not either.
func TestEditorOnStoryPagesOnly(t *testing.T) {
	rig := newClockRig(t)
	a := rig.story("fa")
	const script = `<script src="/newsroom/prose.js" defer></script>`
	for _, path := range []string{"/newsroom/stories/new?service=fa", fmt.Sprintf("/newsroom/stories/%d", a.ID)} {
		code, page := rig.do("GET", path, nil)
		if code != 200 || !strings.Contains(page, script) {
			t.Errorf("%s: %d, loads the editor: %v", path, code, strings.Contains(page, script))
		}
		// The textarea the editor takes over is still the form's field.
		if !strings.Contains(page, `<textarea id="body"`) || !strings.Contains(page, `name="body"`) {
			t.Errorf("%s: no body textarea", path)
		}
	}
	for _, path := range []string{"/newsroom/?service=fa", "/newsroom/account", fmt.Sprintf("/newsroom/stories/%d/revisions", a.ID)} {
		code, page := rig.do("GET", path, nil)
		if code != 200 || strings.Contains(page, "prose.js") {
			t.Errorf("%s: %d, loads the editor: %v", path, code, strings.Contains(page, "prose.js"))
		}
	}
}
