package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

// testTokenLifecycle: tokens are listed, found by id, revoked and
// remember the day of their last use.
func testTokenLifecycle(t *testing.T, open Opener) {
	t.Run("RoundTrip", func(t *testing.T) {
		s := open(t)
		for _, tok := range []*kolokol.Token{
			{Name: "Импорт ленты", Hash: hashOf("a"), Role: kolokol.RoleReporter, Services: []string{"ru", "ka"},
				CreatedBy: "anna@example.org", ExpiresAt: at(30, 9, 0)},
			{Name: "CI", Hash: hashOf("b"), Role: kolokol.RoleAdmin, CreatedBy: "kolokol token create"},
			// What a backup restores: a token already used and revoked.
			{Name: "old", Hash: hashOf("c"), Role: kolokol.RoleEditor, Services: []string{"fa"},
				RevokedAt: at(2, 3, 4), LastUsed: kolokol.Day(at(1, 0, 0))},
		} {
			want := *tok
			ok(t, s.CreateToken(t.Context(), tok), "create token %q", tok.Name)
			want.ID, want.CreatedAt = tok.ID, tok.CreatedAt
			same(t, "created token", tok, &want)
			got, err := s.FindTokenByID(t.Context(), tok.ID)
			ok(t, err, "find token %d", tok.ID)
			same(t, "token by id", got, &want)
			got, err = s.FindTokenByHash(t.Context(), tok.Hash)
			ok(t, err, "find token by hash")
			same(t, "token by hash", got, &want)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		s := open(t)
		for _, c := range []struct {
			name  string
			tok   kolokol.Token
			field string
		}{
			{"two lines", kolokol.Token{Name: "a\nb", Hash: hashOf("1"), Role: kolokol.RoleAdmin}, "name"},
			{"expiry out of range", kolokol.Token{Name: "x", Hash: hashOf("2"), Role: kolokol.RoleAdmin,
				ExpiresAt: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)}, "expires_at"},
			{"last use at a time", kolokol.Token{Name: "x", Hash: hashOf("3"), Role: kolokol.RoleAdmin, LastUsed: at(1, 2, 3)}, "last_used"},
		} {
			t.Run(c.name, func(t *testing.T) {
				wantCode(t, s.CreateToken(t.Context(), &c.tok), kolokol.EINVALID, c.field)
				if c.tok.ID != 0 {
					t.Errorf("a refused token got ID %d", c.tok.ID)
				}
			})
		}
		list, err := s.FindTokens(t.Context())
		ok(t, err, "list tokens")
		if len(list) != 0 {
			t.Errorf("refused tokens were stored: %+v", list)
		}
	})
	t.Run("ListNewestFirst", func(t *testing.T) {
		s := open(t)
		list, err := s.FindTokens(t.Context())
		ok(t, err, "list no tokens")
		if list != nil {
			t.Fatalf("no tokens listed as %#v, want nil", list)
		}
		var made []*kolokol.Token
		for i := range 3 {
			tok := &kolokol.Token{Name: fmt.Sprintf("token %d", i), Hash: hashOf(fmt.Sprint("list", i)), Role: kolokol.RoleEditor,
				Services: []string{"ru"}, CreatedBy: "admin@example.org"}
			ok(t, s.CreateToken(t.Context(), tok), "create token %d", i)
			made = append(made, tok)
		}
		list, err = s.FindTokens(t.Context())
		ok(t, err, "list tokens")
		slices.Reverse(made)
		same(t, "tokens", list, made)
	})
	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		_, err := s.FindTokenByID(t.Context(), 7)
		wantCode(t, err, kolokol.ENOTFOUND, "")
		wantCode(t, s.RevokeToken(t.Context(), 7, at(1, 0, 0)), kolokol.ENOTFOUND, "")
		wantCode(t, s.RecordTokenUse(t.Context(), 7, at(1, 0, 0)), kolokol.ENOTFOUND, "")
	})
	t.Run("Revoke", func(t *testing.T) {
		s := open(t)
		tok := &kolokol.Token{Name: "leaked", Hash: hashOf("leaked"), Role: kolokol.RoleEditor, Services: []string{"ru"}}
		other := &kolokol.Token{Name: "kept", Hash: hashOf("kept"), Role: kolokol.RoleEditor, Services: []string{"ru"}}
		ok(t, s.CreateToken(t.Context(), tok), "create token")
		ok(t, s.CreateToken(t.Context(), other), "create other token")
		wantCode(t, s.RevokeToken(t.Context(), tok.ID, time.Time{}), kolokol.EINVALID, "revoked_at")

		ok(t, s.RevokeToken(t.Context(), tok.ID, at(5, 10, 0).In(time.FixedZone("Tbilisi", 4*3600))), "revoke")
		want := *tok
		want.RevokedAt = at(5, 10, 0)
		// Still found by its hash, so that whoever sends it learns why it
		// no longer works.
		got, err := s.FindTokenByHash(t.Context(), tok.Hash)
		ok(t, err, "find revoked token")
		same(t, "revoked token", got, &want)

		ok(t, s.RevokeToken(t.Context(), tok.ID, at(6, 10, 0)), "revoke again")
		got, err = s.FindTokenByID(t.Context(), tok.ID)
		ok(t, err, "find token revoked twice")
		same(t, "token revoked twice", got, &want)

		got, err = s.FindTokenByID(t.Context(), other.ID)
		ok(t, err, "find other token")
		same(t, "other token", got, other)
	})
	t.Run("LastUse", func(t *testing.T) {
		s := open(t)
		tok := &kolokol.Token{Name: "script", Hash: hashOf("script"), Role: kolokol.RoleEditor, Services: []string{"ru"}}
		other := &kolokol.Token{Name: "idle", Hash: hashOf("idle"), Role: kolokol.RoleEditor, Services: []string{"ru"}}
		ok(t, s.CreateToken(t.Context(), tok), "create token")
		ok(t, s.CreateToken(t.Context(), other), "create other token")
		tehran := time.FixedZone("Tehran", 12600)
		for _, c := range []struct {
			name string
			at   time.Time
			want time.Time
		}{
			{"first use", at(10, 9, 30), kolokol.Day(at(10, 0, 0))},
			{"later that day", at(10, 23, 59), kolokol.Day(at(10, 0, 0))},
			// 01:00 on the 11th in Tehran is the 10th in UTC.
			{"same UTC day elsewhere", time.Date(2024, time.October, 11, 1, 0, 0, 0, tehran), kolokol.Day(at(10, 0, 0))},
			{"next day", at(11, 0, 1), kolokol.Day(at(11, 0, 0))},
			{"a clock behind", at(9, 12, 0), kolokol.Day(at(11, 0, 0))},
		} {
			ok(t, s.RecordTokenUse(t.Context(), tok.ID, c.at), "%s: record use", c.name)
			got, err := s.FindTokenByID(t.Context(), tok.ID)
			ok(t, err, "%s: find token", c.name)
			want := *tok
			want.LastUsed = c.want
			same(t, c.name, got, &want)
		}
		got, err := s.FindTokenByID(t.Context(), other.ID)
		ok(t, err, "find other token")
		same(t, "unused token", got, other)
	})
	// Two admins revoking at once, with a script using the token: one
	// revocation time stands, and the use does not undo it.
	t.Run("ConcurrentRevoke", func(t *testing.T) {
		s := open(t)
		tok := &kolokol.Token{Name: "shared", Hash: hashOf("shared"), Role: kolokol.RoleAdmin}
		ok(t, s.CreateToken(t.Context(), tok), "create token")
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		var times []time.Time
		for i := range 8 {
			when := at(1+i, 12, 0)
			times = append(times, when)
			wg.Go(func() { errs <- s.RevokeToken(t.Context(), tok.ID, when) })
			wg.Go(func() { errs <- s.RecordTokenUse(t.Context(), tok.ID, when) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			ok(t, err, "revoke or use concurrently")
		}
		got, err := s.FindTokenByID(t.Context(), tok.ID)
		ok(t, err, "find token")
		if !slices.ContainsFunc(times, got.RevokedAt.Equal) {
			t.Errorf("RevokedAt = %v, want one of the revocation times", got.RevokedAt)
		}
		if got.LastUsed.IsZero() {
			t.Error("no use was recorded")
		}
		ok(t, s.RevokeToken(t.Context(), tok.ID, at(20, 0, 0)), "revoke once more")
		again, err := s.FindTokenByID(t.Context(), tok.ID)
		ok(t, err, "find token")
		same(t, "token after a later revocation", again, got)
	})
}
