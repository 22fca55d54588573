package kolokol

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// User is a newsroom account. A user has a role per service (Desks): one
// account may edit the Russian desk and report for the Georgian one. An
// admin with no desks is a global admin. Every account has a second
// factor: a TOTP secret, recovery codes, or both.
type User struct {
	ID           int64
	Email        string // lowercase; the sign-in name
	Name         string
	PasswordHash string // a PHC string (argon2id); opaque to the store
	// Role is RoleAdmin for a global admin (no Desks); otherwise Normalize
	// sets it to the highest role of Desks, so that a list of accounts and
	// anything reading one word per account still reads something true.
	Role Role
	// Services are the services of Desks, in order; Normalize sets them.
	// An account given only Role and Services (as before desks) is given
	// Role on each of them.
	Services []string
	// Desks are the account's role on each of its services, by service;
	// they decide what it may do (see Actor.RoleOn).
	Desks          []Desk
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
	u.FillDesks()
}

// FillDesks gives an account given one Role for its Services (as before
// desks) that role on each, and sets Role and Services from Desks. The
// store calls it before it validates, so that both ways of saying what an
// account may do are stored alike.
func (u *User) FillDesks() {
	if len(u.Desks) == 0 {
		for _, s := range cleanList(u.Services) {
			u.Desks = append(u.Desks, Desk{Service: s, Role: u.Role})
		}
	}
	u.Desks = cleanDesks(u.Desks)
	if len(u.Desks) == 0 {
		// A global admin, or an account with nothing yet (Validate says so).
		u.Services = nil
		return
	}
	u.Services, u.Role = make([]string, len(u.Desks)), ""
	for i, d := range u.Desks {
		u.Services[i] = d.Service
		if d.Role.rank() > u.Role.rank() {
			u.Role = d.Role
		}
	}
}

// Desk is an account's role on one service.
type Desk struct {
	Service string
	Role    Role
}

// String is how a desk reads in audit entries and flags: "ru=editor".
func (d Desk) String() string { return d.Service + "=" + string(d.Role) }

// cleanDesks trims, drops exact repeats and orders desks by service. Two
// roles for one service stay, for Validate to refuse: which was meant is
// not the store's to guess.
func cleanDesks(in []Desk) []Desk {
	var out []Desk
	for _, d := range in {
		d.Service, d.Role = strings.TrimSpace(d.Service), Role(strings.TrimSpace(string(d.Role)))
		if d.Service == "" || slices.Contains(out, d) {
			continue
		}
		out = append(out, d)
	}
	slices.SortStableFunc(out, func(a, b Desk) int { return strings.Compare(a.Service, b.Service) })
	return out
}

// ParseDesk reads "ru=editor", as `kolokol user --desk` takes it.
func ParseDesk(s string) (Desk, error) {
	service, role, ok := strings.Cut(strings.TrimSpace(s), "=")
	d := Desk{Service: strings.TrimSpace(service), Role: Role(strings.TrimSpace(role))}
	if !ok || !ValidServiceCode(d.Service) || !d.Role.Valid() {
		return Desk{}, FieldErrorf(EINVALID, "desks", "%q is not a desk: write service=role, such as ru=editor", s)
	}
	return d, nil
}

// DeskChanges says how an account's desks went from old to new, one
// phrase per service that changed ("ru: reporter → editor", "ka: added as
// reporter", "fa: removed (editor)"), for the audit log.
func DeskChanges(old, new []Desk) []string {
	var out []string
	for _, n := range new {
		i := slices.IndexFunc(old, func(o Desk) bool { return o.Service == n.Service })
		switch {
		case i < 0:
			out = append(out, fmt.Sprintf("%s: added as %s", n.Service, n.Role))
		case old[i].Role != n.Role:
			out = append(out, fmt.Sprintf("%s: %s → %s", n.Service, old[i].Role, n.Role))
		}
	}
	for _, o := range old {
		if !slices.ContainsFunc(new, func(n Desk) bool { return n.Service == o.Service }) {
			out = append(out, fmt.Sprintf("%s: removed (%s)", o.Service, o.Role))
		}
	}
	return out
}

// Validate checks a user before it is stored.
func (u *User) Validate() error {
	if len(u.Email) > MaxEmail || !emailRE.MatchString(u.Email) || u.Email != strings.ToLower(u.Email) {
		return FieldErrorf(EINVALID, "email", "%q is not a lowercase email address", u.Email)
	}
	if err := checkLine("email", u.Email, MaxEmail); err != nil {
		return err
	}
	desks := u.Desks
	if len(desks) == 0 && !u.Role.Valid() {
		return FieldErrorf(EINVALID, "role", "role must be reporter, editor or admin, got %q", u.Role)
	}
	if len(desks) == 0 { // one Role on each of Services, until FillDesks
		for _, s := range u.Services {
			desks = append(desks, Desk{Service: s, Role: u.Role})
		}
	}
	seen := map[string]Role{}
	for _, d := range desks {
		if !ValidServiceCode(d.Service) {
			return FieldErrorf(EINVALID, "services", "invalid service code %q", d.Service)
		}
		if !d.Role.Valid() {
			return FieldErrorf(EINVALID, "desks", "the role on %s must be reporter, editor or admin, got %q", d.Service, d.Role)
		}
		if r, ok := seen[d.Service]; ok && r != d.Role {
			return FieldErrorf(EINVALID, "desks", "%s is given two roles (%s and %s); choose one", d.Service, r, d.Role)
		}
		seen[d.Service] = d.Role
	}
	if !u.Role.Valid() {
		return FieldErrorf(EINVALID, "role", "role must be reporter, editor or admin, got %q", u.Role)
	}
	if u.Role != RoleAdmin && len(desks) == 0 {
		return FieldErrorf(EINVALID, "services", "a %s must be given the services they work on", u.Role)
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
func (u *User) Actor() Actor {
	return Actor{Name: u.Email, Role: u.Role, Services: slices.Clone(u.Services), Desks: slices.Clone(u.Desks)}
}

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
