package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/kolokol/kolokol"
)

func testConcurrency(t *testing.T, open Opener) {
	t.Run("WritersAndReaders", func(t *testing.T) {
		s := open(t)
		newsroom(t, s)
		const editors, edits, creators, readers = 6, 15, 3, 3
		ids := make([]int64, editors)
		for i := range ids {
			ids[i] = createArticle(t, s, newArticle("ru", fmt.Sprintf("Черновик %d", i))).ID
		}

		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			errs []error
			done = make(chan struct{})
		)
		fail := func(err error) {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}
		var writers sync.WaitGroup
		for _, id := range ids {
			writers.Go(func() {
				for e := range edits {
					a, err := s.FindArticleByID(t.Context(), id)
					if err == nil {
						a.Headline = fmt.Sprintf("Правка %d статьи %d", e, id)
						err = s.UpdateArticle(t.Context(), a)
					}
					if err != nil {
						fail(fmt.Errorf("edit %d of article %d: %w", e, id, err))
						return
					}
				}
			})
		}
		for c := range creators {
			writers.Go(func() {
				for i := range edits {
					a := newArticle("fa", fmt.Sprintf("خبر %d-%d", c, i))
					if err := s.CreateArticle(t.Context(), a); err != nil {
						fail(fmt.Errorf("create %d-%d: %w", c, i, err))
						return
					}
				}
			})
		}
		for range readers {
			wg.Go(func() {
				for {
					select {
					case <-done:
						return
					default:
					}
					if _, err := s.FindArticles(t.Context(), kolokol.ArticleFilter{Limit: 20}); err != nil {
						fail(fmt.Errorf("read while writing: %w", err))
						return
					}
				}
			})
		}
		writers.Wait()
		close(done)
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			a := findArticle(t, s, id)
			want := fmt.Sprintf("Правка %d статьи %d", edits-1, id)
			if a.Version != 1+edits || a.Headline != want {
				t.Errorf("article %d: version %d, headline %q; want %d, %q", id, a.Version, a.Headline, 1+edits, want)
			}
		}
		if n := countArticles(t, s, kolokol.ArticleFilter{Service: "fa"}); n != creators*edits {
			t.Errorf("%d articles created concurrently, want %d", n, creators*edits)
		}
	})
	t.Run("OneWinnerFromTheSameVersion", func(t *testing.T) {
		s := open(t)
		newsroom(t, s)
		orig := createArticle(t, s, newArticle("ru", "Общий черновик"))
		const racers = 8
		results := make([]error, racers)
		copies := make([]*kolokol.Article, racers)
		var wg sync.WaitGroup
		for i := range racers {
			copies[i] = clone(orig)
			copies[i].Headline = fmt.Sprintf("Версия редактора %d", i)
			wg.Go(func() { results[i] = s.UpdateArticle(t.Context(), copies[i]) })
		}
		wg.Wait()
		winner := -1
		for i, err := range results {
			switch kolokol.ErrorCode(err) {
			case "":
				if winner >= 0 {
					t.Fatalf("editors %d and %d both saved over version %d", winner, i, orig.Version)
				}
				winner = i
			case kolokol.ECONFLICT:
			default:
				t.Fatalf("editor %d: %v, want success or a conflict", i, err)
			}
		}
		if winner < 0 {
			t.Fatal("no editor saved")
		}
		same(t, "article after the race", findArticle(t, s, orig.ID), copies[winner])
	})
}
