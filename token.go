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

// Token is an Admin API credential. Only the SHA-256 of the secret is stored.
type Token struct {
	ID        int64
	Name      string
	Hash      string
	Role      Role
	Services  []string // service codes; empty means every service (admins only)
	CreatedAt time.Time
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
	return checkLine("name", t.Name, 200)
}

// Actor is who performs a newsroom operation: an API token or, later, a
// signed-in account.
type Actor struct {
	Name     string
	Role     Role
	Services []string // empty: every service (admins)
}

// ActorOf returns the actor a token acts as.
func ActorOf(t *Token) Actor { return Actor{Name: t.Name, Role: t.Role, Services: t.Services} }

// CanTouch reports whether the actor may work on the service.
func (a Actor) CanTouch(service string) bool {
	if a.Role == RoleAdmin && len(a.Services) == 0 {
		return true
	}
	return slices.Contains(a.Services, service)
}

// CanPublish reports whether the actor may publish, unpublish, correct and set
// breaking news. Reporters cannot.
func (a Actor) CanPublish() bool { return a.Role == RoleEditor || a.Role == RoleAdmin }

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
