package render

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/logo"
	"golang.org/x/net/html"
)

func TestArticlePage(t *testing.T) {
	f := newFixture(t)
	p := f.build(t, raw(t, f.full.Path()))
	if p.Status != 200 {
		t.Fatalf("status %d", p.Status)
	}
	doc := parse(t, p.Body)
	a := f.full
	msk, _ := time.LoadLocation("Europe/Moscow")

	htmlEl := first(t, doc, byTag("html"), "html")
	if l, _ := attr(htmlEl, "lang"); l != "ru" {
		t.Errorf("lang %q", l)
	}
	if d, _ := attr(htmlEl, "dir"); d != "ltr" {
		t.Errorf("dir %q", d)
	}
	if got := textOf(first(t, doc, byTag("title"), "title")); got != a.Headline+" – "+ruBrand {
		t.Errorf("title %q", got)
	}
	meta := func(key, val string) string {
		t.Helper()
		n := first(t, doc, func(n *html.Node) bool { v, _ := attr(n, key); return n.Data == "meta" && v == val }, key+"="+val)
		c, _ := attr(n, "content")
		return c
	}
	canonical := testBase + a.Path()
	for _, c := range []struct{ key, val, want string }{
		{"name", "viewport", "width=device-width, initial-scale=1"},
		{"name", "description", a.Summary},
		{"property", "og:type", "article"},
		{"property", "og:title", a.Headline},
		{"property", "og:description", a.Summary},
		{"property", "og:url", canonical},
		{"property", "og:image", testBase + f.media.Path()},
		{"property", "og:locale", "ru"},
		{"property", "og:site_name", ruBrand},
	} {
		if got := meta(c.key, c.val); got != c.want {
			t.Errorf("meta %s=%s: %q, want %q", c.key, c.val, got, c.want)
		}
	}
	if len(findAll(doc, func(n *html.Node) bool { _, ok := attr(n, "charset"); return n.Data == "meta" && ok })) != 1 {
		t.Error("no meta charset")
	}
	if href, _ := attr(first(t, doc, byAttr("rel", "canonical"), "canonical"), "href"); href != canonical {
		t.Errorf("canonical %q", href)
	}
	icon := first(t, doc, byAttr("rel", "icon"), "icon link")
	if typ, _ := attr(icon, "type"); typ != "image/svg+xml" {
		t.Errorf("icon type %q", typ)
	}

	// 1: skip links first, and their targets take focus.
	focusable := findAll(doc, func(n *html.Node) bool { _, ok := attr(n, "href"); return n.Data == "a" && ok })
	if len(focusable) < 2 {
		t.Fatal("no links")
	}
	for i, want := range []struct{ href, text string }{{"#main", "Перейти к основному содержанию"}, {"#nav", "Перейти к навигации"}} {
		href, _ := attr(focusable[i], "href")
		if href != want.href || textOf(focusable[i]) != want.text {
			t.Errorf("focusable %d: %q %q, want %+v", i, href, textOf(focusable[i]), want)
		}
	}
	mainEl := first(t, doc, byTag("main"), "main")
	if id, _ := attr(mainEl, "id"); id != "main" {
		t.Errorf("main id %q", id)
	}
	if ti, _ := attr(mainEl, "tabindex"); ti != "-1" {
		t.Errorf("main tabindex %q", ti)
	}
	nav := first(t, doc, byAttr("id", "nav"), "#nav")
	if ti, _ := attr(nav, "tabindex"); nav.Data != "nav" || ti != "-1" {
		t.Errorf("#nav is <%s tabindex=%q>", nav.Data, ti)
	}
	if l, _ := attr(nav, "aria-label"); l != "Разделы" {
		t.Errorf("nav label %q", l)
	}
	brand := first(t, first(t, doc, byTag("header"), "header"), byTag("a"), "brand link")
	if h, _ := attr(brand, "href"); h != "../../" || textOf(brand) != ruBrand {
		t.Errorf("brand link %q %q", h, textOf(brand))
	}
	// The language's name moved from the masthead to the link to the
	// language switch.
	lang := first(t, first(t, doc, byAttr("class", "lang"), "language link"), byTag("a"), "language link")
	if h, _ := attr(lang, "href"); h != "#languages" || textOf(lang) != "Русский" {
		t.Errorf("language link %q %q", h, textOf(lang))
	}
	if sw := first(t, doc, byAttr("id", "languages"), "#languages"); sw.Data != "nav" {
		t.Errorf("#languages is <%s>", sw.Data)
	}

	// 2: the banner.
	banner := first(t, doc, byAttr("role", "status"), "breaking banner")
	if h, _ := attr(first(t, banner, byTag("a"), "banner link"), "href"); h != "./" {
		t.Errorf("banner link %q", h)
	}
	if !strings.Contains(textOf(banner), f.breaking.Text) {
		t.Errorf("banner text %q", textOf(banner))
	}

	// 3: one h1.
	h1s := findAll(doc, byTag("h1"))
	if len(h1s) != 1 || textOf(h1s[0]) != a.Headline {
		t.Fatalf("h1s: %d", len(h1s))
	}
	// 4: the lead photo.
	fig := first(t, doc, byTag("figure"), "figure")
	img := first(t, fig, byTag("img"), "img")
	for k, want := range map[string]string{"alt": "Люди на площади", "width": "1600", "height": "900", "src": "../../../media/" + f.media.Hash + ".jpg"} {
		if v, _ := attr(img, k); v != want {
			t.Errorf("img %s=%q, want %q", k, v, want)
		}
	}
	if _, ok := attr(img, "loading"); !ok {
		t.Error("img without loading")
	}
	caption := first(t, fig, byTag("figcaption"), "figcaption")
	if c := textOf(caption); !strings.Contains(c, "Площадь утром") || strings.Contains(c, "Люди на площади") {
		t.Errorf("figcaption %q", c)
	}
	if c := textOf(first(t, caption, byAttr("class", "credit"), "credit")); c != "Фото: Reuters" {
		t.Errorf("credit %q", c)
	}
	// 5-6: summary, byline, dateline, times.
	summary := first(t, doc, byAttr("class", "summary"), "summary")
	if textOf(summary) != a.Summary {
		t.Errorf("summary %q", textOf(summary))
	}
	if b := textOf(first(t, doc, byAttr("class", "byline"), "byline")); b != "Текст: Анна Петрова и Иван Сидоров" {
		t.Errorf("byline %q", b)
	}
	if d := textOf(first(t, doc, byAttr("class", "dateline"), "dateline")); d != "Москва" {
		t.Errorf("dateline %q", d)
	}
	times := findAll(first(t, doc, byAttr("class", "meta"), "meta"), byTag("time"))
	if len(times) != 2 {
		t.Fatalf("%d times in the meta line, want published and updated", len(times))
	}
	if dt, _ := attr(times[0], "datetime"); dt != "2024-03-01T12:30:00+03:00" || textOf(times[0]) != "1 марта 2024 г., 12:30" {
		t.Errorf("published %q %q", dt, textOf(times[0]))
	}
	if dt, _ := attr(times[1], "datetime"); dt != a.UpdatedAt.In(msk).Format(time.RFC3339) {
		t.Errorf("updated %q", dt)
	}
	// 7: the body, headings demoted below the h1 without skips.
	body := first(t, doc, byAttr("class", "body"), "body")
	var levels []string
	for _, h := range findAll(body, func(n *html.Node) bool { return len(n.Data) == 2 && n.Data[0] == 'h' }) {
		levels = append(levels, h.Data+":"+textOf(h))
	}
	if want := []string{"h2:Заголовок автора", "h3:Подзаголовок"}; !slices.Equal(levels, want) {
		t.Errorf("body headings %q, want %q", levels, want)
	}
	links := findAll(body, byTag("a"))
	if len(links) != 2 {
		t.Fatalf("%d body links", len(links))
	}
	if h, _ := attr(links[0], "href"); h != "../../../ru/s/society/" {
		t.Errorf("root-relative body link became %q", h)
	}
	if h, _ := attr(links[1], "href"); h != "https://example.com/x" {
		t.Errorf("external link %q", h)
	}
	if r, _ := attr(links[1], "rel"); r != "noopener noreferrer" {
		t.Errorf("external link rel %q", r)
	}
	if len(findAll(body, byTag("script"))) > 0 {
		t.Error("script in body")
	}
	// 8: wire credits.
	if c := textOf(first(t, doc, byAttr("class", "credits"), "credits")); c != "Использованы материалы Reuters, AP и AFP" {
		t.Errorf("credits %q", c)
	}
	// 13: corrections, oldest first.
	corr := first(t, doc, byAttr("class", "corrections"), "corrections")
	if h := textOf(first(t, corr, byTag("h2"), "corrections heading")); h != "Исправления" {
		t.Errorf("corrections heading %q", h)
	}
	items := findAll(corr, byTag("li"))
	if len(items) != 2 || !strings.Contains(textOf(items[0]), "Первое") || !strings.Contains(textOf(items[1]), "Второе") {
		t.Errorf("corrections %d", len(items))
	}
	for _, it := range items {
		if len(findAll(it, byTag("time"))) != 1 {
			t.Error("correction without its date")
		}
	}
	tags := first(t, doc, byAttr("class", "tags"), "tags")
	if got := findAll(tags, byTag("li")); len(got) != 2 || textOf(got[0]) != "Политика" {
		t.Errorf("tags %d", len(got))
	}
	// More from the section: its five newest but this story, newest first,
	// each a headline and a date.
	more := first(t, doc, byAttr("class", "more"), "more from the section")
	if h := textOf(first(t, more, byTag("h2"), "more heading")); h != "Ещё в разделе «В мире»" {
		t.Errorf("more heading %q", h)
	}
	var heads []string
	for _, li := range findAll(more, byTag("li")) {
		heads = append(heads, textOf(first(t, li, byTag("a"), "more link")))
		if len(findAll(li, byTag("time"))) != 1 {
			t.Errorf("more item without its date: %s", textOf(li))
		}
	}
	if want := []string{"Новость номер 1", "Новость номер 3", "Новость номер 5", "Новость номер 7", "Новость номер 9"}; !slices.Equal(heads, want) {
		t.Errorf("more from the section %q, want %q", heads, want)
	}
	if !slices.Contains(p.Deps, "latest:ru/world") {
		t.Errorf("deps %q: nothing renders the list again when the section's newest change", p.Deps)
	}
	// The story first: between the lead photo and the body, the byline
	// and times alone.
	var between []string
	for n := fig.NextSibling; n != nil && n != body; n = n.NextSibling {
		if n.Type == html.ElementNode {
			c, _ := attr(n, "class")
			between = append(between, n.Data+"."+c)
		}
	}
	if !slices.Equal(between, []string{"p.meta"}) {
		t.Errorf("between the photo and the body: %q, want the byline and times alone", between)
	}
	// The order of PAGE.md, as the brief puts it.
	order := []*html.Node{h1s[0], summary, fig, times[0], body, first(t, doc, byAttr("class", "credits"), ""), corr, more, tags}
	pos := map[*html.Node]int{}
	i := 0
	walk(doc, func(n *html.Node) { pos[n] = i; i++ })
	for k := 1; k < len(order); k++ {
		if pos[order[k-1]] >= pos[order[k]] {
			t.Errorf("element %d (%s) is not before element %d (%s)", k-1, order[k-1].Data, k, order[k].Data)
		}
	}
	if pos[first(t, doc, byTag("header"), "")] > pos[banner] || pos[banner] > pos[mainEl] {
		t.Error("banner is not between the header's start and main")
	}
	// 10-11: the footer.
	footer := first(t, doc, byTag("footer"), "footer")
	ft := textOf(footer)
	if !strings.Contains(ft, "«Колокол» — независимая редакция.") || !strings.Contains(ft, "Признан «нежелательной организацией».") {
		t.Errorf("footer %q", ft)
	}
	// The footer links the service's safety page, and switches to every
	// service, each named in its own language.
	all := findAll(footer, byTag("a"))
	if h, _ := attr(all[0], "href"); h != "../../safety/" || textOf(all[0]) != "Как читать безопасно" {
		t.Errorf("footer's first link %q %q, want the safety page", h, textOf(all[0]))
	}
	langs := findAll(first(t, footer, byTag("nav"), "footer nav"), byTag("a"))
	if len(langs) != 4 {
		t.Errorf("footer has %d language links, want one per service (4)", len(langs))
	}
	for _, a := range langs {
		if lang, _ := attr(a, "lang"); lang == "fa-IR" {
			if h, _ := attr(a, "href"); h != "../../../fa/" || textOf(a) != "فارسی" {
				t.Errorf("Persian link %q %q", h, textOf(a))
			}
			if d, _ := attr(a, "dir"); d != "rtl" {
				t.Errorf("Persian link dir %q", d)
			}
		}
	}
	checkJSONLD(t, doc, f)
	checkInert(t, doc)
	if len(p.Body) > 12<<10 {
		t.Errorf("article page is %d bytes", len(p.Body))
	}
	if !p.LastModified.Equal(latest(a.UpdatedAt, f.breaking.CreatedAt)) {
		t.Errorf("LastModified %v", p.LastModified)
	}
	if !p.ExpiresAt.Equal(f.breaking.ExpiresAt) {
		t.Errorf("ExpiresAt %v, want %v", p.ExpiresAt, f.breaking.ExpiresAt)
	}
}

func checkJSONLD(t *testing.T, doc *html.Node, f *fixture) {
	t.Helper()
	s := first(t, doc, byAttr("type", "application/ld+json"), "JSON-LD")
	var ld struct {
		Context, Type, Headline, Description, DatePublished, DateModified, InLanguage string
		Author                                                                        []struct{ Type, Name string }
		Publisher                                                                     struct{ Type, Name, URL string }
		Image                                                                         []string
		MainEntityOfPage                                                              struct{ Type, ID string }
	}
	// The struct tags of encoding/json do not allow "@" names in a literal
	// struct, so decode into a map first and re-marshal without the "@".
	var m map[string]any
	if err := json.Unmarshal([]byte(textOf(s)), &m); err != nil {
		t.Fatalf("JSON-LD: %v\n%s", err, textOf(s))
	}
	clean, _ := json.Marshal(stripAt(m))
	if err := json.Unmarshal(clean, &ld); err != nil {
		t.Fatal(err)
	}
	a := f.full
	if ld.Context != "https://schema.org" || ld.Type != "NewsArticle" || ld.Headline != a.Headline || ld.Description != a.Summary ||
		ld.InLanguage != "ru" || ld.DatePublished != "2024-03-01T09:30:00Z" || ld.DateModified != a.UpdatedAt.UTC().Format(time.RFC3339) {
		t.Errorf("JSON-LD %+v", ld)
	}
	if len(ld.Author) != 2 || ld.Author[0].Type != "Person" || ld.Author[1].Name != "Иван Сидоров" {
		t.Errorf("authors %+v", ld.Author)
	}
	if ld.Publisher.Type != "Organization" || ld.Publisher.Name != ruBrand || ld.Publisher.URL != testBase+"/ru/" {
		t.Errorf("publisher %+v", ld.Publisher)
	}
	if len(ld.Image) != 1 || ld.Image[0] != testBase+f.media.Path() {
		t.Errorf("image %q", ld.Image)
	}
	if ld.MainEntityOfPage.ID != testBase+a.Path() {
		t.Errorf("mainEntityOfPage %+v", ld.MainEntityOfPage)
	}
}

func stripAt(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			out[strings.TrimPrefix(k, "@")] = stripAt(x)
		}
		return out
	case []any:
		for i := range v {
			v[i] = stripAt(v[i])
		}
	}
	return v
}

// checkInert asserts the page runs nothing and loads nothing from elsewhere.
func checkInert(t *testing.T, doc *html.Node) {
	t.Helper()
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch n.Data {
		case "script":
			if typ, _ := attr(n, "type"); typ != "application/ld+json" {
				t.Errorf("script of type %q", typ)
			}
		case "iframe", "object", "embed", "style", "base", "svg", "math":
			t.Errorf("<%s> in page", n.Data)
		case "form":
			// The one form is the search box: a GET to the site's own
			// search, which posts nothing and sets nothing.
			role, _ := attr(n, "role")
			method, _ := attr(n, "method")
			action, _ := attr(n, "action")
			if role != "search" || method != "get" || !strings.HasSuffix(action, "search") || strings.Contains(action, ":") {
				t.Errorf("<form role=%q method=%q action=%q> in page", role, method, action)
			}
		}
		for _, a := range n.Attr {
			k := strings.ToLower(a.Key)
			if strings.HasPrefix(k, "on") || k == "style" || k == "srcdoc" {
				t.Errorf("<%s %s=%q>", n.Data, a.Key, a.Val)
			}
			if k == "href" || k == "src" || k == "action" || k == "content" && strings.Contains(a.Val, ":") {
				checkURL(t, n, a.Key, a.Val)
			}
		}
	})
}

func checkURL(t *testing.T, n *html.Node, key, val string) {
	t.Helper()
	u, err := url.Parse(strings.TrimSpace(val))
	if err != nil {
		if n.Data == "meta" {
			return // text content of a description, not a URL
		}
		t.Errorf("<%s %s=%q> unparsable", n.Data, key, val)
		return
	}
	if n.Data == "meta" {
		if name, _ := attr(n, "property"); !strings.HasSuffix(name, ":url") && !strings.HasSuffix(name, ":image") {
			return
		}
	}
	switch strings.ToLower(u.Scheme) {
	case "", "http", "https", "mailto":
	default:
		t.Errorf("<%s %s=%q>: scheme %q", n.Data, key, val, u.Scheme)
	}
	rel, _ := attr(n, "rel")
	loads := key == "src" || n.Data == "link" && rel != "canonical"
	if loads && u.Host != "" {
		t.Errorf("<%s %s=%q> loads from another host", n.Data, key, val)
	}
	if n.Data == "a" && u.Host != "" && u.Host != "news.example.org" && rel != "noopener noreferrer" {
		t.Errorf("external link %q with rel %q", val, rel)
	}
}

func TestHostileTextInert(t *testing.T) {
	f := newFixture(t)
	p := f.build(t, raw(t, f.evil.Path()))
	if p.Status != 200 {
		t.Fatalf("status %d", p.Status)
	}
	doc := parse(t, p.Body)
	checkInert(t, doc)
	// Every hostile field comes back as the very text it was, which only
	// happens if it was escaped rather than interpreted.
	for class, want := range map[string]string{
		"summary": "Summary " + evil, "dateline": "Dateline " + evil, "credit": "Photo " + evil,
		"byline": "By Byline " + evil, "credits": "With reporting by Credit " + evil, "legal": "Legal " + evil,
	} {
		if got := textOf(first(t, doc, byAttr("class", class), class)); got != want {
			t.Errorf("%s: %q", class, got)
		}
	}
	if got := textOf(first(t, doc, byTag("h1"), "h1")); got != "Headline "+evil {
		t.Errorf("h1 %q", got)
	}
	if got := textOf(first(t, doc, byTag("title"), "title")); got != "Headline "+evil+" – Brand "+evil {
		t.Errorf("title %q", got)
	}
	if alt, _ := attr(first(t, doc, byTag("img"), "img"), "alt"); alt != "Alt "+evil {
		t.Errorf("alt %q", alt)
	}
	if n := len(findAll(doc, byTag("img"))); n != 1 {
		t.Errorf("%d images: markup got through", n)
	}
	banner := first(t, doc, byAttr("role", "status"), "banner")
	bl := first(t, banner, byTag("a"), "banner link")
	if h, _ := attr(bl, "href"); h != "https://example.com/live?a=1&b=2" || textOf(bl) != "External "+evil {
		t.Errorf("banner link %q %q", h, textOf(bl))
	}
	ld := textOf(first(t, doc, byAttr("type", "application/ld+json"), "JSON-LD"))
	if strings.ContainsAny(ld, "<>&") {
		t.Errorf("JSON-LD carries raw markup characters: %s", ld)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(ld), &m); err != nil || m["headline"] != "Headline "+evil {
		t.Errorf("JSON-LD headline %v (%v)", m["headline"], err)
	}
	// The javascript: link in the body is dropped, its text kept.
	for _, a := range findAll(first(t, doc, byAttr("class", "body"), "body"), byTag("a")) {
		t.Errorf("body link survived: %v", a.Attr)
	}
}

func TestRTLAndEscapedSlugs(t *testing.T) {
	f := newFixture(t)
	p := f.build(t, raw(t, f.fa.Path()))
	doc := parse(t, p.Body)
	h := first(t, doc, byTag("html"), "html")
	if d, _ := attr(h, "dir"); d != "rtl" {
		t.Errorf("dir %q", d)
	}
	if l, _ := attr(h, "lang"); l != "fa-IR" {
		t.Errorf("lang %q", l)
	}
	if b := textOf(first(t, doc, byAttr("class", "byline"), "byline")); b != "به قلم مریم و John Smith" {
		t.Errorf("byline %q", b)
	}
	if len(findAll(first(t, doc, byAttr("class", "byline"), ""), byTag("bdi"))) != 2 {
		t.Error("byline names are not isolated")
	}
	canon, _ := attr(first(t, doc, byAttr("rel", "canonical"), "canonical"), "href")
	if canon != testBase+f.fa.Path() || !isASCII(canon) {
		t.Errorf("canonical %q", canon)
	}
	// The home page links the story with its slug percent-escaped.
	home := parse(t, f.build(t, "/fa/").Body)
	found := false
	walk(home, func(n *html.Node) {
		for _, a := range n.Attr {
			if (a.Key == "href" || a.Key == "src") && !isASCII(a.Val) {
				t.Errorf("unescaped %s %q", a.Key, a.Val)
			}
			if a.Key == "href" && "/fa/"+a.Val == f.fa.Path() {
				found = true
			}
		}
	})
	if !found {
		t.Errorf("home does not link %s", f.fa.Path())
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// A story in many languages lists them after its body, in one line up to
// six and folded into a <details> beyond; the hreflang alternates stay in
// the head either way.
func TestAlsoIn(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	langs := []string{"de", "fr", "it", "es", "pl", "cs", "nl"}
	for _, l := range langs {
		if err := f.store.CreateService(ctx, &kolokol.Service{Code: l, Tag: l, Script: "Latn", Direction: kolokol.LTR, Name: "Lang " + l, TimeZone: "UTC"}); err != nil {
			t.Fatal(err)
		}
	}
	story := func(svc string) *kolokol.Article {
		a := &kolokol.Article{Service: svc, Headline: "Story " + svc, Status: kolokol.StatusPublished, PublishedAt: published0, TranslationGroup: "g1"}
		a.Normalize()
		if err := f.store.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	ru := story("ru")
	for i, want := range []struct {
		others int
		folded bool
	}{{6, false}, {7, true}} {
		for len(langs) > 7-want.others {
			story(langs[0])
			langs = langs[1:]
		}
		p := f.build(t, raw(t, ru.Path()))
		doc := parse(t, p.Body)
		nav := first(t, doc, byAttr("class", "translations"), "translations")
		if got := len(findAll(nav, byTag("a"))); got != want.others {
			t.Errorf("case %d: %d languages listed, want %d", i, got, want.others)
		}
		details := findAll(nav, byTag("details"))
		if want.folded != (len(details) == 1) {
			t.Errorf("case %d: %d <details> for %d languages", i, len(details), want.others)
		}
		label := textOf(first(t, nav, byAttr("id", "story-in"), "the list's label"))
		if wantLabel := "Этот материал на других языках"; want.folded {
			if wantLabel += " (7)"; label != wantLabel || first(t, nav, byAttr("id", "story-in"), "").Data != "summary" {
				t.Errorf("case %d: label %q, want the summary %q", i, label, wantLabel)
			}
		} else if label != wantLabel {
			t.Errorf("case %d: label %q, want %q", i, label, wantLabel)
		}
		if l, _ := attr(nav, "aria-labelledby"); l != "story-in" {
			t.Errorf("case %d: nav labelled by %q", i, l)
		}
		// After the body, never between the headline and the story.
		pos := map[*html.Node]int{}
		n := 0
		walk(doc, func(x *html.Node) { pos[x] = n; n++ })
		if pos[nav] < pos[first(t, doc, byAttr("class", "body"), "body")] {
			t.Errorf("case %d: the other languages come before the body", i)
		}
		alts := findAll(first(t, doc, byTag("head"), "head"), func(x *html.Node) bool { h, ok := attr(x, "hreflang"); return x.Data == "link" && ok && h != "" })
		if len(alts) != want.others+1 {
			t.Errorf("case %d: %d hreflang alternates, want %d", i, len(alts), want.others+1)
		}
	}
}

// The masthead's logo: a drawing inlined, named by the brand for screen
// readers; a picture by its renditions, which the page then depends on and
// carries.
func TestMastheadLogo(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s, err := logo.Sanitize([]byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 40"><path d="M0 0h160v40H0z"/><text>Kolokol</text></svg>`))
	if err != nil {
		t.Fatal(err)
	}
	fa, err := f.store.FindServiceByCode(ctx, "fa")
	if err != nil {
		t.Fatal(err)
	}
	fa.Logo = kolokol.Logo{SVG: string(s.Inner), ViewBox: s.ViewBox}
	if err := f.store.UpdateService(ctx, fa); err != nil {
		t.Fatal(err)
	}
	p := f.build(t, raw(t, f.fa.Path()))
	brand := first(t, first(t, parse(t, p.Body), byAttr("class", "brand"), "brand"), byTag("a"), "brand link")
	svg := first(t, brand, byTag("svg"), "the drawing")
	for k, want := range map[string]string{"viewBox": "0 0 160 40", "width": "160", "height": "40", "role": "img", "aria-label": "Kolokol"} {
		if got, _ := attr(svg, k); got != want {
			t.Errorf("svg %s=%q, want %q", k, got, want)
		}
	}
	if n := len(findAll(svg, byTag("path"))); n != 1 || len(findAll(svg, byTag("text"))) != 0 {
		t.Errorf("the drawing has %d paths and %d texts", n, len(findAll(svg, byTag("text"))))
	}

	ru, err := f.store.FindServiceByCode(ctx, "ru")
	if err != nil {
		t.Fatal(err)
	}
	ru.Logo = kolokol.Logo{MediaID: f.media.ID}
	if err := f.store.UpdateService(ctx, ru); err != nil {
		t.Fatal(err)
	}
	p = f.build(t, raw(t, f.plain.Path()))
	img := first(t, first(t, parse(t, p.Body), byAttr("class", "brand"), "brand"), byTag("img"), "the picture")
	for k, want := range map[string]string{"alt": ruBrand, "height": "40", "width": "71", "src": "../../../media/" + f.media.Hash + ".jpg"} {
		if got, _ := attr(img, k); got != want {
			t.Errorf("img %s=%q, want %q", k, got, want)
		}
	}
	if !slices.Contains(p.Deps, fmt.Sprintf("media:%d", f.media.ID)) || !slices.Contains(p.Files, f.media.Path()) {
		t.Errorf("deps %q, files %q: the page does not depend on its logo or carry it", p.Deps, p.Files)
	}
}

// A story alone in its section is followed by its service's newest
// stories instead, and its page then depends on both lists.
func TestMoreFallsBackToTheService(t *testing.T) {
	f := newFixture(t)
	a := &kolokol.Article{Service: "ru", Section: "society", Headline: "Одна в разделе", Status: kolokol.StatusPublished, PublishedAt: published0.Add(-100 * time.Hour)}
	a.Normalize()
	if err := f.store.CreateArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	p := f.build(t, raw(t, a.Path()))
	more := first(t, parse(t, p.Body), byAttr("class", "more"), "more")
	if h := textOf(first(t, more, byTag("h2"), "heading")); h != "Последние новости" {
		t.Errorf("heading %q, want the service's newest", h)
	}
	if items := findAll(more, byTag("li")); len(items) != kolokol.MoreStories || !strings.Contains(textOf(items[0]), f.plain.Headline) {
		t.Errorf("%d items, the first %q; want the service's five newest", len(items), textOf(items[0]))
	}
	for _, d := range []string{"latest:ru/society", "latest:ru/"} {
		if !slices.Contains(p.Deps, d) {
			t.Errorf("deps %q lack %s", p.Deps, d)
		}
	}
}
