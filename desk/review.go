package desk

import (
	"context"
	"fmt"
	"slices"

	"github.com/kolokol/kolokol"
)

// Notified is told of each notification stored, after its operation
// committed: the hook an email edition's SMTP relay hangs on (see
// OnNotify). It must not block: queue the mail and return.
type Notified func(ctx context.Context, n *kolokol.Notification)

// OnNotify registers what to tell of every notification stored, one call
// per recipient. Call it while wiring, before serving.
func (d *Desk) OnNotify(f Notified) { d.notified = append(d.notified, f) }

// reviewers are the roles told when a draft reaches their desk.
var reviewers = []kolokol.Role{kolokol.RoleEditor, kolokol.RoleAdmin}

// submit stores a submitted draft and, in the same transaction, a
// notification for every editor and admin of its desk: a submission no
// editor hears of does not happen, nor a notification of one that was
// not stored.
func (d *Desk) submit(ctx context.Context, actor kolokol.Actor, a *kolokol.Article) error {
	a.EditedBy = actor.Name
	n := kolokol.Notification{Kind: kolokol.NotifySubmitted, Service: a.Service, ArticleID: a.ID,
		Actor: d.displayName(ctx, actor), Headline: a.Headline}
	var sent []*kolokol.Notification
	version := a.Version
	err := d.store.InTx(ctx, func(tx kolokol.Store) error {
		if err := keepGroup(ctx, tx, a); err != nil {
			return err
		}
		if err := tx.UpdateArticle(ctx, a); err != nil {
			return fmt.Errorf("save article %d: %w", a.ID, err)
		}
		var err error
		if sent, err = tx.NotifyDesk(ctx, n, reviewers, actor.Name); err != nil {
			return fmt.Errorf("tell the %s desk of article %d: %w", a.Service, a.ID, err)
		}
		return nil
	})
	if err != nil {
		a.Version = version
		return err
	}
	d.changed(ctx)
	for _, s := range sent {
		for _, f := range d.notified {
			f(ctx, s)
		}
	}
	return nil
}

// displayName is how a notification names who acted: the account's name,
// or its email, or a token's name.
func (d *Desk) displayName(ctx context.Context, actor kolokol.Actor) string {
	if u, err := d.store.FindUserByEmail(ctx, actor.Name); err == nil && u.Name != "" {
		return u.Name
	}
	return actor.Name
}

// Queue is a review queue: the newest stories in it, and how many it
// holds.
type Queue struct {
	Articles []*kolokol.Article
	Total    int
}

// QueueLength is how many stories a review queue lists.
const QueueLength = 20

// MySubmissions are the stories actor handed in for review, on the
// services they still work on, whatever became of them: a reporter sees
// where each stands (waiting, scheduled, published, taken down).
func (d *Desk) MySubmissions(ctx context.Context, actor kolokol.Actor) (Queue, error) {
	return d.queue(ctx, actor.Services, kolokol.ArticleFilter{CreatedBy: actor.Name, Submitted: true})
}

// AwaitingReview are the drafts submitted on the services where actor is
// an editor or an admin (every service, for a global admin).
func (d *Desk) AwaitingReview(ctx context.Context, actor kolokol.Actor) (Queue, error) {
	services := slices.DeleteFunc(slices.Clone(actor.Services), func(s string) bool { return !actor.CanPublish(s) })
	if actor.Global() {
		all, err := d.store.FindServices(ctx)
		if err != nil {
			return Queue{}, fmt.Errorf("review queue: %w", err)
		}
		for _, s := range all {
			services = append(services, s.Code)
		}
	}
	return d.queue(ctx, services, kolokol.ArticleFilter{Status: kolokol.StatusDraft, Submitted: true})
}

// queue gathers a filter's stories over services, newest submission
// first, in one query and one count.
func (d *Desk) queue(ctx context.Context, services []string, f kolokol.ArticleFilter) (Queue, error) {
	if len(services) == 0 {
		return Queue{}, nil
	}
	f.Services, f.Limit, f.WithoutBody = services, QueueLength, true
	list, err := d.store.FindArticles(ctx, f)
	if err != nil {
		return Queue{}, fmt.Errorf("review queue: %w", err)
	}
	f.Limit = 0
	n, err := d.store.CountArticles(ctx, f)
	if err != nil {
		return Queue{}, fmt.Errorf("review queue: %w", err)
	}
	slices.SortStableFunc(list, func(a, b *kolokol.Article) int { return b.SubmittedAt.Compare(a.SubmittedAt) })
	return Queue{Articles: list, Total: n}, nil
}

// Notifications are the account's notifications, newest first, and how
// many of them are unread.
func (d *Desk) Notifications(ctx context.Context, userID int64) ([]*kolokol.Notification, error) {
	list, err := d.store.FindNotifications(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("notifications of account %d: %w", userID, err)
	}
	return list, nil
}

// Unread counts the account's unread notifications.
func (d *Desk) Unread(ctx context.Context, userID int64) (int, error) {
	n, err := d.store.CountUnread(ctx, userID)
	if err != nil {
		return 0, fmt.Errorf("unread notifications of account %d: %w", userID, err)
	}
	return n, nil
}

// MarkRead marks the account's notifications of ids read, or all of them
// when ids is empty.
func (d *Desk) MarkRead(ctx context.Context, userID int64, ids []int64) error {
	if err := d.store.MarkRead(ctx, userID, ids, d.now()); err != nil {
		return fmt.Errorf("mark notifications of account %d read: %w", userID, err)
	}
	return nil
}
