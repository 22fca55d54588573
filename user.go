package kolokol

import (
	"regexp"
	"strings"
	"time"
)

// User is a newsroom account. A user has one role, which applies to the
// services listed; an admin with no services is a global admin. Every
// account has a second factor: a TOTP secret, recovery codes, or both.
type User struct {
	ID             int64
	Email          string // lowercase; the sign-in name
	Name           string
	PasswordHash   string // a PHC string (argon2id); opaque to the store
	Role           Role
	Services       []string
	TOTPSecret     string   // base32; empty until enrolled
	TOTPLastStep   int64    // the last TOTP step used, to refuse replays
	RecoveryHashes []string // SHA-256 of the unused recovery codes
	Disabled       bool
	// Zone is the IANA time zone the person reads the newsroom's times in
	// away from story pages (those show their service's); "" is not
	// chosen, which is UTC.
	Zone      string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int // optimistic lock, as for articles
}

// MaxEmail is the longest email address an account may have, in bytes.
const MaxEmail = 254

// emailRE checks an address loosely: one @, no spaces, a dot in the domain.
var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// Normalize lowercases and trims the email and trims the name.
func (u *User) Normalize() {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	u.Name = strings.TrimSpace(u.Name)
	u.Services = cleanList(u.Services)
}

// Validate checks a user before it is stored.
func (u *User) Validate() error {
	if len(u.Email) > MaxEmail || !emailRE.MatchString(u.Email) || u.Email != strings.ToLower(u.Email) {
		return FieldErrorf(EINVALID, "email", "%q is not a lowercase email address", u.Email)
	}
	if err := checkLine("email", u.Email, MaxEmail); err != nil {
		return err
	}
	if !u.Role.Valid() {
		return FieldErrorf(EINVALID, "role", "role must be reporter, editor or admin, got %q", u.Role)
	}
	if u.Role != RoleAdmin && len(u.Services) == 0 {
		return FieldErrorf(EINVALID, "services", "a %s must be given the services they work on", u.Role)
	}
	for _, s := range u.Services {
		if !ValidServiceCode(s) {
			return FieldErrorf(EINVALID, "services", "invalid service code %q", s)
		}
	}
	if u.PasswordHash != "" && !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
		return FieldErrorf(EINVALID, "password_hash", "the password must be stored as an argon2id hash")
	}
	if u.TOTPLastStep < 0 {
		return FieldErrorf(EINVALID, "totp_last_step", "the last TOTP step cannot be negative")
	}
	if strings.ContainsAny(u.Name, "\r\n") {
		return FieldErrorf(EINVALID, "name", "name must be a single line")
	}
	if err := checkLine("name", u.Name, 200); err != nil {
		return err
	}
	return CheckZone("zone", u.Zone)
}

// Actor is what the account acts as in the desk.
func (u *User) Actor() Actor { return Actor{Name: u.Email, Role: u.Role, Services: u.Services} }

// Session is a signed-in browser. Only the SHA-256 of the cookie's random
// value is stored, so a copy of the database signs no one in.
type Session struct {
	ID         string // hex SHA-256 of the cookie value
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time // the caller enforces the idle timeout from it
	ExpiresAt  time.Time // absolute end, whatever the activity
}

var sha256HexRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Validate checks a session before it is stored.
func (s *Session) Validate() error {
	if !sha256HexRE.MatchString(s.ID) {
		return FieldErrorf(EINVALID, "id", "a session is stored by the SHA-256 of its cookie")
	}
	if s.UserID <= 0 {
		return FieldErrorf(EINVALID, "user_id", "a session needs a user")
	}
	if s.ExpiresAt.IsZero() {
		return FieldErrorf(EINVALID, "expires_at", "a session needs an expiry")
	}
	if !s.CreatedAt.IsZero() && !s.ExpiresAt.After(s.CreatedAt) {
		return FieldErrorf(EINVALID, "expires_at", "a session must expire after it starts")
	}
	return nil
}

// base32SecretRE is the shape of a TOTP secret as the authenticator takes it.
var base32SecretRE = regexp.MustCompile(`^[A-Z2-7]{16,128}$`)

// Who is what the newsroom calls an account in front of colleagues: its
// name, or its email when it has none.
func Who(u *User) string {
	if u == nil {
		return ""
	}
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}
