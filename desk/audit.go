package desk

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/kolokol/kolokol"
)

// SetLogger gives the desk somewhere to report what it cannot put in the
// audit log. Call it while wiring.
func (d *Desk) SetLogger(l *slog.Logger) {
	d.log = l
	d.audit.log = l
}

// hiddenError is a refusal shown as "not found", so that no one learns what
// exists in services they do not work on, but recorded in the audit log as
// the refusal it is.
type hiddenError struct {
	shown  *kolokol.Error
	reason string
}

func (h *hiddenError) Error() string { return h.shown.Error() }
func (h *hiddenError) Unwrap() error { return h.shown }

// hidden refuses as ENOTFOUND with message, recording reason.
func hidden(reason, format string, args ...any) error {
	return &hiddenError{shown: kolokol.Errorf(kolokol.ENOTFOUND, format, args...), reason: reason}
}

// record writes the audit entry of an operation on a story, a service or
// its banner that ended with err (see write).
func (d *Desk) record(ctx context.Context, actor kolokol.Actor, action, service string, articleID int64, detail string, err error) {
	var h *hiddenError
	if c := kolokol.ErrorCode(err); service == "" && articleID > 0 && (c == kolokol.EFORBIDDEN || c == kolokol.EUNAUTHORIZED || errors.As(err, &h)) {
		// A refused operation returns before it knows the service; the
		// entry still says which service was touched.
		if a, ferr := d.store.FindArticleByID(context.WithoutCancel(ctx), articleID); ferr == nil {
			service = a.Service
		}
	}
	d.write(ctx, actor, kolokol.AuditEntry{Action: action, Service: service, ArticleID: articleID, Detail: detail}, err)
}

// write stores the audit entry e of an operation that ended with err: what
// was done, and what was refused for lack of rights (an attempt worth an
// admin's eye, recorded as action.denied with the reason), including
// refusals shown as "not found". Mistakes in input and edit conflicts are
// not events. The entry names the account or token, never a reader.
// Repeated refusals are counted rather than written one by one (auditor).
func (d *Desk) write(ctx context.Context, actor kolokol.Actor, e kolokol.AuditEntry, err error) {
	var h *hiddenError
	switch code := kolokol.ErrorCode(err); {
	case code == "":
	case errors.As(err, &h):
		e.Action += ".denied"
		e.Detail = h.reason
	case code == kolokol.EFORBIDDEN || code == kolokol.EUNAUTHORIZED:
		e.Action += ".denied"
		e.Detail = kolokol.ErrorMessage(err)
	default:
		return
	}
	e.Actor = actor.Name
	if e.Actor == "" {
		e.Actor = "(unnamed)"
	}
	if len(e.Actor) > kolokol.MaxEmail {
		e.Actor = e.Actor[:kolokol.MaxEmail]
	}
	if !kolokol.ValidServiceCode(e.Service) {
		e.Service = ""
	}
	var services []string
	for _, s := range e.Services {
		if kolokol.ValidServiceCode(s) {
			services = append(services, s)
		}
	}
	e.Services = services
	d.audit.add(ctx, e)
}

// FlushAudit writes the counts of repeated refusals whose windows have
// ended; the scheduler calls it every few seconds. At shutdown, call it
// with final set, which writes every count.
func (d *Desk) FlushAudit(ctx context.Context, final bool) {
	if final {
		d.audit.flushAll(ctx)
		return
	}
	d.audit.flush(ctx)
}

// PruneAudit keeps the audit log at its bound, kolokol.MaxAuditEntries.
func (d *Desk) PruneAudit(ctx context.Context) (int64, error) {
	return d.store.PruneAudit(ctx, kolokol.MaxAuditEntries)
}

// Audit returns audit entries, newest first. Admins only; a service admin
// names one of their services and sees what concerns it.
func (d *Desk) Audit(ctx context.Context, actor kolokol.Actor, f kolokol.AuditFilter) ([]*kolokol.AuditEntry, error) {
	if !actor.AdminSomewhere() {
		return nil, kolokol.Errorf(kolokol.EFORBIDDEN, "only admins may read the audit log")
	}
	if !actor.Global() && (f.Service == "" || !actor.AdminOf(f.Service)) {
		return nil, kolokol.FieldErrorf(kolokol.EFORBIDDEN, "service", "name one of your services to read its audit log")
	}
	return d.store.FindAudit(ctx, f)
}

// auditEvery is how often the scheduler prunes the audit log.
const auditEvery = time.Hour
