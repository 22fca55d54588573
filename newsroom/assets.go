package newsroom

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kolokol/kolokol"
)

//go:embed static/newsroom.css
var newsroomCSS []byte

//go:embed static/passkeys.js
var passkeysJS []byte

//go:embed static/editor.js
var editorJS []byte

// proseJS is the structured editor (ProseMirror), built from editor/ by
// scripts/editor.sh; scripts/test.sh fails when it is stale.
//
//go:embed static/prose.js
var proseJS []byte

// serveJS serves the passkeys script. The newsroom's two scripts are
// enhancements (every page works without them), and never on a reader page.
func serveJS(w http.ResponseWriter, r *http.Request) { writeJS(w, passkeysJS) }

// serveEditorJS serves the story editor's script: the warning before
// leaving unsaved changes, and the working copy kept every few seconds.
func serveEditorJS(w http.ResponseWriter, r *http.Request) { writeJS(w, editorJS) }

// serveProseJS serves the structured editor over the body's textarea. It
// is revalidated like the others (no-cache) so a new binary's editor is
// never mixed with an old page; being large, it carries an ETag for the
// 304 and goes gzipped to the browsers that take it.
func serveProseJS(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("ETag", proseETag)
	h.Add("Vary", "Accept-Encoding")
	if r.Header.Get("If-None-Match") == proseETag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		writeJS(w, proseJS)
		return
	}
	h.Set("Content-Encoding", "gzip")
	writeJS(w, proseGzip())
}

// proseETag names the embedded bundle's bytes.
var proseETag = func() string {
	sum := sha256.Sum256(proseJS)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}()

// proseGzip is the bundle compressed once, when first asked for: the
// binary's other commands never pay for it.
var proseGzip = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression) // a valid level: no error
	zw.Write(proseJS)
	zw.Close()
	return b.Bytes()
})

func writeJS(w http.ResponseWriter, js []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.Write(js)
}

// serveCSS serves the newsroom's own few rules; the reader stylesheet does
// the rest, so readers never download the newsroom's.
func serveCSS(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.Write(newsroomCSS)
}

var funcs = template.FuncMap{
	"join": strings.Join,
	// latinScript: the scripts Latin addresses romanize (kolokol.Romanize).
	"latinScript": func(script string) bool { return script == "Cyrl" || script == "Geor" || script == "Armn" },
	"now":         time.Now,
	"has": func(list []string, s string) bool {
		for _, v := range list {
			if v == s {
				return true
			}
		}
		return false
	},
	"active":    func(b *kolokol.Breaking) bool { return b.Active(time.Now()) },
	"count":     count,
	"thousands": thousands,
}

// thousands is n with its thousands grouped, "1,234": a count an editor
// reads at a glance.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// count is n with its noun in the English newsroom's singular or plural:
// "1 story", "2 stories".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
