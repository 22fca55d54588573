package newsroom

import (
	"net/http"
	"strconv"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
)

// wirePage is a service's wire queue, with the editor's filters.
type wirePage struct {
	Service  *kolokol.Service
	Services []*kolokol.Service
	Items    []*kolokol.WireItem
	Filter   kolokol.WireFilter
	Hours    string // the "received in the last N hours" filter, as typed
	Status   string
	Now      time.Time
	Older    string // link to the next page
	Item     *kolokol.WireItem
}

// wireQueue lists the agency copy waiting in a service's queue.
func (n *Newsroom) wireQueue(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	services, err := n.myServices(r, u)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	if len(services) == 0 {
		n.fail(w, r, u, kolokol.Errorf(kolokol.EFORBIDDEN, "your account works on no service"))
		return
	}
	q := r.URL.Query()
	p := &wirePage{Services: services, Service: services[0], Now: time.Now(), Hours: q.Get("hours"), Status: q.Get("status")}
	for _, s := range services {
		if s.Code == q.Get("service") {
			p.Service = s
		}
	}
	f := kolokol.WireFilter{Service: p.Service.Code, Provider: q.Get("provider"), Language: q.Get("language"), Limit: 50}
	switch p.Status {
	case "", "new", "used", "dismissed":
		f.Status = kolokol.WireStatus(p.Status)
	default:
		n.fail(w, r, u, kolokol.FieldErrorf(kolokol.EINVALID, "status", "show new, used or dismissed items, not %q", p.Status))
		return
	}
	if s := q.Get("urgency"); s != "" {
		if f.MaxUrgency, err = strconv.Atoi(s); err != nil || f.MaxUrgency < 0 || f.MaxUrgency > 9 {
			n.fail(w, r, u, kolokol.FieldErrorf(kolokol.EINVALID, "urgency", "urgency is a number from 1 to 9, not %q", s))
			return
		}
	}
	if p.Hours != "" {
		h, err := strconv.Atoi(p.Hours)
		if err != nil || h < 1 || h > 24*90 {
			n.fail(w, r, u, kolokol.FieldErrorf(kolokol.EINVALID, "hours", "received in the last 1 to 2160 hours, not %q", p.Hours))
			return
		}
		f.Since = p.Now.Add(-time.Duration(h) * time.Hour)
	}
	if s := q.Get("before"); s != "" {
		if f.Before, err = strconv.ParseInt(s, 10, 64); err != nil || f.Before < 0 {
			n.fail(w, r, u, kolokol.FieldErrorf(kolokol.EINVALID, "before", "before is an item number, not %q", s))
			return
		}
	}
	p.Filter = f
	if p.Items, err = n.desk.WireQueue(r.Context(), u.Actor(), f); err != nil {
		n.fail(w, r, u, err)
		return
	}
	if len(p.Items) == f.Limit {
		next := r.URL.Query()
		next.Set("before", strconv.FormatInt(p.Items[len(p.Items)-1].ID, 10))
		p.Older = "/newsroom/wire?" + next.Encode()
	}
	n.render(w, http.StatusOK, "wire", pageData{Title: "Wire: " + p.Service.EnglishName, User: u, Wire: p})
}

// wireItem shows one item whole, with what can be done with it.
func (n *Newsroom) wireItem(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	id, ok := n.pathID(w, r, u, "wire item")
	if !ok {
		return
	}
	it, err := n.desk.WireItem(r.Context(), u.Actor(), id)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	svc, err := n.store.FindServiceByCode(r.Context(), it.Service)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	n.render(w, http.StatusOK, "wireitem", pageData{Title: "Wire: " + it.Headline, User: u, Wire: &wirePage{Service: svc, Item: it, Now: time.Now()}})
}

// openWire makes an item a draft and opens it in the editor.
func (n *Newsroom) openWire(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	id, ok := n.pathID(w, r, u, "wire item")
	if !ok {
		return
	}
	a, err := n.desk.OpenWireItem(r.Context(), u.Actor(), id)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/newsroom/stories/"+strconv.FormatInt(a.ID, 10), http.StatusSeeOther)
}

// dismissWire sets an item aside and goes back to the queue.
func (n *Newsroom) dismissWire(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	id, ok := n.pathID(w, r, u, "wire item")
	if !ok {
		return
	}
	it, err := n.desk.WireItem(r.Context(), u.Actor(), id)
	if err == nil {
		err = n.desk.DismissWireItem(r.Context(), u.Actor(), id)
	}
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/newsroom/wire?service="+it.Service, http.StatusSeeOther)
}

// wireSource is what the story page says of the agency copy a story was
// opened from: the item, and the difference a newer version makes.
type wireSource struct {
	Item   *kolokol.WireItem
	Update []desk.FieldDiff
}
