package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/auth"
)

// BenchmarkPublishLatency measures what an editor waits for: the publish API
// call returning, and then the first reader request for the new page (which
// renders it into the cache). Reported as ns/op for the pair.
func BenchmarkPublishLatency(b *testing.B) {
	ta := newTestApp(b)
	ids := make([]apiArticle, b.N)
	for i := range ids {
		ids[i] = ta.create(b, ta.admin, map[string]any{"service": "en", "section": "world",
			"headline": fmt.Sprintf("Benchmark story %d", i), "summary": "A summary.", "body": "Body text.\n\nMore text."})
	}
	b.ResetTimer()
	for i := range ids {
		a := ta.publish(b, ta.admin, ids[i].ID)
		if r := ta.get(b, ta.path(a)); r.status != http.StatusOK {
			b.Fatalf("page %d", r.status)
		}
	}
}

// BenchmarkServeCachedArticle is the reader hot path over real HTTP on
// loopback: a cached article page, gzip.
func BenchmarkServeCachedArticle(b *testing.B) {
	ta := newTestApp(b)
	a := ta.create(b, ta.admin, map[string]any{"service": "en", "headline": "Cached", "body": "Text."})
	a = ta.publish(b, ta.admin, a.ID)
	path := ta.path(a)
	ta.get(b, path)
	b.ResetTimer()
	for range b.N {
		if r := ta.get(b, path, "Accept-Encoding", "gzip"); r.status != http.StatusOK {
			b.Fatal(r.status)
		}
	}
}

// BenchmarkNewsroom10k serves newsroom pages of a service holding 10,000
// stories, signed in, over loopback HTTP: the dashboard plain and filtered,
// the story editor, a story's history and its preview.
func BenchmarkNewsroom10k(b *testing.B) {
	ta := newTestApp(b)
	ctx := b.Context()
	var last *kolokol.Article
	for i := range 10_000 {
		a := &kolokol.Article{Service: "ru", Section: "world", Headline: fmt.Sprintf("Новость номер %d о важном", i),
			Summary: "Кратко.", Body: strings.Repeat("Текст абзаца о важном. ", 40), Status: kolokol.StatusDraft,
			Bylines: []string{fmt.Sprintf("Автор %d", i%50)}, CreatedBy: fmt.Sprintf("reporter%d@example.org", i%50)}
		a.Normalize()
		if err := ta.Store.CreateArticle(ctx, a); err != nil {
			b.Fatal(err)
		}
		last = a
	}
	for i := range 20 { // a story with a history
		last.Body += fmt.Sprintf("\n\nПравка %d.", i)
		if err := ta.Store.UpdateArticle(ctx, last); err != nil {
			b.Fatal(err)
		}
	}
	code, _ := auth.TOTPCode(ta.demo.EditorTOTP, time.Now())
	form := url.Values{"email": {ta.demo.EditorEmail}, "password": {ta.demo.EditorPassword}, "code": {code}}
	r := ta.do(b, "POST", "/newsroom/login", "", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	cookie := strings.SplitN(r.header.Get("Set-Cookie"), ";", 2)[0]
	story := fmt.Sprintf("/newsroom/stories/%d", last.ID)
	for _, c := range []struct{ name, path string }{
		{"Dashboard", "/newsroom/?service=ru"},
		{"DashboardTitleSearch", "/newsroom/?service=ru&q=" + url.QueryEscape("номер 9999")},
		{"DashboardAuthor", "/newsroom/?service=ru&author=" + url.QueryEscape("Автор 7")},
		{"DashboardSection", "/newsroom/?service=ru&section=world&status=draft"},
		{"StoryEditor", story},
		{"History", story + "/revisions"},
		{"Preview", "/newsroom/preview" + last.Path()},
	} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				if r := ta.do(b, "GET", c.path, "", nil, "Cookie", cookie); r.status != http.StatusOK {
					b.Fatal(c.path, r.status)
				}
			}
		})
	}
}
