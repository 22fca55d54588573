package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/internal/pgtest"
)

// benchStore opens a store on a new database with one service, "ru".
func benchStore(b *testing.B) *Store {
	b.Helper()
	s := openTest(b, pgtest.DSN(b))
	if err := s.CreateService(context.Background(), &kolokol.Service{Code: "ru", Tag: "ru", Script: "Cyrl", Direction: kolokol.LTR, Name: "Русский", TimeZone: "UTC"}); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkPublish stores a publication: the UpdateArticle that makes a
// draft live, with its revision and its change (as the SQLite store's
// BenchmarkPublish).
func BenchmarkPublish(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	arts := make([]*kolokol.Article, b.N)
	for i := range arts {
		a := &kolokol.Article{Service: "ru", Headline: fmt.Sprint("Новость ", i), Body: "Текст новости.\n\nЕщё абзац.", Status: kolokol.StatusDraft}
		a.Normalize()
		if err := s.CreateArticle(ctx, a); err != nil {
			b.Fatal(err)
		}
		arts[i] = a
	}
	b.ResetTimer()
	for _, a := range arts {
		a.Status, a.PublishedAt = kolokol.StatusPublished, time.Now().UTC()
		if err := s.UpdateArticle(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
}

// archive is how many published stories the reading benchmarks find theirs
// among: a service of a few years.
const archive = 5000

// benchArchive imports archive published stories, an hour apart, with a
// body of a typical story's length, and returns their ids.
func benchArchive(b *testing.B) (*Store, []int64) {
	b.Helper()
	ctx := context.Background()
	s := benchStore(b)
	body := ""
	for len(body) < 4000 {
		body += "Текст новости, абзац за абзацем, как в настоящей заметке.\n\n"
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []int64
	for i := 0; i < archive; i += 500 {
		batch := make([]*kolokol.Article, 0, 500)
		for j := i; j < i+500 && j < archive; j++ {
			a := &kolokol.Article{Service: "ru", Headline: fmt.Sprint("Новость ", j), Summary: "Кратко.", Body: body,
				Tags: []string{"политика"}, Status: kolokol.StatusPublished, PublishedAt: start.Add(time.Duration(j) * time.Hour)}
			a.Normalize()
			batch = append(batch, a)
		}
		if err := s.ImportArticles(ctx, batch); err != nil {
			b.Fatal(err)
		}
		for _, a := range batch {
			ids = append(ids, a.ID)
		}
	}
	if _, err := s.db.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	return s, ids
}

// BenchmarkFindArticleByID reads one story with its corrections, as a
// story page's render does.
func BenchmarkFindArticleByID(b *testing.B) {
	ctx := context.Background()
	s, ids := benchArchive(b)
	b.ResetTimer()
	for i := range b.N {
		if _, err := s.FindArticleByID(ctx, ids[i*7919%len(ids)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLatest50 reads a service's 50 newest live stories without their
// bodies, as its front page and feeds do.
func BenchmarkLatest50(b *testing.B) {
	ctx := context.Background()
	s, _ := benchArchive(b)
	f := kolokol.ArticleFilter{Service: "ru", Status: kolokol.StatusPublished, ByPublished: true, Limit: 50, WithoutBody: true}
	b.ResetTimer()
	for range b.N {
		got, err := s.FindArticles(ctx, f)
		if err != nil || len(got) != 50 {
			b.Fatalf("%d stories, %v", len(got), err)
		}
	}
}
