package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/auth"
	"github.com/kolokol/kolokol/sign"
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

// BenchmarkPublishToMirror measures a publish reaching a directory mirror
// with serve's publisher running: from the publish API call until the
// mirror holds the new edition (its manifest.json is the new one), and
// then until verify has checked every file of it with the newsroom's key.
// -bench PublishToMirror/10k adds 10,000 published stories.
func BenchmarkPublishToMirror(b *testing.B) {
	for _, size := range []struct {
		name    string
		stories int
	}{{"demo", 0}, {"10k", 10_000}} {
		b.Run(size.name, func(b *testing.B) {
			ta := newTestApp(b)
			ctx := b.Context()
			now := time.Now()
			for i := range size.stories {
				a := &kolokol.Article{Service: "ru", Section: "world", Headline: fmt.Sprintf("Новость номер %d о важном", i),
					Summary: "Кратко.", Body: strings.Repeat("Текст абзаца о важном. ", 300), Status: kolokol.StatusPublished,
					PublishedAt: now.Add(-time.Duration(i) * time.Minute)}
				a.Normalize()
				if err := ta.Store.CreateArticle(ctx, a); err != nil {
					b.Fatal(err)
				}
			}
			dir := filepath.Join(b.TempDir(), "mirror")
			os.Mkdir(dir, 0o755)
			if r := ta.api(b, "POST", "/mirrors", ta.admin, map[string]any{"name": "Local", "kind": "dir", "public_url": "https://m.example/", "dir": dir}); r.status != http.StatusCreated {
				b.Fatalf("create mirror: %d %s", r.status, r.body)
			}
			runCtx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { ta.Mirrors.Run(runCtx); close(done) }()
			defer func() { cancel(); <-done }()
			keys := mustKeyring(b, ta.data)
			edition := waitEdition(b, dir, 1)
			ids := make([]apiArticle, b.N)
			for i := range ids {
				ids[i] = ta.create(b, ta.admin, map[string]any{"service": "en", "section": "world",
					"headline": fmt.Sprintf("Mirror story %d", i), "summary": "A summary.", "body": "Body text.\n\nMore text."})
			}
			var toEdition, toVerified time.Duration
			b.ResetTimer()
			for i := range ids {
				start := time.Now()
				a := ta.publish(b, ta.admin, ids[i].ID)
				edition = waitEdition(b, dir, edition+1)
				toEdition += time.Since(start)
				r, err := sign.Verify(ctx, sign.Dir(dir), sign.Options{Keys: keys, MinEdition: edition})
				if err != nil || len(r.Findings) > 0 {
					b.Fatalf("verify: %v %v", err, r)
				}
				if _, err := os.Stat(filepath.Join(dir, treePath(b, ta.path(a)))); err != nil {
					b.Fatalf("the story is not on the mirror: %v", err)
				}
				toVerified += time.Since(start)
				// Later changes (a second edition from the same publish)
				// must not count against the next round.
				edition = waitEdition(b, dir, edition)
			}
			b.ReportMetric(float64(toEdition.Milliseconds())/float64(b.N), "ms-to-edition/op")
			b.ReportMetric(float64(toVerified.Milliseconds())/float64(b.N), "ms-to-verified/op")
		})
	}
}

// waitEdition waits until the mirror's manifest is edition min or newer,
// and returns its edition.
func waitEdition(b testing.TB, dir string, min int64) int64 {
	b.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(filepath.Join(dir, sign.ManifestFile)); err == nil {
			if m, err := sign.ParseManifest(data); err == nil && m.Edition >= min {
				return m.Edition
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	b.Fatalf("the mirror did not reach edition %d", min)
	return 0
}
