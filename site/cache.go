package site

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kolokol/kolokol/cdn"
	"github.com/kolokol/kolokol/render"
	"golang.org/x/sync/singleflight"
)

// entry is a rendered page ready to be copied to readers: compressed once,
// with its validators computed once.
type entry struct {
	page     *render.Page
	gz       []byte // nil when compression does not pay
	etag     []string
	etagGz   []string
	modified string // Last-Modified in HTTP date format
	expires  time.Time

	// Header values, built once so that serving allocates nothing for them.
	modifiedV, contentType, length, lengthGz []string
	// surrogate and cacheTag name what the page shows, for a CDN's purge
	// by key (cdn.Keys): space- and comma-separated.
	surrogate, cacheTag []string
}

func newEntry(p *render.Page, now time.Time) *entry {
	e := &entry{page: p, expires: p.ExpiresAt}
	if p.Body != nil {
		sum := sha256.Sum256(p.Body)
		tag := hex.EncodeToString(sum[:12])
		e.etag = []string{`"` + tag + `"`}
		e.etagGz = []string{`"` + tag + `-gz"`}
		if len(p.Body) > 512 {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(p.Body)
			zw.Close()
			if buf.Len() < len(p.Body) {
				e.gz = buf.Bytes()
			}
		}
	}
	// The render time, not the newest time the page shows: that one can go
	// backwards (a banner expires, a story leaves a list), and a client
	// sending only If-Modified-Since would then get a false 304.
	mod := now
	if mod.Before(p.LastModified) {
		mod = p.LastModified
	}
	e.modified = mod.UTC().Format(http.TimeFormat)
	e.modifiedV = []string{e.modified}
	e.contentType = []string{p.ContentType}
	e.length = []string{strconv.Itoa(len(p.Body))}
	e.lengthGz = []string{strconv.Itoa(len(e.gz))}
	keys := cdn.Keys(p.Deps)
	e.surrogate = []string{strings.Join(keys, " ")}
	e.cacheTag = []string{strings.Join(keys, ",")}
	return e
}

// Cache holds rendered pages by key: a page's path, or its path and
// variant. Invalidation drops the pages that depend on a tag; the next
// request renders them again.
//
// It keeps a page under its one canonical key alone, which its build
// function says: a path a client makes up (another spelling of a page's
// path, a path that is no page) adds no entry, so the cache holds only the
// pages the site links to, and the one 404 page of each service.
//
// A render that started before an invalidation must not store its (possibly
// stale) result afterwards, so every store checks the generation it started
// in, and concurrent requests only share a render of the current generation.
type Cache struct {
	build BuildFunc
	now   func() time.Time
	max   int

	mu    sync.RWMutex
	gen   uint64
	pages map[string]*entry
	deps  map[string]map[string]struct{} // tag -> paths
	group singleflight.Group
}

// maxPages bounds memory: about 100,000 pages of 20 KB (plus gzip) is ~3 GB at
// worst; beyond it, pages are evicted and rendered again on demand.
const maxPages = 100_000

// BuildFunc renders the page a key asks for, and says the key it belongs
// under: key itself when that is the page's canonical key, another for a
// page asked for by another name, "" for an answer never kept (a
// redirect). A 404 with no Body stands for the page at its canonical key,
// the 404 page that answers every path of its service.
type BuildFunc func(ctx context.Context, key string) (p *render.Page, canonical string, err error)

// NewCache returns an empty cache that renders misses with build.
func NewCache(build BuildFunc, now func() time.Time) *Cache {
	if now == nil {
		now = time.Now
	}
	return &Cache{build: build, now: now, max: maxPages, pages: map[string]*entry{}, deps: map[string]map[string]struct{}{}}
}

// lookup returns the page at path when it is cached and current, and the
// generation it was looked up in.
func (c *Cache) lookup(path string) (e *entry, current bool, gen uint64) {
	c.mu.RLock()
	e, ok := c.pages[path]
	gen = c.gen
	c.mu.RUnlock()
	return e, ok && (e.expires.IsZero() || c.now().Before(e.expires)), gen // no clock read for most pages
}

// Get returns the page at path, rendering it when missing or expired.
func (c *Cache) Get(ctx context.Context, path string) (*entry, error) {
	e, current, gen := c.lookup(path)
	if current {
		return e, nil
	}
	key := strconv.FormatUint(gen, 10) + " " + path
	v, err, _ := c.group.Do(key, func() (any, error) {
		// Render without the reader's context: a reader who hangs up must not
		// fail the render for everyone waiting on it.
		p, canonical, err := c.build(context.WithoutCancel(ctx), path)
		if err != nil {
			return nil, err
		}
		if p.Status == http.StatusNotFound && p.Body == nil && canonical != "" && canonical != path {
			return c.Get(ctx, canonical) // the service's one 404 page
		}
		e := newEntry(p, c.now())
		// Only pages are kept, and under their canonical key alone:
		// redirects and 404s answer any path a client makes up, and must
		// not let it fill the cache; a page asked for by another name
		// replaces itself.
		if canonical != "" && (p.Status == http.StatusOK || p.Status == http.StatusNotFound) {
			c.put(gen, canonical, e)
		}
		return e, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*entry), nil
}

func (c *Cache) put(gen uint64, path string, e *entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	c.remove(path) // a page rendered again drops its old dependencies
	if len(c.pages) >= c.max {
		for victim := range c.pages { // map order is random enough for eviction
			c.remove(victim)
			break
		}
	}
	c.pages[path] = e
	for _, d := range e.page.Deps {
		m := c.deps[d]
		if m == nil {
			m = map[string]struct{}{}
			c.deps[d] = m
		}
		m[path] = struct{}{}
	}
}

// Invalidate drops every page that depends on any of the tags. When it
// returns, no reader can be served a page rendered before the call.
func (c *Cache) Invalidate(tags ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, t := range tags {
		for path := range c.deps[t] {
			c.remove(path)
		}
	}
}

// Clear drops every page: after a rebuild from the store.
func (c *Cache) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.pages)
	clear(c.deps)
}

func (c *Cache) remove(path string) {
	e, ok := c.pages[path]
	if !ok {
		return
	}
	delete(c.pages, path)
	for _, d := range e.page.Deps {
		if m := c.deps[d]; m != nil {
			delete(m, path)
			if len(m) == 0 {
				delete(c.deps, d)
			}
		}
	}
}

// Len returns the number of cached pages.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.pages)
}

// HasPage reports whether any variant of the page at path is cached.
func (c *Cache) HasPage(path string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for k := range c.pages {
		if p, _, _ := strings.Cut(k, variantSep); p == path {
			return true
		}
	}
	return false
}

// Has reports whether the key (a path, or a path and a variant) is cached.
func (c *Cache) Has(path string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.pages[path]
	return ok
}
