package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

func testArticleFilters(t *testing.T, open Opener) {
	// Stories in the order they are created, so their ids ascend. Two share
	// a publication time to show that id breaks the tie.
	listing := []struct {
		service, section string
		status           kolokol.Status
		published        time.Time
	}{
		{"ru", "world", kolokol.StatusPublished, at(20, 10, 0)},    // 0
		{"ru", "politics", kolokol.StatusPublished, at(20, 12, 0)}, // 1
		{"ru", "", kolokol.StatusDraft, time.Time{}},               // 2
		{"fa", "world", kolokol.StatusPublished, at(20, 11, 0)},    // 3
		{"ru", "world", kolokol.StatusPublished, at(20, 10, 0)},    // 4
		{"ru", "world", kolokol.StatusUnpublished, at(20, 9, 0)},   // 5
		{"fa", "", kolokol.StatusScheduled, time.Time{}},           // 6
		{"ru", "politics", kolokol.StatusPublished, at(20, 8, 0)},  // 7
	}
	s := open(t)
	newsroom(t, s)
	ids := make([]int64, len(listing))
	for i, l := range listing {
		a := newArticle(l.service, fmt.Sprintf("Статья %d", i))
		a.Section, a.Status, a.PublishedAt = l.section, l.status, l.published
		switch i {
		case 2:
			a.CreatedBy, a.SubmittedAt = "Reporter@Example.org", at(20, 13, 0)
		case 4:
			a.Bylines = []string{"Анна Иванова", "John Smith"}
			a.Body = "Текст, который списки не показывают."
		case 6:
			a.Headline = "100% up_to date"
		}
		switch i {
		case 0, 3:
			a.TranslationGroup = "ferry"
		case 4, 5:
			a.TranslationGroup = "bridge"
		}
		if l.status == kolokol.StatusScheduled {
			a.ScheduledAt = at(30, 6, 0)
		}
		ids[i] = createArticle(t, s, a).ID
	}
	const (
		ru  = "ru"
		pub = kolokol.StatusPublished
	)
	before5 := ids[5]
	for _, c := range []struct {
		name string
		f    kolokol.ArticleFilter
		want []int // indexes into listing, in the order expected
	}{
		{"all", kolokol.ArticleFilter{}, []int{7, 6, 5, 4, 3, 2, 1, 0}},
		{"service", kolokol.ArticleFilter{Service: ru}, []int{7, 5, 4, 2, 1, 0}},
		{"service and status", kolokol.ArticleFilter{Service: ru, Status: pub}, []int{7, 4, 1, 0}},
		{"service and section", kolokol.ArticleFilter{Service: ru, Section: "world"}, []int{5, 4, 0}},
		{"section of every service", kolokol.ArticleFilter{Section: "world"}, []int{5, 4, 3, 0}},
		{"section and status", kolokol.ArticleFilter{Service: ru, Section: "world", Status: pub}, []int{4, 0}},
		{"status", kolokol.ArticleFilter{Status: pub}, []int{7, 4, 3, 1, 0}},
		{"draft", kolokol.ArticleFilter{Status: kolokol.StatusDraft}, []int{2}},
		{"by published", kolokol.ArticleFilter{Status: pub, ByPublished: true}, []int{1, 3, 4, 0, 7}},
		{"service by published", kolokol.ArticleFilter{Service: ru, Status: pub, ByPublished: true}, []int{1, 4, 0, 7}},
		{"section by published", kolokol.ArticleFilter{Service: ru, Section: "politics", Status: pub, ByPublished: true}, []int{1, 7}},
		{"before", kolokol.ArticleFilter{Before: before5}, []int{4, 3, 2, 1, 0}},
		{"service before", kolokol.ArticleFilter{Service: ru, Before: before5}, []int{4, 2, 1, 0}},
		{"before and limit", kolokol.ArticleFilter{Service: ru, Before: before5, Limit: 2}, []int{4, 2}},
		{"before the first", kolokol.ArticleFilter{Before: ids[0]}, nil},
		{"limit", kolokol.ArticleFilter{Limit: 2}, []int{7, 6}},
		{"offset", kolokol.ArticleFilter{Limit: 2, Offset: 2}, []int{5, 4}},
		{"offset by published", kolokol.ArticleFilter{Status: pub, ByPublished: true, Limit: 2, Offset: 1}, []int{3, 4}},
		{"offset past the end", kolokol.ArticleFilter{Offset: 100}, nil},
		{"unknown service", kolokol.ArticleFilter{Service: "de"}, nil},
		{"unknown section", kolokol.ArticleFilter{Service: ru, Section: "sport"}, nil},
		{"headline, any case", kolokol.ArticleFilter{Query: "СТАТЬЯ 1"}, []int{1}},
		{"headline part", kolokol.ArticleFilter{Service: ru, Query: "тья"}, []int{7, 5, 4, 2, 1, 0}},
		{"headline % is literal", kolokol.ArticleFilter{Query: "0% up"}, []int{6}},
		{"headline _ is literal", kolokol.ArticleFilter{Query: "p_t"}, []int{6}},
		{"headline % alone", kolokol.ArticleFilter{Query: "%"}, []int{6}},
		{"author account, any case", kolokol.ArticleFilter{Author: "reporter@example.org"}, []int{2}},
		{"author byline", kolokol.ArticleFilter{Author: "Иванова"}, []int{4}},
		{"author byline ASCII case", kolokol.ArticleFilter{Author: "john smith"}, []int{4}},
		{"author byline any case, any script", kolokol.ArticleFilter{Author: "ИВАНОВА"}, []int{4}},
		{"author account is whole", kolokol.ArticleFilter{Author: "reporter@example"}, nil},
		{"author % is literal", kolokol.ArticleFilter{Author: "%"}, nil},
		{"author unknown", kolokol.ArticleFilter{Author: "nobody"}, nil},
		{"submitted", kolokol.ArticleFilter{Submitted: true}, []int{2}},
		{"submitted drafts of fa", kolokol.ArticleFilter{Service: "fa", Submitted: true}, nil},
		{"ids", kolokol.ArticleFilter{IDs: []int64{ids[0], ids[3], ids[6]}}, []int{6, 3, 0}},
		{"ids in any order, repeated", kolokol.ArticleFilter{IDs: []int64{ids[6], ids[0], ids[6]}}, []int{6, 0}},
		{"ids and status", kolokol.ArticleFilter{IDs: []int64{ids[0], ids[2], ids[5]}, Status: pub}, []int{0}},
		{"ids by published", kolokol.ArticleFilter{IDs: []int64{ids[0], ids[1], ids[3]}, ByPublished: true}, []int{1, 3, 0}},
		{"unknown ids", kolokol.ArticleFilter{IDs: []int64{ids[7] + 100, -1}}, nil},
		{"translation groups", kolokol.ArticleFilter{TranslationGroups: []string{"ferry", "bridge"}}, []int{5, 4, 3, 0}},
		{"translation groups and status", kolokol.ArticleFilter{TranslationGroups: []string{"bridge", "ferry", "ferry"}, Status: pub}, []int{4, 3, 0}},
		{"translation groups and service", kolokol.ArticleFilter{TranslationGroups: []string{"ferry"}, Service: ru}, []int{0}},
		{"translation groups, one unknown", kolokol.ArticleFilter{TranslationGroups: []string{"bridge", "tunnel"}}, []int{5, 4}},
		{"translation group '' is none", kolokol.ArticleFilter{TranslationGroups: []string{""}}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.FindArticles(t.Context(), c.f)
			ok(t, err, "find articles %+v", c.f)
			gotIDs := make([]int64, 0, len(got))
			for _, a := range got {
				gotIDs = append(gotIDs, a.ID)
			}
			wantIDs := make([]int64, 0, len(c.want))
			for _, i := range c.want {
				wantIDs = append(wantIDs, ids[i])
			}
			if !slices.Equal(gotIDs, wantIDs) {
				t.Errorf("ids = %v, want %v (all ids: %v)", gotIDs, wantIDs, ids)
			}
			if len(c.want) == 0 && got != nil {
				t.Errorf("an empty result = %#v, want nil", got)
			}
		})
	}
	t.Run("ListsCarryEveryField", func(t *testing.T) {
		got, err := s.FindArticles(t.Context(), kolokol.ArticleFilter{})
		ok(t, err, "find articles")
		for _, a := range got {
			same(t, fmt.Sprintf("listed article %d", a.ID), a, findArticle(t, s, a.ID))
		}
	})
	t.Run("WithoutBody", func(t *testing.T) {
		got, err := s.FindArticles(t.Context(), kolokol.ArticleFilter{WithoutBody: true, ByPublished: true, Status: pub})
		ok(t, err, "find articles without their bodies")
		if len(got) == 0 {
			t.Fatal("found nothing")
		}
		bodies := 0
		for _, a := range got {
			want := findArticle(t, s, a.ID)
			if want.Body != "" {
				bodies++
			}
			want.Body, want.Corrections = "", nil
			same(t, fmt.Sprintf("article %d listed without its body", a.ID), a, want)
		}
		if bodies == 0 {
			t.Error("no article listed has a body to leave out")
		}
	})
	t.Run("WithCorrections", func(t *testing.T) {
		for i, text := range []string{"Исправлено: дата.", "Исправлено: имя."} {
			ok(t, s.AddCorrection(t.Context(), &kolokol.Correction{ArticleID: ids[i%2*4], Text: text}), "add a correction")
		}
		ok(t, s.AddCorrection(t.Context(), &kolokol.Correction{ArticleID: ids[0], Text: "Исправлено: город."}), "add a correction")
		for _, f := range []kolokol.ArticleFilter{
			{WithCorrections: true},
			{WithCorrections: true, IDs: []int64{ids[4], ids[0], ids[1]}},
			{WithCorrections: true, Service: ru, Status: pub, ByPublished: true, Limit: 2, Offset: 1},
		} {
			got, err := s.FindArticles(t.Context(), f)
			ok(t, err, "find articles %+v", f)
			if len(got) == 0 {
				t.Fatalf("%+v found nothing", f)
			}
			corrected := 0
			for _, a := range got {
				want := findArticle(t, s, a.ID)
				same(t, fmt.Sprintf("article %d listed with its corrections", a.ID), a, want)
				corrected += len(a.Corrections)
			}
			if corrected == 0 && slices.Contains(f.IDs, ids[0]) {
				t.Errorf("%+v: no corrections listed", f)
			}
		}
		got, err := s.FindArticles(t.Context(), kolokol.ArticleFilter{IDs: []int64{ids[0]}})
		ok(t, err, "find articles")
		if len(got) != 1 || got[0].Corrections != nil {
			t.Errorf("without WithCorrections: %d articles, corrections %v; want 1 without", len(got), got[0].Corrections)
		}
	})
	t.Run("Count", func(t *testing.T) {
		for _, c := range []struct {
			f    kolokol.ArticleFilter
			want int
		}{
			{kolokol.ArticleFilter{}, 8},
			{kolokol.ArticleFilter{Service: ru}, 6},
			{kolokol.ArticleFilter{Service: "fa"}, 2},
			{kolokol.ArticleFilter{Service: ru, Status: pub}, 4},
			{kolokol.ArticleFilter{Service: ru, Section: "world"}, 3},
			{kolokol.ArticleFilter{Service: ru, Section: "world", Status: pub}, 2},
			{kolokol.ArticleFilter{Section: "world"}, 4},
			{kolokol.ArticleFilter{Status: kolokol.StatusScheduled}, 1},
			{kolokol.ArticleFilter{Service: "de"}, 0},
			{kolokol.ArticleFilter{Service: ru, Query: "статья"}, 6},
			{kolokol.ArticleFilter{Author: "Иванова"}, 1},
			{kolokol.ArticleFilter{Submitted: true}, 1},
			// Paging does not change how many there are.
			{kolokol.ArticleFilter{Service: ru, Limit: 1, Offset: 3, ByPublished: true}, 6},
		} {
			if got := countArticles(t, s, c.f); got != c.want {
				t.Errorf("CountArticles(%+v) = %d, want %d", c.f, got, c.want)
			}
		}
	})
}

func testArticleLimits(t *testing.T, open Opener) {
	s := open(t)
	createService(t, s, "ru")
	const n = 501
	ids := make([]int64, n)
	for i := range n {
		ids[i] = createArticle(t, s, newArticle("ru", fmt.Sprintf("Заметка %d", i))).ID
	}
	slices.Reverse(ids) // newest first, as lists are
	for _, c := range []struct {
		limit, offset int
		want          []int64
	}{
		{0, 0, ids[:50]},
		{-1, 0, ids[:50]},
		{7, 0, ids[:7]},
		{500, 0, ids[:500]},
		{501, 0, ids[:500]},
		{1 << 30, 0, ids[:500]},
		{0, 500, ids[500:]},
		{10, 495, ids[495:]},
	} {
		got, err := s.FindArticles(t.Context(), kolokol.ArticleFilter{Limit: c.limit, Offset: c.offset})
		ok(t, err, "find articles")
		gotIDs := make([]int64, len(got))
		for i, a := range got {
			gotIDs[i] = a.ID
		}
		if !slices.Equal(gotIDs, c.want) {
			t.Errorf("limit %d offset %d: got %d ids from %v, want %d from %v",
				c.limit, c.offset, len(gotIDs), first(gotIDs), len(c.want), first(c.want))
		}
	}
	_, err := s.FindArticles(t.Context(), kolokol.ArticleFilter{IDs: make([]int64, kolokol.MaxArticleLimit+1)})
	wantCode(t, err, kolokol.EINVALID, "ids")
	_, err = s.FindArticles(t.Context(), kolokol.ArticleFilter{TranslationGroups: make([]string, kolokol.MaxArticleLimit+1)})
	wantCode(t, err, kolokol.EINVALID, "translation_groups")
	got, err := s.FindArticles(t.Context(), kolokol.ArticleFilter{IDs: ids[:kolokol.MaxArticleLimit], Limit: kolokol.MaxArticleLimit})
	ok(t, err, "find %d articles by id", kolokol.MaxArticleLimit)
	if len(got) != kolokol.MaxArticleLimit {
		t.Errorf("found %d articles by %d ids", len(got), kolokol.MaxArticleLimit)
	}
	if got := countArticles(t, s, kolokol.ArticleFilter{}); got != n {
		t.Errorf("CountArticles = %d, want %d", got, n)
	}
}

func first(ids []int64) any {
	if len(ids) == 0 {
		return "nothing"
	}
	return ids[0]
}

func testScheduledBy(t *testing.T, open Opener) {
	s := open(t)
	createService(t, s, "ru")
	base := at(20, 12, 0)
	var ids []int64
	for i, when := range []time.Time{base.Add(-time.Hour), base, base.Add(time.Hour), {}} {
		a := newArticle("ru", fmt.Sprintf("Запланировано %d", i))
		if !when.IsZero() {
			a.Status, a.ScheduledAt = kolokol.StatusScheduled, when
		}
		ids = append(ids, createArticle(t, s, a).ID)
	}
	got, err := s.FindArticles(t.Context(), kolokol.ArticleFilter{Status: kolokol.StatusScheduled, ScheduledBy: base})
	ok(t, err, "find due")
	var gotIDs []int64
	for _, a := range got {
		gotIDs = append(gotIDs, a.ID)
	}
	slices.Sort(gotIDs)
	if !slices.Equal(gotIDs, ids[:2]) {
		t.Errorf("due at %v: %v, want %v", base, gotIDs, ids[:2])
	}
}
