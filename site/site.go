// Package site serves the reader site: pages from the render cache with
// privacy headers, validators and compression, media files and static
// assets. It never records who reads: no cookies, no addresses in logs.
package site

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/changelog"
	"github.com/kolokol/kolokol/geo"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/render"
)

// Reader pages may be cached briefly by browsers and CDNs; a CDN may serve a
// stale copy for a while when the origin is slow or down, which keeps the
// site readable during an attack on the origin. The CSP's connect-src 'self'
// lets tools such as Lighthouse fetch robots.txt from the page; no script
// runs on our pages, so it opens nothing.
const (
	pageCacheControl   = "public, max-age=30, stale-while-revalidate=60, stale-if-error=86400"
	assetCacheControl  = "public, max-age=31536000, immutable"
	errorCacheControl  = "public, max-age=10"
	contentSecurityPol = "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	permissionsPolicy  = "accelerometer=(), autoplay=(), browsing-topics=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), interest-cohort=(), magnetometer=(), microphone=(), payment=(), usb=()"
)

// securityHeaders go on every response. Keys are canonical and values are
// built once, so the hot path assigns without allocating; net/http only
// reads header values, and a full-capacity slice is copied, never written,
// by any later append.
var securityHeaders = []struct {
	key string
	val []string
}{
	{"Content-Security-Policy", []string{contentSecurityPol}},
	{"Referrer-Policy", []string{"no-referrer"}},
	{"X-Content-Type-Options", []string{"nosniff"}},
	{"Permissions-Policy", []string{permissionsPolicy}},
	{"Cross-Origin-Opener-Policy", []string{"same-origin"}},
	{"Cross-Origin-Resource-Policy", []string{"same-origin"}},
	{"X-Frame-Options", []string{"DENY"}},
}

var (
	pageCacheControlV  = []string{pageCacheControl}
	errorCacheControlV = []string{errorCacheControl}
	varyV              = []string{"Accept-Encoding"}
	gzipV              = []string{"gzip"}
)

// SetSecurityHeaders adds the privacy and security headers to h.
func SetSecurityHeaders(h http.Header) { setSecurity(netHeader(h), false) }

// setSecurity adds the privacy and security headers, and HSTS when the
// site is served over TLS, whichever server writes them.
func setSecurity[H headerSetter](h H, hsts bool) {
	for _, kv := range securityHeaders {
		h.set(kv.key, kv.val)
	}
	if hsts {
		h.set("Strict-Transport-Security", hstsV)
	}
}

// Options are the reader site's deployment settings; the zero value serves
// every reader the same pages over plain HTTP.
type Options struct {
	// Geo finds the reader's country, only to pick which safety notices
	// their page carries. Nil: every reader is "unknown".
	Geo *geo.Resolver
	// Notices loads a service's notices (the store's FindNotices); nil
	// means none.
	Notices func(ctx context.Context, service string) ([]*kolokol.Notice, error)
	// Onion is the site's onion origin ("http://….onion"): every reader
	// page then carries Onion-Location, which Tor Browser offers to follow.
	Onion string
	// HSTS adds Strict-Transport-Security: set it when the site is served
	// over TLS.
	HSTS bool
	// Setting loads a site-wide setting (the store's FindSetting), for
	// /.well-known/security.txt; nil means none.
	Setting func(ctx context.Context, key string) (string, error)
	// CDNTTL, when set, tells a CDN in front to keep pages this long
	// (Surrogate-Control and CDN-Cache-Control, which CDNs take and do
	// not pass on), while browsers still keep them 30 seconds: the CDN
	// relies on purges (cdn.Purger) to drop a page that changed sooner.
	CDNTTL time.Duration
	// Search answers /search and /{service}/search; nil: no search.
	Search Searcher
	// Newsletter answers /{service}/email/ and the pages under it; nil:
	// no email edition, and those paths are 404s.
	Newsletter Newsletter
}

// Site is the reader site handler.
type Site struct {
	builder  *render.Builder
	cache    *Cache
	blobs    kolokol.BlobStore
	log      *slog.Logger
	assets   map[string]*entry // immutable assets, compressed once at start
	opts     Options
	notices  *noticeSet
	vary     []string
	security loaded[string] // security.txt
	// cdnControl is the Surrogate-Control value of pages; nil: none sent.
	cdnControl []string
	cdnTTL     time.Duration
	// gzippers are the gzip writers of pages made per request (search).
	gzippers sync.Pool
}

// New returns the reader site. Feed it the change log (Consumer).
func New(b *render.Builder, blobs kolokol.BlobStore, log *slog.Logger, now func() time.Time, opts Options) *Site {
	if now == nil {
		now = time.Now
	}
	s := &Site{builder: b, blobs: blobs, log: log, assets: map[string]*entry{}, opts: opts,
		notices: newNoticeSet(opts.Notices), vary: varyV}
	s.cache = NewCache(s.build, now)
	if opts.CDNTTL > 0 {
		s.cdnTTL = opts.CDNTTL
		s.cdnControl = []string{cdnControl(opts.CDNTTL)}
	}
	if opts.Geo != nil && opts.Geo.Header() != "" {
		// A CDN in front keeps one copy per country header value.
		s.vary = []string{"Accept-Encoding, " + opts.Geo.Header()}
	}
	for _, path := range []string{b.StylePath(), "/favicon.svg", "/robots.txt"} {
		if p, ok := b.Static(path); ok {
			s.assets[path] = newEntry(p, now())
		}
	}
	return s
}

// Consumer is the page cache's side of the change log: each change
// invalidates the pages it affects (render.Deps), and a rebuild (after the
// log was pruned past what the cache had seen) drops every page.
func (s *Site) Consumer() changelog.Consumer {
	return changelog.Consumer{Apply: s.apply, Rebuild: s.rebuild}
}

func (s *Site) apply(_ context.Context, cs []*kolokol.Change) error {
	for _, c := range cs {
		switch c.Kind {
		case kolokol.ChangeNotice:
			s.notices.forget(c.Service)
		case kolokol.ChangeSettings:
			s.security.forget()
		}
		s.cache.Invalidate(render.Deps(*c)...)
	}
	return nil
}

func (s *Site) rebuild(context.Context) error {
	s.notices.forgetAll()
	s.security.forget()
	s.cache.Clear()
	return nil
}

// Builder returns the page builder the site serves from.
func (s *Site) Builder() *render.Builder { return s.builder }

// Cache exposes the page cache (for tests and metrics).
func (s *Site) Cache() *Cache { return s.cache }

// Handler is the reader site alone, for the newsroom's preview, which
// answers the reader page's links from under its own prefix.
func (s *Site) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Register(mux)
	return mux
}

// Register adds the reader site's routes.
func (s *Site) Register(mux *http.ServeMux) {
	// "/" takes every method so that more specific trees (such as /api/)
	// can take every method too; page refuses all but GET and HEAD.
	mux.HandleFunc("/", s.page)
	mux.HandleFunc("GET /static/", s.static)
	mux.HandleFunc("GET /favicon.svg", s.static)
	mux.HandleFunc("GET /robots.txt", s.static)
	mux.HandleFunc("GET /.well-known/security.txt", s.securityTxt)
	mux.HandleFunc("GET /media/{key}", s.media)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		s.setHeaders(w.Header(), r)
		w.Header().Set("Cache-Control", "no-store")
		io.WriteString(w, "ok\n")
	})
}

func (s *Site) page(w http.ResponseWriter, r *http.Request) {
	if s.opts.Newsletter != nil {
		// Not through ServeMux either (see search); a service that does
		// not exist falls through to its 404 page.
		if code, step, ok := emailPath(r.URL.Path); ok && s.email(w, r, code, step) {
			return
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h := w.Header()
		s.setHeaders(h, r)
		h["Allow"] = []string{"GET, HEAD"}
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	path := r.URL.Path
	if code, ok := searchPath(path); ok && s.opts.Search != nil && s.search(w, r, code) {
		// Not through ServeMux: a /{service}/search pattern would
		// overlap /media/{key}. A service that does not exist falls
		// through to its 404 page.
		return
	}
	if len(path) > maxPathBytes {
		// Not even the 404 page: Onion-Location would repeat the path.
		h := w.Header()
		s.SecurityHeaders(h)
		h["Cache-Control"] = errorCacheControlV
		http.Error(w, "URI too long", http.StatusRequestURITooLong)
		return
	}
	key, err := notFoundKey, error(nil) // the site's 404 page
	if readerPath(path) {
		key, err = s.variantKey(r)
	}
	var e *entry
	if err == nil {
		e, err = s.cache.Get(r.Context(), key)
	}
	if err != nil {
		s.log.Error("render page", "path", r.URL.Path, "err", err)
		h := w.Header()
		s.setHeaders(h, r)
		h["Cache-Control"] = []string{"no-store"}
		status := http.StatusInternalServerError
		if kolokol.ErrorCode(err) == kolokol.EUNAVAILABLE {
			// The database is away: pages already rendered are still
			// served; this one will be once it is back. A CDN keeps
			// serving its copy (stale-if-error).
			status = http.StatusServiceUnavailable
			h["Retry-After"] = []string{"5"}
		}
		http.Error(w, "The page could not be rendered. Please try again shortly.", status)
		return
	}
	s.serve(w, r, e, pageCacheControlV)
}

// The longest path of any page (a lite article's, with a slug of 60
// letters of up to four bytes each) is a few hundred bytes, and the
// deepest (/sr-cyrl/lite/a/ID-slug/) has five slashes: well inside these
// bounds.
const (
	maxPathBytes   = 2048
	maxPathSlashes = 16
)

// readerPath reports whether path may be a page's, before it is looked up
// or becomes part of a cache key: absolute, UTF-8, no deeper than any page,
// and without control characters. A NUL would read as the cache key's
// variantSep (every such request a new key), and no page's path holds one.
func readerPath(path string) bool {
	if !strings.HasPrefix(path, "/") || !utf8.ValidString(path) {
		return false
	}
	slashes := 0
	for i := 0; i < len(path); i++ {
		switch c := path[i]; {
		case c < 0x20 || c == 0x7f:
			return false
		case c == '/':
			if slashes++; slashes > maxPathSlashes {
				return false
			}
		}
	}
	return true
}

func (s *Site) static(w http.ResponseWriter, r *http.Request) {
	e, ok := s.assets[r.URL.Path]
	if !ok {
		s.page(w, r) // the localized 404
		return
	}
	cc := []string{assetCacheControl}
	if !strings.HasPrefix(r.URL.Path, "/static/") {
		cc = []string{"public, max-age=86400"} // robots.txt and favicon keep their names
	}
	s.serve(w, r, e, cc)
}

// cdnControl is the Surrogate-Control of a page a CDN may keep for ttl,
// in whole seconds rounded up.
func cdnControl(ttl time.Duration) string {
	return fmt.Sprintf("max-age=%d, stale-while-revalidate=60, stale-if-error=86400", int64((ttl+time.Second-1)/time.Second))
}

// serve writes a cached page: 304 when the client's copy is current, the
// gzip bytes when the client takes them.
func (s *Site) serve(w http.ResponseWriter, r *http.Request, e *entry, cacheControl []string) {
	answer(s, netExchange{w: w, r: r, h: w.Header()}, e, cacheControl)
}

// answer is serve for any server: net/http's handler and the fasthttp fast
// path (fast.go) both answer a cached page through it, so the two cannot
// differ in a header.
func answer[X exchange](s *Site, x X, e *entry, cacheControl []string) {
	setReaderHeaders(s, x)
	p := e.page
	switch p.Status {
	case http.StatusMovedPermanently:
		x.set("Location", []string{p.Location})
		x.set("Cache-Control", pageCacheControlV)
		x.reply(p.Status, nil)
		return
	case http.StatusNotFound:
		cacheControl = errorCacheControlV
	}
	body, etag, length := p.Body, e.etag, e.length
	x.set("Vary", s.vary)
	if e.gz != nil && x.acceptsGzip() {
		body, etag, length = e.gz, e.etagGz, e.lengthGz
		x.set("Content-Encoding", gzipV)
	}
	x.set("Content-Type", e.contentType)
	x.set("Cache-Control", cacheControl)
	x.set("Surrogate-Key", e.surrogate)
	x.set("Cache-Tag", e.cacheTag)
	if p.Status == http.StatusOK {
		// Not on a 404: a page published later is purged by its own
		// keys, which a cached "not found" at its address does not carry.
		if s.cdnControl != nil {
			cc := s.cdnControl
			// A page that changes by itself at a time (a banner ending)
			// has no change to purge it then: the CDN keeps it no longer.
			if !e.expires.IsZero() {
				if left := e.expires.Sub(s.cache.now()); left < s.cdnTTL {
					cc = []string{cdnControl(max(left, 0))}
				}
			}
			x.set("Surrogate-Control", cc)
			x.set("Cdn-Cache-Control", cc)
		}
		x.set("Etag", etag)
		x.set("Last-Modified", e.modifiedV)
		if notModified(x.header("If-None-Match"), x.header("If-Modified-Since"), e, etag[0]) {
			x.del("Content-Type")
			x.del("Content-Encoding")
			x.reply(http.StatusNotModified, nil)
			return
		}
	}
	x.set("Content-Length", length)
	x.reply(p.Status, body)
}

// acceptsGzip reports whether the client takes gzip, by RFC 9110's
// Accept-Encoding (§12.5.3): gzip or x-gzip (§8.4.1.3) named with a weight
// above zero, or else "*" with one; a named coding wins over "*" whatever
// their order, so "*, gzip;q=0" refuses gzip. Names are case-insensitive,
// the header may come in several lines, and a member whose weight is not a
// qvalue is ignored. No header means no gzip: some clients that send none
// cannot read it. It runs on every page served, so it does not allocate.
func acceptsGzip(r *http.Request) bool {
	c := codings{named: -1, star: -1}
	for _, v := range r.Header["Accept-Encoding"] {
		c.add(v)
	}
	return c.gzip()
}

// codings is what the Accept-Encoding lines read so far say of gzip: the
// best weight given to it by name and to "*", in thousandths; -1: none.
type codings struct{ named, star int }

// add reads one Accept-Encoding line.
func (c *codings) add(v string) {
	for v != "" {
		var member string
		member, v, _ = strings.Cut(v, ",")
		name, q, ok := codingWeight(member)
		switch {
		case !ok:
		case strings.EqualFold(name, "gzip") || strings.EqualFold(name, "x-gzip"):
			c.named = max(c.named, q)
		case name == "*":
			c.star = max(c.star, q)
		}
	}
}

// gzip reports whether the lines read take gzip.
func (c codings) gzip() bool {
	if c.named >= 0 {
		return c.named > 0
	}
	return c.star > 0
}

// codingWeight reads one member of Accept-Encoding, `coding [ OWS ";" OWS
// "q=" qvalue ]`, with its weight in thousandths (1000 when none is given).
// ok is false for an empty member or a malformed weight.
func codingWeight(member string) (name string, q int, ok bool) {
	name, params, hasParams := strings.Cut(member, ";")
	name = strings.Trim(name, " \t")
	if name == "" {
		return "", 0, false
	}
	if !hasParams {
		return name, 1000, true
	}
	params = strings.Trim(params, " \t")
	if len(params) < 2 || params[0] != 'q' && params[0] != 'Q' || params[1] != '=' {
		return "", 0, false // only a weight may follow a coding
	}
	q, ok = qvalue(params[2:])
	return name, q, ok
}

// qvalue parses RFC 9110's qvalue (§12.4.2), "0" to "1" with at most three
// decimals, into thousandths.
func qvalue(s string) (int, bool) {
	if s == "" || len(s) > 5 || s[0] != '0' && s[0] != '1' {
		return 0, false
	}
	q := int(s[0]-'0') * 1000
	if len(s) == 1 {
		return q, true
	}
	if s[1] != '.' {
		return 0, false
	}
	scale := 100
	for i := 2; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' || q == 1000 && c != '0' {
			return 0, false
		}
		q += int(c-'0') * scale
		scale /= 10
	}
	return q, true
}

// notModified applies RFC 9110's precedence to a request's If-None-Match
// (inm) and If-Modified-Since (ims): If-None-Match, when present, decides
// alone; If-Modified-Since counts only without it.
func notModified(inm, ims string, e *entry, etag string) bool {
	if inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == "*" || t == etag {
				return true
			}
		}
		return false
	}
	if ims != "" {
		since, err := http.ParseTime(ims)
		if err != nil {
			return false
		}
		mod, err := http.ParseTime(e.modified)
		return err == nil && !mod.After(since)
	}
	return false
}

func (s *Site) media(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	h := w.Header()
	s.setHeaders(h, r)
	if !media.ValidKey(key) {
		s.page(w, r)
		return
	}
	f, err := s.blobs.Open(r.Context(), key)
	if kolokol.IsNotFound(err) {
		s.page(w, r)
		return
	} else if err != nil {
		s.log.Error("open media", "key", key, "err", err)
		http.Error(w, "media unavailable", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	h["Content-Type"] = []string{media.ContentTypeOfKey(key)}
	h["Cache-Control"] = []string{assetCacheControl}
	// Content-addressed: the name is the validator.
	h["Etag"] = []string{`"` + key[:32] + `"`}
	http.ServeContent(w, r, "", time.Time{}, f)
}
