package render

import (
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// TestBundle checks an offline edition's content: the period's published
// stories only, newest first, in the service's language and direction,
// hostile text inert, and every link either to a file of the bundle or
// absolute to the site (a bundle holds no other page).
func TestBundle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	from, to := published0.Add(-2*time.Hour+time.Minute), published0.Add(time.Minute)
	b, err := f.b.Bundle(ctx, "ru", from, to)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range b.Stories {
		names = append(names, s.Headline)
	}
	// The full story at published0, then the first filler an hour before;
	// the second filler (2 h before) is out, as are drafts, unpublished and
	// today's stories.
	if want := []string{"Главная новость дня", "Новость номер 1"}; strings.Join(names, "|") != strings.Join(want, "|") {
		t.Fatalf("stories %q, want %q", names, want)
	}
	if b.Lang != "ru" || b.Dir != "ltr" || !strings.HasPrefix(b.Title, ruBrand+" · ") || len([]rune(b.Description)) > 80 {
		t.Errorf("lang %q dir %q title %q description %q", b.Lang, b.Dir, b.Title, b.Description)
	}
	files := map[string]bool{BundleStyle: true, "index.html": true}
	for _, s := range b.Stories {
		files[s.Name+".html"] = true
	}
	for _, im := range b.Images {
		files[im.Name] = true
	}
	full := b.Stories[0]
	for _, want := range []string{`href="https://news.example.org/ru/s/society/"`, `href="https://example.com/x"`,
		"Первое исправление.", "Второе исправление.", "Анна Петрова", `<p class="address" dir="ltr"><a href="https://news.example.org/ru/a/`} {
		if !strings.Contains(full.Body, want) {
			t.Errorf("the full story lacks %s:\n%s", want, full.Body)
		}
	}
	if strings.Contains(full.Body, "<script") {
		t.Errorf("a script survived:\n%s", full.Body)
	}
	check := func(what string, doc []byte, lang, dir string) {
		t.Helper()
		root, err := html.Parse(strings.NewReader(string(doc)))
		if err != nil {
			t.Fatal(err)
		}
		h := first(t, root, byTag("html"), "html")
		if l, _ := attr(h, "lang"); l != lang {
			t.Errorf("%s: lang %q, want %q", what, l, lang)
		}
		if d, _ := attr(h, "dir"); d != dir {
			t.Errorf("%s: dir %q, want %q", what, d, dir)
		}
		walk(root, func(n *html.Node) {
			for _, a := range n.Attr {
				if a.Key != "href" && a.Key != "src" {
					continue
				}
				if !strings.HasPrefix(a.Val, "https://") && !files[a.Val] {
					t.Errorf("%s: <%s %s=%q> leads out of the bundle to nothing", what, n.Data, a.Key, a.Val)
				}
			}
		})
	}
	check("index", b.Index, "ru", "ltr")
	for _, s := range b.Stories {
		check(s.Name, s.Page, "ru", "ltr")
		if !strings.Contains(string(b.Index), `href="`+s.Name+`.html"`) {
			t.Errorf("the main page does not link %s", s.Name)
		}
	}

	fa, err := f.b.Bundle(ctx, "fa", from, to)
	if err != nil {
		t.Fatal(err)
	}
	files["a"+itoa(f.fa.ID)+".html"] = true
	check("fa index", fa.Index, "fa-IR", "rtl")
	check("fa story", fa.Stories[0].Page, "fa-IR", "rtl")
	if !strings.ContainsAny(fa.Period, "۰۱۲۳۴۵۶۷۸۹") {
		t.Errorf("the Persian period %q has no Persian digits", fa.Period)
	}

	en, err := f.b.Bundle(ctx, "en", from, to)
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range [][]byte{en.Index, en.Stories[0].Page} {
		root, err := html.Parse(strings.NewReader(string(doc)))
		if err != nil {
			t.Fatal(err)
		}
		walk(root, func(n *html.Node) {
			if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "img" && !files[n.Attr[0].Val]) {
				t.Errorf("hostile text is live in the English bundle: a <%s> element", n.Data)
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") {
					t.Errorf("hostile text is live in the English bundle: <%s %s>", n.Data, a.Key)
				}
			}
		})
	}

	for _, c := range []struct {
		what, code string
		from, to   time.Time
		want       string
	}{
		{"an empty period", "ru", published0.Add(-100 * time.Hour), published0.Add(-99 * time.Hour), "nothing to put in a bundle"},
		{"a period backwards", "ru", to, from, "is not before its end"},
		{"an unknown service", "xx", from, to, "bundle of xx"},
	} {
		if _, err := f.b.Bundle(ctx, c.code, c.from, c.to); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.what, err, c.want)
		}
	}
	noBase, err := New(f.store, Options{SiteName: "Kolokol"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := noBase.Bundle(ctx, "ru", from, to); err == nil || !strings.Contains(err.Error(), "--base-url") {
		t.Errorf("a bundle without the site's address: %v", err)
	}
}
