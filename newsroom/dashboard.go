package newsroom

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
)

// dashboardPage is how many stories the dashboard lists at once; the
// filters find the rest.
const dashboardPage = 100

// submitted is the dashboard's name for drafts handed in for review.
const submitted = "submitted"

// dashboard lists a service's stories, filtered by status, section, author
// and headline, with the service's breaking-news banner at hand.
// search is the dashboard's list when it has words or dates: the index
// finds the ids, the store (through the desk, which checks the user may
// see the service) the stories, filtered again by what the index does
// not hold (who wrote it, whether a draft was handed in).
func (n *Newsroom) search(ctx context.Context, u *kolokol.User, f kolokol.ArticleFilter, q StorySearch) ([]*kolokol.Article, error) {
	ids, err := n.opts.Search(ctx, q)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	f.Query, f.IDs, f.Limit = "", ids, len(ids)
	found, err := n.desk.Articles(ctx, u.Actor(), f)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*kolokol.Article, len(found))
	for _, a := range found {
		byID[a.ID] = a
	}
	list := make([]*kolokol.Article, 0, min(len(found), dashboardPage+1))
	for _, id := range ids {
		if a := byID[id]; a != nil && len(list) <= dashboardPage {
			list = append(list, a)
		}
	}
	return list, nil
}

// parseDay reads a date input's value; "" is the zero time.
func parseDay(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.DateOnly, s)
}

func (n *Newsroom) dashboard(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	ctx := r.Context()
	d := pageData{Title: "Stories", User: u, Statuses: []string{string(kolokol.StatusDraft), submitted,
		string(kolokol.StatusScheduled), string(kolokol.StatusPublished), string(kolokol.StatusUnpublished)}}
	var err error
	if d.Services, err = n.myServices(r, u); err != nil {
		n.fail(w, r, u, err)
		return
	}
	if len(d.Services) == 0 {
		n.render(w, http.StatusOK, "dashboard", d)
		return
	}
	if d.Review, err = n.reviewQueues(r, u, d.Services); err != nil {
		n.fail(w, r, u, err)
		return
	}
	q := r.URL.Query()
	d.Current = d.Services[0]
	for _, s := range d.Services {
		if s.Code == q.Get("service") {
			d.Current = s
		}
	}
	d.Service = d.Current.Code
	f := kolokol.ArticleFilter{Service: d.Service, Limit: dashboardPage + 1}
	switch v := q.Get("status"); {
	case v == submitted:
		d.Status, f.Status, f.Submitted = v, kolokol.StatusDraft, true
	case kolokol.Status(v).Valid():
		d.Status, f.Status = v, kolokol.Status(v)
	}
	d.Author, d.Query = strings.TrimSpace(q.Get("author")), strings.TrimSpace(q.Get("q"))
	f.Author, f.Query = d.Author, d.Query
	if d.Sections, err = n.store.FindSections(ctx, d.Service); err != nil {
		n.fail(w, r, u, err)
		return
	}
	for _, s := range d.Sections {
		if s.Slug == q.Get("section") {
			d.Section, f.Section = s.Slug, s.Slug
		}
	}
	from, errFrom := parseDay(q.Get("from"))
	to, errTo := parseDay(q.Get("to"))
	if errFrom == nil && !from.IsZero() {
		d.From = q.Get("from")
	}
	if errTo == nil && !to.IsZero() {
		d.To = q.Get("to")
		to = to.AddDate(0, 0, 1) // the whole last day
	}
	var list []*kolokol.Article
	if n.opts.Search != nil && (d.Query != "" || d.From != "" || d.To != "") {
		list, err = n.search(ctx, u, f, StorySearch{Service: d.Service, Status: string(f.Status), Section: f.Section,
			Text: d.Query, From: from, To: to, Limit: kolokol.MaxArticleLimit})
	} else {
		list, err = n.desk.Articles(ctx, u.Actor(), f)
	}
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	if len(list) > dashboardPage {
		list, d.More = list[:dashboardPage], true
	}
	for _, a := range list {
		author := a.CreatedBy
		if len(a.Bylines) > 0 {
			author = strings.Join(a.Bylines, ", ")
		}
		d.Articles = append(d.Articles, articleRow{ID: a.ID, Headline: a.Headline, URL: a.Path(), Status: a.Status,
			Live: a.IsLive(), Submitted: a.Status == kolokol.StatusDraft && !a.SubmittedAt.IsZero(), Author: author,
			Updated: a.UpdatedAt.UTC().Format(time.RFC3339)})
	}
	if b, err := n.store.FindBreaking(ctx, d.Service); err == nil {
		d.Breaking = b
	} else if !kolokol.IsNotFound(err) {
		n.fail(w, r, u, err)
		return
	}
	n.render(w, http.StatusOK, "dashboard", d)
}
