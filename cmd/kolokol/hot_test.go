package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/valyala/fasthttp"
)

// discardWriter is the cheapest ResponseWriter, so the benchmark measures
// the handler rather than a recorder.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}

// BenchmarkHandlerCachedArticle is the reader hot path without the network:
// routing, cache lookup, headers, body copy.
func BenchmarkHandlerCachedArticle(b *testing.B) {
	ta := newTestApp(b)
	a := ta.publish(b, ta.admin, ta.create(b, ta.admin, map[string]any{"service": "en", "headline": "Hot", "body": "Text."}).ID)
	req := httptest.NewRequest("GET", ta.path(a), nil)
	w := &discardWriter{h: http.Header{}}
	ta.Handler.ServeHTTP(w, req)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		w.h = make(http.Header, 16)
		ta.Handler.ServeHTTP(w, req)
	}
}

// BenchmarkHandlerCachedArticleGzip is the same with the Accept-Encoding a
// browser sends, so the negotiation is measured too.
func BenchmarkHandlerCachedArticleGzip(b *testing.B) {
	ta := newTestApp(b)
	a := ta.publish(b, ta.admin, ta.create(b, ta.admin, map[string]any{"service": "en", "headline": "Hot", "body": "Text."}).ID)
	req := httptest.NewRequest("GET", ta.path(a), nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	w := &discardWriter{h: http.Header{}}
	ta.Handler.ServeHTTP(w, req)
	if w.h.Get("Content-Encoding") != "gzip" {
		b.Fatalf("the page was not served gzipped: %v", w.h)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		w.h = make(http.Header, 16)
		ta.Handler.ServeHTTP(w, req)
	}
}

// BenchmarkFastCachedArticleGzip is the reader hot path on fasthttp without
// the network: the fast path's checks, cache lookup, headers and body, and
// the metrics, as the public listener's handler runs them.
func BenchmarkFastCachedArticleGzip(b *testing.B) {
	ta := newTestApp(b)
	a := ta.publish(b, ta.admin, ta.create(b, ta.admin, map[string]any{"service": "en", "headline": "Hot", "body": "Text."}).ID)
	ta.get(b, ta.path(a)) // cached
	handle := newPublicServer(ta.App, nil, false, defaultLimits).fast.Handler
	var req fasthttp.Request
	req.SetRequestURI(ta.path(a))
	req.Header.Set("Host", "x")
	req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	var ctx fasthttp.RequestCtx
	ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}, nil)
	handle(&ctx)
	if string(ctx.Response.Header.Peek("Content-Encoding")) != "gzip" {
		b.Fatalf("not served gzipped: %s", ctx.Response.Header.String())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ctx.Response.Reset()
		handle(&ctx)
	}
}
