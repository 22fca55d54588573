package metrics

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

var routes = map[string]bool{"/": true, "/{service}/": true, "/{service}/a/{id}/": true, "/{service}/s/{section}/": true,
	"/{service}/archive/": true, "/{service}/lite/": true, "/{service}/lite/a/{id}/": true, "/{service}/safety/": true, "other": true}

func TestReaderRoute(t *testing.T) {
	for path, want := range map[string]string{
		"/": "/", "/ru/": "/{service}/", "/ru/a/12-slug/": "/{service}/a/{id}/", "/ru/a/12": "/{service}/a/{id}/",
		"/ru/s/world/": "/{service}/s/{section}/", "/ru/s/world/2/": "/{service}/s/{section}/", "/ru/archive/3/": "/{service}/archive/",
		"/ru/lite/": "/{service}/lite/", "/ru/lite/a/1-x/": "/{service}/lite/a/{id}/", "/ru/safety/": "/{service}/safety/",
		"/ru/x/y/z/": "other", "/../../etc/passwd": "other",
	} {
		if got := ReaderRoute(path); got != want {
			t.Errorf("ReaderRoute(%q) = %q, want %q", path, got, want)
		}
	}
}

func FuzzReaderRoute(f *testing.F) {
	for _, s := range []string{"/", "/ru/a/1-x/", "//", "/a/b/c/d/e", "/ru/lite/a/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		if r := ReaderRoute(path); !routes[r] {
			t.Fatalf("ReaderRoute(%q) = %q, a label a client made up", path, r)
		}
	})
}

func TestWrapCountsAndLogs(t *testing.T) {
	var log strings.Builder
	m := New(slog.New(slog.NewTextHandler(&log, nil)))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	h := m.Wrap(mux)
	for _, p := range []string{"/healthz", "/healthz", "/ru/a/5-secret-slug/?q=secret"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{`kolokol_http_requests_total{route="GET /healthz",status="200"} 2`,
		`kolokol_http_requests_total{route="/{service}/a/{id}/",status="404"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "secret") {
		t.Error("a path reached the metrics")
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[2], `method=GET route=/{service}/a/{id}/ status=404`) || !strings.Contains(lines[2], "bytes=") {
		t.Errorf("access log:\n%s", log.String())
	}
	if strings.Contains(log.String(), "secret") || strings.Contains(log.String(), "192.0.2.1") {
		t.Error("the access log holds the path, the query or the address")
	}
}
