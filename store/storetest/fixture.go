package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/kolokol/kolokol"
)

// newService returns a valid service. ru, fa and ka carry Cyrillic, Arabic
// (right to left) and Georgian text; any other code gets Latin text.
func newService(code string) *kolokol.Service {
	switch code {
	case "ru":
		return &kolokol.Service{Code: "ru", Tag: "ru-RU", Script: "Cyrl", Direction: kolokol.LTR,
			Name: "Русская служба", EnglishName: "Russian", TimeZone: "Europe/Moscow",
			About:       "Независимые новости на русском языке.\nБез цензуры.",
			LegalStatus: "Признана «нежелательной организацией» — решение от 2023 г."}
	case "fa":
		return &kolokol.Service{Code: "fa", Tag: "fa-IR", Script: "Arab", Direction: kolokol.RTL,
			Name: "بخش فارسی", EnglishName: "Persian", TimeZone: "Asia/Tehran",
			About: "خبرهای مستقل به زبان فارسی، ۲۴ ساعته.", ShowGregorian: true}
	case "ka":
		return &kolokol.Service{Code: "ka", Tag: "ka-GE", Script: "Geor", Direction: kolokol.LTR,
			Name: "ქართული სამსახური", EnglishName: "Georgian", TimeZone: "Asia/Tbilisi",
			About: "დამოუკიდებელი ამბები ქართულად."}
	}
	return &kolokol.Service{Code: code, Tag: "en-GB", Script: "Latn", Direction: kolokol.LTR,
		Name: "Service " + code, TimeZone: "UTC"}
}

func createService(t *testing.T, s kolokol.Store, code string) *kolokol.Service {
	t.Helper()
	svc := newService(code)
	ok(t, s.CreateService(t.Context(), svc), "create service %s", code)
	return svc
}

func createSection(t *testing.T, s kolokol.Store, service, slug string, position int) *kolokol.Section {
	t.Helper()
	sec := &kolokol.Section{Service: service, Slug: slug, Name: "Раздел " + slug, Position: position}
	ok(t, s.CreateSection(t.Context(), sec), "create section %s/%s", service, slug)
	return sec
}

// hashOf makes a content hash as the media package would.
func hashOf(content string) string {
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}

func createMedia(t *testing.T, s kolokol.Store, content string) *kolokol.Media {
	t.Helper()
	m := &kolokol.Media{Hash: hashOf(content), ContentType: "image/jpeg", Size: 48213, Width: 1600, Height: 900}
	ok(t, s.CreateMedia(t.Context(), m), "create media %q", content)
	return m
}

// newArticle returns the least a valid article has.
func newArticle(service, headline string) *kolokol.Article {
	return &kolokol.Article{Service: service, Headline: headline, Slug: kolokol.Slugify(headline),
		Status: kolokol.StatusDraft}
}

// fullArticle returns an article with every field set, in three scripts.
func fullArticle(service, section string, mediaID int64) *kolokol.Article {
	return &kolokol.Article{
		Service:  service,
		Section:  section,
		Slug:     "выборы-в-грузии",
		Headline: "Выборы в Грузии: «ქართული ოცნება» и оппозиция — итоги",
		Summary:  "Кратко о главном.\nمرور کوتاه به فارسی.",
		Body: "Первый абзац.\r\n\r\n**Второй** абзац со [ссылкой](https://example.org/?a=1&b=2).\n\n" +
			"\tمتن فارسی با اعداد ۱۲۳ و ZWNJ: می\u200cخواهم\n\nქართული ტექსტი.",
		Bylines:  []string{"Анна Иванова", "مریم احمدی", "ნინო ბერიძე"},
		Dateline: "Тбилиси",
		LeadImage: &kolokol.LeadImage{MediaID: mediaID, Alt: "Люди с флагами на проспекте Руставели",
			Caption: "Тбилиси, 26 октября 2024 года", Credit: "Фото: Агентство"},
		Credits:           []string{"Reuters", "AFP"},
		Tags:              []string{"выборы", "საქართველო", "انتخابات"},
		TranslationGroup:  "georgia-vote-2024",
		Status:            kolokol.StatusPublished,
		PublishedAt:       at(26, 18, 30),
		ScheduledAt:       at(26, 18, 0),
		CreatedBy:         "anna@example.org",
		SubmittedAt:       at(26, 17, 0),
		SEOTitle:          "Выборы в Грузии 2024: итоги",
		SocialTitle:       "«ქართული ოცნება» и оппозиция: кто победил",
		SocialDescription: "Итоги выборов в Грузии — نتایج انتخابات",
	}
}

func createArticle(t *testing.T, s kolokol.Store, a *kolokol.Article) *kolokol.Article {
	t.Helper()
	ok(t, s.CreateArticle(t.Context(), a), "create article %q", a.Headline)
	return a
}

func findArticle(t *testing.T, s kolokol.Store, id int64) *kolokol.Article {
	t.Helper()
	a, err := s.FindArticleByID(t.Context(), id)
	ok(t, err, "find article %d", id)
	return a
}

// clone copies an article deeply enough that changing the copy's fields,
// lists or lead image leaves the original alone.
func clone(a *kolokol.Article) *kolokol.Article {
	c := *a
	c.Bylines = cloneList(a.Bylines)
	c.Credits = cloneList(a.Credits)
	c.Tags = cloneList(a.Tags)
	if a.LeadImage != nil {
		li := *a.LeadImage
		c.LeadImage = &li
	}
	if a.Corrections != nil {
		c.Corrections = append([]kolokol.Correction(nil), a.Corrections...)
	}
	return &c
}

func cloneList(l []string) []string {
	if l == nil {
		return nil
	}
	return append([]string{}, l...)
}

func countArticles(t *testing.T, s kolokol.Store, f kolokol.ArticleFilter) int {
	t.Helper()
	n, err := s.CountArticles(t.Context(), f)
	ok(t, err, "count articles %+v", f)
	return n
}
