package render

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/i18n"
	"golang.org/x/net/html"
)

func TestSerbianCyrillicVariant(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.store.CreateService(ctx, &kolokol.Service{Code: "sr", Tag: "sr-Latn", Script: "Latn", Direction: kolokol.LTR,
		Name: "Srpski", TimeZone: "Europe/Belgrade", About: "Nezavisne vesti."}); err != nil {
		t.Fatal(err)
	}
	a := &kolokol.Article{Service: "sr", Headline: "Most u Beogradu ponovo otvoren", Summary: "Ljudi su došli.",
		Body: "Đaci i njihovi roditelji.", Status: kolokol.StatusPublished, PublishedAt: published0}
	a.Normalize()
	if err := f.store.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	latin := f.build(t, a.Path())
	if latin.Status != 200 || !strings.Contains(string(latin.Body), `class="script-switch" href="../../../sr-cyrl/a/`) {
		t.Fatalf("Latin page lacks the switch to Cyrillic:\n%s", latin.Body)
	}
	cyrPath := "/sr-cyrl/" + strings.TrimPrefix(a.Path(), "/sr/")
	cyr := f.build(t, cyrPath)
	if cyr.Status != 200 {
		t.Fatalf("Cyrillic page: %d", cyr.Status)
	}
	body := string(cyr.Body)
	for _, want := range []string{
		`<html lang="sr-Cyrl"`,
		"Мост у Београду поново отворен",
		"Људи су дошли.",
		"Ђаци и њихови родитељи.",
		`<meta name="description" content="Људи су дошли."`,
		`href="../../../sr/a/` + strings.TrimPrefix(a.Path(), "/sr/a/") + `"`, // the switch back
		">Latinica</a>",
		`<link rel="canonical" href="` + testBase + cyrPath + `"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("Cyrillic page lacks %s", want)
		}
	}
	// Latin may remain in URLs (the slug) and the JSON-LD, never in text.
	walk(parse(t, cyr.Body), func(n *html.Node) {
		if n.Type == html.TextNode && n.Parent.Data != "script" && strings.Contains(n.Data, "Beogradu") {
			t.Errorf("Latin text left on the Cyrillic page: %q", n.Data)
		}
	})
	if got, want := cyr.Deps, latin.Deps; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("deps %v, want the Latin page's %v", got, want)
	}
	// Redirects stay in the variant; unknown variants are 404.
	if p := f.build(t, "/sr-cyrl/a/"+strconv.FormatInt(a.ID, 10)+"/"); p.Status != 301 || p.Location != "/sr-cyrl/"+strings.TrimPrefix(a.Path(), "/sr/") {
		t.Errorf("redirect: %d %q", p.Status, p.Location)
	}
	for _, p := range []string{"/sr-latn/", "/ru-cyrl/", "/sr-cyrl/nope/"} {
		if got := f.build(t, p); got.Status != 404 {
			t.Errorf("%s: %d", p, got.Status)
		}
	}
	// The variant's 404 page is the service's in Cyrillic, leading to
	// Cyrillic pages.
	nf := f.build(t, "/sr-cyrl/nope/")
	for _, want := range []string{`<html lang="sr-Cyrl"`, `href="/sr-cyrl/"`, `href="/sr-cyrl/archive/"`} {
		if nf.Service != "sr-cyrl" || !strings.Contains(string(nf.Body), want) {
			t.Errorf("Cyrillic 404 page (service %q) lacks %s:\n%s", nf.Service, want, nf.Body)
		}
	}
	if strings.Contains(string(nf.Body), `href="/sr/`) {
		t.Errorf("Cyrillic 404 page leads to Latin pages:\n%s", nf.Body)
	}
	if p := f.build(t, "/sr-cyrl/"); p.Status != 200 || !strings.Contains(string(p.Body), "Мост у Београду") {
		t.Errorf("Cyrillic home: %d", p.Status)
	}
}

// Text inside an element marked translate="no" (an address, a key's
// fingerprint) is copied as it is, however deep, and transliteration
// resumes after it.
func TestTransliterateKeepsNoTranslate(t *testing.T) {
	v, ok := i18n.VariantOf("sr-Latn")
	if !ok {
		t.Fatal("no Serbian variant")
	}
	in := `<p>dobar <code translate="no">abcdef <code>ab</code> cd</code> dan <a href="x" translate="NO">beograd</a> <img alt="slika" translate="no"> kraj</p>`
	want := `<p>добар <code translate="no">abcdef <code>ab</code> cd</code> дан <a href="x" translate="NO">beograd</a> <img alt="слика" translate="no"> крај</p>`
	got, err := transliteratePage([]byte(in), v, "sr-Latn", "/sr/", "/sr-cyrl/")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
