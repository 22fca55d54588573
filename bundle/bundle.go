// Package bundle makes a service's offline editions: a ZIM file for Kiwix
// and an EPUB book for any e-book reader, of the stories of a period, for
// readers whom no address of the newsroom reaches (a USB stick, a
// file-sharing app, a mail attachment). Each file gets a detached minisign
// signature; a ZIM file also carries the newsroom's signed manifest of
// every file inside it, so that `kolokol verify FILE.zim` proves each
// story, picture and stylesheet is the newsroom's (ZIM has no signature
// of its own).
package bundle

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/epub"
	"github.com/kolokol/kolokol/render"
	"github.com/kolokol/kolokol/sign"
	"github.com/kolokol/kolokol/zim"
)

// Maker builds and signs offline editions.
type Maker struct {
	Render *render.Builder
	Blobs  kolokol.BlobStore
	Signer *sign.Signer
	// Network names the publisher (ZIM's Creator and Publisher, the
	// book's publisher).
	Network string
	Now     func() time.Time
}

// Result is an offline edition written to a file.
type Result struct {
	Kind    kolokol.BundleKind
	Path    string // the file; its signature is Path + ".minisig"
	Name    string // the file's name as published ("fa-2026-12-01.zim")
	Size    int64
	SHA256  string
	Stories int
	From    time.Time
	To      time.Time
}

// Name is the file name of a service's edition of a period: the service
// and the period's last day.
func Name(kind kolokol.BundleKind, code string, to time.Time) string {
	return code + "-" + to.Add(-time.Second).UTC().Format(time.DateOnly) + "." + string(kind)
}

func (m *Maker) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// content is a bundle and the pictures it shows, read from the media
// store. A picture missing from the store is left out with its <img>,
// rather than failing the edition.
type content struct {
	b      *render.Bundle
	images map[string][]byte // by BundleImage.Name
}

func (m *Maker) content(ctx context.Context, code string, from, to time.Time) (*content, error) {
	b, err := m.Render.Bundle(ctx, code, from, to)
	if err != nil {
		return nil, err
	}
	c := &content{b: b, images: map[string][]byte{}}
	for _, im := range b.Images {
		r, err := m.Blobs.Open(ctx, im.Key)
		if kolokol.IsNotFound(err) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("bundle of %s: picture %s: %w", code, im.Key, err)
		}
		data, err := io.ReadAll(io.LimitReader(r, 32<<20))
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("bundle of %s: picture %s: %w", code, im.Key, err)
		}
		c.images[im.Name] = data
	}
	return c, nil
}

// without removes the <img> of a picture the bundle lacks.
func (c *content) without(html string) string {
	for _, im := range c.b.Images {
		if _, ok := c.images[im.Name]; ok {
			continue
		}
		if i := strings.Index(html, `<img src="`+im.Name+`"`); i >= 0 {
			if j := strings.IndexByte(html[i:], '>'); j >= 0 {
				html = html[:i] + html[i+j+1:]
			}
		}
	}
	return html
}

// edition is the period's edition number in signatures: the period's end
// in Unix seconds, which grows from one edition to the next.
func edition(to time.Time) int64 { return to.Unix() }

// ZIM builds the Kiwix archive of a service's stories in [from, to),
// with the signed manifest of its files inside.
func (m *Maker) ZIM(ctx context.Context, code string, from, to time.Time) (*zim.Archive, *content, error) {
	c, err := m.content(ctx, code, from, to)
	if err != nil {
		return nil, nil, err
	}
	b := c.b
	lang, err := iso3(b.Lang)
	if err != nil {
		return nil, nil, fmt.Errorf("bundle of %s: %w", code, err)
	}
	a := &zim.Archive{Main: "index.html", Metadata: zim.Metadata{
		Name:            "kolokol_" + strings.ToLower(code) + "_all",
		Title:           render.ClipRunes(b.Brand, 30),
		Creator:         m.Network,
		Publisher:       m.Network,
		Date:            b.To.Add(-time.Second).UTC().Format(time.DateOnly),
		Description:     b.Description,
		LongDescription: render.ClipRunes(b.Title+". "+b.Service.About, 4000),
		Language:        lang,
		Tags:            "_category:news;_pictures:yes;_videos:no;_details:yes",
		Source:          b.Origin,
		Scraper:         "kolokol",
		Illustration48:  illustration(),
	}}
	add := func(path, title, mime string, data []byte, front bool) {
		a.Entries = append(a.Entries, zim.Entry{Path: path, Title: title, MIME: mime, Data: data, Front: front})
	}
	add("index.html", b.Title, "text/html", []byte(c.without(string(b.Index))), true)
	add(render.BundleStyle, "", "text/css", b.Style, false)
	for _, s := range b.Stories {
		add(s.Name+".html", s.Headline, "text/html", []byte(c.without(string(s.Page))), true)
	}
	for _, im := range b.Images {
		if data, ok := c.images[im.Name]; ok {
			add(im.Name, "", im.MIME, data, false)
		}
	}
	// The manifest lists every file above; the signed files join them.
	man := sign.Manifest{Origin: b.Origin, Edition: edition(b.To), Time: m.now()}
	for _, e := range a.Entries {
		man.Files = append(man.Files, sign.FileFor(e.Path, e.Data))
	}
	ed, err := m.Signer.Sign(man)
	if err != nil {
		return nil, nil, fmt.Errorf("bundle of %s: %w", code, err)
	}
	for _, f := range append(ed.Files(false), ed.Parts()...) {
		mime := "text/plain"
		if strings.HasSuffix(f.Name, ".json") {
			mime = "application/json"
		}
		add(f.Name, "", mime, f.Data, false)
	}
	return a, c, nil
}

// EPUB builds the book of a service's stories in [from, to).
func (m *Maker) EPUB(ctx context.Context, code string, from, to time.Time) (*epub.Book, *content, error) {
	c, err := m.content(ctx, code, from, to)
	if err != nil {
		return nil, nil, err
	}
	b := c.b
	bk := &epub.Book{
		ID:          b.Origin + "/" + code + "/#edition-" + b.To.Add(-time.Second).UTC().Format(time.DateOnly),
		Title:       b.Title,
		Language:    b.Lang,
		Dir:         b.Dir,
		Creator:     b.Brand,
		Publisher:   m.Network,
		Description: b.Description,
		Date:        b.To,
		Modified:    m.now().UTC().Truncate(time.Second),
		Stylesheet:  b.Style,
		NavTitle:    b.Heading,
		Cover:       &epub.Image{Name: "cover.svg", MIME: "image/svg+xml", Data: cover(b)},
		CoverTitle:  b.Title,
	}
	for _, s := range b.Stories {
		bk.Chapters = append(bk.Chapters, epub.Chapter{Name: s.Name + ".xhtml", Title: s.Headline, Body: c.without(s.Chapter)})
	}
	for _, im := range b.Images {
		if data, ok := c.images[im.Name]; ok {
			bk.Images = append(bk.Images, epub.Image{Name: im.Name, MIME: im.MIME, Data: data})
		}
	}
	return bk, c, nil
}

// Write makes the edition of kind of a service's stories in [from, to)
// at path, with its signature beside it (path + ".minisig"). Nothing is
// left at either name when it fails: a mirror or a reader never picks up
// half a file, nor a file without its signature.
func (m *Maker) Write(ctx context.Context, kind kolokol.BundleKind, code string, from, to time.Time, path string) (*Result, error) {
	name := filepath.Base(path)
	var stories int
	var err error
	switch kind {
	case kolokol.BundleZIM:
		var a *zim.Archive
		var c *content
		if a, c, err = m.ZIM(ctx, code, from, to); err == nil {
			stories = len(c.b.Stories)
			err = zim.WriteFile(ctx, path, a)
		}
	case kolokol.BundleEPUB:
		var bk *epub.Book
		var c *content
		if bk, c, err = m.EPUB(ctx, code, from, to); err == nil {
			stories = len(c.b.Stories)
			err = epub.WriteFile(ctx, path, bk)
		}
	default:
		return nil, fmt.Errorf("bundle of %s: no format %q (zim or epub)", code, kind)
	}
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", name, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("write %s: %w", name, err)
	}
	sig, err := m.Signer.SignFile(name, data, sign.Statement{Origin: m.Render.Origin(), Edition: edition(to), Time: m.now()})
	if err == nil {
		err = writeAtomic(path+sign.SigSuffix, sig)
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("sign %s: %w", name, err)
	}
	sum := sha256.Sum256(data)
	return &Result{Kind: kind, Path: path, Name: name, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
		Stories: stories, From: from, To: to}, nil
}

// writeAtomic writes a small file whole or not at all.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// iso3 is a BCP 47 tag's ISO 639-3 language, as Kiwix wants it ("fa-IR"
// is "fas", "prs" stays "prs").
func iso3(tag string) (string, error) {
	t, err := language.Parse(tag)
	if err != nil {
		return "", fmt.Errorf("language %q: %w", tag, err)
	}
	base, conf := t.Base()
	if conf == language.No || len(base.ISO3()) != 3 {
		return "", fmt.Errorf("language %q has no ISO 639-3 code", tag)
	}
	return base.ISO3(), nil
}

// cover is the book's cover picture: the bell, the newsroom's name and
// the period on the newsroom's dark ground, in the service's language and
// direction. A drawing rather than a story's photo, so that every edition
// has one and a reader's library tells the editions apart by their dates;
// its text is the reading system's to shape, in the reader's own fonts.
func cover(b *render.Bundle) []byte {
	// Long names get smaller type so that the line fits the 600-unit width;
	// a character is taken as 0.6 of the type's size, generous for most scripts.
	size := func(text string, max float64) string {
		n := float64(utf8.RuneCountInString(text))
		return strconv.FormatFloat(math.Round(math.Min(max, 520/(0.6*math.Max(n, 1)))), 'f', -1, 64)
	}
	esc := func(v string) string {
		var s strings.Builder
		xml.EscapeText(&s, []byte(v)) // cannot fail writing to a Builder
		return s.String()
	}
	var s strings.Builder
	s.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	s.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 600 800" width="600" height="800" xml:lang="` + esc(b.Lang) + `" direction="` + b.Dir + `">` + "\n")
	s.WriteString(`<rect width="600" height="800" fill="#1a1a1a"/>` + "\n")
	// The favicon's bell (a 32-unit drawing), 7.5 times its size.
	s.WriteString(`<path transform="translate(180 140) scale(7.5)" d="M16 5a7 7 0 0 0-7 7v6l-3 5h20l-3-5v-6a7 7 0 0 0-7-7zm-3 19a3 3 0 0 0 6 0z" fill="#fff"/>` + "\n")
	s.WriteString(`<text x="300" y="520" text-anchor="middle" fill="#fff" font-family="sans-serif" font-weight="bold" font-size="` + size(b.Brand, 56) + `">` + esc(b.Brand) + "</text>\n")
	s.WriteString(`<text x="300" y="600" text-anchor="middle" fill="#ddd" font-family="sans-serif" font-size="` + size(b.Period, 36) + `">` + esc(b.Period) + "</text>\n")
	s.WriteString("</svg>\n")
	return []byte(s.String())
}

// illustration is the 48x48 picture Kiwix shows in its library: a bell's
// outline in white on the newsroom's dark ground.
func illustration() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 48, 48))
	dark, light := color.NRGBA{0x1a, 0x1a, 0x1a, 0xff}, color.NRGBA{0xff, 0xff, 0xff, 0xff}
	for y := range 48 {
		for x := range 48 {
			img.Set(x, y, dark)
			dx, dy := float64(x)-23.5, float64(y)-26
			// A dome over a flared rim, and the clapper below.
			dome := dy < 6 && dy > -16 && dx*dx/(100+6*(dy+16)) < 1
			rim := dy >= 6 && dy < 9 && dx > -17 && dx < 17
			clapper := dx*dx+(dy-13)*(dy-13) < 9
			if dome || rim || clapper {
				img.Set(x, y, light)
			}
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img) // cannot fail writing to memory
	return buf.Bytes()
}
