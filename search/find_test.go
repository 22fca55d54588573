package search_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/search"
)

// TestNewsroomFilters: what the dashboard finds stories by beyond their
// words: bylines, tags, drafts handed in, and its orders and pages.
func TestNewsroomFilters(t *testing.T) {
	x := newFixture(t)
	ctx := context.Background()
	add := func(headline string, mod func(a *kolokol.Article)) int64 {
		t.Helper()
		a := &kolokol.Article{Service: "ru", Headline: headline, Summary: "Кратко.", Body: "Первый абзац.",
			Status: kolokol.StatusDraft, CreatedBy: "desk@example.org"}
		mod(a)
		a.Normalize()
		if err := x.store.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	byline := add("Паром вернулся", func(a *kolokol.Article) { a.Bylines = []string{"Пётр Петров"} })
	tagged := add("Выборы в городе", func(a *kolokol.Article) { a.Tags = []string{"Выборы-2026"} })
	handed := add("Сданный материал", func(a *kolokol.Article) { a.SubmittedAt = time.Now().UTC() })
	body := add("Ничего особенного", func(a *kolokol.Article) { a.Body = "Где-то в тексте есть кашалот." })
	pub := add("Опубликовано", func(a *kolokol.Article) {
		a.Status, a.PublishedAt = kolokol.StatusPublished, time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	})
	x.catchUp(t)
	ids := func(q search.Query) []int64 {
		t.Helper()
		q.Services = []string{"ru"}
		r, err := x.ix.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, h := range r.Hits {
			out = append(out, h.ID)
		}
		if int(r.Total) < len(out) {
			t.Errorf("%+v: total %d below %d hits", q, r.Total, len(out))
		}
		return out
	}
	all := []int64{pub, body, handed, tagged, byline} // newest changed first
	for _, c := range []struct {
		name string
		q    search.Query
		want []int64
	}{
		{"a byline's word in the text", search.Query{Text: "Петров"}, []int64{byline}},
		{"a body's word", search.Query{Text: "кашалоты"}, []int64{body}},
		{"author, one word of a byline", search.Query{Author: "петров"}, []int64{byline}},
		{"author, the whole byline", search.Query{Author: "Пётр Петров"}, []int64{byline}},
		{"author, the account", search.Query{Author: "DESK@example.org", Sort: search.SortChanged}, all},
		{"tag in another spelling", search.Query{Tag: "выборы 2026"}, []int64{tagged}},
		{"tag and words", search.Query{Tag: "Выборы-2026", Text: "город"}, []int64{tagged}},
		{"tag and other words", search.Query{Tag: "Выборы-2026", Text: "паром"}, nil},
		{"handed in", search.Query{Submitted: true}, []int64{handed}},
		{"newest changed", search.Query{Sort: search.SortChanged}, all},
		{"oldest changed", search.Query{Sort: search.SortOldest}, []int64{byline, tagged, handed, body, pub}},
		{"newest published, the rest after", search.Query{Sort: search.SortPublished, Limit: 1}, []int64{pub}},
		{"a page", search.Query{Sort: search.SortChanged, Offset: 1, Limit: 2}, []int64{body, handed}},
		{"past MaxOffset, a reader", search.Query{Sort: search.SortChanged, Offset: search.MaxOffset + 1}, nil},
	} {
		if got := ids(c.q); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	r, err := x.ix.Search(ctx, search.Query{Services: []string{"ru"}, Sort: search.SortChanged, Offset: 3, Limit: 50})
	if err != nil || r.Total != 5 || len(r.Hits) != 2 {
		t.Errorf("page 2 of 3: total %d, %d hits, %v", r.Total, len(r.Hits), err)
	}
}

// TestOlderIndexRebuilt: an index made by an older version is made anew
// under a new id (so its follower rebuilds it), not read with fields it
// lacks.
func TestOlderIndexRebuilt(t *testing.T) {
	x := newFixture(t)
	x.publish(t, "ru", "Паром вернулся", "", "")
	x.catchUp(t)
	old := x.ix.CursorName()
	searchDir := filepath.Join(x.dir, "search")
	if err := x.ix.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(searchDir, "version"), []byte("1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ix, err := search.Open(searchDir, x.store, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if ix.CursorName() == old {
		t.Error("an index of an older version kept its id: its follower would not rebuild it")
	}
	if n, err := ix.Count(); err != nil || n != 0 {
		t.Errorf("the index of an older version still holds %d stories (%v)", n, err)
	}
	v, err := os.ReadFile(filepath.Join(searchDir, "version"))
	if err != nil || string(v) != search.Version+"\n" {
		t.Errorf("version file %q %v", v, err)
	}
	// Opened again, the same version keeps its id.
	ix.Close()
	again, err := search.Open(searchDir, x.store, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if again.CursorName() != ix.CursorName() {
		t.Error("an index of this version was made anew")
	}
}
