package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/i18n"
)

// raw is the path as net/http hands it to Build: unescaped.
func raw(t testing.TB, escaped string) string {
	t.Helper()
	p, err := url.PathUnescape(escaped)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRoutes(t *testing.T) {
	f := newFixture(t)
	full, fa := raw(t, f.full.Path()), raw(t, f.fa.Path())
	id := strconv.FormatInt(f.full.ID, 10)
	cases := []struct {
		path     string
		status   int
		location string   // for 301
		lang     string   // for 200 and 404: the <html lang>
		deps     []string // nil: not checked
	}{
		{"/", 200, "", "en", []string{"portal"}},
		{"/ru/", 200, "", "ru", []string{"svc:ru", "list:ru", "portal"}},
		{"/ru", 301, "/ru/", "", nil},
		{"/fa/", 200, "", "fa-IR", []string{"svc:fa", "list:fa", "portal"}},
		{"/ka/", 200, "", "ka", nil},

		{"/ru/s/world/", 200, "", "ru", []string{"svc:ru", "list:ru", "portal"}},
		{"/ru/s/world", 301, "/ru/s/world/", "", nil},
		{"/ru/s/world/2/", 200, "", "ru", []string{"svc:ru", "list:ru", "portal"}},
		{"/ru/s/world/2", 301, "/ru/s/world/2/", "", nil},
		{"/ru/s/world/3/", 404, "", "ru", nil},
		{"/ru/s/world/3", 404, "", "ru", nil},
		{"/ru/s/world/1/", 301, "/ru/s/world/", "", nil},
		{"/ru/s/world/02/", 404, "", "ru", nil},
		{"/ru/s/world/-1/", 404, "", "ru", nil},
		{"/ru/s/society/", 200, "", "ru", nil}, // a section with no stories yet
		{"/ru/s/society/2/", 404, "", "ru", nil},
		{"/ru/s/nope/", 404, "", "ru", nil},
		{"/ru/s/", 404, "", "ru", nil},
		{"/ru/s/world/2/x/", 404, "", "ru", nil},

		{"/ru/archive/", 200, "", "ru", []string{"svc:ru", "list:ru", "portal"}},
		{"/ru/archive", 301, "/ru/archive/", "", nil},
		{"/ru/archive/2/", 200, "", "ru", nil},
		{"/ru/archive/3/", 200, "", "ru", nil},
		{"/ru/archive/4/", 404, "", "ru", []string{"svc:ru", "list:ru"}},
		{"/ru/archive/1/", 301, "/ru/archive/", "", nil},
		{"/ru/archive/0/", 404, "", "ru", nil},
		{"/ru/archive/x/", 404, "", "ru", nil},
		{"/ru/archive/99999999999999999999/", 404, "", "ru", nil},
		{"/ru/archive/9223372036854775807/", 404, "", "ru", nil},
		{"/ka/archive/", 200, "", "ka", nil}, // no stories: page 1 of 1
		{"/ka/archive/2/", 404, "", "ka", nil},

		{full, 200, "", "ru", []string{"svc:ru", "art:" + id, fmt.Sprintf("media:%d", f.full.LeadImage.MediaID), "portal", "latest:ru/world"}},
		{strings.TrimSuffix(full, "/"), 301, f.full.Path(), "", nil},
		{"/ru/a/" + id + "/", 301, f.full.Path(), "", nil},
		{"/ru/a/" + id, 301, f.full.Path(), "", nil},
		{"/ru/a/" + id + "-/", 301, f.full.Path(), "", nil},
		{"/ru/a/" + id + "-old-slug/", 301, f.full.Path(), "", nil},
		{"/ru/a/" + id + "-old-slug", 301, f.full.Path(), "", nil},
		{f.full.Path(), 301, f.full.Path(), "", nil}, // an escaped slug is not the slug
		{fa, 200, "", "fa-IR", nil},
		{"/fa/a/" + strconv.FormatInt(f.fa.ID, 10) + "/", 301, f.fa.Path(), "", nil},
		{"/en/a/" + id + "-" + f.full.Slug + "/", 404, "", "en", nil}, // another service's story
		{"/ru/a/0" + id + "-" + f.full.Slug + "/", 404, "", "ru", nil},
		{"/ru/a/+" + id + "/", 404, "", "ru", nil},
		{"/ru/a/abc/", 404, "", "ru", nil},
		{"/ru/a/-x/", 404, "", "ru", nil},
		{"/ru/a/0/", 404, "", "ru", nil},
		{"/ru/a/99999999999999999999-x/", 404, "", "ru", nil},
		{"/ru/a/999999-x/", 404, "", "ru", []string{"svc:ru", "art:999999"}},
		{"/ru/a/" + strconv.FormatInt(f.draft.ID, 10) + "-" + f.draft.Slug + "/", 404, "", "ru", nil},
		{"/ru/a/" + strconv.FormatInt(f.unpub.ID, 10) + "-" + f.unpub.Slug + "/", 404, "", "ru", nil},
		{"/ru/a/" + strconv.FormatInt(f.unpub.ID, 10) + "/", 404, "", "ru", nil},
		{full + "extra/", 404, "", "ru", nil},
		{"/ru/a/", 404, "", "ru", nil},

		{"/ru/nope/", 404, "", "ru", []string{"svc:ru"}},
		{"/ru/nope", 404, "", "ru", nil},
		{"/fa/nope/", 404, "", "fa-IR", nil},
		{"/xx/", 404, "", "en", []string{"portal"}},
		{"/xx", 404, "", "en", nil},
		{"/RU/", 404, "", "en", nil},
		{"/static/nope.css", 404, "", "en", nil},
		{"/ru//", 404, "", "ru", nil},
		{"//ru/", 404, "", "en", nil},
		{"//evil.example/", 404, "", "en", nil},
		{"", 404, "", "en", nil},
		{"ru/", 404, "", "en", nil},
		{"/../ru/", 404, "", "en", nil},
	}
	langRE := regexp.MustCompile(`<html lang="([^"]*)"`)
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			p := f.build(t, c.path)
			if p.Status != c.status {
				t.Fatalf("status %d, want %d (location %q)", p.Status, c.status, p.Location)
			}
			// A cache keeps a page under its Path alone: the path asked
			// for, when that is a page.
			if want := map[int]string{200: c.path}[c.status]; p.Path != want {
				t.Errorf("Path %q, want %q", p.Path, want)
			}
			if c.status == 404 {
				r, err := f.b.Resolve(context.Background(), c.path)
				if err != nil || r.Status != 404 || r.Body != nil || r.Service != p.Service || !slices.Equal(r.Deps, p.Deps) {
					t.Errorf("Resolve: %v, %d, %d bytes, service %q, deps %q; want Build's 404 without a body", err, r.Status, len(r.Body), r.Service, r.Deps)
				}
			}
			switch c.status {
			case 301:
				if p.Location != c.location || p.Body != nil {
					t.Errorf("location %q (body %d bytes), want %q", p.Location, len(p.Body), c.location)
				}
				return
			case 404:
				c := i18n.For(c.lang)
				if !strings.Contains(string(p.Body), "<h1>"+c.T(i18n.NotFound)+"</h1>") {
					t.Errorf("404 page not localized for %s", c.Lang())
				}
				if len(p.Deps) == 0 {
					t.Error("404 page without deps")
				}
			}
			if p.ContentType != "text/html; charset=utf-8" {
				t.Errorf("content type %q", p.ContentType)
			}
			if m := langRE.FindSubmatch(p.Body); m == nil || string(m[1]) != c.lang {
				t.Errorf("html lang %q, want %q", m, c.lang)
			}
			if c.deps != nil && !slices.Equal(p.Deps, c.deps) {
				t.Errorf("deps %q, want %q", p.Deps, c.deps)
			}
		})
	}
}

func TestPagination(t *testing.T) {
	f := newFixture(t)
	pages := (f.ruLive + perPage - 1) / perPage
	seen := map[int64]bool{}
	for n := 1; n <= pages; n++ {
		path := pagedPath("/ru/archive/", n)
		doc := parse(t, f.build(t, path).Body)
		items := findAll(doc, func(n_ *nodeT) bool { return n_.Data == "li" && hasParentClass(n_, "stories") })
		want := perPage
		if n == pages {
			want = f.ruLive - perPage*(pages-1)
		}
		if len(items) != want {
			t.Errorf("%s: %d stories, want %d", path, len(items), want)
		}
		for _, it := range items {
			href, _ := attr(first(t, it, byTag("a"), "story link"), "href")
			u, _ := url.Parse(testBase + path)
			id := strings.SplitN(strings.TrimPrefix(u.ResolveReference(mustURL(t, href)).Path, "/ru/a/"), "-", 2)[0]
			i, _ := strconv.ParseInt(id, 10, 64)
			if seen[i] {
				t.Errorf("story %d on two pages", i)
			}
			seen[i] = true
		}
		prev := findAll(doc, byAttr("rel", "prev"))
		next := findAll(doc, byAttr("rel", "next"))
		if (n > 1) != (len(prev) == 1) || (n < pages) != (len(next) == 1) {
			t.Errorf("%s: %d prev and %d next links", path, len(prev), len(next))
		}
		want2 := i18n.For("ru").Tf(i18n.PageOf, n, pages)
		if !strings.Contains(textOf(doc), want2) {
			t.Errorf("%s lacks %q", path, want2)
		}
	}
	if len(seen) != f.ruLive {
		t.Errorf("archive lists %d stories, want %d", len(seen), f.ruLive)
	}
	if p := f.build(t, pagedPath("/ru/archive/", pages+1)); p.Status != 404 {
		t.Errorf("page after the last: %d", p.Status)
	}
}

func TestDeps(t *testing.T) {
	cases := []struct {
		c    kolokol.Change
		want []string
	}{
		{kolokol.Change{Kind: kolokol.ChangeArticle, Service: "ru", ArticleID: 7}, []string{"art:7"}},
		{kolokol.Change{Kind: kolokol.ChangeArticle, Service: "ru", ArticleID: 7, Listed: true}, []string{"art:7", "list:ru"}},
		{kolokol.Change{Kind: kolokol.ChangeArticle, Service: "ru", ArticleID: 7, Listed: true, Latest: []string{"ru/world", "ru/"}},
			[]string{"art:7", "list:ru", "latest:ru/world", "latest:ru/"}},
		{kolokol.Change{Kind: kolokol.ChangeBreaking, Service: "fa"}, []string{"svc:fa"}},
		{kolokol.Change{Kind: kolokol.ChangeService, Service: "ka", Listed: true}, []string{"svc:ka", "portal"}},
		{kolokol.Change{Kind: kolokol.ChangeService, Service: "ka"}, []string{"svc:ka"}},
		{kolokol.Change{Kind: kolokol.ChangeMedia, MediaID: 3}, []string{"media:3"}},
		{kolokol.Change{Kind: "unknown"}, nil},
	}
	for _, c := range cases {
		if got := Deps(c.c); !slices.Equal(got, c.want) {
			t.Errorf("Deps(%+v) = %q, want %q", c.c, got, c.want)
		}
	}
}

// Every change that alters a page must name a tag the page depends on.
func TestDepsCoverPages(t *testing.T) {
	f := newFixture(t)
	full := raw(t, f.full.Path())
	pages := map[string]*Page{}
	for _, p := range []string{"/", "/ru/", "/ru/s/world/", "/ru/archive/2/", full} {
		pages[p] = f.build(t, p)
	}
	hit := func(c kolokol.Change, path string) bool {
		for _, tag := range Deps(c) {
			if slices.Contains(pages[path].Deps, tag) {
				return true
			}
		}
		return false
	}
	for _, c := range []struct {
		change kolokol.Change
		paths  []string
	}{
		{kolokol.Change{Kind: kolokol.ChangeArticle, Service: "ru", ArticleID: f.full.ID, Listed: true}, []string{"/ru/", "/ru/s/world/", "/ru/archive/2/", full}},
		{kolokol.Change{Kind: kolokol.ChangeBreaking, Service: "ru"}, []string{"/ru/", "/ru/s/world/", "/ru/archive/2/", full}},
		{kolokol.Change{Kind: kolokol.ChangeService, Service: "ru", Listed: true}, []string{"/", "/ru/", "/ru/s/world/", full}},
		{kolokol.Change{Kind: kolokol.ChangeService, Service: "ru"}, []string{"/ru/", "/ru/s/world/", full}},
		{kolokol.Change{Kind: kolokol.ChangeMedia, MediaID: f.full.LeadImage.MediaID}, []string{full}},
	} {
		for _, p := range c.paths {
			if !hit(c.change, p) {
				t.Errorf("%+v does not invalidate %s (deps %q)", c.change, p, pages[p].Deps)
			}
		}
	}
	if hit(kolokol.Change{Kind: kolokol.ChangeArticle, Service: "ru", ArticleID: f.full.ID}, "/ru/archive/2/") {
		t.Error("an unlisted article change invalidates the archive")
	}
}

func TestStatic(t *testing.T) {
	f := newFixture(t)
	if !regexp.MustCompile(`^/static/style\.[0-9a-f]{8}\.css$`).MatchString(f.b.StylePath()) {
		t.Errorf("StylePath %q", f.b.StylePath())
	}
	cases := []struct{ path, ctype, contains string }{
		{f.b.StylePath(), "text/css; charset=utf-8", "margin-inline"},
		{"/favicon.svg", "image/svg+xml", "<svg"},
		{"/robots.txt", "text/plain; charset=utf-8", "User-agent: *\nAllow: /\nSitemap: " + testBase + "/sitemap.xml\n"},
	}
	for _, c := range cases {
		p, ok := f.b.Static(c.path)
		if !ok || p.Status != 200 || p.ContentType != c.ctype || !strings.Contains(string(p.Body), c.contains) {
			t.Errorf("Static(%q) = %v %+v", c.path, ok, p)
		}
	}
	if p, _ := f.b.Static("/robots.txt"); string(p.Body) != "User-agent: *\nAllow: /\nSitemap: "+testBase+"/sitemap.xml\n" {
		t.Errorf("robots.txt = %q", p.Body)
	}
	// 7 KB since the body's blocks (photos, galleries, quotes, fact boxes,
	// cards) came: under 3 KB compressed, within the browser suite's 15 KB
	// of HTML and CSS for an article page.
	if p, _ := f.b.Static(f.b.StylePath()); len(p.Body) >= 7<<10 {
		t.Errorf("style.css is %d bytes", len(p.Body))
	}
	for _, p := range []string{"/static/style.css", "/static/", "/favicon.ico", "/"} {
		if _, ok := f.b.Static(p); ok {
			t.Errorf("Static(%q) found", p)
		}
	}
}

// A store that fails must give an error, never a page that says "not found".
func TestStoreDown(t *testing.T) {
	f := newFixture(t)
	b, err := New(failing{f.store}, Options{BaseURL: testBase})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/", "/ru/", "/ru/s/world/", "/ru/archive/", raw(t, f.full.Path()), "/ru/nope/"} {
		if pg, err := b.Build(context.Background(), p); err == nil {
			t.Errorf("Build(%q) with the store down gave %d", p, pg.Status)
		}
	}
}

// failing lets services be found, then fails whatever a page needs next.
type failing struct{ kolokol.Store }

var errDown = errors.New("database is down")

func (failing) FindServices(context.Context) ([]*kolokol.Service, error) { return nil, errDown }
func (failing) FindSections(context.Context, string) ([]*kolokol.Section, error) {
	return nil, errDown
}
func (failing) FindArticleByID(context.Context, int64) (*kolokol.Article, error) {
	return nil, errDown
}

func TestNewOptions(t *testing.T) {
	f := newFixture(t)
	for _, base := range []string{"news.example.org", "ftp://x", "https://"} {
		if _, err := New(f.store, Options{BaseURL: base}); err == nil {
			t.Errorf("BaseURL %q accepted", base)
		}
	}
	b, err := New(f.store, Options{BaseURL: testBase + "/", Now: func() time.Time { return time.Time{} }})
	if err != nil {
		t.Fatal(err)
	}
	p, err := b.Build(context.Background(), "/")
	if err != nil || !strings.Contains(string(p.Body), `href="`+testBase+`/"`) {
		t.Errorf("trailing slash of BaseURL not trimmed: %v", err)
	}
	if p.Status != http.StatusOK {
		t.Error(p.Status)
	}
}

func TestNoBaseURL(t *testing.T) {
	f := newFixture(t)
	b, err := New(f.store, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/ru/", raw(t, f.full.Path())} {
		p, err := b.Build(context.Background(), path)
		if err != nil || p.Status != 200 {
			t.Fatalf("%s: %v %v", path, p, err)
		}
		doc := parse(t, p.Body)
		if len(findAll(doc, byAttr("rel", "canonical"))) > 0 || len(findAll(doc, byAttr("property", "og:url"))) > 0 {
			t.Errorf("%s: canonical without a BaseURL", path)
		}
		for _, r := range refs(doc) {
			if strings.HasPrefix(r.val, "/") {
				t.Errorf("%s: root-relative %q", path, r.val)
			}
		}
	}
}

func TestNavCurrent(t *testing.T) {
	f := newFixture(t)
	cases := map[string][2]string{ // path: link text, aria-current
		"/ru/s/world/":         {"В мире", "page"},
		"/ru/s/world/2/":       {"В мире", "true"},
		"/ru/archive/":         {"Архив", "page"},
		"/ru/archive/3/":       {"Архив", "true"},
		raw(t, f.full.Path()):  {"В мире", "true"},
		raw(t, f.plain.Path()): {"", ""},
		"/ru/":                 {"", ""},
	}
	for path, want := range cases {
		nav := first(t, parse(t, f.build(t, path).Body), byAttr("id", "nav"), "nav")
		cur := findAll(nav, func(n *nodeT) bool { _, ok := attr(n, "aria-current"); return ok })
		var got [2]string
		if len(cur) > 1 {
			t.Errorf("%s: %d current links", path, len(cur))
		} else if len(cur) == 1 {
			v, _ := attr(cur[0], "aria-current")
			got = [2]string{textOf(cur[0]), v}
		}
		if got != want {
			t.Errorf("%s: current %q, want %q", path, got, want)
		}
	}
}

// Builders are shared by every request; run with -race.
func TestConcurrentBuild(t *testing.T) {
	f := newFixture(t)
	paths := []string{"/", "/ru/", "/fa/", "/ru/archive/2/", raw(t, f.full.Path()), raw(t, f.fa.Path()), raw(t, f.evil.Path()), "/ru/nope/"}
	want := map[string][]byte{}
	for _, p := range paths {
		want[p] = f.build(t, p).Body
	}
	done := make(chan error)
	for g := range 8 {
		go func() {
			for i := range 20 {
				p := paths[(g+i)%len(paths)]
				pg, err := f.b.Build(context.Background(), p)
				if err == nil && string(pg.Body) != string(want[p]) {
					err = errors.New(p + " rendered differently")
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// TestNotFoundPage: a service's 404 page is one rendering, the same bytes
// at every path it answers, however long or deep: its links are
// root-relative, and they work from any of those paths.
func TestNotFoundPage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, c := range []struct {
		service string
		paths   []string
	}{
		{"ru", []string{"/ru/nope/", "/ru/nope", "/ru/" + strings.Repeat("x", 50<<10), "/ru/" + strings.Repeat("a/", 2000), "/ru/a/999999-x/"}},
		{"fa", []string{"/fa/nope/", "/fa/" + strings.Repeat("ب/", 1000)}},
		{"", []string{"/nope/", "/xx/" + strings.Repeat("x", 50<<10), strings.Repeat("/x", 2000), "nope"}},
	} {
		want, err := f.b.NotFound(ctx, c.service)
		if err != nil {
			t.Fatal(err)
		}
		if want.Status != 404 || want.Service != c.service || len(want.Body) > 8<<10 || len(want.Deps) == 0 {
			t.Errorf("NotFound(%q): %d, service %q, %d bytes, deps %q", c.service, want.Status, want.Service, len(want.Body), want.Deps)
		}
		for _, path := range c.paths {
			p := f.build(t, path)
			if p.Status != 404 || p.Service != c.service || !bytes.Equal(p.Body, want.Body) {
				t.Errorf("%.40q…: %d, service %q, %d bytes; want the %q 404 page (%d bytes)", path, p.Status, p.Service, len(p.Body), c.service, len(want.Body))
			}
		}
		doc := parse(t, want.Body)
		checkInert(t, doc)
		for _, r := range refs(doc) {
			if strings.HasPrefix(r.val, "#") {
				continue
			}
			if !strings.HasPrefix(r.val, "/") || strings.HasPrefix(r.val, "//") {
				t.Errorf("%q 404 page: <%s> %q is not root-relative", c.service, r.tag, r.val)
				continue
			}
			if _, ok := f.b.Static(r.val); ok {
				continue
			}
			if q := f.build(t, r.val); q.Status != 200 {
				t.Errorf("%q 404 page: %q is %d", c.service, r.val, q.Status)
			}
		}
	}
}

// FuzzResolve: whatever path a client sends, Resolve answers without
// error; a 200 only at the page's one path (so a cache keyed by it holds
// nothing a client made up), a redirect one hop from a page, and a 404
// with no body, naming whose 404 page stands for it.
func FuzzResolve(f *testing.F) {
	fx := newFixture(f)
	for _, s := range []string{"/", "/ru/", "/ru", "/ru/s/world/2/", "/ru/archive/1/", "/ru/a/1-x/", "/ru/a/01-x/",
		raw(f, fx.full.Path()), raw(f, fx.fa.Path()), fx.full.Path(), raw(f, fx.full.Path()) + "x/", "/ru/lite/a/1/",
		"/sr-cyrl/", "/ru//", "//ru/", "/ru/\x00abc", "/ru/a/\xff/", "/ru/safety/", "nope", ""} {
		f.Add(s)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, path string) {
		p, err := fx.b.Resolve(ctx, path)
		if err != nil {
			t.Fatalf("Resolve(%q): %v", path, err)
		}
		switch p.Status {
		case 200:
			if p.Path != path || p.Body == nil {
				t.Fatalf("Resolve(%q): a page whose path is %q", path, p.Path)
			}
		case 301:
			to, err := url.PathUnescape(p.Location)
			if err != nil || to == path {
				t.Fatalf("Resolve(%q): redirect to %q (%v)", path, p.Location, err)
			}
			if q, err := fx.b.Resolve(ctx, to); err != nil || q.Status != 200 {
				t.Fatalf("Resolve(%q): redirect to %q, which is %v %v", path, p.Location, q, err)
			}
		case 404:
			if p.Body != nil || len(p.Deps) == 0 || p.Path != "" {
				t.Fatalf("Resolve(%q): 404 with %d bytes, deps %q, path %q", path, len(p.Body), p.Deps, p.Path)
			}
		default:
			t.Fatalf("Resolve(%q): status %d", path, p.Status)
		}
	})
}
