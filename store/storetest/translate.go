package storetest

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/kolokol/kolokol"
)

// testSetTranslationGroup: linking and unlinking change the group only (no
// version, revision or time), log the language switchers of live stories,
// and refuse two versions in one service or an unknown story whole.
func testSetTranslationGroup(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	for _, code := range []string{"ru", "fa", "ka"} {
		createService(t, s, code)
	}
	ru := newArticle("ru", "Паром вернулся")
	ru.Status, ru.PublishedAt = kolokol.StatusPublished, at(1, 10, 0)
	createArticle(t, s, ru)
	fa := createArticle(t, s, newArticle("fa", "کشتی برگشت"))
	fa2 := createArticle(t, s, newArticle("fa", "کشتی دوم"))
	ka := createArticle(t, s, newArticle("ka", "ბორანი"))
	_, seq := since(t, s, 0)

	ok(t, s.SetTranslationGroup(ctx, "ferry", ru.ID, fa.ID, fa.ID), "link ru and fa")
	got, seq := since(t, s, seq)
	want := []string{"article ru " + itoa(ru.ID) + " 0 false [ferry]", "article fa " + itoa(fa.ID) + " 0 false []"}
	if !slices.Equal(got, want) {
		t.Errorf("linking logged %q, want %q", got, want)
	}
	for _, a := range []*kolokol.Article{ru, fa} {
		now := findArticle(t, s, a.ID)
		if now.TranslationGroup != "ferry" {
			t.Errorf("article %d: group %q, want ferry", a.ID, now.TranslationGroup)
		}
		if now.Version != a.Version || !now.UpdatedAt.Equal(a.UpdatedAt) {
			t.Errorf("article %d: version %d at %v after linking, want %d at %v: the form's version must stay", a.ID, now.Version, now.UpdatedAt, a.Version, a.UpdatedAt)
		}
		revs, err := s.FindRevisions(ctx, a.ID)
		ok(t, err, "find revisions")
		if len(revs) != 1 {
			t.Errorf("article %d: %d revisions after linking, want 1", a.ID, len(revs))
		}
	}
	// An edit made from the form keeps the group the story has.
	edited := findArticle(t, s, ru.ID)
	edited.Summary = "Новое."
	ok(t, s.UpdateArticle(ctx, edited), "edit a linked story")

	// A second fa version is refused, naming both, and nothing changes.
	err := s.SetTranslationGroup(ctx, "ferry", ka.ID, fa2.ID)
	wantCode(t, err, kolokol.ECONFLICT, "translation_group")
	if msg := err.Error(); !strings.Contains(msg, itoa(fa.ID)) || !strings.Contains(msg, itoa(fa2.ID)) {
		t.Errorf("refusal %q does not name articles %d and %d", msg, fa.ID, fa2.ID)
	}
	for _, id := range []int64{ka.ID, fa2.ID} {
		if g := findArticle(t, s, id).TranslationGroup; g != "" {
			t.Errorf("refused link left article %d in group %q", id, g)
		}
	}
	wantCode(t, s.SetTranslationGroup(ctx, "ferry", ka.ID, 99999), kolokol.ENOTFOUND, "")
	if g := findArticle(t, s, ka.ID).TranslationGroup; g != "" {
		t.Errorf("link with an unknown story left article %d in group %q", ka.ID, g)
	}
	wantCode(t, s.SetTranslationGroup(ctx, "../etc", ka.ID), kolokol.EINVALID, "translation_group")
	got, seq = since(t, s, seq)
	if len(got) != 1 || got[0] != "article ru "+itoa(ru.ID)+" 0 true []" {
		t.Errorf("the edit and the refused links logged %q, want only the edit", got)
	}

	// Unlinking the live story logs its group's switchers; the draft's
	// leaving logs only its own page.
	ok(t, s.SetTranslationGroup(ctx, "", ru.ID, fa.ID), "unlink")
	got, _ = since(t, s, seq)
	want = []string{"article ru " + itoa(ru.ID) + " 0 false [ferry]", "article fa " + itoa(fa.ID) + " 0 false []"}
	if !slices.Equal(got, want) {
		t.Errorf("unlinking logged %q, want %q", got, want)
	}
	if n := countArticles(t, s, kolokol.ArticleFilter{TranslationGroup: "ferry"}); n != 0 {
		t.Errorf("after unlinking, group ferry has %d", n)
	}

	// Two writers putting a different fa story each into one group: one
	// wins, the other is refused, never both.
	ok(t, s.SetTranslationGroup(ctx, "race", ru.ID), "start group race")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, id := range []int64{fa.ID, fa2.ID} {
		wg.Go(func() { errs[i] = s.SetTranslationGroup(ctx, "race", id) })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("racing links: %v and %v; want exactly one refused", errs[0], errs[1])
	}
	if n := countArticles(t, s, kolokol.ArticleFilter{TranslationGroup: "race", Service: "fa"}); n != 1 {
		t.Errorf("group race has %d fa versions", n)
	}
}

// testShareMedia: a media shared with a service belongs to it too; sharing
// again changes nothing; an unknown media or service is refused.
func testShareMedia(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	createService(t, s, "ru")
	createService(t, s, "fa")
	m := &kolokol.Media{Hash: hashOf("shared"), ContentType: "image/jpeg", Size: 10, Width: 100, Height: 50, Services: []string{"ru"}}
	ok(t, s.CreateMedia(ctx, m), "create media")
	ok(t, s.ShareMedia(ctx, m.ID, "fa"), "share with fa")
	ok(t, s.ShareMedia(ctx, m.ID, "fa"), "share with fa again")
	got, err := s.FindMediaByID(ctx, m.ID)
	ok(t, err, "find media")
	if !slices.Equal(got.Services, []string{"fa", "ru"}) {
		t.Errorf("services %v, want [fa ru]", got.Services)
	}
	wantCode(t, s.ShareMedia(ctx, m.ID+1000, "fa"), kolokol.ENOTFOUND, "")
	wantCode(t, s.ShareMedia(ctx, m.ID, "xx"), kolokol.EINVALID, "service")
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
