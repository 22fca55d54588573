// Package newsletter is the email edition: readers subscribe to a
// service's daily digest and breaking-news alerts with double opt-in, and
// the newsroom mails them. It holds the rules of subscriptions (address
// normalization, sealing, tokens, flood limits) and the delivery of mails;
// the reader pages that call it are in site, the mail itself in email.
//
// Subscriber addresses are the only reader data Kolokol keeps. They are
// sealed under a key file outside the database (Keys) and exist in clear
// only in memory while a mail is built: no log line, metric, audit entry
// or error this package returns holds one. Mails go at most once: a
// delivery is claimed in the store before its SMTP conversation, and one
// a crash left claimed is not sent again.
package newsletter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"time"

	"github.com/kolokol/kolokol"
)

// Options configure a Desk.
type Options struct {
	Keys *Keys
	// Mailer sends mails (an *email.Sender).
	Mailer Mailer
	// From is the mails' sender, "Newsroom <news@example.org>".
	From mail.Address
	// BaseURL is the live site's public origin ("https://news.example.org"):
	// the links in mails are absolute.
	BaseURL string
	// SiteName names the site where a service has no brand of its own.
	SiteName string
	Log      *slog.Logger
	Now      func() time.Time // nil: time.Now
	// ClientPerHour is how many subscription requests one client (by
	// network address) makes in an hour; 0: DefaultClientPerHour.
	ClientPerHour int
	// PendingPerHour caps the new pending subscriptions of a service in
	// an hour; 0: DefaultPendingPerHour.
	PendingPerHour int
	// DigestHour is the hour (UTC, 0–23) after which each day's digest
	// goes out.
	DigestHour int
}

// Defaults of the flood limits: well above what a reader does, well below
// what a script does.
const (
	DefaultClientPerHour  = 10
	DefaultPendingPerHour = 500
)

// Desk is the email edition's operations.
type Desk struct {
	store    kolokol.Store
	opts     Options
	log      *slog.Logger
	now      func() time.Time
	clients  *clientLimit
	confirms chan confirmJob
	wake     chan struct{}
}

// confirmJob is a confirmation mail to send: the token exists in clear
// only here, on its way into the mail.
type confirmJob struct {
	sub   *kolokol.Subscription
	token string
}

// New returns a Desk on the store.
func New(store kolokol.Store, o Options) *Desk {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ClientPerHour == 0 {
		o.ClientPerHour = DefaultClientPerHour
	}
	if o.PendingPerHour == 0 {
		o.PendingPerHour = DefaultPendingPerHour
	}
	return &Desk{store: store, opts: o, log: o.Log, now: o.Now,
		clients:  newClientLimit(o.ClientPerHour, time.Hour),
		confirms: make(chan confirmJob, 256), wake: make(chan struct{}, 1)}
}

// Subscribe asks for a subscription of address to service, made by
// client (its network address, only counted in memory). Whether the
// address was new, pending or confirmed, it returns nil alike: the
// answer must not tell who subscribes. It refuses an address
// NormalizeAddress refuses (EINVALID, field "address"), no choice (EINVALID), and
// too many requests (ETHROTTLED).
func (d *Desk) Subscribe(ctx context.Context, service, address string, digest, alerts bool, client string) error {
	norm, err := NormalizeAddress(address)
	if err != nil {
		var ae *AddressError
		errors.As(err, &ae)
		return kolokol.FieldErrorf(kolokol.EINVALID, "address", "%s", ae.Reason)
	}
	if !digest && !alerts {
		return kolokol.FieldErrorf(kolokol.EINVALID, "choices", "choose the digest, the alerts or both")
	}
	now := d.now()
	if !d.clients.allow(client, now) {
		return kolokol.Errorf(kolokol.ETHROTTLED, "too many subscription requests from one client; try again later")
	}
	lookup := d.opts.Keys.Lookup(norm)
	sealed := d.opts.Keys.Seal(lookup, norm)
	token := NewToken()
	sub := &kolokol.Subscription{Service: service, Lookup: lookup, Sealed: sealed, Digest: digest, Alerts: alerts,
		ConfirmHash: TokenHash(token), ManageHash: TokenHash(d.opts.Keys.ManageToken(sealed))}
	send, err := d.store.Subscribe(ctx, sub, kolokol.SubscribeLimits{Now: now, MaxPendingPerHour: d.opts.PendingPerHour})
	if err != nil {
		return fmt.Errorf("subscribe to %s: %w", service, err)
	}
	if send {
		// The mail goes from Run, not from this request: an answer that
		// waited for the relay would take longer for a new address than
		// for a known one.
		select {
		case d.confirms <- confirmJob{sub: sub, token: token}:
		default:
			d.log.Warn("newsletter: confirmation queue full; a mail was dropped (the reader may ask again in an hour)", "service", service, "subscription", sub.ID)
		}
	}
	return nil
}

// CheckConfirm reports whether token is a live confirmation link.
func (d *Desk) CheckConfirm(ctx context.Context, token string) error {
	if !ValidToken(token) {
		return kolokol.Errorf(kolokol.ENOTFOUND, "not a confirmation link")
	}
	_, err := d.store.FindSubscriptionByConfirm(ctx, TokenHash(token))
	return err
}

// Confirm confirms the subscription of a confirmation link, for service.
func (d *Desk) Confirm(ctx context.Context, service, token string) error {
	if !ValidToken(token) {
		return kolokol.Errorf(kolokol.ENOTFOUND, "not a confirmation link")
	}
	sub, err := d.store.FindSubscriptionByConfirm(ctx, TokenHash(token))
	if err != nil {
		return err
	}
	if sub.Service != service {
		return kolokol.Errorf(kolokol.ENOTFOUND, "not a confirmation link of this service")
	}
	if _, err := d.store.ConfirmSubscription(ctx, sub.ConfirmHash, d.now()); err != nil {
		return fmt.Errorf("confirm subscription %d: %w", sub.ID, err)
	}
	return nil
}

// manage finds the subscription of a manage token, for service.
func (d *Desk) manage(ctx context.Context, service, token string) (*kolokol.Subscription, error) {
	if !ValidToken(token) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "not a subscriber's link")
	}
	sub, err := d.store.FindSubscriptionByManage(ctx, TokenHash(token))
	if err != nil {
		return nil, err
	}
	if sub.Service != service {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "not a subscriber's link of this service")
	}
	return sub, nil
}

// CheckManage reports whether token is a live unsubscribe link of service.
func (d *Desk) CheckManage(ctx context.Context, service, token string) error {
	_, err := d.manage(ctx, service, token)
	return err
}

// Unsubscribe deletes the subscription of a manage token, with its
// deliveries: nothing of the reader is kept.
func (d *Desk) Unsubscribe(ctx context.Context, service, token string) error {
	sub, err := d.manage(ctx, service, token)
	if err != nil {
		return err
	}
	if err := d.store.DeleteSubscription(ctx, sub.ID); err != nil {
		return fmt.Errorf("unsubscribe %d: %w", sub.ID, err)
	}
	return nil
}

// Export is what Kolokol keeps about a subscriber, as they get it.
type Export struct {
	Address     string       `json:"address"`
	Service     string       `json:"service"`
	Digest      bool         `json:"digest"`
	Alerts      bool         `json:"alerts"`
	Status      string       `json:"status"`
	CreatedAt   time.Time    `json:"created_at"`
	ConfirmedAt *time.Time   `json:"confirmed_at,omitempty"`
	Mails       []ExportMail `json:"mails"`
}

// ExportMail is one delivery as the subscriber sees it.
type ExportMail struct {
	Key    string    `json:"mail"`
	Status string    `json:"status"`
	At     time.Time `json:"at"`
}

// Export returns, as JSON, what is kept about the subscriber of a manage
// token: their address, the service, their choices and times, and the
// mails sent to them.
func (d *Desk) Export(ctx context.Context, service, token string) ([]byte, error) {
	sub, err := d.manage(ctx, service, token)
	if err != nil {
		return nil, err
	}
	addr, err := d.opts.Keys.Open(sub.Lookup, sub.Sealed)
	if err != nil {
		return nil, fmt.Errorf("export subscription %d: %w", sub.ID, err)
	}
	e := Export{Address: addr, Service: sub.Service, Digest: sub.Digest, Alerts: sub.Alerts, Status: string(sub.Status),
		CreatedAt: sub.CreatedAt, Mails: []ExportMail{}}
	if !sub.ConfirmedAt.IsZero() {
		e.ConfirmedAt = &sub.ConfirmedAt
	}
	ds, err := d.store.FindDeliveries(ctx, sub.ID)
	if err != nil {
		return nil, fmt.Errorf("export subscription %d: %w", sub.ID, err)
	}
	for _, x := range ds {
		e.Mails = append(e.Mails, ExportMail{Key: x.Key, Status: string(x.Status), At: x.UpdatedAt})
	}
	return json.MarshalIndent(e, "", "  ")
}
