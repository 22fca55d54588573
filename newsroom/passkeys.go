package newsroom

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/httperr"
)

// Passkeys (WebAuthn) are a second factor in place of the TOTP code: the
// person gives their password, then touches their security key or unlocks
// their phone. They need the browser's WebAuthn API, so this is the one
// part of the newsroom that needs script (/newsroom/passkeys.js, served
// from here); everything else, TOTP sign-in included, works without it.

// ceremonyLifetime is how long a started ceremony may take to finish.
const (
	ceremonyLifetime = 5 * time.Minute
	ceremonyCookie   = "kk_ceremony"
	maxCeremonies    = 10_000
)

// ceremony is a WebAuthn ceremony between its two requests. It is kept in
// the store, so that the finish may reach another server than the begin,
// keyed by the hash of a random value in a short-lived cookie: the
// challenge must not be something the client can choose or replay.
type ceremony struct {
	UserID  int64                `json:"user_id"`
	Purpose string               `json:"purpose"`        // "login" or "register"
	Name    string               `json:"name,omitempty"` // the new passkey's name, when registering
	Session webauthn.SessionData `json:"session"`
	Expires time.Time            `json:"expires"`
	// Attempt is the sign-in's password check; its account and passkeys
	// are read again at the finish (desk.LoadPasskeyAttempt).
	Attempt *desk.PasskeyAttempt `json:"attempt,omitempty"`
	Resume  string               `json:"resume,omitempty"` // a held save to apply after sign-in
}

// ceremonies keeps ceremonies in the store, at most maxCeremonies
// unexpired at once.
type ceremonies struct{ store kolokol.Ceremonies }

func ceremonyKey(cookie string) string {
	sum := sha256.Sum256([]byte(cookie))
	return hex.EncodeToString(sum[:])
}

// put stores a ceremony; false when too many are under way.
func (c ceremonies) put(ctx context.Context, key string, v *ceremony, now time.Time) (bool, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return false, fmt.Errorf("keep a passkey ceremony: %w", err)
	}
	err = c.store.PutCeremony(ctx, ceremonyKey(key), data, now, v.Expires, maxCeremonies)
	if kolokol.ErrorCode(err) == kolokol.ECONFLICT {
		return false, nil
	}
	return err == nil, err
}

// take returns a ceremony once: a second finish with the same cookie
// finds nothing, on whichever server.
func (c ceremonies) take(ctx context.Context, key, purpose string, now time.Time) (*ceremony, error) {
	if key == "" {
		return nil, nil
	}
	data, err := c.store.TakeCeremony(ctx, ceremonyKey(key), now)
	if kolokol.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var v ceremony
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("read a passkey ceremony: %w", err)
	}
	if v.Purpose != purpose || now.After(v.Expires) {
		return nil, nil
	}
	return &v, nil
}

// newWebAuthn configures the relying party from the site's public origin:
// its host is the RP ID, and only pages of that origin may use the keys.
// WebAuthn does not work on IP addresses; a loopback one (the demo's
// default) becomes localhost, which browsers treat as the same machine and
// as secure. Any other IP address turns passkeys off (nil).
func newWebAuthn(origin string) (*webauthn.WebAuthn, error) {
	u, err := url.Parse(origin)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("passkeys: origin %q is not a URL", origin)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			return nil, nil
		}
		host = "localhost"
	}
	o := u.Scheme + "://" + host
	if p := u.Port(); p != "" {
		o += ":" + p
	}
	return webauthn.New(&webauthn.Config{RPID: host, RPDisplayName: "Kolokol newsroom", RPOrigins: []string{o}})
}

// passkeysHere reports whether passkeys work on the host this page was
// asked for: the browser refuses keys of another host.
func (n *Newsroom) passkeysHere(r *http.Request) bool {
	if n.webauthn == nil {
		return false
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.EqualFold(host, n.webauthn.Config.RPID)
}

// passkeysOn answers for the passkey routes when passkeys are off.
func (n *Newsroom) passkeysOn(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.webauthn == nil {
			writeJSON(w, http.StatusNotFound, jsonAnswer{Error: "Passkeys are off: the site's public origin (--base-url) is not a domain name."})
			return
		}
		h.ServeHTTP(w, r)
	})
}

// passkeyUser is an account as the WebAuthn library sees it.
type passkeyUser struct {
	u     *kolokol.User
	keys  []*kolokol.Passkey
	creds []webauthn.Credential
}

// WebAuthnID is the account's id: it identifies the account to its own
// authenticator only, and these passkeys are never used without a
// password, so nothing is gained by a separate random handle.
func (p *passkeyUser) WebAuthnID() []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(p.u.ID))
}
func (p *passkeyUser) WebAuthnName() string { return p.u.Email }
func (p *passkeyUser) WebAuthnDisplayName() string {
	if p.u.Name != "" {
		return p.u.Name
	}
	return p.u.Email
}
func (p *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return p.creds }

func (n *Newsroom) passkeyUser(r *http.Request, u *kolokol.User) (*passkeyUser, error) {
	keys, err := n.desk.Passkeys(r.Context(), u)
	if err != nil {
		return nil, err
	}
	return newPasskeyUser(u, keys)
}

func newPasskeyUser(u *kolokol.User, keys []*kolokol.Passkey) (*passkeyUser, error) {
	pu := &passkeyUser{u: u, keys: keys}
	for _, k := range keys {
		var c webauthn.Credential
		if err := json.Unmarshal(k.Credential, &c); err != nil {
			return nil, fmt.Errorf("passkey %s of %s: %w", k.ID, u.Email, err)
		}
		pu.creds = append(pu.creds, c)
	}
	return pu, nil
}

// jsonAnswer is what the script reads: an error to show, or where to go.
type jsonAnswer struct {
	Error    string `json:"error,omitempty"`
	Location string `json:"location,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (n *Newsroom) jsonError(w http.ResponseWriter, err error) {
	code := kolokol.ErrorCode(err)
	msg := kolokol.ErrorMessage(err)
	if code == kolokol.EINTERNAL {
		n.log.Error("passkey", "err", err)
		msg = "Passkeys are unavailable; try again shortly, or use a code."
	}
	writeJSON(w, httperr.Status(code), jsonAnswer{Error: msg})
}

// readJSON reads a small JSON request body into v.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxFormBytes))
	if err != nil {
		return kolokol.Errorf(kolokol.EMALFORMED, "the request could not be read: %v", err)
	}
	// A passkey's name is stored as typed or not at all, as in the API:
	// never with U+FFFD where the decoder met a lone surrogate.
	if err := kolokol.CheckJSONText(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return kolokol.Errorf(kolokol.EMALFORMED, "the request is not the JSON expected: %v", err)
	}
	return nil
}

func (n *Newsroom) startCeremony(ctx context.Context, w http.ResponseWriter, c *ceremony) error {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	key := base64.RawURLEncoding.EncodeToString(b)
	c.Expires = n.opts.Now().Add(ceremonyLifetime)
	if ok, err := n.ceremonies.put(ctx, key, c, n.opts.Now()); err != nil {
		return err
	} else if !ok {
		return kolokol.Errorf(kolokol.ECONFLICT, "too many passkey sign-ins at once; try again in a minute")
	}
	http.SetCookie(w, &http.Cookie{Name: ceremonyCookie, Value: key, Path: "/newsroom/", MaxAge: int(ceremonyLifetime.Seconds()),
		HttpOnly: true, Secure: n.opts.Secure, SameSite: http.SameSiteStrictMode})
	return nil
}

// endCeremony takes the request's ceremony: nil when there is none (or it
// expired), an error when the store fails.
func (n *Newsroom) endCeremony(w http.ResponseWriter, r *http.Request, purpose string) (*ceremony, error) {
	http.SetCookie(w, &http.Cookie{Name: ceremonyCookie, Path: "/newsroom/", MaxAge: -1, HttpOnly: true,
		Secure: n.opts.Secure, SameSite: http.SameSiteStrictMode})
	c, err := r.Cookie(ceremonyCookie)
	if err != nil {
		return nil, nil
	}
	v, err := n.ceremonies.take(r.Context(), c.Value, purpose, n.opts.Now())
	if err != nil || v == nil || v.Attempt == nil {
		return v, err
	}
	// The account and its passkeys as they are now, read on this server.
	if err := n.desk.LoadPasskeyAttempt(r.Context(), v.Attempt); err != nil {
		if kolokol.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	return v, nil
}

// passkeyLoginBegin checks the password like the sign-in form, then asks
// the browser for one of the account's passkeys.
func (n *Newsroom) passkeyLoginBegin(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Resume   string `json:"resume,omitempty"`
	}
	if err := readJSON(w, r, &in); err != nil {
		n.jsonError(w, err)
		return
	}
	attempt, err := n.desk.BeginPasskeySignIn(r.Context(), desk.Credentials{Email: in.Email, Password: in.Password, Source: n.source(r)})
	if err != nil {
		n.jsonError(w, err)
		return
	}
	pu, err := newPasskeyUser(attempt.User, attempt.Passkeys)
	if err != nil {
		n.jsonError(w, err)
		return
	}
	assertion, session, err := n.webauthn.BeginLogin(pu, webauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		n.jsonError(w, err)
		return
	}
	if err := n.startCeremony(r.Context(), w, &ceremony{UserID: attempt.User.ID, Purpose: "login", Session: *session, Attempt: attempt, Resume: in.Resume}); err != nil {
		n.jsonError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, assertion)
}

// passkeyLoginFinish checks the browser's answer and signs in.
func (n *Newsroom) passkeyLoginFinish(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	c, err := n.endCeremony(w, r, "login")
	if err != nil {
		n.jsonError(w, err)
		return
	}
	if c == nil {
		writeJSON(w, http.StatusUnauthorized, jsonAnswer{Error: "The passkey sign-in expired or was already used; start again."})
		return
	}
	pu, err := newPasskeyUser(c.Attempt.User, c.Attempt.Passkeys)
	if err != nil {
		n.jsonError(w, err)
		return
	}
	var used *kolokol.Passkey
	cred, why := n.webauthn.FinishLogin(pu, c.Session, r)
	if why == nil {
		id := base64.RawURLEncoding.EncodeToString(cred.ID)
		for _, k := range pu.keys {
			if k.ID == id {
				// The sign count lets the library notice a cloned authenticator.
				used = &kolokol.Passkey{ID: k.ID, UserID: k.UserID, Name: k.Name, CreatedAt: k.CreatedAt}
				if used.Credential, err = json.Marshal(cred); err != nil {
					n.jsonError(w, err)
					return
				}
			}
		}
	} else {
		why = errors.New(passkeyError(why))
	}
	in, err := n.desk.FinishPasskeySignIn(r.Context(), c.Attempt, used, why)
	if err != nil {
		n.jsonError(w, err)
		return
	}
	n.setSession(w, r, in.Token)
	next := "/newsroom/"
	if c.Resume != "" {
		next = "/newsroom/resume/" + url.PathEscape(c.Resume)
	}
	writeJSON(w, http.StatusOK, jsonAnswer{Location: next})
}

// passkeyError is the library's reason, for the person and the audit log.
func passkeyError(err error) string {
	if pe, ok := err.(*protocol.Error); ok && pe.Details != "" {
		return pe.Details
	}
	return err.Error()
}

// accountPage is the signed-in person's own account: their passkeys.
func (n *Newsroom) accountPage(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	n.showAccount(w, r, u, http.StatusOK, u.Zone, nil)
}

// showAccount shows the account page; zone is what the zone field holds
// (what was typed, when fault refused it).
func (n *Newsroom) showAccount(w http.ResponseWriter, r *http.Request, u *kolokol.User, status int, zone string, fault error) {
	keys, err := n.desk.Passkeys(r.Context(), u)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	all, err := n.store.FindServices(r.Context())
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	field := ""
	if kolokol.ErrorField(fault) == "zone" {
		field = "zone"
	}
	d := pageData{Title: "Your account", User: u, Passkeys: keys, Script: n.passkeysHere(r),
		Saved: fault == nil && r.URL.Query().Has("saved"), Error: kolokol.ErrorMessage(fault), Field: field,
		Account: &accountPage{Zone: zone, Zones: zoneChoices(all)}}
	d.Services = desk.WorksOn(u, all)
	if d.Home, err = n.desk.HomeDesk(r.Context(), u, d.Services); err != nil {
		n.fail(w, r, u, err)
		return
	}
	n.render(w, status, "account", d)
}

// accountPage is the account page's own part: the zone the person reads
// times in.
type accountPage struct {
	Zone  string   // as stored, or as typed when refused
	Zones []string // suggested: every service's zone, and UTC
}

// setZone sets the zone the person reads the newsroom in.
func (n *Newsroom) setZone(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if !n.parseForm(w, r, u) {
		return
	}
	zone := r.PostFormValue("zone")
	if err := n.desk.SetZone(r.Context(), u, zone); err != nil {
		if kolokol.ErrorCode(err) == kolokol.EINTERNAL || kolokol.ErrorCode(err) == kolokol.EUNAVAILABLE {
			n.fail(w, r, u, err)
			return
		}
		n.showAccount(w, r, u, httperr.Status(kolokol.ErrorCode(err)), zone, err)
		return
	}
	http.Redirect(w, r, "/newsroom/account?saved=1", http.StatusSeeOther)
}

// passkeyAddBegin starts registering a passkey. A session alone is not
// enough: the person confirms with a current code (throttled like
// sign-in's), so that someone who has taken over an open browser cannot
// leave their own key behind.
func (n *Newsroom) passkeyAddBegin(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	var in struct {
		Name string `json:"name"`
		Code string `json:"code"`
	}
	if err := readJSON(w, r, &in); err != nil {
		n.jsonError(w, err)
		return
	}
	if err := n.desk.ConfirmCode(r.Context(), u, in.Code, n.source(r), "passkey.add"); err != nil {
		n.jsonError(w, err)
		return
	}
	pu, err := n.passkeyUser(r, u)
	if err != nil {
		n.jsonError(w, err)
		return
	}
	if len(pu.keys) >= kolokol.MaxPasskeys {
		n.jsonError(w, kolokol.Errorf(kolokol.ECONFLICT, "an account has at most %d passkeys; remove one first", kolokol.MaxPasskeys))
		return
	}
	exclude := make([]protocol.CredentialDescriptor, 0, len(pu.creds))
	for _, c := range pu.creds {
		exclude = append(exclude, c.Descriptor())
	}
	creation, session, err := n.webauthn.BeginRegistration(pu, webauthn.WithExclusions(exclude),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementPreferred, UserVerification: protocol.VerificationPreferred}))
	if err != nil {
		n.jsonError(w, err)
		return
	}
	if err := n.startCeremony(r.Context(), w, &ceremony{UserID: u.ID, Purpose: "register", Name: in.Name, Session: *session}); err != nil {
		n.jsonError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, creation)
}

// passkeyAddFinish checks the new credential and stores it.
func (n *Newsroom) passkeyAddFinish(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	c, err := n.endCeremony(w, r, "register")
	if err != nil {
		n.jsonError(w, err)
		return
	}
	if c == nil || c.UserID != u.ID {
		writeJSON(w, http.StatusUnauthorized, jsonAnswer{Error: "Adding the passkey expired or was already done; start again."})
		return
	}
	pu, err := n.passkeyUser(r, u)
	if err != nil {
		n.jsonError(w, err)
		return
	}
	cred, err := n.webauthn.FinishRegistration(pu, c.Session, r)
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, jsonAnswer{Error: "The passkey was not accepted: " + passkeyError(err)})
		return
	}
	data, err := json.Marshal(cred)
	if err != nil {
		n.jsonError(w, err)
		return
	}
	p := &kolokol.Passkey{ID: base64.RawURLEncoding.EncodeToString(cred.ID), Name: c.Name, Credential: data}
	if err := n.desk.AddPasskey(r.Context(), u, p); err != nil {
		n.jsonError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, jsonAnswer{Location: "/newsroom/account?saved=1"})
}

// passkeyRemove removes one of the person's passkeys (a plain form).
func (n *Newsroom) passkeyRemove(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if !n.parseForm(w, r, u) {
		return
	}
	if err := n.desk.RemovePasskey(r.Context(), u, r.PostFormValue("id")); err != nil {
		n.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/newsroom/account?saved=1", http.StatusSeeOther)
}
