package main

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/demo"
)

// testApp is a running server over a real SQLite file, seeded with the demo
// newsroom, plus tokens of each kind.
type testApp struct {
	*App
	srv    *testServer
	data   string // the data directory
	logs   *bytes.Buffer
	logBuf *syncBuffer // the logs of apps whose server logs from many goroutines
	admin  string      // demo admin token
	demo   *demo.Result
	tokens map[string]string
}

func newTestApp(t testing.TB) *testApp { return newTestAppWith(t, Config{}) }

// newTestAppWith is newTestApp with settings of serve (its data directory,
// base URL and logger are the test's own).
func newTestAppWith(t testing.TB, cfg Config) *testApp {
	t.Helper()
	ctx := context.Background()
	logs := &bytes.Buffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ln := listenLoopback(t)
	base := "http://" + ln.Addr().String()
	data := t.TempDir()
	cfg.Data, cfg.BaseURL, cfg.Logger = data, base, logger
	app, err := NewAppWith(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	res, err := demo.Seed(ctx, app.Store, app.Desk, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, ln, app, logger, testNetHTTP(), defaultLimits)
	ta := &testApp{App: app, srv: srv, data: data, logs: logs, admin: res.AdminToken, demo: res, tokens: map[string]string{}}
	for name, tok := range map[string]kolokol.Token{
		"reporter-ru": {Role: kolokol.RoleReporter, Services: []string{"ru"}},
		"editor-ru":   {Role: kolokol.RoleEditor, Services: []string{"ru"}},
		"editor-fa":   {Role: kolokol.RoleEditor, Services: []string{"fa"}},
	} {
		secret, hash := kolokol.NewToken()
		tok.Name, tok.Hash = name, hash
		if err := app.Store.CreateToken(ctx, &tok); err != nil {
			t.Fatal(err)
		}
		ta.tokens[name] = secret
	}
	return ta
}

// testServer serves an app on a loopback port with the public listener's
// server, as kolokol serve does.
type testServer struct {
	URL    string
	server *publicServer
	served chan error
	once   sync.Once
}

func listenLoopback(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// testNetHTTP reports whether the tests run on net/http alone (kolokol
// serve --net-http): KOLOKOL_TEST_NET_HTTP=1 go test ./cmd/kolokol.
func testNetHTTP() bool { return os.Getenv("KOLOKOL_TEST_NET_HTTP") == "1" }

func startServer(t testing.TB, ln net.Listener, app *App, logger *slog.Logger, netHTTP bool, lim serverLimits) *testServer {
	t.Helper()
	s := &testServer{URL: "http://" + ln.Addr().String(), server: newPublicServer(app, logger, netHTTP, lim), served: make(chan error, 1)}
	go func() { s.served <- s.server.Serve(ln) }()
	t.Cleanup(s.Close)
	return s
}

// Close shuts the server down as SIGTERM does: every request in flight
// finishes (and logs) before it returns.
func (s *testServer) Close() {
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.server.Shutdown(ctx)
		<-s.served
	})
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (ta *testApp) do(t testing.TB, method, path, token string, body io.Reader, hdr ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, ta.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	// No transparent gzip: tests see exactly what the server sent.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

func (ta *testApp) get(t testing.TB, path string, hdr ...string) response {
	return ta.do(t, "GET", path, "", nil, hdr...)
}

func (ta *testApp) api(t testing.TB, method, path, token string, body any) response {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	return ta.do(t, method, "/api/v1"+path, token, r)
}

type apiArticle struct {
	ID          int64  `json:"id"`
	Service     string `json:"service"`
	Slug        string `json:"slug"`
	Headline    string `json:"headline"`
	Status      string `json:"status"`
	Version     int    `json:"version"`
	URL         string `json:"url"`
	Corrections []struct {
		Text string `json:"text"`
	} `json:"corrections"`
}

func (ta *testApp) create(t testing.TB, token string, body map[string]any) apiArticle {
	t.Helper()
	r := ta.api(t, "POST", "/articles", token, body)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var a apiArticle
	r.json(t, &a)
	return a
}

func (ta *testApp) publish(t testing.TB, token string, id int64) apiArticle {
	t.Helper()
	r := ta.api(t, "POST", fmt.Sprintf("/articles/%d/publish", id), token, nil)
	if r.status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	var a apiArticle
	r.json(t, &a)
	return a
}

// path returns the reader path of an API article URL.
func (ta *testApp) path(a apiArticle) string { return strings.TrimPrefix(a.URL, ta.srv.URL) }

func pngFile(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	img.Set(0, 0, color.White)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func multipartBody(t testing.TB, field, name string, data []byte) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func kolokolFilterAll() kolokol.ArticleFilter { return kolokol.ArticleFilter{} }

// pngHeader is a well-formed PNG declaring w x h pixels with a few bytes of
// image data: the shape of a decompression bomb.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(data)))
		b.Write(n[:])
		body := append([]byte(typ), data...)
		b.Write(body)
		binary.BigEndian.PutUint32(n[:], crc32.ChecksumIEEE(body))
		b.Write(n[:])
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 1024))
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

// syncBuffer is a bytes.Buffer safe for a server goroutine and a test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
