package kolokol

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// Role is what an API token or newsroom account may do.
type Role string

const (
	RoleReporter Role = "reporter" // writes drafts
	RoleEditor   Role = "editor"   // also publishes, unpublishes, corrects, sets breaking news
	RoleAdmin    Role = "admin"    // everything, in every service
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleReporter || r == RoleEditor || r == RoleAdmin }

// rank orders roles by what they may do: each may do what those below do.
func (r Role) rank() int { return slices.Index([]Role{RoleReporter, RoleEditor, RoleAdmin}, r) + 1 }

// Token is an Admin API credential. Only the SHA-256 of the secret is stored.
type Token struct {
	ID        int64
	Name      string
	Hash      string
	Role      Role
	Services  []string // service codes; empty means every service (admins only)
	CreatedAt time.Time
	// CreatedBy is who made it: an account's email, or the command that
	// did ("kolokol token create"). Tokens from before it was kept have "".
	CreatedBy string
	// ExpiresAt is when it stops working; zero: it works until revoked.
	ExpiresAt time.Time
	// RevokedAt is when it was revoked; zero: it was not.
	RevokedAt time.Time
	// LastUsed is the day it was last used (midnight UTC, see Day); zero:
	// never. Only the day: when exactly a script calls, and from where, is
	// not the newsroom's to keep.
	LastUsed time.Time
}

// Normalize trims the name and drops empty and repeated services.
func (t *Token) Normalize() {
	t.Name = strings.TrimSpace(t.Name)
	t.CreatedBy = strings.TrimSpace(t.CreatedBy)
	t.Services = cleanList(t.Services)
}

// Usable returns nil when the token may be used at now, and otherwise an
// EUNAUTHORIZED error saying why: a script's operator reads it in a log
// and needs to know whether to ask for a new token or fix a typo.
func (t *Token) Usable(now time.Time) error {
	if !t.RevokedAt.IsZero() {
		return Errorf(EUNAUTHORIZED, "this API token was revoked on %s; ask an admin for a new one", t.RevokedAt.UTC().Format("2006-01-02"))
	}
	if !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt) {
		return Errorf(EUNAUTHORIZED, "this API token has expired (on %s); ask an admin for a new one", t.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return nil
}

// Day is the UTC day t falls on, as midnight UTC: what Token.LastUsed keeps.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Validate checks a token before it is stored.
func (t *Token) Validate() error {
	if strings.TrimSpace(t.Name) == "" {
		return FieldErrorf(EINVALID, "name", "token name is required")
	}
	if len(t.Hash) != 64 {
		return FieldErrorf(EINVALID, "hash", "a token must be stored by its SHA-256 hash")
	}
	if !t.Role.Valid() {
		return FieldErrorf(EINVALID, "role", "role must be reporter, editor or admin, got %q", t.Role)
	}
	if t.Role != RoleAdmin && len(t.Services) == 0 {
		return FieldErrorf(EINVALID, "services", "a %s token must name the services it may touch", t.Role)
	}
	for _, s := range t.Services {
		if !ValidServiceCode(s) {
			return FieldErrorf(EINVALID, "services", "invalid service code %q", s)
		}
	}
	// Token lists are tables, in the newsroom and on a terminal.
	if strings.ContainsAny(t.Name, "\r\n\t") {
		return FieldErrorf(EINVALID, "name", "a token name must be a single line")
	}
	if !t.ExpiresAt.IsZero() && !t.CreatedAt.IsZero() && !t.ExpiresAt.After(t.CreatedAt) {
		return FieldErrorf(EINVALID, "expires_at", "a token must expire after it is made")
	}
	if !t.LastUsed.IsZero() && !t.LastUsed.Equal(Day(t.LastUsed)) {
		return FieldErrorf(EINVALID, "last_used", "the last use of a token is kept as a day, not a time")
	}
	if err := checkText("created_by", t.CreatedBy, 300); err != nil {
		return err
	}
	return checkLine("name", t.Name, 200)
}

// Actor is who performs a newsroom operation: an API token, a command or a
// signed-in account. Every rule asks what its role is on the service of
// what it touches (RoleOn), never what it is in general.
type Actor struct {
	Name string
	// Role is the role on each of Services when there are no Desks: a
	// token, or a command, has one role. An account's is its highest.
	Role Role
	// Services are the services it works on. An admin with none (and no
	// Desks) is a global admin: every role on every service.
	Services []string
	// Desks are an account's role per service; when there are any, they
	// alone say the role on a service.
	Desks []Desk
}

// ActorOf returns the actor a token acts as: one role on its services.
func ActorOf(t *Token) Actor { return Actor{Name: t.Name, Role: t.Role, Services: t.Services} }

// Global reports whether the actor is a global admin.
func (a Actor) Global() bool { return a.Role == RoleAdmin && len(a.Services) == 0 && len(a.Desks) == 0 }

// RoleOn is the actor's role on a service, "" for a service it does not
// work on.
func (a Actor) RoleOn(service string) Role {
	if a.Global() {
		return RoleAdmin
	}
	if len(a.Desks) > 0 {
		for _, d := range a.Desks {
			if d.Service == service {
				return d.Role
			}
		}
		return ""
	}
	if slices.Contains(a.Services, service) {
		return a.Role
	}
	return ""
}

// CanTouch reports whether the actor may work on the service.
func (a Actor) CanTouch(service string) bool { return a.RoleOn(service) != "" }

// CanPublish reports whether the actor may publish, unpublish, correct and
// set breaking news on the service. Reporters cannot.
func (a Actor) CanPublish(service string) bool {
	r := a.RoleOn(service)
	return r == RoleEditor || r == RoleAdmin
}

// AdminOf reports whether the actor is an admin of the service.
func (a Actor) AdminOf(service string) bool { return a.RoleOn(service) == RoleAdmin }

// AdminSomewhere reports whether the actor is an admin of any service, or
// a global admin: who may open the admin pages, each of which then asks
// about the services it shows.
func (a Actor) AdminSomewhere() bool {
	if len(a.Desks) == 0 {
		return a.Role == RoleAdmin
	}
	return slices.ContainsFunc(a.Desks, func(d Desk) bool { return d.Role == RoleAdmin })
}

// AdminServices are the services the actor is an admin of (nil for a
// global admin, who is an admin of every one).
func (a Actor) AdminServices() []string {
	var out []string
	for _, s := range a.Services {
		if a.AdminOf(s) {
			out = append(out, s)
		}
	}
	return out
}

// NewToken returns a fresh secret and the hash to store for it.
func NewToken() (secret, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	secret = "kk_" + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashToken(secret)
}

// HashToken is how tokens are stored: a plain SHA-256 suffices because the
// secret is 256 random bits, not a password.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
