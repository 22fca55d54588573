package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/kolokol/kolokol"
)

// accountsInScripts returns valid accounts whose names and addresses are in
// several scripts, with every optional field set on some and empty on
// others.
func accountsInScripts() []*kolokol.User {
	persian := newUser("maryam@example.org")
	persian.Name, persian.Services, persian.Zone = "مریم احمدی", []string{"fa"}, "Asia/Tehran"
	georgian := newUser("ნინო@მაგალითი.გე")
	georgian.Name, georgian.Role, georgian.Services = "ნინო ბერიძე", kolokol.RoleReporter, []string{"ka"}
	georgian.RecoveryHashes = nil
	cyrillic := newUser("анна@пример.рф")
	cyrillic.Name, cyrillic.Disabled = "Анна Иванова", true
	// A global admin just added: no services, no password, no second factor yet.
	admin := &kolokol.User{Email: "admin@example.org", Role: kolokol.RoleAdmin}
	return []*kolokol.User{persian, georgian, cyrillic, admin}
}

func cloneUser(u *kolokol.User) *kolokol.User {
	c := *u
	c.Services, c.RecoveryHashes = cloneList(u.Services), cloneList(u.RecoveryHashes)
	c.Desks = slices.Clone(u.Desks)
	return &c
}

func findUser(t *testing.T, s kolokol.Store, id int64) *kolokol.User {
	t.Helper()
	u, err := s.FindUserByID(t.Context(), id)
	ok(t, err, "find user %d", id)
	return u
}

func testUserRoundTrips(t *testing.T, open Opener) {
	s := open(t)
	users := accountsInScripts()
	for _, u := range users {
		ok(t, s.CreateUser(t.Context(), u), "create %s", u.Email)
		stamped(t, "CreatedAt", u.CreatedAt)
		if u.ID <= 0 || u.Version != 1 || !u.UpdatedAt.Equal(u.CreatedAt) {
			t.Errorf("created %+v", u)
		}
	}
	for _, u := range users {
		same(t, "user by id "+u.Email, findUser(t, s, u.ID), u)
		got, err := s.FindUserByEmail(t.Context(), u.Email)
		ok(t, err, "find %s", u.Email)
		same(t, "user by email "+u.Email, got, u)
	}
	// Sign-in forms send what people type.
	got, err := s.FindUserByEmail(t.Context(), "  АННА@Пример.РФ ")
	ok(t, err, "find by a differently written address")
	if got.ID != users[2].ID {
		t.Errorf("found user %d, want %d", got.ID, users[2].ID)
	}

	all, err := s.FindUsers(t.Context())
	ok(t, err, "find users")
	if len(all) != len(users) {
		t.Fatalf("%d users, want %d", len(all), len(users))
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].Email >= all[i].Email {
			t.Errorf("users not ordered by email: %q before %q", all[i-1].Email, all[i].Email)
		}
	}
	for _, u := range all {
		for _, want := range users {
			if want.ID == u.ID {
				same(t, "listed "+u.Email, u, want)
			}
		}
	}

	_, err = s.FindUserByID(t.Context(), 9999)
	wantCode(t, err, kolokol.ENOTFOUND, "")

	// A refused account leaves the caller's value as it was.
	dup := newUser("maryam@example.org")
	wantCode(t, s.CreateUser(t.Context(), dup), kolokol.ECONFLICT, "email")
	if dup.ID != 0 || dup.Version != 0 || !dup.CreatedAt.IsZero() {
		t.Errorf("a refused account was changed: %+v", dup)
	}
	upper := newUser("Maryam2@example.org")
	wantCode(t, s.CreateUser(t.Context(), upper), kolokol.EINVALID, "email")
	if n, _ := s.FindUsers(t.Context()); len(n) != len(users) {
		t.Errorf("refused accounts were stored: %d users", len(n))
	}

	if empty, err := open(t).FindUsers(t.Context()); err != nil || empty != nil {
		t.Errorf("users of an empty store: %v, %v; want nil", empty, err)
	}
}

func testUserUpdates(t *testing.T, open Opener) {
	s := open(t)
	a, b := newUser("a@example.org"), newUser("b@example.org")
	ok(t, s.CreateUser(t.Context(), a), "create a")
	ok(t, s.CreateUser(t.Context(), b), "create b")

	// Every field is written.
	u := cloneUser(a)
	// No desks: the one role is given on each service (as before desks).
	u.Email, u.Name, u.Role, u.Services, u.Desks = "a.new@example.org", "Ана Новая", kolokol.RoleAdmin, []string{"ka"}, nil
	u.PasswordHash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3a2V5"
	u.TOTPSecret, u.TOTPLastStep, u.RecoveryHashes, u.Disabled = "KRUGS4ZANFZSAYJA", 99, []string{hashOf("three")}, true
	u.Zone = "America/Argentina/Buenos_Aires"
	ok(t, s.UpdateUser(t.Context(), u), "update every field")
	if fmt.Sprint(u.Desks) != "[ka=admin]" {
		t.Errorf("the one role on one service was stored as desks %v", u.Desks)
	}
	if u.Version != 2 || u.UpdatedAt.Before(a.UpdatedAt) || !u.CreatedAt.Equal(a.CreatedAt) {
		t.Errorf("after an update: version %d, created %v, updated %v", u.Version, u.CreatedAt, u.UpdatedAt)
	}
	stamped(t, "UpdatedAt", u.UpdatedAt)
	same(t, "updated user", findUser(t, s, a.ID), u)
	_, err := s.FindUserByEmail(t.Context(), "a@example.org")
	wantCode(t, err, kolokol.ENOTFOUND, "")

	// Lists can be emptied: a global admin, recovery codes all used.
	u.Services, u.Desks, u.RecoveryHashes = nil, nil, nil
	ok(t, s.UpdateUser(t.Context(), u), "empty the lists")
	same(t, "user with empty lists", findUser(t, s, a.ID), u)

	// Refused updates change nothing, stored or in hand.
	stored := findUser(t, s, a.ID)
	for _, tt := range []struct {
		name, code, field string
		edit              func(*kolokol.User)
	}{
		{"taken email", kolokol.ECONFLICT, "email", func(x *kolokol.User) { x.Email = "b@example.org" }},
		{"uppercase email", kolokol.EINVALID, "email", func(x *kolokol.User) { x.Email = "A.New@example.org" }},
		{"editor of nothing", kolokol.EINVALID, "services", func(x *kolokol.User) { x.Role = kolokol.RoleEditor }},
		{"plain password", kolokol.EINVALID, "password_hash", func(x *kolokol.User) { x.PasswordHash = "secret" }},
		{"no such zone", kolokol.EINVALID, "zone", func(x *kolokol.User) { x.Zone = "Europe/Atlantis" }},
	} {
		x := cloneUser(stored)
		x.Name = "Изменено"
		tt.edit(x)
		before := cloneUser(x)
		wantCode(t, s.UpdateUser(t.Context(), x), tt.code, tt.field)
		same(t, tt.name+": caller's user", x, before)
		same(t, tt.name+": stored user", findUser(t, s, a.ID), stored)
	}
	same(t, "the other user", findUser(t, s, b.ID), b)

	// Of several updates from one version, exactly one is stored.
	const writers = 6
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			x := cloneUser(stored)
			x.TOTPLastStep = int64(1000 + i)
			errs[i] = s.UpdateUser(t.Context(), x)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch kolokol.ErrorCode(err) {
		case "":
			won++
		case kolokol.ECONFLICT:
		default:
			t.Errorf("concurrent update: %v", err)
		}
	}
	if got := findUser(t, s, a.ID); won != 1 || got.Version != stored.Version+1 {
		t.Errorf("%d concurrent updates won, version %d; want 1 and %d", won, got.Version, stored.Version+1)
	}
}
