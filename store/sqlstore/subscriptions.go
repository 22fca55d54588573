package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/store/sqlrow"
)

// Subscriptions and deliveries append nothing to the change log: no page
// shows them, and the log names what readers see, never who reads.

const subscriptionColumns = `id, service, lookup, sealed, digest, alerts, status, confirm_hash, manage_hash, created_at, confirmed_at, confirm_sent_at`

// Subscribe stores a pending subscription or finds the address's row (see
// kolokol.Subscribers).
func (s *Store) Subscribe(ctx context.Context, sub *kolokol.Subscription, lim kolokol.SubscribeLimits) (bool, error) {
	sub.Status = kolokol.SubscriptionPending
	if err := sub.Validate(); err != nil {
		return false, err
	}
	at := lim.Now.UTC().Truncate(time.Microsecond)
	if at.IsZero() {
		at = now()
	}
	var send bool
	var stored *kolokol.Subscription
	err := s.write(ctx, func(tx dbtx) error {
		send, stored = false, nil
		if err := checkService(ctx, tx, sub.Service); err != nil {
			return err
		}
		old, err := scanSubscription(tx.QueryRowContext(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions WHERE service = ? AND lookup = ?`+s.e.ForUpdate, sub.Service, sub.Lookup))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if lim.MaxPendingPerHour > 0 {
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM subscriptions WHERE service = ? AND status = 'pending' AND created_at > ?`,
					sub.Service, at.Add(-time.Hour).UnixNano()).Scan(&n); err != nil {
					return err
				}
				if n >= lim.MaxPendingPerHour {
					return kolokol.Errorf(kolokol.ETHROTTLED, "service %q took %d new subscriptions in the last hour, the most it takes; try again later", sub.Service, n)
				}
			}
			id, err := tx.insert(ctx, `INSERT INTO subscriptions (service, lookup, sealed, digest, alerts, status, confirm_hash, manage_hash, created_at, confirm_sent_at)
				VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)`, sub.Service, sub.Lookup, sub.Sealed, sub.Digest, sub.Alerts, sub.ConfirmHash, sub.ManageHash, at.UnixNano(), at.UnixNano())
			if err != nil {
				return err
			}
			c := *sub
			c.ID, c.CreatedAt, c.ConfirmSentAt, c.ConfirmedAt = id, at, at, time.Time{}
			stored, send = &c, true
			return nil
		case err != nil:
			return err
		case old.Status == kolokol.SubscriptionPending && !at.Before(old.ConfirmSentAt.Add(kolokol.ConfirmResend)):
			if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET sealed = ?, digest = ?, alerts = ?, confirm_hash = ?, manage_hash = ?, confirm_sent_at = ? WHERE id = ?`,
				sub.Sealed, sub.Digest, sub.Alerts, sub.ConfirmHash, sub.ManageHash, at.UnixNano(), old.ID); err != nil {
				return err
			}
			old.Sealed, old.Digest, old.Alerts, old.ConfirmHash, old.ManageHash, old.ConfirmSentAt = sub.Sealed, sub.Digest, sub.Alerts, sub.ConfirmHash, sub.ManageHash, at
			stored, send = old, true
			return nil
		default:
			stored = old
			return nil
		}
	})
	if err != nil {
		return false, s.wrapf(err, "subscribe to %q", sub.Service)
	}
	*sub = *stored
	return send, nil
}

// ConfirmSubscription confirms the subscription whose confirmation hash is
// confirmHash.
func (s *Store) ConfirmSubscription(ctx context.Context, confirmHash []byte, at time.Time) (*kolokol.Subscription, error) {
	at = at.UTC().Truncate(time.Microsecond)
	var sub *kolokol.Subscription
	err := s.write(ctx, func(tx dbtx) error {
		var err error
		sub, err = scanSubscription(tx.QueryRowContext(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions WHERE confirm_hash = ?`+s.e.ForUpdate, confirmHash))
		if errors.Is(err, sql.ErrNoRows) {
			return kolokol.Errorf(kolokol.ENOTFOUND, "no subscription has this confirmation link")
		} else if err != nil {
			return err
		}
		if sub.Status == kolokol.SubscriptionConfirmed {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET status = 'confirmed', confirmed_at = ? WHERE id = ?`, at.UnixNano(), sub.ID); err != nil {
			return err
		}
		sub.Status, sub.ConfirmedAt = kolokol.SubscriptionConfirmed, at
		return nil
	})
	if err != nil {
		return nil, s.wrapf(err, "confirm subscription")
	}
	return sub, nil
}

func (s *Store) findSubscription(ctx context.Context, where string, arg any) (*kolokol.Subscription, error) {
	sub, err := scanSubscription(s.db().QueryRowContext(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions WHERE `+where+` = ?`, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "there is no such subscription")
	}
	return sub, s.wrapf(err, "find subscription by %s", where)
}

// FindSubscriptionByConfirm finds a subscription by its confirmation hash.
func (s *Store) FindSubscriptionByConfirm(ctx context.Context, h []byte) (*kolokol.Subscription, error) {
	return s.findSubscription(ctx, "confirm_hash", h)
}

// FindSubscriptionByManage finds a subscription by its manage hash.
func (s *Store) FindSubscriptionByManage(ctx context.Context, h []byte) (*kolokol.Subscription, error) {
	return s.findSubscription(ctx, "manage_hash", h)
}

// FindSubscription finds a subscription by id.
func (s *Store) FindSubscription(ctx context.Context, id int64) (*kolokol.Subscription, error) {
	return s.findSubscription(ctx, "id", id)
}

// FindSubscriptions pages through a service's subscriptions by id.
func (s *Store) FindSubscriptions(ctx context.Context, f kolokol.SubscriptionFilter) ([]*kolokol.Subscription, error) {
	where := []string{"service = ?", "id > ?"}
	args := []any{f.Service, f.AfterID}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if f.Digest {
		where, args = append(where, "digest = ?"), append(args, true)
	}
	if f.Alerts {
		where, args = append(where, "alerts = ?"), append(args, true)
	}
	limit := f.Limit
	if limit <= 0 || limit > kolokol.MaxSubscriptionBatch {
		limit = kolokol.MaxSubscriptionBatch
	}
	rows, err := s.db().QueryContext(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions WHERE `+strings.Join(where, " AND ")+` ORDER BY id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, s.wrapf(err, "find subscriptions of %q", f.Service)
	}
	out, err := sqlrow.Collect(rows, scanSubscription)
	return out, s.wrapf(err, "find subscriptions of %q", f.Service)
}

// DeleteSubscription deletes a subscription and its deliveries.
func (s *Store) DeleteSubscription(ctx context.Context, id int64) error {
	return s.wrapf(s.write(ctx, func(tx dbtx) error {
		// Deliveries first, so that no engine's foreign key settings decide
		// whether they go.
		if _, err := tx.ExecContext(ctx, `DELETE FROM deliveries WHERE subscription = ?`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM subscriptions WHERE id = ?`, id)
		return sqlrow.OneRow(res, err, kolokol.Errorf(kolokol.ENOTFOUND, "there is no subscription %d", id))
	}), "delete subscription %d", id)
}

// PrunePending deletes the pending subscriptions made before before.
func (s *Store) PrunePending(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx dbtx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM deliveries WHERE subscription IN
			(SELECT id FROM subscriptions WHERE status = 'pending' AND created_at < ?)`, before.UnixNano()); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM subscriptions WHERE status = 'pending' AND created_at < ?`, before.UnixNano())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, s.wrapf(err, "prune pending subscriptions")
}

func checkDeliveryKey(key string) error {
	if !kolokol.ValidDeliveryKey(key) {
		return kolokol.FieldErrorf(kolokol.EINVALID, "key", "a delivery key is 1 to 100 printable ASCII characters without spaces")
	}
	return nil
}

// QueueDeliveries queues the mail key to each subscription that lacks it.
func (s *Store) QueueDeliveries(ctx context.Context, key string, subscriptions []int64) (int, error) {
	if err := checkDeliveryKey(key); err != nil {
		return 0, err
	}
	t := now().UnixNano()
	var n int
	err := s.writeUnlocked(ctx, func(tx dbtx) error {
		n = 0
		for _, id := range subscriptions {
			// The subscription may have gone since it was listed: the
			// SELECT inserts nothing then.
			res, err := tx.ExecContext(ctx, `INSERT INTO deliveries (subscription, key, status, created_at, updated_at)
				SELECT id, ?, 'queued', ?, ? FROM subscriptions WHERE id = ?
				ON CONFLICT (subscription, key) DO NOTHING`, key, t, t, id)
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += int(k)
		}
		return nil
	})
	if err != nil {
		return 0, s.wrapf(err, "queue %q", key)
	}
	return n, nil
}

const deliveryColumns = `id, subscription, key, status, attempts, last_error, created_at, updated_at`

// ClaimDeliveries moves up to limit queued deliveries of key to sending.
func (s *Store) ClaimDeliveries(ctx context.Context, key string, limit int) ([]*kolokol.Delivery, error) {
	if limit <= 0 || limit > kolokol.MaxSubscriptionBatch {
		limit = kolokol.MaxSubscriptionBatch
	}
	var out []*kolokol.Delivery
	// The UPDATE's own condition is what claims: where two servers pick
	// the same row, PostgreSQL evaluates status = 'queued' again on the row
	// it has locked, and only one of them changes it.
	err := s.writeUnlocked(ctx, func(tx dbtx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE deliveries SET status = 'sending', attempts = attempts + 1, updated_at = ?
			WHERE status = 'queued' AND id IN (SELECT id FROM deliveries WHERE key = ? AND status = 'queued' ORDER BY id LIMIT ?)
			RETURNING `+deliveryColumns, now().UnixNano(), key, limit)
		if err != nil {
			return err
		}
		out, err = sqlrow.Collect(rows, scanDelivery)
		return err
	})
	if err != nil {
		return nil, s.wrapf(err, "claim deliveries of %q", key)
	}
	return out, nil
}

// FinishDelivery records how a claimed delivery ended.
func (s *Store) FinishDelivery(ctx context.Context, id int64, sent bool, errText string) error {
	status := kolokol.DeliverySent
	if !sent {
		status = kolokol.DeliveryFailed
	}
	if len(errText) > 500 {
		errText = errText[:500]
	}
	errText = strings.ToValidUTF8(strings.ReplaceAll(errText, "\x00", ""), "")
	return s.wrapf(s.writeUnlocked(ctx, func(tx dbtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = ?, last_error = ?, updated_at = ? WHERE id = ? AND status = 'sending'`,
			string(status), errText, now().UnixNano(), id)
		return sqlrow.OneRow(res, err, kolokol.Errorf(kolokol.ENOTFOUND, "there is no delivery %d being sent", id))
	}), "finish delivery %d", id)
}

// FindDeliveries returns a subscription's deliveries, oldest first.
func (s *Store) FindDeliveries(ctx context.Context, subscription int64) ([]*kolokol.Delivery, error) {
	rows, err := s.db().QueryContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE subscription = ? ORDER BY id`, subscription)
	if err != nil {
		return nil, s.wrapf(err, "find deliveries of subscription %d", subscription)
	}
	out, err := sqlrow.Collect(rows, scanDelivery)
	return out, s.wrapf(err, "find deliveries of subscription %d", subscription)
}

func scanSubscription(sc sqlrow.Scanner) (*kolokol.Subscription, error) {
	var sub kolokol.Subscription
	var status string
	var created, confirmed, sent sql.NullInt64
	if err := sc.Scan(&sub.ID, &sub.Service, &sub.Lookup, &sub.Sealed, &sub.Digest, &sub.Alerts, &status,
		&sub.ConfirmHash, &sub.ManageHash, &created, &confirmed, &sent); err != nil {
		return nil, err
	}
	sub.Status = kolokol.SubscriptionStatus(status)
	sub.CreatedAt, sub.ConfirmedAt, sub.ConfirmSentAt = sqlrow.FromNanos(created), sqlrow.FromNanos(confirmed), sqlrow.FromNanos(sent)
	return &sub, nil
}

func scanDelivery(sc sqlrow.Scanner) (*kolokol.Delivery, error) {
	var d kolokol.Delivery
	var status string
	var created, updated sql.NullInt64
	if err := sc.Scan(&d.ID, &d.Subscription, &d.Key, &status, &d.Attempts, &d.LastError, &created, &updated); err != nil {
		return nil, err
	}
	d.Status = kolokol.DeliveryStatus(status)
	d.CreatedAt, d.UpdatedAt = sqlrow.FromNanos(created), sqlrow.FromNanos(updated)
	return &d, nil
}
