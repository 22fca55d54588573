package desk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
)

// How long a story's lock lasts. A page without script tells the server
// nothing between opening the story and saving it, so opening or saving
// holds the lock for as long as an editor commonly types before saving
// (LockOpen). The editor's script asks every HeartbeatEvery, and each of
// its heartbeats holds the lock for LockLive only, a few beats: a closed
// tab frees the story in minutes, not a quarter of an hour. The first
// heartbeat follows the page at once, so with script the long hold lasts
// a moment only.
const (
	LockOpen       = 15 * time.Minute
	LockLive       = 2 * time.Minute
	HeartbeatEvery = 30 * time.Second
)

// Editing is who is in a story, as one account sees it.
type Editing struct {
	Lock kolokol.EditLock
	// Mine: the account holds the lock (both of its tabs do: a lock is
	// by account, so one person is never locked out by themselves).
	Mine bool
	// Holder is the colleague who holds the lock, when one does.
	Holder *kolokol.User
	// TookOver: Holder took the story over from this account.
	TookOver bool
	// Others are the colleagues who have the story open (known from
	// heartbeats only), by id.
	Others []*kolokol.User
}

// Locked is the answer to a save while a colleague holds the story: it is
// not applied, so that it cannot overwrite what they are writing.
type Locked struct{ Editing *Editing }

func (e *Locked) Error() string { return e.Unwrap().Error() }

func (e *Locked) Unwrap() error {
	return kolokol.Errorf(kolokol.ECONFLICT, "%s is editing this story; your save was not applied over theirs", kolokol.Who(e.Editing.Holder))
}

// OpenStory takes or refreshes u's lock of a story u opens in the editor,
// unless a colleague holds it. An account that may not edit the story
// takes no lock and is told who does.
func (d *Desk) OpenStory(ctx context.Context, u *kolokol.User, a *kolokol.Article) (*Editing, error) {
	if canEdit(u.Actor(), a) != nil {
		return d.lockOf(ctx, u, a)
	}
	return d.claim(ctx, u, a, LockOpen, false)
}

// SaveLock is asked before u's save of a story is applied: it takes or
// refreshes u's lock, or returns *Locked naming the colleague who holds
// it.
func (d *Desk) SaveLock(ctx context.Context, u *kolokol.User, a *kolokol.Article) error {
	if canEdit(u.Actor(), a) != nil {
		return nil // the edit itself is refused, and says why; it takes no lock
	}
	e, err := d.claim(ctx, u, a, LockOpen, false)
	if err != nil {
		return err
	}
	if !e.Mine {
		return &Locked{Editing: e}
	}
	return nil
}

// TakeOver gives u the lock of a story a colleague holds, as u asked on
// seeing who; it is audited as article.takeover, naming the colleague.
func (d *Desk) TakeOver(ctx context.Context, u *kolokol.User, a *kolokol.Article) (e *Editing, err error) {
	detail := ""
	defer func() { d.record(ctx, u.Actor(), "article.takeover", a.Service, a.ID, detail, err) }()
	if err := canEdit(u.Actor(), a); err != nil {
		return nil, err
	}
	before, err := d.lockOf(ctx, u, a)
	if err != nil {
		return nil, err
	}
	if before.Holder != nil {
		detail = "from " + before.Holder.Email
	}
	return d.claim(ctx, u, a, LockOpen, true)
}

// Heartbeat is the editor script's question every HeartbeatEvery: u has
// the story open (holding: in an editable form, so u's lock is refreshed,
// for LockLive). It answers who holds the story and who else has it open.
func (d *Desk) Heartbeat(ctx context.Context, u *kolokol.User, a *kolokol.Article, holding bool) (*Editing, error) {
	if err := canTouch(u.Actor(), a.Service); err != nil {
		return nil, err
	}
	now := d.now()
	if err := d.store.SeeArticle(ctx, a.ID, u.ID, now, now.Add(LockLive)); err != nil {
		return nil, fmt.Errorf("heartbeat of story %d: %w", a.ID, err)
	}
	var e *Editing
	var err error
	if holding && canEdit(u.Actor(), a) == nil {
		e, err = d.claim(ctx, u, a, LockLive, false)
	} else {
		e, err = d.lockOf(ctx, u, a)
	}
	if err != nil {
		return nil, err
	}
	ids, err := d.store.ViewersOf(ctx, a.ID, now)
	if err != nil {
		return nil, fmt.Errorf("heartbeat of story %d: %w", a.ID, err)
	}
	for _, id := range ids {
		if id == u.ID {
			continue
		}
		if v, err := d.store.FindUserByID(ctx, id); err == nil && !v.Disabled {
			e.Others = append(e.Others, v)
		} else if err != nil && !kolokol.IsNotFound(err) {
			return nil, fmt.Errorf("heartbeat of story %d: %w", a.ID, err)
		}
	}
	byName(e.Others)
	return e, nil
}

// claim locks the story for u for ttl, or finds who holds it. A lock held
// by an account that may no longer edit the story (disabled, moved to
// another desk, a reporter once the story is approved) holds nothing: it
// is taken as if it had expired.
func (d *Desk) claim(ctx context.Context, u *kolokol.User, a *kolokol.Article, ttl time.Duration, takeover bool) (*Editing, error) {
	now := d.now()
	l := kolokol.EditLock{ArticleID: a.ID, UserID: u.ID, Since: now, Expires: now.Add(ttl)}
	got, err := d.store.LockArticle(ctx, l, now, takeover)
	if err != nil {
		return nil, fmt.Errorf("lock story %d: %w", a.ID, err)
	}
	e, err := d.editing(ctx, u, a, got)
	if err != nil || e.Mine || e.Holder != nil || takeover {
		return e, err
	}
	// The holder lost the right to edit: take the story from them.
	if got, err = d.store.LockArticle(ctx, l, now, true); err != nil {
		return nil, fmt.Errorf("lock story %d: %w", a.ID, err)
	}
	return d.editing(ctx, u, a, got)
}

// lockOf tells u who holds a story, taking nothing.
func (d *Desk) lockOf(ctx context.Context, u *kolokol.User, a *kolokol.Article) (*Editing, error) {
	l, err := d.store.FindEditLock(ctx, a.ID)
	if kolokol.IsNotFound(err) {
		return &Editing{}, nil
	} else if err != nil {
		return nil, fmt.Errorf("find the lock of story %d: %w", a.ID, err)
	}
	return d.editing(ctx, u, a, l)
}

// editing describes lock l to u. A lock that has expired, or whose holder
// may no longer edit the story, has no Holder.
func (d *Desk) editing(ctx context.Context, u *kolokol.User, a *kolokol.Article, l kolokol.EditLock) (*Editing, error) {
	e := &Editing{Lock: l}
	if !l.Held(d.now()) {
		return e, nil
	}
	if l.UserID == u.ID {
		e.Mine = true
		return e, nil
	}
	h, err := d.store.FindUserByID(ctx, l.UserID)
	if kolokol.IsNotFound(err) {
		return e, nil
	} else if err != nil {
		return nil, fmt.Errorf("find who holds story %d: %w", a.ID, err)
	}
	if h.Disabled || canEdit(h.Actor(), a) != nil {
		return e, nil
	}
	e.Holder, e.TookOver = h, l.TookFrom == u.ID
	return e, nil
}

// byName sorts colleagues by what the newsroom calls them.
func byName(us []*kolokol.User) {
	slices.SortFunc(us, func(a, b *kolokol.User) int { return strings.Compare(kolokol.Who(a), kolokol.Who(b)) })
}

// SavedBy names who saved a story's version and when, from the revision
// that version made, for the conflict page: the colleague by name (email
// when they have none, or as recorded when the account is gone).
func (d *Desk) SavedBy(ctx context.Context, actor kolokol.Actor, articleID int64, version int) (who string, at time.Time, err error) {
	revs, err := d.Revisions(ctx, actor, articleID)
	if err != nil {
		return "", time.Time{}, err
	}
	i := slices.IndexFunc(revs, func(r *kolokol.Revision) bool { return r.Version == version })
	if i < 0 {
		return "", time.Time{}, kolokol.Errorf(kolokol.ENOTFOUND, "story %d has no revision of version %d", articleID, version)
	}
	who = revs[i].Actor
	if u, err := d.store.FindUserByEmail(ctx, who); err == nil {
		who = kolokol.Who(u)
	} else if !kolokol.IsNotFound(err) {
		return "", time.Time{}, fmt.Errorf("find who saved story %d: %w", articleID, err)
	}
	return who, revs[i].CreatedAt, nil
}
