package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/newsroom"
	"github.com/kolokol/kolokol/render"
	"github.com/kolokol/kolokol/search"
	"github.com/kolokol/kolokol/site"
)

// searchPerPage is how many results a reader's results page lists.
const searchPerPage = 10

// readerSearch is the reader site's search over the index: live stories
// only, matched words marked. site and render know nothing of the index,
// search nothing of pages: this is where they meet.
func readerSearch(ix *search.Index) site.Searcher {
	return func(ctx context.Context, service, query string, page int) (render.SearchResult, error) {
		var out render.SearchResult
		if strings.TrimSpace(query) == "" {
			return out, nil // nothing asked, nothing found
		}
		var services []string
		if service != "" {
			services = []string{service}
		}
		r, err := ix.Search(ctx, search.Query{Text: query, Services: services, Status: kolokol.StatusPublished,
			Offset: (page - 1) * searchPerPage, Limit: searchPerPage + 1})
		if err != nil {
			return out, fmt.Errorf("reader search: %w", err)
		}
		hits := r.Hits
		if len(hits) > searchPerPage {
			hits, out.More = hits[:searchPerPage], true
		}
		for _, h := range hits {
			m := r.Terms[h.Service]
			out.Hits = append(out.Hits, render.SearchHit{ID: h.ID, Service: h.Service, Slug: h.Slug,
				Headline: marked(m.Marks(h.Headline)), Summary: marked(m.Marks(h.Summary)), Published: h.Date})
		}
		return out, nil
	}
}

func marked(runs []search.Run) []render.Marked {
	out := make([]render.Marked, len(runs))
	for i, r := range runs {
		out[i] = render.Marked{Text: r.Text, Mark: r.Mark}
	}
	return out
}

// newsroomSearch is the dashboard's search over the index: every status,
// any page (signed-in editors page through everything).
func newsroomSearch(ix *search.Index) func(context.Context, newsroom.StorySearch) (newsroom.StoryHits, error) {
	return func(ctx context.Context, q newsroom.StorySearch) (newsroom.StoryHits, error) {
		if len(q.Services) == 0 {
			return newsroom.StoryHits{}, nil // the index's "none" is all: never the newsroom's
		}
		if q.Sort == "" {
			q.Sort = search.SortChanged // the dashboard's order, words or not
		}
		r, err := ix.Search(ctx, search.Query{Text: q.Text, Services: q.Services, Status: kolokol.Status(q.Status),
			Section: q.Section, Author: q.Author, Tag: q.Tag, Submitted: q.Submitted, From: q.From, To: q.To,
			Sort: q.Sort, Offset: q.Offset, Limit: q.Limit, Deep: true})
		if err != nil {
			return newsroom.StoryHits{}, fmt.Errorf("newsroom search: %w", err)
		}
		out := newsroom.StoryHits{IDs: make([]int64, len(r.Hits)), Total: int(r.Total)}
		for i, h := range r.Hits {
			out.IDs[i] = h.ID
		}
		return out, nil
	}
}
