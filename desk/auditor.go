package desk

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kolokol/kolokol"
)

// The audit log must stay readable, and bounded, while someone hammers the
// sign-in form or a signed-in page with refused requests. Refusals and
// failures are therefore written once, then counted: the first of a kind
// (same action, actor, service, story and target) is written at once, the
// ones that follow within its window are counted, and when the window ends
// one line says how many more there were and over what time. While the
// repeats go on, each window is twice the last, up to an hour, so a
// sustained attack writes a few lines an hour per account it targets.
// Successes are always written one by one: they need valid credentials.
const (
	firstWindow = time.Minute
	maxWindow   = time.Hour
	// maxBursts bounds the kinds counted at once; beyond it, the repeats
	// of new kinds share one line per action ("various").
	maxBursts = 10_000
)

// unknownAccount is who the log names for sign-ins with an email no account
// has: the typed text is kept only in the first entry's Target, so a flood
// of made-up emails is one kind of event, not one per email.
const unknownAccount = "(unknown account)"

// repetitive reports whether an action is a refusal or failure, which is
// counted rather than written each time.
func repetitive(action string) bool {
	return strings.HasSuffix(action, ".denied") || strings.HasSuffix(action, ".fail") || strings.HasSuffix(action, ".throttled")
}

type burst struct {
	entry       kolokol.AuditEntry // the first, as written
	window      time.Duration
	until       time.Time // repeats before it are counted
	more        int       // repeats counted in this window
	first, last time.Time // of the counted repeats
}

type auditor struct {
	store kolokol.Store
	now   func() time.Time
	log   *slog.Logger

	mu     sync.Mutex
	bursts map[string]*burst
}

func newAuditor(store kolokol.Store, now func() time.Time) *auditor {
	return &auditor{store: store, now: now, bursts: map[string]*burst{}}
}

// burstKey is what makes two entries the same kind: everything but the time
// and the detail beyond its first word ("password", "code: …", "passkey:
// …"), which may be text a client chose.
func burstKey(e *kolokol.AuditEntry) string {
	target := e.Target
	if e.Actor == unknownAccount {
		target = ""
	}
	kind, _, _ := strings.Cut(e.Detail, ":")
	if len(kind) > 40 {
		kind = kind[:40]
	}
	return strings.Join([]string{e.Action, e.Actor, e.Service, strconv.FormatInt(e.ArticleID, 10), target, kind}, "\x00")
}

// add writes e, or counts it when it repeats one written in its window.
func (a *auditor) add(ctx context.Context, e kolokol.AuditEntry) {
	if !repetitive(e.Action) {
		a.put(ctx, &e)
		return
	}
	now := a.now()
	key := burstKey(&e)
	a.mu.Lock()
	b := a.bursts[key]
	if b != nil && !now.Before(b.until) {
		a.close(ctx, key, b, now)
		b = a.bursts[key]
	}
	if b == nil && len(a.bursts) >= maxBursts {
		key = e.Action + "\x00(various)"
		b = a.bursts[key]
		e.Actor, e.Target, e.ArticleID, e.Service, e.Services = "(various)", "", 0, "", nil
	}
	if b != nil {
		if b.more == 0 {
			b.first = now
		}
		b.more++
		b.last = now
		a.mu.Unlock()
		return
	}
	window := firstWindow
	a.bursts[key] = &burst{entry: e, window: window, until: now.Add(window)}
	a.mu.Unlock()
	a.put(ctx, &e)
}

// close ends a burst's window: it writes how many repeats there were, and
// keeps counting in a window twice as long, or forgets the burst when its
// window passed quietly. a.mu is held.
func (a *auditor) close(ctx context.Context, key string, b *burst, now time.Time) {
	if b.more == 0 {
		delete(a.bursts, key)
		return
	}
	s := b.entry
	s.ID, s.Time = 0, time.Time{}
	s.Detail = fmt.Sprintf("repeated %d more times from %s to %s; repeats are counted, not written one by one",
		b.more, b.first.UTC().Format(time.RFC3339), b.last.UTC().Format(time.RFC3339))
	a.put(ctx, &s)
	b.window = min(2*b.window, maxWindow)
	b.until, b.more = now.Add(b.window), 0
}

// flush writes the counts of every window that has ended.
func (a *auditor) flush(ctx context.Context) {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for key, b := range a.bursts {
		if !now.Before(b.until) {
			a.close(ctx, key, b, now)
		}
	}
}

// flushAll writes every count now, windows ended or not: at shutdown.
func (a *auditor) flushAll(ctx context.Context) {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for key, b := range a.bursts {
		b.until = now
		a.close(ctx, key, b, now)
	}
}

func (a *auditor) put(ctx context.Context, e *kolokol.AuditEntry) {
	// The operation has happened; a caller hanging up must not lose its record.
	if err := a.store.AddAudit(context.WithoutCancel(ctx), e); err != nil && a.log != nil {
		a.log.Error("audit log", "action", e.Action, "err", err)
	}
}

// Events is how many events an audit entry stands for: 1, or for a summary
// line ("repeated N more times …") the N repeats it counts.
func Events(e *kolokol.AuditEntry) int {
	var n int
	if _, err := fmt.Sscanf(e.Detail, "repeated %d more times", &n); err == nil && n > 0 {
		return n
	}
	return 1
}
