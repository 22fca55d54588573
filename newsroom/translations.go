package newsroom

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
)

// A story's versions in other languages, on its page: the list of them,
// "Translate into…", and "Link a version in another language", found by
// the words of its headline and chosen from a list. Each is a small form of
// its own beside the story form (forms do not nest), so none of them saves
// what is typed in the story form: the page says so.

// versionsView is the story page's section on versions.
type versionsView struct {
	StoryID  int64
	Versions []versionRow // the story's own first
	// Hidden counts the versions in services the account does not work on.
	Hidden int
	// Into are the services the story may be translated into: the
	// account's, without a version yet.
	Into []*kolokol.Service
	// LinkServices are the account's services other than the story's;
	// LinkService and LinkQuery the search typed, Matches what it found.
	LinkServices []*kolokol.Service
	LinkService  string
	LinkQuery    string
	Searched     bool
	Matches      []versionRow
}

// versionRow is one story in the list: a version, or a search's match.
type versionRow struct {
	ID       int64
	Headline string
	Status   kolokol.Status
	Service  *kolokol.Service
	Own      bool // the story whose page this is
	// Linked says that a match is already linked with other versions.
	Linked bool
}

// maxMatches is how many stories a search for a version to link lists.
const maxMatches = 10

// versions fills the section for story a; q is the page's query, which
// carries the search for a version to link.
func (n *Newsroom) versions(ctx context.Context, u *kolokol.User, a *kolokol.Article, q url.Values) (*versionsView, error) {
	all, err := n.store.FindServices(ctx)
	if err != nil {
		return nil, err
	}
	byCode := make(map[string]*kolokol.Service, len(all))
	for _, s := range all {
		byCode[s.Code] = s
	}
	vs, hidden, err := n.desk.Versions(ctx, u.Actor(), a.ID)
	if err != nil {
		return nil, err
	}
	v := &versionsView{StoryID: a.ID, Hidden: hidden}
	have := map[string]bool{}
	for _, o := range vs {
		have[o.Service] = true
		v.Versions = append(v.Versions, versionRow{ID: o.ID, Headline: o.Headline, Status: o.Status, Service: byCode[o.Service], Own: o.ID == a.ID})
	}
	for _, s := range desk.WorksOn(u, all) {
		if s.Code == a.Service {
			continue
		}
		v.LinkServices = append(v.LinkServices, s)
		if !have[s.Code] {
			v.Into = append(v.Into, s)
		}
	}
	v.LinkService, v.LinkQuery = q.Get("link_service"), strings.TrimSpace(q.Get("link_q"))
	if v.LinkService == "" || !slices.ContainsFunc(v.LinkServices, func(s *kolokol.Service) bool { return s.Code == v.LinkService }) {
		if v.LinkService = ""; len(v.Into) > 0 {
			v.LinkService = v.Into[0].Code
		}
		return v, nil
	}
	if v.LinkQuery == "" {
		return v, nil
	}
	v.Searched = true
	found, err := n.findVersions(ctx, u, v.LinkService, v.LinkQuery)
	if err != nil {
		return nil, err
	}
	for _, o := range found {
		if o.ID == a.ID || (a.TranslationGroup != "" && o.TranslationGroup == a.TranslationGroup) {
			continue
		}
		v.Matches = append(v.Matches, versionRow{ID: o.ID, Headline: o.Headline, Status: o.Status,
			Service: byCode[o.Service], Linked: o.TranslationGroup != ""})
	}
	return v, nil
}

// findVersions is the dashboard's search, in one service: the search
// index when there is one, else the headlines in the store.
func (n *Newsroom) findVersions(ctx context.Context, u *kolokol.User, service, words string) ([]*kolokol.Article, error) {
	f := kolokol.ArticleFilter{Service: service, Limit: maxMatches, WithoutBody: true, Order: kolokol.OrderChanged}
	if n.opts.Search != nil {
		found, _, err := n.search(ctx, u, f, StorySearch{Services: []string{service}, Text: words, Limit: maxMatches})
		return found, err
	}
	f.Query = words
	return n.desk.Articles(ctx, u.Actor(), f)
}

// versionsURL is the story page at its versions section.
func versionsURL(id int64) string { return storyURL(id) + "#versions" }

// translateStory makes a draft in the chosen service from the story and
// opens it.
func (n *Newsroom) translateStory(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	a, ok := n.article(w, r, u)
	if !ok {
		return
	}
	t, err := n.desk.Translate(r.Context(), u.Actor(), a.ID, r.PostFormValue("service"))
	if err != nil {
		n.versionsError(w, r, u, a, "translate_service", err)
		return
	}
	http.Redirect(w, r, storyURL(t.ID)+"?saved=1", http.StatusSeeOther)
}

// linkStory links the story with the version chosen from the search.
func (n *Newsroom) linkStory(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	a, ok := n.article(w, r, u)
	if !ok {
		return
	}
	other, err := strconv.ParseInt(r.PostFormValue("other"), 10, 64)
	if err != nil || other <= 0 {
		n.versionsError(w, r, u, a, "link_other", kolokol.Errorf(kolokol.EINVALID, "choose a story to link from the list"))
		return
	}
	if err := n.desk.Link(r.Context(), u.Actor(), a.ID, other); err != nil {
		n.versionsError(w, r, u, a, "link_other", err)
		return
	}
	http.Redirect(w, r, versionsURL(a.ID), http.StatusSeeOther)
}

// unlinkStory takes a version (this story or another of the list) out of
// the group.
func (n *Newsroom) unlinkStory(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	a, ok := n.article(w, r, u)
	if !ok {
		return
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil || version <= 0 {
		n.versionsError(w, r, u, a, "unlink", kolokol.Errorf(kolokol.EINVALID, "choose a version to unlink from the list"))
		return
	}
	if err := n.desk.Unlink(r.Context(), u.Actor(), version); err != nil {
		n.versionsError(w, r, u, a, "unlink", err)
		return
	}
	http.Redirect(w, r, versionsURL(a.ID), http.StatusSeeOther)
}

// versionsError shows the story page again with err beside the control of
// the versions section it concerns (field), the story form as stored.
func (n *Newsroom) versionsError(w http.ResponseWriter, r *http.Request, u *kolokol.User, a *kolokol.Article, field string, err error) {
	if c := kolokol.ErrorCode(err); c == kolokol.EINVALID || c == kolokol.ECONFLICT {
		err = kolokol.FieldErrorf(c, field, "%s", kolokol.ErrorMessage(err))
	}
	if cur, ferr := n.desk.Article(r.Context(), u.Actor(), a.ID); ferr == nil {
		a = cur
	}
	n.storyError(w, r, u, formOf(a), a, err)
}
