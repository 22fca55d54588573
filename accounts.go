package kolokol

import (
	"context"
	"strings"
	"time"
)

// Accounts keeps newsroom accounts and everything they sign in with:
// passwords (as hashes), second factors, enrolment links, sessions and
// passkeys. Operations that change several of these change them in one
// transaction, so that no crash or concurrent request leaves an account
// half enrolled, half reset or signed in with a spent code.
type Accounts interface {
	// CreateUser sets ID, CreatedAt, UpdatedAt and Version (1). UpdateUser
	// writes every field but ID and CreatedAt if the stored version equals
	// u.Version (ECONFLICT if not, ENOTFOUND for an unknown id), then bumps
	// u.Version and sets u.UpdatedAt. A taken email is ECONFLICT with Field
	// "email". FindUserByEmail trims and lowercases its argument.
	// Disabling an account does not end its sessions: call
	// DeleteUserSessions too.
	CreateUser(ctx context.Context, u *User) error
	UpdateUser(ctx context.Context, u *User) error
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	FindUsers(ctx context.Context) ([]*User, error) // ordered by email

	// Sessions, by the SHA-256 of their cookie. CreateSession sets
	// CreatedAt when zero and LastSeenAt (to CreatedAt) when zero; an
	// unknown user is EINVALID (Field "user_id"), a known id ECONFLICT. The
	// store never checks expiry or idleness: the caller does, from
	// ExpiresAt and LastSeenAt. TouchSession sets LastSeenAt (ENOTFOUND for
	// an unknown id). Deleting sessions that do not exist is not an error;
	// DeleteUserSessions signs a user out everywhere.
	CreateSession(ctx context.Context, s *Session) error
	FindSession(ctx context.Context, id string) (*Session, error)
	TouchSession(ctx context.Context, id string, seen time.Time) error
	DeleteSession(ctx context.Context, id string) error
	DeleteUserSessions(ctx context.Context, userID int64) error

	// SignIn spends the second factor f of the session's account and
	// stores the session, in one transaction: a TOTP step at or below the
	// last one used, or a recovery code already spent, is ECONFLICT (Field
	// "code") and stores nothing, so of two sign-ins with one code exactly
	// one succeeds. A disabled or unknown account is EUNAUTHORIZED.
	SignIn(ctx context.Context, s *Session, f SecondFactor) error
	// UseSecondFactor spends f as SignIn does, without a session: for
	// confirming a sensitive step (adding a passkey) with a current code.
	UseSecondFactor(ctx context.Context, userID int64, f SecondFactor) error

	// Enrolment links, by the SHA-256 of their token. An account has at
	// most one: CreateEnrolment deletes the account's other links as it
	// stores the new one, and refuses an account that already has a
	// password (ECONFLICT: reset it first). A link is usable while now is
	// before ExpiresAt; FindEnrolment returns ENOTFOUND for unknown and
	// expired links alike.
	CreateEnrolment(ctx context.Context, e *Enrolment) error
	FindEnrolment(ctx context.Context, tokenHash string, now time.Time) (*Enrolment, error)
	// CompleteEnrolment spends the link and gives its account the
	// password, the link's TOTP secret and the recovery codes, in one
	// transaction, deleting every link of the account. An unknown, spent
	// or expired link is ENOTFOUND; an account that has a password
	// already is ECONFLICT. Of two concurrent calls for one account,
	// exactly one succeeds. It returns the enrolled account.
	CompleteEnrolment(ctx context.Context, c *EnrolmentCompletion) (*User, error)
	// ResetUser removes an account's password, second factor, recovery
	// codes, passkeys, sessions and links, and stores e as its new link,
	// in one transaction, if the stored version is version (ECONFLICT if
	// not). It returns the account as reset.
	ResetUser(ctx context.Context, id int64, version int, e *Enrolment) (*User, error)

	// Passkeys. CreatePasskey sets CreatedAt; a credential id is stored
	// once (ECONFLICT), and an account has at most MaxPasskeys (ECONFLICT).
	// FindPasskeys returns an account's, oldest first. DeletePasskey
	// removes one of an account's (ENOTFOUND when it has no such passkey).
	CreatePasskey(ctx context.Context, p *Passkey) error
	FindPasskeys(ctx context.Context, userID int64) ([]*Passkey, error)
	DeletePasskey(ctx context.Context, userID int64, id string) error

	// Saves held while their author signs in again (see PendingSave).
	// CreatePending keeps at most MaxPendingPerUser per account (dropping
	// the oldest) and forgets expired ones; TakePending returns one of the
	// account's and deletes it, ENOTFOUND when it is unknown, expired or
	// another account's.
	CreatePending(ctx context.Context, p *PendingSave) error
	TakePending(ctx context.Context, idHash string, userID int64, now time.Time) (*PendingSave, error)
}

// Enrolment is a one-time link that lets a new (or reset) account choose its
// password and second factor. Only the hash of the link's token is stored.
// The TOTP secret the link offers lives with the link, not the account, so
// an account gets a second factor only by completing enrolment, and a link
// that is replaced or spent takes its secret with it.
type Enrolment struct {
	TokenHash  string
	UserID     int64
	TOTPSecret string // base32
	ExpiresAt  time.Time
}

// Validate checks an enrolment before it is stored.
func (e *Enrolment) Validate() error {
	if !sha256HexRE.MatchString(e.TokenHash) {
		return FieldErrorf(EINVALID, "token", "an enrolment is stored by the SHA-256 of its token")
	}
	if e.UserID <= 0 {
		return FieldErrorf(EINVALID, "user_id", "an enrolment needs a user")
	}
	if e.ExpiresAt.IsZero() {
		return FieldErrorf(EINVALID, "expires_at", "an enrolment needs an expiry")
	}
	if !base32SecretRE.MatchString(e.TOTPSecret) {
		return FieldErrorf(EINVALID, "totp_secret", "an enrolment offers a base32 TOTP secret of 16 to 128 characters")
	}
	return nil
}

// EnrolmentCompletion is what a person sets up through their link.
type EnrolmentCompletion struct {
	TokenHash      string
	Now            time.Time // the link must not have expired by then
	PasswordHash   string    // argon2id
	TOTPLastStep   int64     // the step of the code that proved the app works
	RecoveryHashes []string
}

// Validate checks a completion before it is applied.
func (c *EnrolmentCompletion) Validate() error {
	if !sha256HexRE.MatchString(c.TokenHash) {
		return FieldErrorf(EINVALID, "token", "an enrolment is found by the SHA-256 of its token")
	}
	if !strings.HasPrefix(c.PasswordHash, "$argon2id$") {
		return FieldErrorf(EINVALID, "password_hash", "the password must be stored as an argon2id hash")
	}
	if c.TOTPLastStep <= 0 {
		return FieldErrorf(EINVALID, "totp_last_step", "enrolment needs the step of a verified code")
	}
	if len(c.RecoveryHashes) == 0 {
		return FieldErrorf(EINVALID, "recovery_hashes", "enrolment gives the account recovery codes")
	}
	for _, h := range c.RecoveryHashes {
		if !sha256HexRE.MatchString(h) {
			return FieldErrorf(EINVALID, "recovery_hashes", "recovery codes are stored by their SHA-256")
		}
	}
	return nil
}

// SecondFactor is what a sign-in spends: exactly one of a TOTP step, a
// recovery code's hash or a passkey (whose Credential and LastUsedAt are
// written). PasswordHash, when set, replaces the stored hash (a password
// rehashed with stronger parameters).
type SecondFactor struct {
	TOTPStep     int64
	RecoveryHash string
	Passkey      *Passkey
	PasswordHash string
}

// Validate checks that f names exactly one factor.
func (f *SecondFactor) Validate() error {
	n := 0
	if f.TOTPStep > 0 {
		n++
	}
	if f.RecoveryHash != "" {
		n++
		if !sha256HexRE.MatchString(f.RecoveryHash) {
			return FieldErrorf(EINVALID, "code", "a recovery code is spent by its SHA-256")
		}
	}
	if f.Passkey != nil {
		n++
		if err := f.Passkey.Validate(); err != nil {
			return err
		}
	}
	if n != 1 {
		return FieldErrorf(EINVALID, "code", "a sign-in spends exactly one second factor")
	}
	if f.PasswordHash != "" && !strings.HasPrefix(f.PasswordHash, "$argon2id$") {
		return FieldErrorf(EINVALID, "password_hash", "the password must be stored as an argon2id hash")
	}
	return nil
}

// PendingSave is a newsroom form submitted after its author's session had
// ended: it is held, bound to that account, until they sign in again, and
// then applied, so that no one loses a story to a timeout. Only the hash of
// the token that names it is stored.
type PendingSave struct {
	IDHash      string
	UserID      int64
	Path        string // the newsroom path the form was posted to
	ContentType string
	Body        []byte
	Title       string // what it was, to show ("Save of “Ferry returns”")
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// Limits of held saves: a few per account, each no larger than a story with
// its photo, for the length of a working day.
const (
	MaxPendingPerUser = 5
	MaxPendingBytes   = 27 << 20
	PendingLifetime   = 12 * time.Hour
)

// Validate checks a held save before it is stored.
func (p *PendingSave) Validate() error {
	if !sha256HexRE.MatchString(p.IDHash) {
		return FieldErrorf(EINVALID, "id", "a held save is stored by the SHA-256 of its token")
	}
	if p.UserID <= 0 {
		return FieldErrorf(EINVALID, "user_id", "a held save belongs to an account")
	}
	if !strings.HasPrefix(p.Path, "/newsroom/") || len(p.Path) > 512 || strings.ContainsAny(p.Path, "?#\x00") {
		return FieldErrorf(EINVALID, "path", "a held save is a newsroom form")
	}
	if len(p.Body) > MaxPendingBytes {
		return FieldErrorf(ETOOLARGE, "body", "a held save is at most %d MiB", MaxPendingBytes>>20)
	}
	if p.ExpiresAt.IsZero() {
		return FieldErrorf(EINVALID, "expires_at", "a held save needs an expiry")
	}
	if err := checkText("content_type", p.ContentType, 200); err != nil {
		return err
	}
	return checkText("title", p.Title, 400)
}
