package storetest

import (
	"testing"

	"github.com/kolokol/kolokol"
)

func testCorrections(t *testing.T, open Opener) {
	t.Run("AppendInOrderAndBumpVersion", func(t *testing.T) {
		s := open(t)
		m := newsroom(t, s)
		orig := createArticle(t, s, fullArticle("ru", "world", m.ID))
		var want []kolokol.Correction
		for i, text := range []string{
			"Исправлено: в первой версии была неверно указана дата.",
			"تصحیح: نام شهر اشتباه نوشته شده بود.",
			"შესწორება: ფოტოს ავტორი.",
		} {
			c := &kolokol.Correction{ArticleID: orig.ID, Text: text}
			ok(t, s.AddCorrection(t.Context(), c), "add correction %d", i)
			if c.ID <= 0 {
				t.Fatalf("correction %d: ID = %d, want it set", i, c.ID)
			}
			stamped(t, "correction CreatedAt", c.CreatedAt)
			for _, w := range want {
				if w.ID == c.ID {
					t.Fatalf("corrections share id %d", c.ID)
				}
				if c.CreatedAt.Before(w.CreatedAt) {
					t.Errorf("correction CreatedAt %v is before an earlier one's %v", c.CreatedAt, w.CreatedAt)
				}
			}
			want = append(want, *c)
		}
		got := findArticle(t, s, orig.ID)
		same(t, "corrections", got.Corrections, want)
		if got.Version != orig.Version+3 {
			t.Errorf("Version = %d after 3 corrections, want %d", got.Version, orig.Version+3)
		}
		if got.UpdatedAt.Before(want[2].CreatedAt) {
			t.Errorf("UpdatedAt = %v, before the last correction's %v", got.UpdatedAt, want[2].CreatedAt)
		}
		// Everything but the version, the stamp and the corrections is as it was.
		got.Version, got.UpdatedAt, got.Corrections = orig.Version, orig.UpdatedAt, nil
		same(t, "corrected article", got, orig)
	})
	t.Run("StaleAfterCorrection", func(t *testing.T) {
		s := open(t)
		m := newsroom(t, s)
		a := createArticle(t, s, fullArticle("ru", "world", m.ID))
		ok(t, s.AddCorrection(t.Context(), &kolokol.Correction{ArticleID: a.ID, Text: "Поправка."}), "add correction")
		// An editor who loaded the story before the correction would
		// otherwise overwrite it unseen.
		a.Headline = "Старая копия"
		wantCode(t, s.UpdateArticle(t.Context(), a), kolokol.ECONFLICT, "")

		fresh := findArticle(t, s, a.ID)
		fresh.Headline = "Свежая копия"
		ok(t, s.UpdateArticle(t.Context(), fresh), "update the fresh copy")
		got := findArticle(t, s, a.ID)
		if len(got.Corrections) != 1 || got.Headline != "Свежая копия" {
			t.Errorf("after the update: headline %q, %d corrections; want the new headline and 1",
				got.Headline, len(got.Corrections))
		}
	})
	t.Run("NotInLists", func(t *testing.T) {
		s := open(t)
		m := newsroom(t, s)
		a := createArticle(t, s, fullArticle("ru", "world", m.ID))
		ok(t, s.AddCorrection(t.Context(), &kolokol.Correction{ArticleID: a.ID, Text: "Поправка."}), "add correction")
		list, err := s.FindArticles(t.Context(), kolokol.ArticleFilter{Service: "ru"})
		ok(t, err, "find articles")
		if len(list) != 1 || list[0].Corrections != nil {
			t.Fatalf("FindArticles = %+v, want the one article without corrections", list)
		}
	})
	t.Run("UnknownArticle", func(t *testing.T) {
		s := open(t)
		c := &kolokol.Correction{ArticleID: 404, Text: "Поправка."}
		wantCode(t, s.AddCorrection(t.Context(), c), kolokol.ENOTFOUND, "")
		if c.ID != 0 || !c.CreatedAt.IsZero() {
			t.Errorf("a refused correction got ID %d, CreatedAt %v", c.ID, c.CreatedAt)
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		s := open(t)
		m := newsroom(t, s)
		a := createArticle(t, s, fullArticle("ru", "world", m.ID))
		for _, text := range []string{"", "  \n ", "ошибка\x07"} {
			c := &kolokol.Correction{ArticleID: a.ID, Text: text}
			wantCode(t, s.AddCorrection(t.Context(), c), kolokol.EINVALID, "text")
		}
		same(t, "article after refused corrections", findArticle(t, s, a.ID), a)
	})
}
