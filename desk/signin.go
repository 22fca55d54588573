package desk

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/auth"
)

// Signing in: a password and a second factor, throttled so that guessing
// is slow while the account's owner still gets in.
//
// Three limiters count failures, in the store (so that on several servers
// each limit holds whichever server the attempts reach):
//   - per source (the network an attempt comes from, see auth.Sources):
//     every failure;
//   - per account: wrong passwords;
//   - per account: wrong codes after a right password, which only someone
//     who has the password can cause.
//
// A source or account over its limit is "throttled": attempts are still
// checked, but only a complete, correct sign-in (password and second
// factor) gets in, and every other answer is the same "too many attempts",
// so a guess tells nothing while throttled. A stranger who knows only an
// email address therefore cannot lock its owner out, and a guesser must
// guess password and code together. Too many wrong codes after a right
// password (someone has the password) stop TOTP codes for the account for
// a while; its passkeys and recovery codes, which cannot be guessed, still
// work. Each password hash waits for a slot (auth.Gate), which bounds the
// memory and CPU a flood of sign-ins can take.

// Session lifetimes: a forgotten tab signs out after the idle time, and no
// session outlives the absolute one, however busy. SetSessionIdle changes
// the idle time.
const (
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
)

// SetSessionIdle sets how long a session may go unused before it ends
// (IdleTimeout when not called). Call it while wiring.
func (d *Desk) SetSessionIdle(idle time.Duration) error {
	if err := CheckSessionIdle(idle); err != nil {
		return err
	}
	d.idle = idle
	return nil
}

// CheckSessionIdle tells whether idle may be sessions' idle timeout.
func CheckSessionIdle(idle time.Duration) error {
	if idle < 5*time.Second || idle > AbsoluteTimeout {
		return fmt.Errorf("the idle timeout must be from 5s to %s, not %s", AbsoluteTimeout, idle)
	}
	return nil
}

// Throttle settings.
const (
	freeSourceFailures  = 20
	freeAccountFailures = 5
	freeCodeFailures    = 5
)

type guard struct {
	sources  *limiter
	accounts *limiter
	codes    *limiter
	hashes   *auth.Gate
	common   func() (*auth.CommonPasswords, error)
	// dummy is a hash to check unknown accounts' passwords against, so
	// that timing does not tell which emails have accounts.
	dummy func() (string, error)
}

func newGuard(store kolokol.Throttles, log func() *slog.Logger) *guard {
	return &guard{
		sources:  &limiter{kind: "sources", rule: auth.NewLimiter(freeSourceFailures, time.Minute), store: store, log: log},
		accounts: &limiter{kind: "accounts", rule: auth.NewLimiter(freeAccountFailures, time.Minute), store: store, log: log},
		codes:    &limiter{kind: "codes", rule: auth.NewLimiter(freeCodeFailures, time.Minute), store: store, log: log},
		hashes:   auth.NewGate(min(max(runtime.GOMAXPROCS(0), 2), 8), 64, 5*time.Second),
		common:   sync.OnceValues(auth.Common),
		dummy:    sync.OnceValues(func() (string, error) { return auth.HashPassword("kolokol timing equaliser") }),
	}
}

// HashGate is the gate password hashes wait at, for tests and metrics.
func (d *Desk) HashGate() *auth.Gate { return d.guard.hashes }

// Credentials are what a person gives to sign in.
type Credentials struct {
	Email    string
	Password string
	Code     string // a TOTP code or a recovery code
	// Source is the limiter key of the network the attempt comes from
	// (auth.Sources.Key); never an address.
	Source string
}

// SignedIn is a new session. Token is the cookie's value; only its hash is
// stored.
type SignedIn struct {
	User    *kolokol.User
	Token   string
	Session *kolokol.Session
	// RecoveryLeft is set when a recovery code was spent: how many remain.
	RecoveryLeft int
	UsedRecovery bool
}

func acctKey(email string) string { return "acct:" + email }

func wrongCredentials() error {
	return kolokol.Errorf(kolokol.EUNAUTHORIZED, "The email, password or code is wrong.")
}

func throttledError(wait time.Duration) error {
	return kolokol.Errorf(kolokol.ETHROTTLED, "Too many failed attempts. Only a correct password with a correct code or passkey gets in now; wrong ones are not told apart. Try again in %s.", max(wait, time.Second))
}

// throttled reports whether the attempt's source or account is over its
// limit, and for how long.
func (g *guard) throttled(ctx context.Context, email, source string, now time.Time) (bool, time.Duration) {
	okSrc, waitSrc := g.sources.Allow(ctx, source, now)
	okAcct, waitAcct := g.accounts.Allow(ctx, acctKey(email), now)
	return !okSrc || !okAcct, max(waitSrc, waitAcct)
}

// checkPassword finds the account and checks its password, at the cost of
// a hash whether or not the account exists. It returns the account (nil
// when unknown or disabled), whether the password is right, and the
// password rehashed when its hash is weaker than today's parameters.
func (d *Desk) checkPassword(ctx context.Context, email, password string) (u *kolokol.User, ok bool, rehash string, err error) {
	u, err = d.store.FindUserByEmail(ctx, email)
	if kolokol.IsNotFound(err) {
		u, err = nil, nil
	} else if err != nil {
		return nil, false, "", fmt.Errorf("sign in: %w", err)
	}
	hash, err := d.guard.dummy()
	if err != nil {
		return nil, false, "", fmt.Errorf("sign in: %w", err)
	}
	if u != nil && !u.Disabled && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	var needsRehash bool
	if err := d.guard.hashes.Do(ctx, func() { ok, needsRehash, _ = auth.VerifyPassword(hash, password) }); err != nil {
		return nil, false, "", err
	}
	if u == nil || u.Disabled || u.PasswordHash == "" {
		return nil, false, "", nil
	}
	if ok && needsRehash {
		_ = d.guard.hashes.Do(ctx, func() { rehash, _ = auth.HashPassword(password) })
	}
	return u, ok, rehash, nil
}

// signInEvent writes a sign-in's audit entry, under the account's services
// so that their admins see it.
func (d *Desk) signInEvent(ctx context.Context, email string, u *kolokol.User, action, detail string) {
	e := kolokol.AuditEntry{Action: action, Detail: detail}
	actor := kolokol.Actor{Name: email}
	if u == nil {
		actor.Name = unknownAccount
		e.Target = email
	} else {
		actor.Name, e.Services = u.Email, u.Services
	}
	if actor.Name == "" {
		actor.Name = "(no email)"
	}
	d.write(ctx, actor, e, nil)
}

// passwordFailed counts and records a wrong password (or unknown account).
func (d *Desk) passwordFailed(ctx context.Context, email, source string, u *kolokol.User, throttled bool) {
	now := d.now()
	d.guard.accounts.Fail(ctx, acctKey(email), now)
	d.guard.sources.Fail(ctx, source, now)
	action := "login.fail"
	if throttled {
		action = "login.throttled"
	}
	d.signInEvent(ctx, email, u, action, "password")
}

// SignIn checks a password and a TOTP or recovery code and starts a session.
func (d *Desk) SignIn(ctx context.Context, c Credentials) (*SignedIn, error) {
	email := strings.ToLower(strings.TrimSpace(c.Email))
	now := d.now()
	throttled, wait := d.guard.throttled(ctx, email, c.Source, now)
	u, ok, rehash, err := d.checkPassword(ctx, email, c.Password)
	if err != nil {
		return nil, err
	}
	if !ok {
		d.passwordFailed(ctx, email, c.Source, u, throttled)
		if throttled {
			return nil, throttledError(wait)
		}
		return nil, wrongCredentials()
	}
	if u.TOTPSecret == "" {
		d.signInEvent(ctx, email, u, "login.fail", "no second factor")
		return nil, kolokol.Errorf(kolokol.EUNAUTHORIZED, "This account has no second factor yet; ask an admin for an enrolment link.")
	}
	factor, codeErr := d.secondFactor(ctx, u, c.Code, now)
	if codeErr != nil {
		d.guard.codes.Fail(ctx, acctKey(u.Email), now)
		d.guard.sources.Fail(ctx, c.Source, now)
		action := "login.fail"
		if throttled {
			action = "login.throttled"
		}
		d.signInEvent(ctx, email, u, action, "code: "+kolokol.ErrorMessage(codeErr))
		if throttled {
			return nil, throttledError(wait)
		}
		return nil, codeErr
	}
	factor.PasswordHash = rehash
	return d.startSession(ctx, u, factor, "")
}

// secondFactor checks a code: a TOTP code unless the account's codes are
// stopped for too many wrong ones, else one of its recovery codes.
func (d *Desk) secondFactor(ctx context.Context, u *kolokol.User, code string, now time.Time) (kolokol.SecondFactor, error) {
	codesOK, wait := d.guard.codes.Allow(ctx, acctKey(u.Email), now)
	var totpErr error
	if codesOK {
		step, err := auth.VerifyTOTP(u.TOTPSecret, code, now, u.TOTPLastStep)
		if err == nil {
			return kolokol.SecondFactor{TOTPStep: step}, nil
		}
		totpErr = err
	}
	if i, ok := auth.MatchRecoveryCode(code, u.RecoveryHashes); ok {
		return kolokol.SecondFactor{RecoveryHash: u.RecoveryHashes[i]}, nil
	}
	if !codesOK {
		return kolokol.SecondFactor{}, kolokol.FieldErrorf(kolokol.ETHROTTLED, "code",
			"Too many wrong codes for this account: codes from the authenticator app are refused for %s. Sign in with a passkey or a recovery code, or wait.", wait)
	}
	if kolokol.ErrorCode(totpErr) == kolokol.EINTERNAL {
		return kolokol.SecondFactor{}, fmt.Errorf("sign in %s: %w", u.Email, totpErr)
	}
	// A malformed code is as wrong as a wrong one: sign-in says so alike.
	return kolokol.SecondFactor{}, kolokol.FieldErrorf(kolokol.EUNAUTHORIZED, "code", "%s", kolokol.ErrorMessage(totpErr))
}

// startSession spends the factor and stores a new session, then clears the
// account's failures: its owner is in.
func (d *Desk) startSession(ctx context.Context, u *kolokol.User, f kolokol.SecondFactor, how string) (*SignedIn, error) {
	token, err := newSecret()
	if err != nil {
		return nil, err
	}
	now := d.now().UTC()
	s := &kolokol.Session{ID: kolokol.HashToken(token), UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(AbsoluteTimeout)}
	if err := d.store.SignIn(ctx, s, f); err != nil {
		if kolokol.ErrorCode(err) == kolokol.ECONFLICT {
			d.signInEvent(ctx, u.Email, u, "login.fail", "code: "+kolokol.ErrorMessage(err))
			return nil, kolokol.FieldErrorf(kolokol.EUNAUTHORIZED, "code", "%s", kolokol.ErrorMessage(err))
		}
		return nil, fmt.Errorf("sign in %s: %w", u.Email, err)
	}
	d.guard.accounts.Reset(ctx, acctKey(u.Email))
	d.guard.codes.Reset(ctx, acctKey(u.Email))
	out := &SignedIn{User: u, Token: token, Session: s}
	switch {
	case f.RecoveryHash != "":
		out.UsedRecovery, out.RecoveryLeft = true, len(u.RecoveryHashes)-1
		d.signInEvent(ctx, u.Email, u, "login.recovery_code", fmt.Sprintf("%d recovery codes left", out.RecoveryLeft))
	case f.Passkey != nil:
		how = "passkey"
	}
	d.signInEvent(ctx, u.Email, u, "login.ok", how)
	return out, nil
}

func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// PasskeyAttempt is the first half of a passkey sign-in: the password was
// given, the passkey comes next. While the source or account is throttled,
// the verdict on the password is kept here and not told until the passkey
// has been checked too (FinishPasskeySignIn).
//
// Between the two requests the attempt is kept as JSON (MarshalJSON), which
// another server may read back (UnmarshalJSON, then LoadPasskeyAttempt):
// the account's id, email and source key, the verdict on the password,
// and a hash of the account's password hash, so that a reset in between
// is noticed. Never the password.
type PasskeyAttempt struct {
	User     *kolokol.User
	Passkeys []*kolokol.Passkey
	email    string
	source   string
	password bool
	hashSum  string // of User.PasswordHash when the password was checked
}

// savedAttempt is a PasskeyAttempt between requests.
type savedAttempt struct {
	UserID   int64  `json:"user_id"`
	Email    string `json:"email"`
	Source   string `json:"source"`
	Password bool   `json:"password"`
	HashSum  string `json:"hash_sum"`
}

// MarshalJSON keeps the attempt for its second request.
func (a *PasskeyAttempt) MarshalJSON() ([]byte, error) {
	return json.Marshal(savedAttempt{UserID: a.User.ID, Email: a.email, Source: a.source, Password: a.password, HashSum: a.hashSum})
}

// UnmarshalJSON reads a kept attempt back; LoadPasskeyAttempt then finds
// its account and passkeys.
func (a *PasskeyAttempt) UnmarshalJSON(b []byte) error {
	var s savedAttempt
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*a = PasskeyAttempt{User: &kolokol.User{ID: s.UserID}, email: s.Email, source: s.Source, password: s.Password, hashSum: s.HashSum}
	return nil
}

// LoadPasskeyAttempt finds the account and passkeys of an attempt read
// back from JSON, as they are now.
func (d *Desk) LoadPasskeyAttempt(ctx context.Context, a *PasskeyAttempt) error {
	u, err := d.store.FindUserByID(ctx, a.User.ID)
	if err != nil {
		return fmt.Errorf("passkey sign-in: %w", err)
	}
	keys, err := d.store.FindPasskeys(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("passkeys of %s: %w", u.Email, err)
	}
	a.User, a.Passkeys = u, keys
	return nil
}

func hashSum(passwordHash string) string {
	sum := sha256.Sum256([]byte(passwordHash))
	return hex.EncodeToString(sum[:])
}

// BeginPasskeySignIn checks the password for a passkey sign-in and returns
// the account's passkeys to ask the browser for.
func (d *Desk) BeginPasskeySignIn(ctx context.Context, c Credentials) (*PasskeyAttempt, error) {
	email := strings.ToLower(strings.TrimSpace(c.Email))
	throttled, wait := d.guard.throttled(ctx, email, c.Source, d.now())
	u, ok, _, err := d.checkPassword(ctx, email, c.Password)
	if err != nil {
		return nil, err
	}
	var keys []*kolokol.Passkey
	if u != nil {
		if keys, err = d.store.FindPasskeys(ctx, u.ID); err != nil {
			return nil, fmt.Errorf("passkeys of %s: %w", email, err)
		}
	}
	switch {
	case !ok && !throttled:
		d.passwordFailed(ctx, email, c.Source, u, false)
		return nil, wrongCredentials()
	case u == nil || len(keys) == 0:
		if throttled {
			d.passwordFailed(ctx, email, c.Source, u, true)
			return nil, throttledError(wait)
		}
		return nil, kolokol.Errorf(kolokol.EUNAUTHORIZED, "This account has no passkey; use the code from your authenticator app.")
	}
	return &PasskeyAttempt{User: u, Passkeys: keys, email: email, source: c.Source, password: ok, hashSum: hashSum(u.PasswordHash)}, nil
}

// FinishPasskeySignIn completes a passkey sign-in. used is the account's
// passkey as the ceremony left it (its new sign count), or nil with why the
// ceremony failed.
func (d *Desk) FinishPasskeySignIn(ctx context.Context, a *PasskeyAttempt, used *kolokol.Passkey, why error) (*SignedIn, error) {
	now := d.now()
	throttled, wait := d.guard.throttled(ctx, a.email, a.source, now)
	if !a.password {
		d.passwordFailed(ctx, a.email, a.source, a.User, true)
		return nil, throttledError(wait)
	}
	if used == nil || why != nil {
		d.guard.sources.Fail(ctx, a.source, now)
		reason := "no passkey"
		if why != nil {
			reason = why.Error()
		}
		d.signInEvent(ctx, a.email, a.User, "login.fail", "passkey: "+reason)
		if throttled {
			return nil, throttledError(wait)
		}
		return nil, kolokol.Errorf(kolokol.EUNAUTHORIZED, "The passkey was not accepted: %s", reason)
	}
	// The account may have been disabled or reset while the browser asked.
	u, err := d.store.FindUserByID(ctx, a.User.ID)
	if err != nil || u.Disabled || hashSum(u.PasswordHash) != a.hashSum {
		return nil, wrongCredentials()
	}
	used.UserID, used.LastUsedAt = u.ID, now.UTC()
	return d.startSession(ctx, u, kolokol.SecondFactor{Passkey: used}, "passkey")
}

// ExpiredSession is the error for a session that has ended by time: the
// account is known, which lets the newsroom hold what was being saved.
type ExpiredSession struct {
	UserID int64
}

func (e *ExpiredSession) Error() string { return "unauthorized: the session has expired" }
func (e *ExpiredSession) Unwrap() error {
	return kolokol.Errorf(kolokol.EUNAUTHORIZED, "your session has ended; sign in again")
}

// Session returns the account of a session cookie's value, keeping the
// session alive. A session past its idle or absolute timeout is deleted and
// answered with *ExpiredSession.
func (d *Desk) Session(ctx context.Context, token string) (*kolokol.User, error) {
	s, err := d.store.FindSession(ctx, kolokol.HashToken(token))
	if kolokol.IsNotFound(err) {
		return nil, kolokol.Errorf(kolokol.EUNAUTHORIZED, "no session")
	} else if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	now := d.now()
	if now.After(s.ExpiresAt) || now.Sub(s.LastSeenAt) > d.idle {
		if err := d.store.DeleteSession(ctx, s.ID); err != nil {
			return nil, fmt.Errorf("end session: %w", err)
		}
		return nil, &ExpiredSession{UserID: s.UserID}
	}
	u, err := d.store.FindUserByID(ctx, s.UserID)
	if err != nil || u.Disabled {
		return nil, kolokol.Errorf(kolokol.EUNAUTHORIZED, "account unavailable")
	}
	// One write a minute at most; more often for a short idle time, so
	// that it is kept to within a quarter.
	if now.Sub(s.LastSeenAt) > min(time.Minute, d.idle/4) {
		if err := d.store.TouchSession(ctx, s.ID, now); err != nil && !kolokol.IsNotFound(err) {
			return nil, fmt.Errorf("touch session: %w", err)
		}
	}
	return u, nil
}

// SignOut ends one session.
func (d *Desk) SignOut(ctx context.Context, u *kolokol.User, token string) error {
	if err := d.store.DeleteSession(ctx, kolokol.HashToken(token)); err != nil {
		return fmt.Errorf("sign out %s: %w", u.Email, err)
	}
	d.signInEvent(ctx, u.Email, u, "logout.ok", "")
	return nil
}

// SignOutEverywhere ends every session of the account: for a lost laptop.
func (d *Desk) SignOutEverywhere(ctx context.Context, u *kolokol.User) error {
	if err := d.store.DeleteUserSessions(ctx, u.ID); err != nil {
		return fmt.Errorf("sign out %s everywhere: %w", u.Email, err)
	}
	d.signInEvent(ctx, u.Email, u, "logout.everywhere", "")
	return nil
}

// EnrolmentView is what the enrolment page shows.
type EnrolmentView struct {
	Email  string
	Name   string
	Secret string
}

// Enrolment returns what the link's page shows: whose account it sets up
// and the TOTP secret it offers.
func (d *Desk) Enrolment(ctx context.Context, token string) (*EnrolmentView, error) {
	e, u, err := d.enrolment(ctx, token)
	if err != nil {
		return nil, err
	}
	return &EnrolmentView{Email: u.Email, Name: u.Name, Secret: e.TOTPSecret}, nil
}

func (d *Desk) enrolment(ctx context.Context, token string) (*kolokol.Enrolment, *kolokol.User, error) {
	e, err := d.store.FindEnrolment(ctx, kolokol.HashToken(token), d.now())
	if err != nil {
		return nil, nil, err
	}
	u, err := d.store.FindUserByID(ctx, e.UserID)
	if err != nil {
		return nil, nil, err
	}
	if u.PasswordHash != "" || u.Disabled {
		// The store never leaves a link on such an account; be sure.
		return nil, nil, kolokol.Errorf(kolokol.ENOTFOUND, "this enrolment link is unknown, used, replaced or expired; ask an admin for a new one")
	}
	return e, u, nil
}

// Enrol sets up an account through its link: the password, once the
// person proves their authenticator works with a code, and ten recovery
// codes, returned once. All of it is stored in one step, which spends the
// link and every other link of the account.
func (d *Desk) Enrol(ctx context.Context, token, password, code string) ([]string, error) {
	e, u, err := d.enrolment(ctx, token)
	if err != nil {
		return nil, err
	}
	common, err := d.guard.common()
	if err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	if err := auth.CheckPasswordPolicy(password, common.Contains, u.Email, u.Name); err != nil {
		return nil, err
	}
	step, err := auth.VerifyTOTP(e.TOTPSecret, code, d.now(), 0)
	if err != nil {
		return nil, err
	}
	codes, hashes, err := auth.NewRecoveryCodes(10)
	if err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	var hash string
	var hashErr error
	if err := d.guard.hashes.Do(ctx, func() { hash, hashErr = auth.HashPassword(password) }); err != nil {
		return nil, err
	} else if hashErr != nil {
		return nil, fmt.Errorf("enrol: %w", hashErr)
	}
	done, err := d.store.CompleteEnrolment(ctx, &kolokol.EnrolmentCompletion{TokenHash: e.TokenHash, Now: d.now(),
		PasswordHash: hash, TOTPLastStep: step, RecoveryHashes: hashes})
	if err != nil {
		return nil, fmt.Errorf("enrol %s: %w", u.Email, err)
	}
	d.signInEvent(ctx, done.Email, done, "user.enrol", "")
	return codes, nil
}

// ConfirmCode checks a current TOTP code of a signed-in account and spends
// it: for steps an open browser alone must not take, such as adding a
// passkey. Wrong codes count like sign-in's.
func (d *Desk) ConfirmCode(ctx context.Context, u *kolokol.User, code, source, action string) error {
	now := d.now()
	if ok, wait := d.guard.codes.Allow(ctx, acctKey(u.Email), now); !ok {
		err := kolokol.FieldErrorf(kolokol.ETHROTTLED, "code", "Too many wrong codes: try again in %s.", wait)
		d.signInEvent(ctx, u.Email, u, action+".throttled", "code")
		return err
	}
	step, err := auth.VerifyTOTP(u.TOTPSecret, code, now, u.TOTPLastStep)
	if err == nil {
		err = d.store.UseSecondFactor(ctx, u.ID, kolokol.SecondFactor{TOTPStep: step})
		if kolokol.ErrorCode(err) == kolokol.ECONFLICT {
			err = kolokol.FieldErrorf(kolokol.EUNAUTHORIZED, "code", "%s", kolokol.ErrorMessage(err))
		}
	}
	if kolokol.ErrorCode(err) == kolokol.EUNAUTHORIZED || kolokol.ErrorCode(err) == kolokol.EINVALID {
		d.guard.codes.Fail(ctx, acctKey(u.Email), now)
		d.guard.sources.Fail(ctx, source, now)
		d.write(ctx, kolokol.Actor{Name: u.Email}, kolokol.AuditEntry{Action: action, Services: u.Services},
			kolokol.Errorf(kolokol.EUNAUTHORIZED, "%s", kolokol.ErrorMessage(err)))
		return err
	}
	if err != nil {
		return fmt.Errorf("confirm code of %s: %w", u.Email, err)
	}
	return nil
}

// Passkeys lists the account's own passkeys.
func (d *Desk) Passkeys(ctx context.Context, u *kolokol.User) ([]*kolokol.Passkey, error) {
	return d.store.FindPasskeys(ctx, u.ID)
}

// AddPasskey stores a passkey the account registered, after ConfirmCode.
func (d *Desk) AddPasskey(ctx context.Context, u *kolokol.User, p *kolokol.Passkey) error {
	p.UserID = u.ID
	if err := d.store.CreatePasskey(ctx, p); err != nil {
		return fmt.Errorf("add passkey of %s: %w", u.Email, err)
	}
	d.write(ctx, kolokol.Actor{Name: u.Email}, kolokol.AuditEntry{Action: "passkey.add", Detail: p.Name, Services: u.Services}, nil)
	return nil
}

// RemovePasskey removes one of the account's passkeys.
func (d *Desk) RemovePasskey(ctx context.Context, u *kolokol.User, id string) error {
	if err := d.store.DeletePasskey(ctx, u.ID, id); err != nil {
		return fmt.Errorf("remove passkey of %s: %w", u.Email, err)
	}
	d.write(ctx, kolokol.Actor{Name: u.Email}, kolokol.AuditEntry{Action: "passkey.remove", Services: u.Services}, nil)
	return nil
}

// DropSession ends the session a browser brought to a new sign-in: each
// sign-in gets a new one (no session fixation).
func (d *Desk) DropSession(ctx context.Context, token string) error {
	if err := d.store.DeleteSession(ctx, kolokol.HashToken(token)); err != nil {
		return fmt.Errorf("end the old session: %w", err)
	}
	return nil
}
