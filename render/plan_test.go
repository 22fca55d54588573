package render

import (
	"context"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/demo"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/store/sqlite"
	"golang.org/x/net/html"
)

// crawl follows every link, stylesheet, picture and canonical address from
// the portal, with no cap, as a reader's browser (or a mirror's spider)
// would, and returns every path it reached with where it was first found.
// A link to something that is not a page fails the test.
func crawl(t *testing.T, b *Builder, base string) map[string]string {
	t.Helper()
	ctx := context.Background()
	origin, _ := url.Parse(base)
	found := map[string]string{"/": "(start)"}
	queue := []string{"/"}
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		if strings.HasPrefix(path, "/media/") {
			continue // a file; the plan says which pictures exist
		}
		if _, ok := b.Static(path); ok {
			continue
		}
		p, err := b.Build(ctx, path)
		if err != nil {
			t.Fatalf("build %s: %v", path, err)
		}
		if p.Status != 200 {
			t.Errorf("%s links to %s, which answers %d", found[path], path, p.Status)
			continue
		}
		page := &url.URL{Scheme: origin.Scheme, Host: origin.Host, Path: path}
		for _, ref := range pageLinks(t, p.Body) {
			u, err := page.Parse(ref)
			if err != nil {
				t.Errorf("%s has a link %q that is no URL: %v", path, ref, err)
				continue
			}
			if u.Scheme != origin.Scheme || u.Host != origin.Host {
				continue // another site (a story's source) or mailto:
			}
			if _, ok := found[u.Path]; !ok {
				found[u.Path] = path
				queue = append(queue, u.Path)
			}
		}
	}
	return found
}

// pageLinks are the addresses a page leads a browser or a spider to.
func pageLinks(t *testing.T, body []byte) []string {
	t.Helper()
	var out []string
	walk(parse(t, body), func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		for _, a := range n.Attr {
			switch {
			case a.Key == "href" && (n.Data == "a" || n.Data == "link"),
				a.Key == "src" && n.Data == "img",
				a.Key == "content" && n.Data == "meta" && hasAttr(n, "property", "og:image"):
				out = append(out, a.Val)
			case a.Key == "srcset":
				for _, c := range strings.Split(a.Val, ",") {
					if f := strings.Fields(c); len(f) > 0 {
						out = append(out, f[0])
					}
				}
			}
		}
	})
	return out
}

func hasAttr(n *html.Node, key, val string) bool {
	v, ok := attr(n, key)
	return ok && v == val
}

// planSet is the plan as paths with their kinds.
func planSet(t *testing.T, b *Builder) map[string]Kind {
	t.Helper()
	out := map[string]Kind{}
	for e, err := range b.Plan(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if k, dup := out[e.Path]; dup {
			t.Errorf("the plan lists %s twice (%s, %s)", e.Path, k, e.Kind)
		}
		out[e.Path] = e.Kind
	}
	return out
}

// unlinked are the kinds of page no link leads to, by design: sitemaps
// are found through robots.txt, which names the index.
func unlinked(path string, k Kind) bool {
	switch k {
	case KindNotFound, KindSitemapIndex, KindSitemap, KindNewsSitemap:
		return true
	}
	return path == "/robots.txt"
}

// comparePlan checks that the crawl and the plan are the same set: no
// orphan page, no page missing from the plan.
func comparePlan(t *testing.T, b *Builder, base string) map[Kind]int {
	t.Helper()
	plan := planSet(t, b)
	crawled := crawl(t, b, base)
	kinds := map[Kind]int{}
	for path, k := range plan {
		kinds[k]++
		if _, ok := crawled[path]; !ok && !unlinked(path, k) {
			t.Errorf("the plan lists %s (%s), which no link reaches", path, k)
		}
	}
	for path, from := range crawled {
		if _, ok := plan[path]; !ok {
			t.Errorf("%s (linked from %s) is missing from the plan", path, from)
		}
	}
	// Every page the plan lists is the page at its path.
	for path, k := range plan {
		switch k {
		case KindMedia, KindAsset:
			continue
		}
		p, err := b.Build(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		if want := 200; k == KindNotFound {
			want = 404
			if p.Status != want {
				t.Errorf("%s (%s) answers %d", path, k, p.Status)
			}
		} else if p.Status != want || p.Path != path {
			t.Errorf("%s (%s) answers %d for %q", path, k, p.Status, p.Path)
		}
	}
	return kinds
}

func TestPlanIsTheCrawl(t *testing.T) {
	f := newFixture(t)
	kinds := comparePlan(t, f.b, testBase)
	for k := range Routes() {
		if kinds[k] == 0 {
			t.Errorf("the plan has no page of kind %s", k)
		}
	}
	pages := func(n int) int { return max(1, (n+perPage-1)/perPage) }
	// ru's archive and world section run over several pages; en, fa and ka
	// have one of each list; ru also has society, empty.
	if want := pages(f.ruLive) + 3; kinds[KindArchive] != want {
		t.Errorf("%d archive pages, want %d", kinds[KindArchive], want)
	}
	if want := pages(f.ruWorld) + 1 + 2; kinds[KindSection] != want {
		t.Errorf("%d section pages, want %d", kinds[KindSection], want)
	}
}

// TestPlanIsTheCrawlOfTheDemo: the same over the demo newsroom, its 27
// services, the Serbian Cyrillic variant and a real picture's renditions.
func TestPlanIsTheCrawlOfTheDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo newsroom takes a while to build; not with -short")
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kolokol.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	blobs, err := media.NewDir(filepath.Join(t.TempDir(), "media"))
	if err != nil {
		t.Fatal(err)
	}
	images, err := media.NewProcessor(media.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := desk.New(st, blobs, images, nil)
	if _, err := demo.Seed(ctx, st, d, time.Now()); err != nil {
		t.Fatal(err)
	}
	b, err := New(st, Options{BaseURL: testBase})
	if err != nil {
		t.Fatal(err)
	}
	kinds := comparePlan(t, b, testBase)
	services, _ := st.FindServices(ctx)
	if kinds[KindHome] != len(services)+1 || kinds[KindMedia] == 0 || kinds[KindNotFound] != len(services)+2 {
		t.Errorf("the demo's plan: %v for %d services", kinds, len(services))
	}
}

// TestEveryRouteListsItsPages: no route without its listing.
func TestEveryRouteListsItsPages(t *testing.T) {
	var kinds []Kind
	for _, r := range append(slices.Clip(serviceRoutes), fileRoutes...) {
		if r.match == nil || r.list == nil || r.pattern == "" {
			t.Errorf("route %s lacks its match, its listing or its pattern", r.kind)
		}
		if slices.Contains(kinds, r.kind) {
			t.Errorf("two routes of kind %s", r.kind)
		}
		kinds = append(kinds, r.kind)
	}
}

// TestFileKind: an export tells the formats' files of its tree by their
// path alone; FileKind agrees with the plan on every file it lists, and
// takes no other file for one.
func TestFileKind(t *testing.T) {
	f := newFixture(t)
	for path, k := range planSet(t, f.b) {
		got, ok := FileKind(path)
		switch k {
		case KindFeed, KindNinjs, KindSitemap, KindNewsSitemap, KindSitemapIndex:
			if !ok || got != k {
				t.Errorf("FileKind(%s) = %s, %v, want %s", path, got, ok, k)
			}
		default:
			if ok {
				t.Errorf("FileKind(%s) = %s for a page of kind %s", path, got, k)
			}
		}
	}
	for _, p := range []string{"/mirrors.json", "/robots.txt", "/ru/x/feed.xml", "/ru/s/feed.xml", "/feed.xml", "/ru/a/b/1.ninjs2.json", "/RU/feed.xml"} {
		if k, ok := FileKind(p); ok {
			t.Errorf("FileKind(%s) = %s", p, k)
		}
	}
}

// TestPlanParts: what an incremental export plans from (one service's
// pages, one story's) is the plan's own, and ArticleOf reads back every
// story path the plan lists.
func TestPlanParts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	plan := planSet(t, f.b)
	parts := map[string]Kind{}
	services, err := f.store.FindServices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range services {
		for e, err := range f.b.PlanService(ctx, svc.Code, nil) {
			if err != nil {
				t.Fatal(err)
			}
			parts[e.Path] = e.Kind
		}
	}
	for path, k := range plan {
		if _, ok := parts[path]; !ok && k != KindPortal && k != KindAsset && k != KindMirrorsJSON && k != KindSitemapIndex && path != "/404.html" {
			t.Errorf("no service's plan lists %s (%s)", path, k)
		}
	}
	for path := range parts {
		if _, ok := plan[path]; !ok {
			t.Errorf("a service's plan lists %s, the plan does not", path)
		}
	}
	lists := func(k Kind) bool { return k == KindHome || k == KindArchive }
	for e, err := range f.b.PlanService(ctx, "ru", lists) {
		if err != nil {
			t.Fatal(err)
		}
		if !lists(e.Kind) || plan[e.Path] != e.Kind {
			t.Errorf("PlanService(ru, home and archive) lists %s (%s)", e.Path, e.Kind)
		}
	}
	if n := len(slices.Collect(func(yield func(Entry) bool) {
		for e := range f.b.PlanService(ctx, "xx", nil) {
			yield(e)
		}
	})); n != 0 {
		t.Errorf("an unknown service's plan lists %d pages", n)
	}

	stories := map[int64][]string{}
	for path, k := range plan {
		id, ok := ArticleOf(path)
		if isStory := k == KindArticle || k == KindLiteArticle || k == KindNinjs; ok != isStory {
			t.Errorf("ArticleOf(%s) = %d, %v for a page of kind %s", path, id, ok, k)
		}
		if ok {
			stories[id] = append(stories[id], path)
		}
	}
	for _, a := range []*kolokol.Article{f.full, f.fa, f.plain, f.draft, f.unpub} {
		var got []string
		for e, err := range f.b.PlanArticle(ctx, a.ID) {
			if err != nil {
				t.Fatal(err)
			}
			if plan[e.Path] != e.Kind {
				t.Errorf("PlanArticle(%d) lists %s (%s), the plan %q", a.ID, e.Path, e.Kind, plan[e.Path])
			}
			got = append(got, e.Path)
		}
		slices.Sort(got)
		want := slices.Clone(stories[a.ID])
		if a.IsLive() {
			// Its tags' pages and feeds, in every script of the service.
			for _, key := range kolokol.TagKeys(a.Tags) {
				for path, k := range plan {
					_, rest, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
					if strings.HasPrefix(rest, "t/"+key+"/") && strings.HasPrefix(path, "/"+a.Service) {
						if k != KindTag && k != KindFeed {
							t.Errorf("the plan lists %s, a page of tag %q, as %s", path, key, k)
						}
						want = append(want, path)
					}
				}
			}
		}
		slices.Sort(want)
		if !slices.Equal(got, want) || (a.IsLive() != (len(got) > 0)) {
			t.Errorf("PlanArticle(%d, %s) = %v, want %v", a.ID, a.Status, got, want)
		}
	}
	for _, p := range []string{"/ru/a/", "/ru/a/0-x/", "/ru/a/x-1/", "/ru/a/1.ninjs2.json/", "/ru/a/1.ninjs4.json", "/ru/a/01.ninjs3.json", "/ru/lite/a/", "/ru/s/a/1-x/", "/ru/a/1-x/y/", "/"} {
		if id, ok := ArticleOf(p); ok {
			t.Errorf("ArticleOf(%q) = %d, true", p, id)
		}
	}
}
