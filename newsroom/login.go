package newsroom

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/httperr"
)

func (n *Newsroom) loginPage(w http.ResponseWriter, r *http.Request) {
	n.render(w, http.StatusOK, "login", pageData{Title: "Sign in", Script: n.passkeysHere(r)})
}

// login checks the password and the second factor, then starts a new
// session (never reusing one the browser brought: no session fixation).
// When the form carries a held save, it is applied as the new session.
func (n *Newsroom) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		n.render(w, http.StatusBadRequest, "login", pageData{Title: "Sign in", Error: "The form could not be read; try again."})
		return
	}
	resume := r.PostFormValue("resume")
	page := pageData{Title: "Sign in", Email: strings.ToLower(strings.TrimSpace(r.PostFormValue("email"))),
		Script: n.passkeysHere(r), Resume: resume}
	in, err := n.desk.SignIn(r.Context(), desk.Credentials{Email: r.PostFormValue("email"), Password: r.PostFormValue("password"),
		Code: r.PostFormValue("code"), Source: n.source(r)})
	if err != nil {
		if kolokol.ErrorCode(err) == kolokol.EINTERNAL {
			n.log.Error("sign in", "err", err)
			page.Error = "Sign-in is unavailable; try again shortly."
		} else {
			page.Error = kolokol.ErrorMessage(err)
		}
		n.render(w, httperr.Status(kolokol.ErrorCode(err)), "login", page)
		return
	}
	n.setSession(w, r, in.Token)
	if resume != "" {
		n.applyHeld(w, r, in.User, resume, in.Token)
		return
	}
	http.Redirect(w, r, "/newsroom/", http.StatusSeeOther)
}

// setSession gives the browser its new session cookie and ends the one it
// brought, if any.
func (n *Newsroom) setSession(w http.ResponseWriter, r *http.Request, token string) {
	if old, err := r.Cookie(cookieName); err == nil {
		if err := n.desk.DropSession(r.Context(), old.Value); err != nil {
			n.log.Error("sign in", "err", err)
		}
	}
	http.SetCookie(w, n.cookie(token))
}

func (n *Newsroom) logout(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if c, err := r.Cookie(cookieName); err == nil {
		if err := n.desk.SignOut(r.Context(), u, c.Value); err != nil {
			n.fail(w, r, u, err)
			return
		}
	}
	http.SetCookie(w, n.clearCookie())
	http.Redirect(w, r, "/newsroom/login", http.StatusSeeOther)
}

// logoutEverywhere ends every session of the account: for a lost laptop,
// or when an account may have been taken.
func (n *Newsroom) logoutEverywhere(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if err := n.desk.SignOutEverywhere(r.Context(), u); err != nil {
		n.log.Error("sign out everywhere", "err", err)
		http.Error(w, "Signing out failed; try again.", http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, n.clearCookie())
	http.Redirect(w, r, "/newsroom/login", http.StatusSeeOther)
}

// cookie is the session cookie: script cannot read it, other sites'
// requests do not carry it, and reader pages never receive it (its path is
// the newsroom's). It has no Max-Age: the browser forgets it when it
// closes, so a seized laptop holds no live session on disk; the server
// ends sessions on its own timeouts (desk.IdleTimeout, AbsoluteTimeout).
func (n *Newsroom) cookie(value string) *http.Cookie {
	return &http.Cookie{Name: cookieName, Value: value, Path: "/newsroom/",
		HttpOnly: true, Secure: n.opts.Secure, SameSite: http.SameSiteStrictMode}
}

func (n *Newsroom) clearCookie() *http.Cookie {
	c := n.cookie("")
	c.MaxAge = -1
	return c
}

// holdSave keeps a form posted after its session ended (for the account
// that session was) and answers with the sign-in page, which carries it:
// signing in again applies it. Nothing is lost to a timeout, and nothing is
// held for a request no account can be named for.
func (n *Newsroom) holdSave(w http.ResponseWriter, r *http.Request, userID int64) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, kolokol.MaxPendingBytes))
	if err != nil {
		n.render(w, http.StatusRequestEntityTooLarge, "login", pageData{Title: "Sign in",
			Error: "Your session ended, and what you sent is too large to keep; sign in and send it again."})
		return
	}
	title := heldTitle(r.Header.Get("Content-Type"), body)
	token, err := n.desk.HoldSave(r.Context(), userID, r.URL.Path, r.Header.Get("Content-Type"), title, body)
	if err != nil {
		n.log.Error("hold a save", "err", err)
		n.render(w, http.StatusUnauthorized, "login", pageData{Title: "Sign in",
			Error: "Your session ended before this was saved, and it could not be kept. Sign in, then go back and save it again."})
		return
	}
	msg := "Your session ended before this was saved. It is kept: sign in again and it will be saved."
	if title != "" {
		msg = "Your session ended before “" + title + "” was saved. It is kept: sign in again and it will be saved."
	}
	http.SetCookie(w, n.clearCookie())
	n.render(w, http.StatusUnauthorized, "login", pageData{Title: "Sign in", Error: msg, Resume: token, Script: n.passkeysHere(r)})
}

// heldTitle is the headline of a held story form, to name it to its author.
func heldTitle(contentType string, body []byte) string {
	r, err := http.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	if err != nil {
		return ""
	}
	r.Header.Set("Content-Type", contentType)
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "multipart/form-data" {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		return ""
	}
	h := strings.TrimSpace(r.PostFormValue("headline"))
	if len([]rune(h)) > 120 {
		h = string([]rune(h)[:120]) + "…"
	}
	return h
}

// applyHeld applies a held save as the account that just signed in, with
// its new session: the form is served again, exactly as posted, by the
// newsroom's own routes, which check it as any save (its version included).
func (n *Newsroom) applyHeld(w http.ResponseWriter, r *http.Request, u *kolokol.User, token, session string) {
	p, err := n.desk.TakeSave(r.Context(), u, token)
	if err != nil {
		msg := "You are signed in. The save held from before could not be found (it was applied, or expired after 12 hours); check the story."
		if kolokol.ErrorCode(err) == kolokol.EINTERNAL {
			n.log.Error("take a held save", "err", err)
			msg = "You are signed in, but the save held from before could not be read; check the story."
		}
		n.render(w, http.StatusOK, "error", pageData{Title: "Signed in", User: u, Error: msg})
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, (&url.URL{Path: p.Path}).String(), bytes.NewReader(p.Body))
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	req.Host, req.RemoteAddr = r.Host, r.RemoteAddr
	req.Header.Set("Content-Type", p.ContentType)
	req.AddCookie(&http.Cookie{Name: cookieName, Value: session})
	n.mux.ServeHTTP(w, req)
}

// resumePage offers a held save to apply, after a passkey sign-in (whose
// script lands here).
func (n *Newsroom) resumePage(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	n.render(w, http.StatusOK, "resume", pageData{Title: "Apply your held save", User: u, Action: "/newsroom/resume/" + url.PathEscape(r.PathValue("token"))})
}

func (n *Newsroom) resume(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		n.fail(w, r, u, errors.New("no session cookie on a signed-in request"))
		return
	}
	n.applyHeld(w, r, u, r.PathValue("token"), c.Value)
}
