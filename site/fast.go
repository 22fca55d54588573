package site

import (
	"bytes"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strings"

	"github.com/valyala/fasthttp"
)

// Fast answers requests for cached reader pages on fasthttp, which serves
// about twice the requests net/http does on the same bytes here
// (bench/wrk.sh). It answers only what the net/http handler would answer
// from the cache with the very same headers and bytes (both go through
// answer), and leaves everything else to it: a page not cached yet, a
// redirect, a 404, a path net/http's mux would clean or route elsewhere.
type Fast struct {
	site *Site
	// elsewhere are the path prefixes of other handlers ("/api/"): a
	// service code may spell one, and its pages are then not the site's.
	elsewhere []string
}

// Fast returns the fast path of the reader site; elsewhere are the path
// prefixes that handlers other than the site serve.
func (s *Site) Fast(elsewhere ...string) *Fast {
	return &Fast{site: s, elsewhere: elsewhere}
}

// Serve answers ctx and returns the page's path when the request is a GET
// or HEAD of a page the cache holds. Otherwise it reports false and leaves
// ctx untouched, for the net/http handler.
func (f *Fast) Serve(ctx *fasthttp.RequestCtx) (string, bool) {
	if !ctx.IsGet() && !ctx.IsHead() {
		return "", false
	}
	raw, _, _ := bytes.Cut(ctx.RequestURI(), []byte("?"))
	if len(raw) == 0 || raw[0] != '/' || len(raw) > maxPathBytes || bytes.IndexByte(raw, '#') >= 0 {
		return "", false
	}
	// The path as net/http reads it (url.ParseRequestURI): unescaped, and
	// a Go string of its own, as fasthttp reuses raw's bytes.
	p := string(raw)
	if bytes.IndexByte(raw, '%') >= 0 {
		var err error
		if p, err = url.PathUnescape(p); err != nil {
			return "", false
		}
	}
	if !readerPath(p) || !clean(p) || f.routedElsewhere(p) {
		return "", false
	}
	if _, _, ok := emailPath(p); ok && f.site.opts.Newsletter != nil {
		return "", false // made per request, never from the cache
	}
	s := f.site
	key, err := s.pageKey(ctx, p, func() string {
		return s.opts.Geo.CountryOf(peer(ctx), fastHeader{&ctx.Request.Header})
	})
	if err != nil {
		return "", false
	}
	e, current, _ := s.cache.lookup(key)
	if !current {
		return "", false
	}
	answer(s, fastExchange{ctx: ctx, path: p}, e, pageCacheControlV)
	return p, true
}

// clean reports whether net/http's ServeMux takes path as it is, rather
// than redirecting to its cleaned form (//, ., .. segments).
func clean(p string) bool {
	c := path.Clean(p)
	return c == p || p[len(p)-1] == '/' && len(p) == len(c)+1 && strings.HasPrefix(p, c)
}

func (f *Fast) routedElsewhere(p string) bool {
	for _, prefix := range f.elsewhere {
		if strings.HasPrefix(p, prefix) || p == strings.TrimSuffix(prefix, "/") {
			return true
		}
	}
	return false
}

// peer is the address the connection comes from; the zero Addr when it is
// not TCP.
func peer(ctx *fasthttp.RequestCtx) netip.Addr {
	if a, ok := ctx.RemoteAddr().(*net.TCPAddr); ok {
		return a.AddrPort().Addr()
	}
	return netip.Addr{}
}

// headerSetter sets a response header field to values that are built once
// and only read afterwards.
type headerSetter interface {
	set(key string, v []string)
}

// exchange is a request and its response as answer reads and writes them,
// whichever server carries them.
type exchange interface {
	headerSetter
	del(key string)
	// header is the first value of a request header field.
	header(key string) string
	acceptsGzip() bool
	// escapedPath is the request's path as net/url escapes it.
	escapedPath() string
	// reply sends the status and, unless the method is HEAD, the body;
	// the headers must be set first.
	reply(status int, body []byte)
}

// netHeader is a net/http header as a headerSetter: keys are canonical, and
// net/http only reads the values.
type netHeader http.Header

func (h netHeader) set(key string, v []string) { h[key] = v }

// netExchange is a net/http request and its response.
type netExchange struct {
	w http.ResponseWriter
	r *http.Request
	h http.Header // w.Header()
}

func (x netExchange) set(key string, v []string) { x.h[key] = v }
func (x netExchange) del(key string)             { delete(x.h, key) }
func (x netExchange) header(key string) string   { return x.r.Header.Get(key) }
func (x netExchange) acceptsGzip() bool          { return acceptsGzip(x.r) }
func (x netExchange) escapedPath() string        { return x.r.URL.EscapedPath() }

func (x netExchange) reply(status int, body []byte) {
	x.w.WriteHeader(status)
	if x.r.Method != http.MethodHead && body != nil {
		x.w.Write(body)
	}
}

// fastExchange is a fasthttp request and its response. Values are copied
// into fasthttp's buffers, so the fast path allocates nothing for them.
type fastExchange struct {
	ctx  *fasthttp.RequestCtx
	path string // unescaped
}

func (x fastExchange) set(key string, v []string) { x.ctx.Response.Header.Set(key, v[0]) }
func (x fastExchange) del(key string)             { x.ctx.Response.Header.Del(key) }

func (x fastExchange) header(key string) string {
	if v := x.ctx.Request.Header.Peek(key); len(v) > 0 {
		return string(v)
	}
	return ""
}

func (x fastExchange) acceptsGzip() bool {
	c := codings{named: -1, star: -1}
	for _, v := range x.ctx.Request.Header.PeekAll("Accept-Encoding") {
		c.add(string(v))
	}
	return c.gzip()
}

func (x fastExchange) escapedPath() string {
	raw, _, _ := bytes.Cut(x.ctx.RequestURI(), []byte("?"))
	u := url.URL{Path: x.path, RawPath: string(raw)}
	return u.EscapedPath()
}

// reply hands fasthttp the body even for HEAD: it sends the length and
// leaves the bytes out, as net/http does for serve's Content-Length.
func (x fastExchange) reply(status int, body []byte) {
	x.ctx.SetStatusCode(status)
	x.ctx.Response.SetBodyRaw(body)
}

// fastHeader is a fasthttp request's header as the geo resolver reads it.
type fastHeader struct{ h *fasthttp.RequestHeader }

func (h fastHeader) Values(key string) []string {
	var out []string
	for _, v := range h.h.PeekAll(key) {
		out = append(out, string(v))
	}
	return out
}
