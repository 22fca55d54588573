package kolokol

import (
	"context"
	"time"
)

// Notification tells one newsroom account that something happened on a
// desk of theirs. One row per recipient: each reads and clears their own.
type Notification struct {
	ID        int64
	UserID    int64  // the recipient
	Kind      string // NotifySubmitted
	Service   string
	ArticleID int64
	Actor     string // who did it, by name (or email), as it was then
	Headline  string // the story's headline, as it was then
	CreatedAt time.Time
	ReadAt    time.Time // zero: unread
}

// NotifySubmitted: a draft was handed in for review.
const NotifySubmitted = "submitted"

// MaxNotifications is how many notifications a newsroom page lists.
const MaxNotifications = 100

// Validate checks a notification before it is stored for its recipients.
func (n *Notification) Validate() error {
	if n.Kind != NotifySubmitted {
		return FieldErrorf(EINVALID, "kind", "unknown notification kind %q", n.Kind)
	}
	if !ValidServiceCode(n.Service) {
		return FieldErrorf(EINVALID, "service", "invalid service code %q", n.Service)
	}
	if n.ArticleID <= 0 {
		return FieldErrorf(EINVALID, "article_id", "a notification names its story")
	}
	if err := checkLine("actor", n.Actor, 300); err != nil {
		return err
	}
	return checkText("headline", n.Headline, 2000)
}

// Notifications keeps the newsroom's notifications.
type Notifications interface {
	// NotifyDesk stores n (ID, UserID, CreatedAt and ReadAt set by the
	// store) for every enabled account with one of roles on n.Service,
	// but the account whose email is except, and returns what it stored,
	// one per recipient: a mail hook tells each of them.
	NotifyDesk(ctx context.Context, n Notification, roles []Role, except string) ([]*Notification, error)
	// FindNotifications returns an account's notifications, newest first,
	// at most MaxNotifications.
	FindNotifications(ctx context.Context, userID int64) ([]*Notification, error)
	// CountUnread counts an account's unread notifications.
	CountUnread(ctx context.Context, userID int64) (int, error)
	// MarkRead marks an account's notifications read at at: those of ids,
	// or every one when ids is empty. Another account's ids are ignored.
	MarkRead(ctx context.Context, userID int64, ids []int64, at time.Time) error
}
