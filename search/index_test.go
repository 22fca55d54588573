package search_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/changelog"
	"github.com/kolokol/kolokol/search"
	"github.com/kolokol/kolokol/store/sqlite"
)

// fixture is a store with services, an index and its follower.
type fixture struct {
	store *sqlite.Store
	ix    *search.Index
	f     *changelog.Follower
	dir   string
}

var services = []*kolokol.Service{
	{Code: "en", Tag: "en", Script: "Latn", Direction: kolokol.LTR, Name: "English", TimeZone: "Europe/London"},
	{Code: "ru", Tag: "ru", Script: "Cyrl", Direction: kolokol.LTR, Name: "Русский", TimeZone: "Europe/Moscow"},
	{Code: "uk", Tag: "uk", Script: "Cyrl", Direction: kolokol.LTR, Name: "Українська", TimeZone: "Europe/Kyiv"},
	{Code: "fa", Tag: "fa-IR", Script: "Arab", Direction: kolokol.RTL, Name: "فارسی", TimeZone: "Asia/Tehran"},
	{Code: "ka", Tag: "ka", Script: "Geor", Direction: kolokol.LTR, Name: "ქართული", TimeZone: "Asia/Tbilisi"},
	{Code: "sr", Tag: "sr-Latn", Script: "Latn", Direction: kolokol.LTR, Name: "Srpski", TimeZone: "Europe/Belgrade"},
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := sqlite.Open(ctx, filepath.Join(dir, "kolokol.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, sv := range services {
		c := *sv
		if err := s.CreateService(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	ix, err := search.Open(filepath.Join(dir, "search"), s, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	f := changelog.New(s, ix.CursorName(), changelog.Consumer{Apply: ix.Apply, Rebuild: ix.Rebuild}, nil)
	if err := f.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return &fixture{store: s, ix: ix, f: f, dir: dir}
}

func (x *fixture) publish(t testing.TB, service, headline, summary, body string) *kolokol.Article {
	t.Helper()
	a := &kolokol.Article{Service: service, Headline: headline, Summary: summary, Body: body,
		Status: kolokol.StatusPublished, PublishedAt: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC), CreatedBy: "desk@example.org"}
	a.Normalize()
	if err := x.store.CreateArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

func (x *fixture) catchUp(t testing.TB) {
	t.Helper()
	if _, err := x.f.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (x *fixture) find(t testing.TB, service, q string) []int64 {
	t.Helper()
	var ss []string
	if service != "" {
		ss = []string{service}
	}
	r, err := x.ix.Search(context.Background(), search.Query{Text: q, Services: ss, Status: kolokol.StatusPublished})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, h := range r.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

func TestFollowChanges(t *testing.T) {
	x := newFixture(t)
	a := x.publish(t, "ru", "Навальный вышел на свободу", "Оппозиционер", "Текст")
	x.publish(t, "ru", "Погода в Москве", "Снег", "Холодно")
	x.catchUp(t)
	if got := x.find(t, "ru", "навального"); len(got) != 1 || got[0] != a.ID {
		t.Fatalf("a published story is found: %v", got)
	}
	if got := x.find(t, "ru", "Navalny"); len(got) != 1 || got[0] != a.ID {
		t.Fatalf("a Latin spelling finds the Cyrillic: %v", got)
	}
	if got := x.find(t, "", "Navalny"); len(got) != 1 {
		t.Fatalf("a search of every service finds it: %v", got)
	}
	// An edit: the old words are gone, the new ones found.
	a.Headline, a.EditedBy = "Суд в Москве", "desk@example.org"
	if err := x.store.UpdateArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	x.catchUp(t)
	if got := x.find(t, "ru", "суд"); len(got) != 1 || got[0] != a.ID {
		t.Fatalf("the edit is found: %v", got)
	}
	if got := x.find(t, "ru", "навальный"); len(got) != 0 {
		t.Fatalf("the old headline is not: %v", got)
	}
	// Unpublished: gone from readers' search, still in the newsroom's.
	a.Status = kolokol.StatusUnpublished
	if err := x.store.UpdateArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	x.catchUp(t)
	if got := x.find(t, "ru", "суд"); len(got) != 0 {
		t.Fatalf("an unpublished story is not found: %v", got)
	}
	r, err := x.ix.Search(context.Background(), search.Query{Text: "суд", Services: []string{"ru"}, Status: kolokol.StatusUnpublished})
	if err != nil || len(r.Hits) != 1 {
		t.Fatalf("the newsroom finds it: %v %v", r, err)
	}
}

func TestRebuildAndReopen(t *testing.T) {
	x := newFixture(t)
	x.publish(t, "en", "Elections in Georgia", "Votes counted", "")
	// Rebuild from the store, without the follower.
	if err := x.ix.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := x.find(t, "en", "election"); len(got) != 1 {
		t.Fatalf("rebuilt: %v", got)
	}
}

// TestBadInput: whatever a reader types, a search answers, with results or
// none, never an error.
func TestBadInput(t *testing.T) {
	x := newFixture(t)
	x.publish(t, "en", "Budget passes parliament", "A vote", "")
	x.catchUp(t)
	huge := make([]byte, 100000)
	for i := range huge {
		huge[i] = 'a' + byte(i%26)
		if i%7 == 0 {
			huge[i] = ' '
		}
	}
	for _, q := range []string{"", "   ", `"budget`, "budget*", "budg~2", "budget AND parliament", "budget OR", "+budget -vote",
		"/bud.*/", "(((", "\xff\xfe", "\"\"\"", "field:budget", string(huge), "the of and"} {
		r, err := x.ix.Search(context.Background(), search.Query{Text: q, Status: kolokol.StatusPublished})
		if err != nil {
			t.Errorf("%.40q: %v", q, err)
			continue
		}
		_ = r
	}
	if got := x.find(t, "en", `"budget" AND parliament*`); len(got) != 1 {
		t.Errorf("operators are words' punctuation: %v", got)
	}
	r, err := x.ix.Search(context.Background(), search.Query{Text: "budget", Offset: 1 << 30})
	if err != nil || len(r.Hits) != 0 {
		t.Errorf("deep page: %v %v", r, err)
	}
}

func TestMarks(t *testing.T) {
	m := search.NewMatcher(search.NewAnalyzer("ru"), "Navalny суда")
	var marked []string
	for _, r := range m.Marks("Суд над Навальным, суды") {
		if r.Mark {
			marked = append(marked, r.Text)
		}
	}
	if len(marked) != 3 || marked[0] != "Суд" || marked[1] != "Навальным" || marked[2] != "суды" {
		t.Errorf("marked %q", marked)
	}
}

// TestFilters: the newsroom's filters, alone and with words, and what a
// hit carries to be shown without the store.
func TestFilters(t *testing.T) {
	x := newFixture(t)
	ctx := context.Background()
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i, sec := range []string{"world", "sport"} {
		if err := x.store.CreateSection(ctx, &kolokol.Section{Service: "en", Slug: sec, Name: sec, Position: i}); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(headline, section, by string, status kolokol.Status, published time.Time) *kolokol.Article {
		a := &kolokol.Article{Service: "en", Headline: headline, Summary: "A summary of " + headline, Body: "Body text.",
			Section: section, Status: status, PublishedAt: published, CreatedBy: "desk@example.org", Bylines: []string{by}}
		a.Normalize()
		if err := x.store.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	old := mk("Floods in the north", "world", "Ana Reporter", kolokol.StatusPublished, day)
	recent := mk("Floods reach the capital", "world", "Ben Writer", kolokol.StatusPublished, day.AddDate(0, 0, 3))
	sport := mk("Cup final tonight", "sport", "Ana Reporter", kolokol.StatusPublished, day.AddDate(0, 0, 1))
	draft := mk("Floods: what comes next", "world", "Ben Writer", kolokol.StatusDraft, time.Time{})
	x.catchUp(t)
	for _, c := range []struct {
		name string
		q    search.Query
		want []int64
	}{
		{"words and status", search.Query{Text: "floods", Status: kolokol.StatusPublished}, []int64{old.ID, recent.ID}},
		{"every status", search.Query{Text: "floods"}, nil}, // three: order by score, checked by length below
		{"section alone, newest first", search.Query{Section: "world", Status: kolokol.StatusPublished}, []int64{recent.ID, old.ID}},
		{"author, any case", search.Query{Author: "ana REPORTER"}, []int64{sport.ID, old.ID}},
		{"author by account", search.Query{Author: "Desk@Example.org", Section: "sport"}, []int64{sport.ID}},
		{"from, inclusive", search.Query{Text: "floods", Status: kolokol.StatusPublished, From: day.AddDate(0, 0, 1)}, []int64{recent.ID}},
		{"to, exclusive", search.Query{Status: kolokol.StatusPublished, To: day.AddDate(0, 0, 1)}, []int64{old.ID}},
		{"a draft", search.Query{Text: "comes next", Status: kolokol.StatusDraft}, []int64{draft.ID}},
		{"nothing in that section", search.Query{Text: "cup", Section: "world"}, []int64{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.q.Services = []string{"en"}
			r, err := x.ix.Search(ctx, c.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, h := range r.Hits {
				got = append(got, h.ID)
			}
			if c.q.Text != "" {
				slices.Sort(got) // best match first: the order is the scorer's
			}
			if c.want == nil {
				if len(got) != 3 {
					t.Fatalf("got %v, want the three flood stories", got)
				}
				return
			}
			if len(got) != len(c.want) || (len(got) > 0 && !slices.Equal(got, c.want)) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
	r, err := x.ix.Search(ctx, search.Query{Text: "cup", Services: []string{"en"}})
	if err != nil || len(r.Hits) != 1 {
		t.Fatalf("cup: %v %v", r, err)
	}
	h := r.Hits[0]
	if h.Headline != sport.Headline || h.Summary != sport.Summary || h.Slug != sport.Slug || h.Service != "en" ||
		h.Status != string(kolokol.StatusPublished) || !h.Date.Equal(sport.PublishedAt) {
		t.Fatalf("the hit carries what a result shows: %+v", h)
	}
}

// TestRebuildCutShort: what a rebuild killed half way leaves is cleared
// when the index is opened again; an index dir gone between the rebuild's
// two renames is a new index (a new cursor, so its follower rebuilds it),
// and an index that is whole keeps its id and its documents.
func TestRebuildCutShort(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := sqlite.Open(ctx, filepath.Join(dir, "kolokol.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	en := *services[0]
	if err := s.CreateService(ctx, &en); err != nil {
		t.Fatal(err)
	}
	a := &kolokol.Article{Service: "en", Headline: "Elections in Georgia", Status: kolokol.StatusPublished,
		PublishedAt: time.Now().UTC(), CreatedBy: "desk@example.org"}
	a.Normalize()
	if err := s.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	sdir := filepath.Join(dir, "search")
	ix, err := search.Open(sdir, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	name := ix.CursorName()
	if err := ix.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	ix.Close()
	// A rebuild killed while filling its new index.
	if err := os.MkdirAll(filepath.Join(sdir, "index.new", "store"), 0o700); err != nil {
		t.Fatal(err)
	}
	ix, err = search.Open(sdir, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := ix.Count(); n != 1 || ix.CursorName() != name {
		t.Fatalf("a whole index reopens as it was: %d documents, cursor %s (was %s)", n, ix.CursorName(), name)
	}
	ix.Close()
	if _, err := os.Stat(filepath.Join(sdir, "index.new")); !os.IsNotExist(err) {
		t.Fatalf("the half-built index is left: %v", err)
	}
	// Killed between its renames: the old index moved away, the new one
	// not yet in place.
	if err := os.Rename(filepath.Join(sdir, "index"), filepath.Join(sdir, "index.old")); err != nil {
		t.Fatal(err)
	}
	ix, err = search.Open(sdir, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if n, _ := ix.Count(); n != 0 || ix.CursorName() == name {
		t.Fatalf("an index without its directory starts afresh: %d documents, cursor %s", n, ix.CursorName())
	}
	if _, err := os.Stat(filepath.Join(sdir, "index.old")); !os.IsNotExist(err) {
		t.Fatalf("the old index is left: %v", err)
	}
}

// TestBlocksIndexed: a story is found by the words its blocks show
// readers (a pull quote, a caption, a card's text), never by a block's
// keys or a card's address.
func TestBlocksIndexed(t *testing.T) {
	x := newFixture(t)
	body := "The ferry left.\n\n```pullquote\nquote: Lighthouse keepers wept\nby: Captain Oduya\n```\n\n" +
		"```embed\nurl: https://t.me/harbourchannel/42\nprovider: telegram\ntext: Zanzibar morning crossing\n```\n"
	a := x.publish(t, "en", "Ferry", "", body)
	x.catchUp(t)
	for q, want := range map[string]bool{
		"lighthouse": true, "oduya": true, "zanzibar": true,
		"pullquote": false, "harbourchannel": false, "provider": false, "telegram": false,
	} {
		got := x.find(t, "en", q)
		if found := slices.Contains(got, a.ID); found != want {
			t.Errorf("search %q finds the story: %v, want %v", q, found, want)
		}
	}
}
