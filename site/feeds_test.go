package site

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// TestFeedsServed: feeds, sitemaps, ninjs and robots.txt come from the
// page cache with their types and ETags, gzipped to a client that takes
// it. (That a change reaches them is the dependency oracle's to prove, in
// package render.)
func TestFeedsServed(t *testing.T) {
	f := newSiteFixture(t)
	id := strconv.FormatInt(f.ru.ID, 10)
	for path, ctype := range map[string]string{
		"/ru/feed.xml":                 "application/rss+xml; charset=utf-8",
		"/ru/atom.xml":                 "application/atom+xml; charset=utf-8",
		"/fa/feed.json":                "application/feed+json",
		"/ru/s/world/feed.xml":         "application/rss+xml; charset=utf-8",
		"/ru/a/" + id + ".ninjs2.json": "application/json",
		"/sitemap.xml":                 "application/xml; charset=utf-8",
		"/ru/sitemap-1.xml":            "application/xml; charset=utf-8",
		"/ru/news-sitemap.xml":         "application/xml; charset=utf-8",
	} {
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("Accept-Encoding", "gzip")
		w := httptest.NewRecorder()
		f.handler.ServeHTTP(w, r)
		if w.Code != 200 || w.Header().Get("Content-Type") != ctype {
			t.Errorf("%s: %d %q", path, w.Code, w.Header().Get("Content-Type"))
			continue
		}
		body := w.Body.Bytes()
		if w.Header().Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		} else if len(body) > 512 {
			t.Errorf("%s (%d bytes) is not gzipped", path, len(body))
		}
		if len(body) == 0 || w.Header().Get("ETag") == "" {
			t.Errorf("%s: %d bytes, ETag %q", path, len(body), w.Header().Get("ETag"))
		}
	}
	if w := f.get(t, "/robots.txt"); !strings.Contains(w.Body.String(), "Sitemap: https://news.example.org/sitemap.xml") {
		t.Errorf("robots.txt: %q", w.Body.String())
	}
}
