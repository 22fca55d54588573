package desk

import (
	"errors"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
)

// TestSlugs is the story's address through its saves: made from the
// headline, in Latin letters once the service has Latin addresses, or as
// the editor typed it, which a Latin service keeps as typed.
func TestSlugs(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	a, err := f.d.CreateArticle(ctx, editorRU, ArticleInput{Service: "ru", Headline: "Паром вернулся в город"})
	if err != nil {
		t.Fatal(err)
	}
	latin := true
	if _, err := f.d.UpdateService(ctx, adminRU, "ru", ServicePatch{LatinSlugs: &latin}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		p    ArticlePatch
		want string
	}{
		{"a new headline on a Latin service", ArticlePatch{Headline: ptr("Щука вернулась в реку")}, "shchuka-vernulas-v-reku"},
		{"a typed slug is kept as typed", ArticlePatch{Slug: ptr("  Щука Вернулась! ")}, "щука-вернулась"},
		{"and stays when the headline changes", ArticlePatch{Headline: ptr("Щука вернулась снова")}, "щука-вернулась"},
		{"an empty slug follows the headline again", ArticlePatch{Slug: ptr("")}, "shchuka-vernulas-snova"},
	}
	for _, s := range steps {
		cur, err := f.d.Article(ctx, editorRU, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		s.p.Version = cur.Version
		got, err := f.d.UpdateArticle(ctx, editorRU, a.ID, s.p)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got.Slug != s.want {
			t.Errorf("%s: slug %q, want %q", s.name, got.Slug, s.want)
		}
		if stored, _ := f.d.Article(ctx, editorRU, a.ID); stored.Slug != s.want {
			t.Errorf("%s: stored slug %q, want %q", s.name, stored.Slug, s.want)
		}
	}
	// Another service keeps its own script.
	fa, err := f.d.CreateArticle(ctx, editorFA, ArticleInput{Service: "fa", Headline: "بازگشت کشتی"})
	if err != nil || fa.Slug != "بازگشت-کشتی" {
		t.Errorf("fa slug %q, %v", fa.Slug, err)
	}
}

// TestSEOFieldsRefused: bad titles are refused naming the field, and
// nothing is saved.
func TestSEOFieldsRefused(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	a := f.story(t, kolokol.StatusDraft, false)
	for _, c := range []struct {
		field string
		p     ArticlePatch
	}{
		{"seo_title", ArticlePatch{SEOTitle: ptr("один\nдва")}},
		{"seo_title", ArticlePatch{SEOTitle: ptr(strings.Repeat("я", kolokol.MaxSEOTitle+1))}},
		{"social_title", ArticlePatch{SocialTitle: ptr("звонок\a")}},
		{"social_description", ArticlePatch{SocialDescription: ptr("строка\u2028строка")}},
		{"social_description", ArticlePatch{SocialDescription: ptr(strings.Repeat("я", kolokol.MaxSocialDescription+1))}},
		{"slug", ArticlePatch{Slug: ptr(strings.Repeat("слово-", 11))}},
		{"slug", ArticlePatch{Slug: ptr("!!!")}},
	} {
		p := c.p
		p.Version = a.Version
		p.Body = ptr("Изменённый текст.")
		_, err := f.d.UpdateArticle(ctx, editorRU, a.ID, p)
		var e *kolokol.Error
		if !errors.As(err, &e) || e.Code != kolokol.EINVALID || e.Field != c.field {
			t.Errorf("%s %+v: %v, want invalid %s", c.field, c.p, err, c.field)
		}
	}
	if got, _ := f.d.Article(ctx, editorRU, a.ID); got.Version != a.Version || got.Body != a.Body {
		t.Errorf("a refused edit saved something: version %d, body %q", got.Version, got.Body)
	}
}

// TestSEOFieldsHistory: the titles and the slug are in the revisions, their
// diffs and a restore.
func TestSEOFieldsHistory(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	a := f.story(t, kolokol.StatusDraft, false)
	got, err := f.d.UpdateArticle(ctx, editorRU, a.ID, ArticlePatch{Version: a.Version, Slug: ptr("parom"),
		SEOTitle: ptr("Паром: SEO"), SocialTitle: ptr("Паром: карточка"), SocialDescription: ptr("Описание")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Slug != "parom" || got.SEOTitle != "Паром: SEO" || got.SocialTitle != "Паром: карточка" || got.SocialDescription != "Описание" {
		t.Fatalf("saved %+v", got)
	}
	revs, err := f.d.Revisions(ctx, editorRU, a.ID)
	if err != nil || len(revs) < 2 {
		t.Fatalf("revisions %v, %v", revs, err)
	}
	var fields []string
	for _, d := range Diff(revs[1], revs[0]) {
		fields = append(fields, d.Field)
	}
	if strings.Join(fields, " ") != "slug seo_title social_title social_description" {
		t.Errorf("diff fields %v", fields)
	}
	back, err := f.d.Restore(ctx, editorRU, a.ID, revs[1].ID, got.Version)
	if err != nil {
		t.Fatal(err)
	}
	if back.CustomSlug != "" || back.Slug != kolokol.Slugify(back.Headline) || back.SEOTitle != "" || back.SocialTitle != "" || back.SocialDescription != "" {
		t.Errorf("restored %+v", back)
	}
}
