package storetest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

func hash32(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

func newSubscription(service, addr, token string) *kolokol.Subscription {
	return &kolokol.Subscription{Service: service, Lookup: hash32("lookup " + addr), Sealed: []byte("sealed " + addr),
		Digest: true, ConfirmHash: hash32("confirm " + token), ManageHash: hash32("manage " + token)}
}

// testSubscriptions: one row per address and service however often it is
// subscribed; a confirmation mail at most once per ConfirmResend; a
// confirmed row is not changed by a new request; the per-service cap of
// new pending rows; confirming; pruning; deleting takes the deliveries
// with it; nothing goes to the change log; bad input changes nothing.
func testSubscriptions(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	createService(t, s, "fa")
	createService(t, s, "ru")
	_, seq, err := s.ChangeBounds(ctx)
	ok(t, err, "change bounds")
	t0 := at(1, 6, 0)

	sub := newSubscription("fa", "a@example.org", "t1")
	send, err := s.Subscribe(ctx, sub, kolokol.SubscribeLimits{Now: t0})
	ok(t, err, "subscribe")
	if !send || sub.ID == 0 || sub.Status != kolokol.SubscriptionPending || !sub.CreatedAt.Equal(t0) || !sub.ConfirmedAt.IsZero() {
		t.Fatalf("subscribed: send %v, %+v", send, sub)
	}
	got, err := s.FindSubscription(ctx, sub.ID)
	ok(t, err, "find subscription")
	same(t, "subscription", got, sub)

	// Again and again within the hour: one row, no second mail, the row as
	// it was (a stranger cannot change a pending row's choices at will).
	for i := range 50 {
		again := newSubscription("fa", "a@example.org", fmt.Sprint("x", i))
		again.Alerts = true
		send, err := s.Subscribe(ctx, again, kolokol.SubscribeLimits{Now: t0.Add(time.Duration(i) * time.Minute)})
		ok(t, err, "subscribe again")
		if send || again.ID != sub.ID {
			t.Fatalf("subscription %d: send %v, id %d (first %d)", i, send, again.ID, sub.ID)
		}
		same(t, "unchanged subscription", again, sub)
	}
	// After an hour: a new mail, with the new token and choices.
	later := newSubscription("fa", "a@example.org", "t2")
	later.Alerts = true
	send, err = s.Subscribe(ctx, later, kolokol.SubscribeLimits{Now: t0.Add(kolokol.ConfirmResend)})
	ok(t, err, "subscribe an hour later")
	if !send || later.ID != sub.ID || !later.Alerts || !bytes.Equal(later.ConfirmHash, hash32("confirm t2")) || !later.CreatedAt.Equal(t0) {
		t.Fatalf("an hour later: send %v, %+v", send, later)
	}
	// The old confirmation link no longer works; the new one does.
	_, err = s.ConfirmSubscription(ctx, hash32("confirm t1"), t0.Add(2*time.Hour))
	wantCode(t, err, kolokol.ENOTFOUND, "")
	conf, err := s.ConfirmSubscription(ctx, hash32("confirm t2"), t0.Add(2*time.Hour))
	ok(t, err, "confirm")
	if conf.Status != kolokol.SubscriptionConfirmed || !conf.ConfirmedAt.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("confirmed %+v", conf)
	}
	// Confirming twice is not an error and keeps the first time.
	conf2, err := s.ConfirmSubscription(ctx, hash32("confirm t2"), t0.Add(3*time.Hour))
	ok(t, err, "confirm again")
	same(t, "confirmed twice", conf2, conf)
	// A confirmed row is left alone by later requests, whenever they come.
	re := newSubscription("fa", "a@example.org", "t3")
	re.Digest, re.Alerts = false, true
	send, err = s.Subscribe(ctx, re, kolokol.SubscribeLimits{Now: t0.Add(30 * time.Hour)})
	ok(t, err, "subscribe a confirmed address")
	if send {
		t.Error("a confirmed address was sent a confirmation mail")
	}
	same(t, "confirmed subscription", re, conf)
	byManage, err := s.FindSubscriptionByManage(ctx, hash32("manage t2"))
	ok(t, err, "find by manage hash")
	same(t, "by manage hash", byManage, conf)
	_, err = s.FindSubscriptionByManage(ctx, hash32("manage t3"))
	wantCode(t, err, kolokol.ENOTFOUND, "")

	// The same address with another service is another row.
	ru := newSubscription("ru", "a@example.org", "r1")
	send, err = s.Subscribe(ctx, ru, kolokol.SubscribeLimits{Now: t0})
	ok(t, err, "subscribe to ru")
	if !send || ru.ID == sub.ID {
		t.Fatalf("ru: send %v id %d", send, ru.ID)
	}
	byConfirm, err := s.FindSubscriptionByConfirm(ctx, hash32("confirm r1"))
	ok(t, err, "find by confirm hash")
	same(t, "by confirm hash", byConfirm, ru)

	// Bad input is refused and stores nothing.
	for _, c := range []struct {
		field string
		edit  func(*kolokol.Subscription)
	}{
		{"service", func(x *kolokol.Subscription) { x.Service = "xx" }},
		{"lookup", func(x *kolokol.Subscription) { x.Lookup = x.Lookup[:8] }},
		{"sealed", func(x *kolokol.Subscription) { x.Sealed = nil }},
		{"choices", func(x *kolokol.Subscription) { x.Digest, x.Alerts = false, false }},
		{"token", func(x *kolokol.Subscription) { x.ManageHash = nil }},
	} {
		bad := newSubscription("fa", "bad "+c.field, "bad "+c.field)
		c.edit(bad)
		_, err := s.Subscribe(ctx, bad, kolokol.SubscribeLimits{Now: t0})
		wantCode(t, err, kolokol.EINVALID, c.field)
	}
	list, err := s.FindSubscriptions(ctx, kolokol.SubscriptionFilter{Service: "fa"})
	ok(t, err, "find subscriptions")
	if len(list) != 1 {
		t.Fatalf("fa has %d subscriptions, want 1", len(list))
	}

	// Deliveries go with their subscription.
	n, err := s.QueueDeliveries(ctx, "digest:fa:2026-12-01", []int64{conf.ID})
	ok(t, err, "queue")
	if n != 1 {
		t.Fatalf("queued %d", n)
	}
	ok(t, s.DeleteSubscription(ctx, conf.ID), "delete subscription")
	_, err = s.FindSubscription(ctx, conf.ID)
	wantCode(t, err, kolokol.ENOTFOUND, "")
	if ds, err := s.FindDeliveries(ctx, conf.ID); err != nil || ds != nil {
		t.Errorf("deliveries of a deleted subscription: %v %v", ds, err)
	}
	wantCode(t, s.DeleteSubscription(ctx, conf.ID), kolokol.ENOTFOUND, "")

	// Pending rows older than the bound are pruned; confirmed ones stay.
	old := newSubscription("fa", "old@example.org", "o1")
	_, err = s.Subscribe(ctx, old, kolokol.SubscribeLimits{Now: t0.Add(-49 * time.Hour)})
	ok(t, err, "subscribe old")
	kept := newSubscription("fa", "kept@example.org", "k1")
	_, err = s.Subscribe(ctx, kept, kolokol.SubscribeLimits{Now: t0.Add(-49 * time.Hour)})
	ok(t, err, "subscribe kept")
	_, err = s.ConfirmSubscription(ctx, kept.ConfirmHash, t0)
	ok(t, err, "confirm kept")
	pruned, err := s.PrunePending(ctx, t0.Add(-kolokol.UnconfirmedLifetime))
	ok(t, err, "prune")
	if pruned != 1 {
		t.Errorf("pruned %d, want 1", pruned)
	}
	_, err = s.FindSubscription(ctx, old.ID)
	wantCode(t, err, kolokol.ENOTFOUND, "")
	_, err = s.FindSubscription(ctx, kept.ID)
	ok(t, err, "find kept")

	// The cap on new pending rows per service and hour.
	for i := range 3 {
		_, err := s.Subscribe(ctx, newSubscription("ru", fmt.Sprint("cap", i), fmt.Sprint("c", i)), kolokol.SubscribeLimits{Now: t0.Add(time.Minute), MaxPendingPerHour: 4})
		ok(t, err, "subscribe under the cap")
	}
	_, err = s.Subscribe(ctx, newSubscription("ru", "over", "over"), kolokol.SubscribeLimits{Now: t0.Add(time.Minute), MaxPendingPerHour: 4})
	wantCode(t, err, kolokol.ETHROTTLED, "")
	// An address already pending is not a new row: not capped.
	_, err = s.Subscribe(ctx, newSubscription("ru", "cap0", "c0b"), kolokol.SubscribeLimits{Now: t0.Add(2 * time.Minute), MaxPendingPerHour: 4})
	ok(t, err, "subscribe a pending address at the cap")
	_, err = s.Subscribe(ctx, newSubscription("ru", "over", "over"), kolokol.SubscribeLimits{Now: t0.Add(2 * time.Hour), MaxPendingPerHour: 4})
	ok(t, err, "subscribe an hour after the cap")

	if got, _ := since(t, s, seq); got != nil {
		t.Errorf("subscriptions logged changes %q", got)
	}
}

// testDeliveries: queueing is idempotent, a delivery is claimed once even
// by claimers at once, a claimed one is never queued or claimed again
// (at most once, across crashes), finishing records the outcome.
func testDeliveries(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	createService(t, s, "fa")
	var ids []int64
	for i := range 40 {
		sub := newSubscription("fa", fmt.Sprint("d", i), fmt.Sprint("d", i))
		_, err := s.Subscribe(ctx, sub, kolokol.SubscribeLimits{Now: at(1, 6, 0)})
		ok(t, err, "subscribe")
		ids = append(ids, sub.ID)
	}
	const key = "digest:fa:2026-12-01"
	_, err := s.QueueDeliveries(ctx, "bad key", ids)
	wantCode(t, err, kolokol.EINVALID, "key")
	n, err := s.QueueDeliveries(ctx, key, append(ids, 1<<40))
	ok(t, err, "queue")
	if n != len(ids) {
		t.Fatalf("queued %d, want %d", n, len(ids))
	}
	if n, err := s.QueueDeliveries(ctx, key, ids); err != nil || n != 0 {
		t.Fatalf("queued again: %d %v", n, err)
	}

	// Four claimers at once: every delivery claimed exactly once.
	var mu sync.Mutex
	claimed := map[int64]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				ds, err := s.ClaimDeliveries(ctx, key, 3)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					claimed[d.Subscription]++
					if d.Status != kolokol.DeliverySending || d.Attempts != 1 || d.Key != key {
						t.Errorf("claimed %+v", d)
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claimed) != len(ids) {
		t.Fatalf("claimed %d deliveries, want %d", len(claimed), len(ids))
	}
	for id, c := range claimed {
		if c != 1 {
			t.Errorf("subscription %d claimed %d times", id, c)
		}
	}
	// A crash now leaves them in sending: neither queued nor claimed again.
	if n, err := s.QueueDeliveries(ctx, key, ids); err != nil || n != 0 {
		t.Fatalf("queued after claiming: %d %v", n, err)
	}
	if ds, err := s.ClaimDeliveries(ctx, key, 0); err != nil || len(ds) != 0 {
		t.Fatalf("claimed again: %d %v", len(ds), err)
	}
	ds, err := s.FindDeliveries(ctx, ids[0])
	ok(t, err, "find deliveries")
	if len(ds) != 1 {
		t.Fatalf("%d deliveries", len(ds))
	}
	ok(t, s.FinishDelivery(ctx, ds[0].ID, false, "550 mailbox unavailable\x00\xff"), "finish failed")
	wantCode(t, s.FinishDelivery(ctx, ds[0].ID, true, ""), kolokol.ENOTFOUND, "")
	ds2, err := s.FindDeliveries(ctx, ids[1])
	ok(t, err, "find deliveries")
	ok(t, s.FinishDelivery(ctx, ds2[0].ID, true, ""), "finish sent")
	got, err := s.FindDeliveries(ctx, ids[0])
	ok(t, err, "find deliveries")
	if got[0].Status != kolokol.DeliveryFailed || got[0].LastError != "550 mailbox unavailable" {
		t.Errorf("failed delivery %+v", got[0])
	}
	got, err = s.FindDeliveries(ctx, ids[1])
	ok(t, err, "find deliveries")
	if got[0].Status != kolokol.DeliverySent || got[0].LastError != "" {
		t.Errorf("sent delivery %+v", got[0])
	}
	// Another key is another mail.
	if n, err := s.QueueDeliveries(ctx, "alert:fa:1", ids[:2]); err != nil || n != 2 {
		t.Fatalf("queued an alert: %d %v", n, err)
	}
	// Paging through the service's confirmed subscribers.
	for _, id := range ids[:5] {
		sub, err := s.FindSubscription(ctx, id)
		ok(t, err, "find")
		_, err = s.ConfirmSubscription(ctx, sub.ConfirmHash, at(1, 7, 0))
		ok(t, err, "confirm")
	}
	page, err := s.FindSubscriptions(ctx, kolokol.SubscriptionFilter{Service: "fa", Status: kolokol.SubscriptionConfirmed, Digest: true, Limit: 3})
	ok(t, err, "page 1")
	if len(page) != 3 || page[0].ID != ids[0] {
		t.Fatalf("page 1: %d", len(page))
	}
	page, err = s.FindSubscriptions(ctx, kolokol.SubscriptionFilter{Service: "fa", Status: kolokol.SubscriptionConfirmed, Digest: true, AfterID: page[2].ID, Limit: 3})
	ok(t, err, "page 2")
	if len(page) != 2 || page[1].ID != ids[4] {
		t.Fatalf("page 2: %d", len(page))
	}
	if none, err := s.FindSubscriptions(ctx, kolokol.SubscriptionFilter{Service: "fa", Alerts: true}); err != nil || none != nil {
		t.Errorf("alerts subscribers: %v %v", none, err)
	}
}
