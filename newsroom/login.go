package newsroom

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/auth"
)

const wrongCredentials = "The email, password or code is wrong."

func (n *Newsroom) loginPage(w http.ResponseWriter, r *http.Request) {
	n.render(w, http.StatusOK, "login", pageData{Title: "Sign in", Script: n.passkeysHere(r)})
}

// login checks the password and the second factor, then starts a new
// session (never reusing one the browser brought: no session fixation).
func (n *Newsroom) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		n.render(w, http.StatusBadRequest, "login", pageData{Title: "Sign in", Error: "The form could not be read; try again."})
		return
	}
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	page := pageData{Title: "Sign in", Email: email, Script: n.passkeysHere(r)}
	u, status, msg := n.firstFactor(r, email, r.PostFormValue("password"))
	if u == nil {
		page.Error = msg
		n.render(w, status, "login", page)
		return
	}
	now := n.opts.Now()
	step, err := auth.VerifyTOTP(u.TOTPSecret, r.PostFormValue("code"), now, u.TOTPLastStep)
	if err == nil {
		u.TOTPLastStep = step
	} else if i, ok := auth.MatchRecoveryCode(r.PostFormValue("code"), u.RecoveryHashes); ok {
		// A recovery code works once: it is spent with this sign-in.
		u.RecoveryHashes = append(u.RecoveryHashes[:i:i], u.RecoveryHashes[i+1:]...)
		n.audit(r, email, "login.recovery_code", fmt.Sprintf("%d recovery codes left", len(u.RecoveryHashes)))
	} else {
		page.Error = kolokol.ErrorMessage(err)
		n.failed(r, email, "code: "+kolokol.ErrorMessage(err))
		n.render(w, http.StatusUnauthorized, "login", page)
		return
	}
	if err := n.store.UpdateUser(r.Context(), u); err != nil {
		n.log.Error("sign in", "err", err)
		http.Error(w, "Sign-in is unavailable; try again shortly.", http.StatusInternalServerError)
		return
	}
	if err := n.startSession(w, r, u, ""); err != nil {
		n.log.Error("sign in", "err", err)
		http.Error(w, "Sign-in is unavailable; try again shortly.", http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, "/newsroom/", http.StatusSeeOther)
}

// firstFactor checks the throttles and the password. It returns the
// account, or a status and a message that do not tell which of email and
// password was wrong. A password that needs a stronger hash is rehashed on
// the returned user, for the caller to store.
func (n *Newsroom) firstFactor(r *http.Request, email, password string) (*kolokol.User, int, string) {
	now := n.opts.Now()
	acct, src := "acct:"+email, sourceKey(r)
	for _, lim := range []struct {
		l   *auth.Limiter
		key string
	}{{n.accounts, acct}, {n.sources, src}} {
		if ok, wait := lim.l.Allow(lim.key, now); !ok {
			n.audit(r, email, "login.throttled", "")
			return nil, http.StatusTooManyRequests, fmt.Sprintf("Too many failed attempts. Try again in %s.", wait)
		}
	}
	u, err := n.store.FindUserByEmail(r.Context(), email)
	if err != nil && !kolokol.IsNotFound(err) {
		n.log.Error("sign in", "err", err)
		return nil, http.StatusInternalServerError, "Sign-in is unavailable; try again shortly."
	}
	hash := n.dummy
	if u != nil && !u.Disabled && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	ok, rehash, _ := auth.VerifyPassword(hash, password)
	if u == nil || u.Disabled || !ok {
		n.failed(r, email, "password")
		return nil, http.StatusUnauthorized, wrongCredentials
	}
	if u.TOTPSecret == "" {
		n.failed(r, email, "no second factor")
		return nil, http.StatusUnauthorized, "This account has no second factor yet; ask an admin for an enrolment link."
	}
	if rehash {
		if h, err := auth.HashPassword(password); err == nil {
			u.PasswordHash = h
		}
	}
	return u, 0, ""
}

// failed counts a failed sign-in against the account and the source.
func (n *Newsroom) failed(r *http.Request, email, detail string) {
	now := n.opts.Now()
	n.accounts.Fail("acct:"+email, now)
	n.sources.Fail(sourceKey(r), now)
	n.audit(r, email, "login.fail", detail)
}

// startSession signs the browser in as u with a new session.
func (n *Newsroom) startSession(w http.ResponseWriter, r *http.Request, u *kolokol.User, how string) error {
	now := n.opts.Now()
	token, err := newSessionToken()
	if err != nil {
		return err
	}
	if err := n.store.CreateSession(r.Context(), &kolokol.Session{ID: hashToken(token), UserID: u.ID,
		CreatedAt: now.UTC(), LastSeenAt: now.UTC(), ExpiresAt: now.Add(absoluteTimeout).UTC()}); err != nil {
		return err
	}
	n.accounts.Reset("acct:" + u.Email)
	if old, err := r.Cookie(cookieName); err == nil {
		n.store.DeleteSession(r.Context(), hashToken(old.Value))
	}
	n.audit(r, u.Email, "login.ok", how)
	http.SetCookie(w, n.cookie(token, absoluteTimeout))
	return nil
}

func (n *Newsroom) logout(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if c, err := r.Cookie(cookieName); err == nil {
		n.store.DeleteSession(r.Context(), hashToken(c.Value))
	}
	n.audit(r, u.Email, "logout.ok", "")
	http.SetCookie(w, n.cookie("", -time.Second))
	http.Redirect(w, r, "/newsroom/login", http.StatusSeeOther)
}

// logoutEverywhere ends every session of the account: for a lost laptop,
// or when an account may have been taken.
func (n *Newsroom) logoutEverywhere(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if err := n.store.DeleteUserSessions(r.Context(), u.ID); err != nil {
		n.log.Error("sign out everywhere", "err", err)
		http.Error(w, "Signing out failed; try again.", http.StatusInternalServerError)
		return
	}
	n.audit(r, u.Email, "logout.everywhere", "")
	http.SetCookie(w, n.cookie("", -time.Second))
	http.Redirect(w, r, "/newsroom/login", http.StatusSeeOther)
}

// cookie is the session cookie: script cannot read it, other sites'
// requests do not carry it, and reader pages never receive it (its path is
// the newsroom's).
func (n *Newsroom) cookie(value string, maxAge time.Duration) *http.Cookie {
	return &http.Cookie{Name: cookieName, Value: value, Path: "/newsroom/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: n.opts.Secure, SameSite: http.SameSiteStrictMode}
}

func (n *Newsroom) audit(r *http.Request, actor, action, detail string) {
	if actor == "" {
		actor = "(no email)"
	}
	if len(actor) > 254 {
		actor = actor[:254]
	}
	if err := n.store.AddAudit(r.Context(), &kolokol.AuditEntry{Actor: actor, Action: action, Detail: detail}); err != nil {
		n.log.Error("audit log", "action", action, "err", err)
	}
}
