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
	store   kolokol.Store
	desk    *desk.Desk
	log     *slog.Logger
	baseURL string
}

// New returns the Admin API. baseURL is the public origin for reader links.
func New(store kolokol.Store, d *desk.Desk, log *slog.Logger, baseURL string) *API {
	return &API{store: store, desk: d, log: log, baseURL: strings.TrimRight(baseURL, "/")}
}

// Register adds the API routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/articles", a.auth(a.createArticle))
	mux.Handle("GET /api/v1/articles", a.auth(a.listArticles))
	mux.Handle("GET /api/v1/articles/{id}", a.auth(a.getArticle))
	mux.Handle("PATCH /api/v1/articles/{id}", a.auth(a.patchArticle))
	mux.Handle("POST /api/v1/articles/{id}/publish", a.auth(a.publish))
	mux.Handle("POST /api/v1/articles/{id}/unpublish", a.auth(a.unpublish))
	mux.Handle("POST /api/v1/articles/{id}/schedule", a.auth(a.schedule))
	mux.Handle("GET /api/v1/articles/{id}/revisions", a.auth(a.listRevisions))
	mux.Handle("GET /api/v1/articles/{id}/revisions/{rev}", a.auth(a.getRevision))
	mux.Handle("POST /api/v1/articles/{id}/revisions/{rev}/restore", a.auth(a.restoreRevision))
	mux.Handle("POST /api/v1/articles/{id}/corrections", a.auth(a.correct))
	mux.Handle("POST /api/v1/media", a.auth(a.uploadMedia))
	mux.Handle("GET /api/v1/media/{id}", a.auth(a.getMedia))
	mux.Handle("PUT /api/v1/media/{id}/focal", a.auth(a.setFocal))
	mux.Handle("GET /api/v1/services", a.auth(a.listServices))
	mux.Handle("GET /api/v1/audit", a.auth(a.listAudit))
	mux.Handle("PATCH /api/v1/services/{code}", a.auth(a.patchService))
	mux.Handle("PUT /api/v1/services/{code}/breaking", a.auth(a.setBreaking))
	mux.Handle("DELETE /api/v1/services/{code}/breaking", a.auth(a.clearBreaking))
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
	t, err := a.store.FindTokenByHash(ctx, kolokol.HashToken(strings.TrimSpace(secret)))
	if kolokol.IsNotFound(err) {
		return kolokol.Actor{}, kolokol.Errorf(kolokol.EUNAUTHORIZED, "the API token is not valid")
	} else if err != nil {
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
