package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

// testTags: a tag's stories are found by any spelling of the tag
// (kolokol.TagKey), newest first and paged as a section's are; FindTags
// lists the tags live stories carry; and a change names the tags whose
// lists it alters.
func testTags(t *testing.T, open Opener) {
	t.Run("Filter", func(t *testing.T) { testTagFilter(t, open) })
	t.Run("FindTags", func(t *testing.T) { testFindTags(t, open) })
	t.Run("Changes", func(t *testing.T) { testTagChanges(t, open) })
}

func testTagFilter(t *testing.T, open Opener) {
	s := open(t)
	newsroom(t, s)
	listing := []struct {
		service   string
		status    kolokol.Status
		published time.Time
		tags      []string
	}{
		{"ru", kolokol.StatusPublished, at(20, 10, 0), []string{"Климат", "Экономика"}}, // 0
		{"ru", kolokol.StatusPublished, at(20, 12, 0), []string{"климат"}},              // 1
		{"ru", kolokol.StatusDraft, time.Time{}, []string{"климат"}},                    // 2
		{"fa", kolokol.StatusPublished, at(20, 11, 0), []string{"климат", "حقوق بشر"}},  // 3
		{"ru", kolokol.StatusPublished, at(20, 10, 0), []string{"КЛИМАТ"}},              // 4: the same time as 0
		{"ru", kolokol.StatusUnpublished, at(20, 9, 0), []string{"климат"}},             // 5
		{"fa", kolokol.StatusPublished, at(20, 8, 0), []string{"حقوق-بشر"}},             // 6
		{"ru", kolokol.StatusPublished, at(20, 7, 0), nil},                              // 7
	}
	ids := make([]int64, len(listing))
	for i, l := range listing {
		a := newArticle(l.service, fmt.Sprintf("Статья %d", i))
		a.Status, a.PublishedAt, a.Tags = l.status, l.published, l.tags
		ids[i] = createArticle(t, s, a).ID
	}
	pub := kolokol.StatusPublished
	for _, c := range []struct {
		name string
		f    kolokol.ArticleFilter
		want []int
	}{
		{"every status", kolokol.ArticleFilter{Service: "ru", Tag: "климат"}, []int{5, 4, 2, 1, 0}},
		{"live, newest first, id breaking ties", kolokol.ArticleFilter{Service: "ru", Tag: "климат", Status: pub, ByPublished: true}, []int{1, 4, 0}},
		{"any spelling", kolokol.ArticleFilter{Service: "ru", Tag: "  КлиМАТ ", Status: pub, ByPublished: true}, []int{1, 4, 0}},
		{"paged", kolokol.ArticleFilter{Service: "ru", Tag: "климат", Status: pub, ByPublished: true, Limit: 2, Offset: 1}, []int{4, 0}},
		{"past the end", kolokol.ArticleFilter{Service: "ru", Tag: "климат", Status: pub, Offset: 3}, nil},
		{"another service's", kolokol.ArticleFilter{Service: "fa", Tag: "климат"}, []int{3}},
		{"every service", kolokol.ArticleFilter{Tag: "климат", Status: pub, ByPublished: true}, []int{1, 3, 4, 0}},
		{"space or hyphen", kolokol.ArticleFilter{Service: "fa", Tag: "حقوق بشر", ByPublished: true}, []int{3, 6}},
		{"second tag", kolokol.ArticleFilter{Service: "ru", Tag: "экономика"}, []int{0}},
		{"unknown tag", kolokol.ArticleFilter{Service: "ru", Tag: "спорт"}, nil},
		{"a tag with no key", kolokol.ArticleFilter{Service: "ru", Tag: "--"}, nil},
		{"with a section", kolokol.ArticleFilter{Service: "ru", Section: "world", Tag: "климат"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			arts, err := s.FindArticles(t.Context(), c.f)
			ok(t, err, "find %+v", c.f)
			var got []int
			for _, a := range arts {
				got = append(got, slices.Index(ids, a.ID))
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("found %v, want %v", got, c.want)
			}
			n := countArticles(t, s, kolokol.ArticleFilter{Service: c.f.Service, Section: c.f.Section, Tag: c.f.Tag, Status: c.f.Status})
			if c.f.Offset == 0 && c.f.Limit == 0 && n != len(c.want) {
				t.Errorf("counted %d, want %d", n, len(c.want))
			}
		})
	}
}

func testFindTags(t *testing.T, open Opener) {
	s := open(t)
	newsroom(t, s)
	ctx := t.Context()
	tags := func() string {
		t.Helper()
		var out []string
		for _, code := range []string{"ru", "fa"} {
			l, err := s.FindTags(ctx, code)
			ok(t, err, "find the tags of %s", code)
			for _, c := range l {
				out = append(out, fmt.Sprintf("%s:%s=%d", code, c.Key, c.Stories))
			}
		}
		return fmt.Sprint(out)
	}
	publish := func(service string, tags ...string) *kolokol.Article {
		a := newArticle(service, "Новость")
		a.Status, a.PublishedAt, a.Tags = kolokol.StatusPublished, at(20, 10, 0), tags
		return createArticle(t, s, a)
	}
	a := publish("ru", "Климат", "Экономика")
	publish("ru", "климат")
	publish("fa", "حقوق بشر")
	draft := newArticle("ru", "Черновик")
	draft.Tags = []string{"Черновое"}
	createArticle(t, s, draft)
	imported := &kolokol.Article{Service: "ru", Headline: "Импорт", Slug: "импорт", Status: kolokol.StatusPublished,
		PublishedAt: at(19, 9, 0), Tags: []string{"Архив"}}
	ok(t, s.ImportArticles(ctx, []*kolokol.Article{imported}), "import")

	for _, step := range []struct {
		what   string
		change func(a *kolokol.Article)
		want   string
	}{
		{"as stored: live stories' tags only, by key, in key order", nil,
			"[ru:архив=1 ru:климат=2 ru:экономика=1 fa:حقوق-بشر=1]"},
		{"retag", func(a *kolokol.Article) { a.Tags = []string{"Климат", "Спорт"} },
			"[ru:архив=1 ru:климат=2 ru:спорт=1 fa:حقوق-بشر=1]"},
		{"respell", func(a *kolokol.Article) { a.Tags = []string{"КЛИМАТ", "Спорт"} },
			"[ru:архив=1 ru:климат=2 ru:спорт=1 fa:حقوق-بشر=1]"},
		{"unpublish: its tags go with it when it was their last", func(a *kolokol.Article) { a.Status = kolokol.StatusUnpublished },
			"[ru:архив=1 ru:климат=1 fa:حقوق-بشر=1]"},
		{"republish in another service", func(a *kolokol.Article) { a.Status, a.Service = kolokol.StatusPublished, "fa" },
			"[ru:архив=1 ru:климат=1 fa:климат=1 fa:спорт=1 fa:حقوق-بشر=1]"},
		{"no tags", func(a *kolokol.Article) { a.Tags = nil },
			"[ru:архив=1 ru:климат=1 fa:حقوق-بشر=1]"},
	} {
		if step.change != nil {
			a = findArticle(t, s, a.ID)
			step.change(a)
			ok(t, s.UpdateArticle(ctx, a), "%s", step.what)
		}
		if got := tags(); got != step.want {
			t.Errorf("%s: tags %s, want %s", step.what, got, step.want)
		}
	}
}

// testTagChanges: a story's change names the keys of the tags whose lists
// it alters, and no others.
func testTagChanges(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	createService(t, s, "ru")
	createService(t, s, "fa")
	a := newArticle("ru", "Черновик")
	a.Tags = []string{"Климат", "Экономика"}
	createArticle(t, s, a)
	_, seq, err := s.ChangeBounds(ctx)
	ok(t, err, "bounds")
	for _, step := range []struct {
		what   string
		change func(a *kolokol.Article)
		want   []string // "service [keys]", one a change
	}{
		{"edit a draft's tags: on no list", func(a *kolokol.Article) { a.Tags = append(a.Tags, "Спорт") }, []string{"ru []"}},
		{"publish", func(a *kolokol.Article) { a.Status, a.PublishedAt = kolokol.StatusPublished, at(5, 9, 0) },
			[]string{"ru [климат спорт экономика]"}},
		{"edit the body: no list shows it", func(a *kolokol.Article) { a.Body = "Текст." }, []string{"ru []"}},
		{"edit the headline: every list it is on", func(a *kolokol.Article) { a.Headline = "Новость" },
			[]string{"ru [климат спорт экономика]"}},
		{"add a tag, drop one", func(a *kolokol.Article) { a.Tags = []string{"Климат", "Экономика", "Наука"} },
			[]string{"ru [наука спорт]"}},
		{"spell a tag anew: its page may be headed by it", func(a *kolokol.Article) { a.Tags = []string{"КЛИМАТ", "Экономика", "Наука"} },
			[]string{"ru [климат]"}},
		{"reorder the tags: no list changes", func(a *kolokol.Article) { a.Tags = []string{"Наука", "КЛИМАТ", "Экономика"} },
			[]string{"ru []"}},
		{"move to another service", func(a *kolokol.Article) { a.Service = "fa" },
			[]string{"ru [климат наука экономика]", "fa [климат наука экономика]"}},
		{"unpublish", func(a *kolokol.Article) { a.Status = kolokol.StatusUnpublished },
			[]string{"fa [климат наука экономика]"}},
		{"retag while off: on no list", func(a *kolokol.Article) { a.Tags = []string{"Другое"} }, []string{"fa []"}},
	} {
		a = findArticle(t, s, a.ID)
		step.change(a)
		ok(t, s.UpdateArticle(ctx, a), "%s", step.what)
		cs, err := s.FindChanges(ctx, seq, 0)
		ok(t, err, "find changes")
		var got []string
		for _, c := range cs {
			seq = c.Seq
			if c.Kind == kolokol.ChangeArticle {
				got = append(got, fmt.Sprintf("%s %v", c.Service, c.Tags))
			}
		}
		if !slices.Equal(got, step.want) {
			t.Errorf("%s: changes name tags %q, want %q", step.what, got, step.want)
		}
	}
}
