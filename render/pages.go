package render

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/feed"
	"github.com/kolokol/kolokol/i18n"
)

// portal renders "/": every service, in its own language.
// languages fills the footer's language switch of a service page. The page
// then depends on the list of services too.
func (b *Builder) languages(ctx context.Context, v *view, from, current string) ([]string, error) {
	services, err := b.store.FindServices(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range services {
		v.Languages = append(v.Languages, serviceLink{Href: relPath(from, homePath(s.Code)), Name: s.Name, Lang: s.Tag,
			Dir: string(s.Direction), Current: s.Code == current})
	}
	return []string{portalTag}, nil
}

func (b *Builder) portal(ctx context.Context) (*Page, error) {
	services, err := b.store.FindServices(ctx)
	if err != nil {
		return nil, err
	}
	v := b.newView("/", i18n.For("en"))
	v.Kind, v.Title, v.Portal = "portal", b.opts.SiteName, ""
	v.Canonical = b.absolute("/")
	var mod time.Time
	for _, s := range services {
		dir := string(kolokol.LTR)
		if s.Direction == kolokol.RTL {
			dir = string(kolokol.RTL)
		}
		v.Services = append(v.Services, serviceLink{Href: relPath("/", homePath(s.Code)), Name: s.Name, Lang: s.Tag, Dir: dir})
		mod = latest(mod, s.UpdatedAt)
	}
	return b.page(v, []string{portalTag}, mod, time.Time{})
}

type listKind int

const (
	listHome listKind = iota
	listSection
	listArchive
	listLite   // the text-only edition's home
	listTagged // a tag's stories
)

// list renders a service's home, a section page or an archive page.
func (b *Builder) list(ctx context.Context, ns []*kolokol.Notice, svc *kolokol.Service, kind listKind, page int) (*Page, error) {
	sections, err := b.store.FindSections(ctx, svc.Code)
	if err != nil {
		return nil, err
	}
	return b.listWith(ctx, ns, svc, sections, kind, nil, "", page)
}

// listWith renders a list; section is a section page's, tag the key of a
// tag page's tag.
func (b *Builder) listWith(ctx context.Context, ns []*kolokol.Notice, svc *kolokol.Service, sections []*kolokol.Section, kind listKind, section *kolokol.Section, tag string, page int) (*Page, error) {
	deps := []string{svcTag(svc.Code), listTag(svc.Code)}
	if kind == listTagged {
		// A tag's list changes with its own stories alone (their changes
		// name it: kolokol.Change.Tags), not with every story's.
		deps = []string{svcTag(svc.Code), taggedTag(svc.Code, tag)}
	}
	c := i18n.For(svc.Tag)
	f := kolokol.ArticleFilter{Service: svc.Code, Status: kolokol.StatusPublished, ByPublished: true, WithoutBody: true}
	var first, heading, title string
	switch kind {
	case listHome:
		// A service named for the network alone is told apart by its
		// language; a brand of its own says both.
		first, heading, title = homePath(svc.Code), c.T(i18n.LatestStories), svc.BrandOr("")
		if title == "" {
			title = svc.Name + " – " + b.opts.SiteName
		}
	case listSection:
		f.Section = section.Slug
		first, heading = sectionPath(svc.Code, section.Slug), section.Name
	case listArchive:
		first, heading = archivePath(svc.Code), c.T(i18n.Archive)
	case listTagged:
		name, err := b.tagName(ctx, svc, tag)
		if err != nil {
			return nil, err
		}
		if name == "" { // no live story carries it: no page, until one does
			return notFound(svc, deps...), nil
		}
		f.Tag = tag
		first, heading = tagPath(svc.Code, tag), c.Tf(i18n.TagHeading, name)
	case listLite:
		first, heading, title = liteHomePath(svc.Code), c.T(i18n.LatestStories), c.T(i18n.Lite)+" – "+svc.BrandOr(b.opts.SiteName)
	}
	pages := 1
	if kind != listHome && kind != listLite {
		n, err := b.store.CountArticles(ctx, f)
		if err != nil {
			return nil, err
		}
		pages = max(1, (n+perPage-1)/perPage)
		if page > pages {
			return notFound(svc, deps...), nil
		}
		f.Offset = (page - 1) * perPage
		title = heading
		if pages > 1 {
			title += " (" + c.Tf(i18n.PageOf, page, pages) + ")"
		}
		title += " – " + svc.BrandOr(b.opts.SiteName)
	}
	f.Limit = perPage
	arts, err := b.store.FindArticles(ctx, f)
	if err != nil {
		return nil, err
	}
	br, err := b.findBreaking(ctx, svc.Code)
	if err != nil {
		return nil, err
	}

	from := pagedPath(first, page)
	v, err := b.serviceView(ctx, ns, from, svc, sections, first)
	if err != nil {
		return nil, err
	}
	if kind == listLite {
		v.liteView(from, homePath(svc.Code))
	} else {
		if kind == listHome {
			v.Lite = relPath(from, liteHomePath(svc.Code))
		}
		more, err := b.languages(ctx, v, from, svc.Code)
		if err != nil {
			return nil, err
		}
		deps = append(deps, more...)
	}
	now := b.now()
	shown, expires := v.setBreaking(br, from, now)
	v.Kind, v.Title, v.Canonical = "list", title, b.absolute(from)
	if kind == listSection {
		v.Feeds = append(v.Feeds, b.feedLinks(from, svc, first, section.Name+" – "+v.Brand)...)
	}
	if kind == listTagged {
		v.Feeds = append(v.Feeds, b.feedLinks(from, svc, first, heading+" – "+v.Brand)...)
	}
	if kind == listHome {
		v.Desc = svc.About
	}
	loc := b.location(svc)
	lf := c.Formatter().In(loc).WithGregorian(svc.ShowGregorian)
	lv := &listView{Heading: heading, Page: page, Pages: pages, Items: make([]listItem, 0, len(arts))}
	mod := latest(svc.UpdatedAt, shown)
	for _, a := range arts {
		href := a.Path()
		if kind == listLite {
			href = liteArticlePath(a)
		}
		lv.Items = append(lv.Items, listItem{
			Href:     relPath(from, href),
			Headline: a.Headline,
			Summary:  a.Summary,
			Time:     formatTime(lf, published(a), loc),
		})
		mod = latest(mod, a.UpdatedAt, a.PublishedAt)
	}
	switch kind {
	case listHome:
		lv.Archive = relPath(from, archivePath(svc.Code))
	case listLite:
	default:
		lv.PageOf = c.Tf(i18n.PageOf, page, pages)
		if page > 1 {
			lv.Newer = relPath(from, pagedPath(first, page-1))
		}
		if page < pages {
			lv.Older = relPath(from, pagedPath(first, page+1))
		}
	}
	v.List = lv
	return b.page(v, deps, mod, expires)
}

// article renders a story page, or redirects to its current path.
// On the text-only edition (lite) the page has no picture, only a link to
// it with its size, so a reader on a costly connection chooses.
func (b *Builder) article(ctx context.Context, ns []*kolokol.Notice, svc *kolokol.Service, id int64, slug string, hasSlug, lite bool) (*Page, error) {
	a, err := b.store.FindArticleByID(ctx, id)
	if kolokol.IsNotFound(err) || (err == nil && (a.Service != svc.Code || !a.IsLive())) {
		// art:ID too: this 404 turns into the story when it is published.
		return notFound(svc, artTag(id)), nil
	} else if err != nil {
		return nil, err
	}
	if !hasSlug || slug != a.Slug {
		if lite {
			return redirect(liteArticlePath(a)), nil
		}
		return redirect(a.Path()), nil
	}
	return b.articlePage(ctx, ns, svc, a, lite)
}

// Preview renders a story as readers would see it on its page once
// published, whatever its status and whether or not it is stored: the
// newsroom's preview is this page, not an imitation of it. A story never
// published shows the time of the preview as its publication time.
func (b *Builder) Preview(ctx context.Context, a *kolokol.Article) (*Page, error) {
	svc, err := b.store.FindServiceByCode(ctx, a.Service)
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	p := *a
	if p.PublishedAt.IsZero() {
		p.PublishedAt = b.now()
	}
	if p.UpdatedAt.Before(p.PublishedAt) {
		p.UpdatedAt = p.PublishedAt
	}
	return b.articlePage(ctx, nil, svc, &p, false)
}

func (b *Builder) articlePage(ctx context.Context, ns []*kolokol.Notice, svc *kolokol.Service, a *kolokol.Article, lite bool) (*Page, error) {
	sections, br, err := b.chrome(ctx, svc)
	if err != nil {
		return nil, err
	}
	var m *kolokol.Media
	var imageDeps []string
	if a.LeadImage != nil {
		// A picture's new crops, or the picture appearing, change the page.
		imageDeps = []string{mediaTag(a.LeadImage.MediaID)}
		m, err = b.store.FindMediaByID(ctx, a.LeadImage.MediaID)
		if kolokol.IsNotFound(err) {
			m = nil // a missing photo must not take the story down with it
		} else if err != nil {
			return nil, err
		}
	}

	from := a.Path()
	if lite {
		from = liteArticlePath(a)
	}
	var section string
	if a.Section != "" {
		section = sectionPath(svc.Code, a.Section)
	}
	v, err := b.serviceView(ctx, ns, from, svc, sections, section)
	if err != nil {
		return nil, err
	}
	shown, expires := v.setBreaking(br, from, b.now())
	// The title for search engines, when the editor wrote one, stands
	// for the headline in the tab and the results; the brand still
	// follows it, as on every page.
	v.Kind, v.Title, v.Desc = "article", or(a.SEOTitle, a.Headline)+" – "+v.Brand, a.Summary
	v.Canonical = b.absolute(a.Path()) // the lite page is the same story
	if !lite {
		_, variant := i18n.VariantOf(svc.Tag)
		for _, major := range []int{2, 3} {
			v.Feeds = append(v.Feeds, feedLink{Type: feed.NinjsLinkType, Title: "ninjs " + strconv.Itoa(major),
				Href: viaRoot(from, ninjsPath(a, major), variant)})
		}
	}
	deps := append([]string{svcTag(svc.Code), artTag(a.ID)}, imageDeps...)
	if lite {
		v.liteView(from, a.Path())
	} else {
		v.Lite = relPath(from, liteArticlePath(a))
		more, err := b.languages(ctx, v, from, svc.Code)
		if err != nil {
			return nil, err
		}
		deps = append(deps, more...)
	}
	loc := b.location(svc)
	f := v.L.Formatter().In(loc).WithGregorian(svc.ShowGregorian)
	pub := published(a)
	av := &articleView{
		Headline:  a.Headline,
		Summary:   a.Summary,
		Dateline:  a.Dateline,
		Published: formatTime(f, pub, loc),
		Tags:      tagLinks(from, a),
	}
	// Storing the publication itself bumps UpdatedAt a moment later; only
	// a later edit is an update worth showing.
	if a.UpdatedAt.Sub(pub) >= time.Minute {
		t := formatTime(f, a.UpdatedAt, loc)
		av.Updated = &t
	}
	if len(a.Bylines) > 0 {
		av.Byline = message(v.L.T(i18n.By), listHTML(f, a.Bylines))
	}
	if len(a.Credits) > 0 {
		av.Credits = message(v.L.T(i18n.WithReportingBy), listHTML(f, a.Credits))
	}
	inline, inlineDeps, err := b.bodyMedia(ctx, a.Body)
	if err != nil {
		return nil, err
	}
	for _, d := range inlineDeps {
		if !slices.Contains(deps, d) {
			deps = append(deps, d)
		}
	}
	env := &blockEnv{media: inline, l: v.L, f: f, lite: lite}
	if av.Body, err = b.md.page(a.Body, relPath(from, "/"), env); err != nil {
		return nil, err
	}
	if m != nil && !lite {
		av.Image = leadImage(from, a.LeadImage, m)
	} else if m != nil {
		av.Photo = photoLink(from, v.L, a.LeadImage, m)
	}
	corr := slices.Clone(a.Corrections)
	slices.SortStableFunc(corr, func(x, y kolokol.Correction) int { return x.CreatedAt.Compare(y.CreatedAt) })
	for _, c := range corr {
		av.Corrections = append(av.Corrections, correctionView{Time: formatTime(f, c.CreatedAt, loc), Text: c.Text})
	}
	av.CorrHeading = v.L.T(i18n.Correction)
	if len(corr) > 1 {
		av.CorrHeading = v.L.T(i18n.Corrections)
	}
	if a.TranslationGroup != "" {
		if err := b.translations(ctx, a, svc, from, v, av); err != nil {
			return nil, err
		}
		// The switcher names the other versions' services: the page
		// changes when one of them is renamed (the lite page too, which has
		// no language footer to depend on the portal by).
		deps = append(deps, groupTag(a.TranslationGroup))
		if !slices.Contains(deps, portalTag) {
			deps = append(deps, portalTag)
		}
	}
	av.FoldTranslations, av.TranslationsLabel = len(av.Translations) > foldTranslations, v.L.T(i18n.StoryIn)
	if av.FoldTranslations {
		av.TranslationsLabel += " (" + v.L.Formatter().Number(len(av.Translations)) + ")"
	}
	if av.More, err = b.more(ctx, a, a.Section, svc, sections, from, lite, f, loc); err != nil {
		return nil, err
	}
	deps = append(deps, latestTag(kolokol.LatestList(svc.Code, a.Section)))
	if av.More == nil && a.Section != "" {
		// A section with no other story: the service's newest, rather
		// than nothing to read next.
		if av.More, err = b.more(ctx, a, "", svc, sections, from, lite, f, loc); err != nil {
			return nil, err
		}
		deps = append(deps, latestTag(kolokol.LatestList(svc.Code, "")))
	}
	if v.Canonical != "" {
		av.Share = v.Canonical
		av.ShareMail = "mailto:?subject=" + url.PathEscape(a.Headline) + "&body=" + url.PathEscape(v.Canonical)
	}
	v.Article = av

	modified := latest(a.UpdatedAt, pub)
	og := &openGraph{Title: or(a.SocialTitle, a.Headline), Desc: or(a.SocialDescription, a.Summary), URL: v.Canonical,
		Locale: ogLocale(svc.Tag), SiteName: v.Brand}
	if m != nil {
		og.Image = b.absolute(m.Path())
		// Link previews want a wide picture of about 1200 pixels.
		if r, ok := m.Pick(kolokol.Ratio16x9, kolokol.FormatJPEG, 1200); ok {
			og.Image = b.absolute(r.Path())
		}
	}
	if !lite { // link previews and search engines read the full page
		v.OG = og
		if v.JSONLD, err = b.jsonLD(a, svc, v, og, pub, modified); err != nil {
			return nil, err
		}
	}
	p, err := b.page(v, deps, latest(modified, svc.UpdatedAt, shown), expires)
	if p != nil && m != nil {
		p.Files = append(p.Files, pageMedia(m)...)
	}
	if p != nil && !lite {
		for _, f := range bodyFiles(inline) {
			if !slices.Contains(p.Files, f) {
				p.Files = append(p.Files, f)
			}
		}
	}
	return p, err
}

// foldTranslations is how many other languages a story's page lists in
// one line; more fold into a <details>, so that a story published in all
// of the network's languages does not push its own ending down.
const foldTranslations = 6

// more lists the newest stories of a section (of the service for "") but
// the story a itself: what to read next. nil when there is none.
func (b *Builder) more(ctx context.Context, a *kolokol.Article, section string, svc *kolokol.Service, sections []*kolokol.Section, from string, lite bool, f *i18n.Formatter, loc *time.Location) (*moreView, error) {
	arts, err := b.store.FindArticles(ctx, kolokol.ArticleFilter{Service: svc.Code, Section: section, Status: kolokol.StatusPublished,
		ByPublished: true, WithoutBody: true, Limit: kolokol.MoreStories + 1})
	if err != nil {
		return nil, fmt.Errorf("more from the section of article %d: %w", a.ID, err)
	}
	c := i18n.For(svc.Tag)
	mv := &moreView{Heading: c.T(i18n.LatestStories)}
	for _, s := range sections {
		if section != "" && s.Slug == section {
			mv.Heading = c.Tf(i18n.MoreFrom, s.Name)
		}
	}
	for _, o := range arts {
		if o.ID == a.ID || len(mv.Items) == kolokol.MoreStories {
			continue
		}
		href := o.Path()
		if lite {
			href = liteArticlePath(o)
		}
		mv.Items = append(mv.Items, listItem{Href: relPath(from, href), Headline: o.Headline, Time: formatTime(f, published(o), loc)})
	}
	if len(mv.Items) == 0 {
		return nil, nil
	}
	return mv, nil
}

// chrome loads what every page of a service shows around its content: the
// sections in the navigation and the breaking-news banner.
func (b *Builder) chrome(ctx context.Context, svc *kolokol.Service) ([]*kolokol.Section, *kolokol.Breaking, error) {
	sections, err := b.store.FindSections(ctx, svc.Code)
	if err != nil {
		return nil, nil, err
	}
	br, err := b.findBreaking(ctx, svc.Code)
	if err != nil {
		return nil, nil, err
	}
	return sections, br, nil
}

// translations fills the language switcher and the hreflang alternates from
// the published versions of the story in other services.
func (b *Builder) translations(ctx context.Context, a *kolokol.Article, svc *kolokol.Service, from string, v *view, av *articleView) error {
	others, err := b.store.FindArticles(ctx, kolokol.ArticleFilter{TranslationGroup: a.TranslationGroup, Status: kolokol.StatusPublished, Limit: 100, WithoutBody: true})
	if err != nil {
		return fmt.Errorf("translations of article %d: %w", a.ID, err)
	}
	seen := map[string]bool{svc.Code: true}
	for _, o := range others {
		if seen[o.Service] {
			continue // one version per service: the newest, as listed first
		}
		seen[o.Service] = true
		osvc, err := b.store.FindServiceByCode(ctx, o.Service)
		if err != nil {
			return fmt.Errorf("translations of article %d: %w", a.ID, err)
		}
		av.Translations = append(av.Translations, alternate{Lang: osvc.Tag, Dir: string(osvc.Direction), Name: osvc.Name,
			Href: relPath(from, o.Path()), Abs: b.absolute(o.Path())})
	}
	if len(av.Translations) == 0 {
		return nil
	}
	slices.SortFunc(av.Translations, func(x, y alternate) int { return strings.Compare(x.Lang, y.Lang) })
	if self := b.absolute(from); self != "" {
		v.Alternates = append([]alternate{{Lang: svc.Tag, Abs: self}}, av.Translations...)
	}
	return nil
}

// newsArticle is schema.org's NewsArticle as search engines read it.
type newsArticle struct {
	Context          string     `json:"@context"`
	Type             string     `json:"@type"`
	Headline         string     `json:"headline"`
	Description      string     `json:"description,omitempty"`
	DatePublished    string     `json:"datePublished"`
	DateModified     string     `json:"dateModified"`
	Author           []ldThing  `json:"author,omitempty"`
	Publisher        ldThing    `json:"publisher"`
	Image            []string   `json:"image,omitempty"`
	InLanguage       string     `json:"inLanguage"`
	MainEntityOfPage *ldWebPage `json:"mainEntityOfPage,omitempty"`
}

type ldThing struct {
	Type string   `json:"@type"`
	Name string   `json:"name"`
	URL  string   `json:"url,omitempty"`
	Logo *ldImage `json:"logo,omitempty"`
}

type ldImage struct {
	Type string `json:"@type"`
	URL  string `json:"url"`
}

type ldWebPage struct {
	Type string `json:"@type"`
	ID   string `json:"@id"`
}

// or is s, or fallback when s is empty.
func or(s, fallback string) string {
	if s != "" {
		return s
	}
	return fallback
}

// jsonLD builds the article's structured data. encoding/json escapes <, >
// and &, so no text can close the script element it goes in.
func (b *Builder) jsonLD(a *kolokol.Article, svc *kolokol.Service, v *view, og *openGraph, pub, modified time.Time) (template.JS, error) {
	d := newsArticle{
		Context:       "https://schema.org",
		Type:          "NewsArticle",
		Headline:      a.Headline,
		Description:   a.Summary,
		DatePublished: pub.UTC().Format(time.RFC3339),
		DateModified:  modified.UTC().Format(time.RFC3339),
		Publisher:     ldThing{Type: "Organization", Name: v.Brand},
		InLanguage:    svc.Tag,
	}
	if og.URL != "" {
		d.Publisher.URL = b.absolute(homePath(svc.Code))
		if v.Logo != nil && v.Logo.Src != "" && len(v.files) > 0 {
			d.Publisher.Logo = &ldImage{Type: "ImageObject", URL: b.absolute(v.files[0])}
		}
		d.MainEntityOfPage = &ldWebPage{Type: "WebPage", ID: og.URL}
	}
	for _, name := range a.Bylines {
		d.Author = append(d.Author, ldThing{Type: "Person", Name: name})
	}
	if og.Image != "" {
		d.Image = []string{og.Image}
	}
	j, err := json.Marshal(d)
	if err != nil {
		return "", err
	}
	return template.JS(j), nil
}

// notFound answers a path that is no page: a 404 with no body, naming the
// service whose 404 page (NotFound) stands for it, nil for the site's.
// deps are what could make the path a page; the service's (or, for the
// site, the list of services) always.
func notFound(svc *kolokol.Service, deps ...string) *Page {
	code, tag := "", portalTag
	if svc != nil {
		code, tag = svc.Code, svcTag(svc.Code)
	}
	if !slices.Contains(deps, tag) {
		deps = append([]string{tag}, deps...)
	}
	return &Page{Status: http.StatusNotFound, ContentType: htmlType, Service: code, Deps: deps}
}

// NotFound renders the 404 page of the service with code, localized, or the
// site's for "" (or a code no service has). One rendering answers every
// path a service has no page at, however long or deep, so its links are
// root-relative ("/ru/", "/static/…"), unlike every other page's: relative
// ones would depend on the path it is served at, and would grow with it.
// That is safe for this page alone because only the server serves it, from
// the site's root; an export writes NotFoundFile instead.
// It carries the notices given, as every page of the service does: the
// reader's country picks the variant of a 404 page too.
func (b *Builder) NotFound(ctx context.Context, code string, notices ...*kolokol.Notice) (*Page, error) {
	return b.notFound(ctx, code, false, notices)
}

// NotFoundFile renders the 404 page an export writes: the page NotFound
// renders, with links relative to the file's own directory, "/{code}/404.html"
// (the site's is "/404.html"), so that it works under any base path where
// a static host serves it for its service's missing paths. Its Path is the
// file's path.
func (b *Builder) NotFoundFile(ctx context.Context, code string, notices ...*kolokol.Notice) (*Page, error) {
	return b.notFound(ctx, code, true, notices)
}

func (b *Builder) notFound(ctx context.Context, code string, file bool, notices []*kolokol.Notice) (*Page, error) {
	if code == "" {
		from := rootRelative
		if file {
			from = "/"
		}
		v := b.newView(from, i18n.For("en"))
		v.Kind, v.Home = "notfound", relPath(from, "/")
		v.Title = v.L.T(i18n.NotFound) + " – " + b.opts.SiteName
		return b.page404(v, "", portalTag)
	}
	svc, err := b.store.FindServiceByCode(ctx, code)
	if kolokol.IsNotFound(err) {
		if p, ok, err := b.variantNotFound(ctx, code, file, notices); ok || err != nil {
			return p, err
		}
		return b.notFound(ctx, "", file, nil)
	} else if err != nil {
		return nil, fmt.Errorf("render the %s 404 page: %w", code, err)
	}
	sections, err := b.store.FindSections(ctx, svc.Code)
	if err != nil {
		return nil, fmt.Errorf("render the %s 404 page: %w", code, err)
	}
	from := rootRelative
	if file {
		from = homePath(svc.Code)
	}
	v, err := b.serviceView(ctx, notices, from, svc, sections, "")
	if err != nil {
		return nil, fmt.Errorf("render the %s 404 page: %w", code, err)
	}
	v.Kind, v.Home = "notfound", relPath(from, homePath(svc.Code))
	v.Title = v.L.T(i18n.NotFound) + " – " + v.Brand
	return b.page404(v, svc.Code, svcTag(svc.Code))
}

func (b *Builder) page404(v *view, service string, deps ...string) (*Page, error) {
	p, err := b.page(v, deps, time.Time{}, time.Time{})
	if p != nil {
		p.Status, p.Service, p.Path = http.StatusNotFound, service, ""
		if v.self != rootRelative {
			p.Path = v.self + "404.html"
		}
	}
	return p, err
}

// page executes the template and wraps the result.
func (b *Builder) page(v *view, deps []string, modified, expires time.Time) (*Page, error) {
	body, err := b.execute(v)
	if err != nil {
		return nil, err
	}
	// The page's own path, unescaped as net/http gives request paths;
	// "" (never cached under a path) if it were not a valid escaping.
	path, err := url.PathUnescape(v.self)
	if err != nil || v.self == rootRelative {
		path = ""
	}
	for _, d := range v.deps {
		if !slices.Contains(deps, d) {
			deps = append(deps, d)
		}
	}
	return &Page{Status: http.StatusOK, Path: path, Body: body, ContentType: htmlType, Deps: deps, LastModified: modified, ExpiresAt: expires, Files: v.files}, nil
}

// findBreaking returns the service's banner, nil when there is none.
func (b *Builder) findBreaking(ctx context.Context, svc string) (*kolokol.Breaking, error) {
	br, err := b.store.FindBreaking(ctx, svc)
	if kolokol.IsNotFound(err) {
		return nil, nil
	}
	return br, err
}

// absolute is the public URL of a path, or "" without a BaseURL: a
// root-relative canonical would break pages exported under a base path.
func (b *Builder) absolute(path string) string {
	if b.opts.BaseURL == "" {
		return ""
	}
	return b.opts.BaseURL + path
}

// published is when a live story went out; a story stored as published
// without the time falls back to its last update rather than year 1.
func published(a *kolokol.Article) time.Time {
	if a.PublishedAt.IsZero() {
		return a.UpdatedAt
	}
	return a.PublishedAt
}
