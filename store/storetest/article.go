package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

// newsroom makes the ru and fa services, sections ru/world, ru/politics and
// fa/world, and one media row; it returns the media.
func newsroom(t *testing.T, s kolokol.Store) *kolokol.Media {
	t.Helper()
	createService(t, s, "ru")
	createService(t, s, "fa")
	createSection(t, s, "ru", "world", 1)
	createSection(t, s, "ru", "politics", 2)
	createSection(t, s, "fa", "world", 1)
	return createMedia(t, s, "lead photo")
}

func testArticles(t *testing.T, open Opener) {
	t.Run("CreateAndFindEveryField", func(t *testing.T) {
		s := open(t)
		m := newsroom(t, s)
		a := createArticle(t, s, fullArticle("ru", "world", m.ID))
		if a.ID <= 0 || a.Version != 1 {
			t.Fatalf("after create ID = %d, Version = %d; want ID set and Version 1", a.ID, a.Version)
		}
		stamped(t, "CreatedAt", a.CreatedAt)
		if !a.UpdatedAt.Equal(a.CreatedAt) {
			t.Errorf("UpdatedAt %v, want CreatedAt %v", a.UpdatedAt, a.CreatedAt)
		}
		same(t, "article", findArticle(t, s, a.ID), a)
		list, err := s.FindArticles(t.Context(), kolokol.ArticleFilter{Service: "ru"})
		ok(t, err, "find articles")
		same(t, "listed articles", list, []*kolokol.Article{a})

		b := createArticle(t, s, newArticle("fa", "خبر دوم"))
		if b.ID <= a.ID {
			t.Errorf("second article got id %d, not above the first's %d", b.ID, a.ID)
		}
	})
	t.Run("MinimalArticle", func(t *testing.T) {
		s := open(t)
		createService(t, s, "ka")
		a := newArticle("ka", "ამბავი")
		a.Bylines, a.Tags = []string{}, []string{}
		createArticle(t, s, a)
		got := findArticle(t, s, a.ID)
		// Empty lists come back nil, like every empty list the store returns.
		a.Bylines, a.Tags = nil, nil
		same(t, "minimal article", got, a)
	})
	t.Run("TimesInOtherZones", func(t *testing.T) {
		s := open(t)
		createService(t, s, "fa")
		tehran := time.FixedZone("IRST", 3*3600+1800)
		a := newArticle("fa", "زمان")
		a.Status = kolokol.StatusScheduled
		a.ScheduledAt = time.Date(2025, 3, 20, 12, 0, 0, 999000, tehran)
		a.PublishedAt = time.Date(1999, 12, 31, 23, 59, 59, 0, tehran)
		createArticle(t, s, a)
		got := findArticle(t, s, a.ID)
		// same checks both the instant and that got is in UTC.
		same(t, "article", got, a)
	})
	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		for _, id := range []int64{1, 0, -1} {
			_, err := s.FindArticleByID(t.Context(), id)
			wantCode(t, err, kolokol.ENOTFOUND, "")
		}
	})
	t.Run("RefusedCreateWritesNothing", func(t *testing.T) {
		s := open(t)
		m := newsroom(t, s)
		for _, c := range refusals(m.ID) {
			t.Run(c.name, func(t *testing.T) {
				a := fullArticle("ru", "world", m.ID)
				c.change(a)
				err := s.CreateArticle(t.Context(), a)
				wantCode(t, err, kolokol.EINVALID, c.field)
				if a.ID != 0 || a.Version != 0 || !a.CreatedAt.IsZero() {
					t.Errorf("a refused create set ID %d, Version %d, CreatedAt %v", a.ID, a.Version, a.CreatedAt)
				}
				if n := countArticles(t, s, kolokol.ArticleFilter{}); n != 0 {
					t.Errorf("a refused create left %d articles", n)
				}
			})
		}
	})
}

type refusal struct {
	name, field string
	change      func(*kolokol.Article)
}

// refusals are changes to a valid article in service ru that a store must
// refuse, each with the field it must name.
func refusals(mediaID int64) []refusal {
	return []refusal{
		{"no headline", "headline", func(a *kolokol.Article) { a.Headline = "" }},
		{"two-line headline", "headline", func(a *kolokol.Article) { a.Headline = "один\nдва" }},
		{"unknown status", "status", func(a *kolokol.Article) { a.Status = "live" }},
		{"malformed service", "service", func(a *kolokol.Article) { a.Service = "RU" }},
		{"unknown service", "service", func(a *kolokol.Article) { a.Service, a.Section = "de", "" }},
		{"unknown section", "section", func(a *kolokol.Article) { a.Section = "sport" }},
		{"section of another service", "section", func(a *kolokol.Article) { a.Service = "fa"; a.Section = "politics" }},
		{"malformed section", "section", func(a *kolokol.Article) { a.Section = "Мир" }},
		{"unknown media", "lead_image.media_id", func(a *kolokol.Article) { a.LeadImage.MediaID = mediaID + 1000 }},
		{"lead image without alt", "lead_image.alt", func(a *kolokol.Article) { a.LeadImage.Alt = "" }},
		{"control character", "body", func(a *kolokol.Article) { a.Body = "текст\x00" }},
		{"two-line SEO title", "seo_title", func(a *kolokol.Article) { a.SEOTitle = "один\nдва" }},
		{"long SEO title", "seo_title", func(a *kolokol.Article) { a.SEOTitle = strings.Repeat("я", kolokol.MaxSEOTitle+1) }},
		{"control character in social title", "social_title", func(a *kolokol.Article) { a.SocialTitle = "заголовок\x07" }},
		{"bidi override in social title", "social_title", func(a *kolokol.Article) { a.SocialTitle = "заголовок\u202e" }},
		{"two-line social description", "social_description", func(a *kolokol.Article) { a.SocialDescription = "один\r\nдва" }},
		{"long social description", "social_description", func(a *kolokol.Article) {
			a.SocialDescription = strings.Repeat("ж", kolokol.MaxSocialDescription+1)
		}},
		{"custom slug over the limit", "slug", func(a *kolokol.Article) {
			a.CustomSlug = strings.Repeat("ж", kolokol.MaxSlug+1)
			a.Slug = a.CustomSlug
		}},
		{"custom slug not a URL segment", "slug", func(a *kolokol.Article) { a.CustomSlug, a.Slug = "../etc", "../etc" }},
		{"slug other than the custom slug", "slug", func(a *kolokol.Article) { a.CustomSlug = "мой-адрес" }},
		{"too many tags", "tags", func(a *kolokol.Article) {
			a.Tags = nil
			for i := range kolokol.MaxListLen + 1 {
				a.Tags = append(a.Tags, fmt.Sprintf("тег-%d", i))
			}
		}},
	}
}

func testArticleUpdates(t *testing.T, open Opener) {
	t.Run("EveryField", func(t *testing.T) {
		s := open(t)
		m := newsroom(t, s)
		m2 := createMedia(t, s, "second photo")
		orig := createArticle(t, s, fullArticle("ru", "world", m.ID))
		a := clone(orig)
		a.Section, a.Slug, a.Headline = "politics", "мой-адрес", "Новый заголовок"
		a.CustomSlug = "мой-адрес"
		a.SEOTitle, a.SocialTitle, a.SocialDescription = "", "Для соцсетей", "Описание карточки"
		a.Summary, a.Body, a.Dateline = "", "Новый текст.", "Москва"
		a.Bylines, a.Credits, a.Tags = nil, []string{"AP"}, []string{"გამარჯვება"}
		a.LeadImage = &kolokol.LeadImage{MediaID: m2.ID, Alt: "صورة", Caption: "", Credit: "AP"}
		a.Status, a.PublishedAt, a.ScheduledAt = kolokol.StatusUnpublished, at(27, 9, 0), time.Time{}
		// Neither of these may be written.
		a.CreatedAt = at(1, 0, 0)
		a.Corrections = []kolokol.Correction{{ID: 77, ArticleID: a.ID, Text: "подделка"}}
		ok(t, s.UpdateArticle(t.Context(), a), "update article")
		if a.Version != 2 {
			t.Errorf("Version = %d after one update, want 2", a.Version)
		}
		if a.UpdatedAt.Before(orig.UpdatedAt) {
			t.Errorf("UpdatedAt = %v went back from %v", a.UpdatedAt, orig.UpdatedAt)
		}
		stamped(t, "UpdatedAt", a.UpdatedAt)
		want := clone(a)
		want.CreatedAt, want.Corrections = orig.CreatedAt, nil
		same(t, "updated article", findArticle(t, s, a.ID), want)
	})
	t.Run("RemoveLeadImage", func(t *testing.T) {
		s := open(t)
		m := newsroom(t, s)
		a := createArticle(t, s, fullArticle("ru", "world", m.ID))
		a.LeadImage, a.Section = nil, ""
		ok(t, s.UpdateArticle(t.Context(), a), "update article")
		same(t, "article", findArticle(t, s, a.ID), a)
	})
	t.Run("StaleVersion", func(t *testing.T) {
		s := open(t)
		m := newsroom(t, s)
		id := createArticle(t, s, fullArticle("ru", "world", m.ID)).ID
		first, second := findArticle(t, s, id), findArticle(t, s, id)
		first.Headline = "Правка первого редактора"
		ok(t, s.UpdateArticle(t.Context(), first), "first update")
		second.Headline = "Правка второго редактора"
		wantCode(t, s.UpdateArticle(t.Context(), second), kolokol.ECONFLICT, "")
		if second.Version != 1 {
			t.Errorf("a refused update changed Version to %d", second.Version)
		}
		same(t, "article after a lost race", findArticle(t, s, id), first)
	})
	t.Run("UnknownID", func(t *testing.T) {
		s := open(t)
		newsroom(t, s)
		a := newArticle("ru", "Нет такой")
		a.ID, a.Version = 12345, 1
		wantCode(t, s.UpdateArticle(t.Context(), a), kolokol.ENOTFOUND, "")
		if n := countArticles(t, s, kolokol.ArticleFilter{}); n != 0 {
			t.Errorf("updating an unknown article created %d", n)
		}
	})
	t.Run("RefusedUpdateChangesNothing", func(t *testing.T) {
		s := open(t)
		m := newsroom(t, s)
		orig := createArticle(t, s, fullArticle("ru", "world", m.ID))
		for _, c := range refusals(m.ID) {
			t.Run(c.name, func(t *testing.T) {
				a := clone(orig)
				c.change(a)
				wantCode(t, s.UpdateArticle(t.Context(), a), kolokol.EINVALID, c.field)
				if a.Version != orig.Version || !a.UpdatedAt.Equal(orig.UpdatedAt) {
					t.Errorf("a refused update set Version %d, UpdatedAt %v", a.Version, a.UpdatedAt)
				}
				same(t, "article after a refused update", findArticle(t, s, orig.ID), orig)
			})
		}
	})
}
