package desk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/auth"
)

// EnrolmentLifetime is how long a new account's link works.
const EnrolmentLifetime = 72 * time.Hour

// NewEnrolment makes a one-time link token for a user, with the TOTP secret
// the link offers; the store keeps the returned enrolment (the token's
// hash), the person receives the token.
func NewEnrolment(userID int64, now time.Time) (token string, e *kolokol.Enrolment, err error) {
	token, err = newSecret()
	if err != nil {
		return "", nil, fmt.Errorf("enrolment: %w", err)
	}
	secret, err := auth.NewTOTPSecret()
	if err != nil {
		return "", nil, fmt.Errorf("enrolment: %w", err)
	}
	return token, &kolokol.Enrolment{TokenHash: kolokol.HashToken(token), UserID: userID, TOTPSecret: secret,
		ExpiresAt: now.Add(EnrolmentLifetime).UTC()}, nil
}

// UserInput is a new account or the access of an existing one. Desks give
// a role per service; an input with none gives Role on each of Services
// (as before desks), and Role admin with neither is a global admin.
type UserInput struct {
	Email    string
	Name     string
	Role     kolokol.Role
	Services []string
	Desks    []kolokol.Desk
	Disabled bool
}

// canManage reports whether actor may manage an account with these desks
// (u normalized). A global admin manages everyone; a service admin manages
// accounts that work only on services they are an admin of, and never
// makes a global admin.
func canManage(actor kolokol.Actor, u *kolokol.User) error {
	if !actor.AdminSomewhere() {
		return kolokol.Errorf(kolokol.EFORBIDDEN, "only admins manage accounts")
	}
	if actor.Global() {
		return nil
	}
	if len(u.Desks) == 0 {
		if u.Role == kolokol.RoleAdmin {
			return kolokol.FieldErrorf(kolokol.EFORBIDDEN, "services", "only a global admin makes a global admin")
		}
		return kolokol.FieldErrorf(kolokol.EFORBIDDEN, "services", "name the services of the account")
	}
	for _, dk := range u.Desks {
		if !actor.AdminOf(dk.Service) {
			return kolokol.FieldErrorf(kolokol.EFORBIDDEN, "services", "%s may not manage accounts of service %q", actor.Name, dk.Service)
		}
	}
	return nil
}

// desksDetail says what an account may do, for the audit log:
// "ka=reporter, ru=editor", or "global admin".
func desksDetail(u *kolokol.User) string {
	if len(u.Desks) == 0 {
		if u.Role == kolokol.RoleAdmin {
			return "global admin"
		}
		return "no desks"
	}
	parts := make([]string, len(u.Desks))
	for i, dk := range u.Desks {
		parts[i] = dk.String()
	}
	return strings.Join(parts, ", ")
}

// accessChanges says what an update changed, for the audit log: "ru:
// reporter → editor; ka: added as reporter; disabled".
func accessChanges(old, next *kolokol.User) string {
	var parts []string
	if old.Name != next.Name {
		parts = append(parts, fmt.Sprintf("name %q → %q", old.Name, next.Name))
	}
	if (len(old.Desks) == 0) != (len(next.Desks) == 0) {
		parts = append(parts, desksDetail(old)+" → "+desksDetail(next))
	} else {
		parts = append(parts, kolokol.DeskChanges(old.Desks, next.Desks)...)
	}
	if old.Disabled != next.Disabled {
		parts = append(parts, map[bool]string{true: "disabled", false: "enabled"}[next.Disabled])
	}
	if len(parts) == 0 {
		return "no change"
	}
	return strings.Join(parts, "; ")
}

// recordAccount writes the audit entry of an operation on an account, under
// the account's services and the actor's, so that the admins of both see
// it.
func (d *Desk) recordAccount(ctx context.Context, actor kolokol.Actor, action string, target *kolokol.User, detail string, err error) {
	e := kolokol.AuditEntry{Action: action, Detail: detail, Services: slices.Clone(actor.Services)}
	if target != nil {
		e.Target = target.Email
		for _, s := range target.Services {
			if !slices.Contains(e.Services, s) {
				e.Services = append(e.Services, s)
			}
		}
	}
	d.write(ctx, actor, e, err)
}

// Users lists the accounts actor manages, by email.
func (d *Desk) Users(ctx context.Context, actor kolokol.Actor) ([]*kolokol.User, error) {
	if !actor.AdminSomewhere() {
		return nil, kolokol.Errorf(kolokol.EFORBIDDEN, "only admins manage accounts")
	}
	all, err := d.store.FindUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	var out []*kolokol.User
	for _, u := range all {
		if canManage(actor, u) == nil {
			out = append(out, u)
		}
	}
	return out, nil
}

// User returns one account actor manages. An account outside the actor's
// services is "not found": its role and services are not theirs to learn.
func (d *Desk) User(ctx context.Context, actor kolokol.Actor, id int64) (u *kolokol.User, err error) {
	u, err = d.user(ctx, actor, id)
	if err != nil {
		d.recordAccount(ctx, actor, "user.read", u, fmt.Sprintf("account %d", id), err)
		return nil, err
	}
	return u, nil
}

// user is User without its audit entry, for operations that write their
// own. A refusal returns the account too, for that entry.
func (d *Desk) user(ctx context.Context, actor kolokol.Actor, id int64) (*kolokol.User, error) {
	if !actor.AdminSomewhere() {
		return nil, kolokol.Errorf(kolokol.EFORBIDDEN, "only admins manage accounts")
	}
	u, err := d.store.FindUserByID(ctx, id)
	if kolokol.IsNotFound(err) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "there is no account %d", id)
	} else if err != nil {
		return nil, err
	}
	if err := canManage(actor, u); err != nil {
		return u, hidden(kolokol.ErrorMessage(err), "there is no account %d", id)
	}
	return u, nil
}

// AddUser creates an account with no password or second factor yet and
// returns the token of its one-time enrolment link.
func (d *Desk) AddUser(ctx context.Context, actor kolokol.Actor, in UserInput) (u *kolokol.User, token string, err error) {
	nu := &kolokol.User{Email: in.Email, Name: in.Name, Role: in.Role, Services: in.Services, Desks: in.Desks}
	nu.Normalize()
	defer func() { d.recordAccount(ctx, actor, "user.add", nu, desksDetail(nu), err) }()
	if err := canManage(actor, nu); err != nil {
		return nil, "", err
	}
	if err := d.checkServices(ctx, nu.Services); err != nil {
		return nil, "", err
	}
	// The account and its link, together: never an account no link can
	// set up.
	err = d.store.InTx(ctx, func(tx kolokol.Store) error {
		if err := tx.CreateUser(ctx, nu); err != nil {
			return fmt.Errorf("add user: %w", err)
		}
		var e *kolokol.Enrolment
		if token, e, err = NewEnrolment(nu.ID, d.now()); err != nil {
			return err
		}
		if err := tx.CreateEnrolment(ctx, e); err != nil {
			return fmt.Errorf("enrolment link for %s: %w", nu.Email, err)
		}
		return nil
	})
	if err != nil {
		nu.ID = 0
		return nil, "", err
	}
	return nu, token, nil
}

func (d *Desk) checkServices(ctx context.Context, codes []string) error {
	for _, c := range codes {
		if _, err := d.store.FindServiceByCode(ctx, c); kolokol.IsNotFound(err) {
			return kolokol.FieldErrorf(kolokol.EINVALID, "services", "there is no service %q", c)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// UpdateUserAccess changes an account's name, role, services or whether it
// is disabled. Disabling ends its sessions. No one disables themselves or
// changes their own role: another admin must, so a stolen session cannot
// quietly lock the newsroom out.
func (d *Desk) UpdateUserAccess(ctx context.Context, actor kolokol.Actor, id int64, in UserInput) (u *kolokol.User, err error) {
	var target *kolokol.User
	detail := ""
	defer func() {
		if detail == "" {
			detail = desksDetail(&kolokol.User{Role: in.Role, Services: in.Services, Desks: in.Desks})
		}
		d.recordAccount(ctx, actor, "user.update", target, detail, err)
	}()
	u, err = d.user(ctx, actor, id)
	target = u
	if err != nil {
		return nil, err
	}
	next := *u
	next.Name, next.Role, next.Services, next.Desks, next.Disabled = in.Name, in.Role, in.Services, in.Desks, in.Disabled
	next.Normalize()
	detail = accessChanges(u, &next)
	if u.Email == actor.Name && (next.Disabled || next.Role != u.Role || !slices.Equal(next.Desks, u.Desks)) {
		return nil, kolokol.Errorf(kolokol.EFORBIDDEN, "you cannot change your own roles, services or access; ask another admin")
	}
	if err := canManage(actor, &next); err != nil {
		return nil, err
	}
	if err := d.checkServices(ctx, next.Services); err != nil {
		return nil, err
	}
	// Disabled and signed out together: never a disabled account with a
	// live session.
	err = d.store.InTx(ctx, func(tx kolokol.Store) error {
		if err := tx.UpdateUser(ctx, &next); err != nil {
			return fmt.Errorf("update user %s: %w", u.Email, err)
		}
		if next.Disabled {
			if err := tx.DeleteUserSessions(ctx, next.ID); err != nil {
				return fmt.Errorf("sign out %s: %w", u.Email, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &next, nil
}

// ResetUser is for a lost phone or a taken account: in one step it removes
// the password, second factor, recovery codes and passkeys (whoever took
// the account may have added one), ends every session, kills the old
// enrolment links and returns a new one.
func (d *Desk) ResetUser(ctx context.Context, actor kolokol.Actor, id int64) (token string, err error) {
	var target *kolokol.User
	defer func() { d.recordAccount(ctx, actor, "user.reset", target, "", err) }()
	u, err := d.user(ctx, actor, id)
	target = u
	if err != nil {
		return "", err
	}
	if u.Email == actor.Name {
		return "", kolokol.Errorf(kolokol.EFORBIDDEN, "you cannot reset your own account; ask another admin")
	}
	token, e, err := NewEnrolment(u.ID, d.now())
	if err != nil {
		return "", err
	}
	if _, err := d.store.ResetUser(ctx, u.ID, u.Version, e); err != nil {
		return "", fmt.Errorf("reset user %s: %w", u.Email, err)
	}
	return token, nil
}

// SetZone sets the time zone a person reads the newsroom in, away from
// story pages (those show their service's). It is their own choice: the
// account is the signed-in one, and nothing else of it changes.
func (d *Desk) SetZone(ctx context.Context, u *kolokol.User, zone string) (err error) {
	zone = strings.TrimSpace(zone)
	defer func() { d.recordAccount(ctx, u.Actor(), "user.zone", u, zone, err) }()
	if err := kolokol.CheckZone("zone", zone); err != nil {
		return err
	}
	// Read afresh in the transaction: a sign-in elsewhere moves the
	// account's version (the last code used), which is no conflict here.
	return d.store.InTx(ctx, func(tx kolokol.Store) error {
		cur, err := tx.FindUserByID(ctx, u.ID)
		if err != nil {
			return fmt.Errorf("find account %s: %w", u.Email, err)
		}
		cur.Zone = zone
		if err := tx.UpdateUser(ctx, cur); err != nil {
			return fmt.Errorf("set the zone of %s: %w", u.Email, err)
		}
		u.Zone = zone
		return nil
	})
}
