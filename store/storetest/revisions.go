package storetest

import (
	"slices"
	"testing"

	"github.com/kolokol/kolokol"
)

func testRevisions(t *testing.T, open Opener) {
	s := open(t)
	createService(t, s, "ru")
	m := createMedia(t, s, "photo")
	a := newArticle("ru", "Первая версия")
	a.Body, a.EditedBy = "Текст один.", "anna@example.org"
	createArticle(t, s, a)

	b := findArticle(t, s, a.ID)
	b.Headline, b.Body, b.EditedBy = "Вторая версия", "Текст два.", "tomas@example.org"
	b.LeadImage = &kolokol.LeadImage{MediaID: m.ID, Alt: "Река", Caption: "Подпись"}
	b.Tags = []string{"мост"}
	b.CustomSlug, b.Slug = "most-v-gorod", "most-v-gorod"
	b.SEOTitle, b.SocialTitle, b.SocialDescription = "Мост: SEO", "Мост: карточка", "Описание карточки"
	ok(t, s.UpdateArticle(t.Context(), b), "update")

	// A stale update is refused and records nothing.
	stale := findArticle(t, s, a.ID)
	stale.Version = 1
	stale.Body = "Чужая правка."
	wantCode(t, s.UpdateArticle(t.Context(), stale), kolokol.ECONFLICT, "")

	revs, err := s.FindRevisions(t.Context(), a.ID)
	ok(t, err, "find revisions")
	if len(revs) != 2 {
		t.Fatalf("%d revisions, want 2", len(revs))
	}
	newest, oldest := revs[0], revs[1]
	if newest.Version != 2 || newest.Actor != "tomas@example.org" || newest.Headline != "Вторая версия" ||
		newest.LeadImage == nil || newest.LeadImage.Caption != "Подпись" || len(newest.Tags) != 1 ||
		newest.CustomSlug != "most-v-gorod" || newest.SEOTitle != "Мост: SEO" || newest.SocialTitle != "Мост: карточка" ||
		newest.SocialDescription != "Описание карточки" {
		t.Errorf("newest revision %+v", newest)
	}
	if oldest.Version != 1 || oldest.Actor != "anna@example.org" || oldest.Body != "Текст один." || oldest.LeadImage != nil ||
		oldest.CustomSlug != "" || oldest.SEOTitle != "" {
		t.Errorf("oldest revision %+v", oldest)
	}
	one, err := s.FindRevision(t.Context(), a.ID, oldest.ID)
	ok(t, err, "find revision")
	same(t, "revision", one, oldest)
	_, err = s.FindRevision(t.Context(), a.ID+1, oldest.ID)
	wantCode(t, err, kolokol.ENOTFOUND, "")
	if none, err := s.FindRevisions(t.Context(), 9999); err != nil || none != nil {
		t.Errorf("revisions of a missing article: %v %v", none, err)
	}
}

// testRevisionHistory follows one story through several saves in three
// scripts: every save is one revision, equal to what was saved, newest
// first, and kept apart from other stories' revisions.
func testRevisionHistory(t *testing.T, open Opener) {
	s := open(t)
	createService(t, s, "ka")
	createService(t, s, "fa")
	createSection(t, s, "ka", "politics", 1)
	m := createMedia(t, s, "tbilisi")

	a := fullArticle("ka", "politics", m.ID)
	a.EditedBy = "nino@example.org"
	createArticle(t, s, a)
	want := []*kolokol.Revision{revisionAt(a)}

	other := newArticle("fa", "خبر دیگر")
	other.EditedBy = "maryam@example.org"
	createArticle(t, s, other)

	edits := []func(x *kolokol.Article){
		func(x *kolokol.Article) {
			x.Headline, x.Body, x.EditedBy = "არჩევნები საქართველოში", "ახალი ტექსტი.\n\nمتن فارسی.", "levan@example.org"
		},
		func(x *kolokol.Article) { x.LeadImage, x.Tags, x.Bylines, x.Section = nil, nil, nil, "" },
		func(x *kolokol.Article) {
			x.Status, x.Summary, x.EditedBy = kolokol.StatusUnpublished, "Снято с публикации.", "anna@example.org"
		},
	}
	for i, edit := range edits {
		x := findArticle(t, s, a.ID)
		x.EditedBy = ""
		edit(x)
		ok(t, s.UpdateArticle(t.Context(), x), "edit %d", i)
		want = append(want, revisionAt(x))
		if i == 0 {
			// A correction changes the version but not the text: no revision.
			ok(t, s.AddCorrection(t.Context(), &kolokol.Correction{ArticleID: a.ID, Text: "Исправлено имя."}), "correct")
		}
	}
	// Refused saves record nothing.
	stale := findArticle(t, s, a.ID)
	stale.Version--
	wantCode(t, s.UpdateArticle(t.Context(), stale), kolokol.ECONFLICT, "")
	bad := findArticle(t, s, a.ID)
	bad.Headline = ""
	wantCode(t, s.UpdateArticle(t.Context(), bad), kolokol.EINVALID, "headline")

	slices.Reverse(want)
	got, err := s.FindRevisions(t.Context(), a.ID)
	ok(t, err, "find revisions")
	if len(got) != len(want) {
		t.Fatalf("%d revisions, want %d", len(got), len(want))
	}
	for i := range want {
		want[i].ID = got[i].ID
		if i > 0 && (got[i].ID >= got[i-1].ID || got[i].CreatedAt.After(got[i-1].CreatedAt)) {
			t.Errorf("revision %d is not older than the one before it", got[i].ID)
		}
	}
	same(t, "revisions", got, want)
	if current := findArticle(t, s, a.ID); got[0].Version != current.Version {
		t.Errorf("newest revision is version %d, the article is at %d", got[0].Version, current.Version)
	}
	for _, r := range want {
		one, err := s.FindRevision(t.Context(), a.ID, r.ID)
		ok(t, err, "find revision %d", r.ID)
		same(t, "revision", one, r)
	}

	theirs, err := s.FindRevisions(t.Context(), other.ID)
	ok(t, err, "find revisions")
	if len(theirs) != 1 || theirs[0].Actor != "maryam@example.org" || theirs[0].Headline != "خبر دیگر" {
		t.Fatalf("the other story's revisions: %+v", theirs)
	}
	_, err = s.FindRevision(t.Context(), other.ID, want[0].ID)
	wantCode(t, err, kolokol.ENOTFOUND, "")
	_, err = s.FindRevision(t.Context(), a.ID, theirs[0].ID)
	wantCode(t, err, kolokol.ENOTFOUND, "")
	_, err = s.FindRevision(t.Context(), a.ID, 99999)
	wantCode(t, err, kolokol.ENOTFOUND, "")
}

// revisionAt is the revision the store should have recorded for the save
// that left a as it is; the caller fills in the ID.
func revisionAt(a *kolokol.Article) *kolokol.Revision {
	r := kolokol.RevisionOf(clone(a))
	r.CreatedAt = a.UpdatedAt
	return r
}
