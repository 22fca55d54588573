package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// readerPaths returns one path of every reader page type in the demo.
func readerPaths(t *testing.T, ta *testApp) map[string]string {
	t.Helper()
	home := string(ta.get(t, "/en/").body)
	m := regexp.MustCompile(`href="((?:\./)?a/\d+-[^"]+/)"`).FindStringSubmatch(home)
	if m == nil {
		t.Fatalf("no article link on the English home:\n%s", home)
	}
	return map[string]string{
		"portal":       "/",
		"service home": "/en/",
		"rtl home":     "/fa/",
		"section":      "/en/s/world/",
		"archive":      "/en/archive/",
		"article":      "/en/" + strings.TrimPrefix(m[1], "./"),
		"404":          "/en/no-such-page/",
		"css":          ta.Site.Builder().StylePath(),
	}
}

func TestReaderPrivacyHeaders(t *testing.T) {
	ta := newTestApp(t)
	for name, path := range readerPaths(t, ta) {
		t.Run(name, func(t *testing.T) {
			r := ta.get(t, path, "Cookie", "tracking=1")
			want := 200
			if name == "404" {
				want = 404
			}
			if r.status != want {
				t.Fatalf("%s: status %d", path, r.status)
			}
			if c := r.header.Values("Set-Cookie"); len(c) > 0 {
				t.Errorf("Set-Cookie on a reader page: %q", c)
			}
			for h, v := range map[string]string{
				"Referrer-Policy":        "no-referrer",
				"X-Content-Type-Options": "nosniff",
			} {
				if got := r.header.Get(h); got != v {
					t.Errorf("%s = %q, want %q", h, got, v)
				}
			}
			csp := r.header.Get("Content-Security-Policy")
			for _, part := range []string{"default-src 'none'", "style-src 'self'", "img-src 'self'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, part) {
					t.Errorf("CSP %q lacks %q", csp, part)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "script-src") && !strings.Contains(csp, "script-src 'none'") {
				t.Errorf("CSP allows scripts: %q", csp)
			}
			pp := r.header.Get("Permissions-Policy")
			for _, f := range []string{"camera=()", "geolocation=()", "microphone=()", "interest-cohort=()"} {
				if !strings.Contains(pp, f) {
					t.Errorf("Permissions-Policy lacks %s", f)
				}
			}
			body := string(r.body)
			if strings.Contains(body, "<script") && !strings.Contains(body, `<script type="application/ld+json">`) {
				t.Error("page carries a script")
			}
			// A plain link out that gives the other site neither the page
			// nor a handle on it (a post's card) loads nothing; anything
			// else naming another host would.
			body = regexp.MustCompile(`<a href="https://[^"]*" rel="noopener noreferrer">`).ReplaceAllString(body, "<a>")
			for _, m := range regexp.MustCompile(`(?:src|href|content)="((?:https?:)?//[^"]*)"`).FindAllStringSubmatch(body, -1) {
				if !strings.HasPrefix(m[1], ta.srv.URL+"/") {
					t.Errorf("page refers to another host: %s", m[0])
				}
			}
		})
	}
}

func TestReaderCaching(t *testing.T) {
	ta := newTestApp(t)
	path := readerPaths(t, ta)["article"]
	first := ta.get(t, path)
	etag, mod := first.header.Get("ETag"), first.header.Get("Last-Modified")
	if etag == "" || mod == "" {
		t.Fatalf("no validators: ETag %q Last-Modified %q", etag, mod)
	}
	cc := first.header.Get("Cache-Control")
	if !strings.Contains(cc, "max-age=") || !strings.Contains(cc, "stale-while-revalidate=") {
		t.Errorf("Cache-Control %q", cc)
	}
	if r := ta.get(t, path, "If-None-Match", etag); r.status != http.StatusNotModified || len(r.body) != 0 {
		t.Errorf("If-None-Match: %d", r.status)
	}
	if r := ta.get(t, path, "If-None-Match", `"other"`, "If-Modified-Since", mod); r.status != 200 {
		t.Errorf("If-None-Match wins over If-Modified-Since: got %d", r.status)
	}
	if r := ta.get(t, path, "If-Modified-Since", mod); r.status != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %d", r.status)
	}
	if r := ta.get(t, path, "If-Modified-Since", time.Unix(0, 0).UTC().Format(http.TimeFormat)); r.status != 200 {
		t.Errorf("old If-Modified-Since: %d", r.status)
	}

	// Compressed: the client asks, gets gzip with its own ETag, and the
	// bytes decompress to the identity body.
	req, _ := http.NewRequest("GET", ta.srv.URL+path, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("gzip: encoding %q vary %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
	}
	if resp.Header.Get("ETag") == etag {
		t.Error("gzip and identity share an ETag")
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Equal(plain, first.body) {
		t.Error("gzip body differs from the identity body")
	}

	head := ta.do(t, "HEAD", path, "", nil)
	if head.status != 200 || len(head.body) != 0 || head.header.Get("Content-Length") != fmt.Sprint(len(first.body)) {
		t.Errorf("HEAD: %d, %d bytes, Content-Length %q", head.status, len(head.body), head.header.Get("Content-Length"))
	}
	if r := ta.do(t, "POST", path, "", strings.NewReader("x")); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST to a reader page: %d", r.status)
	}
}

func TestReaderRedirectsAnd404(t *testing.T) {
	ta := newTestApp(t)
	a := ta.create(t, ta.admin, map[string]any{"service": "ka", "headline": "ძველი სათაური", "body": "x"})
	a = ta.publish(t, ta.admin, a.ID)
	oldPath := ta.path(a)
	if r := ta.get(t, oldPath); r.status != 200 {
		t.Fatalf("new story: %d", r.status)
	}
	r := ta.api(t, "PATCH", fmt.Sprintf("/articles/%d", a.ID), ta.admin, map[string]any{"version": a.Version, "headline": "ახალი სათაური"})
	if r.status != 200 {
		t.Fatalf("edit headline: %d %s", r.status, r.body)
	}
	var edited apiArticle
	r.json(t, &edited)
	if edited.URL == a.URL {
		t.Fatal("slug did not follow the headline")
	}
	for _, from := range []string{oldPath, fmt.Sprintf("/ka/a/%d/", a.ID), strings.TrimSuffix(ta.path(edited), "/")} {
		r := ta.get(t, from)
		if r.status != http.StatusMovedPermanently || r.header.Get("Location") != ta.path(edited) && !strings.HasSuffix(from, "-"+edited.Slug) {
			t.Errorf("%s: %d to %q", from, r.status, r.header.Get("Location"))
		}
	}
	nf := ta.get(t, "/ru/такой-страницы-нет/")
	if nf.status != 404 || !strings.Contains(string(nf.body), `lang="ru"`) {
		t.Errorf("service 404: %d", nf.status)
	}
	if nf := ta.get(t, "/zz/"); nf.status != 404 {
		t.Errorf("unknown service: %d", nf.status)
	}
	if nf := ta.get(t, fmt.Sprintf("/ru/a/%d-x/", a.ID)); nf.status != 404 {
		t.Errorf("a Georgian story under /ru/: %d", nf.status)
	}
}

func TestCacheInvalidation(t *testing.T) {
	ta := newTestApp(t)
	tok := ta.admin
	// Warm the cache with every page a change could touch.
	warm := func(paths ...string) {
		for _, p := range paths {
			ta.get(t, p)
		}
	}
	a := ta.create(t, tok, map[string]any{"service": "uk", "section": "world", "headline": "Перша версія", "body": "Текст один."})
	warm("/uk/", "/uk/s/world/", "/uk/archive/", "/en/")

	a = ta.publish(t, tok, a.ID)
	for _, p := range []string{"/uk/", "/uk/s/world/", "/uk/archive/"} {
		if !strings.Contains(string(ta.get(t, p).body), "Перша версія") {
			t.Errorf("publish: %s does not list the new story", p)
		}
	}
	if !ta.Site.Cache().Has("/en/") {
		t.Error("publishing in uk dropped the English home from the cache")
	}

	warm(ta.path(a))
	r := ta.api(t, "PATCH", fmt.Sprintf("/articles/%d", a.ID), tok, map[string]any{"version": a.Version, "body": "Текст два."})
	if r.status != 200 {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	if page := string(ta.get(t, ta.path(a)).body); !strings.Contains(page, "Текст два.") || strings.Contains(page, "Текст один.") {
		t.Error("edit: the article page is stale")
	}

	warm("/uk/", ta.path(a))
	if r := ta.api(t, "POST", fmt.Sprintf("/articles/%d/unpublish", a.ID), tok, nil); r.status != 200 {
		t.Fatalf("unpublish: %d", r.status)
	}
	if r := ta.get(t, ta.path(a)); r.status != 404 {
		t.Errorf("unpublish: article still served (%d)", r.status)
	}
	if strings.Contains(string(ta.get(t, "/uk/").body), "Перша версія") {
		t.Error("unpublish: the home still lists the story")
	}

	warm("/uk/", "/uk/archive/", "/ru/")
	if r := ta.api(t, "PUT", "/services/uk/breaking", tok, map[string]any{"text": "Термінова новина", "expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}); r.status != 200 {
		t.Fatalf("set breaking: %d %s", r.status, r.body)
	}
	for _, p := range []string{"/uk/", "/uk/archive/"} {
		if !strings.Contains(string(ta.get(t, p).body), "Термінова новина") {
			t.Errorf("breaking set: %s lacks the banner", p)
		}
	}
	if !ta.Site.Cache().HasPage("/ru/") { // with the demo's notice for ru
		t.Error("breaking news in uk dropped the Russian home")
	}
	if r := ta.api(t, "DELETE", "/services/uk/breaking", tok, nil); r.status != 204 {
		t.Fatalf("clear breaking: %d", r.status)
	}
	if strings.Contains(string(ta.get(t, "/uk/").body), "Термінова новина") {
		t.Error("breaking cleared: the banner is still shown")
	}
}

func TestNoReaderAddressInLogs(t *testing.T) {
	ta := newTestApp(t)
	for _, p := range readerPaths(t, ta) {
		ta.get(t, p, "User-Agent", "DistinctiveAgent/1.0", "Referer", "https://distinctive-referrer.example/")
	}
	// A malformed request makes net/http log through the server's ErrorLog.
	ta.srv.server.errlog.Printf("http: TLS handshake error from 127.0.0.77:54321: EOF")
	logs := ta.logs.String()
	for _, bad := range []string{"127.0.0.1", "127.0.0.77", "DistinctiveAgent", "distinctive-referrer"} {
		if strings.Contains(logs, bad) {
			t.Errorf("logs carry %q:\n%s", bad, logs)
		}
	}
	if !strings.Contains(logs, "[address removed]") {
		t.Errorf("the server's error log was not redacted:\n%s", logs)
	}
}

func TestTranslationSwitcher(t *testing.T) {
	ta := newTestApp(t)
	en := ta.publish(t, ta.admin, ta.create(t, ta.admin, map[string]any{"service": "en", "headline": "Bridge reopens", "body": "x", "translation_group": "bridge-2026"}).ID)
	ru := ta.publish(t, ta.admin, ta.create(t, ta.admin, map[string]any{"service": "ru", "headline": "Мост открыт", "body": "x", "translation_group": "bridge-2026"}).ID)
	fa := ta.create(t, ta.admin, map[string]any{"service": "fa", "headline": "پل باز شد", "body": "x", "translation_group": "bridge-2026"})

	switcher := func(page string) string { // the article's own switch, not the footer's
		_, after, _ := strings.Cut(page, `<nav class="translations"`)
		nav, _, _ := strings.Cut(after, "</nav>")
		return nav
	}
	page := string(ta.get(t, ta.path(en)).body)
	ruHref := "../../../ru/a/" + strings.TrimPrefix(ta.path(ru), "/ru/a/")
	for _, want := range []string{
		`hreflang="ru" lang="ru" dir="ltr">Русский</a>`,
		`href="` + ruHref + `"`,
	} {
		if !strings.Contains(switcher(page), want) {
			t.Errorf("English switcher lacks %s", want)
		}
	}
	for _, want := range []string{
		`<link rel="alternate" hreflang="ru" href="` + ru.URL + `">`,
		`<link rel="alternate" hreflang="en" href="` + en.URL + `">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("English page lacks %s", want)
		}
	}
	if strings.Contains(switcher(page), "فارسی") {
		t.Error("the switcher lists an unpublished draft")
	}
	// Publishing the Farsi version updates the English page's switcher.
	ta.publish(t, ta.admin, fa.ID)
	if page := string(ta.get(t, ta.path(en)).body); !strings.Contains(switcher(page), `hreflang="fa-IR" lang="fa-IR" dir="rtl">فارسی</a>`) {
		t.Error("after publishing fa, the English switcher does not list it")
	}
	// Taking the Russian version out of the group removes it.
	r := ta.api(t, "PATCH", fmt.Sprintf("/articles/%d", ru.ID), ta.admin, map[string]any{"version": ru.Version, "translation_group": ""})
	if r.status != 200 {
		t.Fatalf("leave group: %d %s", r.status, r.body)
	}
	if page := string(ta.get(t, ta.path(en)).body); strings.Contains(switcher(page), "Русский</a>") {
		t.Error("after leaving the group, the Russian version is still listed")
	}
	if r := ta.api(t, "POST", "/articles", ta.admin, map[string]any{"service": "en", "headline": "x", "translation_group": "a b"}); r.status != 422 {
		t.Errorf("bad group: %d", r.status)
	}
}
