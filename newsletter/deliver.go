package newsletter

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/email"
)

// Cursors of the change log and of the digests, in the store's cursor
// table: every server reads the same ones.
const (
	alertsCursor = "newsletter-alerts"
	digestCursor = "newsletter-digest:" // + service: the last day (yyyymmdd) sent
)

// workers is how many mails are in an SMTP conversation at once: the
// relay's round trips, not our work, bound one conversation's speed.
const workers = 4

// RunConfirmations sends the confirmation mails this server's Subscribe
// asks for, until ctx ends. Every server runs it: the request that asked
// came to it.
func (d *Desk) RunConfirmations(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case job := <-d.confirms:
			d.sendConfirm(ctx, job)
		}
	}
}

// Run sends each service's digest once a day after DigestHour, and an
// alert when a service's desk sets a breaking banner, and deletes
// unconfirmed subscriptions after their 48 hours, until ctx ends. One
// server runs it (under a lease); two would still send each mail at most
// once.
func (d *Desk) Run(ctx context.Context) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	d.round(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
			d.round(ctx)
		case <-tick.C:
			d.round(ctx)
		}
	}
}

// Wake has Run look at the change log now rather than at its next tick
// (a breaking banner was set).
func (d *Desk) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// round is one pass of Run's scheduled work; failures are logged and
// tried again at the next round.
func (d *Desk) round(ctx context.Context) {
	now := d.now()
	if n, err := d.store.PrunePending(ctx, now.Add(-kolokol.UnconfirmedLifetime)); err != nil {
		d.log.Error("newsletter: prune pending subscriptions", "err", err)
	} else if n > 0 {
		d.log.Info("newsletter: deleted unconfirmed subscriptions", "count", n)
	}
	if _, err := d.SendAlerts(ctx); err != nil {
		d.log.Error("newsletter: alerts", "err", err)
	}
	if now.UTC().Hour() < d.opts.DigestHour {
		return
	}
	services, err := d.store.FindServices(ctx)
	if err != nil {
		d.log.Error("newsletter: digests", "err", err)
		return
	}
	for _, s := range services {
		if _, err := d.SendDigest(ctx, s.Code, now); err != nil {
			d.log.Error("newsletter: digest", "service", s.Code, "err", err)
		}
	}
}

// dayNumber is a day as the digest cursor keeps it: 20261201.
func dayNumber(t time.Time) int64 {
	y, m, dd := t.UTC().Date()
	return int64(y*10000 + int(m)*100 + dd)
}

// SendDigest sends a service's digest of day (UTC) to its confirmed
// digest subscribers, once: the stories published in the 24 hours before
// the day's DigestHour. A day without stories sends nothing. It reports
// how many mails this call sent; a second call for the same day (or a
// second server) sends none.
func (d *Desk) SendDigest(ctx context.Context, service string, day time.Time) (int, error) {
	day = time.Date(day.UTC().Year(), day.UTC().Month(), day.UTC().Day(), d.opts.DigestHour, 0, 0, 0, time.UTC)
	cursor := digestCursor + service
	done, err := d.store.FindCursor(ctx, cursor)
	if err != nil && !kolokol.IsNotFound(err) {
		return 0, fmt.Errorf("digest of %s: %w", service, err)
	}
	if done >= dayNumber(day) {
		return 0, nil
	}
	e, err := d.edition(ctx, service)
	if err != nil {
		return 0, fmt.Errorf("digest of %s: %w", service, err)
	}
	stories, err := d.stories(ctx, e, day.Add(-24*time.Hour), day)
	if err != nil {
		return 0, fmt.Errorf("digest of %s: %w", service, err)
	}
	sent := 0
	if len(stories) > 0 {
		key := "digest:" + service + ":" + day.Format("2006-01-02")
		sent, err = d.deliver(ctx, e, key, kolokol.SubscriptionFilter{Service: service, Digest: true}, func(to, unsub, id string) *email.Message {
			return d.digestMail(e, to, unsub, id, day, stories)
		})
		if err != nil {
			return sent, fmt.Errorf("digest of %s: %w", service, err)
		}
	}
	if err := d.store.SetCursor(ctx, cursor, dayNumber(day)); err != nil {
		return sent, fmt.Errorf("digest of %s: %w", service, err)
	}
	return sent, nil
}

// stories are a service's stories published in [from, to), newest first.
func (d *Desk) stories(ctx context.Context, e *edition, from, to time.Time) ([]story, error) {
	var out []story
	for offset := 0; ; offset += kolokol.MaxArticleLimit {
		as, err := d.store.FindArticles(ctx, kolokol.ArticleFilter{Service: e.svc.Code, Status: kolokol.StatusPublished, ByPublished: true,
			WithoutBody: true, Offset: offset, Limit: kolokol.MaxArticleLimit})
		if err != nil {
			return nil, fmt.Errorf("find stories: %w", err)
		}
		for _, a := range as {
			if a.PublishedAt.Before(from) {
				return out, nil
			}
			if a.PublishedAt.Before(to) {
				out = append(out, story{Headline: a.Headline, Summary: a.Summary, URL: d.link(a.Path()), Time: e.f.DateTime(a.PublishedAt)})
			}
		}
		if len(as) < kolokol.MaxArticleLimit {
			return out, nil
		}
	}
}

// SendAlerts reads the change log forward from its cursor and mails an
// alert for each breaking banner set since, to each service's confirmed
// alert subscribers. The first run starts at the log's end: banners set
// before the edition existed are not mailed.
func (d *Desk) SendAlerts(ctx context.Context) (int, error) {
	after, err := d.store.FindCursor(ctx, alertsCursor)
	if kolokol.IsNotFound(err) {
		_, last, err := d.store.ChangeBounds(ctx)
		if err != nil {
			return 0, fmt.Errorf("alerts: %w", err)
		}
		return 0, d.store.SetCursor(ctx, alertsCursor, last)
	} else if err != nil {
		return 0, fmt.Errorf("alerts: %w", err)
	}
	sent := 0
	for {
		cs, err := d.store.FindChanges(ctx, after, 0)
		if err != nil {
			return sent, fmt.Errorf("alerts: %w", err)
		}
		if len(cs) == 0 {
			return sent, nil
		}
		services := map[string]bool{}
		for _, c := range cs {
			if c.Kind == kolokol.ChangeBreaking {
				services[c.Service] = true
			}
		}
		for code := range services {
			n, err := d.sendAlert(ctx, code)
			sent += n
			if err != nil {
				// The cursor stays: the next round tries again, and the
				// deliveries already made are not made twice.
				return sent, err
			}
		}
		after = cs[len(cs)-1].Seq
		if err := d.store.SetCursor(ctx, alertsCursor, after); err != nil {
			return sent, fmt.Errorf("alerts: %w", err)
		}
	}
}

// sendAlert mails a service's current banner, if it is live. Its key is
// the banner's creation time: the same banner read twice, or by two
// servers, is one mail.
func (d *Desk) sendAlert(ctx context.Context, code string) (int, error) {
	b, err := d.store.FindBreaking(ctx, code)
	if kolokol.IsNotFound(err) {
		return 0, nil // cleared
	} else if err != nil {
		return 0, fmt.Errorf("alert of %s: %w", code, err)
	}
	if !b.Active(d.now()) {
		return 0, nil
	}
	e, err := d.edition(ctx, code)
	if err != nil {
		return 0, fmt.Errorf("alert of %s: %w", code, err)
	}
	key := "alert:" + code + ":" + strconv.FormatInt(b.CreatedAt.UnixNano(), 10)
	n, err := d.deliver(ctx, e, key, kolokol.SubscriptionFilter{Service: code, Alerts: true}, func(to, unsub, id string) *email.Message {
		return d.alertMail(e, to, unsub, id, b)
	})
	if err != nil {
		return n, fmt.Errorf("alert of %s: %w", code, err)
	}
	return n, nil
}

// deliver queues the mail key to every confirmed subscription f selects,
// then claims and sends what is queued. A delivery is claimed before its
// SMTP conversation, and one a crash leaves claimed is not sent again:
// at most once.
func (d *Desk) deliver(ctx context.Context, e *edition, key string, f kolokol.SubscriptionFilter,
	build func(to, unsubscribe, id string) *email.Message) (int, error) {
	f.Status = kolokol.SubscriptionConfirmed
	for {
		subs, err := d.store.FindSubscriptions(ctx, f)
		if err != nil {
			return 0, err
		}
		if len(subs) == 0 {
			break
		}
		ids := make([]int64, len(subs))
		for i, s := range subs {
			ids[i] = s.ID
		}
		if _, err := d.store.QueueDeliveries(ctx, key, ids); err != nil {
			return 0, err
		}
		f.AfterID = ids[len(ids)-1]
	}
	var (
		mu     sync.Mutex
		sent   int
		failed error
	)
	for {
		ds, err := d.store.ClaimDeliveries(ctx, key, 200)
		if err != nil {
			return sent, err
		}
		if len(ds) == 0 {
			return sent, failed
		}
		jobs := make(chan *kolokol.Delivery)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for x := range jobs {
					ok, err := d.send(ctx, e, x, build)
					mu.Lock()
					if ok {
						sent++
					} else if err != nil && failed == nil {
						failed = err
					}
					mu.Unlock()
				}
			})
		}
		for _, x := range ds {
			jobs <- x
		}
		close(jobs)
		wg.Wait()
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
	}
}

// ignoreSendError keeps only the errors of recording an outcome: a mail
// that failed is recorded, not an error of the whole delivery.
func ignoreSendError(err error) error {
	var rec *recordError
	if errors.As(err, &rec) {
		return err
	}
	return nil
}

// recordError is a delivery's outcome that could not be recorded.
type recordError struct{ err error }

func (e *recordError) Error() string { return e.err.Error() }
func (e *recordError) Unwrap() error { return e.err }

// send sends one claimed delivery and records how it ended; it reports
// whether the mail went, and an error only when the outcome could not be
// recorded. The address is opened here and dropped with the message.
func (d *Desk) send(ctx context.Context, e *edition, x *kolokol.Delivery, build func(to, unsubscribe, id string) *email.Message) (bool, error) {
	// finish records the outcome, whatever ctx says: the mail went or it
	// did not. A mail that failed is in its row and the log; only a
	// failure to record it is returned.
	finish := func(err error) error {
		text := ""
		if err != nil {
			text = err.Error()
			d.log.Warn("newsletter: mail not sent", "delivery", x.ID, "err", err)
		}
		if ferr := d.store.FinishDelivery(context.WithoutCancel(ctx), x.ID, err == nil, text); ferr != nil && !kolokol.IsNotFound(ferr) {
			return &recordError{fmt.Errorf("record delivery %d: %w", x.ID, ferr)}
		}
		return err
	}
	sub, err := d.store.FindSubscription(ctx, x.Subscription)
	if kolokol.IsNotFound(err) {
		return false, nil // unsubscribed since: its deliveries went with it
	} else if err != nil {
		return false, finish(fmt.Errorf("delivery %d: %w", x.ID, err))
	}
	to, err := d.opts.Keys.Open(sub.Lookup, sub.Sealed)
	if err != nil {
		return false, ignoreSendError(finish(fmt.Errorf("delivery %d: %w", x.ID, err)))
	}
	id := fmt.Sprintf("<d%d.s%d@%s>", x.ID, sub.ID, e.host)
	m := build(to, d.unsubscribeURL(sub.Service, d.opts.Keys.ManageToken(sub.Sealed)), id)
	if err := d.opts.Mailer.Send(ctx, m); err != nil {
		return false, ignoreSendError(finish(fmt.Errorf("delivery %d: %w", x.ID, err)))
	}
	return true, finish(nil)
}
