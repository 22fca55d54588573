package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/newsroom"
	"github.com/kolokol/kolokol/search"
)

// TestSearchFollowsTheNewsroom: a story published through the API is
// searchable within a second, an edit replaces its words, an unpublish
// takes it out of readers' search; kolokol reindex rebuilds the index of
// a stopped server from the store.
func TestSearchFollowsTheNewsroom(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	var logs bytes.Buffer
	app, err := NewAppWith(ctx, Config{Data: data, BaseURL: "http://127.0.0.1", AccessLog: true,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Store.CreateService(ctx, &kolokol.Service{Code: "ru", Tag: "ru", Script: "Cyrl", Direction: kolokol.LTR,
		Name: "Русский", TimeZone: "Europe/Moscow"}); err != nil {
		t.Fatal(err)
	}
	ed := kolokol.Actor{Name: "editor@example.org", Role: kolokol.RoleAdmin}
	a, err := app.Desk.CreateArticle(ctx, ed, deskInput("ru", "Навальный и суд", "Заседание перенесли"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Desk.Publish(ctx, ed, a.ID); err != nil {
		t.Fatal(err)
	}
	find := func(q string) int {
		t.Helper()
		r, err := app.Search.Search(ctx, search.Query{Text: q, Services: []string{"ru"}, Status: kolokol.StatusPublished})
		if err != nil {
			t.Fatal(err)
		}
		return len(r.Hits)
	}
	deadline := time.Now().Add(time.Second)
	for find("Navalny") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("a published story is not searchable within a second")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The reader's results page: marked, private, not indexed, not kept.
	get := func(path string) *httptest.ResponseRecorder {
		t.Helper()
		w := httptest.NewRecorder()
		app.Handler.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		return w
	}
	for _, path := range []string{"/ru/search?q=Navalny", "/search?q=%D0%BD%D0%B0%D0%B2%D0%B0%D0%BB%D1%8C%D0%BD%D0%BE%D0%B3%D0%BE"} {
		w := get(path)
		body := w.Body.String()
		if w.Code != 200 || !strings.Contains(body, "<mark>Навальный</mark>") || !strings.Contains(body, `<meta name="robots" content="noindex">`) {
			t.Fatalf("%s: %d\n%s", path, w.Code, body)
		}
		if cc := w.Header().Get("Cache-Control"); cc != "private, no-store" || w.Header().Get("X-Robots-Tag") != "noindex" || w.Header().Get("Set-Cookie") != "" {
			t.Errorf("%s: Cache-Control %q, X-Robots-Tag %q", path, cc, w.Header().Get("X-Robots-Tag"))
		}
	}
	// Gzipped for a client that takes it, as every other page.
	{
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/ru/search?q=Navalny", nil)
		r.Header.Set("Accept-Encoding", "gzip")
		app.Handler.ServeHTTP(w, r)
		if w.Header().Get("Content-Encoding") != "gzip" || w.Header().Get("Vary") == "" {
			t.Fatalf("a results page to a gzip client: %v", w.Header())
		}
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil || !bytes.Contains(plain, []byte("<mark>Навальный</mark>")) {
			t.Fatalf("the gzipped page: %v\n%s", err, plain)
		}
	}
	if app.Site.Cache().Has("/ru/search") {
		t.Error("a results page is in the page cache")
	}
	// Whatever is typed, a page: results or "nothing found".
	for _, q := range []string{"", "%22", "*", "~", "AND", "a+AND+b+OR+c", "%2F.*%2F", "%FF%FE", strings.Repeat("%D0%B0+", 5000),
		"Navalny&page=999999", "Navalny&page=-3", "Navalny&page=x"} {
		if w := get("/ru/search?q=" + q); w.Code != 200 || !strings.Contains(w.Body.String(), "<h1>") {
			t.Errorf("q=%.40s: %d", q, w.Code)
		}
	}
	if w := get("/ru/search?q=Navalny&page=2"); !strings.Contains(w.Body.String(), "Ничего не найдено.") {
		t.Error("a page past the results does not say nothing was found")
	}
	if w := get("/xx/search?q=a"); w.Code != 404 {
		t.Errorf("an unknown service's search: %d", w.Code)
	}
	if !strings.Contains(logs.String(), "route=/{service}/search") {
		t.Error("the access log has no line of a search")
	}
	if strings.Contains(logs.String(), "Navalny") || strings.Contains(logs.String(), "q=") {
		t.Errorf("a query reached the log:\n%s", logs.String())
	}
	if _, err := app.Desk.Unpublish(ctx, ed, a.ID); err != nil {
		t.Fatal(err)
	}
	if n := find("навальный"); n != 0 {
		t.Fatalf("an unpublished story is still found: %d", n)
	}
	// The newsroom still finds it, by its words, status and dates.
	ns := newsroomSearch(app.Search)
	day := time.Now().UTC().Truncate(24 * time.Hour)
	for _, c := range []struct {
		q    newsroom.StorySearch
		want int
	}{
		{newsroom.StorySearch{Services: []string{"ru"}, Text: "суд"}, 1},
		{newsroom.StorySearch{Services: []string{"ru"}, Text: "суд", Status: "unpublished"}, 1},
		{newsroom.StorySearch{Services: []string{"ru"}, Text: "суд", Status: "published"}, 0},
		{newsroom.StorySearch{Services: []string{"ru"}, From: day, To: day.AddDate(0, 0, 2)}, 1},
		{newsroom.StorySearch{Services: []string{"ru"}, From: day.AddDate(0, 0, 2)}, 0},
		{newsroom.StorySearch{Services: []string{"ru"}, Text: "суд", Section: "world"}, 0},
	} {
		if h, err := ns(ctx, c.q); err != nil || len(h.IDs) != c.want || h.Total != c.want {
			t.Errorf("%+v: %+v %v, want %d", c.q, h, err, c.want)
		}
	}
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	if err := run(ctx, []string{"reindex", "--data", data}, &out, io.Discard, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "search index rebuilt: 1 stories") {
		t.Errorf("reindex says %q", out.String())
	}
}

func deskInput(service, headline, summary string) desk.ArticleInput {
	return desk.ArticleInput{Service: service, Headline: headline, Summary: summary, Body: summary}
}
