package render

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/feed"
	"github.com/kolokol/kolokol/i18n"
	xhtml "golang.org/x/net/html"
)

// Feeds, sitemaps and ninjs: the site in the formats aggregators, feed
// readers, search engines and partners read. They are pages of the plan
// like any other (cached, invalidated by their Deps, exported to mirrors),
// at file paths rather than directory paths. render decides what each
// holds; package feed spells it.
//
// Their addresses must be absolute (the formats say so, and a feed reader
// shows an entry far from the page it came from), so unlike the HTML pages
// they are written against one origin: Options.FeedBase, or BaseURL.

// feedLen is how many stories a feed holds, newest first: a day's news, as
// a list page.
const feedLen = perPage

// newsWindow is how long a story stays in a Google News sitemap.
const newsWindow = 48 * time.Hour

// feedFormat is one of the three feed formats.
type feedFormat struct {
	file string // the file name in a service's or section's folder
	typ  string // the Content-Type
	link string // the type a page's <link rel="alternate"> gives
	emit func(*feed.Feed) []byte
}

var feedFormats = []feedFormat{
	{"feed.xml", feed.RSSType, "application/rss+xml", feed.RSS},
	{"atom.xml", feed.AtomType, "application/atom+xml", feed.Atom},
	{"feed.json", feed.JSONType, "application/feed+json", feed.JSON},
}

func formatOf(file string) (feedFormat, bool) {
	for _, f := range feedFormats {
		if f.file == file {
			return f, true
		}
	}
	return feedFormat{}, false
}

// Paths of the formats (see the README's route table).
const (
	// SitemapIndexPath is the site's sitemap index, which robots.txt names.
	SitemapIndexPath = "/sitemap.xml"
	newsSitemapFile  = "news-sitemap.xml"
	ninjsSuffix2     = ".ninjs2.json"
	ninjsSuffix3     = ".ninjs3.json"
)

func sitemapPath(svc string, n int) string { return "/" + svc + "/sitemap-" + strconv.Itoa(n) + ".xml" }
func newsSitemapPath(svc string) string    { return "/" + svc + "/" + newsSitemapFile }
func ninjsPath(a *kolokol.Article, major int) string {
	suffix := ninjsSuffix2
	if major == 3 {
		suffix = ninjsSuffix3
	}
	return "/" + a.Service + "/a/" + strconv.FormatInt(a.ID, 10) + suffix
}

// feedBase is the origin (and path) absolute addresses are made against.
func (b *Builder) feedBase() string {
	if b.opts.FeedBase != "" {
		return b.opts.FeedBase
	}
	return b.opts.BaseURL
}

// feedURL is the absolute address of an escaped site path; root-relative
// without any base (feed readers resolve it against the feed's address).
func (b *Builder) feedURL(path string) string { return b.feedBase() + path }

// tagAuthority names the site in tag: URIs (RFC 4151): the host of
// BaseURL, which a mirror's copy shares, so that an entry keeps its id
// whichever copy of the feed a reader follows.
func (b *Builder) tagAuthority() string {
	for _, s := range []string{b.opts.BaseURL, b.opts.FeedBase} {
		if u, err := url.Parse(s); err == nil && u.Hostname() != "" {
			return u.Hostname()
		}
	}
	return "kolokol.invalid"
}

func (b *Builder) storyID(a *kolokol.Article) string {
	return "tag:" + b.tagAuthority() + "," + a.CreatedAt.UTC().Format("2006-01-02") + ":" + a.Service + "/" + strconv.FormatInt(a.ID, 10)
}

// feedLinks are the <link rel="alternate"> lines of a page: the feeds of
// the service, or of a section. On a service with a script variant the
// links go through the service's own folder ("../../../sr/feed.xml"), so
// the variant's pages, which are the service's transliterated, lead to
// the service's feeds: a feed is not transliterated.
func (b *Builder) feedLinks(from string, svc *kolokol.Service, dir, title string) []feedLink {
	out := make([]feedLink, 0, len(feedFormats))
	_, variant := i18n.VariantOf(svc.Tag)
	for _, f := range feedFormats {
		out = append(out, feedLink{Type: f.link, Title: title, Href: viaRoot(from, dir+f.file, variant)})
	}
	return out
}

// viaRoot is relPath, or with via the link climbs to the site's root
// first.
func viaRoot(from, target string, via bool) string {
	if !via {
		return relPath(from, target)
	}
	return relPath(from, "/") + strings.TrimPrefix(target, "/")
}

// feedLink is a <link rel="alternate"> to another format of the page.
type feedLink struct {
	Type, Href, Title string
}

// TypeAttr is the type attribute: html/template would write the media
// types' "+" as "&#43;", five bytes a link on every page; the types are
// this package's constants, never text from the store.
func (l feedLink) TypeAttr() template.HTMLAttr { return template.HTMLAttr(`type="` + l.Type + `"`) }

// fileRoute answers a path that does not end in a slash when it is one of
// the formats' files; ok is false for any other path.
func (b *Builder) fileRoute(ctx context.Context, path string) (p *Page, ok bool, err error) {
	if path == SitemapIndexPath {
		p, err := b.sitemapIndex(ctx)
		return p, true, err
	}
	segs := strings.Split(path[1:], "/")
	name := segs[len(segs)-1]
	if !strings.HasSuffix(name, ".xml") && !strings.HasSuffix(name, ".json") {
		return nil, false, nil
	}
	if len(segs) < 2 || !kolokol.ValidServiceCode(segs[0]) {
		return nil, false, nil
	}
	svc, err := b.store.FindServiceByCode(ctx, segs[0])
	if kolokol.IsNotFound(err) {
		return nil, false, nil // a variant's, or nothing: no file of its own
	} else if err != nil {
		return nil, true, fmt.Errorf("render %s: %w", path, err)
	}
	rest := segs[1:]
	for _, r := range fileRoutes {
		p, ok, err := r.match(b, ctx, nil, svc, rest)
		if err != nil {
			return nil, true, fmt.Errorf("render %s: %w", path, err)
		}
		if ok {
			return p, true, nil
		}
	}
	return nil, false, nil
}

// fileRoutes are the routes of the formats' files, tried for paths with
// no trailing slash.
var fileRoutes = []route{
	{kind: KindFeed, pattern: "/{service}/feed.xml, atom.xml, feed.json; /{service}/s/{section}/feed.xml, atom.xml, feed.json; /{service}/t/{tag}/feed.xml, atom.xml, feed.json",
		match: func(b *Builder, ctx context.Context, _ []*kolokol.Notice, svc *kolokol.Service, rest []string) (*Page, bool, error) {
			switch {
			case len(rest) == 1:
				f, ok := formatOf(rest[0])
				if !ok {
					return nil, false, nil
				}
				p, err := b.feed(ctx, svc, "", "", f)
				return p, true, err
			case len(rest) == 3 && rest[0] == "s":
				f, ok := formatOf(rest[2])
				if !ok {
					return nil, false, nil
				}
				p, err := b.feed(ctx, svc, rest[1], "", f)
				return p, true, err
			case len(rest) == 3 && rest[0] == "t":
				f, ok := formatOf(rest[2])
				if !ok {
					return nil, false, nil
				}
				if key := kolokol.TagKey(rest[1]); key == "" || key != rest[1] {
					// A file has one address: no redirect from another
					// spelling, which no page links.
					return notFound(svc), true, nil
				}
				p, err := b.feed(ctx, svc, "", rest[1], f)
				return p, true, err
			}
			return nil, false, nil
		},
		list: func(b *Builder, ctx context.Context, svc *kolokol.Service, yield func(string) bool) error {
			for _, f := range feedFormats {
				if !yield(homePath(svc.Code) + f.file) {
					return nil
				}
			}
			sections, err := b.store.FindSections(ctx, svc.Code)
			if err != nil {
				return err
			}
			for _, s := range sections {
				for _, f := range feedFormats {
					if !yield(sectionPath(svc.Code, s.Slug) + f.file) {
						return nil
					}
				}
			}
			tags, err := b.store.FindTags(ctx, svc.Code)
			if err != nil {
				return err
			}
			for _, t := range tags {
				for _, f := range feedFormats {
					if !yield(rawTagPath(svc.Code, t.Key) + f.file) {
						return nil
					}
				}
			}
			return nil
		}},
	{kind: KindNinjs, pattern: "/{service}/a/{id}.ninjs2.json, /{service}/a/{id}.ninjs3.json",
		match: func(b *Builder, ctx context.Context, _ []*kolokol.Notice, svc *kolokol.Service, rest []string) (*Page, bool, error) {
			if len(rest) != 2 || rest[0] != "a" {
				return nil, false, nil
			}
			major := 2
			idPart, ok := strings.CutSuffix(rest[1], ninjsSuffix2)
			if !ok {
				if idPart, ok = strings.CutSuffix(rest[1], ninjsSuffix3); !ok {
					return nil, false, nil
				}
				major = 3
			}
			id, ok := parsePositive(idPart)
			if !ok {
				return notFound(svc), true, nil
			}
			p, err := b.ninjs(ctx, svc, id, major)
			return p, true, err
		},
		list: func(b *Builder, ctx context.Context, svc *kolokol.Service, yield func(string) bool) error {
			return b.eachLive(ctx, svc.Code, func(a *kolokol.Article) bool {
				return yield(ninjsPath(a, 2)) && yield(ninjsPath(a, 3))
			})
		}},
	{kind: KindSitemap, pattern: "/{service}/sitemap-{n}.xml",
		match: func(b *Builder, ctx context.Context, _ []*kolokol.Notice, svc *kolokol.Service, rest []string) (*Page, bool, error) {
			if len(rest) != 1 || !strings.HasPrefix(rest[0], "sitemap-") || !strings.HasSuffix(rest[0], ".xml") {
				return nil, false, nil
			}
			n, ok := parsePositive(strings.TrimSuffix(strings.TrimPrefix(rest[0], "sitemap-"), ".xml"))
			if !ok || n > 1e9 || b.feedBase() == "" {
				return notFound(svc), true, nil
			}
			p, err := b.sitemap(ctx, svc, int(n))
			return p, true, err
		},
		list: func(b *Builder, ctx context.Context, svc *kolokol.Service, yield func(string) bool) error {
			if b.feedBase() == "" {
				return nil
			}
			n, err := b.sitemapCount(ctx, svc)
			if err != nil {
				return err
			}
			for i := 1; i <= n; i++ {
				if !yield(sitemapPath(svc.Code, i)) {
					return nil
				}
			}
			return nil
		}},
	{kind: KindNewsSitemap, pattern: "/{service}/news-sitemap.xml",
		match: func(b *Builder, ctx context.Context, _ []*kolokol.Notice, svc *kolokol.Service, rest []string) (*Page, bool, error) {
			if len(rest) != 1 || rest[0] != newsSitemapFile {
				return nil, false, nil
			}
			if b.feedBase() == "" {
				return notFound(svc), true, nil
			}
			p, err := b.newsSitemap(ctx, svc)
			return p, true, err
		},
		list: func(b *Builder, ctx context.Context, svc *kolokol.Service, yield func(string) bool) error {
			if b.feedBase() != "" {
				yield(newsSitemapPath(svc.Code))
			}
			return nil
		}},
}

// feed renders a service's feed (section and tag ""), a section's or the
// tag's with key tag, in format f.
func (b *Builder) feed(ctx context.Context, svc *kolokol.Service, section, tag string, f feedFormat) (*Page, error) {
	sections, err := b.store.FindSections(ctx, svc.Code)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(sections))
	for _, s := range sections {
		names[s.Slug] = s.Name
	}
	brand := svc.BrandOr(b.opts.SiteName)
	deps := []string{svcTag(svc.Code), listTag(svc.Code)}
	// home and self are escaped, path is self as net/http unescapes it.
	home, self := homePath(svc.Code), homePath(svc.Code)+f.file
	path := self
	fd := &feed.Feed{Title: brand, Description: svc.About, Lang: svc.Tag, RTL: svc.Direction == kolokol.RTL, Author: brand,
		ID: "tag:" + b.tagAuthority() + "," + svc.CreatedAt.UTC().Format("2006-01-02") + ":" + svc.Code + "/"}
	if section != "" {
		name, ok := names[section]
		if !ok {
			// A section appears with a service change (svc:), but the
			// list tag is cheap insurance, as the section pages have it.
			return notFound(svc, listTag(svc.Code)), nil
		}
		home, self = sectionPath(svc.Code, section), sectionPath(svc.Code, section)+f.file
		path = self
		fd.Title, fd.ID = name+" – "+brand, fd.ID+"s/"+section
	}
	if tag != "" {
		// As the tag's page: its own stories' changes name it.
		deps = []string{svcTag(svc.Code), taggedTag(svc.Code, tag)}
		name, err := b.tagName(ctx, svc, tag)
		if err != nil {
			return nil, err
		}
		if name == "" {
			return notFound(svc, deps...), nil
		}
		home, self, path = tagPath(svc.Code, tag), tagPath(svc.Code, tag)+f.file, rawTagPath(svc.Code, tag)+f.file
		fd.Title = i18n.For(svc.Tag).Tf(i18n.TagHeading, name) + " – " + brand
		// The key's own text: a tag: URI may hold any character but a few
		// (RFC 4151), and the id never leaves the feed.
		fd.ID += "t/" + url.PathEscape(tag)
	}
	fd.Link, fd.Self = b.feedURL(home), b.feedURL(self)
	arts, err := b.store.FindArticles(ctx, kolokol.ArticleFilter{Service: svc.Code, Section: section, Tag: tag, Status: kolokol.StatusPublished,
		ByPublished: true, WithCorrections: true, Limit: feedLen})
	if err != nil {
		return nil, err
	}
	mod := svc.UpdatedAt
	c := i18n.For(svc.Tag)
	loc := b.location(svc)
	tf := c.Formatter().In(loc).WithGregorian(svc.ShowGregorian)
	for _, a := range arts {
		e, more, err := b.feedEntry(ctx, svc, a, names, c, tf, loc)
		if err != nil {
			return nil, err
		}
		deps = append(deps, more...)
		fd.Entries = append(fd.Entries, e)
		fd.Updated = latest(fd.Updated, e.Updated)
		mod = latest(mod, e.Updated)
	}
	if fd.Updated.IsZero() {
		fd.Updated = svc.UpdatedAt
	}
	return &Page{Status: http.StatusOK, Path: path, Body: f.emit(fd), ContentType: f.typ, Deps: deps, LastModified: mod}, nil
}

// feedEntry is a story as a feed entry, and what it depends on: its own
// page's tag and its picture's.
func (b *Builder) feedEntry(ctx context.Context, svc *kolokol.Service, a *kolokol.Article, sections map[string]string, c *i18n.Catalog, tf *i18n.Formatter, loc *time.Location) (feed.Entry, []string, error) {
	deps := []string{artTag(a.ID)}
	e := feed.Entry{ID: b.storyID(a), Title: a.Headline, Link: b.feedURL(a.Path()), Summary: a.Summary,
		Published: published(a), Authors: a.Bylines}
	e.Updated = latest(a.UpdatedAt, e.Published)
	if a.Section != "" {
		e.Categories = append(e.Categories, feed.Category{Term: a.Section, Label: cmp.Or(sections[a.Section], a.Section)})
	}
	for _, t := range a.Tags {
		e.Categories = append(e.Categories, feed.Category{Term: t, Label: t})
	}
	var m *kolokol.Media
	if a.LeadImage != nil {
		deps = append(deps, mediaTag(a.LeadImage.MediaID))
		var err error
		m, err = b.store.FindMediaByID(ctx, a.LeadImage.MediaID)
		if kolokol.IsNotFound(err) {
			m = nil // as on the page: a missing photo leaves the story
		} else if err != nil {
			return e, nil, err
		}
	}
	var body strings.Builder
	if m != nil {
		e.Image = b.feedImage(a.LeadImage, m)
		body.WriteString(`<figure><img src="` + html.EscapeString(e.Image.URL) + `" alt="` + html.EscapeString(e.Image.Alt) + `">`)
		if a.LeadImage.Caption != "" || a.LeadImage.Credit != "" {
			body.WriteString("<figcaption>" + html.EscapeString(a.LeadImage.Caption))
			if a.LeadImage.Credit != "" {
				body.WriteString(" <small>" + html.EscapeString(a.LeadImage.Credit) + "</small>")
			}
			body.WriteString("</figcaption>")
		}
		body.WriteString("</figure>")
	}
	inline, inlineDeps, err := b.bodyMedia(ctx, a.Body)
	if err != nil {
		return e, nil, err
	}
	for _, d := range inlineDeps {
		if !slices.Contains(deps, d) {
			deps = append(deps, d)
		}
	}
	// Feed readers get the pictures by absolute address, and a card as
	// its words and link.
	text, err := b.md.page(a.Body, b.feedBase()+"/", &blockEnv{media: inline, l: c, f: tf})
	if err != nil {
		return e, nil, err
	}
	body.WriteString(string(text))
	var corrected time.Time
	body.WriteString(corrections(a, c, tf, loc, &corrected))
	e.Content = body.String()
	e.Updated = latest(e.Updated, corrected)
	return e, deps, nil
}

// corrections is the story's corrections as HTML, oldest first, as its page
// shows them after the body, so that a feed reader who read the story
// before sees what was corrected; newest is set to the latest one's time.
func corrections(a *kolokol.Article, c *i18n.Catalog, tf *i18n.Formatter, loc *time.Location, newest *time.Time) string {
	if len(a.Corrections) == 0 {
		return ""
	}
	corr := slices.Clone(a.Corrections)
	slices.SortStableFunc(corr, func(x, y kolokol.Correction) int { return x.CreatedAt.Compare(y.CreatedAt) })
	heading := c.T(i18n.Correction)
	if len(corr) > 1 {
		heading = c.T(i18n.Corrections)
	}
	var s strings.Builder
	s.WriteString(`<aside class="corrections"><h2>` + html.EscapeString(heading) + "</h2>")
	for _, x := range corr {
		t := formatTime(tf, x.CreatedAt, loc)
		s.WriteString(`<p><time datetime="` + t.ISO + `">` + html.EscapeString(t.Text) + "</time> " + html.EscapeString(x.Text) + "</p>")
		*newest = latest(*newest, x.CreatedAt)
	}
	s.WriteString("</aside>")
	return s.String()
}

// feedImage is a story's picture as feeds carry it: the 16:9 JPEG of about
// 1200 pixels that link previews get (og:image), or the master.
func (b *Builder) feedImage(li *kolokol.LeadImage, m *kolokol.Media) *feed.Image {
	im := &feed.Image{URL: b.feedURL(m.Path()), Type: m.ContentType, Length: m.Size, Width: m.Width, Height: m.Height,
		Alt: li.Alt, Caption: li.Caption, Credit: li.Credit}
	if r, ok := m.Pick(kolokol.Ratio16x9, kolokol.FormatJPEG, 1200); ok {
		im.URL, im.Type, im.Length, im.Width, im.Height = b.feedURL(r.Path()), r.ContentType(), r.Size, r.Width, r.Height
	}
	return im
}

// ninjs renders a live story as ninjs of major version 2 or 3.
func (b *Builder) ninjs(ctx context.Context, svc *kolokol.Service, id int64, major int) (*Page, error) {
	a, err := b.store.FindArticleByID(ctx, id)
	if kolokol.IsNotFound(err) || (err == nil && (a.Service != svc.Code || !a.IsLive())) {
		return notFound(svc, artTag(id)), nil // art:ID: it becomes a page when published
	} else if err != nil {
		return nil, err
	}
	n, err := b.ninjsOf(ctx, svc, a)
	if err != nil {
		return nil, err
	}
	return &Page{Status: http.StatusOK, Path: ninjsPath(a, major), Body: feed.Ninjs(n.story, major), ContentType: feed.NinjsType,
		Deps: slices.Clone(n.deps), LastModified: n.modified}, nil
}

// ninjsStory is a story as both majors of ninjs carry it.
type ninjsStory struct {
	story    *feed.Story
	deps     []string
	modified time.Time
}

// ninjsMemo keeps, for a static export, a story's ninjsStory between its
// two files (2 and 3): everything but the last JSON step is the same for
// both, and building it twice was a fifth of the ninjs files' time. An
// entry is good for the same *kolokol.Article only, which an export's
// view hands out for a batch of pages and a live store never does twice.
type ninjsMemo struct {
	mu sync.Mutex
	m  map[int64]*ninjsEntry
}

type ninjsEntry struct {
	a    *kolokol.Article
	svc  string
	once sync.Once
	n    *ninjsStory
	err  error
	uses int
}

// maxNinjsMemo bounds the stories kept: one whose other file never comes
// (a pass that renders only one of them) is dropped with the others.
const maxNinjsMemo = 256

// ninjsOf builds the ninjsStory of a, once for both files when exporting.
func (b *Builder) ninjsOf(ctx context.Context, svc *kolokol.Service, a *kolokol.Article) (*ninjsStory, error) {
	if !b.opts.Static {
		return b.buildNinjs(ctx, svc, a)
	}
	m := &b.ninjsMemo
	m.mu.Lock()
	e := m.m[a.ID]
	if e == nil || e.a != a || e.svc != svc.Code {
		if m.m == nil || len(m.m) >= maxNinjsMemo {
			m.m = map[int64]*ninjsEntry{}
		}
		e = &ninjsEntry{a: a, svc: svc.Code}
		m.m[a.ID] = e
	}
	m.mu.Unlock()
	e.once.Do(func() { e.n, e.err = b.buildNinjs(ctx, svc, a) })
	m.mu.Lock()
	if e.uses++; e.uses >= 2 && m.m[a.ID] == e {
		delete(m.m, a.ID) // both files are made
	}
	m.mu.Unlock()
	return e.n, e.err
}

// buildNinjs builds a live story's ninjsStory.
func (b *Builder) buildNinjs(ctx context.Context, svc *kolokol.Service, a *kolokol.Article) (*ninjsStory, error) {
	sections, err := b.store.FindSections(ctx, svc.Code)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, s := range sections {
		names[s.Slug] = s.Name
	}
	c := i18n.For(svc.Tag)
	loc := b.location(svc)
	e, deps, err := b.feedEntry(ctx, svc, a, names, c, c.Formatter().In(loc).WithGregorian(svc.ShowGregorian), loc)
	if err != nil {
		return nil, err
	}
	s := &feed.Story{URI: e.ID, Link: e.Link, Version: a.Version, Headline: a.Headline, Summary: a.Summary, Lang: svc.Tag,
		Bylines: a.Bylines, Located: a.Dateline, Published: e.Published, Updated: e.Updated,
		Publisher: svc.BrandOr(b.opts.SiteName), Credits: a.Credits, Subjects: e.Categories, Image: e.Image}
	// The body without the figure feeds put first: ninjs carries the
	// picture as an association.
	s.HTML = e.Content
	if i := strings.Index(s.HTML, "</figure>"); e.Image != nil && i >= 0 {
		s.HTML = s.HTML[i+len("</figure>"):]
	}
	s.Text = plainText(s.HTML)
	if a.LeadImage != nil {
		if m, err := b.store.FindMediaByID(ctx, a.LeadImage.MediaID); err == nil {
			for _, r := range append(m.Srcset(kolokol.Ratio16x9, kolokol.FormatJPEG), m.Srcset(kolokol.Ratio16x9, kolokol.FormatWebP)...) {
				s.ImageLinks = append(s.ImageLinks, feed.Rendition{Name: r.Ratio + "-" + r.Format + "-" + strconv.Itoa(r.Width),
					Href: b.feedURL(r.Path()), Type: r.ContentType(), Width: r.Width, Height: r.Height, Size: r.Size})
			}
		}
	}
	deps = append([]string{svcTag(svc.Code)}, deps...)
	return &ninjsStory{story: s, deps: deps, modified: latest(e.Updated, svc.UpdatedAt)}, nil
}

// plainText is the text of an HTML fragment, its blocks (paragraphs,
// headings, items) apart by a blank line.
func plainText(fragment string) string {
	z := xhtml.NewTokenizer(strings.NewReader(fragment))
	var out bytes.Buffer
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			var blocks []string
			for _, b := range strings.Split(out.String(), "\n\n") {
				if b = strings.TrimSpace(b); b != "" {
					blocks = append(blocks, b)
				}
			}
			return strings.Join(blocks, "\n\n")
		case xhtml.TextToken:
			out.Write(z.Text())
		case xhtml.EndTagToken:
			switch name, _ := z.TagName(); string(name) {
			case "p", "h2", "h3", "h4", "li", "blockquote", "figcaption", "h1":
				out.WriteString("\n\n")
			}
		}
	}
}

// FileKind is the kind of the page at path, a site path with no trailing
// slash, when it is one of the formats' files, by its shape alone (an
// export re-rendering a file of its tree knows no more); ok is false for
// any other path (an asset, a picture, mirrors.json, a 404 page).
func FileKind(path string) (k Kind, ok bool) {
	if path == SitemapIndexPath {
		return KindSitemapIndex, true
	}
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	name := segs[len(segs)-1]
	_, isFeed := formatOf(name)
	switch {
	case len(segs) < 2 || !kolokol.ValidServiceCode(segs[0]):
		return "", false
	case isFeed && (len(segs) == 2 || (len(segs) == 4 && (segs[1] == "s" || segs[1] == "t"))):
		return KindFeed, true
	case len(segs) == 2 && name == newsSitemapFile:
		return KindNewsSitemap, true
	case len(segs) == 2 && strings.HasPrefix(name, "sitemap-") && strings.HasSuffix(name, ".xml"):
		return KindSitemap, true
	case len(segs) == 3 && segs[1] == "a" && (strings.HasSuffix(name, ninjsSuffix2) || strings.HasSuffix(name, ninjsSuffix3)):
		return KindNinjs, true
	}
	return "", false
}
