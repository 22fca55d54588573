package newsroom

import (
	"net/http"
	"time"

	"github.com/kolokol/kolokol"
)

// dashboard lists a service's stories, filtered by status.
func (n *Newsroom) dashboard(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	all, err := n.store.FindServices(r.Context())
	if err != nil {
		n.log.Error("dashboard", "err", err)
		http.Error(w, "The newsroom is unavailable; try again shortly.", http.StatusInternalServerError)
		return
	}
	actor := u.Actor()
	d := pageData{Title: "Stories", User: u, Statuses: []kolokol.Status{kolokol.StatusDraft, kolokol.StatusScheduled,
		kolokol.StatusPublished, kolokol.StatusUnpublished}}
	for _, s := range all {
		if actor.CanTouch(s.Code) {
			d.Services = append(d.Services, s)
		}
	}
	if len(d.Services) == 0 {
		n.render(w, http.StatusOK, "dashboard", d)
		return
	}
	d.Service = d.Services[0].Code
	if v := r.URL.Query().Get("service"); v != "" && actor.CanTouch(v) {
		d.Service = v
	}
	if v := kolokol.Status(r.URL.Query().Get("status")); v.Valid() {
		d.Status = v
	}
	list, err := n.desk.Articles(r.Context(), actor, kolokol.ArticleFilter{Service: d.Service, Status: d.Status, Limit: 100})
	if err != nil {
		n.log.Error("dashboard", "err", err)
		http.Error(w, "The newsroom is unavailable; try again shortly.", http.StatusInternalServerError)
		return
	}
	for _, a := range list {
		d.Articles = append(d.Articles, articleRow{Headline: a.Headline, URL: a.Path(), Status: a.Status, Live: a.IsLive(),
			Updated: a.UpdatedAt.UTC().Format(time.RFC3339)})
	}
	n.render(w, http.StatusOK, "dashboard", d)
}
