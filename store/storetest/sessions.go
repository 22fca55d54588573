package storetest

import (
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

func testSessionRoundTrips(t *testing.T, open Opener) {
	s := open(t)
	u := newUser("anna@example.org")
	ok(t, s.CreateUser(t.Context(), u), "create user")

	// Times the caller sets come back as instants in UTC, whatever the zone.
	tbilisi := time.FixedZone("Tbilisi", 4*3600)
	given := &kolokol.Session{ID: sessionID("given"), UserID: u.ID, CreatedAt: at(1, 9, 0).In(tbilisi),
		LastSeenAt: at(1, 9, 5).In(tbilisi), ExpiresAt: at(1, 21, 0).In(tbilisi)}
	want := *given
	ok(t, s.CreateSession(t.Context(), given), "create session")
	got, err := s.FindSession(t.Context(), given.ID)
	ok(t, err, "find session")
	same(t, "session", got, &want)

	// The store stamps the start, and the last activity is the start.
	fresh := &kolokol.Session{ID: sessionID("fresh"), UserID: u.ID, ExpiresAt: time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond)}
	ok(t, s.CreateSession(t.Context(), fresh), "create session")
	stamped(t, "CreatedAt", fresh.CreatedAt)
	if !fresh.LastSeenAt.Equal(fresh.CreatedAt) {
		t.Errorf("LastSeenAt = %v, want CreatedAt %v", fresh.LastSeenAt, fresh.CreatedAt)
	}
	got, err = s.FindSession(t.Context(), fresh.ID)
	ok(t, err, "find session")
	same(t, "stamped session", got, fresh)

	// The store does not judge expiry: the caller does.
	old := &kolokol.Session{ID: sessionID("old"), UserID: u.ID, CreatedAt: at(1, 0, 0), ExpiresAt: at(1, 1, 0)}
	ok(t, s.CreateSession(t.Context(), old), "create an expired session")
	if _, err := s.FindSession(t.Context(), old.ID); err != nil {
		t.Errorf("an expired session is not returned: %v", err)
	}

	// Refusals change nothing, stored or in hand.
	for _, tt := range []struct {
		name, code, field string
		sess              kolokol.Session
	}{
		{"known id", kolokol.ECONFLICT, "", kolokol.Session{ID: given.ID, UserID: u.ID, ExpiresAt: at(2, 0, 0)}},
		{"unknown user", kolokol.EINVALID, "user_id", kolokol.Session{ID: sessionID("ghost"), UserID: 999, ExpiresAt: at(2, 0, 0)}},
		{"raw cookie", kolokol.EINVALID, "id", kolokol.Session{ID: "cookie-value", UserID: u.ID, ExpiresAt: at(2, 0, 0)}},
		{"no expiry", kolokol.EINVALID, "expires_at", kolokol.Session{ID: sessionID("x"), UserID: u.ID}},
	} {
		sess := tt.sess
		wantCode(t, s.CreateSession(t.Context(), &sess), tt.code, tt.field)
		same(t, tt.name+": caller's session", &sess, &tt.sess)
	}
	got, err = s.FindSession(t.Context(), given.ID)
	ok(t, err, "find session")
	same(t, "session after refusals", got, &want)
	_, err = s.FindSession(t.Context(), sessionID("ghost"))
	wantCode(t, err, kolokol.ENOTFOUND, "")

	wantCode(t, s.TouchSession(t.Context(), given.ID, time.Time{}), kolokol.EINVALID, "last_seen_at")
	seen := at(1, 10, 0).In(tbilisi)
	ok(t, s.TouchSession(t.Context(), given.ID, seen), "touch")
	want.LastSeenAt = seen
	got, err = s.FindSession(t.Context(), given.ID)
	ok(t, err, "find session")
	same(t, "touched session", got, &want)

	// Deleting what is not there is not an error.
	ok(t, s.DeleteSession(t.Context(), sessionID("never")), "delete an unknown session")
	ok(t, s.DeleteUserSessions(t.Context(), 999), "sign out a user without sessions")
	ok(t, s.DeleteUserSessions(t.Context(), u.ID), "sign out everywhere")
	for _, id := range []string{given.ID, fresh.ID, old.ID} {
		_, err := s.FindSession(t.Context(), id)
		wantCode(t, err, kolokol.ENOTFOUND, "")
	}
	wantCode(t, s.TouchSession(t.Context(), given.ID, seen), kolokol.ENOTFOUND, "")
}
