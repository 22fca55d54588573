package desk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
)

// MaxTokenLifetime is the longest a token may be made to work: five years,
// a leap day included. A credential that outlives the people who made it
// is one nobody remembers to revoke.
const MaxTokenLifetime = 1826 * 24 * time.Hour

// TokenInput is a new API token.
type TokenInput struct {
	Name     string
	Role     kolokol.Role
	Services []string
	// Lifetime is how long from now the token works; zero: until revoked.
	Lifetime time.Duration
}

// canManageToken reports whether actor may make, see or revoke a token of
// this role on these services. The rule is that of accounts (canManage): a
// global admin manages every token; a service admin only tokens that work
// on services of theirs alone, and never one for every service.
func canManageToken(actor kolokol.Actor, role kolokol.Role, services []string) error {
	if !actor.AdminSomewhere() {
		return kolokol.Errorf(kolokol.EFORBIDDEN, "only admins manage API tokens")
	}
	if actor.Global() {
		return nil
	}
	if len(services) == 0 {
		if role == kolokol.RoleAdmin {
			return kolokol.FieldErrorf(kolokol.EFORBIDDEN, "services", "only a global admin makes a token for every service")
		}
		return kolokol.FieldErrorf(kolokol.EFORBIDDEN, "services", "name the services of the token")
	}
	for _, s := range services {
		if !actor.AdminOf(s) {
			return kolokol.FieldErrorf(kolokol.EFORBIDDEN, "services", "%s may not manage tokens of service %q", actor.Name, s)
		}
	}
	return nil
}

// tokenDetail describes a token for the audit log: what it may do, never
// its secret or hash.
func tokenDetail(t *kolokol.Token) string {
	services := "every service"
	if len(t.Services) > 0 {
		services = strings.Join(t.Services, ", ")
	}
	expires := "never expires"
	if !t.ExpiresAt.IsZero() {
		expires = "expires " + t.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	return fmt.Sprintf("token %d: %s of %s, %s", t.ID, t.Role, services, expires)
}

// recordToken writes the audit entry of an operation on a token; Target
// is the token's name, as accounts are named by their email. It is filed
// under the token's services and the actor's, for the admins of each.
func (d *Desk) recordToken(ctx context.Context, actor kolokol.Actor, action string, t *kolokol.Token, err error) {
	e := kolokol.AuditEntry{Action: action, Target: t.Name, Detail: tokenDetail(t), Services: slices.Clone(actor.Services)}
	for _, s := range t.Services {
		if !slices.Contains(e.Services, s) {
			e.Services = append(e.Services, s)
		}
	}
	d.write(ctx, actor, e, err)
}

// CreateToken makes an API token and returns it with its secret. The
// secret is returned only now: the store keeps its SHA-256.
func (d *Desk) CreateToken(ctx context.Context, actor kolokol.Actor, in TokenInput) (_ *kolokol.Token, secret string, err error) {
	t := &kolokol.Token{Name: in.Name, Role: in.Role, Services: in.Services, CreatedBy: actor.Name}
	t.Normalize()
	defer func() { d.recordToken(ctx, actor, "token.create", t, err) }()
	if err := canManageToken(actor, t.Role, t.Services); err != nil {
		return nil, "", err
	}
	switch {
	case in.Lifetime < 0:
		return nil, "", kolokol.FieldErrorf(kolokol.EINVALID, "expires", "a token cannot expire before it is made")
	case in.Lifetime > MaxTokenLifetime:
		return nil, "", kolokol.FieldErrorf(kolokol.EINVALID, "expires", "a token may work for at most five years (%d days); make a new one then", MaxTokenLifetime/(24*time.Hour))
	case in.Lifetime > 0:
		t.ExpiresAt = d.now().Add(in.Lifetime).UTC()
	}
	if err := d.checkServices(ctx, t.Services); err != nil {
		return nil, "", err
	}
	secret, t.Hash = kolokol.NewToken()
	if err := d.store.CreateToken(ctx, t); err != nil {
		return nil, "", fmt.Errorf("create token %q: %w", t.Name, err)
	}
	return t, secret, nil
}

// Tokens lists the tokens actor manages, newest first.
func (d *Desk) Tokens(ctx context.Context, actor kolokol.Actor) ([]*kolokol.Token, error) {
	if !actor.AdminSomewhere() {
		return nil, kolokol.Errorf(kolokol.EFORBIDDEN, "only admins manage API tokens")
	}
	all, err := d.store.FindTokens(ctx)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	var out []*kolokol.Token
	for _, t := range all {
		if canManageToken(actor, t.Role, t.Services) == nil {
			out = append(out, t)
		}
	}
	return out, nil
}

// RevokeToken stops a token from working, from the next request on.
// Revoking a revoked token is not an error, and keeps its first time.
func (d *Desk) RevokeToken(ctx context.Context, actor kolokol.Actor, id int64) (_ *kolokol.Token, err error) {
	t, err := d.store.FindTokenByID(ctx, id)
	if err != nil {
		return nil, err
	}
	defer func() { d.recordToken(ctx, actor, "token.revoke", t, err) }()
	if err := canManageToken(actor, t.Role, t.Services); err != nil {
		return nil, err
	}
	if err := d.store.RevokeToken(ctx, id, d.now().UTC()); err != nil {
		return nil, fmt.Errorf("revoke token %d: %w", id, err)
	}
	revoked, err := d.store.FindTokenByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("revoke token %d: %w", id, err)
	}
	return revoked, nil
}

// AuthenticateToken finds the token a secret belongs to and checks that it
// works now: a revoked or expired token is refused, saying which. It notes
// the day of use; the store writes only the first use of a day.
func (d *Desk) AuthenticateToken(ctx context.Context, secret string) (*kolokol.Token, error) {
	t, err := d.store.FindTokenByHash(ctx, kolokol.HashToken(secret))
	if kolokol.IsNotFound(err) {
		return nil, kolokol.Errorf(kolokol.EUNAUTHORIZED, "the API token is not valid")
	} else if err != nil {
		return nil, fmt.Errorf("authenticate token: %w", err)
	}
	now := d.now()
	if err := t.Usable(now); err != nil {
		return nil, err
	}
	// Checked here too so that a busy script costs no store call at all.
	if kolokol.Day(now).After(t.LastUsed) {
		if err := d.store.RecordTokenUse(ctx, t.ID, now); err != nil && d.log != nil {
			// The request itself is fine; a missed date is not worth refusing it.
			d.log.Error("record token use", "token", t.ID, "err", err)
		}
	}
	return t, nil
}
