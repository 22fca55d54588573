// Package epub writes EPUB 3 books: a newsroom's digest of stories that
// reads on any phone or e-reader with no connection once delivered.
//
// A Book is checked whole before a byte is written: a bad book gets an
// error naming the problem and no output. Output is deterministic: the
// same Book gives the same bytes (zip times come from Book.Modified).
//
// Everything lives beside the package document under EPUB/, flat, so a
// chapter shows a picture or links another chapter by its bare name. A
// book carries nothing from another host: a chapter's picture must be
// one of Book.Images (any other picture is left out), and a relative
// link to anything but a chapter loses its href (its text stays), as
// EPUB links may lead only to the documents a reader pages through; a
// link to an id the target does not have goes to the chapter's top.
// Links to http, https and mailto addresses stay: a reader follows them
// only by choice.
package epub

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Book is an EPUB 3 book.
type Book struct {
	ID          string    // unique identifier, e.g. "urn:uuid:…" or "https://news.example.org/fa/#digest-2026-12-01"
	Title       string    // required
	Language    string    // BCP 47: "fa", "en", "sr-Latn", "prs"; required
	Dir         string    // "ltr" or "rtl" ("" is "ltr"): rtl sets page-progression-direction="rtl"; dir is on every document
	Creator     string    // the newsroom
	Publisher   string    //
	Description string    //
	Date        time.Time // the period's end (dc:date); left out when zero
	Modified    time.Time // dcterms:modified and the zip entries' time; required
	Cover       *Image    // optional cover picture, shown on a cover page (cover.xhtml)
	CoverTitle  string    // text on the cover page under the picture (the book's Title if empty)
	Stylesheet  []byte    // one CSS file (style.css) every document links; none when empty
	NavTitle    string    // the navigation document's heading in the book's language (the Title if empty)
	Chapters    []Chapter // in reading order; at least one
	Images      []Image   // pictures the chapters show; each must be shown by one
}

// Chapter is one document of the book. Its Title is its <h1>, then Body.
type Chapter struct {
	Name  string // file name, [a-z0-9-]+\.xhtml, e.g. "a123.xhtml"
	Title string // in the navigation document, <title> and the chapter's <h1>
	Lang  string // "" means the book's
	Dir   string // "" means the book's
	Body  string // an HTML fragment, converted with XHTML
}

// Image is a picture in the book. WebP is a core media type of EPUB 3.3,
// but epubcheck 4 (Debian's 4.2.6) still asks a fallback for it (MED-003):
// where that check must pass, give JPEG, PNG, GIF or SVG.
type Image struct {
	Name string // [a-z0-9-]+\.(jpg|jpeg|png|gif|webp|svg); chapters refer to it by this bare name
	MIME string // "image/jpeg", "image/png", "image/gif", "image/webp" or "image/svg+xml", agreeing with Name and Data
	Data []byte
}

// Limits on a book: far above a digest of a few thousand stories, low
// enough that a mistake fails with a message before it fills a disk.
const (
	maxChapters = 20000
	maxImages   = 20000
	maxImage    = 32 << 20
	maxCSS      = 1 << 20
	maxBook     = 1 << 30
	maxText     = 4096
	maxDesc     = 64 << 10
)

// Names of the book's own files, which chapters and images may not take.
const (
	navName    = "nav.xhtml"
	coverName  = "cover.xhtml"
	cssName    = "style.css"
	opfName    = "package.opf"
	contentDir = "EPUB/"
)

var (
	chapterName = regexp.MustCompile(`^[a-z0-9-]+\.xhtml$`)
	imageName   = regexp.MustCompile(`^[a-z0-9-]+\.(jpg|jpeg|png|gif|webp|svg)$`)
)

// mimeOf gives the media type an image's name promises.
var mimeOf = map[string]string{
	"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
	"gif": "image/gif", "webp": "image/webp", "svg": "image/svg+xml",
}

// check validates everything about b that does not need its chapters
// converted.
func (b *Book) check() error {
	if b == nil {
		return fmt.Errorf("no book")
	}
	if len(b.Chapters) == 0 {
		return fmt.Errorf("no chapters: nothing to put in the book")
	}
	for _, f := range []struct {
		name, val string
		required  bool
		max       int
	}{
		{"ID", b.ID, true, maxText},
		{"Title", b.Title, true, maxText},
		{"Language", b.Language, true, maxText},
		{"Creator", b.Creator, false, maxText},
		{"Publisher", b.Publisher, false, maxText},
		{"Description", b.Description, false, maxDesc},
		{"CoverTitle", b.CoverTitle, false, maxText},
		{"NavTitle", b.NavTitle, false, maxText},
	} {
		if err := checkText(f.name, f.val, f.required, f.max); err != nil {
			return err
		}
	}
	if !validLang(b.Language) {
		return fmt.Errorf("language %q is not a BCP 47 tag", b.Language)
	}
	if b.Dir != "" && b.Dir != "ltr" && b.Dir != "rtl" {
		return fmt.Errorf("direction %q is neither ltr nor rtl", b.Dir)
	}
	if b.Modified.IsZero() {
		return fmt.Errorf("no Modified time: an EPUB needs dcterms:modified")
	}
	if y := b.Modified.UTC().Year(); y < 1980 || y > 2106 {
		return fmt.Errorf("modified time %s is outside the years 1980 to 2106 a zip file can hold", b.Modified.UTC().Format(time.RFC3339))
	}
	if y := b.Date.UTC().Year(); !b.Date.IsZero() && (y < 1 || y > 9999) {
		return fmt.Errorf("date %s is outside the years 1 to 9999", b.Date.UTC().Format(time.RFC3339))
	}
	if len(b.Stylesheet) > maxCSS {
		return fmt.Errorf("stylesheet is %d bytes, more than the limit of %d", len(b.Stylesheet), maxCSS)
	}
	if err := checkCSS(b.Stylesheet); err != nil {
		return fmt.Errorf("stylesheet: %w", err)
	}
	if len(b.Chapters) > maxChapters {
		return fmt.Errorf("%d chapters, more than the limit of %d", len(b.Chapters), maxChapters)
	}
	if len(b.Images) > maxImages {
		return fmt.Errorf("%d images, more than the limit of %d", len(b.Images), maxImages)
	}
	names := map[string]bool{navName: true, coverName: true, cssName: true, opfName: true}
	total := int64(len(b.Stylesheet))
	for i, c := range b.Chapters {
		if !chapterName.MatchString(c.Name) {
			return fmt.Errorf("chapter %d: name %q is not of the form [a-z0-9-]+.xhtml", i+1, c.Name)
		}
		if names[c.Name] {
			return fmt.Errorf("chapter %d: name %q is taken (by another chapter or the book's own file)", i+1, c.Name)
		}
		names[c.Name] = true
		if err := checkText("chapter "+c.Name+": title", c.Title, true, maxText); err != nil {
			return err
		}
		if c.Lang != "" && !validLang(c.Lang) {
			return fmt.Errorf("chapter %s: language %q is not a BCP 47 tag", c.Name, c.Lang)
		}
		if c.Dir != "" && c.Dir != "ltr" && c.Dir != "rtl" {
			return fmt.Errorf("chapter %s: direction %q is neither ltr nor rtl", c.Name, c.Dir)
		}
		if len(c.Body) > maxFragment {
			return fmt.Errorf("chapter %s: body is %d bytes, more than the limit of %d", c.Name, len(c.Body), maxFragment)
		}
		total += int64(len(c.Body))
	}
	images := b.Images
	if b.Cover != nil {
		images = append([]Image{*b.Cover}, images...)
	}
	for i, im := range images {
		what := fmt.Sprintf("image %d", i+1-btoi(b.Cover != nil))
		if b.Cover != nil && i == 0 {
			what = "cover"
		}
		if err := im.check(); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if names[im.Name] {
			return fmt.Errorf("%s: name %q is taken (by another image or the book's own file)", what, im.Name)
		}
		names[im.Name] = true
		total += int64(len(im.Data))
	}
	if total > maxBook {
		return fmt.Errorf("book holds %d bytes, more than the limit of %d", total, maxBook)
	}
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func checkText(name, v string, required bool, max int) error {
	if required && strings.TrimSpace(v) == "" {
		return fmt.Errorf("no %s", name)
	}
	if len(v) > max {
		return fmt.Errorf("%s is %d bytes, more than the limit of %d", name, len(v), max)
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("%s is not UTF-8", name)
	}
	for _, r := range v {
		if !xmlChar(r) {
			return fmt.Errorf("%s holds the character U+%04X, which XML forbids", name, r)
		}
	}
	return nil
}

// check makes sure an image is what its name and media type say: an
// e-reader trusts the manifest, and a checker compares it with the bytes.
func (im *Image) check() error {
	m := imageName.FindStringSubmatch(im.Name)
	if m == nil {
		return fmt.Errorf("name %q is not of the form [a-z0-9-]+.(jpg|jpeg|png|gif|webp|svg)", im.Name)
	}
	if want := mimeOf[m[1]]; im.MIME != want {
		return fmt.Errorf("%s: media type %q does not match its name (want %q)", im.Name, im.MIME, want)
	}
	if len(im.Data) == 0 {
		return fmt.Errorf("%s: no data", im.Name)
	}
	if len(im.Data) > maxImage {
		return fmt.Errorf("%s: %d bytes, more than the limit of %d", im.Name, len(im.Data), maxImage)
	}
	if im.MIME == "image/svg+xml" {
		if err := checkSVG(im.Data); err != nil {
			return fmt.Errorf("%s: %w", im.Name, err)
		}
		return nil
	}
	if got := http.DetectContentType(im.Data); got != im.MIME {
		return fmt.Errorf("%s: the bytes are %s, not %s", im.Name, got, im.MIME)
	}
	return nil
}

// checkSVG accepts a well-formed SVG document that loads nothing: no
// scripts, no foreign objects, no references outside itself (a picture
// that fetched from another host would tell it who reads the book).
func checkSVG(data []byte) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	root := true
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("not well-formed SVG: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root && (se.Name.Local != "svg" || se.Name.Space != "http://www.w3.org/2000/svg") {
			return fmt.Errorf("the bytes are not SVG (root element %q in namespace %q)", se.Name.Local, se.Name.Space)
		}
		root = false
		switch strings.ToLower(se.Name.Local) {
		case "script", "foreignobject":
			return fmt.Errorf("SVG holds a <%s> element", se.Name.Local)
		}
		for _, a := range se.Attr {
			k := strings.ToLower(a.Name.Local)
			if strings.HasPrefix(k, "on") {
				return fmt.Errorf("SVG holds an event attribute %q", a.Name.Local)
			}
			if k == "href" && !strings.HasPrefix(strings.TrimSpace(a.Value), "#") {
				return fmt.Errorf("SVG refers to %q outside itself", a.Value)
			}
			if strings.Contains(strings.ToLower(a.Value), "url(") && !strings.Contains(strings.ReplaceAll(strings.ToLower(a.Value), " ", ""), "url(#") {
				return fmt.Errorf("SVG refers to %q outside itself", a.Value)
			}
		}
	}
	if root {
		return fmt.Errorf("the bytes are not SVG (no root element)")
	}
	return nil
}

// checkCSS refuses a stylesheet an EPUB checker rejects or that would
// load a file: direction and unicode-bidi belong in the markup (dir), and
// the book carries no fonts or pictures for the stylesheet.
func checkCSS(css []byte) error {
	if !utf8.Valid(css) {
		return fmt.Errorf("not UTF-8")
	}
	s := strings.ToLower(string(css))
	if strings.Contains(s, "@import") {
		return fmt.Errorf("@import loads another file; put the rules in this one")
	}
	if strings.Contains(s, "url(") {
		return fmt.Errorf("url() loads a file the book does not carry")
	}
	for _, prop := range []string{"direction", "unicode-bidi"} {
		if i := propIndex(s, prop); i >= 0 {
			return fmt.Errorf("the %q property is not allowed in an EPUB style sheet (the documents carry dir)", prop)
		}
	}
	return nil
}

// propIndex finds prop used as a property name: after the start of a
// block or a declaration, before a colon (so a selector such as
// a.direction:hover is no property).
func propIndex(s, prop string) int {
	for off := 0; ; {
		i := strings.Index(s[off:], prop)
		if i < 0 {
			return -1
		}
		i += off
		before := strings.TrimRight(s[:i], " \t\r\n")
		after := strings.TrimLeft(s[i+len(prop):], " \t\r\n")
		if (before == "" || strings.HasSuffix(before, "{") || strings.HasSuffix(before, ";")) && strings.HasPrefix(after, ":") {
			return i
		}
		off = i + len(prop)
	}
}
