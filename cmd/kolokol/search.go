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

// newsroomSearch is the dashboard's search over the index: every status.
func newsroomSearch(ix *search.Index) func(context.Context, newsroom.StorySearch) ([]int64, error) {
	return func(ctx context.Context, q newsroom.StorySearch) ([]int64, error) {
		r, err := ix.Search(ctx, search.Query{Text: q.Text, Services: []string{q.Service}, Status: kolokol.Status(q.Status),
			Section: q.Section, From: q.From, To: q.To, Limit: q.Limit})
		if err != nil {
			return nil, fmt.Errorf("newsroom search: %w", err)
		}
		ids := make([]int64, len(r.Hits))
		for i, h := range r.Hits {
			ids[i] = h.ID
		}
		return ids, nil
	}
}
