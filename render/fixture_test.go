package render

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/store/sqlite"
	"golang.org/x/net/html"
)

const testBase = "https://news.example.org"

// Hostile text that must come out inert wherever it is shown.
// ruBrand is the Russian service's masthead; the others show the network's
// name, or (English) a hostile one.
const ruBrand = "Колокол: Русская служба"

const evil = `<script>alert(1)</script><img src=x onerror=alert(2)>"'&</title></script>`

// fixture is a real SQLite store with a few services and stories.
type fixture struct {
	store    *sqlite.Store
	b        *Builder
	full     *kolokol.Article // ru story with every element
	evil     *kolokol.Article // en story whose every text field is hostile
	fa       *kolokol.Article // Persian story with a non-ASCII slug
	plain    *kolokol.Article // ru story with no optional elements
	draft    *kolokol.Article
	unpub    *kolokol.Article
	media    *kolokol.Media
	breaking *kolokol.Breaking // ru banner
	ruLive   int               // published ru stories
	ruWorld  int               // published ru stories in section world
}

var published0 = time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kolokol.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{store: st}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []*kolokol.Service{
		{Code: "en", Tag: "en", Script: "Latn", Direction: kolokol.LTR, Name: "English", TimeZone: "Europe/London",
			About: "About " + evil, LegalStatus: "Legal " + evil, Brand: "Brand " + evil},
		{Code: "ru", Tag: "ru", Script: "Cyrl", Direction: kolokol.LTR, Name: "Русский", TimeZone: "Europe/Moscow",
			About: "«Колокол» — независимая редакция.", LegalStatus: "Признан «нежелательной организацией».", Brand: ruBrand},
		{Code: "fa", Tag: "fa-IR", Script: "Arab", Direction: kolokol.RTL, Name: "فارسی", TimeZone: "Asia/Tehran",
			About: "رسانهٔ مستقل.", LegalStatus: "«سازمان نامطلوب»."},
		{Code: "ka", Tag: "ka", Script: "Geor", Direction: kolokol.LTR, Name: "ქართული", TimeZone: "Asia/Tbilisi"},
	} {
		must(st.CreateService(ctx, s))
	}
	for _, s := range []*kolokol.Section{
		{Service: "ru", Slug: "world", Name: "В мире", Position: 1},
		{Service: "ru", Slug: "society", Name: "Общество", Position: 2},
		{Service: "en", Slug: "world", Name: "World " + evil},
		{Service: "fa", Slug: "world", Name: "جهان"},
	} {
		must(st.CreateSection(ctx, s))
	}
	f.media = &kolokol.Media{Hash: strings.Repeat("ab", 32), ContentType: "image/jpeg", Size: 1000, Width: 1600, Height: 900}
	must(st.CreateMedia(ctx, f.media))

	create := func(a *kolokol.Article) *kolokol.Article {
		t.Helper()
		a.Normalize()
		must(st.CreateArticle(ctx, a))
		return a
	}
	// Filler first, so the stories under test are the newest.
	for i := range 44 {
		sec := ""
		if i%2 == 0 {
			sec = "world"
			f.ruWorld++
		}
		create(&kolokol.Article{Service: "ru", Section: sec, Headline: fmt.Sprintf("Новость номер %d", i+1),
			Summary: "Кратко.", Status: kolokol.StatusPublished, PublishedAt: published0.Add(-time.Duration(i+1) * time.Hour)})
		f.ruLive++
	}
	f.plain = create(&kolokol.Article{Service: "ru", Headline: "Простая заметка", Status: kolokol.StatusPublished,
		Body: "Текст.", PublishedAt: time.Now().UTC()}) // as publishing does: just before storing
	f.ruLive++
	f.full = create(&kolokol.Article{
		Service: "ru", Section: "world", Status: kolokol.StatusPublished, PublishedAt: published0,
		Headline: "Главная новость дня",
		Summary:  "Короткое изложение главной новости.",
		Body: "# Заголовок автора\n\nПервый абзац со [ссылкой на раздел](/ru/s/society/) и [внешней](https://example.com/x).\n\n" +
			"> Цитата\n\n## Подзаголовок\n\nЕщё <script>alert(1)</script> текст.\n",
		Bylines:   []string{"Анна Петрова", "Иван Сидоров"},
		Dateline:  "Москва",
		LeadImage: &kolokol.LeadImage{MediaID: f.media.ID, Alt: "Люди на площади", Caption: "Площадь утром", Credit: "Фото: Reuters"},
		Credits:   []string{"Reuters", "AP", "AFP"},
		Tags:      []string{"Политика", "Москва"},
	})
	f.ruLive++
	f.ruWorld++
	must(st.AddCorrection(ctx, &kolokol.Correction{ArticleID: f.full.ID, Text: "Первое исправление."}))
	must(st.AddCorrection(ctx, &kolokol.Correction{ArticleID: f.full.ID, Text: "Второе исправление."}))
	f.draft = create(&kolokol.Article{Service: "ru", Headline: "Черновик", Status: kolokol.StatusDraft})
	f.unpub = create(&kolokol.Article{Service: "ru", Headline: "Снято", Status: kolokol.StatusUnpublished, PublishedAt: published0})
	f.evil = create(&kolokol.Article{
		Service: "en", Section: "world", Status: kolokol.StatusPublished, PublishedAt: published0,
		Headline: "Headline " + evil, Summary: "Summary " + evil, Body: "Body [x](javascript:alert(1)) " + evil,
		Bylines: []string{"Byline " + evil}, Dateline: "Dateline " + evil, Credits: []string{"Credit " + evil},
		Tags:      []string{"Tag " + evil},
		LeadImage: &kolokol.LeadImage{MediaID: f.media.ID, Alt: "Alt " + evil, Caption: "Caption " + evil, Credit: "Photo " + evil},
	})
	must(st.AddCorrection(ctx, &kolokol.Correction{ArticleID: f.evil.ID, Text: "Correction " + evil}))
	f.fa = create(&kolokol.Article{Service: "fa", Section: "world", Status: kolokol.StatusPublished, PublishedAt: published0,
		Headline: "خبر مهم امروز", Summary: "خلاصه.", Bylines: []string{"مریم", "John Smith"}, Credits: []string{"رویترز", "AP"}})

	f.breaking = &kolokol.Breaking{Service: "ru", Text: "Срочно: " + evil, URL: f.full.Path(), ExpiresAt: time.Now().Add(time.Hour).UTC().Truncate(time.Second)}
	must(st.SetBreaking(ctx, f.breaking))
	must(st.SetBreaking(ctx, &kolokol.Breaking{Service: "en", Text: "External " + evil, URL: "https://example.com/live?a=1&b=2"}))

	// Re-read what the store made of them (ids, times, corrections).
	for _, a := range []**kolokol.Article{&f.full, &f.evil, &f.fa, &f.plain} {
		got, err := st.FindArticleByID(ctx, (*a).ID)
		must(err)
		*a = got
	}
	f.b = f.builder(t, nil)
	return f
}

func (f *fixture) builder(t testing.TB, now func() time.Time) *Builder {
	t.Helper()
	b, err := New(f.store, Options{BaseURL: testBase, SiteName: "Kolokol", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *fixture) build(t testing.TB, path string) *Page {
	t.Helper()
	p, err := f.b.Build(context.Background(), path)
	if err != nil {
		t.Fatalf("Build(%q): %v", path, err)
	}
	return p
}

// Helpers over parsed documents.

func parse(t testing.TB, body []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func findAll(root *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	walk(root, func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
	})
	return out
}

func byTag(tag string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == tag }
}

func byAttr(key, val string) func(*html.Node) bool {
	return func(n *html.Node) bool { v, ok := attr(n, key); return ok && v == val }
}

func first(t testing.TB, root *html.Node, match func(*html.Node) bool, what string) *html.Node {
	t.Helper()
	all := findAll(root, match)
	if len(all) == 0 {
		t.Fatalf("no %s", what)
	}
	return all[0]
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

type nodeT = html.Node

// hasParentClass reports whether an ancestor of n has the class.
func hasParentClass(n *html.Node, class string) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if c, _ := attr(p, "class"); slices.Contains(strings.Fields(c), class) {
			return true
		}
	}
	return false
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("bad URL %q: %v", s, err)
	}
	return u
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return b.String()
}
