package render

import (
	"context"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/i18n"
)

// view is what the page template renders. Everything in it is final: links
// already relative, times already formatted, so the template only places.
type view struct {
	self      string // the page's own escaped path, or rootRelative
	Kind      string // "article", "list", "portal", "safety", "mirrors" or "notfound": what main holds
	L         *i18n.Catalog
	Lang, Dir string
	Title     string
	Desc      string // meta description
	Canonical string // absolute; "" for 404 pages and without a BaseURL
	Style     string
	Icon      string
	Portal    string // link to the portal; "" on the portal itself
	Brand     string // the masthead: the outlet's name, the header's link home
	BrandHref string
	Logo      *logoView // the masthead's picture, if any
	// Language is the header's link to the language switch, in the
	// service's own name; nil on the site's own pages.
	Language *serviceLink
	Nav      []navLink // nil: no navigation landmark
	Breaking *breakingView
	Notices  []noticeView
	Safety   string // link to the service's safety page
	Mirrors  string // link to the service's mirrors page
	About    string
	Legal    string
	OG       *openGraph
	JSONLD   template.JS
	// Alternates are the hreflang links to this page in other languages,
	// this page included, as search engines expect.
	Alternates []alternate
	// Feeds are the page's <link rel="alternate"> to other formats: the
	// service's feeds, a section's, a story's ninjs.
	Feeds []feedLink
	// ScriptSwitch leads to the same page in the service's other script.
	ScriptSwitch *alternate
	// Lite links a full page to its text-only edition; Full links back.
	Lite, Full string
	// Languages is the footer's switch to every service, each in its own
	// name; empty on pages that only link the portal.
	Languages []serviceLink
	// NavHTML and LanguagesHTML are Nav and Languages rendered, filled
	// by execute (see Builder.fragment).
	NavHTML, LanguagesHTML template.HTML

	// SearchHref is the search form's action: the service's search, or
	// the site's; "" on a static mirror, which has no search. Query fills its field on a results page, where NoIndex
	// keeps search engines away.
	SearchHref string
	Query      string
	NoIndex    bool

	// The main content, by Kind.
	Article *articleView
	List    *listView
	Page    *safetyView
	// MirrorList is the mirrors page's body.
	MirrorList *mirrorsView
	Search     *searchView
	// EmailPage is an email edition page's body; EmailHref the footer's
	// link to the service's form, on the live server's pages only.
	EmailPage *emailView
	EmailHref string
	Services  []serviceLink
	Home      string // notfound: link to the service home or the portal

	// deps and files are what the chrome adds to the page's Deps and
	// Files (the masthead's picture).
	deps, files []string
}

// logoView is the masthead's picture: a drawing inlined (SVG, the shapes
// package logo left) or a picture's renditions.
type logoView struct {
	SVG           template.HTML
	ViewBox       string
	Width, Height int
	Src, JPEG     string
	WebP, Sizes   string
}

// logoHeight is how tall the masthead's picture is drawn, in CSS pixels.
const logoHeight = 40

type navLink struct {
	Href, Text string
	Current    string // aria-current: "page" on the link to this very page, "true" to its section
}

type noticeView struct {
	Text, Href string
	External   bool
}

type breakingView struct {
	Text     string
	Href     string
	External bool
}

type timeView struct {
	ISO  string // RFC 3339 for the datetime attribute
	Text string
}

type openGraph struct {
	Title, Desc, URL, Image, Locale, SiteName string
}

type articleView struct {
	Headline    string
	Summary     string
	Image       *imageView
	Byline      template.HTML
	Dateline    string
	Published   timeView
	Updated     *timeView
	Body        template.HTML
	Credits     template.HTML
	Corrections []correctionView
	CorrHeading string
	Tags        []tagLink
	Photo       *photoView // lite pages: a link to the picture instead of it
	// Translations are the story's published versions in other services.
	Translations []alternate
	// FoldTranslations folds a long list of them into a <details>, whose
	// summary TranslationsLabel is (it then counts them).
	FoldTranslations  bool
	TranslationsLabel string
	// More is "more from the section": its newest stories but this one.
	More *moreView
	// Share is the story's address to copy, and a mailto: link sending it;
	// plain text and a plain link, nothing that tells a third party.
	Share, ShareMail string
}

// alternate is a version of a page in another language.
type alternate struct {
	Lang, Dir, Name string
	Href            string // relative, for the switcher
	Abs             string // absolute, for hreflang; "" without a BaseURL
}

type imageView struct {
	Src, Alt, Caption, Credit string
	Width, Height             int
	// WebP and JPEG are srcset values of the 16:9 renditions; empty for
	// media stored before renditions existed, which show the master alone.
	WebP, JPEG, Sizes string
}

// photoView is the lite edition's stand-in for the lead photo.
type photoView struct {
	Href, Text, Caption, Credit string
}

// photoLink points at the 640-wide 16:9 JPEG (or the master) and says how
// big it is.
func photoLink(from string, c *i18n.Catalog, li *kolokol.LeadImage, m *kolokol.Media) *photoView {
	path, size := m.Path(), m.Size
	if r, ok := m.Pick(kolokol.Ratio16x9, kolokol.FormatJPEG, 640); ok {
		path, size = r.Path(), r.Size
	}
	kb := max(1, int((size+512)/1024))
	return &photoView{Href: relPath(from, path), Text: c.Tf(i18n.ShowPhoto, c.Formatter().Number(kb)+" KB"), Caption: li.Caption, Credit: li.Credit}
}

// liteView turns a page into the text-only edition: no section navigation
// (every link would leave the edition) and a link to the full page.
func (v *view) liteView(from, full string) {
	v.Full = relPath(from, full)
	v.Nav = nil
	v.Alternates = nil
	if v.Breaking != nil && v.Breaking.Href != "" && !v.Breaking.External {
		v.Breaking.Href = "" // the banner's story is on the full site
	}
}

// leadSizes tells the browser how wide the lead photo is drawn: the text
// column (40rem less its padding) or the screen less the padding.
const leadSizes = "(min-width: 40rem) 38rem, calc(100vw - 2rem)"

// leadImage is the lead photo as a <picture>: WebP renditions for browsers
// that take them, JPEG for the rest, the 640-wide JPEG as the plain src.
// Width and height are the crop's, so the page does not shift as it loads.
func leadImage(from string, li *kolokol.LeadImage, m *kolokol.Media) *imageView {
	return pictureOf(m, li.Alt, li.Caption, li.Credit, func(path string) string { return relPath(from, path) })
}

// pictureOf is a media drawn as the lead photo is, with url making its
// files' site paths the page's links to them.
func pictureOf(m *kolokol.Media, alt, caption, credit string, url func(path string) string) *imageView {
	// url is called once for each address the picture shows: a body
	// counts them (see markdown.page).
	iv := &imageView{Alt: alt, Caption: caption, Credit: credit, Width: m.Width, Height: m.Height}
	rel := func(r kolokol.Rendition) string { return url(r.Path()) }
	if fb, ok := m.Pick(kolokol.Ratio16x9, kolokol.FormatJPEG, 640); ok {
		iv.Src, iv.Width, iv.Height = rel(fb), fb.Width, fb.Height
		iv.JPEG = kolokol.SrcsetAttr(m.Srcset(kolokol.Ratio16x9, kolokol.FormatJPEG), rel)
		iv.WebP = kolokol.SrcsetAttr(m.Srcset(kolokol.Ratio16x9, kolokol.FormatWebP), rel)
		iv.Sizes = leadSizes
	} else {
		iv.Src = url(m.Path())
	}
	if iv.Width <= 0 || iv.Height <= 0 {
		iv.Width, iv.Height = 0, 0
	}
	return iv
}

// pageMedia lists the picture files the pages of a story showing m use:
// the renditions leadImage and photoLink (and OpenGraph) pick from, or the
// master when there are none.
func pageMedia(m *kolokol.Media) []string {
	jpeg, webp := m.Srcset(kolokol.Ratio16x9, kolokol.FormatJPEG), m.Srcset(kolokol.Ratio16x9, kolokol.FormatWebP)
	if len(jpeg) == 0 {
		return []string{m.Path()}
	}
	var out []string
	for _, r := range append(jpeg, webp...) {
		out = append(out, r.Path())
	}
	return out
}

type correctionView struct {
	Time timeView
	Text string
}

type listView struct {
	Heading string
	Items   []listItem
	Page    int
	Pages   int
	PageOf  string // "Page N of M"; "" on the home page
	Newer   string // link to the newer page, rel=prev
	Older   string // link to the older page, rel=next
	Archive string // link to the archive, on the home page
}

type moreView struct {
	Heading string
	Items   []listItem
}

type listItem struct {
	Href, Headline, Summary string
	Time                    timeView
}

type serviceLink struct {
	Href, Name, Lang, Dir string
	Current               bool
}

// newView fills what every page of the site has. from is the page's own
// escaped path, which every relative link starts from (or rootRelative).
func (b *Builder) newView(from string, c *i18n.Catalog) *view {
	v := &view{
		self:      from,
		L:         c,
		Lang:      "en",
		Dir:       "ltr",
		Style:     relPath(from, b.stylePath),
		Icon:      relPath(from, "/favicon.svg"),
		Portal:    relPath(from, "/"),
		Brand:     b.opts.SiteName,
		BrandHref: relPath(from, "/"),
	}
	if !b.opts.Static {
		v.SearchHref = relPath(from, SearchPath(""))
	}
	return v
}

// serviceView fills what every page of a service has. section is the path
// of the first page of the list the page belongs to, if any.
func (b *Builder) serviceView(ctx context.Context, notices []*kolokol.Notice, from string, svc *kolokol.Service, sections []*kolokol.Section, section string) (*view, error) {
	v := b.newView(from, i18n.For(svc.Tag))
	v.Safety = relPath(from, safetyPath(svc.Code))
	v.Mirrors = relPath(from, mirrorsPath(svc.Code))
	for _, n := range notices {
		if n.Service != svc.Code {
			continue
		}
		nv := noticeView{Text: n.Text, Href: v.Safety}
		if n.Link != "" && kolokol.SafeLink(n.Link) {
			if strings.HasPrefix(n.Link, "/") {
				nv.Href = relPath(from, n.Link)
			} else {
				nv.Href, nv.External = n.Link, true
			}
		}
		v.Notices = append(v.Notices, nv)
	}
	v.Lang, v.Dir = svc.Tag, string(svc.Direction)
	if v.Dir != string(kolokol.RTL) {
		v.Dir = string(kolokol.LTR)
	}
	v.Brand, v.BrandHref = svc.BrandOr(b.opts.SiteName), relPath(from, homePath(svc.Code))
	if !b.opts.Static {
		v.SearchHref = relPath(from, SearchPath(svc.Code))
		if b.opts.Email {
			v.EmailHref = relPath(from, EmailPath(svc.Code))
		}
	}
	v.Feeds = b.feedLinks(from, svc, homePath(svc.Code), v.Brand)
	v.Language = &serviceLink{Name: svc.Name, Lang: svc.Tag, Dir: v.Dir, Href: "#languages"}
	if err := b.logo(ctx, v, from, svc); err != nil {
		return nil, err
	}
	v.About, v.Legal = svc.About, svc.LegalStatus
	v.Nav = make([]navLink, 0, len(sections)+1)
	link := func(p, text string) {
		l := navLink{Href: relPath(from, p), Text: text}
		switch {
		case p == from:
			l.Current = "page"
		case p == section:
			l.Current = "true"
		}
		v.Nav = append(v.Nav, l)
	}
	for _, s := range sections {
		link(sectionPath(svc.Code, s.Slug), s.Name)
	}
	link(archivePath(svc.Code), v.L.T(i18n.Archive))
	if sv, ok := i18n.VariantOf(svc.Tag); ok {
		base := "/" + svc.Code + "/"
		if rest, ok := strings.CutPrefix(from, base); ok {
			v.ScriptSwitch = &alternate{Lang: sv.Tag, Name: sv.Name, Href: relPath(from, "/"+svc.Code+sv.Suffix+"/"+rest)}
		}
	}
	return v, nil
}

// logo fills the masthead's picture. A drawing is inlined; a picture is
// shown by its uncropped renditions, and the page then depends on it and
// carries its files. A picture gone from the library leaves the brand's
// name alone, as a missing lead photo leaves the story.
func (b *Builder) logo(ctx context.Context, v *view, from string, svc *kolokol.Service) error {
	l := svc.Logo
	switch {
	case l.SVG != "":
		if a := l.Aspect(); a > 0 {
			// The stored drawing was sanitized when it was stored and is
			// checked again by Service.Validate on every write.
			v.Logo = &logoView{SVG: template.HTML(l.SVG), ViewBox: l.ViewBox, Height: logoHeight, Width: max(1, int(a*logoHeight+0.5))}
		}
		return nil
	case l.MediaID == 0:
		return nil
	}
	v.deps = append(v.deps, mediaTag(l.MediaID))
	m, err := b.store.FindMediaByID(ctx, l.MediaID)
	if kolokol.IsNotFound(err) {
		return nil
	} else if err != nil {
		return fmt.Errorf("the logo of %s: %w", svc.Code, err)
	}
	if m.Width <= 0 || m.Height <= 0 {
		return nil
	}
	w := max(1, (m.Width*logoHeight+m.Height/2)/m.Height)
	lv := &logoView{Width: w, Height: logoHeight, Src: relPath(from, m.Path()), Sizes: strconv.Itoa(w) + "px"}
	rel := func(r kolokol.Rendition) string { return relPath(from, r.Path()) }
	// A masthead is drawn small: renditions up to 640 wide cover
	// screens of three device pixels per CSS pixel.
	small := func(format string) []kolokol.Rendition {
		var out []kolokol.Rendition
		for _, r := range m.Srcset(kolokol.RatioOriginal, format) {
			if r.Width <= 640 {
				out = append(out, r)
			}
		}
		return out
	}
	if jpeg, webp := small(kolokol.FormatJPEG), small(kolokol.FormatWebP); len(jpeg) > 0 {
		lv.Src = rel(jpeg[0])
		lv.JPEG, lv.WebP = kolokol.SrcsetAttr(jpeg, rel), kolokol.SrcsetAttr(webp, rel)
		for _, r := range append(jpeg, webp...) {
			v.files = append(v.files, r.Path())
		}
	} else {
		v.files = append(v.files, m.Path())
	}
	v.Logo = lv
	return nil
}

// setBreaking shows the banner if it is active and returns what it means
// for the page's validity.
func (v *view) setBreaking(br *kolokol.Breaking, from string, now time.Time) (shown time.Time, expires time.Time) {
	if !br.Active(now) {
		return time.Time{}, time.Time{}
	}
	bv := &breakingView{Text: br.Text}
	// The URL was checked when set; check again, the page is what readers get.
	if br.URL != "" && kolokol.SafeLink(br.URL) {
		if strings.HasPrefix(br.URL, "/") {
			bv.Href = relPath(from, br.URL)
		} else {
			bv.Href, bv.External = br.URL, true
		}
	}
	v.Breaking = bv
	return br.CreatedAt, br.ExpiresAt
}

// formatTime shows t in the service's zone: RFC 3339 with the offset for
// machines, and for readers the language's date and time, in its calendar
// and digits (f is already set to loc).
func formatTime(f *i18n.Formatter, t time.Time, loc *time.Location) timeView {
	return timeView{ISO: t.In(loc).Format(time.RFC3339), Text: f.DateTime(t)}
}

// listHTML renders items as one phrase with the language's CLDR list
// pattern ("A, B and C", "A، B، و C") with each item isolated in <bdi>, so
// a Latin agency name in a Persian sentence or an Arabic name in an English
// byline does not reorder its neighbours.
func listHTML(f *i18n.Formatter, items []string) template.HTML {
	pieces := f.ListPieces(len(items))
	var b strings.Builder
	for i, it := range items {
		b.WriteString(template.HTMLEscapeString(pieces[i]))
		b.WriteString("<bdi>")
		b.WriteString(template.HTMLEscapeString(it))
		b.WriteString("</bdi>")
	}
	b.WriteString(template.HTMLEscapeString(pieces[len(items)]))
	return template.HTML(b.String())
}

// message puts HTML arguments into a catalog message in place of its %s
// verbs, escaping the message itself.
func message(format string, args ...template.HTML) template.HTML {
	var b strings.Builder
	for _, a := range args {
		before, after, ok := strings.Cut(format, "%s")
		if !ok {
			break
		}
		b.WriteString(template.HTMLEscapeString(before))
		b.WriteString(string(a))
		format = after
	}
	b.WriteString(template.HTMLEscapeString(format))
	return template.HTML(b.String())
}

// latest returns the newest of ts.
func latest(ts ...time.Time) time.Time {
	var m time.Time
	for _, t := range ts {
		if t.After(m) {
			m = t
		}
	}
	return m
}

// ogLocale turns a BCP 47 tag into OpenGraph's language_TERRITORY form:
// "fa-IR" is "fa_IR", "sr-Latn-RS" is "sr_RS", "ru" stays "ru".
func ogLocale(tag string) string {
	parts := strings.Split(tag, "-")
	out := strings.ToLower(parts[0])
	for _, p := range parts[1:] {
		if len(p) == 2 {
			return out + "_" + strings.ToUpper(p)
		}
	}
	return out
}
