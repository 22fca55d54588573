package render

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/i18n"
)

// blockEnv is what the blocks of a body (docs/blocks.md) need from the
// page that shows them: the media they name, the reader's language for a
// card's link and date, and whether the page is the text-only edition.
type blockEnv struct {
	media map[int64]*kolokol.Media
	l     *i18n.Catalog
	f     *i18n.Formatter
	lite  bool
}

// key tells renderings apart that the same source gives on different
// pages: another language or calendar, the text-only edition, a media's
// new crops. It is part of the body cache's key, so a focal point change
// is never answered from a rendering made with the old renditions.
func (e *blockEnv) key() []byte {
	if e == nil {
		return nil
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "lite=%t\x00", e.lite)
	if e.l != nil {
		b.WriteString(e.l.Tag() + "\x00" + e.l.T(i18n.EmbedLeave) + "\x00")
	}
	if e.f != nil {
		// A fixed day written as pages write a card's date: the calendar,
		// digits and the Gregorian date alongside, in one string.
		b.WriteString(e.f.Date(time.Date(2026, time.January, 2, 12, 0, 0, 0, time.UTC)) + "\x00")
	}
	ids := make([]int64, 0, len(e.media))
	for id := range e.media {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		m := e.media[id]
		fmt.Fprintf(&b, "%d %s %dx%d;", id, m.Path(), m.Width, m.Height)
		for _, r := range m.Renditions {
			fmt.Fprintf(&b, "%s %dx%d;", r.Key, r.Width, r.Height)
		}
	}
	sum := sha256.Sum256(b.Bytes())
	return sum[:]
}

// blockEnvKey carries a conversion's blockEnv.
var blockEnvKey = parser.NewContextKey()

// kindBlock is the AST kind of a body's block, which bodyTransformer puts
// in place of the fenced code block that writes it.
var kindBlock = ast.NewNodeKind("KolokolBlock")

// blockNode is a parsed block with what its rendering needs: the page's
// blockEnv, the way to the site root, and the counter of rewritten links
// (see markdown.page).
type blockNode struct {
	ast.BaseBlock
	block    *kolokol.Block
	env      *blockEnv
	root     string
	rewrites *int
}

func (n *blockNode) Kind() ast.NodeKind            { return kindBlock }
func (n *blockNode) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }
func (n *blockNode) url(path string) string        { return rootURL(path, n.root, n.rewrites) }
func (n *blockNode) picture(p kolokol.Picture) *imageView {
	return n.image(p.MediaID, p.Alt, p.Caption, p.Credit)
}

// rootURL puts the way to the root in front of a root-relative path, as
// adjustLink does for an editor's links, and counts it.
func rootURL(path, root string, rewrites *int) string {
	if root == "" {
		return path
	}
	if rewrites != nil {
		*rewrites++
	}
	return root + strings.TrimPrefix(path, "/")
}

// image is a picture of the body as the lead photo is drawn, or nil when
// the media is not there: a missing photo leaves the page readable.
func (n *blockNode) image(id int64, alt, caption, credit string) *imageView {
	if n.env == nil {
		return nil
	}
	m := n.env.media[id]
	if m == nil {
		return nil
	}
	return pictureOf(m, alt, caption, credit, n.url)
}

// blockBlocks replaces the body's blocks in doc by blockNodes; a block
// that is not right is removed: pages show it as nothing (the newsroom
// refuses to save it, so only a body stored before blocks has one).
func blockBlocks(doc *ast.Document, source []byte, pc parser.Context, root string, rewrites *int) {
	env, _ := pc.Get(blockEnvKey).(*blockEnv)
	var found []*ast.FencedCodeBlock
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if fc, ok := n.(*ast.FencedCodeBlock); entering && ok && fc.Info != nil {
			if kolokol.IsBlockKind(strings.TrimSpace(string(fc.Info.Segment.Value(source)))) {
				found = append(found, fc)
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	for _, fc := range found {
		var content strings.Builder
		lines := fc.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			content.Write(seg.Value(source))
		}
		kind := kolokol.BlockKind(strings.TrimSpace(string(fc.Info.Segment.Value(source))))
		b, err := kolokol.ParseBlock(kind, content.String())
		parent := fc.Parent()
		if err != nil {
			parent.RemoveChild(parent, fc)
			continue
		}
		parent.ReplaceChild(parent, fc, &blockNode{block: b, env: env, root: root, rewrites: rewrites})
	}
}

// blockRenderer writes blockNodes. Every value is escaped: values are
// plain text (docs/blocks.md), and the policy after it allows exactly the
// elements, attributes and classes written here.
type blockRenderer struct {
	m *markdown // converts a fact box's text
}

func (r *blockRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindBlock, r.render)
	// Pictures come as blocks from our media; a Markdown image could load
	// from anywhere, and the policy would keep an <img> without its src,
	// which is not HTML. Dropped tells the editor.
	reg.Register(ast.KindImage, func(util.BufWriter, []byte, ast.Node, bool) (ast.WalkStatus, error) {
		return ast.WalkSkipChildren, nil
	})
}

func (r *blockRenderer) render(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*blockNode)
	b := n.block
	lite := n.env != nil && n.env.lite
	switch b.Kind {
	case kolokol.BlockPhoto:
		if lite {
			litePicture(w, b.Pictures[0])
		} else if iv := n.picture(b.Pictures[0]); iv != nil {
			writeFigure(w, iv, bodySizes)
		}
	case kolokol.BlockGallery:
		if lite {
			for _, p := range b.Pictures {
				litePicture(w, p)
			}
			break
		}
		var figs []*imageView
		for _, p := range b.Pictures {
			if iv := n.picture(p); iv != nil {
				figs = append(figs, iv)
			}
		}
		if len(figs) == 0 {
			break
		}
		w.WriteString(`<ul class="gallery">`)
		for _, iv := range figs {
			w.WriteString("<li>")
			writeFigure(w, iv, gallerySizes)
			w.WriteString("</li>")
		}
		w.WriteString("</ul>\n")
	case kolokol.BlockPullQuote:
		w.WriteString(`<figure class="pullquote"><blockquote><p>` + esc(b.Quote) + "</p></blockquote>")
		if b.By != "" {
			w.WriteString("<figcaption>" + esc(b.By) + "</figcaption>")
		}
		w.WriteString("</figure>\n")
	case kolokol.BlockFactBox:
		text, err := r.m.fragment(b.Text, n.root, n.rewrites)
		if err != nil {
			return ast.WalkStop, fmt.Errorf("fact box %q: %w", b.Title, err)
		}
		w.WriteString(`<aside class="factbox"><h2>` + esc(b.Title) + "</h2>\n" + text + "</aside>\n")
	case kolokol.BlockEmbed:
		n.writeEmbed(w, lite)
	}
	return ast.WalkSkipChildren, nil
}

// writeEmbed writes a card for a post: its picture from our own media,
// its words, who posted it and when, and a plain link that says it leaves
// the site. Nothing in it makes the reader's browser contact the network.
func (n *blockNode) writeEmbed(w util.BufWriter, lite bool) {
	e := n.block.Embed
	l := i18n.For("en")
	if n.env != nil && n.env.l != nil {
		l = n.env.l
	}
	name := kolokol.EmbedProviderNames[e.Provider]
	w.WriteString(`<figure class="embed">`)
	if !lite && e.Thumbnail != 0 {
		if iv := n.image(e.Thumbnail, e.ThumbnailAlt, "", ""); iv != nil {
			writePicture(w, iv, embedSizes)
		}
	}
	if e.Title != "" || e.Text != "" {
		w.WriteString("<blockquote>")
		if e.Title != "" {
			w.WriteString("<p><strong>" + esc(e.Title) + "</strong></p>")
		}
		if e.Text != "" {
			w.WriteString("<p>" + esc(e.Text) + "</p>")
		}
		w.WriteString("</blockquote>")
	}
	w.WriteString("<figcaption><cite>" + esc(name) + "</cite>")
	if e.Author != "" {
		w.WriteString(" · <bdi>" + esc(e.Author) + "</bdi>")
	}
	if d, err := time.Parse(time.DateOnly, e.Date); err == nil && e.Date != "" {
		text := e.Date
		if n.env != nil && n.env.f != nil {
			// Noon in UTC: the day the post was made, whatever the zone.
			text = n.env.f.In(time.UTC).Date(d.Add(12 * time.Hour))
		}
		w.WriteString(` · <time datetime="` + esc(e.Date) + `">` + esc(text) + "</time>")
	}
	w.WriteString(`<br><a href="` + esc(e.URL) + `" rel="` + externalRel + `">` + esc(l.Tf(i18n.EmbedLeave, name)) + "</a></figcaption></figure>\n")
}

// litePicture is a picture on the text-only edition: its caption and
// credit, or what it shows when it has no caption.
func litePicture(w util.BufWriter, p kolokol.Picture) {
	w.WriteString(`<p class="photo">` + esc(cmpOr(p.Caption, p.Alt)))
	if p.Credit != "" {
		w.WriteString(` <bdi class="credit">` + esc(p.Credit) + "</bdi>")
	}
	w.WriteString("</p>\n")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// The sizes of the pictures in a body: the text column, as the lead
// photo; half of it in a gallery of two columns (one on a narrow screen);
// a card's picture, at most a third of it.
const (
	bodySizes    = leadSizes
	gallerySizes = "(min-width: 40rem) 19rem, calc(100vw - 2rem)"
	embedSizes   = "(min-width: 40rem) 12rem, calc(100vw - 4rem)"
)

// writeFigure writes a picture with its caption and credit, as the lead
// photo is written (templates/article.html), lazily loaded: it is below
// the fold.
func writeFigure(w util.BufWriter, iv *imageView, sizes string) {
	w.WriteString(`<figure class="photo">`)
	writePicture(w, iv, sizes)
	if iv.Caption != "" || iv.Credit != "" {
		w.WriteString("<figcaption>" + esc(iv.Caption))
		if iv.Credit != "" {
			w.WriteString(` <bdi class="credit">` + esc(iv.Credit) + "</bdi>")
		}
		w.WriteString("</figcaption>")
	}
	w.WriteString("</figure>\n")
}

func writePicture(w util.BufWriter, iv *imageView, sizes string) {
	if iv.WebP != "" {
		w.WriteString(`<picture><source type="image/webp" srcset="` + esc(iv.WebP) + `" sizes="` + sizes + `">`)
	}
	w.WriteString(`<img src="` + esc(iv.Src) + `"`)
	if iv.JPEG != "" {
		w.WriteString(` srcset="` + esc(iv.JPEG) + `" sizes="` + sizes + `"`)
	}
	w.WriteString(` alt="` + esc(iv.Alt) + `"`)
	if iv.Width > 0 {
		w.WriteString(` width="` + strconv.Itoa(iv.Width) + `" height="` + strconv.Itoa(iv.Height) + `"`)
	}
	w.WriteString(` loading="lazy" decoding="async">`)
	if iv.WebP != "" {
		w.WriteString("</picture>")
	}
}

func esc(s string) string { return html.EscapeString(s) }

// mediaPathRE is a picture file of ours, behind the way to the site root
// as a page writes it: bodyRoot while a body is rendered once for every
// page, "../" steps, "./", or "/" for a body rendered without a page. No
// segment starts with a dot, so no path climbs out of /media/.
const mediaPathRE = `(?:` + bodyRoot + `|(?:\.\./)+|\./|/)media/[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*`

// allowBlocks widens a body policy to exactly the markup blockRenderer
// writes: pictures only from our own media, classes only its own.
func allowBlocks(p *bluemonday.Policy) {
	srcset := regexp.MustCompile(`^` + mediaPathRE + ` [0-9]{1,5}w(?:, ` + mediaPathRE + ` [0-9]{1,5}w)*$`)
	sizes := regexp.MustCompile(`^(?:` + regexp.QuoteMeta(bodySizes) + `|` + regexp.QuoteMeta(gallerySizes) + `|` + regexp.QuoteMeta(embedSizes) + `)$`)
	p.AllowElements("picture", "aside", "cite", "bdi", "time")
	p.AllowAttrs("src").Matching(regexp.MustCompile(`^` + mediaPathRE + `$`)).OnElements("img")
	p.AllowAttrs("srcset").Matching(srcset).OnElements("img", "source")
	p.AllowAttrs("sizes").Matching(sizes).OnElements("img", "source")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^image/webp$`)).OnElements("source")
	p.AllowAttrs("alt").OnElements("img")
	p.AllowAttrs("width", "height").Matching(regexp.MustCompile(`^[0-9]{1,5}$`)).OnElements("img")
	p.AllowAttrs("loading").Matching(regexp.MustCompile(`^lazy$`)).OnElements("img")
	p.AllowAttrs("decoding").Matching(regexp.MustCompile(`^async$`)).OnElements("img")
	p.AllowAttrs("datetime").Matching(regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)).OnElements("time")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^(?:photo|pullquote|embed)$`)).OnElements("figure")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^gallery$`)).OnElements("ul")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^factbox$`)).OnElements("aside")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^credit$`)).OnElements("bdi")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^photo$`)).OnElements("p")
}

// bodyMedia finds the media the blocks of a body show, for its blockEnv,
// with the tags a page showing them depends on: a picture's new crops, or
// the picture appearing, change the page. A media that is not there is
// left out: its block shows nothing, and the tag brings the page back
// when it comes.
func (b *Builder) bodyMedia(ctx context.Context, body string) (map[int64]*kolokol.Media, []string, error) {
	ids := kolokol.BodyMedia(body)
	if len(ids) == 0 {
		return nil, nil, nil
	}
	media := make(map[int64]*kolokol.Media, len(ids))
	deps := make([]string, 0, len(ids))
	for _, id := range ids {
		deps = append(deps, mediaTag(id))
		m, err := b.store.FindMediaByID(ctx, id)
		if kolokol.IsNotFound(err) {
			continue
		} else if err != nil {
			return nil, nil, fmt.Errorf("find media %d of a body: %w", id, err)
		}
		media[id] = m
	}
	return media, deps, nil
}

// bodyFiles lists the picture files the blocks of a full page show.
func bodyFiles(media map[int64]*kolokol.Media) []string {
	ids := make([]int64, 0, len(media))
	for id := range media {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []string
	for _, id := range ids {
		out = append(out, pageMedia(media[id])...)
	}
	return out
}
