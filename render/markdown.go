package render

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"html"
	"html/template"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdown turns editors' Markdown into HTML that is safe to put in a page.
// Two independent layers: goldmark never emits raw HTML from the source (its
// default; we never set html.WithUnsafe), and bluemonday then keeps only an
// allowlist of elements, attributes and URL schemes, so a bug in either
// alone does not open a hole. Both are safe for concurrent use once built.
type markdown struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy

	// bodies are recent renderings by their source, with bodyRoot for the
	// way to the site root (see page).
	mu     sync.Mutex
	bodies map[[sha256.Size]byte]*rendering
}

// rendering is one conversion, made once however many pages ask at once.
type rendering struct {
	once sync.Once
	html string
	ok   bool // false: the source cannot be rendered with bodyRoot (see page)
	err  error
}

// maxBodies bounds the renderings a converter keeps: enough for every
// story of a batch of pages an export renders together, or of the pages a
// publish renders again.
const maxBodies = 1024

// bodyRoot stands for the way from a page to the site root in a body
// rendered once for every page that shows it (the story's page at one
// depth, its text-only page at another, their script variant): each page
// puts its own in its place.
const bodyRoot = "kolokol-site-root-5e1d0c/"

// rootRewritesKey carries a counter of the root-relative links a
// conversion rewrote.
var rootRewritesKey = parser.NewContextKey()

// siteRootKey carries, per conversion, the relative prefix that leads from
// the page to the site root, so that root-relative links written by editors
// ("/ru/a/1-x/") keep working when the site is exported under a base path.
var siteRootKey = parser.NewContextKey()

// externalRel is what links to other hosts carry: the target learns neither
// the page the reader came from nor gets a handle on its window.
const externalRel = "noopener noreferrer"

func newMarkdown() *markdown {
	md := goldmark.New(
		goldmark.WithExtensions(
			// Tables without alignment: goldmark writes alignment as a style
			// attribute, which our CSP forbids, or as align, which is not
			// HTML5.
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignNone)),
			extension.Strikethrough,
			extension.Linkify,
			// No TaskList (renders <input>), no Footnote (ids and fragment
			// links that bluemonday would strip half of), no Typographer
			// (English quote marks; the language's own come with CLDR).
		),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(bodyTransformer{}, 100))),
	)
	m := &markdown{md: md, policy: bodyPolicy(), bodies: map[[sha256.Size]byte]*rendering{}}
	// Blocks (photos, galleries, quotes, fact boxes, cards) are drawn by
	// our own renderer, never from the source's HTML.
	md.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(&blockRenderer{m: m}, 100)))
	return m
}

// bodyPolicy is a UGCPolicy-like allowlist cut down to what a story body
// needs. Images come only as blocks, from our own media (allowBlocks): a
// Markdown image could load from another host, which reader pages must
// never do.
func bodyPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "h2", "h3", "h4", "blockquote", "ul", "ol", "li",
		"em", "strong", "code", "pre", "hr", "br", "del", "figure", "figcaption",
		"table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,9}$`)).OnElements("ol")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^` + externalRel + `$`)).OnElements("a")
	allowBlocks(p)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)
	p.RequireParseableURLs(true)
	// A second line of defense for the rel that bodyTransformer sets.
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	return p
}

// markdownOnce builds the converter for Markdown on first use; the Builder
// has its own, so pages never share state with other callers.
var markdownOnce = sync.OnceValue(newMarkdown)

// Markdown renders Markdown to sanitized HTML. Root-relative links are left
// as they are; pages render bodies with links made relative to the page.
func Markdown(src string) (template.HTML, error) {
	return markdownOnce().render(src, "", nil)
}

// page converts src for a page whose way to the site root is root (see
// render), as render does, converting each source only once for all the
// pages that show it: the rendering is made with bodyRoot in place of the
// way to the root, and each page's put in. A source in which bodyRoot
// could be taken for one of those (it holds the marker, or the count of
// markers in the HTML is not the count of links rewritten) is converted
// for each page.
//
// env gives the blocks of the body what they show (see blockEnv); the
// rendering is kept under the source and env's key together.
func (m *markdown) page(src, root string, env *blockEnv) (template.HTML, error) {
	h := sha256.New()
	h.Write([]byte(src))
	h.Write([]byte{0})
	h.Write(env.key())
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	m.mu.Lock()
	r := m.bodies[sum]
	if r == nil {
		if len(m.bodies) >= maxBodies {
			clear(m.bodies)
		}
		r = &rendering{}
		m.bodies[sum] = r
	}
	m.mu.Unlock()
	r.once.Do(func() {
		if strings.Contains(src, bodyRoot[:len(bodyRoot)-1]) {
			return
		}
		var rewrites int
		html, err := m.convert(src, bodyRoot, env, &rewrites)
		if err != nil {
			r.err = err
			return
		}
		r.html, r.ok = string(html), strings.Count(string(html), bodyRoot) == rewrites
	})
	if r.err != nil {
		return "", r.err
	}
	if !r.ok {
		return m.render(src, root, env)
	}
	return template.HTML(strings.ReplaceAll(r.html, bodyRoot, root)), nil
}

// render converts src; root, when not empty, is the relative prefix from the
// page to the site root ("../../../") that replaces the leading "/" of
// root-relative links.
func (m *markdown) render(src, root string, env *blockEnv) (template.HTML, error) {
	return m.convert(src, root, env, nil)
}

// convert is render, counting in rewrites, if not nil, the root-relative
// links it rewrote.
func (m *markdown) convert(src, root string, env *blockEnv, rewrites *int) (template.HTML, error) {
	buf, err := m.unsafe(src, root, env, rewrites)
	if err != nil {
		return "", err
	}
	return template.HTML(m.policy.SanitizeBytes(buf)), nil
}

// unsafe is goldmark's HTML of src, before the policy.
func (m *markdown) unsafe(src, root string, env *blockEnv, rewrites *int) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(src) + len(src)/4)
	pc := parser.NewContext()
	pc.Set(siteRootKey, root)
	if rewrites != nil {
		pc.Set(rootRewritesKey, rewrites)
	}
	if env != nil {
		pc.Set(blockEnvKey, env)
	}
	if err := m.md.Convert([]byte(src), &buf, parser.WithContext(pc)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// fragment is the HTML of a fact box's text, inside the body's: the
// policy sanitizes it with the rest. Its links are the body's (made
// relative and counted the same way); it holds no blocks.
func (m *markdown) fragment(src, root string, rewrites *int) (string, error) {
	buf, err := m.unsafe(src, root, nil, rewrites)
	return string(buf), err
}

// bodyTransformer adjusts the parsed body to its place in the page:
// headings start at h2 under the page's h1 and never skip a level, external
// links get externalRel, and root-relative links become page-relative.
type bodyTransformer struct{}

// maxBodyHeading is the deepest heading the policy keeps; deeper ones are
// flattened to it rather than stripped to plain text.
const maxBodyHeading = 4

func (bodyTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	root, _ := pc.Get(siteRootKey).(string)
	rewrites, _ := pc.Get(rootRewritesKey).(*int)
	source := reader.Source()
	blockBlocks(doc, source, pc, root, rewrites)
	var headings []*ast.Heading
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			headings = append(headings, n)
		case *ast.Link:
			dest := adjustLink(n, n.Destination, root)
			if rewrites != nil && root != "" && !bytes.Equal(dest, n.Destination) {
				*rewrites++
			}
			n.Destination = dest
		case *ast.AutoLink:
			if n.AutoLinkType == ast.AutoLinkURL && external(util.URLEscape(n.URL(source), false)) {
				n.SetAttributeString("rel", []byte(externalRel))
			}
		}
		return ast.WalkContinue, nil
	})
	demoteHeadings(headings)
}

// adjustLink returns the destination to use for a link and marks links to
// other hosts.
func adjustLink(n ast.Node, dest []byte, root string) []byte {
	d := string(dest)
	if strings.HasPrefix(d, "/") && !strings.HasPrefix(d, "//") && !strings.HasPrefix(d, `/\`) {
		if root != "" {
			return []byte(root + d[1:])
		}
		return dest
	}
	if external(util.URLEscape(dest, true)) {
		n.SetAttributeString("rel", []byte(externalRel))
	}
	return dest
}

// external reports whether href, as goldmark writes it, is a link to
// another host that bluemonday will keep. It must judge exactly as the
// policy does: a rel on a link whose href the policy drops is not HTML.
func external(href []byte) bool {
	h := strings.TrimSpace(string(href))
	if strings.ContainsAny(h, " \t\n") {
		return false
	}
	u, err := url.Parse(h)
	return err == nil && u.Host != "" && (u.Scheme == "" || u.Scheme == "http" || u.Scheme == "https")
}

// demoteHeadings maps the body's headings so that the shallowest becomes h2
// (the page has the one h1), none is deeper than maxBodyHeading, and none is
// more than one level below the heading before it: screen reader users
// navigate by heading level, and a skipped level suggests missing content.
func demoteHeadings(hs []*ast.Heading) {
	if len(hs) == 0 {
		return
	}
	minLevel := 6
	for _, h := range hs {
		minLevel = min(minLevel, h.Level)
	}
	prev := 1
	for _, h := range hs {
		l := h.Level - minLevel + 2
		l = min(l, prev+1, maxBodyHeading)
		h.Level = l
		prev = l
	}
}

// htmlTagRE finds the element names in raw HTML an editor typed.
var htmlTagRE = regexp.MustCompile(`<\s*/?\s*([A-Za-z][A-Za-z0-9-]{0,40})`)

// Dropped lists, in words for the editor, what of src readers will not see:
// the parts the renderer omits or the sanitizer removes (raw HTML, pictures
// written in Markdown, links with schemes readers' pages do not allow). The
// newsroom shows it on save and on the preview, so nothing vanishes from a
// story without the editor being told.
func Dropped(src string) []string {
	var out []string
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	source := []byte(src)
	m := markdownOnce()
	doc := m.md.Parser().Parse(text.NewReader(source))
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		var raw []byte
		switch n := n.(type) {
		case *ast.Image:
			add("a picture written in Markdown (![…](…)): pages show photos from the media library only, as the lead photo or a photo block")
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML:
			for i := 0; i < n.Segments.Len(); i++ {
				seg := n.Segments.At(i)
				raw = append(raw, seg.Value(source)...)
			}
		case *ast.HTMLBlock:
			for i := 0; i < n.Lines().Len(); i++ {
				seg := n.Lines().At(i)
				raw = append(raw, seg.Value(source)...)
			}
			if n.HasClosure() {
				raw = append(raw, n.ClosureLine.Value(source)...)
			}
		case *ast.AutoLink:
			if u := n.URL(source); n.AutoLinkType == ast.AutoLinkURL && !m.keepsHref(util.URLEscape(u, false)) {
				add(fmt.Sprintf("the address of the link %q (only http, https, mailto and the site's own addresses are kept; the text stays)", clip(string(u), 40)))
			}
			return ast.WalkContinue, nil
		case *ast.Link:
			if strings.TrimSpace(string(n.Destination)) == "" {
				add("a link with no address (the text stays)")
			} else if !m.keepsHref(util.URLEscape(n.Destination, true)) {
				add(fmt.Sprintf("the address of the link %q (only http, https, mailto and the site's own addresses are kept; the text stays)", clip(string(n.Destination), 40)))
			}
			return ast.WalkContinue, nil
		default:
			return ast.WalkContinue, nil
		}
		if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("<!--")) {
			add("an HTML comment")
			return ast.WalkContinue, nil
		}
		tags := htmlTagRE.FindAllSubmatch(raw, -1)
		for _, m := range tags {
			add("HTML <" + strings.ToLower(string(m[1])) + "> (write Markdown; HTML is not published)")
		}
		if len(tags) == 0 {
			add(fmt.Sprintf("HTML %q (write Markdown; HTML is not published)", clip(strings.TrimSpace(string(raw)), 40)))
		}
		return ast.WalkContinue, nil
	})
	return out
}

// keepsHref reports whether the body policy keeps a link's address as
// goldmark writes it: the policy itself is asked, so the answer cannot
// drift from what readers get.
func (m *markdown) keepsHref(href []byte) bool {
	out := m.policy.Sanitize(`<a href="` + html.EscapeString(string(href)) + `">x</a>`)
	return strings.Contains(out, "href=")
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
