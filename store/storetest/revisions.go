package storetest

import (
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
		newest.LeadImage == nil || newest.LeadImage.Caption != "Подпись" || len(newest.Tags) != 1 {
		t.Errorf("newest revision %+v", newest)
	}
	if oldest.Version != 1 || oldest.Actor != "anna@example.org" || oldest.Body != "Текст один." || oldest.LeadImage != nil {
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
