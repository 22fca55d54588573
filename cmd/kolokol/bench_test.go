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

// BenchmarkNewsroomDashboard10k serves the newsroom's stories dashboard of
// a service holding 10,000 stories, signed in, over loopback HTTP.
func BenchmarkNewsroomDashboard10k(b *testing.B) {
	ta := newTestApp(b)
	ctx := b.Context()
	for i := range 10_000 {
		a := &kolokol.Article{Service: "ru", Section: "world", Headline: fmt.Sprintf("Новость номер %d о важном", i),
			Summary: "Кратко.", Body: "Текст.", Status: kolokol.StatusDraft}
		a.Normalize()
		if err := ta.Store.CreateArticle(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	code, _ := auth.TOTPCode(ta.demo.EditorTOTP, time.Now())
	form := url.Values{"email": {ta.demo.EditorEmail}, "password": {ta.demo.EditorPassword}, "code": {code}}
	r := ta.do(b, "POST", "/newsroom/login", "", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	cookie := strings.SplitN(r.header.Get("Set-Cookie"), ";", 2)[0]
	b.ResetTimer()
	for range b.N {
		if r := ta.do(b, "GET", "/newsroom/?service=ru", "", nil, "Cookie", cookie); r.status != http.StatusOK {
			b.Fatal(r.status)
		}
	}
}
