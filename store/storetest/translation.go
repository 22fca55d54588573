package storetest

import (
	"slices"
	"testing"

	"github.com/kolokol/kolokol"
)

func testTranslationGroups(t *testing.T, open Opener) {
	s := open(t)
	for _, code := range []string{"ru", "fa", "ka"} {
		createService(t, s, code)
	}
	var ids []int64
	for _, svc := range []string{"ru", "fa", "ka"} {
		a := newArticle(svc, "story "+svc)
		a.TranslationGroup = "ferry"
		ids = append(ids, createArticle(t, s, a).ID)
	}
	other := newArticle("ru", "unrelated")
	createArticle(t, s, other)

	got, err := s.FindArticles(t.Context(), kolokol.ArticleFilter{TranslationGroup: "ferry"})
	ok(t, err, "find group")
	var gotIDs []int64
	for _, a := range got {
		if a.TranslationGroup != "ferry" {
			t.Errorf("article %d has group %q", a.ID, a.TranslationGroup)
		}
		gotIDs = append(gotIDs, a.ID)
	}
	slices.Sort(gotIDs)
	if !slices.Equal(gotIDs, ids) {
		t.Fatalf("group ferry: got %v, want %v", gotIDs, ids)
	}
	if n := countArticles(t, s, kolokol.ArticleFilter{TranslationGroup: "ferry", Service: "fa"}); n != 1 {
		t.Errorf("group ferry in fa: %d", n)
	}

	// Leaving a group is an update like any other.
	a := findArticle(t, s, ids[0])
	a.TranslationGroup = ""
	ok(t, s.UpdateArticle(t.Context(), a), "leave group")
	if n := countArticles(t, s, kolokol.ArticleFilter{TranslationGroup: "ferry"}); n != 2 {
		t.Errorf("after leaving, group ferry has %d", n)
	}
	bad := newArticle("ru", "bad group")
	bad.TranslationGroup = "../etc"
	wantCode(t, s.CreateArticle(t.Context(), bad), kolokol.EINVALID, "translation_group")
}
