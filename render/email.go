package render

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/kolokol/kolokol/i18n"
)

// EmailPath is the path of a service's email edition form; the pages of
// the subscription's steps are under it (confirm, unsubscribe, export).
func EmailPath(code string) string { return "/" + code + "/email/" }

// EmailStep is which page of the email edition a reader is on.
type EmailStep string

const (
	EmailForm         EmailStep = "form"         // the subscription form
	EmailSent         EmailStep = "sent"         // "check your inbox", whatever the address was
	EmailConfirm      EmailStep = "confirm"      // the confirmation link's page: one button
	EmailConfirmed    EmailStep = "confirmed"    // confirmed
	EmailUnsubscribe  EmailStep = "unsubscribe"  // the unsubscribe link's page: one button, and the export
	EmailUnsubscribed EmailStep = "unsubscribed" // done: the address is deleted
	EmailBadLink      EmailStep = "bad_link"     // a token that is not (or no longer) valid
	EmailBusy         EmailStep = "busy"         // too many requests
)

// EmailPage is what one email edition page shows.
type EmailPage struct {
	Step EmailStep
	// Token is the confirm or manage token the page's button posts.
	Token string
	// Problem is the catalog key of what was wrong with the form
	// (i18n.EmailInvalid, i18n.EmailChoose), shown by the field; Address,
	// Digest and Alerts fill the form again.
	Problem        string
	Address        string
	Digest, Alerts bool
	Status         int // the answer's status; 0 means 200
}

// emailView is an email edition page's body.
type emailView struct {
	Step           EmailStep
	Heading, Text  string
	Action         string // where the page's form posts
	Export         string // the unsubscribe page's export form's action
	Problem        string
	Address        string
	Digest, Alerts bool
}

// HasService reports whether a service of that code exists (false also
// when the store cannot say).
func (b *Builder) HasService(ctx context.Context, code string) bool {
	_, err := b.store.FindServiceByCode(ctx, code)
	return err == nil
}

// Email renders a page of a service's email edition for one request. Like
// search results, it is never cached or exported: a static mirror has no
// server to post to (see Options.Email).
func (b *Builder) Email(ctx context.Context, code string, p EmailPage) (*Page, error) {
	svc, err := b.store.FindServiceByCode(ctx, code)
	if err != nil {
		return nil, fmt.Errorf("render email page %s: %w", code, err)
	}
	sections, err := b.store.FindSections(ctx, code)
	if err != nil {
		return nil, fmt.Errorf("render email page %s: %w", code, err)
	}
	// The steps' pages (/fa/email/confirm) are files of the form's
	// directory: their links are the form's.
	from := EmailPath(code)
	v, err := b.serviceView(ctx, nil, from, svc, sections, "")
	if err != nil {
		return nil, fmt.Errorf("render email page %s: %w", code, err)
	}
	v.Feeds = nil
	c := v.L
	v.Kind, v.NoIndex = "email", true
	ev := &emailView{Step: p.Step, Heading: c.T(i18n.EmailEdition), Problem: p.Problem, Address: p.Address, Digest: p.Digest, Alerts: p.Alerts}
	q := "?" + url.Values{"t": {p.Token}}.Encode()
	switch p.Step {
	case EmailForm:
		ev.Action = relPath(from, EmailPath(code))
	case EmailSent:
		ev.Text = c.T(i18n.EmailSent)
	case EmailConfirm:
		ev.Heading, ev.Action = c.T(i18n.EmailConfirm), relPath(from, EmailPath(code)+"confirm")+q
	case EmailConfirmed:
		ev.Heading, ev.Text = c.T(i18n.EmailConfirm), c.T(i18n.EmailConfirmed)
	case EmailUnsubscribe:
		ev.Heading, ev.Action = c.T(i18n.EmailUnsubscribe), relPath(from, EmailPath(code)+"unsubscribe")+q
		ev.Export = relPath(from, EmailPath(code)+"export") + q
	case EmailUnsubscribed:
		ev.Heading, ev.Text = c.T(i18n.EmailUnsubscribe), c.T(i18n.EmailUnsubscribed)
	case EmailBadLink:
		ev.Text = c.T(i18n.EmailBadLink)
	case EmailBusy:
		ev.Text = c.T(i18n.EmailBusy)
	default:
		return nil, fmt.Errorf("render email page %s: unknown step %q", code, p.Step)
	}
	v.Title = ev.Heading + " – " + v.Brand
	v.EmailPage = ev
	page, err := b.page(v, nil, time.Time{}, time.Time{})
	if err != nil {
		return nil, err
	}
	page.Path, page.Status = "", p.Status
	if page.Status == 0 {
		page.Status = http.StatusOK
	}
	return page, nil
}
