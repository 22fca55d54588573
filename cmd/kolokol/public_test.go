package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/demo"
	"github.com/kolokol/kolokol/geo"
)

// rawResponse is a response read off the wire.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// rawDo writes req as it is to a new connection from the local address
// from ("" for any) and reads one response.
func rawDo(t testing.TB, addr, from, req string) rawResponse {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second}
	if from != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from)}
	}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	method, _, _ := strings.Cut(req, " ")
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%.80q: %v", req, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%.80q: body: %v", req, err)
	}
	return rawResponse{resp.StatusCode, resp.Header, body}
}

// countingHandler records the paths the net/http handler is asked for.
type countingHandler struct {
	h     http.Handler
	mu    sync.Mutex
	paths []string
}

func (c *countingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.paths = append(c.paths, r.URL.Path)
	c.mu.Unlock()
	c.h.ServeHTTP(w, r)
}

func (c *countingHandler) asked(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, p := range c.paths {
		if p == path {
			n++
		}
	}
	return n
}

// twoServers is one app served by both public servers, fasthttp (as kolokol
// serve does) and net/http (--net-http), with the reader-safety settings on.
type twoServers struct {
	app         *App
	fast, plain *testServer
	// The net/http handler behind each server.
	handler, plainHandler *countingHandler
	logs                  *syncBuffer
	admin                 string
}

func newTwoServers(t *testing.T, lim serverLimits) *twoServers {
	t.Helper()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	app, err := NewAppWith(t.Context(), Config{Data: t.TempDir(), BaseURL: "https://news.example.org", Logger: logger, AccessLog: true,
		Onion: "http://kolokolexampleonionaddressxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion",
		Geo:   geo.Options{Header: "CF-IPCountry", Proxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	res, err := demo.Seed(t.Context(), app.Store, app.Desk, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	fastApp, plainApp := *app, *app
	fastApp.Handler = &countingHandler{h: app.Handler}
	plainApp.Handler = &countingHandler{h: app.Handler}
	return &twoServers{app: app, handler: fastApp.Handler.(*countingHandler), plainHandler: plainApp.Handler.(*countingHandler),
		logs: logs, admin: res.AdminToken,
		fast:  startServer(t, listenLoopback(t), &fastApp, logger, false, lim),
		plain: startServer(t, listenLoopback(t), &plainApp, logger, true, lim)}
}

func (s *twoServers) addrs() (fast, plain string) {
	return strings.TrimPrefix(s.fast.URL, "http://"), strings.TrimPrefix(s.plain.URL, "http://")
}

// TestServersAgree sends the same requests to both servers and requires
// the same answers, header for header and byte for byte (but the Date):
// reader pages cached and not, their validators, conditional requests,
// HEAD, gzip negotiation, notices by country, redirects, 404s, hostile
// paths, static files, media with ranges, the health check, security.txt,
// the newsroom and the API. The cached pages must come from the fast path.
func TestServersAgree(t *testing.T) {
	s := newTwoServers(t, defaultLimits)
	ctx := t.Context()
	if err := s.app.Desk.SaveNotice(ctx, kolokol.Actor{Name: "admin", Role: kolokol.RoleAdmin}, &kolokol.Notice{Service: "en",
		Text: "Readers in Russia: sharing this is dangerous.", Countries: []string{"RU"}}); err != nil {
		t.Fatal(err)
	}
	fastAddr, plainAddr := s.addrs()
	home := rawDo(t, fastAddr, "", "GET /en/ HTTP/1.1\r\nHost: x\r\n\r\n")
	m := regexp.MustCompile(`href="((?:\./)?a/(\d+)-[^"]+/)"`).FindStringSubmatch(string(home.body))
	if m == nil {
		t.Fatalf("no article on the English home:\n%s", home.body)
	}
	article := "/en/" + strings.TrimPrefix(m[1], "./")
	var media string
	for _, a := range mustArticles(t, s.app) {
		page := rawDo(t, fastAddr, "", "GET "+a.Path()+" HTTP/1.1\r\nHost: x\r\n\r\n")
		if mm := regexp.MustCompile(`/media/[0-9a-f]{64}\.(?:webp|jpg)`).Find(page.body); mm != nil {
			media = string(mm)
			break
		}
	}
	if media == "" {
		t.Fatal("no media on any demo article")
	}
	get := func(target string, hdr ...string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: news.example.org\r\n", target)
		for i := 0; i+1 < len(hdr); i += 2 {
			fmt.Fprintf(&b, "%s: %s\r\n", hdr[i], hdr[i+1])
		}
		b.WriteString("\r\n")
		return b.String()
	}
	warm := rawDo(t, plainAddr, "", get(article, "Accept-Encoding", "gzip"))
	etag, etagGz := rawDo(t, plainAddr, "", get(article)).header.Get("Etag"), warm.header.Get("Etag")
	modified := warm.header.Get("Last-Modified")
	cases := []struct {
		name string
		req  string
		from string // local address; 127.0.0.1 is the trusted proxy
		fast bool   // the fast path answers it once cached
	}{
		{"article", get(article), "", true},
		{"article, gzip", get(article, "Accept-Encoding", "gzip"), "", true},
		{"article, browser", get(article, "Accept-Encoding", "gzip, deflate, br, zstd"), "", true},
		{"article, gzip refused", get(article, "Accept-Encoding", "*, gzip;q=0"), "", true},
		{"article, x-gzip", get(article, "Accept-Encoding", "x-gzip;q=0.5, br"), "", true},
		{"article, star", get(article, "Accept-Encoding", "*;q=0.1"), "", true},
		{"article, two lines", "GET " + article + " HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\nAccept-Encoding: gzip\r\n\r\n", "", true},
		{"article, malformed weight", get(article, "Accept-Encoding", "gzip;q=2"), "", true},
		{"article, query", get(article + "?utm_source=x"), "", true},
		{"HEAD", "HEAD " + article + " HTTP/1.1\r\nHost: x\r\n\r\n", "", true},
		{"HEAD, gzip", "HEAD " + article + " HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n", "", true},
		{"If-None-Match", get(article, "If-None-Match", etag), "", true},
		{"If-None-Match, gzip", get(article, "Accept-Encoding", "gzip", "If-None-Match", etagGz), "", true},
		{"If-None-Match, the other coding's", get(article, "If-None-Match", etagGz), "", true},
		{"If-None-Match, weak in a list", get(article, "If-None-Match", `"x", W/`+etag), "", true},
		{"If-None-Match *", get(article, "If-None-Match", "*"), "", true},
		{"If-Modified-Since", get(article, "If-Modified-Since", modified), "", true},
		{"If-Modified-Since, old", get(article, "If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT"), "", true},
		{"If-None-Match wins", get(article, "If-None-Match", `"other"`, "If-Modified-Since", modified), "", true},
		{"If-Modified-Since, malformed", get(article, "If-Modified-Since", "yesterday"), "", true},
		{"HEAD, If-None-Match", "HEAD " + article + " HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag + "\r\n\r\n", "", true},
		{"escaped path", get(strings.Replace(article, "/en/", "/e%6E/", 1)), "", true},
		{"portal", get("/"), "", true},
		{"home", get("/en/"), "", true},
		{"home, Russia by the proxy", get("/en/", "CF-IPCountry", "RU"), "127.0.0.1", true},
		{"home, Russia by a stranger", get("/en/", "CF-IPCountry", "RU"), "127.0.0.77", true},
		{"home, proxy, no country", get("/en/", "X-Forwarded-For", "198.51.100.7"), "127.0.0.1", true},
		{"section", get("/en/s/world/"), "", true},
		{"archive", get("/en/archive/"), "", true},
		{"lite", get("/en/lite/"), "", true},
		{"safety", get("/en/safety/"), "", true},
		{"Serbian Cyrillic", get("/sr-cyrl/"), "", true},
		{"right to left", get("/fa/"), "", true},
		{"redirect, slug", get("/en/a/" + m[2] + "-old-slug/"), "", false},
		{"redirect, no slash", get(strings.TrimSuffix(article, "/")), "", false},
		{"404", get("/en/no-such-page/"), "", false},
		{"404, gzip", get("/en/no-such-page/", "Accept-Encoding", "gzip"), "", false},
		{"404, unknown service", get("/zz/"), "", false},
		{"414", get("/en/" + strings.Repeat("x", 3000) + "/"), "", false},
		{"NUL", get("/en/%00/"), "", false},
		{"control character", get("/en/%1b[31m/"), "", false},
		{"not UTF-8", get("/en/%FF/"), "", false},
		{"bad escape", get("/en/%zz/"), "", false},
		{"double slash", get("//en/"), "", false},
		{"dot segment", get("/en/./"), "", false},
		{"dot dot", get("/en/../newsroom/"), "", false},
		{"absolute form", "GET http://news.example.org" + article + " HTTP/1.1\r\nHost: news.example.org\r\n\r\n", "", false},
		{"POST", "POST " + article + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx", "", false},
		{"OPTIONS", "OPTIONS " + article + " HTTP/1.1\r\nHost: x\r\n\r\n", "", false},
		{"stylesheet", get(s.app.Site.Builder().StylePath()), "", false},
		{"stylesheet, gzip", get(s.app.Site.Builder().StylePath(), "Accept-Encoding", "gzip"), "", false},
		{"favicon", get("/favicon.svg"), "", false},
		{"robots.txt", get("/robots.txt"), "", false},
		{"static, missing", get("/static/missing.css"), "", false},
		{"healthz", get("/healthz"), "", false},
		{"security.txt, none", get("/.well-known/security.txt"), "", false},
		{"media", get(media), "", false},
		{"media, HEAD", "HEAD " + media + " HTTP/1.1\r\nHost: x\r\n\r\n", "", false},
		{"media, range", get(media, "Range", "bytes=10-99"), "", false},
		{"media, ranges", get(media, "Range", "bytes=0-9,20-29"), "", false},
		{"media, range past the end", get(media, "Range", "bytes=99999999-"), "", false},
		{"media, If-None-Match", get(media, "If-None-Match", `"`+media[7:39]+`"`), "", false},
		{"media, If-Range", get(media, "Range", "bytes=0-9", "If-Range", `"other"`), "", false},
		{"media, unknown", get("/media/" + strings.Repeat("0", 64) + ".jpg"), "", false},
		{"newsroom", get("/newsroom/login"), "", false},
		{"API without a token", get("/api/v1/articles"), "", false},
		{"API", get("/api/v1/services", "Authorization", "Bearer "+s.admin), "", false},
		{"API, unknown route", get("/api/v9/nothing"), "", false},
		{"HTTP/1.0", "GET " + article + " HTTP/1.0\r\n\r\n", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for round := range 2 { // the first may render, the second is cached
				before := s.handler.asked(pathOf(c.req))
				f := rawDo(t, fastAddr, c.from, c.req)
				fromFast := s.handler.asked(pathOf(c.req)) == before
				p := rawDo(t, plainAddr, c.from, c.req)
				if round == 1 && c.fast && !fromFast {
					t.Errorf("a cached page was not answered by the fast path")
				}
				if round == 1 && !c.fast && fromFast && f.status < 400 {
					t.Errorf("the fast path answered (%d)", f.status)
				}
				if diff := compareResponses(f, p); diff != "" {
					t.Fatalf("round %d: fasthttp and net/http differ:\n%s", round, diff)
				}
			}
		})
	}
	// What the servers answer themselves, without a handler, in words of
	// their own: the status must agree.
	for _, req := range []string{"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", "GET * HTTP/1.1\r\nHost: x\r\n\r\n"} {
		if f, p := rawDo(t, fastAddr, "", req), rawDo(t, plainAddr, "", req); f.status != p.status {
			t.Errorf("%q: %d / %d", req, f.status, p.status)
		}
	}
	// The gzip bytes are the page's.
	gz := rawDo(t, fastAddr, "", get(article, "Accept-Encoding", "gzip"))
	plain := rawDo(t, fastAddr, "", get(article))
	zr, err := gzip.NewReader(bytes.NewReader(gz.body))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(zr); !bytes.Equal(b, plain.body) {
		t.Error("the gzip body is not the page")
	}
	if !strings.Contains(string(rawDo(t, fastAddr, "127.0.0.1", get("/en/", "CF-IPCountry", "RU")).body), "sharing this is dangerous") {
		t.Error("the notice for Russia is missing")
	}
}

func mustArticles(t *testing.T, app *App) []*kolokol.Article {
	arts, err := app.Store.FindArticles(t.Context(), kolokol.ArticleFilter{Status: kolokol.StatusPublished, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	return arts
}

// pathOf is the path of a raw request's target, as net/http reads it.
func pathOf(req string) string {
	_, rest, _ := strings.Cut(req, " ")
	target, _, _ := strings.Cut(rest, " ")
	target, _, _ = strings.Cut(target, "?")
	if strings.HasPrefix(target, "/") {
		target = "http://x" + target
	}
	r, err := http.NewRequest("GET", target, nil)
	if err != nil {
		return ""
	}
	return r.URL.Path
}

// compareResponses describes how two responses differ, "" when they do not.
// Three differences are the servers' own, not the answer's: the Date; the
// framing of a body (net/http chunks a response longer than its 4 KB
// buffer, or closes the connection after an error, where fasthttp sends
// a Content-Length), so the length of a body is compared only when both
// send it (of no body, HEAD's or a 304's, always);
// and the random boundary of a multipart response.
func compareResponses(a, b rawResponse) string {
	a, b = withoutBoundary(a), withoutBoundary(b)
	var diff []string
	if a.status != b.status {
		diff = append(diff, fmt.Sprintf("status %d / %d", a.status, b.status))
	}
	var keys []string
	for k := range a.header {
		keys = append(keys, k)
	}
	for k := range b.header {
		if _, ok := a.header[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if k == "Date" || k == "Content-Length" && len(a.body) > 0 && (a.header[k] == nil || b.header[k] == nil) {
			continue
		}
		if !slices.Equal(a.header[k], b.header[k]) {
			diff = append(diff, fmt.Sprintf("%s: %q / %q", k, a.header[k], b.header[k]))
		}
	}
	if !bytes.Equal(a.body, b.body) {
		diff = append(diff, fmt.Sprintf("body: %d bytes %.60q / %d bytes %.60q", len(a.body), a.body, len(b.body), b.body))
	}
	return strings.Join(diff, "\n")
}

func withoutBoundary(r rawResponse) rawResponse {
	_, boundary, ok := strings.Cut(r.header.Get("Content-Type"), "boundary=")
	if !ok || !strings.HasPrefix(r.header.Get("Content-Type"), "multipart/") {
		return r
	}
	h := r.header.Clone()
	h.Set("Content-Type", strings.ReplaceAll(h.Get("Content-Type"), boundary, "BOUNDARY"))
	return rawResponse{r.status, h, bytes.ReplaceAll(r.body, []byte(boundary), []byte("BOUNDARY"))}
}

// rawExchange writes req to a new connection and reads every response
// until the server closes it or falls silent.
func rawExchange(t testing.TB, addr, req string) (statuses []int) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	for {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return statuses
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
	}
}

// TestRequestSmuggling sends requests whose framing is ambiguous or
// malformed, each followed on the same connection by a second request, to
// both servers. A proxy in front may read the framing the other way, so
// the second request must never be served from inside the first one's
// bytes: the server refuses, or answers and closes the connection. The
// table records where the two servers differ; fasthttp is the stricter on
// every case but "Transfer-Encoding: identity", which it would read as no
// body (identityCoded refuses it).
func TestRequestSmuggling(t *testing.T) {
	s := newTwoServers(t, defaultLimits)
	fastAddr, plainAddr := s.addrs()
	// The second request closes the connection once answered.
	const canary = "GET /smuggled-canary/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	post := "POST /api/v1/articles HTTP/1.1\r\nHost: x\r\n"
	type outcome struct {
		status int  // of the first response; 0: none
		canary bool // the second request was served
	}
	for _, c := range []struct {
		name        string
		req         string
		fast, plain outcome
	}{
		{"baseline: two requests", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", outcome{200, true}, outcome{200, true}},
		{"Content-Length and Transfer-Encoding", post + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			outcome{401, false}, outcome{401, true}}, // net/http ignores RFC 9112's "MUST close"
		{"Transfer-Encoding and Content-Length", post + "Transfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\n",
			outcome{401, false}, outcome{401, true}},
		{"two Content-Lengths", post + "Content-Length: 3\r\nContent-Length: 5\r\n\r\nhello", outcome{400, false}, outcome{400, false}},
		{"two equal Content-Lengths", post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", outcome{400, false}, outcome{401, true}},
		{"Content-Length list", post + "Content-Length: 5, 5\r\n\r\nhello", outcome{400, false}, outcome{400, false}},
		{"Content-Length with a sign", post + "Content-Length: +5\r\n\r\nhello", outcome{400, false}, outcome{400, false}},
		{"Content-Length in hex", post + "Content-Length: 0x5\r\n\r\nhello", outcome{400, false}, outcome{400, false}},
		{"space before the colon", post + "Content-Length : 5\r\n\r\nhello", outcome{400, false}, outcome{400, false}},
		{"Transfer-Encoding: gzip, chunked", post + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", outcome{400, false}, outcome{501, false}},
		{"Transfer-Encoding: xchunked", post + "Transfer-Encoding: xchunked\r\nContent-Length: 5\r\n\r\nhello", outcome{400, false}, outcome{501, false}},
		{"Transfer-Encoding: identity", post + "Transfer-Encoding: identity\r\n\r\n", outcome{501, false}, outcome{501, false}},
		{"Transfer-Encoding: identity on a page", "GET /en/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Identity\r\n\r\n", outcome{501, false}, outcome{501, false}},
		{"Transfer-Encoding: identity and a length", post + "Transfer-Encoding: identity\r\nContent-Length: 5\r\n\r\nhello", outcome{501, false}, outcome{501, false}},
		{"Transfer-Encoding twice", post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", outcome{400, false}, outcome{501, false}},
		{"obs-fold Transfer-Encoding", post + "Transfer-Encoding:\r\n chunked\r\nContent-Length: 5\r\n\r\nhello", outcome{401, false}, outcome{401, false}},
		{"chunked in HTTP/1.0", "POST /api/v1/articles HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			outcome{400, false}, outcome{401, false}},
		// Both take bare LF as a line end, as RFC 9112 (section 2.2) allows.
		{"bare LF", "GET /healthz HTTP/1.1\nHost: x\n\n", outcome{200, true}, outcome{200, true}},
		// Refused (401) before the body is read; the malformed chunks then
		// end the connection.
		{"bare LF in chunks", post + "Transfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n", outcome{401, false}, outcome{401, false}},
		{"chunk size in hex with 0x", post + "Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", outcome{401, false}, outcome{401, false}},
		{"chunk size overflow", post + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff5\r\nhello\r\n0\r\n\r\n", outcome{401, false}, outcome{401, false}},
		{"chunk data overrun", post + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n", outcome{401, false}, outcome{401, false}},
		{"Content-Length in a trailer", post + "Transfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 50\r\n\r\n", outcome{401, false}, outcome{401, true}},
		{"two Hosts", "GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", outcome{400, false}, outcome{400, false}},
		{"no Host", "GET /healthz HTTP/1.1\r\n\r\n", outcome{400, false}, outcome{400, false}},
		{"NUL in a value", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", outcome{400, false}, outcome{400, false}},
		{"CR in a value", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", outcome{400, false}, outcome{400, false}},
		{"a body on a GET", fmt.Sprintf("GET /en/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n\r\n", len(canary)), outcome{200, false}, outcome{200, false}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, srv := range []struct {
				name    string
				addr    string
				handler *countingHandler
				want    outcome
			}{{"fasthttp", fastAddr, s.handler, c.fast}, {"net/http", plainAddr, s.plainHandler, c.plain}} {
				before := srv.handler.asked("/smuggled-canary/")
				statuses := rawExchange(t, srv.addr, c.req+canary)
				got := outcome{canary: srv.handler.asked("/smuggled-canary/") > before}
				if len(statuses) > 0 {
					got.status = statuses[0]
				}
				if got != srv.want {
					t.Errorf("%s: first answer %d, second request served: %v; want %d, %v (%v)",
						srv.name, got.status, got.canary, srv.want.status, srv.want.canary, statuses)
				}
			}
		})
	}
}

// TestSlowClients: a client that sends its header slowly (slowloris), stops
// inside its body, or holds an idle connection is disconnected by both
// servers once its time is up, however it trickles bytes.
func TestSlowClients(t *testing.T) {
	lim := serverLimits{header: 300 * time.Millisecond, body: 600 * time.Millisecond, write: 5 * time.Second, idle: 600 * time.Millisecond}
	s := newTwoServers(t, lim)
	fastAddr, plainAddr := s.addrs()
	body := `{"service": "en", "headline": "Slow", "body": "x"}`
	for _, c := range []struct {
		name    string
		start   string // sent at once
		trickle string // then a byte every 50 ms, over and over
	}{
		{"header never ends", "GET /en/ HTTP/1.1\r\nHost: x\r\n", "X-Slow: aaaaaaaa\r\n"},
		{"header stalls", "GET /en/ HTTP/1.1\r\nHost: x\r\nX-Slow: a", ""},
		{"body stalls", fmt.Sprintf("POST /api/v1/articles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
			s.admin, len(body), body[:10]), ""},
		{"body trickles", fmt.Sprintf("POST /api/v1/articles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n%s",
			s.admin, body[:10]), "x"},
		{"idle after a request", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", ""},
	} {
		for _, srv := range []struct{ name, addr string }{{"fasthttp", fastAddr}, {"net/http", plainAddr}} {
			t.Run(c.name+"/"+srv.name, func(t *testing.T) {
				t.Parallel()
				conn, err := net.Dial("tcp", srv.addr)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				io.WriteString(conn, c.start)
				stop := make(chan struct{})
				defer close(stop)
				if c.trickle != "" {
					go func() {
						for i := 0; ; i++ {
							select {
							case <-stop:
								return
							case <-time.After(50 * time.Millisecond):
							}
							if _, err := conn.Write([]byte{c.trickle[i%len(c.trickle)]}); err != nil {
								return
							}
						}
					}()
				}
				// The server gives up on the client long before the client
				// would (it would go on for 20 s): the connection ends, with
				// or without an answer first.
				conn.SetReadDeadline(time.Now().Add(20 * time.Second))
				_, err = io.Copy(io.Discard, conn)
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					t.Fatal("the server kept the connection open for 20 s")
				}
			})
		}
	}
}

// TestShutdownFinishesRequestsInFlight: shutting down (what SIGTERM does)
// stops new connections and closes idle ones at once, but a request in
// flight, here an upload still arriving, is read, answered and logged.
func TestShutdownFinishesRequestsInFlight(t *testing.T) {
	s := newTwoServers(t, defaultLimits)
	fastAddr, plainAddr := s.addrs()
	for _, srv := range []struct {
		name string
		addr string
		ts   *testServer
	}{{"fasthttp", fastAddr, s.fast}, {"net/http", plainAddr, s.plain}} {
		t.Run(srv.name, func(t *testing.T) {
			idle, err := net.Dial("tcp", srv.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer idle.Close()
			io.WriteString(idle, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
			br := bufio.NewReader(idle)
			if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != 200 {
				t.Fatalf("healthz: %v %v", resp, err)
			} else {
				io.Copy(io.Discard, resp.Body)
			}

			body := fmt.Sprintf(`{"service": "en", "headline": "Filed during shutdown %s", "body": "x"}`, srv.name)
			busy, err := net.Dial("tcp", srv.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer busy.Close()
			fmt.Fprintf(busy, "POST /api/v1/articles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
				s.admin, len(body), body[:20])
			time.Sleep(100 * time.Millisecond) // the request is in flight
			const logged = `route="POST /api/v1/articles" status=201`
			before := strings.Count(s.logs.String(), logged)

			shut := make(chan struct{})
			go func() { srv.ts.Close(); close(shut) }()
			idle.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := br.ReadByte(); err == nil {
				t.Error("the idle connection got more than its answer")
			} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Error("the idle connection was not closed")
			}
			if c, err := net.DialTimeout("tcp", srv.addr, time.Second); err == nil {
				c.Close()
				t.Error("a new connection was accepted after shutdown began")
			}
			select {
			case <-shut:
				t.Fatal("shutdown did not wait for the request in flight")
			case <-time.After(200 * time.Millisecond):
			}

			io.WriteString(busy, body[20:])
			busy.SetReadDeadline(time.Now().Add(10 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(busy), nil)
			if err != nil {
				t.Fatalf("the request in flight got no answer: %v", err)
			}
			if resp.StatusCode != http.StatusCreated {
				t.Errorf("the request in flight: %d", resp.StatusCode)
			}
			select {
			case <-shut:
			case <-time.After(10 * time.Second):
				t.Fatal("shutdown did not end once the request was answered")
			}
			if strings.Count(s.logs.String(), logged) != before+1 {
				t.Error("the request in flight was not logged")
			}
		})
	}
}

// TestServerErrorsLogNoReader: requests fasthttp itself refuses (a
// malformed header, a header too large, a broken chunk) from a distinctive
// address, with a distinctive path, user agent and referrer, leave none of
// them in the logs.
func TestServerErrorsLogNoReader(t *testing.T) {
	s := newTwoServers(t, defaultLimits)
	fastAddr, plainAddr := s.addrs()
	const who = "Host: x\r\nUser-Agent: DistinctAgent77\r\nReferer: https://referrer77.example/secret-path-77\r\n"
	for _, req := range []string{
		"GET /secret-path-77/ HTTP/1.1\r\n" + who + "This is no header\r\n\r\n",
		"GET /secret-path-77/ HTTP/1.1\r\n" + who + "X-Big: " + strings.Repeat("secret-path-77 ", 5000) + "\r\n\r\n",
		"BR EW /secret-path-77/ HTTP/1.1\r\n" + who + "\r\n",
		"POST /secret-path-77/ HTTP/1.1\r\n" + who + "Transfer-Encoding: chunked\r\n\r\nzz\r\nsecret-path-77\r\n0\r\n\r\n",
		"GET /secret-path-77/%zz HTTP/1.1\r\n" + who + "\r\n",
		"GET /secret-path-77/ HTTP/9.9\r\n" + who + "\r\n",
	} {
		for _, addr := range []string{fastAddr, plainAddr} {
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.77")}}
			c, err := d.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(c, req)
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			io.Copy(io.Discard, c)
			c.Close()
		}
	}
	s.fast.Close()
	s.plain.Close()
	logs := s.logs.String()
	if !strings.Contains(logs, "error when serving connection") {
		t.Fatalf("fasthttp logged none of its errors:\n%s", logs)
	}
	for _, secret := range []string{"127.0.0.77", "DistinctAgent77", "referrer77", "secret-path-77"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs hold %q:\n%s", secret, logs)
		}
	}
}
