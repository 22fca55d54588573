package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

// BenchmarkPublish stores a publication: the UpdateArticle that makes a
// draft live, with its revision (and, since the change log, its change).
func BenchmarkPublish(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "kolokol.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.CreateService(ctx, &kolokol.Service{Code: "ru", Tag: "ru", Script: "Cyrl", Direction: kolokol.LTR, Name: "Русский", TimeZone: "UTC"}); err != nil {
		b.Fatal(err)
	}
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
