package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

// importBatch is a batch of three articles in three scripts: every field
// set with two corrections, a Persian draft with no times given, and a
// Georgian one with its times.
func importBatch(mediaID int64) []*kolokol.Article {
	full := fullArticle("ru", "world", mediaID)
	full.CreatedAt, full.UpdatedAt = at(26, 17, 0), at(27, 9, 30)
	full.EditedBy = "anna@example.org"
	full.Corrections = []kolokol.Correction{
		{Text: "Исправлено: в первой версии была неверно указана дата.", CreatedAt: at(27, 9, 0)},
		{Text: "تصحیح: نام شهر اشتباه نوشته شده بود.", CreatedAt: at(27, 9, 30)},
	}
	draft := newArticle("fa", "پیش\u200cنویس خبر")
	draft.Body = "متن نخست.\n\nمتن دوم."
	ka := newArticle("ka", "ამბავი თბილისიდან")
	ka.Status, ka.PublishedAt = kolokol.StatusPublished, at(20, 8, 0)
	ka.CreatedAt, ka.UpdatedAt = at(20, 7, 0), at(20, 8, 0)
	ka.Tags = []string{"თბილისი"}
	return []*kolokol.Article{full, draft, ka}
}

func testImportArticles(t *testing.T, open Opener) {
	t.Run("RoundTrip", func(t *testing.T) {
		s := open(t)
		m := newsroom(t, s)
		createService(t, s, "ka")
		before := createArticle(t, s, newArticle("ru", "Раньше"))
		batch := importBatch(m.ID)
		given := make([]*kolokol.Article, len(batch))
		for i, a := range batch {
			given[i] = clone(a)
		}
		ok(t, s.ImportArticles(t.Context(), batch), "import")

		for i, a := range batch {
			if i == 0 && a.ID <= before.ID || i > 0 && a.ID <= batch[i-1].ID {
				t.Errorf("article %d got id %d: ids must grow in the order given, above %d", i, a.ID, before.ID)
			}
			if a.Version != 1+len(a.Corrections) {
				t.Errorf("article %d: Version = %d with %d corrections, want %d", i, a.Version, len(a.Corrections), 1+len(a.Corrections))
			}
			for j, c := range a.Corrections {
				if c.ID <= 0 || c.ArticleID != a.ID {
					t.Errorf("article %d correction %d: ID %d, ArticleID %d (article %d)", i, j, c.ID, c.ArticleID, a.ID)
				}
			}
			got := findArticle(t, s, a.ID)
			stored := clone(a)
			stored.EditedBy = "" // said to the revision, not kept on the article
			same(t, fmt.Sprintf("imported article %d", i), got, stored)
			// Besides what the store sets, the article is what was given.
			got.ID, got.Version, got.EditedBy = 0, 0, given[i].EditedBy
			for j := range got.Corrections {
				got.Corrections[j].ID, got.Corrections[j].ArticleID = 0, 0
			}
			if given[i].CreatedAt.IsZero() {
				stamped(t, "CreatedAt", got.CreatedAt)
				if !got.UpdatedAt.Equal(got.CreatedAt) {
					t.Errorf("UpdatedAt %v, want CreatedAt %v when none is given", got.UpdatedAt, got.CreatedAt)
				}
				got.CreatedAt, got.UpdatedAt = time.Time{}, time.Time{}
			}
			same(t, fmt.Sprintf("article %d as given", i), got, given[i])

			revs, err := s.FindRevisions(t.Context(), a.ID)
			ok(t, err, "find revisions of %d", a.ID)
			want := kolokol.RevisionOf(a)
			want.Version, want.CreatedAt = 1, a.CreatedAt
			if len(revs) != 1 {
				t.Fatalf("article %d has %d revisions, want 1", i, len(revs))
			}
			want.ID = revs[0].ID
			same(t, fmt.Sprintf("revision of article %d", i), revs[0], want)
		}
		// Imported stories are found by the same filters as created ones,
		// headline search in any case and script included.
		for _, c := range []struct {
			f    kolokol.ArticleFilter
			want []int64
		}{
			{kolokol.ArticleFilter{Query: "ГРУЗИИ"}, []int64{batch[0].ID}},
			{kolokol.ArticleFilter{Service: "ru"}, []int64{batch[0].ID, before.ID}},
			{kolokol.ArticleFilter{Author: "anna@example.org"}, []int64{batch[0].ID}},
			{kolokol.ArticleFilter{TranslationGroup: "georgia-vote-2024"}, []int64{batch[0].ID}},
			{kolokol.ArticleFilter{LeadMediaID: m.ID}, []int64{batch[0].ID}},
			{kolokol.ArticleFilter{Status: kolokol.StatusPublished, ByPublished: true}, []int64{batch[0].ID, batch[2].ID}},
			{kolokol.ArticleFilter{Query: "თბილისიდან", Service: "ka"}, []int64{batch[2].ID}},
		} {
			list, err := s.FindArticles(t.Context(), c.f)
			ok(t, err, "find %+v", c.f)
			var ids []int64
			for _, a := range list {
				ids = append(ids, a.ID)
			}
			if !slices.Equal(ids, c.want) {
				t.Errorf("FindArticles(%+v) = %v, want %v", c.f, ids, c.want)
			}
		}
		// The story goes on like any other.
		ru := findArticle(t, s, batch[0].ID)
		ru.Headline = "Выборы: итоги"
		ok(t, s.UpdateArticle(t.Context(), ru), "update an imported article")
		if ru.Version != batch[0].Version+1 {
			t.Errorf("Version = %d after an update, want %d", ru.Version, batch[0].Version+1)
		}
	})
	t.Run("SameAsCreate", func(t *testing.T) {
		s := open(t)
		m := newsroom(t, s)
		created := createArticle(t, s, fullArticle("ru", "world", m.ID))
		imported := fullArticle("ru", "world", m.ID)
		ok(t, s.ImportArticles(t.Context(), []*kolokol.Article{imported}), "import")
		a, b := findArticle(t, s, created.ID), findArticle(t, s, imported.ID)
		b.ID, b.CreatedAt, b.UpdatedAt = a.ID, a.CreatedAt, a.UpdatedAt
		same(t, "imported beside created", b, a)
	})
	t.Run("Empty", func(t *testing.T) {
		s := open(t)
		newsroom(t, s)
		ok(t, s.ImportArticles(t.Context(), nil), "import nothing")
		if n := countArticles(t, s, kolokol.ArticleFilter{}); n != 0 {
			t.Errorf("%d articles after an empty import", n)
		}
	})
	t.Run("RefusedBatchStoresNothing", func(t *testing.T) {
		s := open(t)
		m := newsroom(t, s)
		createService(t, s, "ka")
		cases := refusals(m.ID)
		cases = append(cases,
			refusal{"id set", "id", func(a *kolokol.Article) { a.ID = 7 }},
			refusal{"updated before created", "updated_at", func(a *kolokol.Article) { a.UpdatedAt = a.CreatedAt.Add(-time.Second) }},
			refusal{"empty correction", "corrections[1].text", func(a *kolokol.Article) { a.Corrections[1].Text = " " }},
			refusal{"correction time out of range", "corrections[0].created_at", func(a *kolokol.Article) {
				a.Corrections[0].CreatedAt = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
			}},
			refusal{"time out of range", "created_at", func(a *kolokol.Article) {
				a.CreatedAt = time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)
			}},
		)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				// The bad article comes last, after good ones, so that a
				// store writing as it goes would be caught.
				batch := importBatch(m.ID)
				batch = append(batch[1:], batch[0])
				c.change(batch[2])
				given := make([]*kolokol.Article, len(batch))
				for i, a := range batch {
					given[i] = clone(a)
				}
				wantCode(t, s.ImportArticles(t.Context(), batch), kolokol.EINVALID, c.field)
				for i := range batch {
					same(t, fmt.Sprintf("refused article %d", i), batch[i], given[i])
				}
				if n := countArticles(t, s, kolokol.ArticleFilter{}); n != 0 {
					t.Errorf("a refused batch stored %d articles", n)
				}
			})
		}
		wantCode(t, s.ImportArticles(t.Context(), []*kolokol.Article{newArticle("ru", "Один"), nil}), kolokol.EINVALID, "")
		// Nothing of the refused batches is left: no revision, no
		// correction.
		a := createArticle(t, s, newArticle("ru", "После"))
		if revs, err := s.FindRevisions(t.Context(), a.ID); err != nil || len(revs) != 1 {
			t.Errorf("revisions of the first stored story: %d, %v", len(revs), err)
		}
		if got := findArticle(t, s, a.ID); got.Corrections != nil {
			t.Errorf("a refused batch left corrections: %+v", got.Corrections)
		}
	})
	t.Run("ConcurrentWriters", func(t *testing.T) {
		s := open(t)
		newsroom(t, s)
		const importers, batches, size, creators = 3, 4, 25, 2
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			ids  []int64
			errs []error
		)
		keep := func(err error, as ...*kolokol.Article) {
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			for _, a := range as {
				ids = append(ids, a.ID)
			}
		}
		for w := range importers {
			wg.Go(func() {
				for b := range batches {
					var batch []*kolokol.Article
					for i := range size {
						batch = append(batch, newArticle("ru", fmt.Sprintf("Пакет %d-%d-%d", w, b, i)))
					}
					keep(s.ImportArticles(t.Context(), batch), batch...)
				}
			})
		}
		for c := range creators {
			wg.Go(func() {
				for i := range batches * size / 2 {
					a := newArticle("fa", fmt.Sprintf("خبر %d-%d", c, i))
					keep(s.CreateArticle(t.Context(), a), a)
				}
			})
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("concurrent writes failed: %v", errs)
		}
		want := importers*batches*size + creators*batches*size/2
		slices.Sort(ids)
		if ids = slices.Compact(ids); len(ids) != want {
			t.Errorf("%d distinct ids for %d stored stories", len(ids), want)
		}
		if n := countArticles(t, s, kolokol.ArticleFilter{}); n != want {
			t.Errorf("%d articles stored, want %d", n, want)
		}
	})
}
