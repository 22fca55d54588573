package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/kolokol/kolokol"
)

type noticeJSON struct {
	ID        int64     `json:"id"`
	Service   string    `json:"service"`
	Text      string    `json:"text"`
	Link      string    `json:"link,omitempty"`
	Countries []string  `json:"countries"`
	Default   bool      `json:"default"`
	Mirrors   bool      `json:"mirrors"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

type noticeRequest struct {
	Text      string   `json:"text"`
	Link      string   `json:"link"`
	Countries []string `json:"countries"`
	Default   bool     `json:"default"`
	Mirrors   bool     `json:"mirrors"`
}

func toNoticeJSON(n *kolokol.Notice) noticeJSON {
	c := n.Countries
	if c == nil {
		c = []string{}
	}
	return noticeJSON{ID: n.ID, Service: n.Service, Text: n.Text, Link: n.Link, Countries: c, Default: n.Default,
		Mirrors: n.Mirrors, CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt}
}

func (a *API) listNotices(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	list, err := a.desk.Notices(r.Context(), actor, r.PathValue("code"))
	if err != nil {
		return err
	}
	out := struct {
		Notices []noticeJSON `json:"notices"`
	}{Notices: []noticeJSON{}}
	for _, n := range list {
		out.Notices = append(out.Notices, toNoticeJSON(n))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// saveNotice creates a notice (POST …/notices) or replaces one
// (PUT …/notices/{id}).
func (a *API) saveNotice(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	var req noticeRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	n := &kolokol.Notice{Service: r.PathValue("code"), Text: req.Text, Link: req.Link, Countries: req.Countries,
		Default: req.Default, Mirrors: req.Mirrors}
	status := http.StatusCreated
	if s := r.PathValue("id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return kolokol.Errorf(kolokol.ENOTFOUND, "notice %q not found", s)
		}
		n.ID, status = id, http.StatusOK
	}
	if err := a.desk.SaveNotice(r.Context(), actor, n); err != nil {
		return err
	}
	writeJSON(w, status, toNoticeJSON(n))
	return nil
}

func (a *API) deleteNotice(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return kolokol.Errorf(kolokol.ENOTFOUND, "notice %q not found", r.PathValue("id"))
	}
	if err := a.desk.DeleteNotice(r.Context(), actor, r.PathValue("code"), id); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}
