package newsroom

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
)

// dashboardPage is how many stories one page of the dashboard lists.
const dashboardPage = 50

// submitted is the dashboard's name for drafts handed in for review.
const submitted = desk.Submitted

// findPage is the dashboard's search: its filters, where this page is in
// the whole list, and the account's saved searches.
type findPage struct {
	F    desk.Find
	All  bool   // every service the account works on
	Home string // the service the dashboard opens on
	// Total is how many stories match; First and Last number this page's.
	Total, First, Last int
	Prev, Next         string // addresses of the pages around, or ""
	Query              string // the filters, to save
	Saved              []savedLink
}

type savedLink struct {
	ID         int64
	Name, Href string
}

// search is the dashboard's list when it has words or dates: the index
// finds a page of ids and the total, the store (through the desk, which
// checks the account may see the services) the stories, in the index's
// order.
func (n *Newsroom) search(ctx context.Context, u *kolokol.User, f kolokol.ArticleFilter, q StorySearch) ([]*kolokol.Article, int, error) {
	hits, err := n.opts.Search(ctx, q)
	if err != nil || len(hits.IDs) == 0 {
		return nil, hits.Total, err
	}
	f.Query, f.Author, f.Tag, f.Section, f.Status, f.Submitted = "", "", "", "", "", false
	f.IDs, f.Limit, f.Offset = hits.IDs, len(hits.IDs), 0
	found, err := n.desk.Articles(ctx, u.Actor(), f)
	if err != nil {
		return nil, 0, err
	}
	byID := make(map[int64]*kolokol.Article, len(found))
	for _, a := range found {
		byID[a.ID] = a
	}
	list := make([]*kolokol.Article, 0, len(found))
	for _, id := range hits.IDs {
		if a := byID[id]; a != nil {
			list = append(list, a)
		}
	}
	return list, hits.Total, nil
}

func (n *Newsroom) dashboard(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	ctx := r.Context()
	d := pageData{Title: "Stories", User: u, Statuses: []string{string(kolokol.StatusDraft), submitted,
		string(kolokol.StatusScheduled), string(kolokol.StatusPublished), string(kolokol.StatusUnpublished)}}
	all, err := n.store.FindServices(ctx)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	d.Services = desk.WorksOn(u, all)
	if len(d.Services) == 0 {
		n.render(w, http.StatusOK, "dashboard", d)
		return
	}
	if d.Review, err = n.reviewQueues(r, u, d.Services); err != nil {
		n.fail(w, r, u, err)
		return
	}
	fnd := desk.ParseFind(r.URL.Query())
	fp := &findPage{}
	if fp.Home, err = n.desk.HomeDesk(ctx, u, d.Services); err != nil {
		n.fail(w, r, u, err)
		return
	}
	af := kolokol.ArticleFilter{WithoutBody: true}
	var codes []string
	services := map[string]*kolokol.Service{}
	for _, s := range d.Services {
		codes = append(codes, s.Code)
		services[s.Code] = s
	}
	if fnd.Service == desk.AllDesks {
		fp.All, d.Service, af.Services = true, desk.AllDesks, codes
	} else {
		d.Current = services[fnd.Service]
		if d.Current == nil {
			d.Current = services[fp.Home]
		}
		d.Service, af.Service, codes = d.Current.Code, d.Current.Code, []string{d.Current.Code}
		if d.Sections, err = n.store.FindSections(ctx, d.Service); err != nil {
			n.fail(w, r, u, err)
			return
		}
	}
	fnd.Service = d.Service
	switch {
	case fnd.Status == submitted:
		af.Status, af.Submitted = kolokol.StatusDraft, true
	case fnd.Status != "":
		af.Status = kolokol.Status(fnd.Status)
	}
	if !fp.All {
		for _, s := range d.Sections {
			if s.Slug == fnd.Section {
				af.Section = s.Slug
			}
		}
	}
	fnd.Section = af.Section
	af.Author, af.Query, af.Tag = fnd.Author, fnd.Text, fnd.Tag
	d.Status, d.Section, d.Author, d.Query, d.From, d.To = fnd.Status, fnd.Section, fnd.Author, fnd.Text, fnd.From, fnd.To
	from, to := fnd.Dates(n.opts.Now())
	page := max(fnd.Page, 1)
	offset := (page - 1) * dashboardPage
	var list []*kolokol.Article
	if n.opts.Search != nil && (fnd.Text != "" || !from.IsZero() || !to.IsZero()) {
		list, fp.Total, err = n.search(ctx, u, af, StorySearch{Services: codes, Status: string(af.Status), Submitted: af.Submitted,
			Section: af.Section, Author: fnd.Author, Tag: fnd.Tag, Text: fnd.Text, From: from, To: to, Sort: fnd.Sort,
			Offset: offset, Limit: dashboardPage})
	} else {
		if fnd.Sort == desk.SortRelevance {
			fnd.Sort = "" // no words, no relevance
		}
		switch fnd.Sort {
		case desk.SortPublished:
			af.ByPublished = true
		case desk.SortOldest:
			af.Order = kolokol.OrderOldest
		default:
			af.Order = kolokol.OrderChanged
		}
		if fp.Total, err = n.desk.CountArticles(ctx, u.Actor(), af); err == nil && offset < fp.Total {
			af.Offset, af.Limit = offset, dashboardPage
			list, err = n.desk.Articles(ctx, u.Actor(), af)
		}
	}
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	fp.F = fnd
	v := fnd.Values()
	fp.Query = v.Encode()
	link := func(p int) string {
		q := url.Values{}
		for k, vs := range v {
			q[k] = vs
		}
		if p > 1 {
			q.Set("page", strconv.Itoa(p))
		}
		return "/newsroom/?" + q.Encode()
	}
	if len(list) > 0 {
		fp.First, fp.Last = offset+1, offset+len(list)
	}
	if page > 1 {
		fp.Prev = link(min(page-1, max(1, (fp.Total+dashboardPage-1)/dashboardPage)))
	}
	if offset+dashboardPage < fp.Total {
		fp.Next = link(page + 1)
	}
	for _, a := range list {
		author := a.CreatedBy
		if len(a.Bylines) > 0 {
			author = strings.Join(a.Bylines, ", ")
		}
		row := articleRow{ID: a.ID, Headline: a.Headline, URL: a.Path(), Status: a.Status, Live: a.IsLive(),
			Submitted: a.Status == kolokol.StatusDraft && !a.SubmittedAt.IsZero(), Author: author,
			Updated: a.UpdatedAt, Lang: "und", Dir: "auto", Desk: a.Service}
		if s := services[a.Service]; s != nil {
			row.Lang, row.Dir, row.Desk = s.Tag, string(s.Direction), s.EnglishName
		}
		d.Articles = append(d.Articles, row)
	}
	saved, err := n.desk.SavedSearches(ctx, u)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	for _, s := range saved {
		fp.Saved = append(fp.Saved, savedLink{ID: s.ID, Name: s.Name, Href: "/newsroom/?" + s.Query})
	}
	d.Find = fp
	if d.Current != nil {
		if b, err := n.store.FindBreaking(ctx, d.Service); err == nil {
			d.Breaking = b
		} else if !kolokol.IsNotFound(err) {
			n.fail(w, r, u, err)
			return
		}
	}
	n.render(w, http.StatusOK, "dashboard", d)
}

// saveSearch keeps the dashboard's filters under a name, then opens it.
func (n *Newsroom) saveSearch(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if !n.parseForm(w, r, u) {
		return
	}
	ss, err := n.desk.SaveSearch(r.Context(), u, r.PostFormValue("name"), r.PostFormValue("query"))
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/newsroom/?"+ss.Query, http.StatusSeeOther)
}

// deleteSearch removes one of the account's saved searches.
func (n *Newsroom) deleteSearch(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if !n.parseForm(w, r, u) {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		n.fail(w, r, u, kolokol.Errorf(kolokol.ENOTFOUND, "there is no such saved search"))
		return
	}
	if err := n.desk.DeleteSavedSearch(r.Context(), u, id); err != nil {
		n.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/newsroom/", http.StatusSeeOther)
}

// setHomeDesk chooses the service the account's dashboard opens on.
func (n *Newsroom) setHomeDesk(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if !n.parseForm(w, r, u) {
		return
	}
	if err := n.desk.SetHomeDesk(r.Context(), u, r.PostFormValue("home_desk")); err != nil {
		n.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/newsroom/account?saved=1", http.StatusSeeOther)
}
