package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"

	"github.com/valyala/fasthttp"
)

// netBridge serves requests that arrive on fasthttp with a net/http
// handler: everything on the public listener that the reader site's fast
// path does not answer (the newsroom, the API, media, redirects, 404s).
//
// It is ours, not fasthttpadaptor, because the adaptor breaks promises of
// net/http that this code relies on: it gives handlers strings that alias
// fasthttp's reused buffers (a map key taken from a path changes under the
// map: TestBridgeOwnsItsStrings), it reads every request body into memory
// before the handler can refuse it (a stranger could make the server hold
// 27 MiB per connection at the newsroom's and the API's addresses), and a
// handler's panic takes the whole process down. Here a request is copied
// into Go strings of its own, its body streams from the connection as
// net/http's does, and a panic ends one connection, as in net/http.
type netBridge struct {
	h      http.Handler
	errlog *log.Logger // net/http's ErrorLog, which redacts addresses
}

// A response up to bufferedBody is sent from memory with its length; a
// longer one (a large photo) streams as the handler writes it, so memory
// stays bounded per request.
const bufferedBody = 64 << 10

func (b *netBridge) serve(ctx *fasthttp.RequestCtx) {
	r, err := netRequest(ctx)
	if err != nil {
		// net/http answers a target it cannot parse the same way.
		ctx.Error("400 Bad Request", fasthttp.StatusBadRequest)
		ctx.SetConnectionClose()
		return
	}
	if r.RequestURI == "*" && r.Method == http.MethodOptions {
		// net/http's server answers it without asking the handler.
		ctx.Response.Header.SetContentLength(0)
		return
	}
	w := &bridgeWriter{ctx: ctx, head: r.Method == http.MethodHead, header: http.Header{}, done: make(chan bool, 1)}
	// The handler runs beside the connection's goroutine, which waits for
	// the whole response, or for its head when the body streams.
	go w.run(b, r)
	if ok := <-w.done; !ok {
		// As net/http does after a panic: no response, the connection ends.
		ctx.HijackSetNoResponse(true)
		ctx.Hijack(func(net.Conn) {})
	}
}

// netRequest is ctx's request as net/http's server would give it to a
// handler, sharing no memory with ctx but the body stream.
func netRequest(ctx *fasthttp.RequestCtx) (*http.Request, error) {
	h := &ctx.Request.Header
	uri := string(h.RequestURI())
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		return nil, err
	}
	r := &http.Request{
		Method:     string(h.Method()),
		URL:        u,
		RequestURI: uri,
		Proto:      string(h.Protocol()),
		Header:     make(http.Header, h.Len()),
		Host:       string(ctx.Host()),
		RemoteAddr: ctx.RemoteAddr().String(),
		Close:      h.ConnectionClose(),
		Body:       http.NoBody,
	}
	var ok bool
	if r.ProtoMajor, r.ProtoMinor, ok = http.ParseHTTPVersion(r.Proto); !ok {
		return nil, fmt.Errorf("malformed HTTP version %q", r.Proto)
	}
	for k, v := range h.All() {
		switch key := string(k); key {
		case "Host": // net/http keeps it in Host alone
		case "Transfer-Encoding":
			r.TransferEncoding = []string{"chunked"} // fasthttp takes no other
		default:
			r.Header[key] = append(r.Header[key], string(v))
		}
	}
	switch n := h.ContentLength(); {
	case n == -1:
		r.ContentLength = -1
	case n > 0:
		r.ContentLength = int64(n)
	}
	if r.ContentLength != 0 {
		r.Body = io.NopCloser(ctx.RequestBodyStream())
	}
	return r, nil
}

// bridgeWriter is the handler's http.ResponseWriter. Until the head of the
// response is handed to fasthttp (done), only the handler's goroutine
// touches ctx; afterwards only the pipe of a streaming body.
type bridgeWriter struct {
	ctx    *fasthttp.RequestCtx
	head   bool
	header http.Header
	sent   http.Header // the header as it was at WriteHeader
	status int
	body   []byte
	n      int64 // bytes written, for HEAD's Content-Length
	pipe   *io.PipeWriter
	done   chan bool // true: the response is fasthttp's to write; false: abort
}

var errAborted = errors.New("handler aborted the response")

func (w *bridgeWriter) run(b *netBridge, r *http.Request) {
	reqCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				b.errlog.Printf("http: panic serving a request: %v\n%s", v, debug.Stack())
			}
			if w.pipe != nil {
				w.pipe.CloseWithError(errAborted)
			} else {
				w.done <- false
			}
			return
		}
		w.finish()
	}()
	b.h.ServeHTTP(w, r.WithContext(reqCtx))
}

func (w *bridgeWriter) Header() http.Header { return w.header }

func (w *bridgeWriter) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if w.status != 0 || code < 200 {
		return // informational responses are not sent; the first status stands
	}
	w.status = code
	w.sent = w.header.Clone()
}

func (w *bridgeWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	w.n += int64(len(p))
	switch {
	case w.head:
		return len(p), nil
	case w.pipe != nil:
		return w.pipe.Write(p)
	case len(w.body)+len(p) <= bufferedBody:
		w.body = append(w.body, p...)
		return len(p), nil
	}
	w.stream()
	return w.pipe.Write(p)
}

// Flush sends what was written so far; the rest of the body streams.
func (w *bridgeWriter) Flush() {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.pipe == nil && !w.head && bodyAllowed(w.status) {
		w.stream()
	}
}

// stream hands the head of the response to fasthttp with a pipe that the
// rest of the body goes through, and the buffered part first.
func (w *bridgeWriter) stream() {
	pr, pw := io.Pipe()
	w.commit()
	size := -1 // chunked, unless the handler gave the length
	if n, err := strconv.Atoi(w.sent.Get("Content-Length")); err == nil && n >= 0 {
		size = n
	}
	w.ctx.Response.SetBodyStream(pr, size)
	w.ctx, w.pipe = nil, pw
	buffered := w.body
	w.body = nil
	w.done <- true
	if len(buffered) > 0 {
		pw.Write(buffered)
	}
}

// finish hands a response the handler has written in full to fasthttp.
func (w *bridgeWriter) finish() {
	if w.pipe != nil {
		w.pipe.Close()
		return
	}
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	w.commit()
	switch {
	case w.head:
		if _, ok := w.sent["Content-Length"]; !ok && w.n > 0 {
			w.ctx.Response.Header.SetContentLength(int(w.n))
		}
		w.ctx.Response.SkipBody = true
	default:
		w.ctx.Response.SetBodyRaw(w.body)
	}
	w.done <- true
}

// commit copies the status and the header to fasthttp's response.
func (w *bridgeWriter) commit() {
	resp := &w.ctx.Response
	resp.SetStatusCode(w.status)
	for k, vv := range w.sent {
		switch k {
		case "Content-Length":
			if n, err := strconv.Atoi(vv[0]); err == nil && len(vv) == 1 {
				resp.Header.SetContentLength(n)
			}
		default:
			for _, v := range vv {
				resp.Header.Add(k, v)
			}
		}
	}
	// As net/http: a body without a Content-Type gets the sniffed one,
	// unless the handler set the key to nil to say "none".
	if _, ok := w.sent["Content-Type"]; !ok && len(w.body) > 0 && bodyAllowed(w.status) {
		resp.Header.SetContentType(http.DetectContentType(w.body[:min(len(w.body), 512)]))
	}
}

// bodyAllowed is net/http's rule: 1xx, 204 and 304 responses have none.
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}
