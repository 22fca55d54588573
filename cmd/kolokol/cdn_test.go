package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kolokol/kolokol/cdn"
)

// purgeLog is a CDN's purge API on loopback: it records the keys of each
// call.
type purgeLog struct {
	mu   sync.Mutex
	keys [][]string
}

func (p *purgeLog) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.keys = append(p.keys, strings.Fields(r.Header.Get("Surrogate-Key")))
	p.mu.Unlock()
}

// purged waits until a call purged every key of want.
func (p *purgeLog) purged(t *testing.T, want ...string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		p.mu.Lock()
		for _, keys := range p.keys {
			if !slices.ContainsFunc(want, func(k string) bool { return !slices.Contains(keys, k) }) {
				p.mu.Unlock()
				return
			}
		}
		p.mu.Unlock()
	}
	t.Fatalf("no purge of %q in 10s; calls: %q", want, p.keys)
}

// TestCDNKeysAndPurge: reader pages name what they show (Surrogate-Key,
// Cache-Tag) and tell the CDN to keep them (Surrogate-Control), and a
// publish purges the keys of the story's page and its service's lists,
// which the pages that show it carry.
func TestCDNKeysAndPurge(t *testing.T) {
	pl := &purgeLog{}
	api := httptest.NewServer(http.HandlerFunc(pl.serve))
	defer api.Close()
	cfg, err := cdn.ParseConfig([]byte(`{"url":"` + api.URL + `/purge","headers":{"Surrogate-Key":"{keys}"},"batch":100}`))
	if err != nil {
		t.Fatal(err)
	}
	ta := newTestAppWith(t, Config{CDNPurge: cfg, CDNTTL: 24 * time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { ta.Purger.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	pl.purged(t, cdn.SiteKey) // the first start: no cursor yet

	a := ta.create(t, ta.tokens["editor-ru"], map[string]any{"service": "ru", "section": "world",
		"headline": "Срочно: выборы", "body": "Текст.", "tags": []string{"Выборы"}})
	a = ta.publish(t, ta.tokens["editor-ru"], a.ID)
	art := fmt.Sprintf("art:%d", a.ID)
	pl.purged(t, art, "list:ru", "tagged:ru/%D0%B2%D1%8B%D0%B1%D0%BE%D1%80%D1%8B")

	for path, want := range map[string][]string{
		ta.path(a):     {cdn.SiteKey, art},
		"/ru/":         {cdn.SiteKey, "list:ru", "svc:ru"},
		"/ru/feed.xml": {cdn.SiteKey, "list:ru"},
	} {
		r := ta.get(t, path)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d", path, r.status)
		}
		keys := strings.Fields(r.header.Get("Surrogate-Key"))
		tags := strings.Split(r.header.Get("Cache-Tag"), ",")
		for _, k := range want {
			if !slices.Contains(keys, k) || !slices.Contains(tags, k) {
				t.Errorf("%s: Surrogate-Key %q, Cache-Tag %q: want %s in both", path, keys, tags, k)
			}
		}
		if sc := r.header.Get("Surrogate-Control"); !strings.HasPrefix(sc, "max-age=86400,") || r.header.Get("CDN-Cache-Control") != sc {
			t.Errorf("%s: Surrogate-Control %q, CDN-Cache-Control %q, want max-age=86400 in both", path, sc, r.header.Get("CDN-Cache-Control"))
		}
		if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "max-age=30") || !strings.Contains(cc, "stale-if-error=") {
			t.Errorf("%s: Cache-Control %q: browsers keep pages 30 s, and a CDN serves them stale while the origin fails", path, cc)
		}
	}
	// A banner ending in ten minutes: the CDN keeps the service's pages
	// no longer, since nothing purges them when it ends.
	exp := time.Now().Add(10 * time.Minute).UTC().Format(time.RFC3339)
	if r := ta.api(t, "PUT", "/services/ru/breaking", ta.admin, map[string]any{"text": "Срочно", "expires_at": exp}); r.status != http.StatusOK {
		t.Fatalf("set banner: %d %s", r.status, r.body)
	}
	pl.purged(t, "svc:ru")
	var secs int
	if _, err := fmt.Sscanf(ta.get(t, "/ru/").header.Get("Surrogate-Control"), "max-age=%d,", &secs); err != nil || secs > 600 || secs < 590 {
		t.Errorf("/ru/ with a banner ending in 10 minutes: Surrogate-Control max-age %d (%v), want about 600", secs, err)
	}
	if r := ta.get(t, "/ru/a/999999-nothing/"); r.status != http.StatusNotFound || r.header.Get("Surrogate-Control") != "" {
		t.Errorf("a 404: status %d, Surrogate-Control %q: a CDN must not keep a 404 a day", r.status, r.header.Get("Surrogate-Control"))
	}
}
