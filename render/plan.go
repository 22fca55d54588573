package render

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/i18n"
)

// The page plan: every page the site has, listed from the same route table
// the router matches paths against, so that a route cannot be added
// without saying which pages it has. Export, sitemaps, feeds, bundles and
// the dependency oracle read the plan; the live server reads the router.

// Kind is a kind of page.
type Kind string

const (
	KindPortal  Kind = "portal"
	KindHome    Kind = "home"
	KindSection Kind = "section"
	// KindTag is a page of the list of a tag's live stories.
	KindTag         Kind = "tag"
	KindArchive     Kind = "archive"
	KindArticle     Kind = "article"
	KindSafety      Kind = "safety"
	KindMirrors     Kind = "mirrors"
	KindLiteHome    Kind = "lite-home"
	KindLiteArticle Kind = "lite-article"
	// KindNotFound is a service's 404 page (or the site's): no link leads
	// to it, and its path is the file an export writes it to.
	KindNotFound Kind = "not-found"
	// KindAsset is a static file: the stylesheet, the icon, robots.txt.
	KindAsset Kind = "asset"
	// KindMedia is a picture file a page shows: a rendition or a master.
	KindMedia Kind = "media"
	// KindMirrorsJSON is the site's list of mirrors as data,
	// /mirrors.json (see MirrorsJSONPath).
	KindMirrorsJSON Kind = "mirrors-json"
	// KindFeed is a service's or a section's feed, in RSS, Atom or JSON
	// Feed (see feeds.go).
	KindFeed Kind = "feed"
	// KindNinjs is a story as IPTC ninjs 2.x or 3.x.
	KindNinjs Kind = "ninjs"
	// KindSitemap is one file of a service's sitemap, KindNewsSitemap its
	// Google News sitemap, KindSitemapIndex the site's index of them.
	KindSitemap      Kind = "sitemap"
	KindNewsSitemap  Kind = "news-sitemap"
	KindSitemapIndex Kind = "sitemap-index"
)

// Entry is one page of the plan.
type Entry struct {
	// Path is the page's one path, as net/http unescapes request paths
	// (what Build takes).
	Path string
	Kind Kind
	// Service is the code of the service whose pages it is (a script
	// variant's code, such as "sr-cyrl", for its pages); "" for the
	// site's own.
	Service string
}

// route is one kind of page of a service: how the router finds it among a
// path's segments, and how the plan lists every one that exists.
type route struct {
	kind Kind
	// pattern is the route as the README shows it.
	pattern string
	// match renders rest, the path's segments after the service's code,
	// when they are this route's (ok false when they are not).
	match func(b *Builder, ctx context.Context, ns []*kolokol.Notice, svc *kolokol.Service, rest []string) (p *Page, ok bool, err error)
	// list yields the path of every page of the route in svc.
	list func(b *Builder, ctx context.Context, svc *kolokol.Service, yield func(path string) bool) error
}

// serviceRoutes is the router of a service's pages, in the order they are
// tried.
var serviceRoutes = []route{
	{KindHome, "/{service}/",
		func(b *Builder, ctx context.Context, ns []*kolokol.Notice, svc *kolokol.Service, rest []string) (*Page, bool, error) {
			if len(rest) != 0 {
				return nil, false, nil
			}
			p, err := b.list(ctx, ns, svc, listHome, 1)
			return p, true, err
		},
		func(b *Builder, ctx context.Context, svc *kolokol.Service, yield func(string) bool) error {
			yield(homePath(svc.Code))
			return nil
		}},
	{KindArchive, "/{service}/archive/[{page}/]",
		func(b *Builder, ctx context.Context, ns []*kolokol.Notice, svc *kolokol.Service, rest []string) (*Page, bool, error) {
			if len(rest) == 0 || rest[0] != "archive" || len(rest) > 2 {
				return nil, false, nil
			}
			page, ok := pageNumber(rest[1:])
			if !ok {
				return notFound(svc), true, nil
			} else if page == 1 && len(rest) == 2 {
				return redirect(archivePath(svc.Code)), true, nil
			}
			p, err := b.list(ctx, ns, svc, listArchive, page)
			return p, true, err
		},
		func(b *Builder, ctx context.Context, svc *kolokol.Service, yield func(string) bool) error {
			return b.listPages(ctx, archivePath(svc.Code), kolokol.ArticleFilter{Service: svc.Code}, yield)
		}},
	{KindSection, "/{service}/s/{section}/[{page}/]",
		func(b *Builder, ctx context.Context, ns []*kolokol.Notice, svc *kolokol.Service, rest []string) (*Page, bool, error) {
			if len(rest) < 2 || len(rest) > 3 || rest[0] != "s" {
				return nil, false, nil
			}
			page, ok := pageNumber(rest[2:])
			if !ok {
				return notFound(svc), true, nil
			}
			sections, err := b.store.FindSections(ctx, svc.Code)
			if err != nil {
				return nil, true, err
			}
			for _, s := range sections {
				if s.Slug != rest[1] {
					continue
				}
				if page == 1 && len(rest) == 3 {
					return redirect(sectionPath(svc.Code, s.Slug)), true, nil
				}
				p, err := b.listWith(ctx, ns, svc, sections, listSection, s, "", page)
				return p, true, err
			}
			// list: a section appears with a service change, but be safe.
			return notFound(svc, listTag(svc.Code)), true, nil
		},
		func(b *Builder, ctx context.Context, svc *kolokol.Service, yield func(string) bool) error {
			sections, err := b.store.FindSections(ctx, svc.Code)
			if err != nil {
				return err
			}
			for _, s := range sections {
				if err := b.listPages(ctx, sectionPath(svc.Code, s.Slug), kolokol.ArticleFilter{Service: svc.Code, Section: s.Slug}, yield); err != nil {
					return err
				}
			}
			return nil
		}},
	{KindTag, "/{service}/t/{tag}/[{page}/]",
		func(b *Builder, ctx context.Context, ns []*kolokol.Notice, svc *kolokol.Service, rest []string) (*Page, bool, error) {
			if len(rest) < 2 || len(rest) > 3 || rest[0] != "t" {
				return nil, false, nil
			}
			page, ok := pageNumber(rest[2:])
			key := kolokol.TagKey(rest[1])
			if !ok || key == "" {
				return notFound(svc), true, nil
			}
			sections, err := b.store.FindSections(ctx, svc.Code)
			if err != nil {
				return nil, true, err
			}
			p, err := b.listWith(ctx, ns, svc, sections, listTagged, nil, key, page)
			if err != nil || p.Status != http.StatusOK {
				// No live story has the tag (or not that many): the
				// address is not found in any spelling, rather than a
				// redirect to a page that is not there.
				return p, true, err
			}
			if key != rest[1] {
				// Another spelling of the tag ("Climate", "human rights"):
				// its page's one address.
				return redirect(pagedPath(tagPath(svc.Code, key), page)), true, nil
			}
			if page == 1 && len(rest) == 3 {
				return redirect(tagPath(svc.Code, key)), true, nil
			}
			return p, true, nil
		},
		func(b *Builder, ctx context.Context, svc *kolokol.Service, yield func(string) bool) error {
			tags, err := b.store.FindTags(ctx, svc.Code)
			if err != nil {
				return err
			}
			for _, t := range tags {
				for page := 1; page <= pagesOf(t.Stories); page++ {
					if !yield(pagedPath(rawTagPath(svc.Code, t.Key), page)) {
						return nil
					}
				}
			}
			return nil
		}},
	{KindArticle, "/{service}/a/{id}-{slug}/",
		func(b *Builder, ctx context.Context, ns []*kolokol.Notice, svc *kolokol.Service, rest []string) (*Page, bool, error) {
			if len(rest) != 2 || rest[0] != "a" {
				return nil, false, nil
			}
			p, err := b.articleAt(ctx, ns, svc, rest[1], false)
			return p, true, err
		},
		func(b *Builder, ctx context.Context, svc *kolokol.Service, yield func(string) bool) error {
			return b.eachLive(ctx, svc.Code, func(a *kolokol.Article) bool { return yield(rawArticlePath(a)) })
		}},
	{KindSafety, "/{service}/safety/",
		func(b *Builder, ctx context.Context, ns []*kolokol.Notice, svc *kolokol.Service, rest []string) (*Page, bool, error) {
			if len(rest) != 1 || rest[0] != "safety" {
				return nil, false, nil
			}
			p, err := b.safety(ctx, ns, svc)
			return p, true, err
		},
		func(b *Builder, ctx context.Context, svc *kolokol.Service, yield func(string) bool) error {
			yield(safetyPath(svc.Code))
			return nil
		}},
	{KindMirrors, "/{service}/mirrors/",
		func(b *Builder, ctx context.Context, ns []*kolokol.Notice, svc *kolokol.Service, rest []string) (*Page, bool, error) {
			if len(rest) != 1 || rest[0] != "mirrors" {
				return nil, false, nil
			}
			p, err := b.mirrors(ctx, ns, svc)
			return p, true, err
		},
		func(b *Builder, ctx context.Context, svc *kolokol.Service, yield func(string) bool) error {
			yield(mirrorsPath(svc.Code))
			return nil
		}},
	{KindLiteHome, "/{service}/lite/",
		func(b *Builder, ctx context.Context, ns []*kolokol.Notice, svc *kolokol.Service, rest []string) (*Page, bool, error) {
			if len(rest) != 1 || rest[0] != "lite" {
				return nil, false, nil
			}
			p, err := b.list(ctx, ns, svc, listLite, 1)
			return p, true, err
		},
		func(b *Builder, ctx context.Context, svc *kolokol.Service, yield func(string) bool) error {
			yield(liteHomePath(svc.Code))
			return nil
		}},
	{KindLiteArticle, "/{service}/lite/a/{id}-{slug}/",
		func(b *Builder, ctx context.Context, ns []*kolokol.Notice, svc *kolokol.Service, rest []string) (*Page, bool, error) {
			if len(rest) != 3 || rest[0] != "lite" || rest[1] != "a" {
				return nil, false, nil
			}
			p, err := b.articleAt(ctx, ns, svc, rest[2], true)
			return p, true, err
		},
		func(b *Builder, ctx context.Context, svc *kolokol.Service, yield func(string) bool) error {
			return b.eachLive(ctx, svc.Code, func(a *kolokol.Article) bool {
				return yield(liteHomePath(a.Service) + strings.TrimPrefix(rawArticlePath(a), homePath(a.Service)))
			})
		}},
}

// Routes lists the route patterns of a service's pages, for documentation
// and tests.
func Routes() map[Kind]string {
	out := map[Kind]string{KindPortal: "/", KindNotFound: "/{service}/404.html", KindAsset: "/static/…, /favicon.svg, /robots.txt",
		KindMedia: "/media/{key}", KindMirrorsJSON: MirrorsJSONPath}
	for _, r := range serviceRoutes {
		out[r.kind] = r.pattern
	}
	for _, r := range fileRoutes {
		out[r.kind] = r.pattern
	}
	out[KindSitemapIndex] = SitemapIndexPath
	return out
}

// service routes the path segments after the service code.
func (b *Builder) service(ctx context.Context, ns []*kolokol.Notice, svc *kolokol.Service, rest []string) (*Page, error) {
	for _, r := range serviceRoutes {
		p, ok, err := r.match(b, ctx, ns, svc, rest)
		if ok || err != nil {
			return p, err
		}
	}
	return notFound(svc), nil
}

// articleAt renders the article of an "{id}-{slug}" segment.
func (b *Builder) articleAt(ctx context.Context, ns []*kolokol.Notice, svc *kolokol.Service, seg string, lite bool) (*Page, error) {
	idPart, slug, hasSlug := strings.Cut(seg, "-")
	id, ok := parsePositive(idPart)
	if !ok {
		return notFound(svc), nil
	}
	return b.article(ctx, ns, svc, id, slug, hasSlug, lite)
}

// rawArticlePath is an article's path as net/http unescapes it.
func rawArticlePath(a *kolokol.Article) string {
	return "/" + a.Service + "/a/" + strconv.FormatInt(a.ID, 10) + "-" + a.Slug + "/"
}

// listPages yields the pages 1..N of a list of published stories.
func (b *Builder) listPages(ctx context.Context, first string, f kolokol.ArticleFilter, yield func(string) bool) error {
	f.Status = kolokol.StatusPublished
	n, err := b.store.CountArticles(ctx, f)
	if err != nil {
		return err
	}
	for page := 1; page <= pagesOf(n); page++ {
		if !yield(pagedPath(first, page)) {
			return nil
		}
	}
	return nil
}

// pagesOf is how many pages a list of n stories has: one at least.
func pagesOf(n int) int { return max(1, (n+perPage-1)/perPage) }

// eachLive calls fn with every published story of a service, newest id
// first, until it returns false.
func (b *Builder) eachLive(ctx context.Context, service string, fn func(*kolokol.Article) bool) error {
	f := kolokol.ArticleFilter{Service: service, Status: kolokol.StatusPublished, Limit: kolokol.MaxArticleLimit, WithoutBody: true}
	for {
		arts, err := b.store.FindArticles(ctx, f)
		if err != nil {
			return err
		}
		for _, a := range arts {
			if !fn(a) {
				return nil
			}
		}
		if len(arts) < f.Limit {
			return nil
		}
		f.Before = arts[len(arts)-1].ID
	}
}

// Plan yields every page of the site: the portal, every service's pages
// (every page of every list), their script variants, each service's 404
// page, its feeds, sitemaps and stories as ninjs, the sitemap index, the
// static assets, mirrors.json, and the picture files the pages show. A store error ends it with the error.
func (b *Builder) Plan(ctx context.Context) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		if !yield(Entry{Path: "/", Kind: KindPortal}, nil) {
			return
		}
		for _, p := range []string{b.stylePath, "/favicon.svg", "/robots.txt"} {
			if !yield(Entry{Path: p, Kind: KindAsset}, nil) {
				return
			}
		}
		if !yield(Entry{Path: "/404.html", Kind: KindNotFound}, nil) {
			return
		}
		if !yield(Entry{Path: MirrorsJSONPath, Kind: KindMirrorsJSON}, nil) {
			return
		}
		if b.feedBase() != "" && !yield(Entry{Path: SitemapIndexPath, Kind: KindSitemapIndex}, nil) {
			return
		}
		services, err := b.store.FindServices(ctx)
		if err != nil {
			yield(Entry{}, fmt.Errorf("plan: %w", err))
			return
		}
		seen := map[int64]bool{} // pictures, which stories of several services may share
		for _, svc := range services {
			if !b.planServiceAll(ctx, svc, nil, seen, yield) {
				return
			}
		}
	}
}

// PlanService yields the pages of the service with code (its own code,
// not a variant's) as Plan does: every page of its routes, the same under
// its script variant, its 404 pages and the picture files its pages show;
// only those of the kinds keep accepts (nil keeps all). An unknown code
// yields nothing.
func (b *Builder) PlanService(ctx context.Context, code string, keep func(Kind) bool) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		svc, err := b.store.FindServiceByCode(ctx, code)
		if kolokol.IsNotFound(err) {
			return
		} else if err != nil {
			yield(Entry{}, fmt.Errorf("plan %s: %w", code, err))
			return
		}
		b.planServiceAll(ctx, svc, keep, map[int64]bool{}, yield)
	}
}

func (b *Builder) planServiceAll(ctx context.Context, svc *kolokol.Service, keep func(Kind) bool, seen map[int64]bool, yield func(Entry, error) bool) bool {
	codes := []string{svc.Code}
	if v, ok := i18n.VariantOf(svc.Tag); ok {
		codes = append(codes, svc.Code+v.Suffix)
	}
	for _, code := range codes {
		if !b.planService(ctx, svc, code, keep, yield) {
			return false
		}
	}
	if keep != nil && !keep(KindMedia) {
		return true
	}
	return b.planMedia(ctx, svc, seen, yield)
}

// planService yields a service's pages under code (its own, or a script
// variant's, whose pages are the service's at another prefix).
func (b *Builder) planService(ctx context.Context, svc *kolokol.Service, code string, keep func(Kind) bool, yield func(Entry, error) bool) bool {
	from, to := "/"+svc.Code+"/", "/"+code+"/"
	routes := serviceRoutes
	if code == svc.Code {
		// The formats' files are the service's alone: a script variant's
		// pages link its service's feeds (see feedLinks).
		routes = append(slices.Clip(routes), fileRoutes...)
	}
	for _, r := range routes {
		if keep != nil && !keep(r.kind) {
			continue
		}
		more := true
		err := r.list(b, ctx, svc, func(path string) bool {
			more = yield(Entry{Path: to + strings.TrimPrefix(path, from), Kind: r.kind, Service: code}, nil)
			return more
		})
		if err != nil {
			yield(Entry{}, fmt.Errorf("plan the %s pages of %s: %w", r.kind, code, err))
			return false
		}
		if !more {
			return false
		}
	}
	if keep != nil && !keep(KindNotFound) {
		return true
	}
	return yield(Entry{Path: to + "404.html", Kind: KindNotFound, Service: code}, nil)
}

// planMedia yields the picture files the service's live stories show, as
// lead photo or in their bodies.
func (b *Builder) planMedia(ctx context.Context, svc *kolokol.Service, seen map[int64]bool, yield func(Entry, error) bool) bool {
	ids, err := b.store.FindShownMedia(ctx, svc.Code)
	if err != nil {
		yield(Entry{}, fmt.Errorf("plan the pictures of %s: %w", svc.Code, err))
		return false
	}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		m, err := b.store.FindMediaByID(ctx, id)
		if kolokol.IsNotFound(err) {
			continue // the pages show none (see articlePage)
		} else if err != nil {
			yield(Entry{}, fmt.Errorf("plan the pictures of %s: %w", svc.Code, err))
			return false
		}
		for _, p := range pageMedia(m) {
			if !yield(Entry{Path: p, Kind: KindMedia, Service: svc.Code}, nil) {
				return false
			}
		}
	}
	return true
}

// PlanArticle yields the pages of one story as Plan lists them: its page
// and its text-only page, and the same under its service's script
// variant, and its ninjs files; and every page and feed of each of its
// tags, which a story gaining a tag may have made. A story that is not
// live, or is unknown, has none.
func (b *Builder) PlanArticle(ctx context.Context, id int64) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		a, err := b.store.FindArticleByID(ctx, id)
		if kolokol.IsNotFound(err) {
			return
		} else if err != nil {
			yield(Entry{}, fmt.Errorf("plan article %d: %w", id, err))
			return
		}
		if !a.IsLive() {
			return
		}
		svc, err := b.store.FindServiceByCode(ctx, a.Service)
		if kolokol.IsNotFound(err) {
			return
		} else if err != nil {
			yield(Entry{}, fmt.Errorf("plan article %d: %w", id, err))
			return
		}
		codes := []string{svc.Code}
		if v, ok := i18n.VariantOf(svc.Tag); ok {
			codes = append(codes, svc.Code+v.Suffix)
		}
		from, full := "/"+svc.Code+"/", rawArticlePath(a)
		lite := liteHomePath(a.Service) + strings.TrimPrefix(full, from)
		for _, code := range codes {
			to := "/" + code + "/"
			if !yield(Entry{Path: to + strings.TrimPrefix(full, from), Kind: KindArticle, Service: code}, nil) ||
				!yield(Entry{Path: to + strings.TrimPrefix(lite, from), Kind: KindLiteArticle, Service: code}, nil) {
				return
			}
		}
		for _, major := range []int{2, 3} {
			if !yield(Entry{Path: ninjsPath(a, major), Kind: KindNinjs, Service: svc.Code}, nil) {
				return
			}
		}
		for _, key := range kolokol.TagKeys(a.Tags) {
			n, err := b.store.CountArticles(ctx, kolokol.ArticleFilter{Service: svc.Code, Tag: key, Status: kolokol.StatusPublished})
			if err != nil {
				yield(Entry{}, fmt.Errorf("plan article %d: %w", id, err))
				return
			}
			first := rawTagPath(svc.Code, key)
			for _, code := range codes {
				for page := 1; page <= pagesOf(n); page++ {
					p := "/" + code + "/" + strings.TrimPrefix(pagedPath(first, page), from)
					if !yield(Entry{Path: p, Kind: KindTag, Service: code}, nil) {
						return
					}
				}
			}
			for _, f := range feedFormats {
				if !yield(Entry{Path: first + f.file, Kind: KindFeed, Service: svc.Code}, nil) {
					return
				}
			}
		}
	}
}

// ArticleOf is the id of the story whose page (or text-only page, or
// ninjs file) path is, as the router reads it; ok is false for any other
// path.
func ArticleOf(path string) (id int64, ok bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var seg string
	switch {
	case len(segs) == 3 && segs[1] == "a" && !strings.HasSuffix(path, "/"):
		idPart, ok := strings.CutSuffix(segs[2], ninjsSuffix2)
		if !ok {
			if idPart, ok = strings.CutSuffix(segs[2], ninjsSuffix3); !ok {
				return 0, false
			}
		}
		return parsePositive(idPart)
	case len(segs) == 3 && segs[1] == "a":
		seg = segs[2]
	case len(segs) == 4 && segs[1] == "lite" && segs[2] == "a":
		seg = segs[3]
	default:
		return 0, false
	}
	idPart, _, _ := strings.Cut(seg, "-")
	return parsePositive(idPart)
}
