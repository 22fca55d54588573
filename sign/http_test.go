package sign

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// mirror serves a tree under a path prefix, as a static host would, and
// records the paths asked for.
type mirror struct {
	dir      string
	override map[string]http.HandlerFunc // by path below the prefix
	mu       sync.Mutex
	asked    []string
}

const prefix = "/mirrors/новости/"

func (m *mirror) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	m.asked = append(m.asked, r.URL.Path)
	m.mu.Unlock()
	p, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if h := m.override[p]; h != nil {
		h(w, r)
		return
	}
	http.ServeFile(w, r, filepath.Join(m.dir, filepath.FromSlash(p)))
}

func serveMirror(t *testing.T, dir string, override map[string]http.HandlerFunc) (*mirror, *HTTPSource) {
	t.Helper()
	m := &mirror{dir: dir, override: override}
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	src, err := NewHTTPSource(srv.URL+prefix[:len(prefix)-1], srv.Client()) // no trailing slash: one is added
	if err != nil {
		t.Fatal(err)
	}
	return m, src
}

func html(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html")
	io.WriteString(w, "<!doctype html><title>Access denied</title><p>This site is blocked.")
}

func forbidden(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, "<Error><Code>AccessDenied</Code></Error>", http.StatusForbidden)
}

// endless is a body that never ends.
func endless(w http.ResponseWriter, r *http.Request) {
	buf := bytes.Repeat([]byte("{"), 64<<10)
	for r.Context().Err() == nil {
		if _, err := w.Write(buf); err != nil {
			return
		}
	}
}

func TestVerifyHTTP(t *testing.T) {
	s, _ := newSigner(t)
	tests := []struct {
		name     string
		override map[string]http.HandlerFunc
		tamper   func(t *testing.T, dir string)
		opt      Options
		reason   error // nil: passes
		msg      string
		want     []string
	}{
		{name: "good mirror under a path prefix"},
		{name: "a page changed, one removed", tamper: func(t *testing.T, dir string) {
			mustWrite(t, filepath.Join(dir, "ru", "index.html"), "<p>fake</p>")
			os.Remove(filepath.Join(dir, "static", "site.css"))
		}, reason: ErrTampered, msg: "1 missing, 1 altered", want: []string{"altered ru/index.html", "missing static/site.css"}},
		{name: "HTML instead of the manifest", override: map[string]http.HandlerFunc{ManifestFile: html},
			reason: ErrNotManifest, msg: "manifest.json: the mirror answered an HTML page"},
		{name: "HTML instead of the signature", override: map[string]http.HandlerFunc{ManifestFile + SigSuffix: html},
			reason: ErrNotManifest, msg: "manifest.json.minisig: the mirror answered an HTML page"},
		{name: "no manifest", override: map[string]http.HandlerFunc{ManifestFile: http.NotFound},
			reason: ErrNoManifest, msg: "no manifest.json"},
		{name: "a bucket that answers 403 for what it lacks", override: map[string]http.HandlerFunc{"static/site.css": forbidden, NextPrefix + ManifestFile: forbidden},
			reason: ErrTampered, want: []string{"missing static/site.css"}},
		{name: "endless manifest", override: map[string]http.HandlerFunc{ManifestFile: endless}, opt: Options{MaxManifestBytes: 1 << 20},
			reason: ErrTooLarge, msg: "manifest.json is larger than 1048576 bytes"},
		{name: "endless page", override: map[string]http.HandlerFunc{"static/site.css": endless},
			reason: ErrTampered, want: []string{"altered static/site.css"}},
		{name: "a page answered with a block page", override: map[string]http.HandlerFunc{"ru/index.html": html},
			reason: ErrTampered, want: []string{"altered ru/index.html"}},
		{name: "path tricks in a signed manifest", tamper: func(t *testing.T, dir string) {
			signRaw(t, s, dir, "", rawManifest(s.id, 5, `{"path":"../../secret","sha256":"`+hashOfEmpty+`","size":0}`),
				"kolokol origin=https://news.example.org edition=5 time=2026-11-30T09:00:00Z")
		}, reason: ErrMalformed, msg: `path "../../secret" has a ".." segment`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, e := export(t, s, 5, site())
			if tt.tamper != nil {
				tt.tamper(t, dir)
			}
			m, src := serveMirror(t, dir, tt.override)
			opt := tt.opt
			opt.Keys = s.Keyring()
			r, err := Verify(context.Background(), src, opt)
			if tt.reason == nil {
				if err != nil || r.Listed || r.Files != len(site()) || r.Parts != len(e.Manifest.Parts) || len(r.Findings) != 0 {
					t.Fatalf("%v %+v\n%s", err, r, findings(r))
				}
			} else if !errors.Is(err, tt.reason) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err %v, want %v saying %q\n%s", err, tt.reason, tt.msg, findings(r))
			}
			if tt.want != nil && !has(r, tt.want...) {
				t.Errorf("findings:\n%swant %q", findings(r), tt.want)
			}
			m.mu.Lock()
			defer m.mu.Unlock()
			for _, p := range m.asked {
				if !strings.HasPrefix(p, prefix) || strings.Contains(p, "..") {
					t.Errorf("asked for %q, outside the mirror", p)
				}
			}
		})
	}
}

func TestVerifyHTTPFailures(t *testing.T) {
	s, _ := newSigner(t)
	dir, _ := export(t, s, 5, site())

	t.Run("server error on a page: could not tell, not tampered", func(t *testing.T) {
		_, src := serveMirror(t, dir, map[string]http.HandlerFunc{"ru/index.html": func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}})
		r, err := Verify(context.Background(), src, Options{Keys: s.Keyring()})
		var refusal *Refusal
		if err == nil || errors.As(err, &refusal) || !strings.Contains(err.Error(), "1 files could not be read") || !has(r, "unreadable ru/index.html") {
			t.Fatalf("%v\n%s", err, findings(r))
		}
	})

	t.Run("cancelled while the mirror stalls", func(t *testing.T) {
		asked := make(chan struct{})
		_, src := serveMirror(t, dir, map[string]http.HandlerFunc{ManifestFile: func(w http.ResponseWriter, r *http.Request) {
			close(asked)
			<-r.Context().Done()
		}})
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-asked; cancel() }()
		_, err := Verify(ctx, src, Options{Keys: s.Keyring()})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("%v", err)
		}
	})

	for _, base := range []string{"ftp://mirror.example.net/", "https://mirror.example.net/?a=1", "mirror.example.net", "https:///x"} {
		if _, err := NewHTTPSource(base, nil); err == nil {
			t.Errorf("%q: accepted", base)
		}
	}
	src, err := NewHTTPSource("https://mirror.example.net/a b/", nil)
	if err != nil || src.URL("ru/a/12-паром/index.html") != "https://mirror.example.net/a%20b/ru/a/12-%D0%BF%D0%B0%D1%80%D0%BE%D0%BC/index.html" {
		t.Errorf("%v %s", err, src.URL("ru/a/12-паром/index.html"))
	}
}

// TestVerifyFetchFunc is how a mirror push checks a target it can read
// back: files fetched by a function, none listed.
func TestVerifyFetchFunc(t *testing.T) {
	s, _ := newSigner(t)
	files := site()
	e := signNext(t, s, 3, files)
	for _, f := range append(e.Files(false), e.Parts()...) {
		files[f.Name] = string(f.Data)
	}
	fetch := FetchFunc(func(_ context.Context, p string) (io.ReadCloser, error) {
		body, ok := files[p]
		if !ok {
			return nil, fs.ErrNotExist
		}
		return io.NopCloser(strings.NewReader(body)), nil
	})
	r, err := Verify(context.Background(), fetch, Options{Keys: s.Keyring(), MinEdition: 3})
	if err != nil || r.Listed || r.Edition.Edition != 3 {
		t.Fatalf("%v %+v", err, r)
	}
	files["index.html"] = "changed"
	if _, err := Verify(context.Background(), fetch, Options{Keys: s.Keyring()}); !errors.Is(err, ErrTampered) {
		t.Fatalf("%v", err)
	}
}
