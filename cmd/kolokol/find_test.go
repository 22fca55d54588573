package main

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
)

// TestNewsroomFind: the dashboard pages through everything, finds by full
// text (a body's word, a byline), tag and sort, opens on the editor's
// home desk, lists all of its desks, and keeps saved searches.
func TestNewsroomFind(t *testing.T) {
	ta := newTestApp(t)
	ctx := t.Context()
	ed := ta.account(t, "finder@example.org", kolokol.RoleEditor, "fa", "ru")
	other := ta.account(t, "other@example.org", kolokol.RoleEditor, "ru")
	add := func(service, headline string, mod func(a *kolokol.Article)) *kolokol.Article {
		t.Helper()
		a := &kolokol.Article{Service: service, Headline: headline, Summary: "Кратко.", Body: "Текст.",
			Status: kolokol.StatusDraft, CreatedBy: "finder@example.org", Bylines: []string{"Пакетный Автор"}}
		if mod != nil {
			mod(a)
		}
		a.Normalize()
		if err := ta.Store.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	for i := range 120 {
		add("ru", fmt.Sprintf("Пакетная история %03d", i), nil)
	}
	add("ru", "Рыбаки вернулись", func(a *kolokol.Article) { a.Body = "В заливе видели кашалота." })
	add("ru", "Заседание отложено", func(a *kolokol.Article) { a.Bylines = []string{"Зинаида Редкая"} })
	add("ru", "Итоги недели", func(a *kolokol.Article) { a.Tags = []string{"Редкий тег"} })
	add("uk", "Кашалот у затоці", func(a *kolokol.Article) { a.Body = "Кашалот." })
	// The index as the store is now, rather than whenever its follower
	// catches up.
	if err := ta.Search.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	drafts, err := ta.Store.CountArticles(ctx, kolokol.ArticleFilter{Service: "ru", Status: kolokol.StatusDraft})
	if err != nil {
		t.Fatal(err)
	}
	get := func(session, path string) string {
		t.Helper()
		r := ta.page(t, session, path)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		return string(r.body)
	}
	selected := regexp.MustCompile(`<option value="([a-z]+)" selected>`)
	service := func(body string) string {
		m := selected.FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return m[1]
	}

	// Opens on the first service of the account's own list.
	if s := service(get(ed, "/newsroom/")); s != "fa" {
		t.Errorf("the dashboard opens on %q, want fa, the account's first", s)
	}

	// Pages past 100, with a count, on the store's path and the index's.
	for _, base := range []string{"/newsroom/?service=ru&status=draft", "/newsroom/?service=ru&status=draft&when=today"} {
		p1 := get(ed, base)
		if !strings.Contains(p1, fmt.Sprintf("1–50 of %d stories", drafts)) || !strings.Contains(p1, `rel="next"`) || strings.Contains(p1, `rel="prev"`) {
			t.Errorf("%s: page 1 says no count of %d or no next page:\n%s", base, drafts, clipBody(p1))
		}
		p3 := get(ed, base+"&page=3")
		if !strings.Contains(p3, fmt.Sprintf("101–%d of %d stories", min(150, drafts), drafts)) || !strings.Contains(p3, `rel="prev"`) {
			t.Errorf("%s: page 3:\n%s", base, clipBody(p3))
		}
		if drafts <= 150 && strings.Contains(p3, `rel="next"`) {
			t.Errorf("%s: page 3 of %d offers a next page", base, drafts)
		}
	}
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(get(ed, "/newsroom/?service=ru&status=draft&page=2"))
	if next == nil || html.UnescapeString(next[1]) != "/newsroom/?page=3&service=ru&status=draft" {
		t.Errorf("page 2's next link: %q", next)
	}

	for _, c := range []struct {
		name, query string
		want, not   []string
	}{
		{"a body's word", "service=ru&q=кашалот", []string{"Рыбаки вернулись", "1–1 of 1 story"}, []string{"Пакетная"}},
		{"a byline", "service=ru&q=Зинаида", []string{"Заседание отложено"}, []string{"Пакетная"}},
		{"a byline as author", "service=ru&author=Редкая&q=заседание", []string{"Заседание отложено"}, []string{"Пакетная"}},
		{"a tag, another spelling", "service=ru&tag=редкий-тег", []string{"Итоги недели"}, []string{"Пакетная", "Рыбаки"}},
		{"tag and status", "service=ru&tag=Редкий+тег&status=published", []string{"No stories match."}, []string{"Итоги недели"}},
		{"newest changed first", "service=ru&q=история", []string{"история 119", "1–50 of 120 stories"}, []string{"история 000"}},
		{"oldest first", "service=ru&q=история&sort=oldest", []string{"история 000"}, []string{"история 119"}},
		{"oldest first, store", "service=ru&author=Пакетный&sort=oldest", []string{"история 000"}, []string{"история 119"}},
		{"all my desks", "service=all&q=кашалот", []string{"Рыбаки вернулись", "All my desks: 1–1 of 1 story"}, []string{"Кашалот у затоці"}},
		{"a desk not mine: the home desk", "service=uk&q=кашалот", []string{"No stories match.", `<option value="fa" selected>`}, []string{"Кашалот у затоці"}},
	} {
		body := get(ed, "/newsroom/?"+c.query)
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s (%s): no %q in\n%s", c.name, c.query, w, clipBody(body))
			}
		}
		for _, n := range c.not {
			if strings.Contains(body, n) {
				t.Errorf("%s (%s): %q is there", c.name, c.query, n)
			}
		}
	}

	// The home desk: chosen on the account page, one the account works on.
	if r := ta.post(t, ed, "/newsroom/account/home-desk", url.Values{"home_desk": {"ru"}}); r.status != 303 {
		t.Fatalf("set home desk: %d %s", r.status, r.body)
	}
	if s := service(get(ed, "/newsroom/")); s != "ru" {
		t.Errorf("the dashboard opens on %q, want the home desk ru", s)
	}
	if s := service(get(ed, "/newsroom/account")); s != "ru" {
		t.Errorf("the account page shows %q as home desk", s)
	}
	if r := ta.post(t, ed, "/newsroom/account/home-desk", url.Values{"home_desk": {"uk"}}); r.status != 422 {
		t.Errorf("a home desk not the account's: %d", r.status)
	}
	if s := service(get(ed, "/newsroom/")); s != "ru" {
		t.Errorf("after a refused home desk the dashboard opens on %q", s)
	}

	// A saved search, with a hostile name and query: kept escaped, with
	// only the dashboard's own filters.
	hostile := `<script>alert("x")</script> мои черновики`
	r := ta.post(t, ed, "/newsroom/searches", url.Values{"name": {hostile},
		"query": {"service=ru&status=draft&q=<b>&evil=1&page=9&when=today"}})
	if r.status != 303 {
		t.Fatalf("save a search: %d %s", r.status, r.body)
	}
	loc := r.header.Get("Location")
	if want := "/newsroom/?q=%3Cb%3E&service=ru&status=draft&when=today"; loc != want {
		t.Errorf("saved search opens %q, want %q", loc, want)
	}
	dash := get(ed, "/newsroom/")
	if strings.Contains(dash, "<script>alert") || !strings.Contains(dash, html.EscapeString(hostile)) {
		t.Errorf("the saved search's name is not shown escaped:\n%s", clipBody(dash))
	}
	if !strings.Contains(dash, `href="/newsroom/?q=%3Cb%3E&amp;service=ru&amp;status=draft&amp;when=today"`) {
		t.Errorf("no link to the saved search:\n%s", clipBody(dash))
	}
	if r := ta.post(t, ed, "/newsroom/searches", url.Values{"name": {hostile}, "query": {"status=draft"}}); r.status != 409 {
		t.Errorf("a second search of the same name: %d", r.status)
	}
	if r := ta.post(t, ed, "/newsroom/searches", url.Values{"name": {strings.Repeat("я", 81)}, "query": {""}}); r.status != 422 {
		t.Errorf("a name too long: %d", r.status)
	}
	m := regexp.MustCompile(`/newsroom/searches/(\d+)/delete`).FindStringSubmatch(dash)
	if m == nil {
		t.Fatal("no delete button for the saved search")
	}
	if strings.Contains(get(other, "/newsroom/"), "мои черновики") {
		t.Error("another account sees the saved search")
	}
	if r := ta.post(t, other, m[0], nil); r.status != 404 {
		t.Errorf("another account deletes the saved search: %d", r.status)
	}
	if r := ta.post(t, ed, m[0], nil); r.status != 303 {
		t.Errorf("delete the saved search: %d %s", r.status, r.body)
	}
	if strings.Contains(get(ed, "/newsroom/"), "мои черновики") {
		t.Error("a deleted search is still listed")
	}
}

func clipBody(s string) string {
	if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 3000 {
		s = s[:3000]
	}
	return s
}
