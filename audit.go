package kolokol

import (
	"regexp"
	"strings"
	"time"
)

// AuditEntry records who did what in the newsroom. Readers are never
// recorded: Actor is an account's email or an API token's name.
type AuditEntry struct {
	ID      int64
	Time    time.Time
	Actor   string
	Action  string // e.g. "article.publish", "login.fail", "user.add"
	Service string
	// Services are the services the entry concerns, for the admins of
	// each: an account's services for what is done to or by the account.
	// Service, when set, is always among them as stored.
	Services  []string
	ArticleID int64
	Target    string // the account acted on, for account actions
	Detail    string
}

var auditActionRE = regexp.MustCompile(`^[a-z]+(\.[a-z_]+)+$`)

// Validate checks an entry before it is stored.
func (e *AuditEntry) Validate() error {
	if strings.TrimSpace(e.Actor) == "" {
		return FieldErrorf(EINVALID, "actor", "an audit entry names who acted")
	}
	if !auditActionRE.MatchString(e.Action) {
		return FieldErrorf(EINVALID, "action", "audit action %q is not of the form noun.verb", e.Action)
	}
	if len(e.Action) > 64 {
		return FieldErrorf(EINVALID, "action", "audit action %q is longer than 64 characters", e.Action)
	}
	if e.Service != "" && !ValidServiceCode(e.Service) {
		return FieldErrorf(EINVALID, "service", "invalid service code %q", e.Service)
	}
	for _, s := range e.Services {
		if !ValidServiceCode(s) {
			return FieldErrorf(EINVALID, "services", "invalid service code %q", s)
		}
	}
	if e.ArticleID < 0 {
		return FieldErrorf(EINVALID, "article_id", "article id %d is negative", e.ArticleID)
	}
	for _, f := range [][2]string{{"actor", e.Actor}, {"target", e.Target}, {"detail", e.Detail}} {
		if err := checkText(f[0], f[1], 2000); err != nil {
			return err
		}
	}
	return nil
}

// AuditFilter selects audit entries, newest first. Zero fields do not filter.
type AuditFilter struct {
	Actor  string
	Action string
	// Service keeps the entries that concern the service (see
	// AuditEntry.Services).
	Service string
	// Services are the services the entry concerns, for the admins of
	// each: an account's services for what is done to or by the account.
	// Service, when set, is always among them as stored.
	Services  []string
	ArticleID int64
	// Before, when set, keeps entries with an id below it: pass the last id
	// of a page to get the next one.
	Before int64
	// Limit is the page size: DefaultAuditLimit when zero or negative, at
	// most MaxAuditLimit.
	Limit int
}

// Page sizes of FindAudit.
const (
	DefaultAuditLimit = 100
	MaxAuditLimit     = 500
	// MaxAuditEntries is how many entries the audit log keeps; older ones
	// are pruned. Repeated failures are summarised (see desk), so this is
	// years of a busy newsroom's work, and an attack cannot grow the log
	// past it.
	MaxAuditEntries = 1_000_000
)
