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
	n.render(w, http.StatusOK, "login", pageData{Title: "Sign in"})
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
	page := pageData{Title: "Sign in", Email: email}
	now := n.opts.Now()
	acct, src := "acct:"+email, sourceKey(r)
	for _, lim := range []struct {
		l   *auth.Limiter
		key string
	}{{n.accounts, acct}, {n.sources, src}} {
		if ok, wait := lim.l.Allow(lim.key, now); !ok {
			n.audit(r, email, "login.throttled", "")
			page.Error = fmt.Sprintf("Too many failed attempts. Try again in %s.", wait)
			n.render(w, http.StatusTooManyRequests, "login", page)
			return
		}
	}
	fail := func(msg, detail string) {
		n.accounts.Fail(acct, now)
		n.sources.Fail(src, now)
		n.audit(r, email, "login.fail", detail)
		page.Error = msg
		n.render(w, http.StatusUnauthorized, "login", page)
	}
	u, err := n.store.FindUserByEmail(r.Context(), email)
	if err != nil && !kolokol.IsNotFound(err) {
		n.log.Error("sign in", "err", err)
		http.Error(w, "Sign-in is unavailable; try again shortly.", http.StatusInternalServerError)
		return
	}
	hash := n.dummy
	if u != nil && !u.Disabled && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	ok, rehash, _ := auth.VerifyPassword(hash, r.PostFormValue("password"))
	if u == nil || u.Disabled || !ok {
		fail(wrongCredentials, "password")
		return
	}
	if u.TOTPSecret == "" {
		fail("This account has no second factor yet; ask an admin for an enrolment link.", "no second factor")
		return
	}
	step, err := auth.VerifyTOTP(u.TOTPSecret, r.PostFormValue("code"), now, u.TOTPLastStep)
	if err == nil {
		u.TOTPLastStep = step
	} else if i, ok := auth.MatchRecoveryCode(r.PostFormValue("code"), u.RecoveryHashes); ok {
		// A recovery code works once: it is spent with this sign-in.
		u.RecoveryHashes = append(u.RecoveryHashes[:i:i], u.RecoveryHashes[i+1:]...)
		n.audit(r, email, "login.recovery_code", fmt.Sprintf("%d recovery codes left", len(u.RecoveryHashes)))
	} else {
		fail(kolokol.ErrorMessage(err), "code: "+kolokol.ErrorMessage(err))
		return
	}
	if rehash {
		if h, err := auth.HashPassword(r.PostFormValue("password")); err == nil {
			u.PasswordHash = h
		}
	}
	if err := n.store.UpdateUser(r.Context(), u); err != nil {
		n.log.Error("sign in", "err", err)
		http.Error(w, "Sign-in is unavailable; try again shortly.", http.StatusInternalServerError)
		return
	}
	token, err := newSessionToken()
	if err == nil {
		err = n.store.CreateSession(r.Context(), &kolokol.Session{ID: hashToken(token), UserID: u.ID,
			CreatedAt: now.UTC(), LastSeenAt: now.UTC(), ExpiresAt: now.Add(absoluteTimeout).UTC()})
	}
	if err != nil {
		n.log.Error("sign in", "err", err)
		http.Error(w, "Sign-in is unavailable; try again shortly.", http.StatusInternalServerError)
		return
	}
	n.accounts.Reset(acct)
	if old, err := r.Cookie(cookieName); err == nil {
		n.store.DeleteSession(r.Context(), hashToken(old.Value))
	}
	n.audit(r, email, "login.ok", "")
	http.SetCookie(w, n.cookie(token, absoluteTimeout))
	http.Redirect(w, r, "/newsroom/", http.StatusSeeOther)
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
