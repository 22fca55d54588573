package desk

import (
	"context"
	"log/slog"

	"github.com/kolokol/kolokol"
)

// SetLogger gives the desk somewhere to report what it cannot put in the
// audit log. Call it while wiring.
func (d *Desk) SetLogger(l *slog.Logger) { d.log = l }

// record writes the audit entry of an operation on a story, a service or
// its banner that ended with err (see write).
func (d *Desk) record(ctx context.Context, actor kolokol.Actor, action, service string, articleID int64, detail string, err error) {
	if c := kolokol.ErrorCode(err); service == "" && articleID > 0 && (c == kolokol.EFORBIDDEN || c == kolokol.EUNAUTHORIZED) {
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
// admin's eye, recorded as action.denied with the reason). Mistakes in
// input and edit conflicts are not events. The entry names the account or
// token, never a reader.
func (d *Desk) write(ctx context.Context, actor kolokol.Actor, e kolokol.AuditEntry, err error) {
	switch kolokol.ErrorCode(err) {
	case "":
	case kolokol.EFORBIDDEN, kolokol.EUNAUTHORIZED:
		e.Action += ".denied"
		e.Detail = kolokol.ErrorMessage(err)
	default:
		return
	}
	e.Actor = actor.Name
	if e.Actor == "" {
		e.Actor = "(unnamed)"
	}
	if !kolokol.ValidServiceCode(e.Service) {
		e.Service = ""
	}
	// The operation has happened; a reader hanging up must not lose its record.
	if aerr := d.store.AddAudit(context.WithoutCancel(ctx), &e); aerr != nil && d.log != nil {
		d.log.Error("audit log", "action", e.Action, "err", aerr)
	}
}

// Audit returns audit entries, newest first. Admins only.
func (d *Desk) Audit(ctx context.Context, actor kolokol.Actor, f kolokol.AuditFilter) ([]*kolokol.AuditEntry, error) {
	if actor.Role != kolokol.RoleAdmin {
		return nil, kolokol.Errorf(kolokol.EFORBIDDEN, "only admins may read the audit log")
	}
	if len(actor.Services) > 0 && (f.Service == "" || !actor.CanTouch(f.Service)) {
		return nil, kolokol.FieldErrorf(kolokol.EFORBIDDEN, "service", "name one of your services to read its audit log")
	}
	return d.store.FindAudit(ctx, f)
}
