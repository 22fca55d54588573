package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/kolokol/kolokol"
)

// testDesks: an account keeps a role per service; one given one role for
// its services (as before desks) has it on each; a refused change stores
// nothing of itself.
func testDesks(t *testing.T, open Opener) {
	ctx := t.Context()
	s := open(t)
	mixed := &kolokol.User{Email: "aziz@example.org", Name: "Азиз", Role: kolokol.RoleReporter,
		Desks: []kolokol.Desk{{Service: "ru", Role: kolokol.RoleEditor}, {Service: "ka", Role: kolokol.RoleReporter}}}
	ok(t, s.CreateUser(ctx, mixed), "create an account with two desks")
	want := []kolokol.Desk{{Service: "ka", Role: kolokol.RoleReporter}, {Service: "ru", Role: kolokol.RoleEditor}}
	if !slices.Equal(mixed.Desks, want) || mixed.Role != kolokol.RoleEditor || fmt.Sprint(mixed.Services) != "[ka ru]" {
		t.Errorf("created with desks %v, role %s, services %v", mixed.Desks, mixed.Role, mixed.Services)
	}
	old := &kolokol.User{Email: "old@example.org", Role: kolokol.RoleEditor, Services: []string{"fa", "en"}}
	ok(t, s.CreateUser(ctx, old), "create an account with one role")
	admin := &kolokol.User{Email: "root@example.org", Role: kolokol.RoleAdmin}
	ok(t, s.CreateUser(ctx, admin), "create a global admin")

	got := findUser(t, s, mixed.ID)
	same(t, "mixed desks by id", got, mixed)
	byEmail, err := s.FindUserByEmail(ctx, "aziz@example.org")
	ok(t, err, "find by email")
	same(t, "mixed desks by email", byEmail, mixed)
	if d := findUser(t, s, old.ID).Desks; fmt.Sprint(d) != "[en=editor fa=editor]" {
		t.Errorf("one role on two services is stored as desks %v", d)
	}
	if d := findUser(t, s, admin.ID).Desks; d != nil {
		t.Errorf("a global admin has desks %v", d)
	}
	all, err := s.FindUsers(ctx)
	ok(t, err, "find users")
	for _, u := range all {
		if u.ID == mixed.ID {
			same(t, "mixed desks in the list", u, mixed)
		}
	}

	// Promoted on ka, taken off ru.
	next := findUser(t, s, mixed.ID)
	next.Desks = []kolokol.Desk{{Service: "ka", Role: kolokol.RoleAdmin}}
	ok(t, s.UpdateUser(ctx, next), "change desks")
	if got := findUser(t, s, mixed.ID); fmt.Sprint(got.Desks) != "[ka=admin]" || got.Role != kolokol.RoleAdmin || fmt.Sprint(got.Services) != "[ka]" {
		t.Errorf("after the change: desks %v, role %s, services %v", got.Desks, got.Role, got.Services)
	}

	before := findUser(t, s, mixed.ID)
	for _, c := range []struct {
		name, field string
		desks       []kolokol.Desk
	}{
		{"two roles on one service", "desks", []kolokol.Desk{{Service: "ru", Role: kolokol.RoleEditor}, {Service: "ru", Role: kolokol.RoleReporter}}},
		{"no such role", "desks", []kolokol.Desk{{Service: "ru", Role: "chief"}}},
		{"no such service code", "services", []kolokol.Desk{{Service: "Русский", Role: kolokol.RoleEditor}}},
	} {
		bad := findUser(t, s, mixed.ID)
		bad.Desks = c.desks
		wantCode(t, s.UpdateUser(ctx, bad), kolokol.EINVALID, c.field)
		if !slices.Equal(bad.Desks, c.desks) {
			t.Errorf("%s: the refused value was changed to %v", c.name, bad.Desks)
		}
		same(t, c.name+": stored", findUser(t, s, mixed.ID), before)
	}
	stale := findUser(t, s, mixed.ID)
	stale.Version--
	stale.Desks = []kolokol.Desk{{Service: "ru", Role: kolokol.RoleReporter}}
	wantCode(t, s.UpdateUser(ctx, stale), kolokol.ECONFLICT, "")
	same(t, "after a stale update", findUser(t, s, mixed.ID), before)
	wantCode(t, s.CreateUser(ctx, &kolokol.User{Email: "two@example.org", Role: kolokol.RoleEditor,
		Desks: []kolokol.Desk{{Service: "ru", Role: kolokol.RoleEditor}, {Service: "ru", Role: kolokol.RoleAdmin}}}), kolokol.EINVALID, "desks")
	if _, err := s.FindUserByEmail(ctx, "two@example.org"); !kolokol.IsNotFound(err) {
		t.Errorf("a refused account was stored: %v", err)
	}
}

// testNotifications: a submitted draft tells the editors and admins of its
// desk, and no one else; each recipient reads and clears their own.
func testNotifications(t *testing.T, open Opener) {
	ctx := t.Context()
	s := open(t)
	mk := func(email string, disabled bool, desks ...kolokol.Desk) *kolokol.User {
		u := &kolokol.User{Email: email, Name: "Имя " + email, Role: kolokol.RoleAdmin, Desks: desks, Disabled: disabled}
		ok(t, s.CreateUser(ctx, u), "create %s", email)
		return u
	}
	desk := func(service string, r kolokol.Role) kolokol.Desk { return kolokol.Desk{Service: service, Role: r} }
	editor := mk("editor@example.org", false, desk("ru", kolokol.RoleEditor))
	deskAdmin := mk("admin.ru@example.org", false, desk("ru", kolokol.RoleAdmin), desk("ka", kolokol.RoleReporter))
	reporter := mk("reporter@example.org", false, desk("ru", kolokol.RoleReporter), desk("ka", kolokol.RoleEditor))
	mk("gone@example.org", true, desk("ru", kolokol.RoleEditor))
	mk("other@example.org", false, desk("fa", kolokol.RoleEditor))
	global := mk("root@example.org", false)
	submitter := mk("aziz@example.org", false, desk("ru", kolokol.RoleEditor))

	n := kolokol.Notification{Kind: kolokol.NotifySubmitted, Service: "ru", ArticleID: 7, Actor: "Азиз", Headline: "Заголовок «в кавычках»"}
	roles := []kolokol.Role{kolokol.RoleEditor, kolokol.RoleAdmin}
	sent, err := s.NotifyDesk(ctx, n, roles, submitter.Email)
	ok(t, err, "notify the ru desk")
	var to []int64
	for _, x := range sent {
		to = append(to, x.UserID)
		stamped(t, "CreatedAt", x.CreatedAt)
		if x.ID <= 0 || x.Headline != n.Headline || x.Actor != n.Actor || x.ArticleID != 7 || !x.ReadAt.IsZero() {
			t.Errorf("stored %+v", x)
		}
	}
	slices.Sort(to)
	if wantTo := []int64{editor.ID, deskAdmin.ID}; !slices.Equal(to, wantTo) {
		t.Errorf("told accounts %v, want the ru editor and the ru admin %v", to, wantTo)
	}
	for _, u := range []*kolokol.User{reporter, global, submitter} {
		if c, err := s.CountUnread(ctx, u.ID); err != nil || c != 0 {
			t.Errorf("%s has %d unread (%v), want 0", u.Email, c, err)
		}
	}
	// On ka the same reporter is an editor, and is told.
	n2 := n
	n2.Service, n2.ArticleID = "ka", 8
	_, err = s.NotifyDesk(ctx, n2, roles, "")
	ok(t, err, "notify the ka desk")
	if c, err := s.CountUnread(ctx, reporter.ID); err != nil || c != 1 {
		t.Errorf("the ka editor has %d unread (%v), want 1", c, err)
	}
	if c, err := s.CountUnread(ctx, deskAdmin.ID); err != nil || c != 1 {
		t.Errorf("a ka reporter was told of a ka submission: %d unread (%v)", c, err)
	}

	list, err := s.FindNotifications(ctx, editor.ID)
	ok(t, err, "list")
	if len(list) != 1 || list[0].UserID != editor.ID || list[0].Service != "ru" {
		t.Fatalf("the editor's notifications: %+v", list)
	}
	// Another account's id is ignored.
	ok(t, s.MarkRead(ctx, reporter.ID, []int64{list[0].ID}, at(3, 10, 0)), "mark another's read")
	if c, _ := s.CountUnread(ctx, editor.ID); c != 1 {
		t.Errorf("another account marked the editor's notification read")
	}
	ok(t, s.MarkRead(ctx, editor.ID, []int64{list[0].ID}, at(3, 10, 0)), "mark read")
	ok(t, s.MarkRead(ctx, editor.ID, nil, at(3, 11, 0)), "mark all read again")
	list, err = s.FindNotifications(ctx, editor.ID)
	ok(t, err, "list")
	if c, _ := s.CountUnread(ctx, editor.ID); c != 0 || len(list) != 1 || !list[0].ReadAt.Equal(at(3, 10, 0)) {
		t.Errorf("after reading: %d unread, %+v", c, list)
	}

	bad := n
	bad.ArticleID = 0
	if _, err := s.NotifyDesk(ctx, bad, roles, ""); kolokol.ErrorCode(err) != kolokol.EINVALID {
		t.Errorf("a notification of no story: %v", err)
	}
	bad = n
	bad.Kind = "gossip"
	if _, err := s.NotifyDesk(ctx, bad, roles, ""); kolokol.ErrorCode(err) != kolokol.EINVALID {
		t.Errorf("a notification of an unknown kind: %v", err)
	}
	if c, _ := s.CountUnread(ctx, deskAdmin.ID); c != 1 {
		t.Errorf("a refused notification was stored: %d unread", c)
	}
}
