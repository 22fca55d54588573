package desk

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

func TestCanManageToken(t *testing.T) {
	tests := []struct {
		name     string
		actor    kolokol.Actor
		role     kolokol.Role
		services []string
		ok       bool
	}{
		{"global admin, global admin token", globalAdmin, kolokol.RoleAdmin, nil, true},
		{"global admin, editor of ru", globalAdmin, kolokol.RoleEditor, []string{"ru"}, true},
		{"ru admin, editor of ru", ruAdmin, kolokol.RoleEditor, []string{"ru"}, true},
		{"ru admin, admin of ru", ruAdmin, kolokol.RoleAdmin, []string{"ru"}, true},
		{"ru admin, reporter of ru and fa", ruAdmin, kolokol.RoleReporter, []string{"ru", "fa"}, false},
		{"ru admin, editor of fa", ruAdmin, kolokol.RoleEditor, []string{"fa"}, false},
		{"ru admin, global admin token", ruAdmin, kolokol.RoleAdmin, nil, false},
		{"ru admin, no services", ruAdmin, kolokol.RoleReporter, nil, false},
		{"ru and fa admin, reporter of both", ruFaAdmin, kolokol.RoleReporter, []string{"fa", "ru"}, true},
		{"editor", ruEditor, kolokol.RoleReporter, []string{"ru"}, false},
		{"reporter", ruReporter, kolokol.RoleReporter, []string{"ru"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := canManageToken(tt.actor, tt.role, tt.services)
			if tt.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantErr(t, err, kolokol.EFORBIDDEN, "")
		})
	}
}

func TestCreateToken(t *testing.T) {
	tests := []struct {
		name  string
		actor kolokol.Actor
		in    TokenInput
		code  string // "" for success
		field string
	}{
		{"global admin token", globalAdmin, TokenInput{Name: "CI", Role: kolokol.RoleAdmin}, "", ""},
		{"editor of ru for 90 days", globalAdmin, TokenInput{Name: " Импорт ", Role: kolokol.RoleEditor, Services: []string{"ru", " ru"}, Lifetime: 90 * 24 * time.Hour}, "", ""},
		{"five years", globalAdmin, TokenInput{Name: "long", Role: kolokol.RoleEditor, Services: []string{"ru"}, Lifetime: MaxTokenLifetime}, "", ""},
		{"ru admin, ru token", ruAdmin, TokenInput{Name: "wire", Role: kolokol.RoleReporter, Services: []string{"ru"}}, "", ""},
		{"ru admin, fa token", ruAdmin, TokenInput{Name: "wire", Role: kolokol.RoleReporter, Services: []string{"fa"}}, kolokol.EFORBIDDEN, "services"},
		{"ru admin, every service", ruAdmin, TokenInput{Name: "all", Role: kolokol.RoleAdmin}, kolokol.EFORBIDDEN, "services"},
		{"editor", ruEditor, TokenInput{Name: "mine", Role: kolokol.RoleReporter, Services: []string{"ru"}}, kolokol.EFORBIDDEN, ""},
		{"negative lifetime", globalAdmin, TokenInput{Name: "x", Role: kolokol.RoleAdmin, Lifetime: -time.Hour}, kolokol.EINVALID, "expires"},
		{"over five years", globalAdmin, TokenInput{Name: "x", Role: kolokol.RoleAdmin, Lifetime: MaxTokenLifetime + time.Second}, kolokol.EINVALID, "expires"},
		{"unknown service", globalAdmin, TokenInput{Name: "x", Role: kolokol.RoleEditor, Services: []string{"zz"}}, kolokol.EINVALID, "services"},
		{"reporter of nothing", globalAdmin, TokenInput{Name: "x", Role: kolokol.RoleReporter}, kolokol.EINVALID, "services"},
		{"no name", globalAdmin, TokenInput{Name: " ", Role: kolokol.RoleAdmin}, kolokol.EINVALID, "name"},
		{"unknown role", globalAdmin, TokenInput{Name: "x", Role: "root"}, kolokol.EINVALID, "role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newScoped(t)
			tok, secret, err := f.CreateToken(t.Context(), tt.actor, tt.in)
			stored, lerr := f.store.FindTokens(t.Context())
			if lerr != nil {
				t.Fatal(lerr)
			}
			if tt.code != "" {
				wantErr(t, err, tt.code, tt.field)
				if tok != nil || secret != "" || len(stored) != 0 {
					t.Fatalf("a refused token was made: %+v %q %d stored", tok, secret, len(stored))
				}
				denied := f.entries(t, "token.create.denied")
				if (tt.code == kolokol.EFORBIDDEN) != (len(denied) == 1) {
					t.Errorf("refused with %s; denied entries %+v", tt.code, denied)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(secret, "kk_") || tok.Hash != kolokol.HashToken(secret) || len(stored) != 1 || stored[0].Hash != tok.Hash {
				t.Fatalf("token %+v, secret %q, stored %+v", tok, secret, stored)
			}
			if tok.CreatedBy != tt.actor.Name || tok.Name != strings.TrimSpace(tt.in.Name) || len(tok.Services) != len(dedupe(tt.in.Services)) {
				t.Errorf("token %+v", tok)
			}
			if want := f.now.Add(tt.in.Lifetime); tt.in.Lifetime == 0 && !tok.ExpiresAt.IsZero() || tt.in.Lifetime > 0 && !tok.ExpiresAt.Equal(want) {
				t.Errorf("expires %v, want %v from a lifetime of %v", tok.ExpiresAt, want, tt.in.Lifetime)
			}
			entries := f.entries(t, "token.create")
			if len(entries) != 1 || entries[0].Actor != tt.actor.Name || entries[0].Target != tok.Name {
				t.Fatalf("audit %+v", entries)
			}
			if d := entries[0].Detail; strings.Contains(d, secret) || strings.Contains(d, tok.Hash) || !strings.Contains(d, string(tok.Role)) {
				t.Errorf("audit detail %q", d)
			}
		})
	}
}

func dedupe(l []string) map[string]bool {
	m := map[string]bool{}
	for _, s := range l {
		m[strings.TrimSpace(s)] = true
	}
	return m
}

// TestTokenListAndRevoke: a service admin sees and revokes only tokens of
// their services; revoking is audited, twice is fine, and the next use is
// refused.
func TestTokenListAndRevoke(t *testing.T) {
	f := newScoped(t)
	newToken := func(name string, role kolokol.Role, services ...string) (*kolokol.Token, string) {
		t.Helper()
		tok, secret, err := f.CreateToken(t.Context(), globalAdmin, TokenInput{Name: name, Role: role, Services: services})
		if err != nil {
			t.Fatal(err)
		}
		return tok, secret
	}
	all, _ := newToken("all", kolokol.RoleAdmin)
	ru, ruSecret := newToken("ru", kolokol.RoleEditor, "ru")
	both, _ := newToken("both", kolokol.RoleReporter, "ru", "fa")
	fa, _ := newToken("fa", kolokol.RoleEditor, "fa")

	for _, c := range []struct {
		actor kolokol.Actor
		want  []int64
		code  string
	}{
		{globalAdmin, []int64{fa.ID, both.ID, ru.ID, all.ID}, ""},
		{ruAdmin, []int64{ru.ID}, ""},
		{ruFaAdmin, []int64{fa.ID, both.ID, ru.ID}, ""},
		{ruEditor, nil, kolokol.EFORBIDDEN},
	} {
		list, err := f.Tokens(t.Context(), c.actor)
		if c.code != "" {
			wantErr(t, err, c.code, "")
			continue
		}
		var ids []int64
		for _, tok := range list {
			ids = append(ids, tok.ID)
		}
		if err != nil || !slices.Equal(ids, c.want) {
			t.Fatalf("%s lists %v (%v), want %v", c.actor.Name, ids, err, c.want)
		}
	}

	for _, c := range []struct {
		name  string
		actor kolokol.Actor
		id    int64
		code  string
	}{
		{"ru admin, fa token", ruAdmin, fa.ID, kolokol.EFORBIDDEN},
		{"ru admin, token of ru and fa", ruAdmin, both.ID, kolokol.EFORBIDDEN},
		{"ru admin, global token", ruAdmin, all.ID, kolokol.EFORBIDDEN},
		{"editor, ru token", ruEditor, ru.ID, kolokol.EFORBIDDEN},
		{"unknown token", globalAdmin, fa.ID + 100, kolokol.ENOTFOUND},
	} {
		_, err := f.RevokeToken(t.Context(), c.actor, c.id)
		wantErr(t, err, c.code, "")
	}
	if denied := f.entries(t, "token.revoke.denied"); len(denied) != 4 || denied[0].Actor != ruEditor.Name || denied[0].Target != "ru" {
		t.Errorf("denied revocations: %+v", denied)
	}
	if list, _ := f.store.FindTokens(t.Context()); len(list) != 4 || !list[0].RevokedAt.IsZero() || !list[1].RevokedAt.IsZero() || !list[3].RevokedAt.IsZero() {
		t.Fatalf("a refused revocation revoked: %+v", list)
	}

	if _, err := f.AuthenticateToken(t.Context(), ruSecret); err != nil {
		t.Fatalf("before revocation: %v", err)
	}
	revokedAt := f.now
	got, err := f.RevokeToken(t.Context(), ruAdmin, ru.ID)
	if err != nil || !got.RevokedAt.Equal(revokedAt) {
		t.Fatalf("revoke: %+v %v", got, err)
	}
	f.now = f.now.Add(time.Hour)
	if again, err := f.RevokeToken(t.Context(), globalAdmin, ru.ID); err != nil || !again.RevokedAt.Equal(revokedAt) {
		t.Fatalf("revoke twice: %+v %v", again, err)
	}
	if entries := f.entries(t, "token.revoke"); len(entries) != 2 || entries[1].Actor != ruAdmin.Name || entries[1].Target != "ru" {
		t.Errorf("revocations audited as %+v", entries)
	}
	_, err = f.AuthenticateToken(t.Context(), ruSecret)
	wantErr(t, err, kolokol.EUNAUTHORIZED, "")
	if !strings.Contains(kolokol.ErrorMessage(err), "revoked on 2026-03-10") {
		t.Errorf("refusal says %q", kolokol.ErrorMessage(err))
	}
}

// TestAuthenticateToken: a token works until it expires, and its day of
// use is kept, not the time. The cases run in order, the clock forward.
func TestAuthenticateToken(t *testing.T) {
	f := newScoped(t)
	start := f.now
	tok, secret, err := f.CreateToken(t.Context(), globalAdmin, TokenInput{Name: "script", Role: kolokol.RoleEditor,
		Services: []string{"fa"}, Lifetime: 48 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		secret string
		after  time.Duration // since the token was made
		want   string        // in the refusal; "" for accepted
		used   time.Time     // LastUsed afterwards
	}{
		{"unknown secret", "kk_nobody", 0, "not valid", time.Time{}},
		{"empty secret", "", 0, "not valid", time.Time{}},
		{"first use", secret, time.Hour, "", kolokol.Day(f.now)},
		{"that evening", secret, 11 * time.Hour, "", kolokol.Day(f.now)},
		{"next day", secret, 25 * time.Hour, "", kolokol.Day(f.now.Add(25 * time.Hour))},
		{"at expiry", secret, 48 * time.Hour, "has expired", kolokol.Day(f.now.Add(25 * time.Hour))},
		{"after expiry", secret, 72 * time.Hour, "has expired", kolokol.Day(f.now.Add(25 * time.Hour))},
	} {
		t.Run(c.name, func(t *testing.T) {
			f.now = start.Add(c.after)
			got, err := f.AuthenticateToken(t.Context(), c.secret)
			if c.want == "" {
				if err != nil || got.ID != tok.ID {
					t.Fatalf("refused: %v", err)
				}
			} else {
				wantErr(t, err, kolokol.EUNAUTHORIZED, "")
				if !strings.Contains(kolokol.ErrorMessage(err), c.want) {
					t.Fatalf("refusal %q, want %q", kolokol.ErrorMessage(err), c.want)
				}
			}
			stored, err := f.store.FindTokenByID(t.Context(), tok.ID)
			if err != nil || !stored.LastUsed.Equal(c.used) {
				t.Fatalf("last used %v, want %v (%v)", stored.LastUsed, c.used, err)
			}
		})
	}
}
