package render

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/feed"
)

// Sitemaps: the index at /sitemap.xml (robots.txt names it) lists every
// service's sitemaps and its Google News sitemap. A service's sitemap is
// its home, its sections' first pages and every live story, oldest story
// first, so that publishing adds to the last file and leaves the others'
// bytes alone (an export then writes and pushes one file); it is split into
// /{svc}/sitemap-1.xml, -2, … of at most Builder.sitemapURLs addresses
// each. A translated story lists its versions as hreflang alternates.

// sitemapCount is how many sitemap files a service has (at least one: its
// home is always there).
func (b *Builder) sitemapCount(ctx context.Context, svc *kolokol.Service) (int, error) {
	n, err := b.sitemapLen(ctx, svc)
	if err != nil {
		return 0, err
	}
	return max(1, (n+b.sitemapURLs-1)/b.sitemapURLs), nil
}

// sitemapLen is how many addresses a service's sitemaps list.
func (b *Builder) sitemapLen(ctx context.Context, svc *kolokol.Service) (int, error) {
	sections, err := b.store.FindSections(ctx, svc.Code)
	if err != nil {
		return 0, err
	}
	n, err := b.store.CountArticles(ctx, kolokol.ArticleFilter{Service: svc.Code, Status: kolokol.StatusPublished})
	if err != nil {
		return 0, err
	}
	return 1 + len(sections) + n, nil
}

// sitemap renders the service's n-th sitemap.
func (b *Builder) sitemap(ctx context.Context, svc *kolokol.Service, n int) (*Page, error) {
	sections, err := b.store.FindSections(ctx, svc.Code)
	if err != nil {
		return nil, err
	}
	total, err := b.store.CountArticles(ctx, kolokol.ArticleFilter{Service: svc.Code, Status: kolokol.StatusPublished})
	if err != nil {
		return nil, err
	}
	// Deps: the service's (its sections), its lists' (a story published,
	// unpublished or moved), and below each translation group's and the
	// services' (hreflang names their languages).
	deps := []string{svcTag(svc.Code), listTag(svc.Code)}
	all := 1 + len(sections) + total
	from, to := (n-1)*b.sitemapURLs, min(n*b.sitemapURLs, all)
	if from >= all && n > 1 {
		return notFound(svc, deps...), nil
	}
	var urls []feed.URL
	// The pages before the stories: the home, then each section.
	for i := from; i < min(to, 1+len(sections)); i++ {
		if i == 0 {
			urls = append(urls, feed.URL{Loc: b.feedURL(homePath(svc.Code))})
		} else {
			urls = append(urls, feed.URL{Loc: b.feedURL(sectionPath(svc.Code, sections[i-1].Slug))})
		}
	}
	// Stories are listed oldest first; the store lists newest id first, so
	// the k-th oldest is at offset total-1-k.
	first, last := max(from-1-len(sections), 0), to-1-len(sections) // story positions [first, last)
	if last > first {
		arts, err := b.storiesByID(ctx, svc.Code, total-last, last-first)
		if err != nil {
			return nil, err
		}
		slices.Reverse(arts)
		services, err := b.serviceTags(ctx)
		if err != nil {
			return nil, err
		}
		groups, err := b.alternates(ctx, arts, services)
		if err != nil {
			return nil, err
		}
		for _, a := range arts {
			u := feed.URL{Loc: b.feedURL(a.Path())}
			if alts := groups[a.TranslationGroup]; a.TranslationGroup != "" && len(alts) > 1 {
				u.Alternates = alts
			}
			urls = append(urls, u)
		}
		for _, g := range slices.Sorted(maps.Keys(groups)) {
			deps = append(deps, groupTag(g))
		}
		if len(groups) > 0 {
			deps = append(deps, portalTag)
		}
	}
	body := feed.Sitemap(urls)
	if len(body) > feed.MaxSitemapBytes {
		// 50,000 addresses of a few hundred bytes stay far below; only a
		// story in scores of languages could approach it.
		return nil, fmt.Errorf("sitemap %d of %s is %d bytes, over the protocol's %d", n, svc.Code, len(body), feed.MaxSitemapBytes)
	}
	return &Page{Status: http.StatusOK, Path: sitemapPath(svc.Code, n), Body: body, ContentType: feed.XMLType, Deps: deps}, nil
}

// storiesByID returns up to limit live stories of a service, newest id
// first, skipping the offset newest.
func (b *Builder) storiesByID(ctx context.Context, service string, offset, limit int) ([]*kolokol.Article, error) {
	f := kolokol.ArticleFilter{Service: service, Status: kolokol.StatusPublished, WithoutBody: true, Offset: offset,
		Limit: min(limit, kolokol.MaxArticleLimit)}
	out := make([]*kolokol.Article, 0, limit)
	for len(out) < limit {
		f.Limit = min(limit-len(out), kolokol.MaxArticleLimit)
		arts, err := b.store.FindArticles(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, arts...)
		if len(arts) < f.Limit {
			break
		}
		// Further pages by the id cursor, which an index answers at
		// once, rather than a growing offset.
		f.Offset, f.Before = 0, arts[len(arts)-1].ID
	}
	return out, nil
}

// serviceTags maps every service's code to its language tag.
func (b *Builder) serviceTags(ctx context.Context) (map[string]string, error) {
	services, err := b.store.FindServices(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(services))
	for _, s := range services {
		out[s.Code] = s.Tag
	}
	return out, nil
}

// alternates are the live versions of the translation groups of arts, by
// group: one per service (the newest, as the story pages' switchers
// show), by language. The groups are asked for together, 200 at a time,
// rather than one query each: a sitemap of 50,000 stories has
// thousands of groups, and it is rendered again after every publish.
func (b *Builder) alternates(ctx context.Context, arts []*kolokol.Article, services map[string]string) (map[string][]feed.Alternate, error) {
	var names []string
	for _, a := range arts {
		if a.TranslationGroup != "" {
			names = append(names, a.TranslationGroup)
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	out := make(map[string][]feed.Alternate, len(names))
	seen := map[string]map[string]bool{} // group → services listed
	// 200 groups are some 500 stories: mostly one query each.
	for chunk := range slices.Chunk(names, 200) {
		f := kolokol.ArticleFilter{TranslationGroups: chunk, Status: kolokol.StatusPublished, WithoutBody: true, Limit: kolokol.MaxArticleLimit}
		for {
			others, err := b.store.FindArticles(ctx, f)
			if err != nil {
				return nil, fmt.Errorf("the other versions of %d stories: %w", len(arts), err)
			}
			for _, o := range others { // newest id first
				g := o.TranslationGroup
				tag, ok := services[o.Service]
				if !ok || seen[g][o.Service] {
					continue
				}
				if seen[g] == nil {
					seen[g] = map[string]bool{}
				}
				seen[g][o.Service] = true
				out[g] = append(out[g], feed.Alternate{Lang: tag, Href: b.feedURL(o.Path())})
			}
			if len(others) < f.Limit {
				break
			}
			f.Before = others[len(others)-1].ID
		}
	}
	for _, g := range names {
		if _, ok := out[g]; !ok {
			out[g] = nil // a group whose versions are all gone: still a dependency
		}
		slices.SortFunc(out[g], func(x, y feed.Alternate) int { return cmp.Compare(x.Lang, y.Lang) })
	}
	return out, nil
}

// newsSitemap renders the service's Google News sitemap: its stories
// published in the last 48 hours, newest first, at most 1,000. It expires
// when its oldest story leaves the window.
func (b *Builder) newsSitemap(ctx context.Context, svc *kolokol.Service) (*Page, error) {
	now := b.now()
	since := now.Add(-newsWindow)
	var stories []feed.NewsStory
	var expires time.Time
	f := kolokol.ArticleFilter{Service: svc.Code, Status: kolokol.StatusPublished, ByPublished: true, WithoutBody: true, Limit: kolokol.MaxArticleLimit}
scan:
	for len(stories) < feed.MaxNewsURLs {
		arts, err := b.store.FindArticles(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, a := range arts {
			pub := published(a)
			if !pub.After(since) {
				break scan
			}
			if len(stories) == feed.MaxNewsURLs {
				break scan
			}
			stories = append(stories, feed.NewsStory{Loc: b.feedURL(a.Path()), Title: a.Headline, Published: pub})
			expires = pub.Add(newsWindow) // the oldest so far leaves first
		}
		if len(arts) < f.Limit {
			break
		}
		f.Offset += len(arts)
	}
	body := feed.News(svc.BrandOr(b.opts.SiteName), svc.Tag, stories)
	return &Page{Status: http.StatusOK, Path: newsSitemapPath(svc.Code), Body: body, ContentType: feed.XMLType,
		Deps: []string{svcTag(svc.Code), listTag(svc.Code)}, ExpiresAt: expires}, nil
}

// sitemapIndex renders /sitemap.xml: every service's sitemaps and news
// sitemap. Without an absolute base there are no sitemaps (their
// addresses must be absolute), and this is a 404.
func (b *Builder) sitemapIndex(ctx context.Context) (*Page, error) {
	if b.feedBase() == "" {
		return notFound(nil), nil
	}
	services, err := b.store.FindServices(ctx)
	if err != nil {
		return nil, err
	}
	deps := []string{portalTag}
	var locs []string
	for _, svc := range services {
		n, err := b.sitemapCount(ctx, svc)
		if err != nil {
			return nil, err
		}
		for i := 1; i <= n; i++ {
			locs = append(locs, b.feedURL(sitemapPath(svc.Code, i)))
		}
		locs = append(locs, b.feedURL(newsSitemapPath(svc.Code)))
		deps = append(deps, svcTag(svc.Code), listTag(svc.Code))
	}
	return &Page{Status: http.StatusOK, Path: SitemapIndexPath, Body: feed.Index(locs), ContentType: feed.XMLType, Deps: deps}, nil
}
