package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/kolokol/kolokol"
)

type auditJSON struct {
	ID        int64     `json:"id"`
	Time      time.Time `json:"time"`
	Actor     string    `json:"actor"`
	Action    string    `json:"action"`
	Service   string    `json:"service,omitempty"`
	ArticleID int64     `json:"article_id,omitempty"`
	Target    string    `json:"target,omitempty"`
	Detail    string    `json:"detail,omitempty"`
}

// listAudit serves GET /audit?actor=&action=&service=&article=&limit=&cursor=.
func (a *API) listAudit(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	q := r.URL.Query()
	f := kolokol.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), Service: q.Get("service"), Limit: 100}
	for name, dst := range map[string]*int64{"article": &f.ArticleID, "cursor": &f.Before} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return kolokol.FieldErrorf(kolokol.EINVALID, name, "%s must be a positive number", name)
			}
			*dst = n
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return kolokol.FieldErrorf(kolokol.EINVALID, "limit", "limit must be a number from 1 to 500")
		}
		f.Limit = n
	}
	entries, err := a.desk.Audit(r.Context(), actor, f)
	if err != nil {
		return err
	}
	out := struct {
		Entries    []auditJSON `json:"entries"`
		NextCursor string      `json:"next_cursor,omitempty"`
	}{Entries: []auditJSON{}}
	for _, e := range entries {
		out.Entries = append(out.Entries, auditJSON{e.ID, e.Time, e.Actor, e.Action, e.Service, e.ArticleID, e.Target, e.Detail})
	}
	if len(entries) == f.Limit {
		out.NextCursor = strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
