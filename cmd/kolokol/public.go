package main

import (
	"bytes"
	"context"
	"log"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/kolokol/kolokol/metrics"
)

// serverLimits bound every phase of a request, so that slow or hostile
// clients cannot hold connections forever.
type serverLimits struct {
	header time.Duration // from a request's first byte to the end of its header
	body   time.Duration // then, to the end of its body (uploads on slow links)
	write  time.Duration // to write the response
	idle   time.Duration // between requests on a connection
}

var defaultLimits = serverLimits{header: 10 * time.Second, body: 2 * time.Minute, write: 2 * time.Minute, idle: 2 * time.Minute}

const (
	// maxHeaderBytes bounds a request's header on net/http.
	maxHeaderBytes = 64 << 10
	// fastReadBuffer is fasthttp's buffer per connection, which bounds a
	// request's header on it: smaller than net/http's bound, since
	// fasthttp keeps it for every open connection.
	fastReadBuffer = 16 << 10
	// fastReadAhead is how much of a request body fasthttp reads before
	// the handler runs; the rest streams to the handler as it reads, so a
	// handler refuses a body before it has arrived, as with net/http.
	fastReadAhead = 64 << 10
)

// publicServer serves the public listener. By default that is fasthttp:
// the reader site's cached pages are answered by its fast path
// (site.Fast), which reaches about twice the requests net/http does here
// (bench/wrk.sh), and every other request goes to the net/http handler
// (netBridge). With --net-http, net/http serves everything.
type publicServer struct {
	fast   *fasthttp.Server
	plain  *http.Server
	errlog *log.Logger // the servers' own error lines, addresses removed
}

func newPublicServer(app *App, logger *slog.Logger, netHTTP bool, lim serverLimits) *publicServer {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	errlog := log.New(redactor{logger}, "", 0)
	if netHTTP {
		return &publicServer{plain: netHTTPServer(app.Handler, errlog, lim), errlog: errlog}
	}
	pages := app.Site.Fast(pathRoots(app.Routes)...)
	bridge := &netBridge{h: app.Handler, errlog: errlog}
	m := app.metrics
	handle := func(ctx *fasthttp.RequestCtx) {
		start := time.Now()
		if identityCoded(&ctx.Request.Header) {
			// As net/http answers it.
			ctx.Error("Unsupported transfer encoding", fasthttp.StatusNotImplemented)
			ctx.SetConnectionClose()
			return
		}
		if p, ok := pages.Serve(ctx); ok {
			method, n := http.MethodGet, int64(len(ctx.Response.Body()))
			if ctx.IsHead() {
				method, n = http.MethodHead, 0
			}
			m.Observe(method, metrics.ReaderRoute(p), ctx.Response.StatusCode(), time.Since(start), n)
			return
		}
		bridge.serve(ctx)
	}
	return &publicServer{errlog: errlog, fast: fastServer(handle, errlog, lim)}
}

// fastServer is the fasthttp server of the public listener around handle.
func fastServer(handle fasthttp.RequestHandler, errlog *log.Logger, lim serverLimits) *fasthttp.Server {
	return &fasthttp.Server{
		Handler:               handle,
		Logger:                fastLog{errlog},
		SecureErrorLogMessage: true,
		// The header has its own deadline (ReadTimeout, from the first
		// byte), the body another, as net/http's ReadHeaderTimeout and
		// ReadTimeout.
		ReadTimeout: lim.header,
		HeaderReceived: func(*fasthttp.RequestHeader) fasthttp.RequestConfig {
			return fasthttp.RequestConfig{ReadTimeout: lim.body}
		},
		WriteTimeout:       lim.write,
		IdleTimeout:        lim.idle,
		ReadBufferSize:     fastReadBuffer,
		MaxRequestBodySize: fastReadAhead,
		StreamRequestBody:  true,
		// Handlers parse their own forms, under their own limits.
		DisablePreParseMultipartForm: true,
		NoDefaultServerHeader:        true,
		NoDefaultContentType:         true,
		CloseOnShutdown:              true,
	}
}

// identityCoded reports a request with a Transfer-Encoding that is not
// chunked, which fasthttp takes only as "identity". It reads that as a
// request without a body (RFC 2616) and keeps no trace of the field, so
// the bytes after the header are read as the next request; a proxy in
// front that reads the body to the end of the connection instead would
// have passed them as this request's body: a smuggled request. RFC 9112
// (section 6.1) has a server refuse it and close the connection, as
// net/http does.
func identityCoded(h *fasthttp.RequestHeader) bool {
	if h.ContentLength() == -1 { // chunked
		return false
	}
	const name = "transfer-encoding:"
	for raw := h.RawHeaders(); len(raw) > 0; {
		var line []byte
		line, raw, _ = bytes.Cut(raw, []byte("\n"))
		if len(line) >= len(name) && line[0]|0x20 == 't' && bytes.EqualFold(line[:len(name)], []byte(name)) {
			return true
		}
	}
	return false
}

// fastLog carries fasthttp's own log lines without their arguments: its
// errors quote the requests it refuses (the path, a header line) and the
// connection's addresses, even with SecureErrorLogMessage; net/http logs
// no line at all for a malformed request.
type fastLog struct{ l *log.Logger }

var printfVerb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)

func (f fastLog) Printf(format string, _ ...any) {
	f.l.Print(printfVerb.ReplaceAllString(format, "…"))
}

// pathRoots are the first path segments of route patterns ("/api/" of
// "POST /api/v1/articles").
func pathRoots(patterns []string) []string {
	var roots []string
	for _, p := range patterns {
		_, path, ok := strings.Cut(p, " ")
		if !ok {
			path = p
		}
		seg, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
		if root := "/" + seg + "/"; seg != "" && !slices.Contains(roots, root) {
			roots = append(roots, root)
		}
	}
	return roots
}

func (s *publicServer) Serve(ln net.Listener) error {
	if s.plain != nil {
		return s.plain.Serve(ln)
	}
	return s.fast.Serve(ln)
}

// Shutdown stops accepting connections, lets the requests in flight finish
// and closes the idle connections.
func (s *publicServer) Shutdown(ctx context.Context) error {
	if s.plain != nil {
		return s.plain.Shutdown(ctx)
	}
	return s.fast.ShutdownWithContext(ctx)
}

// newHTTPServer is a net/http server with the default limits, for the
// admin listener.
func newHTTPServer(h http.Handler, logger *slog.Logger) *http.Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return netHTTPServer(h, log.New(redactor{logger}, "", 0), defaultLimits)
}

func netHTTPServer(h http.Handler, errlog *log.Logger, lim serverLimits) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: lim.header,
		ReadTimeout:       lim.body, // from the first byte, header included
		WriteTimeout:      lim.write,
		IdleTimeout:       lim.idle,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          errlog,
	}
}
