package kolokol

import (
	"context"
	"time"
)

// EditLock says which account is editing a story, so that a colleague
// who opens it is told before typing over each other (as WordPress's post
// lock does). It is advice kept by the newsroom, not a rule of the store:
// saves are still checked by version (see UpdateArticle), and the lock
// only decides whose save the newsroom applies while two have it open.
type EditLock struct {
	ArticleID int64
	UserID    int64
	// Since is when this account took the lock; refreshing it keeps it.
	Since time.Time
	// Expires is when the lock ends unless refreshed: a browser that
	// stops asking (a closed tab, a lost connection) frees it.
	Expires time.Time
	// TookFrom is the account this one took the story over from, while
	// that account's lock still held; 0 when none.
	TookFrom int64
}

// Held reports whether the lock still holds at now.
func (l EditLock) Held(now time.Time) bool { return l.UserID > 0 && now.Before(l.Expires) }

// EditLocks keeps the story locks and who has each story open, in the
// store, so that every app server sees the same.
type EditLocks interface {
	// LockArticle gives l.UserID the lock of story l.ArticleID until
	// l.Expires when no other account holds it at now, or when takeover
	// is set; the account that holds it refreshes it, keeping Since.
	// It returns the lock as it stands afterwards (someone else's when
	// it was not taken). An unknown story or account, or an Expires not
	// after now, gives EINVALID.
	LockArticle(ctx context.Context, l EditLock, now time.Time, takeover bool) (EditLock, error)
	// FindEditLock returns a story's lock, held or expired; ENOTFOUND
	// when it never had one.
	FindEditLock(ctx context.Context, articleID int64) (EditLock, error)
	// UnlockArticle ends userID's lock of a story; a lock userID does
	// not hold is left alone.
	UnlockArticle(ctx context.Context, articleID, userID int64) error
	// SeeArticle records that userID has the story open until expires,
	// forgetting whoever stopped having it open by now; ViewersOf lists
	// the accounts that have it open at now, by id.
	SeeArticle(ctx context.Context, articleID, userID int64, now, expires time.Time) error
	ViewersOf(ctx context.Context, articleID int64, now time.Time) ([]int64, error)
}
