package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

func testPasskeys(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	u := newUser("passkeys@example.org")
	ok(t, s.CreateUser(ctx, u), "create user")
	other := newUser("other@example.org")
	ok(t, s.CreateUser(ctx, other), "create user")

	p := &kolokol.Passkey{ID: "AAECAwQ", UserID: u.ID, Name: " рабочий ноутбук ", Credential: []byte(`{"id":"AAECAwQ","signCount":0}`)}
	ok(t, s.CreatePasskey(ctx, p), "create passkey")
	if p.CreatedAt.IsZero() || p.Name != "рабочий ноутбук" {
		t.Fatalf("created %+v", p)
	}
	got, err := s.FindPasskeys(ctx, u.ID)
	ok(t, err, "find passkeys")
	if len(got) != 1 {
		t.Fatalf("found %d passkeys", len(got))
	}
	same(t, "passkey", got[0], p)
	if none, err := s.FindPasskeys(ctx, other.ID); err != nil || none != nil {
		t.Errorf("another account's passkeys: %v %v", none, err)
	}

	// The same credential twice, even for another account, is refused.
	dup := *p
	dup.UserID = other.ID
	wantCode(t, s.CreatePasskey(ctx, &dup), kolokol.ECONFLICT, "")

	// A sign-in with the passkey records its use.
	p.Credential, p.LastUsedAt = []byte(`{"id":"AAECAwQ","signCount":7}`), time.Now().UTC().Truncate(time.Microsecond)
	ok(t, s.UseSecondFactor(ctx, u.ID, kolokol.SecondFactor{Passkey: p}), "use passkey")
	got, _ = s.FindPasskeys(ctx, u.ID)
	same(t, "used passkey", got[0], p)

	// Another account's passkey can be neither used nor deleted by id.
	theirs := *p
	theirs.UserID = other.ID
	wantCode(t, s.UseSecondFactor(ctx, other.ID, kolokol.SecondFactor{Passkey: &theirs}), kolokol.EUNAUTHORIZED, "")
	wantCode(t, s.UseSecondFactor(ctx, other.ID, kolokol.SecondFactor{Passkey: p}), kolokol.EINVALID, "passkey")
	wantCode(t, s.DeletePasskey(ctx, other.ID, p.ID), kolokol.ENOTFOUND, "")

	for i := 1; i < kolokol.MaxPasskeys; i++ {
		ok(t, s.CreatePasskey(ctx, &kolokol.Passkey{ID: fmt.Sprintf("key%d", i), UserID: u.ID, Credential: []byte("{}")}), "create passkey %d", i)
	}
	wantCode(t, s.CreatePasskey(ctx, &kolokol.Passkey{ID: "one-too-many", UserID: u.ID, Credential: []byte("{}")}), kolokol.ECONFLICT, "")

	for _, c := range []struct {
		name  string
		p     kolokol.Passkey
		field string
	}{
		{"no id", kolokol.Passkey{UserID: u.ID, Credential: []byte("{}")}, "id"},
		{"no user", kolokol.Passkey{ID: "x", Credential: []byte("{}")}, "user_id"},
		{"unknown user", kolokol.Passkey{ID: "x", UserID: 999999, Credential: []byte("{}")}, "user_id"},
		{"no credential", kolokol.Passkey{ID: "x", UserID: other.ID}, "credential"},
		{"two-line name", kolokol.Passkey{ID: "x", UserID: other.ID, Name: "a\nb", Credential: []byte("{}")}, "name"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantCode(t, s.CreatePasskey(ctx, &c.p), kolokol.EINVALID, c.field)
		})
	}
	if got, _ := s.FindPasskeys(ctx, other.ID); len(got) != 0 {
		t.Errorf("refused passkeys were stored: %d", len(got))
	}

	ok(t, s.DeletePasskey(ctx, u.ID, p.ID), "delete passkey")
	wantCode(t, s.DeletePasskey(ctx, u.ID, p.ID), kolokol.ENOTFOUND, "")
	if got, _ := s.FindPasskeys(ctx, u.ID); len(got) != kolokol.MaxPasskeys-1 {
		t.Errorf("%d passkeys left, want %d", len(got), kolokol.MaxPasskeys-1)
	}
}
