package epub

import (
	"archive/zip"
	"bufio"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Write writes b as an EPUB 3 file to w. It checks and converts the whole
// book first: for a bad book it returns an error and writes nothing.
func Write(w io.Writer, b *Book) error {
	p, err := prepare(b)
	if err != nil {
		return err
	}
	return p.write(context.Background(), w)
}

// WriteFile writes b as an EPUB 3 file at path. It writes a temporary
// file beside path, syncs it and renames it into place, so a mirror that
// picks up path sees the whole book or none: on any error (a bad book, a
// full disk, ctx cancelled) nothing is left behind and an earlier file at
// path is untouched.
func WriteFile(ctx context.Context, path string, b *Book) (err error) {
	p, err := prepare(b)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				f.Close()
			}
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(ctxWriter{ctx, f}, 256<<10)
	if err := p.write(ctx, bw); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// CreateTemp makes the file private; a book is for anyone to copy.
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", tmp, err)
	}
	closed = true
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename %s to %s: %w", tmp, path, err)
	}
	// The rename is durable once the directory is synced. The book is
	// whole at path by now, so a directory that cannot be synced (some
	// file systems refuse) is no reason to report failure.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// ctxWriter stops a long write when its context ends.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// prepared is a book checked and converted, with every document made:
// all that remains is to write the zip.
type prepared struct {
	b        *Book
	opf      []byte
	nav      []byte
	cover    []byte // nil without a cover picture
	chapters [][]byte
}

func prepare(b *Book) (*prepared, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	p := &prepared{b: b}
	type converted struct {
		root *node
		ids  map[string]bool
	}
	conv := make([]converted, len(b.Chapters))
	bl := &bookLinker{
		chapters: map[string]map[string]bool{},
		images:   map[string]bool{},
		shown:    map[string]bool{},
	}
	for i, c := range b.Chapters {
		root, ids, err := clean(c.Body)
		if err != nil {
			return nil, fmt.Errorf("chapter %s: %w", c.Name, err)
		}
		conv[i] = converted{root, ids}
		bl.chapters[c.Name] = ids
	}
	for _, im := range b.Images {
		bl.images[im.Name] = true
	}
	if b.Cover != nil {
		bl.images[b.Cover.Name] = true // a chapter may show it again
	}
	for i, c := range b.Chapters {
		bl.self = c.Name
		lang, dir := c.lang(b)
		var s strings.Builder
		s.Grow(len(c.Body) + 1024)
		p.head(&s, lang, dir, c.Title)
		s.WriteString("<h1>")
		escape(&s, c.Title, false)
		s.WriteString("</h1>\n")
		writeKids(&s, conv[i].root, bl)
		s.WriteString("\n</body>\n</html>\n")
		p.chapters = append(p.chapters, []byte(s.String()))
	}
	for _, im := range b.Images {
		if !bl.shown[im.Name] {
			return nil, fmt.Errorf("image %s: no chapter shows it", im.Name)
		}
	}
	p.nav = p.navDoc()
	if b.Cover != nil {
		p.cover = p.coverDoc()
	}
	p.opf = p.packageDoc()
	return p, nil
}

// lang gives a chapter's language and direction, the book's unless its own.
func (c *Chapter) lang(b *Book) (string, string) {
	lang, dir := b.Language, b.dir()
	if c.Lang != "" {
		lang = c.Lang
	}
	if c.Dir != "" {
		dir = c.Dir
	}
	return lang, dir
}

func (b *Book) dir() string {
	if b.Dir == "" {
		return "ltr"
	}
	return b.Dir
}

// bookLinker keeps a link that leads somewhere in the book (or out of it,
// to the web) and records which pictures the chapters show.
type bookLinker struct {
	self     string                     // the chapter being written
	chapters map[string]map[string]bool // name → the ids it holds
	images   map[string]bool
	shown    map[string]bool
}

func (l *bookLinker) href(v string) (string, bool) {
	u, err := url.Parse(v)
	if err != nil {
		return "", false
	}
	if u.Scheme != "" || u.Host != "" {
		return external(u)
	}
	if u.RawQuery != "" || u.Opaque != "" {
		return "", false
	}
	if u.Path == "" {
		if l.chapters[l.self][u.Fragment] {
			return "#" + u.Fragment, true
		}
		return "", false
	}
	if ids, ok := l.chapters[u.Path]; ok {
		if ids[u.Fragment] {
			return u.Path + "#" + u.Fragment, true
		}
		return u.Path, true
	}
	// A link to a picture, the navigation or the cover goes: an EPUB's
	// links may lead only to the chapters a reader pages through.
	return "", false
}

func (l *bookLinker) src(v string) (string, bool) {
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "" || u.Host != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", false
	}
	if !l.images[u.Path] {
		return "", false
	}
	l.shown[u.Path] = true
	return u.Path, true
}

// head writes an XHTML document's start, up to and with <body>.
func (p *prepared) head(s *strings.Builder, lang, dir, title string) {
	s.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<!DOCTYPE html>\n")
	s.WriteString(`<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"`)
	langDir(s, lang, dir)
	s.WriteString(">\n<head>\n<meta charset=\"UTF-8\"/>\n<title>")
	escape(s, title, false)
	s.WriteString("</title>\n")
	if len(p.b.Stylesheet) > 0 {
		s.WriteString(`<link rel="stylesheet" type="text/css" href="` + cssName + `"/>` + "\n")
	}
	s.WriteString("</head>\n<body")
	langDir(s, lang, dir)
	s.WriteString(">\n")
}

func langDir(s *strings.Builder, lang, dir string) {
	s.WriteString(` xml:lang="`)
	escape(s, lang, true)
	s.WriteString(`" lang="`)
	escape(s, lang, true)
	s.WriteString(`" dir="`)
	escape(s, dir, true)
	s.WriteString(`"`)
}

func (p *prepared) navTitle() string {
	if strings.TrimSpace(p.b.NavTitle) != "" {
		return p.b.NavTitle
	}
	return p.b.Title
}

func (p *prepared) coverTitle() string {
	if strings.TrimSpace(p.b.CoverTitle) != "" {
		return p.b.CoverTitle
	}
	return p.b.Title
}

// navDoc is the navigation document: the table of contents, and the
// landmarks a reading system uses to open the book at its start.
func (p *prepared) navDoc() []byte {
	b := p.b
	var s strings.Builder
	title := p.navTitle()
	p.head(&s, b.Language, b.dir(), title)
	s.WriteString(`<nav epub:type="toc" id="toc">` + "\n<h1>")
	escape(&s, title, false)
	s.WriteString("</h1>\n<ol>\n")
	for _, c := range b.Chapters {
		s.WriteString(`<li><a href="` + c.Name + `"`)
		if lang, dir := c.lang(b); lang != b.Language || dir != b.dir() {
			langDir(&s, lang, dir)
		}
		s.WriteString(">")
		escape(&s, c.Title, false)
		s.WriteString("</a></li>\n")
	}
	s.WriteString("</ol>\n</nav>\n")
	s.WriteString(`<nav epub:type="landmarks" hidden="hidden">` + "\n<ol>\n")
	if b.Cover != nil {
		s.WriteString(`<li><a epub:type="cover" href="` + coverName + `">`)
		escape(&s, p.coverTitle(), false)
		s.WriteString("</a></li>\n")
	}
	s.WriteString(`<li><a epub:type="toc" href="#toc">`)
	escape(&s, title, false)
	s.WriteString("</a></li>\n")
	s.WriteString(`<li><a epub:type="bodymatter" href="` + b.Chapters[0].Name + `">`)
	escape(&s, b.Chapters[0].Title, false)
	s.WriteString("</a></li>\n</ol>\n</nav>\n</body>\n</html>\n")
	return []byte(s.String())
}

func (p *prepared) coverDoc() []byte {
	b := p.b
	var s strings.Builder
	title := p.coverTitle()
	p.head(&s, b.Language, b.dir(), title)
	s.WriteString(`<section epub:type="cover" class="cover">` + "\n")
	s.WriteString(`<img src="` + b.Cover.Name + `" alt="`)
	escape(&s, title, true)
	s.WriteString("\"/>\n<h1>")
	escape(&s, title, false)
	s.WriteString("</h1>\n</section>\n</body>\n</html>\n")
	return []byte(s.String())
}

// packageDoc is the package document (OPF): metadata, manifest, spine.
func (p *prepared) packageDoc() []byte {
	b := p.b
	var s strings.Builder
	s.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	s.WriteString(`<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="book-id"`)
	s.WriteString(` xml:lang="`)
	escape(&s, b.Language, true)
	s.WriteString(`" dir="` + b.dir() + `">` + "\n")
	s.WriteString(`<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">` + "\n")
	meta := func(tag, attrs, v string) {
		if strings.TrimSpace(v) == "" {
			return
		}
		s.WriteString("<" + tag + attrs + ">")
		escape(&s, v, false)
		s.WriteString("</" + tag + ">\n")
	}
	meta("dc:identifier", ` id="book-id"`, b.ID)
	meta("dc:title", "", b.Title)
	meta("dc:language", "", b.Language)
	meta("dc:creator", "", b.Creator)
	meta("dc:publisher", "", b.Publisher)
	meta("dc:description", "", b.Description)
	if !b.Date.IsZero() {
		meta("dc:date", "", b.Date.UTC().Format(time.RFC3339))
	}
	meta("meta", ` property="dcterms:modified"`, b.Modified.UTC().Format("2006-01-02T15:04:05Z"))
	if b.Cover != nil {
		// EPUB 2 reading systems find the cover by this; EPUB 3 ones
		// by the manifest property.
		s.WriteString(`<meta name="cover" content="cover-image"/>` + "\n")
	}
	s.WriteString("</metadata>\n<manifest>\n")
	item := func(id, href, mime, props string) {
		s.WriteString(`<item id="` + id + `" href="` + href + `" media-type="` + mime + `"`)
		if props != "" {
			s.WriteString(` properties="` + props + `"`)
		}
		s.WriteString("/>\n")
	}
	item("nav", navName, "application/xhtml+xml", "nav")
	if b.Cover != nil {
		item("cover", coverName, "application/xhtml+xml", "")
		item("cover-image", b.Cover.Name, b.Cover.MIME, "cover-image")
	}
	if len(b.Stylesheet) > 0 {
		item("css", cssName, "text/css", "")
	}
	for _, c := range b.Chapters {
		item("c-"+c.Name, c.Name, "application/xhtml+xml", "")
	}
	for _, im := range b.Images {
		item("i-"+im.Name, im.Name, im.MIME, "")
	}
	s.WriteString("</manifest>\n<spine")
	if b.dir() == "rtl" {
		s.WriteString(` page-progression-direction="rtl"`)
	}
	s.WriteString(">\n")
	if b.Cover != nil {
		s.WriteString(`<itemref idref="cover"/>` + "\n")
	}
	s.WriteString(`<itemref idref="nav"/>` + "\n")
	for _, c := range b.Chapters {
		s.WriteString(`<itemref idref="c-` + c.Name + `"/>` + "\n")
	}
	s.WriteString("</spine>\n</package>\n")
	return []byte(s.String())
}

const container = `<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles>
<rootfile full-path="` + contentDir + opfName + `" media-type="application/oebps-package+xml"/>
</rootfiles>
</container>
`

// write writes the zip: the mimetype first and stored, as the OCF
// requires, then the rest with fixed times so the bytes repeat.
func (p *prepared) write(ctx context.Context, w io.Writer) error {
	zw := zip.NewWriter(w)
	mod := p.b.Modified.UTC().Truncate(time.Second)

	mt := []byte("application/epub+zip")
	date, clock := dosTime(mod)
	fh := &zip.FileHeader{
		Name:               "mimetype",
		Method:             zip.Store,
		CRC32:              crc32.ChecksumIEEE(mt),
		CompressedSize64:   uint64(len(mt)),
		UncompressedSize64: uint64(len(mt)),
		// Set directly: Modified would add an extra field, and a
		// checker wants the mimetype entry bare, its bytes at offset 38.
		ModifiedDate: date,  //lint:ignore SA1019 see above
		ModifiedTime: clock, //lint:ignore SA1019 see above
	}
	mw, err := zw.CreateRaw(fh)
	if err != nil {
		return fmt.Errorf("write mimetype: %w", err)
	}
	if _, err := mw.Write(mt); err != nil {
		return fmt.Errorf("write mimetype: %w", err)
	}

	put := func(name string, method uint16, data []byte) error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: mod})
		if err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		if _, err := fw.Write(data); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		return nil
	}
	if err := put("META-INF/container.xml", zip.Deflate, []byte(container)); err != nil {
		return err
	}
	if err := put(contentDir+opfName, zip.Deflate, p.opf); err != nil {
		return err
	}
	if err := put(contentDir+navName, zip.Deflate, p.nav); err != nil {
		return err
	}
	if p.cover != nil {
		if err := put(contentDir+coverName, zip.Deflate, p.cover); err != nil {
			return err
		}
	}
	if len(p.b.Stylesheet) > 0 {
		if err := put(contentDir+cssName, zip.Deflate, p.b.Stylesheet); err != nil {
			return err
		}
	}
	for i, c := range p.b.Chapters {
		if err := put(contentDir+c.Name, zip.Deflate, p.chapters[i]); err != nil {
			return err
		}
	}
	images := p.b.Images
	if p.b.Cover != nil {
		images = append([]Image{*p.b.Cover}, images...)
	}
	for _, im := range images {
		// Compressed pictures do not shrink; storing them saves the time.
		method := zip.Store
		if im.MIME == "image/svg+xml" {
			method = zip.Deflate
		}
		if err := put(contentDir+im.Name, method, im.Data); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write zip directory: %w", err)
	}
	return nil
}

// dosTime is t in MS-DOS date and time fields (two-second resolution).
func dosTime(t time.Time) (date, clock uint16) {
	date = uint16(t.Year()-1980)<<9 | uint16(t.Month())<<5 | uint16(t.Day())
	clock = uint16(t.Hour())<<11 | uint16(t.Minute())<<5 | uint16(t.Second()/2)
	return date, clock
}
