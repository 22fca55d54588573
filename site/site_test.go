package site

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/render"
	"github.com/kolokol/kolokol/store/sqlite"
)

// siteFixture is the reader site over a real SQLite store: Russian (with
// a notice every reader of unknown country sees, so its pages have a
// variant), Serbian (with its Cyrillic pages) and Persian, a story in each.
type siteFixture struct {
	site    *Site
	handler http.Handler
	ru, fa  *kolokol.Article
	sr      *kolokol.Article
	// Renders, counted by the cache's build function: all of them, and
	// those of 404 pages.
	builds, notFoundBuilds atomic.Int64
}

func newSiteFixture(t testing.TB) *siteFixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kolokol.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []*kolokol.Service{
		{Code: "ru", Tag: "ru", Script: "Cyrl", Direction: kolokol.LTR, Name: "Русский", TimeZone: "Europe/Moscow"},
		{Code: "sr", Tag: "sr-Latn", Script: "Latn", Direction: kolokol.LTR, Name: "Srpski", TimeZone: "Europe/Belgrade"},
		{Code: "fa", Tag: "fa-IR", Script: "Arab", Direction: kolokol.RTL, Name: "فارسی", TimeZone: "Asia/Tehran"},
	} {
		must(st.CreateService(ctx, s))
	}
	must(st.CreateSection(ctx, &kolokol.Section{Service: "ru", Slug: "world", Name: "В мире", Position: 1}))
	f := &siteFixture{}
	story := func(service, headline string) *kolokol.Article {
		a := &kolokol.Article{Service: service, Section: map[string]string{"ru": "world"}[service], Headline: headline,
			Body: "Text.", Status: kolokol.StatusPublished, PublishedAt: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)}
		a.Normalize()
		must(st.CreateArticle(ctx, a))
		return a
	}
	f.ru, f.sr, f.fa = story("ru", "Паром вернулся"), story("sr", "Most ponovo otvoren"), story("fa", "بازگشت کشتی")
	must(st.CreateNotice(ctx, &kolokol.Notice{Service: "ru", Text: "Читайте в режиме инкогнито.", Default: true}))
	b, err := render.New(st, render.Options{BaseURL: "https://news.example.org", SiteName: "Kolokol"})
	must(err)
	blobs, err := media.NewDir(t.TempDir())
	must(err)
	f.site = New(b, blobs, slog.New(slog.DiscardHandler), nil, Options{Notices: st.FindNotices})
	build := f.site.build
	f.site.cache = NewCache(func(ctx context.Context, key string) (*render.Page, string, error) {
		f.builds.Add(1)
		if strings.HasPrefix(key, notFoundKey) {
			f.notFoundBuilds.Add(1)
		}
		return build(ctx, key)
	}, nil)
	f.handler = f.site.Handler()
	return f
}

func (f *siteFixture) get(t *testing.T, target string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
	return w
}

// TestHostilePathsAddNoPage: nothing a client invents adds a cache entry.
// Once the pages the site links to (and its 404 pages) are cached, every
// path of the table, made new on each of many rounds, leaves the cache as
// it was: a NUL or another control character, bytes that are not UTF-8,
// other spellings of a page's path, ids with leading zeros, segments after
// a page, paths too long or too deep.
func TestHostilePathsAddNoPage(t *testing.T) {
	f := newSiteFixture(t)
	ruID, ruSlug := strconv.FormatInt(f.ru.ID, 10), url.PathEscape(f.ru.Slug)
	ru := f.ru.Path()
	srCyrl := "/sr-cyrl/" + strings.TrimPrefix(f.sr.Path(), "/sr/")
	// What the table lands on when it lands anywhere: pages the site
	// links to, and the 404 pages.
	for _, p := range []string{"/", "/ru/", "/ru/archive/", "/ru/s/world/", ru, "/ru/lite/", "/sr/", "/sr-cyrl/", srCyrl, f.fa.Path(),
		"/nope/", "/ru/nope/", "/sr/nope/", "/sr-cyrl/nope/", "/fa/nope/"} {
		if w := f.get(t, p); w.Code != 200 && w.Code != 404 {
			t.Fatalf("%s: %d", p, w.Code)
		}
	}
	pages := f.site.Cache().Len()
	for _, c := range []struct {
		name string
		path func(i int) string // a new path on every round
		want int                // the status
	}{
		{"NUL", func(i int) string { return fmt.Sprintf("/ru/%%00abc%d", i) }, 404},
		{"NUL after a page", func(i int) string { return fmt.Sprintf("%s%%00%d", ru, i) }, 404},
		{"NUL before a page", func(i int) string { return fmt.Sprintf("/ru/%%00%d%s", i, ru) }, 404},
		{"NUL and a variant's ids", func(i int) string { return fmt.Sprintf("/ru/%%00%d,1", i) }, 404},
		{"control character", func(i int) string { return fmt.Sprintf("/ru/%%01%d/", i) }, 404},
		{"escape sequence", func(i int) string { return fmt.Sprintf("/ru/%%1b[31m%d/", i) }, 404},
		{"DEL", func(i int) string { return fmt.Sprintf("/ru/%%7F%d/", i) }, 404},
		{"newline", func(i int) string { return fmt.Sprintf("/ru/%%0A%d/", i) }, 404},
		{"not UTF-8", func(i int) string { return fmt.Sprintf("/ru/%%FF%d/", i) }, 404},
		{"overlong UTF-8 slash", func(i int) string { return fmt.Sprintf("/ru/%%C0%%AF%d/", i) }, 404},
		{"UTF-8 surrogate", func(i int) string { return fmt.Sprintf("/ru/%%ED%%A0%%80%d/", i) }, 404},
		{"leading zeros", func(i int) string { return fmt.Sprintf("/ru/a/%s%s-%s/", strings.Repeat("0", i+1), ruID, ruSlug) }, 404},
		{"trailing segment", func(i int) string { return fmt.Sprintf("%s%d/", ru, i) }, 404},
		{"trailing segment, lite", func(i int) string { return fmt.Sprintf("/ru/lite/a/%s-%s/%d/", ruID, ruSlug, i) }, 404},
		{"wrong slug", func(i int) string { return fmt.Sprintf("/ru/a/%s-x%d/", ruID, i) }, 301},
		{"no slash", func(i int) string { return fmt.Sprintf("/ru/a/%s-x%d", ruID, i) }, 301},
		{"escaped slug escaped again", func(i int) string { return "/ru/a/" + ruID + "-" + url.PathEscape(ruSlug) + "/?" + strconv.Itoa(i) }, 301},
		{"query", func(i int) string { return fmt.Sprintf("%s?utm=%d", ru, i) }, 200},
		{"escaped letters", func(i int) string { return fmt.Sprintf("/r%%75/?%d", i) }, 200},
		{"escaped slashes", func(i int) string { return fmt.Sprintf("/ru%%2Fs%%2Fworld%%2F?%d", i) }, 200},
		{"escaped slash, no page", func(i int) string { return fmt.Sprintf("/ru/s%%2F%d/", i) }, 404},
		{"escaped dots", func(i int) string { return fmt.Sprintf("/ru/%%2e%%2e/%d/", i) }, 404},
		{"double slash", func(i int) string { return fmt.Sprintf("//ru/%d/", i) }, 307},
		{"double slash inside", func(i int) string { return fmt.Sprintf("/ru//%d/", i) }, 307},
		{"dot segment", func(i int) string { return fmt.Sprintf("/ru/./%d/", i) }, 307},
		{"upper case", func(i int) string { return fmt.Sprintf("/RU/%d/", i) }, 404},
		{"archive past the end", func(i int) string { return fmt.Sprintf("/ru/archive/%d/", i+2) }, 404},
		{"archive page zero-padded", func(i int) string { return fmt.Sprintf("/ru/archive/0%d/", i+1) }, 404},
		{"unknown service", func(i int) string { return fmt.Sprintf("/zz%c/", 'a'+i%26) }, 404},
		{"unknown variant", func(i int) string { return fmt.Sprintf("/sr-latn/%d/", i) }, 404},
		{"Cyrillic, wrong slug", func(i int) string { return fmt.Sprintf("/sr-cyrl/a/%d-x%d/", f.sr.ID, i) }, 301},
		{"Cyrillic, no page", func(i int) string { return fmt.Sprintf("/sr-cyrl/nope%d/", i) }, 404},
		{"static", func(i int) string { return fmt.Sprintf("/static/nope%d.css", i) }, 404},
		{"media", func(i int) string { return fmt.Sprintf("/media/%d.webp", i) }, 404},
		{"deep", func(i int) string { return "/ru/" + strings.Repeat("a/", 100) + strconv.Itoa(i) + "/" }, 404},
		{"long", func(i int) string { return "/ru/" + strings.Repeat("x", 50<<10) + strconv.Itoa(i) + "/" }, 414},
		{"just under the bound", func(i int) string { return "/ru/" + strings.Repeat("x", maxPathBytes-10) + fmt.Sprintf("%05d/", i) }, 404},
	} {
		for i := range 30 {
			target := c.path(i)
			w := f.get(t, target)
			if w.Code != c.want {
				t.Errorf("%s: %.60q: %d, want %d", c.name, target, w.Code, c.want)
				break
			}
			if w.Body.Len() > 16<<10 {
				t.Errorf("%s: %.60q: %d bytes", c.name, target, w.Body.Len())
			}
		}
		if n := f.site.Cache().Len(); n != pages {
			t.Errorf("%s: %d pages cached, want %d", c.name, n, pages)
			pages = n
		}
	}
}

// TestNotFoundRenderedOnce: a service's 404 page is rendered once and
// answers every path it has no page at, of any length or depth, at the
// same small size; a change to the service renders it again.
func TestNotFoundRenderedOnce(t *testing.T) {
	f := newSiteFixture(t)
	first := f.get(t, "/ru/nope/")
	if first.Code != 404 || first.Body.Len() > 8<<10 {
		t.Fatalf("/ru/nope/: %d, %d bytes", first.Code, first.Body.Len())
	}
	site := f.get(t, "/nope/")
	renders := f.notFoundBuilds.Load()
	if renders != 2 {
		t.Fatalf("%d renders of 404 pages for two services, want 2", renders)
	}
	for i := range 200 {
		for _, p := range []string{
			fmt.Sprintf("/ru/nope%d/", i),
			fmt.Sprintf("/ru/a/%d-x/", 100000+i),
			"/ru/" + strings.Repeat("ж", 1000) + strconv.Itoa(i),                    // 2,000 bytes and more
			"/ru/" + strings.Repeat("a/", maxPathSlashes-3) + strconv.Itoa(i) + "/", // as deep as allowed
		} {
			if w := f.get(t, p); w.Code != 404 || !bytes.Equal(w.Body.Bytes(), first.Body.Bytes()) {
				t.Fatalf("%.40q: %d, %d bytes; want the %d bytes of /ru/nope/", p, w.Code, w.Body.Len(), first.Body.Len())
			}
		}
		for _, p := range []string{
			fmt.Sprintf("/x%d/y/", i),
			"/ru/" + strings.Repeat("a/", 1000) + strconv.Itoa(i), // deeper than any page
			fmt.Sprintf("/ru/%%00%d/", i),
		} {
			if w := f.get(t, p); w.Code != 404 || !bytes.Equal(w.Body.Bytes(), site.Body.Bytes()) {
				t.Fatalf("%.40q: %d, %d bytes; want the %d bytes of /nope/", p, w.Code, w.Body.Len(), site.Body.Len())
			}
		}
	}
	if w := f.get(t, "/ru/"+strings.Repeat("x", 50<<10)+"/"); w.Code != http.StatusRequestURITooLong || w.Body.Len() > 100 {
		t.Errorf("a 50 KB path: %d, %d bytes", w.Code, w.Body.Len())
	}
	if n := f.notFoundBuilds.Load(); n != renders {
		t.Errorf("%d renders of 404 pages after 1,400 404s, want %d", n, renders)
	}
	// A story changing leaves the 404 page; the service changing (its
	// name, sections, notices) renders it again.
	f.site.Consumer().Apply(context.Background(), []*kolokol.Change{{Kind: kolokol.ChangeArticle, Service: "ru", ArticleID: f.ru.ID, Listed: true}})
	f.get(t, "/ru/nope/")
	if n := f.notFoundBuilds.Load(); n != renders {
		t.Errorf("a story's change rendered the 404 page again")
	}
	f.site.Consumer().Apply(context.Background(), []*kolokol.Change{{Kind: kolokol.ChangeService, Service: "ru"}})
	f.get(t, "/ru/nope/")
	f.get(t, "/ru/nope2/")
	if n := f.notFoundBuilds.Load(); n != renders+1 {
		t.Errorf("%d renders of 404 pages after the service changed, want %d", n, renders+1)
	}
}
