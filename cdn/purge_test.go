package cdn_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/cdn"
	"github.com/kolokol/kolokol/changelog"
	"github.com/kolokol/kolokol/render"
	"github.com/kolokol/kolokol/store/sqlite"
)

func TestParseConfig(t *testing.T) {
	for _, tc := range []struct{ name, json, err string }{
		{"fastly", `{"url":"https://api.fastly.com/service/S/purge","headers":{"Fastly-Key":"T","Surrogate-Key":"{keys}"},"batch":256}`, ""},
		{"cloudflare", `{"url":"https://api.cloudflare.com/client/v4/zones/Z/purge_cache","headers":{"Authorization":"Bearer T","Content-Type":"application/json"},"body":"{\"tags\":{keys_json}}"}`, ""},
		{"varnish", `{"method":"PURGE","url":"http://127.0.0.1:6081/","headers":{"xkey-purge":"{keys}"}}`, ""},
		{"one key a request", `{"url":"https://api.fastly.com/service/S/purge/{key}","headers":{"Fastly-Key":"T"}}`, ""},
		{"no keys", `{"url":"https://cdn.example/purge"}`, "names no keys"},
		{"both", `{"url":"https://cdn.example/purge/{key}","body":"{keys}"}`, "not both"},
		{"bad url", `{"url":"ftp://cdn.example/","body":"{keys}"}`, "http:// or https://"},
		{"no url", `{"body":"{keys}"}`, "http:// or https://"},
		{"bad method", `{"method":"PUR GE","url":"https://cdn.example/","body":"{keys}"}`, "not an HTTP method"},
		{"bad header", `{"url":"https://cdn.example/","headers":{"X Key":"{keys}"}}`, "header name"},
		{"header injection", `{"url":"https://cdn.example/","headers":{"X-Key":"{keys}\r\nHost: evil"}}`, "line break"},
		{"batch", `{"url":"https://cdn.example/","body":"{keys}","batch":-1}`, "batch -1"},
		{"timeout", `{"url":"https://cdn.example/","body":"{keys}","timeout":"1h"}`, "timeout"},
		{"unknown field", `{"url":"https://cdn.example/","body":"{keys}","retries":3}`, "unknown field"},
		{"not json", `url=https://cdn.example/`, "not a purge template"},
		{"two values", `{"url":"https://cdn.example/","body":"{keys}"} {}`, "more than one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cdn.ParseConfig([]byte(tc.json))
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("err = %v, want one saying %q", err, tc.err)
			}
		})
	}
}

func TestLoadConfigNeedsPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "purge.json")
	if err := os.WriteFile(path, []byte(`{"url":"https://cdn.example/","body":"{keys}"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := cdn.LoadConfig(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a file others can read: err = %v, want a refusal naming chmod 600", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := cdn.LoadConfig(path); err != nil {
		t.Fatal(err)
	}
}

// call is one purge request as the endpoint saw it.
type call struct {
	method, path, body string
	header             http.Header
}

// endpoint is a purge API: it records each call and fails the first
// `fail` of them with a 503.
type endpoint struct {
	mu    sync.Mutex
	calls []call
	fail  int
	got   chan struct{}
}

func newEndpoint(t *testing.T, fail int) (*endpoint, *httptest.Server) {
	e := &endpoint{fail: fail, got: make(chan struct{}, 100)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		e.calls = append(e.calls, call{r.Method, r.URL.EscapedPath(), string(b), r.Header.Clone()})
		failing := e.fail > 0
		e.fail--
		e.mu.Unlock()
		if failing {
			http.Error(w, "try later", http.StatusServiceUnavailable)
		} else {
			io.WriteString(w, `{"status":"ok"}`)
		}
		e.got <- struct{}{}
	}))
	t.Cleanup(srv.Close)
	return e, srv
}

func (e *endpoint) all() []call {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.calls)
}

func config(t *testing.T, js string) *cdn.Config {
	t.Helper()
	c, err := cdn.ParseConfig([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPurgeRequests(t *testing.T) {
	ctx := context.Background()
	keys := []string{"art:7", "list:fa", "tagged:fa/%D8%A7", "latest:fa/world"}
	e, srv := newEndpoint(t, 0)
	for _, tc := range []struct {
		name  string
		json  string
		check func(t *testing.T, calls []call)
	}{
		{"Fastly, keys in a header, two a request", `{"url":"` + srv.URL + `/service/S/purge","headers":{"Fastly-Key":"T","Surrogate-Key":"{keys}"},"batch":2}`,
			func(t *testing.T, calls []call) {
				if len(calls) != 2 {
					t.Fatalf("%d calls, want 2", len(calls))
				}
				for i, want := range []string{"art:7 list:fa", "tagged:fa/%D8%A7 latest:fa/world"} {
					c := calls[i]
					if c.method != "POST" || c.path != "/service/S/purge" || c.header.Get("Surrogate-Key") != want || c.header.Get("Fastly-Key") != "T" {
						t.Errorf("call %d: %s %s Surrogate-Key %q Fastly-Key %q, want POST /service/S/purge %q T", i, c.method, c.path, c.header.Get("Surrogate-Key"), c.header.Get("Fastly-Key"), want)
					}
				}
			}},
		{"Cloudflare, keys as JSON", `{"url":"` + srv.URL + `/zones/Z/purge_cache","headers":{"Authorization":"Bearer T"},"body":"{\"tags\":{keys_json}}"}`,
			func(t *testing.T, calls []call) {
				if len(calls) != 1 {
					t.Fatalf("%d calls, want 1", len(calls))
				}
				var body struct{ Tags []string }
				if err := json.Unmarshal([]byte(calls[0].body), &body); err != nil {
					t.Fatalf("body %q: %v", calls[0].body, err)
				}
				if !slices.Equal(body.Tags, keys) || calls[0].header.Get("Authorization") != "Bearer T" {
					t.Errorf("tags %q, Authorization %q", body.Tags, calls[0].header.Get("Authorization"))
				}
			}},
		{"Varnish xkey, comma-separated", `{"method":"PURGE","url":"` + srv.URL + `/","headers":{"xkey-purge":"{keys_comma}"}}`,
			func(t *testing.T, calls []call) {
				if len(calls) != 1 || calls[0].method != "PURGE" || calls[0].header.Get("Xkey-Purge") != strings.Join(keys, ",") {
					t.Errorf("calls %+v", calls)
				}
			}},
		{"one key a request, in the path", `{"url":"` + srv.URL + `/service/S/purge/{key}","headers":{"Fastly-Key":"T"}}`,
			func(t *testing.T, calls []call) {
				var paths []string
				for _, c := range calls {
					paths = append(paths, c.path)
				}
				want := []string{"/service/S/purge/art:7", "/service/S/purge/list:fa", "/service/S/purge/tagged:fa%2F%25D8%25A7", "/service/S/purge/latest:fa%2Fworld"}
				if !slices.Equal(paths, want) {
					t.Errorf("paths %q, want %q", paths, want)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(e.all())
			p := cdn.NewPurger(nil, config(t, tc.json), nil, nil)
			if err := p.Purge(ctx, keys); err != nil {
				t.Fatal(err)
			}
			tc.check(t, e.all()[before:])
		})
	}
}

func TestPurgeRefusesRedirectsAndNames5xx(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		http.Error(w, "bad token", http.StatusUnauthorized)
	}))
	defer srv.Close()
	for path, want := range map[string]string{"/moved": "302 Found", "/purge": `401 Unauthorized: "bad token"`} {
		p := cdn.NewPurger(nil, config(t, `{"url":"`+srv.URL+path+`","headers":{"Surrogate-Key":"{keys}"}}`), nil, nil)
		err := p.Purge(context.Background(), []string{"art:1"})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want one naming %s", path, err, want)
		}
	}
}

// TestPurgerFollowsTheLog: a story published purges exactly its pages'
// keys; a purge the CDN refuses is retried until it goes through, and the
// purger's cursor does not pass a change whose purge has not been made,
// even across a restart.
func TestPurgerFollowsTheLog(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	path := filepath.Join(t.TempDir(), "kolokol.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.CreateService(ctx, &kolokol.Service{Code: "fa", Tag: "fa", Script: "Arab", Direction: kolokol.RTL,
		Name: "فارسی", TimeZone: "Asia/Tehran"}); err != nil {
		t.Fatal(err)
	}
	e, srv := newEndpoint(t, 2)
	cfg := config(t, `{"url":"`+srv.URL+`/purge","headers":{"Surrogate-Key":"{keys}"},"batch":100}`)
	p := cdn.NewPurger(st, cfg, render.Deps, nil)
	p.Retry, p.MaxRetry = 10*time.Millisecond, 20*time.Millisecond
	hub := changelog.NewHub(nil, changelog.New(st, "", p.Consumer(), nil))
	if err := hub.Start(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()

	// The first start has no cursor: the whole site is purged, through
	// the two refusals.
	waitCalls(t, e, 3)
	if c := e.all(); c[2].header.Get("Surrogate-Key") != cdn.SiteKey {
		t.Fatalf("first purge: %q, want %q", c[2].header.Get("Surrogate-Key"), cdn.SiteKey)
	}

	a := &kolokol.Article{Service: "fa", Headline: "خبر", Slug: "khabar", Status: kolokol.StatusPublished,
		Tags: []string{"ایران"}, PublishedAt: time.Now().Add(-time.Minute)}
	if err := st.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	hub.Poke(ctx)
	waitCalls(t, e, 4)
	got := strings.Fields(e.all()[3].header.Get("Surrogate-Key"))
	_, last, err := st.ChangeBounds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := st.FindChanges(ctx, last-1, 1)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, d := range render.Deps(*changes[0]) {
		want = append(want, cdn.Key(d))
	}
	if !slices.Equal(got, want) || !slices.Contains(got, "tagged:fa/%D8%A7%DB%8C%D8%B1%D8%A7%D9%86") || !slices.Contains(got, "list:fa") {
		t.Fatalf("publish purged %q, want %q (the story, its lists and its tag)", got, want)
	}
	waitCursor(t, p, last)

	// The CDN refuses: the cursor stays, and a new purger (a restart)
	// makes the purge once it is accepted.
	e.mu.Lock()
	e.fail = 1000
	e.mu.Unlock()
	a.Headline = "خبر تازه"
	if err := st.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	hub.Poke(ctx)
	waitCalls(t, e, 5)
	cancel()
	<-done
	if p.Cursor() != last {
		t.Fatalf("cursor %d moved past a change whose purge failed (%d)", p.Cursor(), last)
	}
	e.mu.Lock()
	e.fail = 0
	e.mu.Unlock()
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	p2 := cdn.NewPurger(st, cfg, render.Deps, nil)
	n := len(e.all())
	go p2.Run(ctx2)
	waitCalls(t, e, n+1)
	if k := e.all()[n].header.Get("Surrogate-Key"); !strings.Contains(k, "art:"+itoa(a.ID)) {
		t.Fatalf("after the restart: purged %q, want the story's key", k)
	}
	_, last2, _ := st.ChangeBounds(ctx2)
	waitCursor(t, p2, last2)
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func waitCalls(t *testing.T, e *endpoint, n int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for len(e.all()) < n {
		select {
		case <-e.got:
		case <-deadline:
			t.Fatalf("%d purge calls after 10s, want %d", len(e.all()), n)
		}
	}
}

func waitCursor(t *testing.T, p *cdn.Purger, want int64) {
	t.Helper()
	for i := 0; p.Cursor() != want; i++ {
		if i > 1000 {
			t.Fatalf("cursor %d, want %d", p.Cursor(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
