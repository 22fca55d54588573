package render

import (
	"context"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
)

// BenchmarkBuildArticle renders the full article page from a real SQLite
// store: five queries plus Markdown, sanitizing and the template.
func BenchmarkBuildArticle(b *testing.B) {
	f := newFixture(b)
	path := raw(b, f.full.Path())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		p, err := f.b.Build(ctx, path)
		if err != nil || p.Status != 200 {
			b.Fatal(p, err)
		}
	}
}

// BenchmarkRenderArticle is the same page with the store's answers kept in
// memory: the rendering cost alone, which must stay well under a
// millisecond. The body is a realistic long story.
func BenchmarkRenderArticle(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	a, err := f.store.FindArticleByID(ctx, f.full.ID)
	if err != nil {
		b.Fatal(err)
	}
	a.Body = strings.Repeat("## Подзаголовок\n\nАбзац с **выделением**, [ссылкой](/ru/s/world/) и [внешней ссылкой](https://example.com/a?b=c). "+
		strings.Repeat("Обычный текст новости. ", 20)+"\n\n> Цитата из источника.\n\n", 6)
	st := &memo{Store: f.store, article: a}
	if st.svc, err = f.store.FindServiceByCode(ctx, "ru"); err != nil {
		b.Fatal(err)
	}
	if st.sections, err = f.store.FindSections(ctx, "ru"); err != nil {
		b.Fatal(err)
	}
	if st.breaking, err = f.store.FindBreaking(ctx, "ru"); err != nil {
		b.Fatal(err)
	}
	if st.media, err = f.store.FindMediaByID(ctx, f.media.ID); err != nil {
		b.Fatal(err)
	}
	bld, err := New(st, Options{BaseURL: testBase})
	if err != nil {
		b.Fatal(err)
	}
	path := raw(b, a.Path())
	b.ReportAllocs()
	for b.Loop() {
		p, err := bld.Build(ctx, path)
		if err != nil || p.Status != 200 {
			b.Fatal(p, err)
		}
	}
}

// memo answers the article page's queries from memory.
type memo struct {
	kolokol.Store
	svc      *kolokol.Service
	sections []*kolokol.Section
	breaking *kolokol.Breaking
	article  *kolokol.Article
	media    *kolokol.Media
}

func (m *memo) FindServiceByCode(context.Context, string) (*kolokol.Service, error) {
	return m.svc, nil
}
func (m *memo) FindSections(context.Context, string) ([]*kolokol.Section, error) {
	return m.sections, nil
}
func (m *memo) FindBreaking(context.Context, string) (*kolokol.Breaking, error) {
	return m.breaking, nil
}
func (m *memo) FindArticleByID(context.Context, int64) (*kolokol.Article, error) {
	return m.article, nil
}
func (m *memo) FindMediaByID(context.Context, int64) (*kolokol.Media, error) { return m.media, nil }
