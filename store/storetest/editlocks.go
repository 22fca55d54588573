package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

func testEditLocks(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	createService(t, s, "fa")
	a := createArticle(t, s, newArticle("fa", "یک"))
	b := createArticle(t, s, newArticle("fa", "دو"))
	aziz, maryam := newUser("aziz@example.org"), newUser("maryam@example.org")
	ok(t, s.CreateUser(ctx, aziz), "create aziz")
	ok(t, s.CreateUser(ctx, maryam), "create maryam")
	_, err := s.FindEditLock(ctx, a.ID)
	wantCode(t, err, kolokol.ENOTFOUND, "")

	t0 := at(1, 10, 2)
	lock := func(l kolokol.EditLock, now time.Time, takeover bool) kolokol.EditLock {
		t.Helper()
		got, err := s.LockArticle(ctx, l, now, takeover)
		ok(t, err, "lock story %d for %d", l.ArticleID, l.UserID)
		found, err := s.FindEditLock(ctx, l.ArticleID)
		ok(t, err, "find the lock of %d", l.ArticleID)
		same(t, "the lock found", found, got)
		return got
	}
	// Each step runs on the state the ones before left.
	for _, step := range []struct {
		what     string
		user     int64
		now      time.Duration // after t0
		ttl      time.Duration
		takeover bool
		want     kolokol.EditLock // ArticleID a; times after t0
	}{
		{"a free story is locked", aziz.ID, 0, 15 * time.Minute, false,
			kolokol.EditLock{UserID: aziz.ID, Since: t0, Expires: t0.Add(15 * time.Minute)}},
		{"its holder refreshes it, keeping since, and may shorten it", aziz.ID, time.Minute, 2 * time.Minute, false,
			kolokol.EditLock{UserID: aziz.ID, Since: t0, Expires: t0.Add(3 * time.Minute)}},
		{"a colleague is told who holds it", maryam.ID, 2 * time.Minute, 15 * time.Minute, false,
			kolokol.EditLock{UserID: aziz.ID, Since: t0, Expires: t0.Add(3 * time.Minute)}},
		{"a colleague takes it over", maryam.ID, 3*time.Minute - time.Second, 15 * time.Minute, true,
			kolokol.EditLock{UserID: maryam.ID, Since: t0.Add(3*time.Minute - time.Second), Expires: t0.Add(18*time.Minute - time.Second), TookFrom: aziz.ID}},
		{"the new holder refreshes it and still took it from aziz", maryam.ID, 4 * time.Minute, 2 * time.Minute, false,
			kolokol.EditLock{UserID: maryam.ID, Since: t0.Add(3*time.Minute - time.Second), Expires: t0.Add(6 * time.Minute), TookFrom: aziz.ID}},
		{"the one taken over from cannot take it back by refreshing", aziz.ID, 5 * time.Minute, 15 * time.Minute, false,
			kolokol.EditLock{UserID: maryam.ID, Since: t0.Add(3*time.Minute - time.Second), Expires: t0.Add(6 * time.Minute), TookFrom: aziz.ID}},
		{"an expired lock is taken by anyone, taken from no one", aziz.ID, 6 * time.Minute, 15 * time.Minute, false,
			kolokol.EditLock{UserID: aziz.ID, Since: t0.Add(6 * time.Minute), Expires: t0.Add(21 * time.Minute)}},
		{"its old holder coming back after expiry starts anew", aziz.ID, 30 * time.Minute, 2 * time.Minute, false,
			kolokol.EditLock{UserID: aziz.ID, Since: t0.Add(30 * time.Minute), Expires: t0.Add(32 * time.Minute)}},
	} {
		got := lock(kolokol.EditLock{ArticleID: a.ID, UserID: step.user, Since: t0.Add(step.now), Expires: t0.Add(step.now + step.ttl)},
			t0.Add(step.now), step.takeover)
		step.want.ArticleID = a.ID
		same(t, step.what, got, step.want)
	}
	// Locks are by story.
	got := lock(kolokol.EditLock{ArticleID: b.ID, UserID: maryam.ID, Since: t0, Expires: t0.Add(time.Minute)}, t0, false)
	same(t, "another story's lock", got.UserID, maryam.ID)

	// Only the holder unlocks.
	ok(t, s.UnlockArticle(ctx, a.ID, maryam.ID), "unlock by another")
	l, err := s.FindEditLock(ctx, a.ID)
	ok(t, err, "find after another's unlock")
	same(t, "holder after another's unlock", l.UserID, aziz.ID)
	ok(t, s.UnlockArticle(ctx, a.ID, aziz.ID), "unlock by the holder")
	_, err = s.FindEditLock(ctx, a.ID)
	wantCode(t, err, kolokol.ENOTFOUND, "")

	// Refused locks change nothing.
	for _, tt := range []struct {
		l     kolokol.EditLock
		field string
	}{
		{kolokol.EditLock{ArticleID: 999999, UserID: aziz.ID, Expires: t0.Add(time.Minute)}, "article_id"},
		{kolokol.EditLock{ArticleID: b.ID, UserID: 999999, Expires: t0.Add(time.Minute)}, "user_id"},
		{kolokol.EditLock{ArticleID: b.ID, UserID: aziz.ID, Expires: t0}, "expires"},
	} {
		_, err := s.LockArticle(ctx, tt.l, t0, true)
		wantCode(t, err, kolokol.EINVALID, tt.field)
	}
	l, err = s.FindEditLock(ctx, b.ID)
	ok(t, err, "find b")
	same(t, "b's holder after refused takeovers", l.UserID, maryam.ID)

	// Who has a story open.
	see := func(user int64, now, until time.Time) {
		t.Helper()
		ok(t, s.SeeArticle(ctx, a.ID, user, now, until), "see %d", user)
	}
	viewers := func(now time.Time) []int64 {
		t.Helper()
		ids, err := s.ViewersOf(ctx, a.ID, now)
		ok(t, err, "viewers")
		return ids
	}
	same(t, "no one has it open", viewers(t0), []int64(nil))
	see(aziz.ID, t0, t0.Add(2*time.Minute))
	see(maryam.ID, t0, t0.Add(time.Minute))
	same(t, "both have it open", viewers(t0), []int64{aziz.ID, maryam.ID})
	same(t, "maryam's view expired", viewers(t0.Add(time.Minute)), []int64{aziz.ID})
	see(maryam.ID, t0.Add(90*time.Second), t0.Add(3*time.Minute))
	same(t, "maryam is back", viewers(t0.Add(90*time.Second)), []int64{aziz.ID, maryam.ID})
	see(aziz.ID, t0.Add(100*time.Second), t0.Add(100*time.Second)) // closed the page
	same(t, "aziz closed it", viewers(t0.Add(100*time.Second)), []int64{maryam.ID})
	wantCode(t, s.SeeArticle(ctx, 999999, aziz.ID, t0, t0.Add(time.Minute)), kolokol.EINVALID, "article_id")
	wantCode(t, s.SeeArticle(ctx, a.ID, 999999, t0, t0.Add(time.Minute)), kolokol.EINVALID, "user_id")
}

// testEditLockRace opens a free story as several accounts at once: one
// holds it, and each of the others is told that one.
func testEditLockRace(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	createService(t, s, "fa")
	a := createArticle(t, s, newArticle("fa", "یک"))
	var users []int64
	for _, email := range []string{"a@example.org", "b@example.org", "c@example.org", "d@example.org"} {
		u := newUser(email)
		ok(t, s.CreateUser(ctx, u), "create %s", email)
		users = append(users, u.ID)
	}
	t0 := at(1, 10, 0)
	got := make([]kolokol.EditLock, len(users))
	errs := make([]error, len(users))
	var wg sync.WaitGroup
	for i, id := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = s.LockArticle(ctx, kolokol.EditLock{ArticleID: a.ID, UserID: id, Since: t0, Expires: t0.Add(time.Minute)}, t0, false)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		ok(t, err, "lock as %d", users[i])
	}
	holder := got[0].UserID
	if !slices.Contains(users, holder) {
		t.Fatalf("the story is held by %d, none of %v", holder, users)
	}
	for i, l := range got {
		if l.UserID != holder {
			t.Errorf("account %d was told %d holds the story, another %d", users[i], l.UserID, holder)
		}
	}
}
