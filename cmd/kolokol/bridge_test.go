package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// bridgeServer serves h as the public listener serves the net/http handler
// (the same fasthttp settings and bridge), and returns its address.
func bridgeServer(t *testing.T, h http.Handler) (addr string, logs *syncBuffer) {
	t.Helper()
	logs = &syncBuffer{}
	errlog := log.New(logs, "", 0)
	ln := listenLoopback(t)
	srv := fastServer((&netBridge{h: h, errlog: errlog}).serve, errlog, defaultLimits)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Shutdown() })
	return ln.Addr().String(), logs
}

// TestBridgeOwnsItsStrings: what a handler keeps of a request (a map key
// cut from the path, a header value, a query value) stays as it was after
// later requests on the same connection, which fasthttp reads into the
// same buffers. fasthttpadaptor fails this.
func TestBridgeOwnsItsStrings(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]string{} // first path segment -> header value
	var queries []string
	addr, _ := bridgeServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		service, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		mu.Lock()
		seen[service] = r.Header.Get("X-Note")
		queries = append(queries, r.URL.Query().Get("q"))
		mu.Unlock()
	}))
	c := &http.Client{}
	want := map[string]string{}
	for i, service := range []string{"ru", "fa", "ka", "uk", "en"} {
		req, _ := http.NewRequest("GET", fmt.Sprintf("http://%s/%s/a/%d-xxxxxxxx/?q=query%d", addr, service, i, i), nil)
		req.Header.Set("X-Note", "note of "+service)
		want[service] = "note of " + service
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	for service, note := range want {
		if got, ok := seen[service]; !ok || got != note {
			t.Errorf("seen[%q] = %q, %v; want %q", service, got, ok, note)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("the map holds %d keys, want %d: %q", len(seen), len(want), seen)
	}
	for i, q := range queries {
		if q != fmt.Sprintf("query%d", i) {
			t.Errorf("query %d kept as %q", i, q)
		}
	}
}

// TestBridgePanic: a handler's panic ends its connection without an
// answer, is logged without an address, and the server goes on serving.
func TestBridgePanic(t *testing.T) {
	addr, logs := bridgeServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/panic":
			panic("handler bug")
		case "/abort":
			panic(http.ErrAbortHandler)
		}
		io.WriteString(w, "ok")
	}))
	for _, p := range []string{"/panic", "/abort"} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", p)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if b, err := io.ReadAll(c); len(b) > 0 || err != nil {
			t.Errorf("%s: %q, %v; want the connection closed without an answer", p, b, err)
		}
		c.Close()
	}
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatalf("the server stopped after a panic: %v", err)
	}
	resp.Body.Close()
	l := logs.String()
	if strings.Count(l, "panic serving") != 1 || !strings.Contains(l, "handler bug") || strings.Contains(l, "127.0.0.1") {
		t.Errorf("logs:\n%s", l)
	}
}

// TestBridgeStreams: a handler refuses a large body before it has arrived
// (nothing is read ahead of it beyond fastReadAhead); a response longer
// than bufferedBody streams, with its Content-Length when the handler gave
// one; HEAD and 304 send no body.
func TestBridgeStreams(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	addr, _ := bridgeServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/refuse":
			http.Error(w, "no", http.StatusUnauthorized)
		case "/echo":
			b, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			w.Write(b)
		case "/sized":
			w.Header().Set("Content-Length", fmt.Sprint(len(big)))
			w.Write(big)
		case "/unsized":
			w.Write(big)
		case "/flushed":
			io.WriteString(w, "first ")
			w.(http.Flusher).Flush()
			io.WriteString(w, "second")
		case "/not-modified":
			w.Header().Set("Etag", `"x"`)
			w.WriteHeader(http.StatusNotModified)
			io.WriteString(w, "not sent")
		}
	}))

	// 64 MiB announced, a little more than the read-ahead sent: the
	// answer comes anyway.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", 64<<20, strings.Repeat("x", fastReadAhead+1024))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a refused upload: %v %v; want 401 before its body", resp, err)
	}

	// A body read by the handler streams to it in full.
	resp, err := http.Post("http://"+addr+"/echo", "application/octet-stream", bytes.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	echoed, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(echoed, big) {
		t.Errorf("echo: %d bytes back of %d", len(echoed), len(big))
	}

	for _, c := range []struct {
		method, path string
		length       int64 // -1: chunked
		body         string
		status       int
	}{
		{"GET", "/sized", int64(len(big)), string(big), 200},
		{"GET", "/unsized", -1, string(big), 200},
		{"GET", "/flushed", -1, "first second", 200},
		{"HEAD", "/sized", int64(len(big)), "", 200},
		{"GET", "/not-modified", 0, "", 304},
	} {
		req, _ := http.NewRequest(c.method, "http://"+addr+c.path, nil)
		resp, err := (&http.Transport{}).RoundTrip(req)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != c.status || resp.ContentLength != c.length && c.status != 304 || string(b) != c.body {
			t.Errorf("%s %s: %d, length %d, %d bytes, %v; want %d, %d, %d bytes", c.method, c.path, resp.StatusCode,
				resp.ContentLength, len(b), err, c.status, c.length, len(c.body))
		}
	}
}
