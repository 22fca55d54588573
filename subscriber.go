package kolokol

import (
	"context"
	"strings"
	"time"
)

// Subscriptions to the email edition are the only reader data Kolokol
// keeps, and it keeps as little of them as it can: the address sealed
// under a key that is not in the database, a keyed hash of it so that one
// address has one row per service, and the hashes of the reader's two
// tokens. The clear address exists only in memory while a mail is built.

// SubscriptionStatus is where a subscription is in the double opt-in.
type SubscriptionStatus string

const (
	SubscriptionPending   SubscriptionStatus = "pending"   // asked for; the confirmation mail was sent
	SubscriptionConfirmed SubscriptionStatus = "confirmed" // the reader confirmed from the mail: mails go out
)

// UnconfirmedLifetime is how long an unconfirmed subscription is kept: after
// it, the row (and the sealed address in it) is deleted.
const UnconfirmedLifetime = 48 * time.Hour

// ConfirmResend is the least time between two confirmation mails to one
// address for one service, however often it is subscribed.
const ConfirmResend = time.Hour

// Subscription is one address's subscription to one service's email
// edition.
type Subscription struct {
	ID      int64
	Service string
	// Lookup is the keyed hash of the normalized address (32 bytes): what
	// finds the row of an address without the address.
	Lookup []byte
	// Sealed is the address, encrypted and authenticated (never clear).
	Sealed []byte
	Digest bool // the daily digest
	Alerts bool // breaking-news alerts
	Status SubscriptionStatus
	// ConfirmHash and ManageHash are the SHA-256 of the reader's tokens:
	// the one in the confirmation link, and the one in every mail's
	// unsubscribe link and the export request.
	ConfirmHash []byte
	ManageHash  []byte
	CreatedAt   time.Time
	ConfirmedAt time.Time // zero while pending
	// ConfirmSentAt is when the last confirmation mail was asked for.
	ConfirmSentAt time.Time
}

// Validate checks a subscription before it is stored.
func (s *Subscription) Validate() error {
	switch {
	case !ValidServiceCode(s.Service):
		return FieldErrorf(EINVALID, "service", "invalid service code %q", s.Service)
	case len(s.Lookup) != 32:
		return FieldErrorf(EINVALID, "lookup", "a subscription's lookup hash is 32 bytes, not %d", len(s.Lookup))
	case len(s.Sealed) == 0 || len(s.Sealed) > 1024:
		return FieldErrorf(EINVALID, "sealed", "a sealed address is 1 to 1024 bytes, not %d", len(s.Sealed))
	case !s.Digest && !s.Alerts:
		return FieldErrorf(EINVALID, "choices", "a subscription is to the digest, the alerts or both")
	case s.Status != SubscriptionPending && s.Status != SubscriptionConfirmed:
		return FieldErrorf(EINVALID, "status", "unknown subscription status %q", s.Status)
	case len(s.ConfirmHash) != 32 || len(s.ManageHash) != 32:
		return FieldErrorf(EINVALID, "token", "a subscription's token hashes are 32 bytes")
	}
	return nil
}

// DeliveryStatus is where one mail to one subscriber is.
type DeliveryStatus string

const (
	DeliveryQueued  DeliveryStatus = "queued"  // to be sent
	DeliverySending DeliveryStatus = "sending" // claimed by a sender: never sent again, even after a crash
	DeliverySent    DeliveryStatus = "sent"
	DeliveryFailed  DeliveryStatus = "failed" // the relay refused it, or gave up
)

// Delivery is one mail (Key) to one subscription. The pair is unique:
// that is what keeps a mail from going twice, across crashes and servers.
type Delivery struct {
	ID           int64
	Subscription int64
	// Key names the mail: "digest:fa:2026-12-01", "alert:fa:1764567890".
	Key       string
	Status    DeliveryStatus
	Attempts  int
	LastError string // what the relay said; never the address
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ValidDeliveryKey reports whether k is a key a delivery may have:
// printable ASCII without spaces, 1 to 100 bytes.
func ValidDeliveryKey(k string) bool {
	if k == "" || len(k) > 100 {
		return false
	}
	return !strings.ContainsFunc(k, func(r rune) bool { return r <= ' ' || r > '~' })
}

// SubscribeLimits bound what one Subscribe may do.
type SubscribeLimits struct {
	// Now is the time of the request.
	Now time.Time
	// MaxPendingPerHour is how many new pending subscriptions a service
	// takes in an hour (0: no cap); past it, new addresses are refused
	// with ETHROTTLED.
	MaxPendingPerHour int
}

// SubscriptionFilter selects subscriptions for a delivery.
type SubscriptionFilter struct {
	Service string
	Status  SubscriptionStatus // "": any
	Digest  bool               // only those who take the digest
	Alerts  bool               // only those who take the alerts
	AfterID int64              // pages: the rows with a greater id
	Limit   int                // at most MaxSubscriptionBatch; 0 means that
}

// MaxSubscriptionBatch is the most subscriptions one FindSubscriptions
// returns.
const MaxSubscriptionBatch = 1000

// Subscribers keeps the email edition's subscriptions and deliveries.
type Subscribers interface {
	// Subscribe stores a pending subscription, or finds the one the
	// address (sub.Lookup) has with the service. It reports whether a
	// confirmation mail is to be sent: for a new row; for a pending one
	// whose last mail is ConfirmResend old (its choices, sealed address
	// and confirmation hash are then replaced by sub's); never for a
	// confirmed one, which is left as it is. On return sub is the row as
	// stored.
	Subscribe(ctx context.Context, sub *Subscription, lim SubscribeLimits) (send bool, err error)
	// ConfirmSubscription confirms the pending subscription whose
	// confirmation hash is confirmHash (a confirmed one is returned as it
	// is); ENOTFOUND when there is none.
	ConfirmSubscription(ctx context.Context, confirmHash []byte, now time.Time) (*Subscription, error)
	// FindSubscriptionByConfirm and FindSubscriptionByManage find a row
	// by one of its token hashes; FindSubscription by id.
	FindSubscriptionByConfirm(ctx context.Context, confirmHash []byte) (*Subscription, error)
	FindSubscriptionByManage(ctx context.Context, manageHash []byte) (*Subscription, error)
	FindSubscription(ctx context.Context, id int64) (*Subscription, error)
	// FindSubscriptions pages through a service's subscriptions by id.
	FindSubscriptions(ctx context.Context, f SubscriptionFilter) ([]*Subscription, error)
	// DeleteSubscription deletes a subscription and its deliveries.
	DeleteSubscription(ctx context.Context, id int64) error
	// PrunePending deletes the pending subscriptions made before before
	// and says how many.
	PrunePending(ctx context.Context, before time.Time) (int64, error)

	// QueueDeliveries queues the mail key to each subscription, skipping
	// those that have it already (in any status), and says how many it
	// queued.
	QueueDeliveries(ctx context.Context, key string, subscriptions []int64) (int, error)
	// ClaimDeliveries moves up to limit queued deliveries of key to
	// sending and returns them: a delivery is claimed by one caller only,
	// before its mail is sent.
	ClaimDeliveries(ctx context.Context, key string, limit int) ([]*Delivery, error)
	// FinishDelivery records how a claimed delivery ended: sent, or
	// failed with errText.
	FinishDelivery(ctx context.Context, id int64, sent bool, errText string) error
	// FindDeliveries returns a subscription's deliveries, oldest first.
	FindDeliveries(ctx context.Context, subscription int64) ([]*Delivery, error)
}
