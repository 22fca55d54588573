// Package newsroom is the newsroom in the browser: sign-in with a password
// and a second factor, sessions, and the pages editors work in. Pages are
// server-rendered and work without JavaScript.
package newsroom

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/auth"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/render"
)

//go:embed templates/*.html
var templateFS embed.FS

const (
	cookieName   = "kk_session"
	maxFormBytes = 64 << 10
)

// Options configures the newsroom.
type Options struct {
	// Secure marks the session cookie Secure; set it when the site is
	// served over TLS (a https base URL).
	Secure bool
	// StylePath is the stylesheet the pages link.
	StylePath string
	Now       func() time.Time
	// Preview renders a story as its reader page (render.Builder.Preview).
	Preview func(context.Context, *kolokol.Article) (*render.Page, error)
	// Reader is the reader site, which answers the preview's links to
	// stylesheets, photos and other pages.
	Reader http.Handler
	// Origin is the site's public origin (the base URL); passkeys are
	// bound to its host. Without it, passkeys are off.
	Origin string
	// ClientAddr is the address a request comes from, for the sign-in
	// throttle only: behind trusted proxies, the client they name (see
	// geo.Resolver.ClientAddr). Nil: the connection's address.
	ClientAddr func(*http.Request) netip.Addr
	// Sources hashes sign-in sources for the throttle; several servers
	// share its key (desk.SourceKey) so that a source is one count on
	// all. Nil: a key of this process's own.
	Sources *auth.Sources
	// Search finds stories by their words and a date range (the search
	// index); nil: the dashboard matches headlines in the store.
	Search func(ctx context.Context, q StorySearch) (StoryHits, error)
}

// StorySearch is a search of the dashboard: words in any story of some
// services (drafts, stories handed in, scheduled, live, withdrawn), with
// its filters, one page of it. Sort is one of desk's orders; "" is newest
// changed first.
type StorySearch struct {
	Services                     []string
	Status, Section, Author, Tag string
	Submitted                    bool
	Text                         string
	From, To                     time.Time // To is exclusive; zero: unbounded
	Sort                         string
	Offset, Limit                int
}

// StoryHits is a page of a search: the stories' ids in order, and how
// many match in all.
type StoryHits struct {
	IDs   []int64
	Total int
}

// Newsroom serves /newsroom/.
type Newsroom struct {
	store      directory
	desk       *desk.Desk
	log        *slog.Logger
	opts       Options
	pages      map[string]*template.Template
	sources    *auth.Sources
	webauthn   *webauthn.WebAuthn // nil: passkeys are off
	ceremonies ceremonies
	mux        *http.ServeMux // the newsroom's own routes, to apply held saves
}

// New parses the templates and prepares the limiters.
func New(store directory, d *desk.Desk, log *slog.Logger, opts Options) (*Newsroom, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	n := &Newsroom{store: store, desk: d, log: log, opts: opts, pages: map[string]*template.Template{},
		sources: opts.Sources, ceremonies: ceremonies{store: store}}
	if n.sources == nil {
		n.sources = auth.NewSources()
	}
	if opts.Origin != "" {
		var err error
		if n.webauthn, err = newWebAuthn(opts.Origin); err != nil {
			return nil, err
		}
	}
	for _, name := range append([]string{"login", "dashboard", "enrol", "recovery", "story", "conflict", "history",
		"service", "accounts", "audit", "error", "account", "notices", "securitytxt", "resume", "tokens", "mirrors", "wire", "wireitem", "notifications", "embeds"}, libraryPages...) {
		files := []string{"templates/layout.html", "templates/" + name + ".html"}
		if name == "story" {
			files = append(files, "templates/versions.html") // translations.go
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, files...)
		if err != nil {
			return nil, err
		}
		n.pages[name] = t
	}
	n.mux = http.NewServeMux()
	n.Register(n.mux)
	return n, nil
}

// routes is the newsroom: one table, so that Register and Routes agree.
// Every POST is refused when a browser sends it from another site.
func (n *Newsroom) routes() map[string]http.Handler {
	csrf := http.NewCrossOriginProtection()
	return map[string]http.Handler{
		"GET /newsroom/login":              http.HandlerFunc(n.loginPage),
		"POST /newsroom/login":             csrf.Handler(http.HandlerFunc(n.login)),
		"POST /newsroom/logout":            csrf.Handler(n.signedIn(n.logout)),
		"POST /newsroom/logout-everywhere": csrf.Handler(n.signedIn(n.logoutEverywhere)),
		"GET /newsroom/{$}":                n.signedIn(n.dashboard),
		"GET /newsroom/newsroom.css":       http.HandlerFunc(serveCSS),
		"GET /newsroom/passkeys.js":        http.HandlerFunc(serveJS),
		"GET /newsroom/editor.js":          http.HandlerFunc(serveEditorJS),
		"GET /newsroom/prose.js":           http.HandlerFunc(serveProseJS),
		"GET /newsroom/resume/{token}":     n.signedIn(n.resumePage),
		"POST /newsroom/resume/{token}":    csrf.Handler(n.signedIn(n.resume)),

		"POST /newsroom/login/passkey":           csrf.Handler(n.passkeysOn(http.HandlerFunc(n.passkeyLoginBegin))),
		"POST /newsroom/login/passkey/finish":    csrf.Handler(n.passkeysOn(http.HandlerFunc(n.passkeyLoginFinish))),
		"GET /newsroom/account":                  n.signedIn(n.accountPage),
		"POST /newsroom/account/zone":            csrf.Handler(n.signedIn(n.setZone)),
		"POST /newsroom/account/passkeys":        csrf.Handler(n.passkeysOn(n.signedIn(n.passkeyAddBegin))),
		"POST /newsroom/account/passkeys/finish": csrf.Handler(n.passkeysOn(n.signedIn(n.passkeyAddFinish))),
		"POST /newsroom/account/passkeys/remove": csrf.Handler(n.signedIn(n.passkeyRemove)),
		"POST /newsroom/account/home-desk":       csrf.Handler(n.signedIn(n.setHomeDesk)),
		"POST /newsroom/searches":                csrf.Handler(n.signedIn(n.saveSearch)),
		"POST /newsroom/searches/{id}/delete":    csrf.Handler(n.signedIn(n.deleteSearch)),

		"GET /newsroom/stories/new":                           n.signedIn(n.newStory),
		"POST /newsroom/stories":                              csrf.Handler(n.signedIn(n.createStory)),
		"GET /newsroom/stories/{id}":                          n.signedIn(n.editStory),
		"POST /newsroom/stories/{id}":                         csrf.Handler(n.signedIn(n.saveStory)),
		"POST /newsroom/stories/{id}/autosave":                csrf.Handler(n.signedIn(n.autosave)),
		"POST /newsroom/stories/autosave":                     csrf.Handler(n.signedIn(n.autosave)),
		"POST /newsroom/stories/{id}/discard":                 csrf.Handler(n.signedIn(n.discardWorkingCopy)),
		"POST /newsroom/stories/{id}/takeover":                csrf.Handler(n.signedIn(n.takeOver)),
		"POST /newsroom/stories/{id}/heartbeat":               csrf.Handler(n.signedIn(n.heartbeat)),
		"POST /newsroom/stories/{id}/submit":                  csrf.Handler(n.signedIn(n.transition(submitStory))),
		"POST /newsroom/stories/{id}/publish":                 csrf.Handler(n.signedIn(n.transition(publishStory))),
		"POST /newsroom/stories/{id}/unpublish":               csrf.Handler(n.signedIn(n.transition(unpublishStory))),
		"POST /newsroom/stories/{id}/schedule":                csrf.Handler(n.signedIn(n.transition(scheduleStory))),
		"POST /newsroom/stories/{id}/corrections":             csrf.Handler(n.signedIn(n.transition(correctStory))),
		"POST /newsroom/stories/{id}/translate":               csrf.Handler(n.signedIn(n.translateStory)),
		"POST /newsroom/stories/{id}/link":                    csrf.Handler(n.signedIn(n.linkStory)),
		"POST /newsroom/stories/{id}/unlink":                  csrf.Handler(n.signedIn(n.unlinkStory)),
		"GET /newsroom/stories/{id}/revisions":                n.signedIn(n.history),
		"POST /newsroom/stories/{id}/revisions/{rev}/restore": csrf.Handler(n.signedIn(n.transition(restoreRevision))),
		"GET /newsroom/preview/{path...}":                     n.signedIn(n.previewGet),
		"POST /newsroom/preview/{path...}":                    csrf.Handler(n.signedIn(n.previewPost)),
		"POST /newsroom/breaking":                             csrf.Handler(n.signedIn(n.breaking)),
		"GET /newsroom/services/{code}":                       n.signedIn(n.serviceSettings),
		"POST /newsroom/services/{code}":                      csrf.Handler(n.signedIn(n.saveService)),
		"GET /newsroom/accounts":                              n.signedIn(n.accountList),
		"POST /newsroom/accounts":                             csrf.Handler(n.signedIn(n.addAccount)),
		"GET /newsroom/accounts/{id}":                         n.signedIn(n.account),
		"POST /newsroom/accounts/{id}":                        csrf.Handler(n.signedIn(n.saveAccount)),
		"POST /newsroom/accounts/{id}/reset":                  csrf.Handler(n.signedIn(n.resetAccount)),
		"GET /newsroom/audit":                                 n.signedIn(n.auditLog),
		"GET /newsroom/tokens":                                n.signedIn(n.tokenList),
		"POST /newsroom/tokens":                               csrf.Handler(n.signedIn(n.createToken)),
		"POST /newsroom/tokens/{id}/revoke":                   csrf.Handler(n.signedIn(n.revokeToken)),
		"GET /newsroom/mirrors":                               n.signedIn(n.mirrorList),
		"POST /newsroom/mirrors":                              csrf.Handler(n.signedIn(n.addMirror)),
		"GET /newsroom/mirrors/{id}":                          n.signedIn(n.editMirror),
		"POST /newsroom/mirrors/{id}":                         csrf.Handler(n.signedIn(n.saveMirror)),
		"POST /newsroom/mirrors/{id}/retire":                  csrf.Handler(n.signedIn(n.retireMirror)),
		"GET /newsroom/wire":                                  n.signedIn(n.wireQueue),
		"GET /newsroom/wire/{id}":                             n.signedIn(n.wireItem),
		"POST /newsroom/wire/{id}/open":                       csrf.Handler(n.signedIn(n.openWire)),
		"POST /newsroom/wire/{id}/dismiss":                    csrf.Handler(n.signedIn(n.dismissWire)),
		"GET /newsroom/notices":                               n.signedIn(n.notices),
		"GET /newsroom/notifications":                         n.signedIn(n.notifications),
		"POST /newsroom/notifications/read":                   csrf.Handler(n.signedIn(n.readNotifications)),
		"POST /newsroom/notifications/{id}/open":              csrf.Handler(n.signedIn(n.openNotification)),
		"POST /newsroom/notices":                              csrf.Handler(n.signedIn(n.saveNotice)),
		"GET /newsroom/security-txt":                          n.signedIn(n.securityTxtPage),
		"POST /newsroom/security-txt":                         csrf.Handler(n.signedIn(n.saveSecurityTxt)),
		"GET /newsroom/embeds":                                n.signedIn(n.embedsPage),
		"POST /newsroom/embeds":                               csrf.Handler(http.HandlerFunc(n.fetchEmbed)),
		"POST /newsroom/embeds/manual":                        csrf.Handler(n.signedIn(n.manualEmbed)),
		"GET /newsroom/enrol/{token}":                         http.HandlerFunc(n.enrolPage),
		"POST /newsroom/enrol/{token}":                        csrf.Handler(http.HandlerFunc(n.enrol)),
		"GET /newsroom/media":                                 http.HandlerFunc(n.mediaLibrary),
		"POST /newsroom/media":                                csrf.Handler(n.signedIn(n.uploadToLibrary)),
		"GET /newsroom/media/{id}":                            n.signedIn(n.mediaItem),
		"POST /newsroom/media/{id}":                           csrf.Handler(n.signedIn(n.saveMedia)),
	}
}

// Routes lists the newsroom's route patterns, for tests that walk them all.
func (n *Newsroom) Routes() []string {
	var out []string
	for p := range n.routes() {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// Register adds the newsroom routes.
func (n *Newsroom) Register(mux *http.ServeMux) {
	for p, h := range n.routes() {
		mux.Handle(p, h)
	}
	mux.Handle("/newsroom/", http.NotFoundHandler())
}

type userKey struct{}

// signedIn runs h for a valid session and sends anyone else to sign in. A
// form posted after its session ended is not lost: it is held for the
// account, and the sign-in page carries it through to be applied (see
// holdSave).
func (n *Newsroom) signedIn(h func(http.ResponseWriter, *http.Request, *kolokol.User)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := n.sessionUser(r)
		if err != nil {
			switch kolokol.ErrorCode(err) {
			case kolokol.EINTERNAL:
				n.log.Error("newsroom session", "err", err)
			case kolokol.EUNAVAILABLE:
				// Not "signed out": the session cannot be looked at. The
				// form stays in the browser (back), to send again.
				w.Header().Set("Retry-After", "5")
				n.fail(w, r, nil, err)
				return
			}
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/newsroom/login", http.StatusSeeOther)
				return
			}
			var expired *desk.ExpiredSession
			if errors.As(err, &expired) {
				n.holdSave(w, r, expired.UserID)
				return
			}
			n.render(w, http.StatusUnauthorized, "login", pageData{Title: "Sign in",
				Error: "You are not signed in, so this was not saved. Sign in, then do it again."})
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), userKey{}, u))
		h(&pageWriter{ResponseWriter: w, unread: func() int { return n.unread(r, u) }}, r, u)
	})
}

// pageWriter carries to render what the header of a signed-in page shows
// beyond the account: the unread notifications, counted only when a page
// is rendered (not for a redirect or an autosave).
type pageWriter struct {
	http.ResponseWriter
	unread func() int
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (p *pageWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }

func (n *Newsroom) sessionUser(r *http.Request) (*kolokol.User, error) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil, kolokol.Errorf(kolokol.EUNAUTHORIZED, "no session")
	}
	return n.desk.Session(r.Context(), c.Value)
}

// source is the sign-in throttle's key for where the request comes from.
func (n *Newsroom) source(r *http.Request) string {
	var a netip.Addr
	if n.opts.ClientAddr != nil {
		a = n.opts.ClientAddr(r)
	} else if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		a = ap.Addr()
	}
	return n.sources.Key(a)
}

type pageData struct {
	Title string
	Style string
	User  *kolokol.User
	Admin bool
	// Unread counts the account's unread notifications (see pageWriter).
	Unread int
	// Review is the dashboard's review queues; Notifications the list.
	Review        *reviewQueues
	Notifications []*kolokol.Notification
	// Script adds the passkeys script, Editor the story editor's; either
	// allows our own scripts in the page's CSP.
	Script   bool
	Editor   bool
	Passkeys []*kolokol.Passkey
	// login
	Error string
	Email string
	// Resume names a save held while its author signs in again.
	Resume string
	Saved  bool // the page follows a successful save
	// dashboard
	Services []*kolokol.Service
	Service  string
	Current  *kolokol.Service
	Status   string
	Statuses []string
	Sections []*kolokol.Section
	Section  string
	Author   string
	Query    string
	From, To string // the date range, as the form gives it (YYYY-MM-DD)
	Breaking *kolokol.Breaking
	Articles []articleRow
	Find     *findPage
	// Home is the account page's choice of the desk the dashboard opens on.
	Home string
	// other pages
	Story    *storyPage
	Conflict *conflictPage
	History  *historyPage
	Settings *kolokol.Service
	// Logo shows the service's logo on its settings page; Dropped names
	// what an uploaded drawing lost to the sanitizer.
	Logo    template.HTML
	Dropped []string
	// Wire is a service's wire queue, or one item of it.
	Wire     *wirePage
	Accounts *accountsPage
	Audit    *auditPage
	Notices  *noticesPage
	Tokens   *tokensPage
	Account  *accountPage
	Mirrors  *mirrorsPage
	Embeds   *embedsPage
	Text     string // security.txt
	// enrolment
	QR     template.HTML
	Secret string
	Action string
	Codes  []string
	// Clock is the zone the page shows times in; unset, the person's.
	Clock clock
	// Field is the id of the form field at fault, when Error is about one
	// field of the page's form: the error is shown beside it and the
	// summary links to it.
	Field string
	// Library is a page of a service's media library, Medium one photo.
	Library *libraryPage
	Medium  *mediaPage
}

// Invalid marks the form field id as at fault when it is: its error is
// what describes it.
func (d pageData) Invalid(id string) template.HTMLAttr {
	if d.Field != id || d.Error == "" {
		return ""
	}
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="` + id + `-error"`)
}

// Described is aria-describedby for a field with a hint of its own (the
// hint's id), and its error too when the field is at fault.
func (d pageData) Described(id, hint string) template.HTMLAttr {
	if d.Field != id || d.Error == "" {
		return template.HTMLAttr(`aria-describedby="` + hint + `"`)
	}
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="` + id + `-error ` + hint + `"`)
}

// FieldError is the error beside the form field id, when it is at fault.
func (d pageData) FieldError(id string) template.HTML {
	if d.Field != id || d.Error == "" {
		return ""
	}
	return template.HTML(`<strong class="field-error" id="` + id + `-error" lang="en" dir="ltr"><span class="visually-hidden">Error: </span>` +
		template.HTMLEscapeString(d.Error) + `</strong>`)
}

type articleRow struct {
	ID                    int64
	Headline, URL, Author string
	Updated               time.Time
	Lang, Dir, Desk       string // the story's service's
	Status                kolokol.Status
	Live, Submitted       bool
}

func (n *Newsroom) render(w http.ResponseWriter, status int, name string, d pageData) {
	d.Style = n.opts.StylePath
	if d.Clock.loc == nil {
		d.Clock = userClock(d.User)
	}
	if d.User != nil {
		d.Admin = d.User.Actor().AdminSomewhere()
	}
	if pw, ok := w.(*pageWriter); ok {
		d.Unread = pw.unread()
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	if d.Script || d.Editor {
		// Only our own script file, and only on the pages that use it.
		h.Set("Content-Security-Policy", h.Get("Content-Security-Policy")+"; script-src 'self'")
	}
	w.WriteHeader(status)
	if err := n.pages[name].ExecuteTemplate(w, "page", d); err != nil {
		n.log.Error("newsroom page", "page", name, "err", err)
	}
}

// directory is what the handlers read beside the desk: the services, their
// sections and banners, to fill forms and pages.
type directory interface {
	kolokol.Services
	kolokol.Banners
	// Passkey ceremonies are kept in the store, so that a ceremony begun
	// on one server finishes on another.
	kolokol.Ceremonies
}
