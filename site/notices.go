package site

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/render"
)

// maxNoticeServices bounds the services whose notices are kept in memory.
const maxNoticeServices = 1000

// noticeSet keeps every service's notices in memory: choosing a page's
// variant happens on every request, and must not touch the store.
//
// Like the page cache, it keeps a load only if no change was applied while
// the load ran: a load that read the store before a change and finished
// after it would otherwise keep the old notices for good.
type noticeSet struct {
	load func(ctx context.Context, service string) ([]*kolokol.Notice, error)
	mu   sync.RWMutex
	gen  uint64
	m    map[string][]*kolokol.Notice
}

func newNoticeSet(load func(context.Context, string) ([]*kolokol.Notice, error)) *noticeSet {
	return &noticeSet{load: load, m: map[string][]*kolokol.Notice{}}
}

// of returns a service's notices.
func (n *noticeSet) of(ctx context.Context, service string) ([]*kolokol.Notice, error) {
	if n.load == nil || !kolokol.ValidServiceCode(service) {
		return nil, nil
	}
	n.mu.RLock()
	list, ok := n.m[service]
	gen := n.gen
	n.mu.RUnlock()
	if ok {
		return list, nil
	}
	list, err := n.load(ctx, service)
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	// Any path's first segment is asked for, real service or not: the
	// set stays bounded, and beyond the bound a lookup is not kept (an
	// unknown service's page is a 404 that reads the store anyway).
	if len(n.m) < maxNoticeServices && gen == n.gen {
		n.m[service] = list
	}
	n.mu.Unlock()
	return list, nil
}

func (n *noticeSet) forget(service string) {
	n.mu.Lock()
	n.gen++
	delete(n.m, service)
	n.mu.Unlock()
}

func (n *noticeSet) forgetAll() {
	n.mu.Lock()
	n.gen++
	clear(n.m)
	n.mu.Unlock()
}

// loaded is one value loaded from the store and kept until a change is
// applied, with the page cache's generation check (see noticeSet).
type loaded[T any] struct {
	mu  sync.Mutex
	gen uint64
	v   *T
}

// get returns the kept value, or loads and keeps it.
func (l *loaded[T]) get(load func() (T, error)) (T, error) {
	l.mu.Lock()
	v, gen := l.v, l.gen
	l.mu.Unlock()
	if v != nil {
		return *v, nil
	}
	got, err := load()
	if err != nil {
		return got, err
	}
	l.mu.Lock()
	if gen == l.gen {
		l.v = &got
	}
	l.mu.Unlock()
	return got, nil
}

func (l *loaded[T]) forget() {
	l.mu.Lock()
	l.gen++
	l.v = nil
	l.mu.Unlock()
}

// variantSep separates a path from the notices of its variant in a cache
// key; a URL path never holds it (page refuses every path with a control
// character).
const variantSep = "\x00"

// notFoundKey, followed by a service's code, is the cache key of the
// service's 404 page, which answers every path of the service that is no
// page; alone, of the site's. No path a client sends is one: paths start
// with "/".
const notFoundKey = "404:"

// variantKey is the cache key of the reader's page: its path, plus the ids
// of the notices shown when there are any. Pages vary by these few sets,
// never by reader; the country itself goes no further than this function.
func (s *Site) variantKey(r *http.Request) (string, error) {
	return s.pageKey(r.Context(), r.URL.Path, func() string { return s.opts.Geo.Country(r) })
}

// pageKey is variantKey for the page at path, for any server: country,
// asked only when the service has notices and a resolver is set, is the
// reader's country.
func (s *Site) pageKey(ctx context.Context, path string, country func() string) (string, error) {
	all, err := s.notices.of(ctx, serviceOf(path))
	if err != nil || len(all) == 0 {
		return path, err
	}
	c := ""
	if s.opts.Geo != nil {
		c = country()
	}
	return withVariant(path, kolokol.SelectNotices(all, c)), nil
}

// withVariant is the cache key of the page at path carrying the notices
// shown.
func withVariant(path string, shown []*kolokol.Notice) string {
	if len(shown) == 0 {
		return path
	}
	var b strings.Builder
	b.WriteString(path)
	b.WriteString(variantSep)
	for i, n := range shown {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(n.ID, 10))
	}
	return b.String()
}

// serviceOf is the service whose notices a page carries: its first path
// segment, the Serbian Cyrillic pages carrying Serbian's.
func serviceOf(path string) string {
	service, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return strings.TrimSuffix(service, "-cyrl")
}

// build renders a cache key: the page at its path, with its variant's
// notices, or a service's 404 page. The key it returns is the page's own:
// its canonical path with the notices it was rendered with, whatever key
// asked for it.
func (s *Site) build(ctx context.Context, key string) (*render.Page, string, error) {
	path, ids, ok := strings.Cut(key, variantSep)
	code, notFoundPage := strings.CutPrefix(path, notFoundKey)
	var shown []*kolokol.Notice
	if ok {
		svc := serviceOf(path)
		if notFoundPage {
			svc = strings.TrimSuffix(code, "-cyrl")
		}
		all, err := s.notices.of(ctx, svc)
		if err != nil {
			return nil, "", err
		}
		for _, id := range strings.Split(ids, ",") {
			for _, n := range all {
				if strconv.FormatInt(n.ID, 10) == id {
					shown = append(shown, n)
				}
			}
		}
	}
	if notFoundPage {
		// One page per service and variant answers every path of the
		// service that is no page.
		p, err := s.builder.NotFound(ctx, code, shown...)
		if err != nil {
			return nil, "", err
		}
		return p, withVariant(notFoundKey+p.Service, shown), nil
	}
	p, err := s.builder.Resolve(ctx, path, shown...)
	if err != nil {
		return nil, "", err
	}
	switch {
	case p.Status == http.StatusOK && p.Path != "":
		return p, withVariant(p.Path, shown), nil
	case p.Status == http.StatusNotFound:
		return p, withVariant(notFoundKey+p.Service, shown), nil
	}
	return p, "", nil
}

var hstsV = []string{"max-age=63072000; includeSubDomains"}

// SecurityHeaders adds the security headers every response carries, HSTS
// included when the site is served over TLS: for the newsroom and the API.
func (s *Site) SecurityHeaders(h http.Header) { setSecurity(netHeader(h), s.opts.HSTS) }

// setHeaders adds the security headers, HSTS over TLS, and the onion
// address of the page for Tor Browser.
func (s *Site) setHeaders(h http.Header, r *http.Request) {
	setReaderHeaders(s, netExchange{r: r, h: h})
}

// setReaderHeaders is setHeaders for any server.
func setReaderHeaders[X exchange](s *Site, x X) {
	setSecurity(x, s.opts.HSTS)
	if s.opts.Onion != "" {
		x.set("Onion-Location", []string{s.opts.Onion + x.escapedPath()})
	}
}

// securityTxt serves the admins' /.well-known/security.txt (RFC 9116).
func (s *Site) securityTxt(w http.ResponseWriter, r *http.Request) {
	text, err := s.security.get(func() (string, error) {
		if s.opts.Setting == nil {
			return "", nil
		}
		v, err := s.opts.Setting(r.Context(), kolokol.SettingSecurityTxt)
		if kolokol.IsNotFound(err) {
			return "", nil
		}
		return v, err
	})
	if err != nil {
		s.log.Error("security.txt", "err", err)
		http.Error(w, "unavailable", http.StatusInternalServerError)
		return
	}
	if text == "" {
		s.page(w, r) // the 404 page
		return
	}
	h := w.Header()
	s.setHeaders(h, r)
	h["Content-Type"] = []string{"text/plain; charset=utf-8"}
	h["Cache-Control"] = []string{"public, max-age=3600"}
	io.WriteString(w, text)
}
