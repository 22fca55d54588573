package render

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestSEOHead: the titles for search engines and social cards the editor
// wrote are in the page's head; without them the headline and summary are.
func TestSEOHead(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	oldPath := f.full.Path()
	a := f.full
	a.CustomSlug = "glavnaya-novost"
	a.SEOTitle, a.SocialTitle, a.SocialDescription = "Главное за день: SEO", "Главное — для соцсетей", "Описание <для> карточки & ссылки"
	a.Normalize()
	if err := f.store.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a.Path() == oldPath || !strings.Contains(a.Path(), "-glavnaya-novost/") {
		t.Fatalf("path %q after the slug changed (was %q)", a.Path(), oldPath)
	}

	p := f.build(t, raw(t, a.Path()))
	if p.Status != 200 {
		t.Fatalf("status %d", p.Status)
	}
	doc := parse(t, p.Body)
	if got := textOf(first(t, doc, byTag("title"), "title")); got != a.SEOTitle+" – "+ruBrand {
		t.Errorf("title %q", got)
	}
	for _, c := range []struct{ key, val, want string }{
		{"name", "description", a.Summary},
		{"property", "og:title", a.SocialTitle},
		{"property", "og:description", a.SocialDescription},
		{"property", "og:url", testBase + a.Path()},
		{"name", "twitter:card", "summary_large_image"},
	} {
		if got := metaContent(t, doc, c.key, c.val); got != c.want {
			t.Errorf("meta %s=%s: %q, want %q", c.key, c.val, got, c.want)
		}
	}
	if h := textOf(first(t, doc, byTag("h1"), "h1")); h != a.Headline {
		t.Errorf("h1 %q: the page's heading is the headline", h)
	}
	if ld := textOf(first(t, doc, byAttr("type", "application/ld+json"), "JSON-LD")); !strings.Contains(ld, `"headline":"`+a.Headline+`"`) {
		t.Errorf("JSON-LD headline is not the headline: %s", ld)
	}

	// The old address answers a redirect to the new one.
	old := f.build(t, raw(t, oldPath))
	if old.Status != 301 || old.Location != a.Path() {
		t.Errorf("old address %s: %d %q, want 301 to %s", oldPath, old.Status, old.Location, a.Path())
	}

	// A story without them: the headline, the summary, a small card.
	q := f.build(t, raw(t, f.plain.Path()))
	doc = parse(t, q.Body)
	if got := textOf(first(t, doc, byTag("title"), "title")); got != f.plain.Headline+" – "+ruBrand {
		t.Errorf("plain title %q", got)
	}
	for _, c := range []struct{ key, val, want string }{
		{"property", "og:title", f.plain.Headline},
		{"name", "twitter:card", "summary"},
	} {
		if got := metaContent(t, doc, c.key, c.val); got != c.want {
			t.Errorf("plain meta %s=%s: %q, want %q", c.key, c.val, got, c.want)
		}
	}
}

func metaContent(t *testing.T, doc *html.Node, key, val string) string {
	t.Helper()
	n := first(t, doc, func(n *html.Node) bool { v, _ := attr(n, key); return n.Data == "meta" && v == val }, key+"="+val)
	c, _ := attr(n, "content")
	return c
}

// TestLatinSlugAddress: a story with a Latin slug is at its Latin address,
// and its Cyrillic one redirects there.
func TestLatinSlugAddress(t *testing.T) {
	f := newFixture(t)
	a := f.plain
	cyr := a.Path()
	a.Normalize()
	a.UseLatinSlug("ru")
	if a.Slug != "prostaya-zametka" {
		t.Fatalf("slug %q", a.Slug)
	}
	if err := f.store.UpdateArticle(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	if p := f.build(t, raw(t, a.Path())); p.Status != 200 {
		t.Errorf("%s: %d", a.Path(), p.Status)
	}
	if p := f.build(t, raw(t, cyr)); p.Status != 301 || p.Location != a.Path() {
		t.Errorf("%s: %d %q, want 301 to %s", cyr, p.Status, p.Location, a.Path())
	}
}
