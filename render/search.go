package render

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/i18n"
)

// SearchPath is where a service's search answers ("" code: the whole
// site's, /search). Every page's search form leads there.
func SearchPath(code string) string {
	if code == "" {
		return "/search"
	}
	return "/" + code + "/search"
}

// Marked is a piece of a result's text; Mark is a word the query matched.
type Marked struct {
	Text string
	Mark bool
}

// SearchHit is one story found.
type SearchHit struct {
	ID                int64
	Service, Slug     string
	Headline, Summary []Marked
	Published         time.Time
}

// SearchResult is one page of a search, as the search index answered it.
type SearchResult struct {
	Query string
	Page  int // from 1
	// More is true when a next page exists.
	More bool
	Hits []SearchHit
}

type searchView struct {
	Heading      string
	Query        string
	Items        []searchItem
	Newer, Older string
	PageOf       string
}

type searchItem struct {
	Href              string
	Headline, Summary []Marked
	Time              timeView
	Lang, Dir         string // on the site's search, the story's service's
}

// Search renders a results page: for a service (code), or for the whole
// site (""). It is rendered per request and never cached, so it has no
// Path and no Deps; it tells search engines not to index it.
func (b *Builder) Search(ctx context.Context, code string, r SearchResult, notices ...*kolokol.Notice) (*Page, error) {
	var v *view
	var svc *kolokol.Service
	if code == "" {
		v = b.newView("/", i18n.For("en"))
	} else {
		var err error
		svc, err = b.store.FindServiceByCode(ctx, code)
		if err != nil {
			return nil, fmt.Errorf("render search %s: %w", code, err)
		}
		sections, err := b.store.FindSections(ctx, code)
		if err != nil {
			return nil, fmt.Errorf("render search %s: %w", code, err)
		}
		if v, err = b.serviceView(ctx, notices, homePath(code), svc, sections, ""); err != nil {
			return nil, fmt.Errorf("render search %s: %w", code, err)
		}
	}
	v.Feeds = nil
	c := v.L
	v.Kind, v.NoIndex, v.Query = "search", true, r.Query
	sv := &searchView{Heading: c.T(i18n.SearchResults), Query: r.Query}
	v.Title = c.T(i18n.SearchResults) + " – " + v.Brand
	services := map[string]*kolokol.Service{}
	if svc != nil {
		services[svc.Code] = svc
	}
	for _, h := range r.Hits {
		s := services[h.Service]
		if s == nil {
			var err error
			if s, err = b.store.FindServiceByCode(ctx, h.Service); err != nil {
				return nil, fmt.Errorf("render search: %w", err)
			}
			services[h.Service] = s
		}
		loc := b.location(s)
		f := i18n.For(s.Tag).Formatter().In(loc).WithGregorian(s.ShowGregorian)
		it := searchItem{Href: relPath(v.self, kolokol.ArticlePath(h.Service, h.ID, h.Slug)),
			Headline: h.Headline, Summary: h.Summary, Time: formatTime(f, h.Published, loc)}
		if svc == nil {
			it.Lang, it.Dir = s.Tag, string(s.Direction)
			if it.Dir != string(kolokol.RTL) {
				it.Dir = string(kolokol.LTR)
			}
		}
		sv.Items = append(sv.Items, it)
	}
	page := func(n int) string {
		q := url.Values{"q": {r.Query}}
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
		}
		return "search?" + q.Encode()
	}
	if r.Page > 1 {
		sv.Newer = page(r.Page - 1)
	}
	if r.More {
		sv.Older = page(r.Page + 1)
	}
	if sv.Newer != "" || sv.Older != "" {
		sv.PageOf = c.Formatter().Number(r.Page)
	}
	v.Search = sv
	p, err := b.page(v, nil, time.Time{}, time.Time{})
	if err != nil {
		return nil, err
	}
	p.Path, p.Status = "", http.StatusOK
	return p, nil
}
