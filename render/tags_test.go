package render

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

// TestTagPages: a tag's page lists its live stories as a section's does,
// at the tag's key, with the tag's feeds linked; other spellings are sent
// there; a tag no live story carries has no page.
func TestTagPages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// 25 stories of one tag, spelt three ways: two pages.
	for i := range 25 {
		a := &kolokol.Article{Service: "ru", Headline: fmt.Sprintf("Паром %d", i), Summary: "О пароме.", Status: kolokol.StatusPublished,
			PublishedAt: published0.Add(-time.Duration(i) * time.Minute), Tags: []string{[]string{"Паромы", "паромы", "ПАРОМЫ"}[i%3]}}
		a.Normalize()
		if err := f.store.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	politics := "/ru/t/" + url.PathEscape("политика") + "/"
	ferries := "/ru/t/" + url.PathEscape("паромы") + "/"
	for _, c := range []struct {
		path     string
		status   int
		location string   // of a 301
		has      []string // in a 200's body
		deps     []string // among a 404's
	}{
		{"/ru/t/политика/", 200, "", []string{"<h1>Тег: Политика</h1>", `href="../../a/` + strings.TrimPrefix(f.full.Path(), "/ru/a/"),
			`<link rel="alternate" type="application/rss+xml" href="feed.xml" title="Тег: Политика – ` + ruBrand + `">`,
			`type="application/atom+xml"`, `href="atom.xml"`, `type="application/feed+json"`, `href="feed.json"`,
			`<title>Тег: Политика – ` + ruBrand + `</title>`, "Главная новость дня", "Короткое изложение главной новости."}, nil},
		{"/ru/t/паромы/", 200, "", []string{"<h1>Тег: Паромы</h1>", "Паром 0", "Паром 19", `rel="next"`}, nil},
		{"/ru/t/паромы/2/", 200, "", []string{"Паром 20", "Паром 24", `rel="prev"`, "(2"}, nil},
		{"/ru/t/паромы/3/", 404, "", nil, []string{"tagged:ru/паромы"}},
		{"/ru/t/паромы/1/", 301, ferries, nil, nil},
		{"/ru/t/Паромы/", 301, ferries, nil, nil},
		{"/ru/t/ПАРОМЫ/2/", 301, ferries + "2/", nil, nil},
		{"/ru/t/Политика", 301, politics, nil, nil},
		{"/ru/t/спорт/", 404, "", nil, []string{"tagged:ru/спорт"}},
		{"/ru/t/-/", 404, "", nil, nil},
		{"/ru/t/.../", 404, "", nil, nil},
		// The text "..%2f", unescaped already: its key is "%2f", a tag
		// no story has, so not found rather than sent to its address.
		{"/ru/t/..%2f/", 404, "", nil, []string{"tagged:ru/%2f"}},
		{"/ru/t/Спорт/", 404, "", nil, []string{"tagged:ru/спорт"}}, // another spelling of a tag no story has
		{"/ru/t/", 404, "", nil, nil},
		{"/ru/t/политика/feed.xml", 200, "", []string{"<rss", "Главная новость дня"}, nil},
		{"/ru/t/Политика/feed.xml", 404, "", nil, nil},
		{"/ru/t/спорт/atom.xml", 404, "", nil, []string{"tagged:ru/спорт"}},
		{"/fa/t/دریا/", 404, "", nil, []string{"tagged:fa/دریا"}},
	} {
		t.Run(c.path, func(t *testing.T) {
			p, err := f.b.Resolve(ctx, c.path)
			if err != nil {
				t.Fatal(err)
			}
			if p.Status != c.status {
				t.Fatalf("status %d, want %d", p.Status, c.status)
			}
			if p.Location != c.location {
				t.Errorf("location %q, want %q", p.Location, c.location)
			}
			for _, s := range c.has {
				if !strings.Contains(string(p.Body), s) {
					t.Errorf("the page lacks %q:\n%s", s, p.Body)
				}
			}
			for _, d := range c.deps {
				if !slices.Contains(p.Deps, d) {
					t.Errorf("deps %v lack %s: the story that makes the page would not render it", p.Deps, d)
				}
			}
			if p.Status == http.StatusOK {
				if p.Path != c.path || !slices.Contains(p.Deps, "tagged:"+kolokol.TagList("ru", kolokol.TagKey(strings.Split(c.path, "/")[3]))) {
					t.Errorf("path %q, deps %v", p.Path, p.Deps)
				}
				if slices.Contains(p.Deps, listTag("ru")) {
					t.Errorf("deps %v: a tag's page changes with its own stories, not every story", p.Deps)
				}
			}
		})
	}

	// The story's tags lead to their pages, from its page and its
	// text-only page; a tag with no key stays text.
	for path, href := range map[string]string{f.full.Path(): "../../t/", liteArticlePath(f.full): "../../../t/"} {
		body := string(f.build(t, mustUnescape(t, path)).Body)
		for _, want := range []string{`<a href="` + href + url.PathEscape("политика") + `/">Политика</a>`,
			`<a href="` + href + url.PathEscape("москва") + `/">Москва</a>`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %s", path, want)
			}
		}
	}

	// The last live story of a tag goes: its page and feeds go with it,
	// from the router and from the plan.
	a, err := f.store.FindArticleByID(ctx, f.full.ID)
	if err != nil {
		t.Fatal(err)
	}
	a.Status = kolokol.StatusUnpublished
	if err := f.store.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/ru/t/политика/", "/ru/t/политика/feed.json"} {
		if p, err := f.b.Resolve(ctx, path); err != nil || p.Status != http.StatusNotFound {
			t.Errorf("%s after its last story went: %v, %v", path, p.Status, err)
		}
	}
	for e, err := range f.b.Plan(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(e.Path, "/ru/t/политика/") {
			t.Errorf("the plan still lists %s", e.Path)
		}
	}
}

func mustUnescape(t *testing.T, p string) string {
	t.Helper()
	u, err := url.PathUnescape(p)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestTagPageRTL: a Persian tag's page is the service's, right to left,
// in its language, with the tag as its stories spell it.
func TestTagPageRTL(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := &kolokol.Article{Service: "fa", Headline: "حقوق زنان", Status: kolokol.StatusPublished, PublishedAt: published0,
		Tags: []string{"حقوق بشر", "می\u200cخواهد"}}
	a.Normalize()
	if err := f.store.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	for path, heading := range map[string]string{"/fa/t/حقوق-بشر/": "برچسب: حقوق بشر", "/fa/t/می\u200cخواهد/": "برچسب: می\u200cخواهد"} {
		body := string(f.build(t, path).Body)
		for _, want := range []string{`lang="fa-IR" dir="rtl"`, "<h1>" + heading + "</h1>", "حقوق زنان"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %q", path, want)
			}
		}
	}
	if p, _ := f.b.Resolve(ctx, "/fa/t/حقوق بشر/"); p.Status != http.StatusMovedPermanently || p.Location != "/fa/t/"+url.PathEscape("حقوق-بشر")+"/" {
		t.Errorf("the tag's spelling with a space: %d %q", p.Status, p.Location)
	}
}
