package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
)

func testSavedSearches(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	u := newUser("finder@example.org")
	ok(t, s.CreateUser(ctx, u), "create user")
	other := newUser("other@example.org")
	ok(t, s.CreateUser(ctx, other), "create user")

	mine := &kolokol.SavedSearch{UserID: u.ID, Name: "Отправлено в русскую службу", Query: "service=ru&status=submitted"}
	ok(t, s.AddSavedSearch(ctx, mine), "add saved search")
	if mine.ID == 0 || mine.CreatedAt.IsZero() {
		t.Fatalf("added %+v", mine)
	}
	drafts := &kolokol.SavedSearch{UserID: u.ID, Name: "my drafts", Query: "status=draft"}
	ok(t, s.AddSavedSearch(ctx, drafts), "add saved search")
	// Another account may use the same name.
	ok(t, s.AddSavedSearch(ctx, &kolokol.SavedSearch{UserID: other.ID, Name: "my drafts", Query: "status=draft&service=fa"}), "add another's")

	got, err := s.FindSavedSearches(ctx, u.ID)
	ok(t, err, "find saved searches")
	same(t, "saved searches by name", got, []*kolokol.SavedSearch{drafts, mine})

	// Refused: a name the account has, no name, a long one, two lines,
	// a long query, no account. Nothing is stored.
	for _, c := range []struct {
		ss          kolokol.SavedSearch
		code, field string
	}{
		{kolokol.SavedSearch{UserID: u.ID, Name: "my drafts", Query: "status=draft"}, kolokol.ECONFLICT, "name"},
		{kolokol.SavedSearch{UserID: u.ID, Name: " ", Query: ""}, kolokol.EINVALID, "name"},
		{kolokol.SavedSearch{UserID: u.ID, Name: strings.Repeat("я", kolokol.MaxSavedSearchName+1)}, kolokol.EINVALID, "name"},
		{kolokol.SavedSearch{UserID: u.ID, Name: "a\nb"}, kolokol.EINVALID, "name"},
		{kolokol.SavedSearch{UserID: u.ID, Name: "long", Query: strings.Repeat("q", kolokol.MaxSavedSearchQuery+1)}, kolokol.EINVALID, "query"},
		{kolokol.SavedSearch{UserID: u.ID, Name: "bad", Query: "q=\xff"}, kolokol.EINVALID, "query"},
		{kolokol.SavedSearch{UserID: other.ID + 1000, Name: "nobody's"}, kolokol.EINVALID, "user_id"},
	} {
		ss := c.ss
		wantCode(t, s.AddSavedSearch(ctx, &ss), c.code, c.field)
		if ss.ID != 0 {
			t.Errorf("%q: refused but given id %d", c.ss.Name, ss.ID)
		}
	}
	if got, _ := s.FindSavedSearches(ctx, u.ID); len(got) != 2 {
		t.Errorf("after refused adds: %d searches", len(got))
	}

	// Another account's search is not deleted by id.
	wantCode(t, s.DeleteSavedSearch(ctx, other.ID, mine.ID), kolokol.ENOTFOUND, "")
	ok(t, s.DeleteSavedSearch(ctx, u.ID, mine.ID), "delete saved search")
	wantCode(t, s.DeleteSavedSearch(ctx, u.ID, mine.ID), kolokol.ENOTFOUND, "")
	got, _ = s.FindSavedSearches(ctx, u.ID)
	same(t, "after delete", got, []*kolokol.SavedSearch{drafts})

	// At most MaxSavedSearches each.
	for i := 1; i < kolokol.MaxSavedSearches; i++ {
		ok(t, s.AddSavedSearch(ctx, &kolokol.SavedSearch{UserID: u.ID, Name: fmt.Sprintf("search %02d", i)}), "add search %d", i)
	}
	wantCode(t, s.AddSavedSearch(ctx, &kolokol.SavedSearch{UserID: u.ID, Name: "one too many"}), kolokol.EINVALID, "")
}

func testHomeDesk(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	newsroom(t, s)
	u := newUser("home@example.org")
	ok(t, s.CreateUser(ctx, u), "create user")
	if h, err := s.FindHomeDesk(ctx, u.ID); err != nil || h != "" {
		t.Fatalf("a new account's home desk: %q %v", h, err)
	}
	ok(t, s.SetHomeDesk(ctx, u.ID, "fa"), "set home desk")
	if h, err := s.FindHomeDesk(ctx, u.ID); err != nil || h != "fa" {
		t.Errorf("home desk: %q %v, want fa", h, err)
	}
	// The rest of the account is as it was, and an update of the account
	// keeps the home desk.
	same(t, "account after a home desk", findUser(t, s, u.ID), u)
	u.Name = "Другое имя"
	ok(t, s.UpdateUser(ctx, u), "update user")
	if h, _ := s.FindHomeDesk(ctx, u.ID); h != "fa" {
		t.Errorf("home desk after an account update: %q", h)
	}
	wantCode(t, s.SetHomeDesk(ctx, u.ID, "xx"), kolokol.EINVALID, "service")
	if h, _ := s.FindHomeDesk(ctx, u.ID); h != "fa" {
		t.Errorf("home desk after a refused change: %q", h)
	}
	ok(t, s.SetHomeDesk(ctx, u.ID, ""), "forget home desk")
	if h, _ := s.FindHomeDesk(ctx, u.ID); h != "" {
		t.Errorf("forgotten home desk: %q", h)
	}
	wantCode(t, s.SetHomeDesk(ctx, u.ID+1000, "ru"), kolokol.ENOTFOUND, "")
	_, err := s.FindHomeDesk(ctx, u.ID+1000)
	wantCode(t, err, kolokol.ENOTFOUND, "")
}

// testDashboardLists: several services at once, and the orders by last
// change, with counts and pages.
func testDashboardLists(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	newsroom(t, s)
	createService(t, s, "ka")
	var ids []int64
	for i, svc := range []string{"ru", "fa", "ka", "ru", "fa", "ru"} {
		a := createArticle(t, s, newArticle(svc, fmt.Sprintf("Статья %d", i)))
		ids = append(ids, a.ID)
	}
	// The first story is changed last.
	a := findArticle(t, s, ids[0])
	a.Headline = "Статья 0, исправлено"
	ok(t, s.UpdateArticle(ctx, a), "update article")
	list := func(f kolokol.ArticleFilter) []int64 {
		t.Helper()
		as, err := s.FindArticles(ctx, f)
		ok(t, err, "find articles %+v", f)
		var out []int64
		for _, a := range as {
			out = append(out, a.ID)
		}
		return out
	}
	two := []string{"ru", "fa"}
	for _, c := range []struct {
		f    kolokol.ArticleFilter
		want []int64
	}{
		{kolokol.ArticleFilter{Services: two}, []int64{ids[5], ids[4], ids[3], ids[1], ids[0]}},
		{kolokol.ArticleFilter{Services: two, Order: kolokol.OrderChanged}, []int64{ids[0], ids[5], ids[4], ids[3], ids[1]}},
		{kolokol.ArticleFilter{Services: two, Order: kolokol.OrderOldest}, []int64{ids[1], ids[3], ids[4], ids[5], ids[0]}},
		{kolokol.ArticleFilter{Services: two, Order: kolokol.OrderChanged, Offset: 2, Limit: 2}, []int64{ids[4], ids[3]}},
		{kolokol.ArticleFilter{Services: []string{"ka"}, Order: kolokol.OrderChanged}, []int64{ids[2]}},
		{kolokol.ArticleFilter{Service: "ru", Order: kolokol.OrderOldest}, []int64{ids[3], ids[5], ids[0]}},
	} {
		if got := list(c.f); !slices.Equal(got, c.want) {
			t.Errorf("%+v: %v, want %v", c.f, got, c.want)
		}
	}
	if n := countArticles(t, s, kolokol.ArticleFilter{Services: two}); n != 5 {
		t.Errorf("count of two services: %d, want 5", n)
	}
	_, err := s.FindArticles(ctx, kolokol.ArticleFilter{Order: "sideways"})
	wantCode(t, err, kolokol.EINVALID, "order")
}
