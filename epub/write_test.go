package epub

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// opf is the part of a package document the tests read back.
type opf struct {
	Version  string `xml:"version,attr"`
	UID      string `xml:"unique-identifier,attr"`
	Metadata struct {
		Identifier []struct {
			ID    string `xml:"id,attr"`
			Value string `xml:",chardata"`
		} `xml:"http://purl.org/dc/elements/1.1/ identifier"`
		Title    string `xml:"http://purl.org/dc/elements/1.1/ title"`
		Language string `xml:"http://purl.org/dc/elements/1.1/ language"`
		Creator  string `xml:"http://purl.org/dc/elements/1.1/ creator"`
		Date     string `xml:"http://purl.org/dc/elements/1.1/ date"`
		Meta     []struct {
			Property string `xml:"property,attr"`
			Value    string `xml:",chardata"`
		} `xml:"meta"`
	} `xml:"metadata"`
	Items []struct {
		ID         string `xml:"id,attr"`
		Href       string `xml:"href,attr"`
		MediaType  string `xml:"media-type,attr"`
		Properties string `xml:"properties,attr"`
	} `xml:"manifest>item"`
	Spine struct {
		Direction string `xml:"page-progression-direction,attr"`
		Refs      []struct {
			IDRef string `xml:"idref,attr"`
		} `xml:"itemref"`
	} `xml:"spine"`
}

func readEntry(t *testing.T, zr *zip.Reader, name string) []byte {
	t.Helper()
	f, err := zr.Open(name)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return data
}

// langDirOf returns the xml:lang, lang and dir of a document's html and
// body elements.
func langDirOf(t *testing.T, name string, doc []byte) map[string][3]string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	out := map[string][3]string{}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("%s is not well-formed: %v", name, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || (se.Name.Local != "html" && se.Name.Local != "body") {
			continue
		}
		var v [3]string
		for _, a := range se.Attr {
			switch {
			case a.Name.Space == "http://www.w3.org/XML/1998/namespace" && a.Name.Local == "lang":
				v[0] = a.Value
			case a.Name.Space == "" && a.Name.Local == "lang":
				v[1] = a.Value
			case a.Name.Local == "dir":
				v[2] = a.Value
			}
		}
		out[se.Name.Local] = v
	}
}

func TestReadBack(t *testing.T) {
	for _, rtl := range []bool{false, true} {
		b := sampleBook(t, rtl)
		t.Run(b.Language, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, b); err != nil {
				t.Fatal(err)
			}
			raw := buf.Bytes()
			// The OCF wants "mimetype" first, stored, with no extra
			// field: its name at byte 30 and its content at byte 38.
			if string(raw[30:38]) != "mimetype" || string(raw[38:58]) != "application/epub+zip" || raw[28] != 0 || raw[29] != 0 {
				t.Fatalf("mimetype is not the first, bare entry: % x", raw[:64])
			}
			zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
			if err != nil {
				t.Fatal(err)
			}
			if f := zr.File[0]; f.Name != "mimetype" || f.Method != zip.Store {
				t.Fatalf("first entry %s method %d; want mimetype stored", f.Name, f.Method)
			}
			for _, f := range zr.File {
				if !f.Modified.Equal(b.Modified) && f.Name != "mimetype" {
					t.Errorf("%s modified %s; want %s", f.Name, f.Modified, b.Modified)
				}
			}
			if c := string(readEntry(t, zr, "META-INF/container.xml")); !strings.Contains(c, `full-path="EPUB/package.opf"`) {
				t.Fatalf("container.xml does not name the package document:\n%s", c)
			}
			var pkg opf
			if err := xml.Unmarshal(readEntry(t, zr, "EPUB/package.opf"), &pkg); err != nil {
				t.Fatal(err)
			}
			m := pkg.Metadata
			if len(m.Identifier) != 1 || m.Identifier[0].ID != pkg.UID || m.Identifier[0].Value != b.ID ||
				m.Title != b.Title || m.Language != b.Language || m.Creator != b.Creator || m.Date != "2026-12-01T00:00:00Z" {
				t.Errorf("metadata %+v does not match the book", m)
			}
			if len(m.Meta) == 0 || m.Meta[0].Property != "dcterms:modified" || m.Meta[0].Value != "2026-12-01T06:00:00Z" {
				t.Errorf("dcterms:modified is %+v", m.Meta)
			}
			wantDir := ""
			if rtl {
				wantDir = "rtl"
			}
			if pkg.Spine.Direction != wantDir {
				t.Errorf("page-progression-direction %q; want %q", pkg.Spine.Direction, wantDir)
			}
			inZip := map[string]bool{}
			for _, f := range zr.File {
				inZip[f.Name] = true
			}
			listed := map[string]bool{}
			ids := map[string]string{}
			props := map[string]string{}
			for _, it := range pkg.Items {
				name := "EPUB/" + it.Href
				if !inZip[name] {
					t.Errorf("manifest item %s is not in the zip", it.Href)
				}
				listed[name] = true
				ids[it.ID] = it.Href
				props[it.Href] = it.Properties
			}
			for name := range inZip {
				if !listed[name] && name != "mimetype" && name != "META-INF/container.xml" && name != "EPUB/package.opf" {
					t.Errorf("%s is in the zip but not in the manifest", name)
				}
			}
			if props["nav.xhtml"] != "nav" || props["cover.jpg"] != "cover-image" {
				t.Errorf("manifest properties %v; want nav and cover-image", props)
			}
			var spine []string
			for _, r := range pkg.Spine.Refs {
				spine = append(spine, ids[r.IDRef])
			}
			if got := strings.Join(spine, " "); got != "cover.xhtml nav.xhtml a1.xhtml a2.xhtml a3.xhtml" {
				t.Errorf("spine %s", got)
			}
			// Every document says its language and direction, alike on
			// html and body, for xml:lang and lang.
			want := map[string][2]string{"nav.xhtml": {b.Language, b.Dir}, "cover.xhtml": {b.Language, b.Dir}}
			for _, c := range b.Chapters {
				lang, dir := c.lang(b)
				want[c.Name] = [2]string{lang, dir}
			}
			for name, ld := range want {
				got := langDirOf(t, name, readEntry(t, zr, "EPUB/"+name))
				for _, el := range []string{"html", "body"} {
					if v := got[el]; v != [3]string{ld[0], ld[0], ld[1]} {
						t.Errorf("%s: <%s> xml:lang, lang, dir = %q; want %q, %q", name, el, v, ld[0], ld[1])
					}
				}
			}
			var again bytes.Buffer
			if err := Write(&again, sampleBook(t, rtl)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(raw, again.Bytes()) {
				t.Error("the same book written twice gave different bytes")
			}
		})
	}
}

func TestMinimalBook(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, minimalBook()); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, " "); got != "mimetype META-INF/container.xml EPUB/package.opf EPUB/nav.xhtml EPUB/only.xhtml" {
		t.Errorf("entries %s", got)
	}
	for _, name := range []string{"EPUB/package.opf", "EPUB/nav.xhtml", "EPUB/only.xhtml"} {
		doc := string(readEntry(t, zr, name))
		for _, absent := range []string{"cover", "style.css", "dc:date", "dc:creator", "page-progression-direction"} {
			if strings.Contains(doc, absent) {
				t.Errorf("%s mentions %s, which the book does not have:\n%s", name, absent, doc)
			}
		}
	}
	if got := langDirOf(t, "only.xhtml", readEntry(t, zr, "EPUB/only.xhtml"))["body"]; got != [3]string{"sr-Cyrl", "sr-Cyrl", "ltr"} {
		t.Errorf("body xml:lang, lang, dir = %q", got)
	}
}

// TestLinks shows what becomes of each kind of link in a chapter.
func TestLinks(t *testing.T) {
	b := sampleBook(t, false)
	b.Chapters[0].Body = `<p id="top"><a href="a2.xhtml#more">1</a> <a href="a2.xhtml#nowhere">2</a> <a href="#top">3</a>
<a href="#gone">4</a> <a href="missing.xhtml">5</a> <a href="../a2.xhtml">6</a> <a href="a2.xhtml?x=1">7</a>
<a href="https://example.org/x">8</a> <a href="i2.jpg">9</a> <a href="nav.xhtml">10</a></p>
<img src="i1.jpg" alt="shown"><img src="cover.jpg" alt="the cover"><img src="other.jpg" alt="not in the book"><img src="https://example.org/t.gif" alt="remote"><img src="i1.jpg?x" alt="query">`
	var buf bytes.Buffer
	if err := Write(&buf, b); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(readEntry(t, zr, "EPUB/a1.xhtml"))
	for _, want := range []string{
		`<a href="a2.xhtml#more">1</a>`, `<a href="a2.xhtml">2</a>`, `<a href="#top">3</a>`,
		`<a>4</a>`, `<a>5</a>`, `<a>6</a>`, `<a>7</a>`,
		`<a href="https://example.org/x">8</a>`, `<a>9</a>`, `<a>10</a>`,
		`<img src="i1.jpg" alt="shown"/>`, `<img src="cover.jpg" alt="the cover"/>`,
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("chapter lacks %s:\n%s", want, doc)
		}
	}
	for _, gone := range []string{"other.jpg", "example.org/t.gif", "i1.jpg?x"} {
		if strings.Contains(doc, gone) {
			t.Errorf("chapter still shows %s:\n%s", gone, doc)
		}
	}
}

func TestBadBook(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Book)
		want   string
	}{
		{"nil", nil, "no book"},
		{"no chapters", func(b *Book) { b.Chapters = nil; b.Images = nil }, "no chapters: nothing to put in the book"},
		{"no title", func(b *Book) { b.Title = " " }, "no Title"},
		{"no language", func(b *Book) { b.Language = "" }, "no Language"},
		{"bad language", func(b *Book) { b.Language = "english language" }, `language "english language" is not a BCP 47 tag`},
		{"no identifier", func(b *Book) { b.ID = "" }, "no ID"},
		{"no modified time", func(b *Book) { b.Modified = time.Time{} }, "no Modified time"},
		{"bad direction", func(b *Book) { b.Dir = "up" }, `direction "up" is neither ltr nor rtl`},
		{"control character in title", func(b *Book) { b.Title = "a\x01b" }, "Title holds the character U+0001"},
		{"title not UTF-8", func(b *Book) { b.Title = "caf\xe9" }, "Title is not UTF-8"},
		{"duplicate chapter", func(b *Book) { b.Chapters[1].Name = "a1.xhtml" }, `chapter 2: name "a1.xhtml" is taken`},
		{"chapter takes the navigation's name", func(b *Book) { b.Chapters[0].Name = "nav.xhtml" }, `chapter 1: name "nav.xhtml" is taken`},
		{"chapter name climbs", func(b *Book) { b.Chapters[0].Name = "../x.xhtml" }, `chapter 1: name "../x.xhtml" is not of the form`},
		{"chapter name in capitals", func(b *Book) { b.Chapters[0].Name = "A.XHTML" }, `chapter 1: name "A.XHTML" is not of the form`},
		{"chapter without title", func(b *Book) { b.Chapters[0].Title = "" }, "no chapter a1.xhtml: title"},
		{"chapter language", func(b *Book) { b.Chapters[0].Lang = "x_y" }, `chapter a1.xhtml: language "x_y"`},
		{"chapter body too deep", func(b *Book) { b.Chapters[1].Body = strings.Repeat("<span>", 300) }, "chapter a2.xhtml: HTML fragment nests elements deeper"},
		{"duplicate image", func(b *Book) { b.Images[1].Name = "i1.jpg" }, `image 2: name "i1.jpg" is taken`},
		{"image named like the cover", func(b *Book) { b.Images[0].Name = "cover.jpg" }, `image 1: name "cover.jpg" is taken`},
		{"image name climbs", func(b *Book) { b.Images[0].Name = "../i1.jpg" }, `image 1: name "../i1.jpg" is not of the form`},
		{"image bytes are not its type", func(b *Book) { b.Images[0].Data = pngBytes(t) }, "image 1: i1.jpg: the bytes are image/png, not image/jpeg"},
		{"image type not its name", func(b *Book) { b.Images[0].MIME = "image/png" }, `image 1: i1.jpg: media type "image/png" does not match its name`},
		{"cover bytes are text", func(b *Book) { b.Cover.Data = []byte("hello") }, "cover: cover.jpg: the bytes are text/plain"},
		{"image no chapter shows", func(b *Book) {
			b.Images = append(b.Images, Image{Name: "extra.png", MIME: "image/png", Data: pngBytes(t)})
		}, "image extra.png: no chapter shows it"},
		{"image shown only by a remote address", func(b *Book) {
			b.Images = append(b.Images, Image{Name: "i9.png", MIME: "image/png", Data: pngBytes(t)})
			b.Chapters[0].Body += `<img src="https://example.org/i9.png">`
		}, "image i9.png: no chapter shows it"},
		{"svg with a script", func(b *Book) {
			b.Images = append(b.Images, Image{Name: "s.svg", MIME: "image/svg+xml", Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>`)})
		}, "s.svg: SVG holds a <script> element"},
		{"svg loading from a host", func(b *Book) {
			b.Images = append(b.Images, Image{Name: "s.svg", MIME: "image/svg+xml", Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="https://t.example/p.png"/></svg>`)})
		}, `s.svg: SVG refers to "https://t.example/p.png" outside itself`},
		{"stylesheet sets direction", func(b *Book) { b.Stylesheet = []byte("body { direction : rtl }") }, `stylesheet: the "direction" property is not allowed`},
		{"stylesheet sets unicode-bidi", func(b *Book) { b.Stylesheet = []byte("p{color:red;unicode-bidi:embed}") }, `stylesheet: the "unicode-bidi" property is not allowed`},
		{"modified after zip times end", func(b *Book) { b.Modified = time.Date(2107, 1, 1, 0, 0, 0, 0, time.UTC) }, "outside the years 1980 to 2106"},
		{"stylesheet loads a font", func(b *Book) { b.Stylesheet = []byte("@font-face { src: url(https://f.example/x.woff) }") }, "stylesheet: url() loads a file"},
		{"too many chapters", func(b *Book) { b.Chapters = make([]Chapter, maxChapters+1) }, "more than the limit of 20000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b *Book
			if tc.change != nil {
				b = sampleBook(t, false)
				tc.change(b)
			}
			var buf bytes.Buffer
			err := Write(&buf, b)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Write: %v; want an error with %q", err, tc.want)
			}
			if buf.Len() != 0 {
				t.Errorf("Write wrote %d bytes of a bad book", buf.Len())
			}
			dir := t.TempDir()
			if err := WriteFile(t.Context(), filepath.Join(dir, "book.epub"), b); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("WriteFile: %v; want an error with %q", err, tc.want)
			}
			assertEmpty(t, dir)
		})
	}
}

func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("%s left in %s", e.Name(), dir)
	}
}

var errFull = errors.New("disk full")

// failingWriter takes n bytes, then fails as a full disk does.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) <= w.n {
		w.n -= len(p)
		return len(p), nil
	}
	n := w.n
	w.n = 0
	return n, errFull
}

func TestWriteFails(t *testing.T) {
	b := sampleBook(t, true)
	var whole bytes.Buffer
	if err := Write(&whole, b); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 10, 57, 100, 1000, whole.Len() / 2, whole.Len() - 1} {
		err := Write(&failingWriter{n: n}, b)
		if !errors.Is(err, errFull) {
			t.Errorf("after %d of %d bytes: %v; want %v", n, whole.Len(), err, errFull)
		}
	}
}

// cancelAfter is a context that ends after its Err has been asked n
// times: the way to end one in the middle of a write.
type cancelAfter struct {
	context.Context
	n atomic.Int64
}

func (c *cancelAfter) Err() error {
	if c.n.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

func TestWriteFileCancelled(t *testing.T) {
	b := sampleBook(t, false)
	for _, n := range []int64{0, 1, 3, 8} {
		dir := t.TempDir()
		ctx := &cancelAfter{Context: t.Context()}
		ctx.n.Store(n)
		err := WriteFile(ctx, filepath.Join(dir, "book.epub"), b)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled after %d checks: %v; want %v", n, err, context.Canceled)
		}
		assertEmpty(t, dir)
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "digest.epub")
	// An earlier book stays whole when a new one fails.
	if err := os.WriteFile(path, []byte("old book"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := WriteFile(ctx, path, sampleBook(t, false)); !errors.Is(err, context.Canceled) {
		t.Fatalf("WriteFile with a cancelled context: %v", err)
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != "old book" {
		t.Fatalf("the earlier file is %q, %v", got, err)
	}
	b := sampleBook(t, false)
	if err := WriteFile(t.Context(), path, b); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := Write(&want, b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Error("WriteFile and Write gave different bytes")
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v; want 0644", fi.Mode().Perm())
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 {
		t.Errorf("%d files in the directory; want the book alone", len(ents))
	}
	if err := WriteFile(t.Context(), filepath.Join(dir, "no-such-dir", "x.epub"), b); err == nil {
		t.Error("WriteFile into a missing directory succeeded")
	}
}

// FuzzBook writes a book around a fuzzed chapter body and a fuzzed
// picture: a book is refused, or every document in it is well-formed.
func FuzzBook(f *testing.F) {
	f.Add(tortureBody, []byte(svgChart), "chart.svg", []byte(css))
	f.Add(`<p><a href="a2.xhtml#x">x</a><img src="i1.png"></p>`, pngBytes(f), "i1.png", []byte("p{direction:rtl}"))
	f.Add(`<b>x<ul><li>y</ul>`, []byte(`<svg xmlns="http://www.w3.org/2000/svg"><a href="https://x"/></svg>`), "s.svg", []byte("@import 'x.css';"))
	f.Add(`<img src="i.gif">`, []byte("GIF89a"), "i.gif", []byte("p{background:URL(x.png)}"))
	f.Fuzz(func(t *testing.T, body string, pic []byte, name string, style []byte) {
		mime := map[string]string{".svg": "image/svg+xml", ".png": "image/png", ".gif": "image/gif", ".jpg": "image/jpeg", ".webp": "image/webp"}[filepath.Ext(name)]
		b := &Book{
			ID: "urn:x", Title: "T", Language: "en", Modified: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
			Chapters:   []Chapter{{Name: "a1.xhtml", Title: "one", Body: body}, {Name: "a2.xhtml", Title: "two", Body: `<p id="x">x</p>`}},
			Images:     []Image{{Name: name, MIME: mime, Data: pic}},
			Stylesheet: style,
		}
		var buf bytes.Buffer
		if err := Write(&buf, b); err != nil {
			if buf.Len() != 0 {
				t.Fatalf("refused (%v) after writing %d bytes", err, buf.Len())
			}
			return
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatalf("output is not a zip: %v", err)
		}
		if low := strings.ToLower(string(style)); strings.Contains(low, "url(") || strings.Contains(low, "@import") {
			t.Fatalf("stylesheet %q that loads a file was accepted", style)
		}
		for _, doc := range []string{"EPUB/package.opf", "EPUB/nav.xhtml", "EPUB/a1.xhtml", "EPUB/a2.xhtml"} {
			data := readEntry(t, zr, doc)
			d := xml.NewDecoder(bytes.NewReader(data))
			for {
				tok, err := d.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("%s is not well-formed: %v\n%s", doc, err, data)
				}
				if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "script" {
					t.Fatalf("%s holds a script:\n%s", doc, data)
				}
			}
		}
	})
}
