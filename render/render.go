// Package render computes the reader site's pages from the store: HTML
// documents for every route, the static assets they use, and the page graph
// that says which pages a newsroom change affects. Pages are plain bytes with
// relative links, so the live server, the static export and every mirror
// serve the very same rendering.
package render

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/feed"
	"github.com/kolokol/kolokol/i18n"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/style.css
var styleCSS []byte

//go:embed static/favicon.svg
var faviconSVG []byte

const (
	htmlType = "text/html; charset=utf-8"
	// perPage is the length of every story list: short enough to stay tiny
	// on a slow connection, long enough to cover a day's news.
	perPage = 20
)

// Options configure a Builder.
type Options struct {
	BaseURL  string           // absolute public origin, no trailing slash; only for canonical, og:url, JSON-LD
	SiteName string           // e.g. "Kolokol"
	Now      func() time.Time // nil means time.Now
	// Onion is the site's onion origin ("http://….onion"), shown on the
	// safety and mirrors pages; "" when there is none.
	Onion string
	// KeyID and KeyFingerprint name the newsroom's signing key (package
	// sign: the current key's id, and the SHA-256 of kolokol.pub that
	// readers check a mirror's key file against), shown on the mirrors
	// pages and in mirrors.json; "" when not known.
	KeyID, KeyFingerprint string
	// FeedBase is the absolute address (scheme, host and any path, e.g.
	// "https://mirror.example.net/news") against which the formats that
	// need absolute addresses (feeds, sitemaps, robots.txt's Sitemap line,
	// ninjs) write links: a mirror's own address, given at export time,
	// so that its feeds lead to its own copy. "" means BaseURL. With
	// neither, feeds and ninjs carry root-relative links and there are no
	// sitemaps.
	FeedBase string
	// Static renders pages for a static mirror: no server stands behind
	// them, so they carry no search form (its action would lead nowhere).
	Static bool
	// Email: the live server has the email edition, and a service's pages
	// link to its form. A static mirror's pages never do (Static), as no
	// server behind them takes the form's POST.
	Email bool
}

// Page is a rendered response.
type Page struct {
	Status   int    // 200, 301 or 404
	Location string // for 301: a root-relative, escaped path
	// Path is a 200 page's one path, as net/http unescapes it: a cache
	// keeps the page under no other, whatever path was asked for.
	Path string
	// Service is, for a 404, whose 404 page it is (see NotFound): a
	// service's code, or "" for the site's.
	Service      string
	Body         []byte    // the full document; nil for 301, and for the 404s of Resolve
	ContentType  string    // with charset
	Deps         []string  // invalidation tags the page depends on (see Deps)
	LastModified time.Time // newest time among what the page shows
	ExpiresAt    time.Time // zero, or when the page must be rendered again
	// Files are the site paths of the picture files the page shows or
	// links to ("/media/…"): an export writes them beside it.
	Files []string
}

// Builder renders pages. It is safe for concurrent use.
type Builder struct {
	store     kolokol.Pages
	opts      Options
	now       func() time.Time
	tmpl      *template.Template
	md        *markdown
	stylePath string
	static    map[string]*Page
	zones     sync.Map // time zone name -> *time.Location

	// bufs are execute's buffers: a full export renders 27,000 pages, and
	// growing a new buffer for each was a quarter of its allocation.
	bufs sync.Pool

	fragMu sync.Mutex
	frags  map[string]template.HTML // see fragment

	ninjsMemo ninjsMemo

	// sitemapURLs is how many addresses one sitemap file holds: the
	// protocol's limit, lowered by tests to see sitemaps split.
	sitemapURLs int
}

// New parses the embedded templates and prepares the static assets.
func New(store kolokol.Pages, opts Options) (*Builder, error) {
	opts.BaseURL = strings.TrimSuffix(opts.BaseURL, "/")
	if opts.BaseURL != "" {
		u, err := url.Parse(opts.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("render: BaseURL %q is not an absolute http(s) origin", opts.BaseURL)
		}
	}
	opts.FeedBase = strings.TrimSuffix(opts.FeedBase, "/")
	if opts.FeedBase != "" {
		u, err := url.Parse(opts.FeedBase)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("render: FeedBase %q is not an absolute http(s) address", opts.FeedBase)
		}
	}
	if opts.SiteName == "" {
		opts.SiteName = "Kolokol"
	}
	b := &Builder{store: store, opts: opts, now: opts.Now, md: newMarkdown(), frags: map[string]template.HTML{},
		sitemapURLs: feed.MaxSitemapURLs}
	if b.now == nil {
		b.now = time.Now
	}
	t, err := template.New("").Option("missingkey=error").ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("render: parse templates: %w", err)
	}
	if t.Lookup("page") == nil {
		return nil, fmt.Errorf("render: templates lack the page template")
	}
	b.tmpl = t
	sum := sha256.Sum256(styleCSS)
	b.stylePath = "/static/style." + hex.EncodeToString(sum[:4]) + ".css"
	b.static = map[string]*Page{
		b.stylePath:    {Status: http.StatusOK, Body: styleCSS, ContentType: "text/css; charset=utf-8"},
		"/favicon.svg": {Status: http.StatusOK, Body: faviconSVG, ContentType: "image/svg+xml"},
		"/robots.txt":  {Status: http.StatusOK, Body: robots(b.feedBase()), ContentType: "text/plain; charset=utf-8"},
	}
	return b, nil
}

// robots is robots.txt: everything may be read, and the sitemap index is
// where the protocol says (an absolute address, so only with a base).
func robots(base string) []byte {
	s := "User-agent: *\nAllow: /\n"
	if base != "" {
		s += "Sitemap: " + base + SitemapIndexPath + "\n"
	}
	return []byte(s)
}

// StylePath is the stylesheet's content-addressed path: a new style gets a
// new name, so the file can be cached forever.
func (b *Builder) StylePath() string { return b.stylePath }

// Static returns an immutable asset.
func (b *Builder) Static(path string) (*Page, bool) {
	p, ok := b.static[path]
	if !ok {
		return nil, false
	}
	c := *p // callers get their own Page; the bytes are shared and read-only
	return &c, true
}

// Build renders the page at path, the URL path as net/http unescapes it,
// carrying notices: the safety notices the reader's variant of the page
// shows (see kolokol.SelectNotices; only those of the page's own service
// appear). Unknown paths give a 404 page; an error means the store failed.
func (b *Builder) Build(ctx context.Context, path string, notices ...*kolokol.Notice) (*Page, error) {
	p, err := b.Resolve(ctx, path, notices...)
	if err != nil || p.Status != http.StatusNotFound {
		return p, err
	}
	nf, err := b.NotFound(ctx, p.Service, notices...)
	if err != nil {
		return nil, err
	}
	nf.Deps = p.Deps // what could make this path a page
	return nf, nil
}

// Resolve is Build without rendering 404 pages: a path that is no page
// gives a 404 Page with no Body, naming the Service whose 404 page
// (NotFound) answers it, and Deps saying what could make it a page (a
// story published at it). A server renders each service's 404 page once
// instead of once for every path a client makes up.
func (b *Builder) Resolve(ctx context.Context, path string, notices ...*kolokol.Notice) (*Page, error) {
	if !strings.HasPrefix(path, "/") {
		return notFound(nil), nil
	}
	if path == MirrorsJSONPath {
		return b.mirrorsJSON(ctx)
	}
	if strings.HasSuffix(path, "/") {
		return b.route(ctx, notices, path)
	}
	// Feeds, sitemaps and ninjs are files: their paths have no slash to
	// add.
	if p, ok, err := b.fileRoute(ctx, path); ok || err != nil {
		return p, err
	}
	// A path that is a page with the slash added is sent there: the slash
	// form is each page's one URL.
	p, err := b.route(ctx, notices, path+"/")
	if err != nil || p.Status != http.StatusOK {
		return p, err // a 404, or an article's redirect straight to its path
	}
	return redirect((&url.URL{Path: path + "/"}).EscapedPath()), nil
}

// route renders path, which ends in a slash.
func (b *Builder) route(ctx context.Context, ns []*kolokol.Notice, path string) (*Page, error) {
	if path == "/" {
		return b.portal(ctx)
	}
	segs := strings.Split(path[1:len(path)-1], "/")
	if !kolokol.ValidServiceCode(segs[0]) {
		return notFound(nil), nil
	}
	svc, err := b.store.FindServiceByCode(ctx, segs[0])
	if kolokol.IsNotFound(err) {
		if p, ok, err := b.variant(ctx, ns, segs[0], path); ok || err != nil {
			return p, err
		}
		return notFound(nil), nil
	} else if err != nil {
		return nil, fmt.Errorf("render %s: %w", path, err)
	}
	p, err := b.service(ctx, ns, svc, segs[1:])
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", path, err)
	}
	return p, nil
}

// pageNumber reads the optional page segment of a list: none is page 1.
func pageNumber(rest []string) (int, bool) {
	if len(rest) == 0 {
		return 1, true
	}
	n, ok := parsePositive(rest[0])
	// No list has a billion pages; the bound keeps offsets far from overflow.
	if !ok || n > 1e9 {
		return 0, false
	}
	return int(n), true
}

func redirect(location string) *Page {
	return &Page{Status: http.StatusMovedPermanently, Location: location}
}

// execute renders the page template for v.
func (b *Builder) execute(v *view) ([]byte, error) {
	if len(v.Nav) > 0 {
		var key strings.Builder
		for _, l := range v.Nav {
			key.WriteString(l.Href + "\x00" + l.Text + "\x00" + l.Current + "\x00")
		}
		html, err := b.fragment("nav", v.L, key.String(), v)
		if err != nil {
			return nil, err
		}
		v.NavHTML = html
	}
	if len(v.Languages) > 0 {
		var key strings.Builder
		for _, l := range v.Languages {
			key.WriteString(l.Href + "\x00" + l.Name + "\x00" + l.Lang + "\x00" + l.Dir + "\x00" + strconv.FormatBool(l.Current) + "\x00")
		}
		html, err := b.fragment("languages", v.L, key.String(), v)
		if err != nil {
			return nil, err
		}
		v.LanguagesHTML = html
	}
	buf, _ := b.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = bytes.NewBuffer(make([]byte, 0, 32<<10))
	}
	defer func() {
		if buf.Cap() <= maxPooledPage {
			buf.Reset()
			b.bufs.Put(buf)
		}
	}()
	if err := b.tmpl.ExecuteTemplate(buf, "page", v); err != nil {
		return nil, fmt.Errorf("execute template: %w", err)
	}
	return bytes.Clone(buf.Bytes()), nil
}

// maxPooledPage bounds the buffers execute keeps for the next page: a
// story page is 10 to 40 kB; a rare huge one is not kept.
const maxPooledPage = 256 << 10

// fragment is the named template rendered for v, which key and the
// catalog identify completely: the section navigation and the language
// switch are the same bytes on every page of a service at one depth, and
// rendering them once instead of on each page saves most of a page's
// template work. The fragments kept are few (a service's pages at a few
// depths); they are forgotten all at once when they grow past a bound.
func (b *Builder) fragment(name string, c *i18n.Catalog, key string, v *view) (template.HTML, error) {
	key = name + "\x00" + c.Tag() + "\x00" + key
	b.fragMu.Lock()
	html, ok := b.frags[key]
	b.fragMu.Unlock()
	if ok {
		return html, nil
	}
	var buf bytes.Buffer
	if err := b.tmpl.ExecuteTemplate(&buf, name, v); err != nil {
		return "", fmt.Errorf("execute template %s: %w", name, err)
	}
	html = template.HTML(buf.String())
	b.fragMu.Lock()
	if len(b.frags) >= maxFragments {
		clear(b.frags)
	}
	b.frags[key] = html
	b.fragMu.Unlock()
	return html, nil
}

// maxFragments bounds the fragments a Builder keeps.
const maxFragments = 1024

// Deps returns the invalidation tags a change touches: the page graph.
//
//	"portal"      the list of services at /
//	"svc:CODE"    every page of a service (banner, settings, sections)
//	"list:CODE"   the service's story lists (home, sections, archive)
//	"art:ID"      one article page
//	"group:G"     the article pages of translation group G (their switchers)
//	"latest:L"    the article pages listing the newest stories of list L
//	              (kolokol.LatestList: a section's, or a service's)
//	"tagged:T"    the pages and feeds of tag list T (kolokol.TagList:
//	              a service's stories carrying a tag)
//	"media:ID"    the pages that show a picture
//	"mirrors"     the pages that list the mirrors (mirrors pages, mirrors.json)
//	"bundles:S"   the page that lists service S's offline editions (its mirrors page)
func Deps(c kolokol.Change) []string {
	switch c.Kind {
	case kolokol.ChangeArticle:
		tags := []string{artTag(c.ArticleID)}
		if c.Listed {
			tags = append(tags, listTag(c.Service))
		}
		for _, g := range c.Groups {
			tags = append(tags, groupTag(g))
		}
		for _, l := range c.Latest {
			tags = append(tags, latestTag(l))
		}
		for _, k := range c.Tags {
			tags = append(tags, taggedTag(c.Service, k))
		}
		return tags
	case kolokol.ChangeBreaking, kolokol.ChangeNotice:
		return []string{svcTag(c.Service)}
	case kolokol.ChangeService:
		if c.Listed {
			return []string{svcTag(c.Service), portalTag}
		}
		return []string{svcTag(c.Service)}
	case kolokol.ChangeMedia:
		return []string{mediaTag(c.MediaID)}
	case kolokol.ChangeMirrors:
		return []string{mirrorsTag}
	case kolokol.ChangeBundles:
		return []string{bundlesTag(c.Service)}
	}
	return nil
}

const (
	portalTag  = "portal"
	mirrorsTag = "mirrors"
)

func svcTag(code string) string     { return "svc:" + code }
func listTag(code string) string    { return "list:" + code }
func artTag(id int64) string        { return "art:" + strconv.FormatInt(id, 10) }
func groupTag(g string) string      { return "group:" + g }
func latestTag(l string) string     { return "latest:" + l }
func bundlesTag(code string) string { return "bundles:" + code }

// IsLatestTag tells the tags of lists of newest stories (a page showing
// "more from the section" depends on its section's) from the others.
func IsLatestTag(tag string) bool { return strings.HasPrefix(tag, "latest:") }

// taggedTag is the invalidation tag of the pages and feeds of the tag with
// key in a service.
func taggedTag(svc, key string) string { return "tagged:" + kolokol.TagList(svc, key) }
func mediaTag(id int64) string         { return "media:" + strconv.FormatInt(id, 10) }

// location is the service's time zone. time.LoadLocation reads the zone
// database on every call, so zones are kept once loaded.
func (b *Builder) location(svc *kolokol.Service) *time.Location {
	if l, ok := b.zones.Load(svc.TimeZone); ok {
		return l.(*time.Location)
	}
	l := svc.Location()
	b.zones.Store(svc.TimeZone, l)
	return l
}

// Origin is the site's public origin (Options.BaseURL), "" when none is set.
func (b *Builder) Origin() string { return b.opts.BaseURL }
