package site

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/render"
)

// Searcher answers a reader's search: one page (from 1) of the stories of
// a service ("" for every service) that match query. It bounds the query's
// length, words and depth itself.
type Searcher func(ctx context.Context, service, query string, page int) (render.SearchResult, error)

// MaxSearchPage is the deepest results page a reader can ask for; deeper
// asks get the last one's emptiness, not an error.
const MaxSearchPage = 50

var (
	searchCacheControlV = []string{"private, no-store"}
	noIndexV            = []string{"noindex"}
)

// searchPath reports whether path is /search (code "") or
// /{service}/search.
func searchPath(path string) (code string, ok bool) {
	if path == "/search" {
		return "", true
	}
	rest, ok := strings.CutPrefix(path, "/")
	if !ok {
		return "", false
	}
	code, tail, ok := strings.Cut(rest, "/")
	if !ok || tail != "search" || code == "" || len(code) > 16 {
		return "", false
	}
	return code, true
}

// search serves /search and /{service}/search. A results page is rendered
// for the request and never kept: not in the page cache, not by a CDN or a
// browser (private, no-store), not by search engines (noindex). The query
// is not logged, stored or counted: errors are logged without it, and the
// metrics and access log see the route alone.
// It reports false, having written nothing, when there is no such service.
func (s *Site) search(w http.ResponseWriter, r *http.Request, code string) bool {
	q := r.URL.Query()
	query := q.Get("q")
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	var res render.SearchResult
	if page <= MaxSearchPage {
		res, err = s.opts.Search(r.Context(), code, query, page)
		if err != nil {
			// A reader sees "nothing found", never an error page; the
			// log says what failed, never what was asked.
			s.log.Error("search", "service", code, "err", err)
			res = render.SearchResult{}
		}
	}
	res.Query, res.Page = query, page
	var shown []*kolokol.Notice
	if code != "" {
		all, err := s.notices.of(r.Context(), code)
		if err == nil && len(all) > 0 {
			c := ""
			if s.opts.Geo != nil {
				c = s.opts.Geo.Country(r)
			}
			shown = kolokol.SelectNotices(all, c)
		}
	}
	p, err := s.builder.Search(r.Context(), code, res, shown...)
	if kolokol.IsNotFound(err) {
		return false
	}
	h := w.Header()
	s.setHeaders(h, r)
	h["Cache-Control"] = searchCacheControlV
	h["X-Robots-Tag"] = noIndexV
	if err != nil {
		s.log.Error("render search", "service", code, "err", err)
		http.Error(w, "The page could not be rendered. Please try again shortly.", http.StatusInternalServerError)
		return true
	}
	h["Content-Type"] = []string{p.ContentType}
	h["Vary"] = s.vary
	body := p.Body
	if len(body) > 512 && acceptsGzip(r) {
		// Results pages go over the same slow links as the rest; they
		// are made per request, so at a fast level.
		if gz := s.gzipFast(body); len(gz) < len(body) {
			body = gz
			h["Content-Encoding"] = gzipV
		}
	}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
	return true
}

// gzipFast compresses a page made for one request.
func (s *Site) gzipFast(body []byte) []byte {
	zw, _ := s.gzippers.Get().(*gzip.Writer)
	var buf bytes.Buffer
	buf.Grow(len(body) / 3)
	if zw == nil {
		zw, _ = gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	} else {
		zw.Reset(&buf)
	}
	zw.Write(body)
	zw.Close()
	s.gzippers.Put(zw)
	return buf.Bytes()
}
