package newsroom

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/httperr"
)

// lockView tells the editor page that a colleague holds the story: the
// form is then read-only, with a button to take the story over.
type lockView struct {
	Who      string // the colleague, by name (email when they have none)
	Since    string // when they took it, in the story's zone
	TookOver bool   // they took it over from this account
	// Kept: this account's save was refused and kept as its working copy.
	Kept bool
}

// storyTime is the newsroom's way of writing a time on a story's pages: in
// the service's zone, with the zone's name.
func storyTime(t time.Time, loc *time.Location) string {
	return desk.ShowTime(t, loc)
}

func viewOf(e *desk.Editing, loc *time.Location) *lockView {
	if e == nil || e.Holder == nil {
		return nil
	}
	return &lockView{Who: kolokol.Who(e.Holder), Since: storyTime(e.Lock.Since, loc), TookOver: e.TookOver}
}

// keepRefused answers a save refused because a colleague holds the story:
// what was sent is kept as the account's working copy (neither applied
// over the colleague's work nor dropped), and the editor shows it, naming
// the colleague, with the offer to take over.
func (n *Newsroom) keepRefused(w http.ResponseWriter, r *http.Request, u *kolokol.User, a *kolokol.Article, f storyForm, held *desk.Locked) {
	c := &kolokol.Autosave{ArticleID: a.ID, Service: a.Service, Version: f.Version, Fields: map[string]string{}}
	for _, name := range copyFields {
		if r.PostForm.Has(name) {
			c.Fields[name] = r.PostFormValue(name)
		}
	}
	if err := n.desk.Autosave(r.Context(), u.Actor(), u.ID, c); err != nil {
		n.storyError(w, r, u, f, a, err)
		return
	}
	n.showStoryHeld(w, r, u, http.StatusConflict, f, a, held.Editing, true)
}

// takeOver gives the signed-in account a story a colleague is editing.
func (n *Newsroom) takeOver(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	a, ok := n.article(w, r, u)
	if !ok {
		return
	}
	if _, err := n.desk.TakeOver(r.Context(), u, a); err != nil {
		n.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, storyURL(a.ID), http.StatusSeeOther)
}

// beatAnswer is the heartbeat's answer to the editor's script; it writes
// the sentences, so that the script stays small.
type beatAnswer struct {
	Mine   bool   `json:"mine"`
	Lock   string `json:"lock,omitempty"`   // who holds the story, when another does
	Others string `json:"others,omitempty"` // who else has it open
	Every  int    `json:"every"`            // seconds to the next heartbeat
	Error  string `json:"error,omitempty"`
}

// heartbeat answers the editor's script: the page is still open
// (holding=1: with an editable form, whose lock it keeps) and who else is
// in the story.
func (n *Newsroom) heartbeat(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, beatAnswer{Error: "the heartbeat could not be read"})
		return
	}
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeJSON(w, http.StatusNotFound, beatAnswer{Error: "there is no such story"})
		return
	}
	a, err := n.desk.Article(ctx, u.Actor(), id)
	var e *desk.Editing
	if err == nil {
		e, err = n.desk.Heartbeat(ctx, u, a, r.PostFormValue("holding") == "1")
	}
	var svc *kolokol.Service
	if err == nil {
		svc, err = n.store.FindServiceByCode(ctx, a.Service)
	}
	if err != nil {
		code, msg := kolokol.ErrorCode(err), kolokol.ErrorMessage(err)
		if code == kolokol.EINTERNAL {
			n.log.Error("heartbeat", "err", err)
			msg = "something went wrong on our side"
		}
		writeJSON(w, httperr.Status(code), beatAnswer{Error: msg})
		return
	}
	ans := beatAnswer{Mine: e.Mine, Every: int(desk.HeartbeatEvery / time.Second)}
	if v := viewOf(e, svc.Location()); v != nil {
		if v.TookOver {
			ans.Lock = v.Who + " took over this story at " + v.Since + "."
		} else {
			ans.Lock = v.Who + " is editing this story since " + v.Since + "."
		}
	}
	if len(e.Others) > 0 {
		names := make([]string, len(e.Others))
		for i, o := range e.Others {
			names[i] = kolokol.Who(o)
		}
		ans.Others = "Also open by: " + strings.Join(names, ", ") + "."
	}
	writeJSON(w, http.StatusOK, ans)
}
