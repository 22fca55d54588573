package desk

import (
	"context"
	"fmt"

	"github.com/kolokol/kolokol"
)

// HoldSave keeps a form posted after its author's session ended, bound to
// the account, and returns the token that names it: the sign-in page
// carries it, and once the same account signs in again the save is applied
// (TakeSave). Nothing is held for a request whose account is unknown.
func (d *Desk) HoldSave(ctx context.Context, userID int64, path, contentType, title string, body []byte) (string, error) {
	token, err := newSecret()
	if err != nil {
		return "", err
	}
	p := &kolokol.PendingSave{IDHash: kolokol.HashToken(token), UserID: userID, Path: path, ContentType: contentType,
		Title: title, Body: body, ExpiresAt: d.now().Add(kolokol.PendingLifetime).UTC()}
	if err := d.store.CreatePending(ctx, p); err != nil {
		return "", fmt.Errorf("hold a save of account %d: %w", userID, err)
	}
	return token, nil
}

// TakeSave returns a held save of the signed-in account and forgets it.
func (d *Desk) TakeSave(ctx context.Context, u *kolokol.User, token string) (*kolokol.PendingSave, error) {
	return d.store.TakePending(ctx, kolokol.HashToken(token), u.ID, d.now())
}

// Autosave keeps the account's working copy of a story it may edit (or of
// a new story of a service it works on). It writes no revision.
func (d *Desk) Autosave(ctx context.Context, actor kolokol.Actor, userID int64, w *kolokol.Autosave) error {
	if w.ArticleID > 0 {
		a, err := d.Article(ctx, actor, w.ArticleID)
		if err != nil {
			return err
		}
		if err := canEdit(actor, a); err != nil {
			return err
		}
		w.Service = a.Service
	} else if err := canTouch(actor, w.Service); err != nil {
		return err
	}
	w.UserID = userID
	if err := d.store.PutAutosave(ctx, w); err != nil {
		return fmt.Errorf("autosave: %w", err)
	}
	return nil
}

// WorkingCopy returns the account's working copy of a story, if any.
func (d *Desk) WorkingCopy(ctx context.Context, userID, articleID int64, service string) (*kolokol.Autosave, error) {
	return d.store.FindAutosave(ctx, userID, articleID, service)
}

// DropWorkingCopy forgets the account's working copy of a story: after a
// save, or when the person discards it.
func (d *Desk) DropWorkingCopy(ctx context.Context, userID, articleID int64, service string) error {
	return d.store.DeleteAutosave(ctx, userID, articleID, service)
}
