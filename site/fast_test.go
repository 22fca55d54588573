package site

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// fastGet runs Fast.Serve on a request as fasthttp would have parsed it.
func fastGet(f *Fast, method, target string, hdr ...string) (*fasthttp.RequestCtx, bool) {
	var req fasthttp.Request
	req.Header.SetMethod(method)
	req.SetRequestURI(target)
	req.Header.Set("Host", "x")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	ctx := &fasthttp.RequestCtx{}
	ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}, nil)
	_, ok := f.Serve(ctx)
	return ctx, ok
}

// TestFastAnswersOnlyCachedPages: the fast path answers a GET or HEAD of a
// cached page exactly as the net/http handler does, and leaves every other
// request untouched: a page not cached yet, another method, a path the
// mux would clean or redirect, one under another handler's prefix.
func TestFastAnswersOnlyCachedPages(t *testing.T) {
	f := newSiteFixture(t)
	fast := f.site.Fast("/fa/") // as though another handler served /fa/
	ru := f.ru.Path()
	if _, ok := fastGet(fast, "GET", ru); ok {
		t.Fatal("answered a page not cached yet")
	}
	for _, p := range []string{"/", "/ru/", ru, f.fa.Path()} {
		f.get(t, p) // cached now
	}
	for _, c := range []struct {
		method, target string
		hdr            []string
		want           bool
	}{
		{"GET", ru, nil, true},
		{"GET", ru, []string{"Accept-Encoding", "gzip"}, true},
		{"GET", ru, []string{"Accept-Encoding", "br", "Accept-Encoding", "gzip;q=0.5"}, true},
		{"HEAD", ru, nil, true},
		{"GET", ru + "?utm=1", nil, true},
		{"GET", ru, []string{"If-None-Match", `"nope", *`}, true},
		{"GET", "/r%75/", nil, true},
		{"GET", "/", nil, true},
		{"POST", ru, nil, false},
		{"OPTIONS", ru, nil, false},
		{"GET", strings.TrimSuffix(ru, "/"), nil, false},
		{"GET", "//ru/", nil, false},
		{"GET", "/ru/./", nil, false},
		{"GET", "/ru/x/../", nil, false},
		{"GET", "/ru/%zz/", nil, false},
		{"GET", "/ru/%00/", nil, false},
		{"GET", "/ru/nope/", nil, false},
		{"GET", f.fa.Path(), nil, false}, // another handler's
		{"GET", "/" + strings.Repeat("x", maxPathBytes+1), nil, false},
	} {
		ctx, ok := fastGet(fast, c.method, c.target, c.hdr...)
		if ok != c.want {
			t.Errorf("%s %.40s: answered %v, want %v", c.method, c.target, ok, c.want)
			continue
		}
		if !ok {
			if ctx.Response.StatusCode() != 200 || len(ctx.Response.Body()) > 0 || ctx.Response.Header.Len() > 1 {
				t.Errorf("%s %.40s: left the response touched: %s", c.method, c.target, ctx.Response.String())
			}
			continue
		}
		r := httptest.NewRequest(c.method, c.target, nil)
		for i := 0; i+1 < len(c.hdr); i += 2 {
			r.Header.Add(c.hdr[i], c.hdr[i+1])
		}
		w := httptest.NewRecorder()
		f.handler.ServeHTTP(w, r)
		if w.Code != ctx.Response.StatusCode() || w.Body.String() != string(ctx.Response.Body()) && c.method != "HEAD" {
			t.Errorf("%s %s: %d, %d bytes; net/http %d, %d bytes", c.method, c.target, ctx.Response.StatusCode(),
				len(ctx.Response.Body()), w.Code, w.Body.Len())
		}
		for k, v := range w.Header() {
			if got := string(ctx.Response.Header.Peek(k)); got != v[0] {
				t.Errorf("%s %s: %s = %q, net/http %q", c.method, c.target, k, got, v[0])
			}
		}
		if w.Header().Get("Content-Type") == "" && c.method == http.MethodGet && w.Code == 200 {
			t.Errorf("%s: no Content-Type", c.target)
		}
	}
}

// FuzzFastMatchesHandler: whatever the target, when the fast path answers,
// the net/http handler answers the same status, headers and body.
func FuzzFastMatchesHandler(f *testing.F) {
	fx := newSiteFixture(f)
	fast := fx.site.Fast()
	for _, p := range []string{"/", "/ru/", fx.ru.Path(), fx.fa.Path(), "/sr-cyrl/"} {
		fx.handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
		f.Add(p, "gzip")
	}
	for _, s := range []string{"/r%75/", "//ru/", "/ru/./", "/ru/?a=b", "/ru/%2e%2e/", "/RU/", "/ru", "/%72u/"} {
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, target, acceptEncoding string) {
		if _, err := url.ParseRequestURI(target); err != nil || strings.ContainsAny(target, " \t\r\n\x00#") ||
			strings.ContainsAny(acceptEncoding, "\r\n\x00") || !strings.HasPrefix(target, "/") {
			return // not a target a request line carries
		}
		ctx, ok := fastGet(fast, "GET", target, "Accept-Encoding", acceptEncoding)
		if !ok {
			return
		}
		r := httptest.NewRequest("GET", target, nil)
		r.Header.Set("Accept-Encoding", acceptEncoding)
		w := httptest.NewRecorder()
		fx.handler.ServeHTTP(w, r)
		if w.Code != ctx.Response.StatusCode() || w.Body.String() != string(ctx.Response.Body()) {
			t.Fatalf("%q: fast %d, %d bytes; net/http %d, %d bytes", target, ctx.Response.StatusCode(),
				len(ctx.Response.Body()), w.Code, w.Body.Len())
		}
		for k, v := range w.Header() {
			if got := string(ctx.Response.Header.Peek(k)); got != v[0] {
				t.Fatalf("%q: %s = %q, net/http %q", target, k, got, v[0])
			}
		}
	})
}
