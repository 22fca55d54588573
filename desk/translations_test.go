package desk

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
)

var (
	editorBoth   = kolokol.Actor{Name: "editor@rufa", Role: kolokol.RoleEditor, Services: []string{"ru", "fa", "en"}}
	reporterBoth = kolokol.Actor{Name: "reporter@rufa", Role: kolokol.RoleReporter, Services: []string{"ru", "fa", "en"}}
)

// translationFixture adds an English service without a "world" section and
// a ru story with a lead photo and a photo in its body, both ru's.
func translationFixture(t *testing.T) (*fixture, *kolokol.Article, [2]int64) {
	t.Helper()
	f := newFixture(t)
	ctx := t.Context()
	if err := f.store.CreateService(ctx, &kolokol.Service{Code: "en", Tag: "en", Script: "Latn", Direction: kolokol.LTR,
		Name: "English", EnglishName: "English", TimeZone: "Europe/London"}); err != nil {
		t.Fatal(err)
	}
	var media [2]int64
	for i, h := range []string{"lead", "inline"} {
		m := &kolokol.Media{Hash: strings.Repeat(string(rune('a'+i)), 64), ContentType: "image/jpeg", Size: 10, Width: 100, Height: 50, Services: []string{"ru"}}
		if err := f.store.CreateMedia(ctx, m); err != nil {
			t.Fatalf("create %s media: %v", h, err)
		}
		media[i] = m.ID
	}
	body := "Первый абзац.\n\n```photo\nmedia: " + itoa(media[1]) + "\nalt: Паром у причала\n```\n\nВторой абзац."
	a, err := f.d.CreateArticle(ctx, editorRU, ArticleInput{Service: "ru", Section: "world", Headline: "Паром вернулся",
		Summary: "Кратко.", Body: body, Bylines: []string{"Анна"}, Dateline: "Батуми", Tags: []string{"паром"}, Credits: []string{"Reuters"},
		LeadImage: &kolokol.LeadImage{MediaID: media[0], Alt: "Паром", Caption: "Утро", Credit: "Фото: Анна"}})
	if err != nil {
		t.Fatal(err)
	}
	return f, a, media
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func TestTranslate(t *testing.T) {
	f, src, media := translationFixture(t)
	ctx := t.Context()
	for _, c := range []struct {
		name    string
		actor   kolokol.Actor
		service string
		code    string
	}{
		{"into the story's own service", editorBoth, "ru", kolokol.EINVALID},
		{"into no service", editorBoth, "", kolokol.EINVALID},
		{"into a service the actor does not work on", editorRU, "fa", kolokol.EFORBIDDEN},
		{"a story the actor may not see", editorFA, "fa", kolokol.ENOTFOUND},
		{"into a service that does not exist", kolokol.Actor{Name: "x", Role: kolokol.RoleAdmin}, "xx", kolokol.EINVALID},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.d.Translate(ctx, c.actor, src.ID, c.service)
			wantCode(t, c.name, err, c.code)
		})
	}
	if n, _ := f.store.CountArticles(ctx, kolokol.ArticleFilter{}); n != 1 {
		t.Fatalf("refused translations left %d stories, want 1", n)
	}

	fa, err := f.d.Translate(ctx, reporterBoth, src.ID, "fa")
	if err != nil {
		t.Fatalf("a reporter of ru and fa translates into fa: %v", err)
	}
	src, _ = f.store.FindArticleByID(ctx, src.ID)
	fa, _ = f.store.FindArticleByID(ctx, fa.ID)
	if src.TranslationGroup == "" || fa.TranslationGroup != src.TranslationGroup {
		t.Fatalf("groups: source %q, draft %q; want one new group", src.TranslationGroup, fa.TranslationGroup)
	}
	if src.Version != 1 {
		t.Errorf("the source is at version %d after being translated, want 1", src.Version)
	}
	want := &kolokol.Article{Service: "fa", Section: "world", Headline: src.Headline, Summary: src.Summary, Body: src.Body,
		Bylines: src.Bylines, Dateline: src.Dateline, Credits: src.Credits, LeadImage: src.LeadImage,
		Status: kolokol.StatusDraft, CreatedBy: reporterBoth.Name, TranslationGroup: src.TranslationGroup}
	got := &kolokol.Article{Service: fa.Service, Section: fa.Section, Headline: fa.Headline, Summary: fa.Summary, Body: fa.Body,
		Bylines: fa.Bylines, Dateline: fa.Dateline, Credits: fa.Credits, LeadImage: fa.LeadImage, Tags: fa.Tags,
		Status: fa.Status, CreatedBy: fa.CreatedBy, TranslationGroup: fa.TranslationGroup}
	if g, w := *got, *want; g.LeadImage == nil || *g.LeadImage != *w.LeadImage || g.Body != w.Body || g.Section != w.Section ||
		g.Headline != w.Headline || g.Summary != w.Summary || g.Dateline != w.Dateline || !slices.Equal(g.Bylines, w.Bylines) ||
		!slices.Equal(g.Credits, w.Credits) || len(g.Tags) != 0 || g.Status != w.Status || g.CreatedBy != w.CreatedBy {
		t.Errorf("draft:\n got %+v\nwant %+v", g, w)
	}
	for _, id := range media {
		m, err := f.store.FindMediaByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(m.Services, []string{"fa", "ru"}) {
			t.Errorf("media %d belongs to %v after translating, want [fa ru]", id, m.Services)
		}
	}

	// A second fa version is refused, naming the first; English has no
	// "world" section, so its draft has none.
	_, err = f.d.Translate(ctx, editorBoth, src.ID, "fa")
	wantCode(t, "a second fa version", err, kolokol.ECONFLICT)
	if err == nil || !strings.Contains(err.Error(), "story "+itoa(fa.ID)) {
		t.Errorf("refusal %v does not name story %d", err, fa.ID)
	}
	en, err := f.d.Translate(ctx, editorBoth, fa.ID, "en")
	if err != nil {
		t.Fatalf("translate the translation into en: %v", err)
	}
	if en.Section != "" || en.TranslationGroup != src.TranslationGroup {
		t.Errorf("en draft: section %q, group %q; want none and %q", en.Section, en.TranslationGroup, src.TranslationGroup)
	}

	var gotAudit []string
	for _, action := range []string{"article.translate", "article.translate.denied"} {
		for _, e := range f.audit(t, kolokol.AuditFilter{Action: action}) {
			gotAudit = append(gotAudit, e.Action+" "+e.Actor+" "+e.Service+": "+e.Detail)
		}
	}
	wantAudit := []string{
		"article.translate reporter@rufa fa: story " + itoa(fa.ID) + " (fa) translated from story " + itoa(src.ID),
		"article.translate editor@rufa en: story " + itoa(en.ID) + " (en) translated from story " + itoa(fa.ID),
		"article.translate.denied editor@ru fa: editor@ru may not work on service \"fa\"",
		"article.translate.denied editor@fa ru: story of service ru",
	}
	if !slices.Equal(gotAudit, wantAudit) {
		t.Errorf("audit:\n got %q\nwant %q", gotAudit, wantAudit)
	}
}

// group returns the translation group of story id.
func (f *fixture) group(t *testing.T, id int64) string {
	t.Helper()
	a, err := f.store.FindArticleByID(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a.TranslationGroup
}

func TestLinkAndUnlink(t *testing.T) {
	f, ru, _ := translationFixture(t)
	ctx := t.Context()
	mk := func(service, headline string) *kolokol.Article {
		t.Helper()
		a, err := f.d.CreateArticle(ctx, editorBoth, ArticleInput{Service: service, Headline: headline})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	fa, fa2, en := mk("fa", "کشتی برگشت"), mk("fa", "کشتی دوم"), mk("en", "The ferry is back")
	ru2 := mk("ru", "Другой паром")
	if _, err := f.d.Publish(ctx, editorBoth, ru.ID); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name      string
		actor     kolokol.Actor
		id, other int64
		code      string
	}{
		{"a story with itself", editorBoth, ru.ID, ru.ID, kolokol.EINVALID},
		{"two stories of one service", editorBoth, ru.ID, ru2.ID, kolokol.EINVALID},
		{"a story the actor may not see", editorFA, fa.ID, ru.ID, kolokol.ENOTFOUND},
		{"a published story a reporter may not edit", reporterBoth, fa.ID, ru.ID, kolokol.EFORBIDDEN},
		{"a story that does not exist", editorBoth, ru.ID, 9999, kolokol.ENOTFOUND},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantCode(t, c.name, f.d.Link(ctx, c.actor, c.id, c.other), c.code)
		})
	}
	for _, a := range []*kolokol.Article{ru, fa, ru2} {
		if g := f.group(t, a.ID); g != "" {
			t.Fatalf("refused links put story %d in group %q", a.ID, g)
		}
	}

	// Two stories without a group make one; a third joins it.
	if err := f.d.Link(ctx, editorBoth, fa.ID, ru.ID); err != nil {
		t.Fatalf("link fa with ru: %v", err)
	}
	g := f.group(t, ru.ID)
	if g == "" || f.group(t, fa.ID) != g {
		t.Fatalf("after linking: ru in %q, fa in %q", g, f.group(t, fa.ID))
	}
	if err := f.d.Link(ctx, editorBoth, en.ID, fa.ID); err != nil {
		t.Fatalf("link en with fa's group: %v", err)
	}
	if f.group(t, en.ID) != g {
		t.Fatalf("en joined %q, want %q", f.group(t, en.ID), g)
	}
	if err := f.d.Link(ctx, editorBoth, ru.ID, en.ID); err != nil {
		t.Errorf("linking two stories already linked: %v", err)
	}
	err := f.d.Link(ctx, editorBoth, ru.ID, fa2.ID)
	wantCode(t, "a second fa version", err, kolokol.ECONFLICT)
	if err == nil || !strings.Contains(err.Error(), "story "+itoa(fa.ID)) {
		t.Errorf("refusal %v does not name story %d, the fa version", err, fa.ID)
	}
	vs, hidden, err := f.d.Versions(ctx, editorRU, ru.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].ID != ru.ID || hidden != 2 {
		t.Errorf("ru's editor sees %d versions and %d hidden, want ru's own and 2 hidden", len(vs), hidden)
	}
	vs, _, _ = f.d.Versions(ctx, editorBoth, fa.ID)
	var order []string
	for _, v := range vs {
		order = append(order, v.Service)
	}
	if !slices.Equal(order, []string{"fa", "en", "ru"}) {
		t.Errorf("versions of the fa story: %v, want its own, then by service", order)
	}

	// Two stories each linked with others are refused: merge nothing.
	ka := mk("en", "Another ferry")
	if err := f.d.Link(ctx, editorBoth, fa2.ID, ka.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "two groups", f.d.Link(ctx, editorBoth, ru.ID, fa2.ID), kolokol.ECONFLICT)

	// Unlinking: a member of three leaves alone; the last-but-one takes
	// the last with it.
	wantCode(t, "a reporter unlinks a published story", f.d.Unlink(ctx, reporterBoth, ru.ID), kolokol.EFORBIDDEN)
	if err := f.d.Unlink(ctx, editorBoth, ru.ID); err != nil {
		t.Fatalf("unlink ru: %v", err)
	}
	if f.group(t, ru.ID) != "" || f.group(t, fa.ID) != g || f.group(t, en.ID) != g {
		t.Errorf("after ru left: ru %q, fa %q, en %q", f.group(t, ru.ID), f.group(t, fa.ID), f.group(t, en.ID))
	}
	if err := f.d.Unlink(ctx, editorBoth, fa.ID); err != nil {
		t.Fatalf("unlink fa: %v", err)
	}
	if f.group(t, fa.ID) != "" || f.group(t, en.ID) != "" {
		t.Errorf("after the last-but-one left: fa %q, en %q; want both out", f.group(t, fa.ID), f.group(t, en.ID))
	}
	wantCode(t, "unlink a story with no group", f.d.Unlink(ctx, editorBoth, en.ID), kolokol.ECONFLICT)
	if a, _ := f.store.FindArticleByID(ctx, fa.ID); a.Version != fa.Version {
		t.Errorf("fa is at version %d after linking and unlinking, want %d", a.Version, fa.Version)
	}

	var gotAudit []string
	for _, action := range []string{"article.link", "article.unlink", "article.link.denied", "article.unlink.denied"} {
		for _, e := range f.audit(t, kolokol.AuditFilter{Action: action}) {
			gotAudit = append(gotAudit, e.Action+" "+e.Actor+" "+e.Service+" "+itoa(e.ArticleID)+": "+e.Detail)
		}
	}
	id := func(a *kolokol.Article) string { return itoa(a.ID) }
	wantAudit := []string{
		"article.link editor@rufa fa " + id(fa) + ": linked story " + id(fa) + " with story " + id(ru),
		"article.link editor@rufa en " + id(en) + ": linked story " + id(en) + " with story " + id(fa),
		"article.link editor@rufa ru " + id(ru) + ": linked story " + id(ru) + " with story " + id(en),
		"article.link editor@rufa fa " + id(fa2) + ": linked story " + id(fa2) + " with story " + id(ka),
		"article.unlink editor@rufa ru " + id(ru) + ": unlinked story " + id(ru) + " from its other versions",
		"article.unlink editor@rufa fa " + id(fa) + ": unlinked story " + id(fa) + " from its other versions, and story " + id(en) + ", its last other version, from the group",
		"article.link.denied editor@fa fa " + id(fa) + ": story of service ru",
		"article.link.denied reporter@rufa fa " + id(fa) + ": a reporter on ru cannot edit a published story; an editor approved it as it is",
		"article.unlink.denied reporter@rufa ru " + id(ru) + ": a reporter on ru cannot edit a published story; an editor approved it as it is",
	}
	if !slices.Equal(gotAudit, wantAudit) {
		t.Errorf("audit:\n got %q\nwant %q", gotAudit, wantAudit)
	}
	// A link concerns both services: ru's admins see the fa story linked
	// with theirs.
	if es := f.audit(t, kolokol.AuditFilter{Action: "article.link", Service: "ru"}); len(es) != 2 {
		t.Errorf("ru's admins see %d links, want 2", len(es))
	}
}

// TestSaveKeepsLink: a save of a story loaded before it was linked (a
// publish, a submit, a form's edit) keeps the link, though the link bumped
// no version; only an API patch naming the group changes it.
func TestSaveKeepsLink(t *testing.T) {
	f, ru, _ := translationFixture(t)
	ctx := t.Context()
	fa, err := f.d.Translate(ctx, editorBoth, ru.ID, "fa")
	if err != nil {
		t.Fatal(err)
	}
	stale, _ := f.store.FindArticleByID(ctx, fa.ID)
	staleRU, _ := f.store.FindArticleByID(ctx, ru.ID)
	if err := f.d.Unlink(ctx, editorBoth, fa.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.d.Link(ctx, editorBoth, fa.ID, ru.ID); err != nil {
		t.Fatal(err)
	}
	group, old := f.group(t, fa.ID), stale.TranslationGroup
	stale.Headline = "کشتی برگشت"
	if err := f.d.save(ctx, editorBoth, stale); err != nil {
		t.Fatalf("save the story loaded before the link: %v", err)
	}
	if err := f.d.submit(ctx, editorBoth, staleRU); err != nil {
		t.Fatalf("submit the story loaded before the link: %v", err)
	}
	if g, h := f.group(t, fa.ID), f.group(t, ru.ID); g != group || h != group || group == "" || group == old {
		t.Errorf("after saves loaded before the link: fa in %q, ru in %q; want both in %q", g, h, group)
	}
	cur, _ := f.store.FindArticleByID(ctx, fa.ID)
	out := ""
	if _, err := f.d.UpdateArticle(ctx, editorBoth, fa.ID, ArticlePatch{Version: cur.Version, TranslationGroup: &out}); err != nil {
		t.Fatal(err)
	}
	if g := f.group(t, fa.ID); g != "" {
		t.Errorf("an API patch taking the story out of its group left it in %q", g)
	}
}
