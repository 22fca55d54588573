package desk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kolokol/kolokol"
)

// Schedule sets a story to be published at a future time. The scheduler
// (PublishDue) publishes it then, or at the next start if the server was
// down at that moment.
func (d *Desk) Schedule(ctx context.Context, actor kolokol.Actor, id int64, at time.Time) (a *kolokol.Article, err error) {
	defer func() { d.record(ctx, actor, "article.schedule", serviceOf(a), id, at.UTC().Format(time.RFC3339), err) }()
	a, err = d.Article(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := canPublish(actor, a.Service); err != nil {
		return nil, err
	}
	if a.IsLive() {
		return nil, kolokol.FieldErrorf(kolokol.ECONFLICT, "status", "article %d is already published", id)
	}
	if !at.After(d.now()) {
		// In the zone it was given in (the service's, from the newsroom),
		// so that the person sees the time they meant, or did not.
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "at", "%s has already passed: give a time to come", ShowTime(at, at.Location()))
	}
	if err := d.checkEmbargo(ctx, a.ID, at); err != nil {
		return nil, err
	}
	a.Status, a.ScheduledAt = kolokol.StatusScheduled, at.UTC().Truncate(time.Second)
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return a, d.save(ctx, actor, a)
}

// scheduler is who the audit and the change events name for publications
// the server makes on its own.
var scheduler = kolokol.Actor{Name: "scheduler", Role: kolokol.RoleAdmin}

// PublishDue publishes every scheduled story whose time has come, and
// returns how many it published. A story that cannot be published (it was
// edited into an invalid state) is left scheduled and reported in err; the
// others are still published.
func (d *Desk) PublishDue(ctx context.Context, now time.Time) (int, error) {
	due, err := d.store.FindArticles(ctx, kolokol.ArticleFilter{Status: kolokol.StatusScheduled, ScheduledBy: now, Limit: 500})
	if err != nil {
		return 0, fmt.Errorf("find due stories: %w", err)
	}
	n := 0
	var errs []error
	for _, a := range due {
		if _, err := d.Publish(ctx, scheduler, a.ID); err != nil {
			errs = append(errs, fmt.Errorf("publish scheduled article %d: %w", a.ID, err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// RunScheduler calls PublishDue every interval until ctx ends, starting at
// once so that stories due while the server was down go out at start. It
// also writes the audit log's counts of repeated refusals as their windows
// end, and keeps the audit log and the change log at their bounds and the
// sign-in throttle's counts to those not yet forgotten.
func (d *Desk) RunScheduler(ctx context.Context, interval time.Duration, report func(published int, err error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var pruned time.Time
	for {
		n, err := d.PublishDue(ctx, d.now())
		if n > 0 || err != nil {
			report(n, err)
		}
		d.FlushAudit(ctx, false)
		if now := d.now(); now.Sub(pruned) >= auditEvery {
			if _, err := d.PruneAudit(ctx); err != nil && ctx.Err() == nil {
				report(0, err)
			}
			if _, err := d.store.PruneChanges(ctx, kolokol.KeepChanges); err != nil && ctx.Err() == nil {
				report(0, err)
			}
			// The sign-in throttle forgets a count a day after its last
			// failure; the store does not keep it longer.
			if _, err := d.store.PruneThrottles(ctx, d.guard.sources.rule.Forget(now), now); err != nil && ctx.Err() == nil {
				report(0, err)
			}
			pruned = now
		}
		select {
		case <-ctx.Done():
			d.FlushAudit(context.WithoutCancel(ctx), true)
			return
		case <-t.C:
		}
	}
}

// RunAuditFlush writes the audit log's counts of repeated refusals as
// their windows end, every interval, and every count when ctx ends. On
// several servers each keeps its own counts, and only one runs the
// scheduler (which flushes too): the others run this.
func (d *Desk) RunAuditFlush(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			d.FlushAudit(context.WithoutCancel(ctx), true)
			return
		case <-t.C:
			d.FlushAudit(ctx, false)
		}
	}
}
