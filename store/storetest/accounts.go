package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

func newUser(email string) *kolokol.User {
	return &kolokol.User{Email: email, Name: "Лейла Ахмади", Role: kolokol.RoleEditor, Services: []string{"ru", "fa"},
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$a2V5", TOTPSecret: "JBSWY3DPEHPK3PXP", TOTPLastStep: 42,
		RecoveryHashes: []string{hashOf("one"), hashOf("two")}}
}

func sessionID(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func testUsers(t *testing.T, open Opener) {
	s := open(t)
	u := newUser("leila@example.org")
	ok(t, s.CreateUser(t.Context(), u), "create user")
	if u.ID == 0 || u.Version != 1 || u.CreatedAt.IsZero() {
		t.Fatalf("created %+v", u)
	}
	got, err := s.FindUserByEmail(t.Context(), "leila@example.org")
	ok(t, err, "find by email")
	same(t, "user", got, u)
	byID, err := s.FindUserByID(t.Context(), u.ID)
	ok(t, err, "find by id")
	same(t, "user by id", byID, u)

	wantCode(t, s.CreateUser(t.Context(), newUser("leila@example.org")), kolokol.ECONFLICT, "email")
	wantCode(t, s.CreateUser(t.Context(), newUser("Not An Email")), kolokol.EINVALID, "email")
	bad := newUser("x@example.org")
	bad.Role, bad.Services = kolokol.RoleReporter, nil
	wantCode(t, s.CreateUser(t.Context(), bad), kolokol.EINVALID, "services")
	bad = newUser("y@example.org")
	bad.PasswordHash = "plaintext"
	wantCode(t, s.CreateUser(t.Context(), bad), kolokol.EINVALID, "password_hash")
	if all, err := s.FindUsers(t.Context()); err != nil || len(all) != 1 {
		t.Fatalf("refused users were written: %d users, %v", len(all), err)
	}

	// Optimistic locking: the second of two updates from one version fails.
	a, b := *got, *got
	a.TOTPLastStep, b.Disabled = 43, true
	ok(t, s.UpdateUser(t.Context(), &a), "first update")
	wantCode(t, s.UpdateUser(t.Context(), &b), kolokol.ECONFLICT, "")
	now, _ := s.FindUserByID(t.Context(), u.ID)
	if now.TOTPLastStep != 43 || now.Disabled || now.Version != 2 {
		t.Errorf("after the conflict: %+v", now)
	}
	ghost := newUser("ghost@example.org")
	ghost.ID, ghost.Version = 999, 1
	wantCode(t, s.UpdateUser(t.Context(), ghost), kolokol.ENOTFOUND, "")
	_, err = s.FindUserByEmail(t.Context(), "nobody@example.org")
	wantCode(t, err, kolokol.ENOTFOUND, "")
}

func testSessions(t *testing.T, open Opener) {
	s := open(t)
	u := newUser("anna@example.org")
	ok(t, s.CreateUser(t.Context(), u), "create user")
	other := newUser("tomas@example.org")
	ok(t, s.CreateUser(t.Context(), other), "create user")
	exp := time.Now().Add(12 * time.Hour).UTC().Truncate(time.Microsecond)
	for i, owner := range []int64{u.ID, u.ID, other.ID} {
		sess := &kolokol.Session{ID: sessionID(fmt.Sprint(i)), UserID: owner, ExpiresAt: exp}
		ok(t, s.CreateSession(t.Context(), sess), "create session")
	}
	got, err := s.FindSession(t.Context(), sessionID("0"))
	ok(t, err, "find session")
	if got.UserID != u.ID || !got.ExpiresAt.Equal(exp) || got.LastSeenAt.IsZero() {
		t.Errorf("session %+v", got)
	}
	seen := time.Now().Add(time.Minute).UTC().Truncate(time.Microsecond)
	ok(t, s.TouchSession(t.Context(), sessionID("0"), seen), "touch")
	if got, _ := s.FindSession(t.Context(), sessionID("0")); !got.LastSeenAt.Equal(seen) {
		t.Errorf("last seen %v, want %v", got.LastSeenAt, seen)
	}
	wantCode(t, s.TouchSession(t.Context(), sessionID("nope"), seen), kolokol.ENOTFOUND, "")
	wantCode(t, s.CreateSession(t.Context(), &kolokol.Session{ID: "short", UserID: u.ID, ExpiresAt: exp}), kolokol.EINVALID, "id")
	wantCode(t, s.CreateSession(t.Context(), &kolokol.Session{ID: sessionID("x"), UserID: 999, ExpiresAt: exp}), kolokol.EINVALID, "user_id")

	ok(t, s.DeleteSession(t.Context(), sessionID("1")), "sign out")
	_, err = s.FindSession(t.Context(), sessionID("1"))
	wantCode(t, err, kolokol.ENOTFOUND, "")
	ok(t, s.DeleteUserSessions(t.Context(), u.ID), "sign out everywhere")
	_, err = s.FindSession(t.Context(), sessionID("0"))
	wantCode(t, err, kolokol.ENOTFOUND, "")
	if _, err := s.FindSession(t.Context(), sessionID("2")); err != nil {
		t.Errorf("signing one user out everywhere signed out another: %v", err)
	}
}

func testAudit(t *testing.T, open Opener) {
	s := open(t)
	entries := []kolokol.AuditEntry{
		{Actor: "anna@example.org", Action: "article.publish", Service: "ru", ArticleID: 7},
		{Actor: "wire importer", Action: "article.create", Service: "fa", ArticleID: 8, Detail: "ninjs «urn:x»"},
		{Actor: "anna@example.org", Action: "login.fail", Detail: "wrong code"},
		{Actor: "admin@example.org", Action: "user.add", Target: "tomas@example.org"},
	}
	for i := range entries {
		ok(t, s.AddAudit(t.Context(), &entries[i]), "add audit")
	}
	all, err := s.FindAudit(t.Context(), kolokol.AuditFilter{})
	ok(t, err, "find audit")
	if len(all) != 4 || all[0].ID != entries[3].ID || all[3].Detail != "" || all[2].Detail != "ninjs «urn:x»" {
		t.Fatalf("audit log %+v", all)
	}
	for _, tt := range []struct {
		f    kolokol.AuditFilter
		want int
	}{
		{kolokol.AuditFilter{Actor: "anna@example.org"}, 2},
		{kolokol.AuditFilter{Action: "login.fail"}, 1},
		{kolokol.AuditFilter{Service: "fa"}, 1},
		{kolokol.AuditFilter{ArticleID: 7}, 1},
		{kolokol.AuditFilter{Before: entries[2].ID}, 2},
		{kolokol.AuditFilter{Limit: 3}, 3},
	} {
		got, err := s.FindAudit(t.Context(), tt.f)
		if err != nil || len(got) != tt.want {
			t.Errorf("%+v: %d entries, want %d (%v)", tt.f, len(got), tt.want, err)
		}
	}
	wantCode(t, s.AddAudit(t.Context(), &kolokol.AuditEntry{Actor: "x", Action: "Publish!"}), kolokol.EINVALID, "action")
	wantCode(t, s.AddAudit(t.Context(), &kolokol.AuditEntry{Action: "article.publish"}), kolokol.EINVALID, "actor")
	if got, _ := s.FindAudit(t.Context(), kolokol.AuditFilter{}); len(got) != 4 {
		t.Errorf("refused entries were written: %d", len(got))
	}
}
