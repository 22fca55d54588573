package desk

import (
	"errors"
	"slices"
	"testing"

	"github.com/kolokol/kolokol"
)

func ptr[T any](v T) *T { return &v }

// TestRebase is the merge of two edits made from one version, field by
// field.
func TestRebase(t *testing.T) {
	base := &kolokol.Article{Headline: "Паром", Summary: "Кратко.", Body: "Текст.", Tags: []string{"a"},
		LeadImage: &kolokol.LeadImage{MediaID: 1, Alt: "Паром у причала"}}
	for _, c := range []struct {
		name      string
		theirs    func(a *kolokol.Article)
		mine      ArticlePatch
		kept      []string
		conflicts []string
		want      func(a *kolokol.Article) bool
	}{
		{"they changed nothing", func(a *kolokol.Article) {}, ArticlePatch{Body: ptr("Мой текст.")}, nil, nil,
			func(a *kolokol.Article) bool { return a.Body == "Мой текст." }},
		{"different fields", func(a *kolokol.Article) { a.Summary, a.Tags = "Их кратко.", []string{"a", "b"} },
			ArticlePatch{Headline: ptr("Паром"), Summary: ptr("Кратко."), Body: ptr("Мой текст."), Tags: &[]string{"a"}},
			[]string{"summary", "tags"}, nil,
			func(a *kolokol.Article) bool {
				return a.Body == "Мой текст." && a.Summary == "Их кратко." && len(a.Tags) == 2
			}},
		{"the same change", func(a *kolokol.Article) { a.Body = "Один текст." }, ArticlePatch{Body: ptr("Один текст.")}, nil, nil,
			func(a *kolokol.Article) bool { return a.Body == "Один текст." }},
		{"both changed the body", func(a *kolokol.Article) { a.Body = "Их текст." }, ArticlePatch{Body: ptr("Мой текст.")}, nil,
			[]string{"body"}, nil},
		{"spaces do not count", func(a *kolokol.Article) { a.Headline = "Их заголовок" },
			ArticlePatch{Headline: ptr("  Паром  "), Body: ptr("Мой текст.")}, []string{"headline"}, nil,
			func(a *kolokol.Article) bool {
				return a.Headline == "Их заголовок" && a.Body == "Мой текст."
			}},
		{"photo both ways", func(a *kolokol.Article) { a.LeadImage = &kolokol.LeadImage{MediaID: 1, Alt: "Их описание"} },
			ArticlePatch{LeadImage: ptr(&kolokol.LeadImage{MediaID: 1, Alt: "Моё описание"})}, nil, []string{"lead_image"}, nil},
		{"they removed the photo, I left it", func(a *kolokol.Article) { a.LeadImage = nil },
			ArticlePatch{LeadImage: ptr(&kolokol.LeadImage{MediaID: 1, Alt: "Паром у причала"}), Body: ptr("Мой текст.")},
			[]string{"lead_image"}, nil,
			func(a *kolokol.Article) bool { return a.LeadImage == nil && a.Body == "Мой текст." }},
		{"they wrote a social title, I typed a slug", func(a *kolokol.Article) { a.SocialTitle = "Их карточка" },
			ArticlePatch{Slug: ptr("Мой Адрес"), SocialTitle: ptr("")}, []string{"social_title"}, nil,
			func(a *kolokol.Article) bool {
				return a.SocialTitle == "Их карточка" && a.CustomSlug == "мой-адрес"
			}},
		{"both typed a slug", func(a *kolokol.Article) { a.CustomSlug = "их-адрес" },
			ArticlePatch{Slug: ptr("мой-адрес")}, nil, []string{"slug"}, nil},
		{"both changed the SEO title", func(a *kolokol.Article) { a.SEOTitle = "Их" },
			ArticlePatch{SEOTitle: ptr("Мой"), SocialDescription: ptr("Моё описание")}, nil, []string{"seo_title"}, nil},
		{"several conflicts in form order", func(a *kolokol.Article) { a.Body, a.Headline = "Их.", "Их заголовок" },
			ArticlePatch{Body: ptr("Мой."), Headline: ptr("Мой заголовок")}, nil, []string{"headline", "body"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			theirs := *base
			li := *base.LeadImage
			theirs.LeadImage, theirs.Version = &li, 2
			c.theirs(&theirs)
			merged, kept, conflicts := rebase(base, &theirs, c.mine)
			if !slices.Equal(kept, c.kept) || !slices.Equal(conflicts, c.conflicts) {
				t.Fatalf("kept %v, conflicts %v; want %v, %v", kept, conflicts, c.kept, c.conflicts)
			}
			if merged.Version != 2 {
				t.Errorf("merged at version %d, want theirs", merged.Version)
			}
			if c.want != nil {
				out := theirs
				merged.Apply(&out)
				out.Normalize()
				if !c.want(&out) {
					t.Errorf("merged story: %+v", out)
				}
			}
			if base.Body != "Текст." || base.LeadImage.Alt != "Паром у причала" {
				t.Error("the merge changed the base")
			}
		})
	}
}

// TestEditMerges: through the desk, a stale edit merges or is a *Conflict
// that stores nothing; an edit that changes nothing writes no revision.
func TestEditMerges(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	a := f.story(t, kolokol.StatusDraft, false)
	theirs := "Их кратко."
	if _, err := f.d.UpdateArticle(ctx, editorRU, a.ID, ArticlePatch{Version: a.Version, Summary: &theirs}); err != nil {
		t.Fatal(err)
	}
	mine := "Мой текст."
	res, err := f.d.Edit(ctx, reporterRU, a.ID, ArticlePatch{Version: a.Version, Body: &mine, Summary: &a.Summary})
	if err != nil || !slices.Equal(res.Kept, []string{"summary"}) || res.Article.Summary != theirs || res.Article.Body != mine {
		t.Fatalf("merged edit: %+v %v", res, err)
	}
	other := "Другой текст."
	_, err = f.d.Edit(ctx, editorRU, a.ID, ArticlePatch{Version: a.Version, Body: &other})
	var c *Conflict
	if !errors.As(err, &c) || kolokol.ErrorCode(err) != kolokol.ECONFLICT || !slices.Equal(c.Fields, []string{"body"}) || c.Theirs.Body != mine {
		t.Fatalf("conflicting edit: %v", err)
	}
	if got, _ := f.store.FindArticleByID(ctx, a.ID); got.Body != mine {
		t.Errorf("a conflict stored %q", got.Body)
	}
	revs, _ := f.store.FindRevisions(ctx, a.ID)
	cur, _ := f.store.FindArticleByID(ctx, a.ID)
	if _, err := f.d.Edit(ctx, editorRU, a.ID, ArticlePatch{Version: cur.Version, Body: &cur.Body, Headline: &cur.Headline}); err != nil {
		t.Fatal(err)
	}
	if again, _ := f.store.FindRevisions(ctx, a.ID); len(again) != len(revs) {
		t.Errorf("a save without changes wrote a revision: %d, then %d", len(revs), len(again))
	}
	_, err = f.d.Edit(ctx, editorRU, a.ID, ArticlePatch{Version: cur.Version + 5, Body: &other})
	wantCode(t, "a version from the future", err, kolokol.ECONFLICT)
}
