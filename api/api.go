// Package api is the Admin API: JSON over HTTP under /api/v1/, for scripts
// and integrations. Handlers are thin: they decode, call the desk, encode.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
)

// API serves /api/v1/.
type API struct {
	store   directory
	desk    *desk.Desk
	log     *slog.Logger
	baseURL string
	dropped func(body string) []string
}

// SetBodyCheck gives the API what names the parts of a story's body readers
// will not see (render.Dropped), for the warnings of article responses.
func (a *API) SetBodyCheck(dropped func(body string) []string) { a.dropped = dropped }

// New returns the Admin API. baseURL is the public origin for reader links.
func New(store directory, d *desk.Desk, log *slog.Logger, baseURL string) *API {
	return &API{store: store, desk: d, log: log, baseURL: strings.TrimRight(baseURL, "/")}
}

// routes is the API: one table, so that Register and Routes agree.
func (a *API) routes() []struct {
	pattern string
	h       handler
} {
	return []struct {
		pattern string
		h       handler
	}{
		{"POST /api/v1/articles", a.createArticle},
		{"GET /api/v1/articles", a.listArticles},
		{"GET /api/v1/articles/{id}", a.getArticle},
		{"PATCH /api/v1/articles/{id}", a.patchArticle},
		{"POST /api/v1/articles/{id}/submit", a.submit},
		{"POST /api/v1/articles/{id}/publish", a.publish},
		{"POST /api/v1/articles/{id}/unpublish", a.unpublish},
		{"POST /api/v1/articles/{id}/schedule", a.schedule},
		{"GET /api/v1/articles/{id}/revisions", a.listRevisions},
		{"GET /api/v1/articles/{id}/revisions/{rev}", a.getRevision},
		{"POST /api/v1/articles/{id}/revisions/{rev}/restore", a.restoreRevision},
		{"POST /api/v1/articles/{id}/corrections", a.correct},
		{"POST /api/v1/media", a.uploadMedia},
		{"GET /api/v1/media/{id}", a.getMedia},
		{"POST /api/v1/ingest", a.ingest},
		{"PUT /api/v1/media/{id}/focal", a.setFocal},
		{"GET /api/v1/services", a.listServices},
		{"GET /api/v1/audit", a.listAudit},
		{"PATCH /api/v1/services/{code}", a.patchService},
		{"PUT /api/v1/services/{code}/logo", a.setLogo},
		{"DELETE /api/v1/services/{code}/logo", a.clearLogo},
		{"PUT /api/v1/services/{code}/breaking", a.setBreaking},
		{"DELETE /api/v1/services/{code}/breaking", a.clearBreaking},
		{"GET /api/v1/services/{code}/notices", a.listNotices},
		{"POST /api/v1/services/{code}/notices", a.saveNotice},
		{"PUT /api/v1/services/{code}/notices/{id}", a.saveNotice},
		{"DELETE /api/v1/services/{code}/notices/{id}", a.deleteNotice},
		{"GET /api/v1/mirrors", a.listMirrors},
		{"POST /api/v1/mirrors", a.createMirror},
		{"PATCH /api/v1/mirrors/{id}", a.patchMirror},
		{"DELETE /api/v1/mirrors/{id}", a.retireMirror},
	}
}

// Routes lists the API's route patterns, for tests that walk them all.
func (a *API) Routes() []string {
	var out []string
	for _, r := range a.routes() {
		out = append(out, r.pattern)
	}
	return out
}

// Register adds the API routes to mux. Every route needs a token, and
// state-changing requests a browser sends from another site are refused
// too (scripts send neither Origin nor Sec-Fetch-Site, so they pass).
func (a *API) Register(mux *http.ServeMux) {
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, a.log, r, kolokol.Errorf(kolokol.EFORBIDDEN, "cross-site requests are refused"))
	}))
	for _, r := range a.routes() {
		mux.Handle(r.pattern, csrf.Handler(a.auth(r.h)))
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, a.log, r, kolokol.Errorf(kolokol.ENOTFOUND, "no API route %s %s", r.Method, r.URL.Path))
	})
}

type handler func(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error

// auth resolves the bearer token to an actor before the handler runs.
func (a *API) auth(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, err := a.authenticate(r.Context(), r.Header.Get("Authorization"))
		if err == nil {
			err = h(w, r, actor)
		}
		if err != nil {
			writeError(w, a.log, r, err)
		}
	})
}

func (a *API) authenticate(ctx context.Context, header string) (kolokol.Actor, error) {
	scheme, secret, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return kolokol.Actor{}, kolokol.Errorf(kolokol.EUNAUTHORIZED, "send an API token as Authorization: Bearer <token>")
	}
	// Looked up on every request, never cached: a revoked or expired
	// token is refused from the next request on.
	t, err := a.desk.AuthenticateToken(ctx, strings.TrimSpace(secret))
	if err != nil {
		return kolokol.Actor{}, err
	}
	return kolokol.ActorOf(t), nil
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, kolokol.Errorf(kolokol.ENOTFOUND, "no article %q", r.PathValue("id"))
	}
	return id, nil
}

func parseTime(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, kolokol.FieldErrorf(kolokol.EINVALID, field, "%s must be an RFC 3339 time such as 2026-01-02T15:04:05Z", field)
	}
	return t, nil
}

// directory is what the handlers read beside the desk: the services, their
// sections and banners, to fill forms and pages.
type directory interface {
	kolokol.Services
	kolokol.Banners
}
