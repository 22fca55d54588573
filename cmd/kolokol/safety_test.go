package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/demo"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/geo"
	"github.com/kolokol/kolokol/geo/geotest"
)

// safetyApp is a demo newsroom served with the reader-safety settings:
// country from a trusted proxy's header or a database, an onion address,
// the access log on and every log line kept.
type safetyApp struct {
	*testApp
	metrics http.Handler
}

func newSafetyApp(t *testing.T, base string) *safetyApp {
	t.Helper()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ln := listenLoopback(t)
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	data := t.TempDir()
	app, err := NewAppWith(t.Context(), Config{Data: data, BaseURL: base, Logger: logger, AccessLog: true,
		Onion: "http://kolokolexampleonionaddressxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion",
		Geo: geo.Options{Header: "CF-IPCountry", Proxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
			MMDB: geotest.WriteMMDB(t)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	res, err := demo.Seed(t.Context(), app.Store, app.Desk, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// The tests set notices of their own.
	for _, svc := range []string{"ru", "fa"} {
		ns, _ := app.Store.FindNotices(t.Context(), svc)
		for _, n := range ns {
			if err := app.Desk.DeleteNotice(t.Context(), kolokol.Actor{Name: "test", Role: kolokol.RoleAdmin}, svc, n.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	srv := startServer(t, ln, app, logger, testNetHTTP(), defaultLimits)
	return &safetyApp{testApp: &testApp{App: app, srv: srv, data: data, admin: res.AdminToken, demo: res, tokens: map[string]string{},
		logBuf: logs}, metrics: app.Metrics}
}

// from returns a client whose connections come from the address given,
// which must be on the loopback network.
func from(addr string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(addr)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableCompression: true, MaxIdleConnsPerHost: 16},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func fetch(t testing.TB, c *http.Client, u string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestNoticesByCountry(t *testing.T) {
	sa := newSafetyApp(t, "")
	ctx := t.Context()
	ed := kolokol.Actor{Name: "editor@example.org", Role: kolokol.RoleEditor, Services: []string{"ru", "fa"}}
	ru := &kolokol.Notice{Service: "ru", Text: "Читателям в России и Беларуси: делиться материалами опасно.", Countries: []string{"RU", "BY"}}
	unknown := &kolokol.Notice{Service: "ru", Text: "Если вы читаете из страны, где нас запретили, будьте осторожны.", Default: true}
	ir := &kolokol.Notice{Service: "fa", Text: "خوانندگان در ایران: هم\u200cرسانی این مطالب خطرناک است.", Countries: []string{"IR"}, Link: "/fa/safety/"}
	for _, n := range []*kolokol.Notice{ru, unknown, ir} {
		if err := sa.Desk.SaveNotice(ctx, ed, n); err != nil {
			t.Fatal(err)
		}
	}
	local, stranger := from("127.0.0.1"), from("127.0.0.77")
	base := sa.srv.URL
	for _, c := range []struct {
		name   string
		client *http.Client
		path   string
		hdr    []string
		want   []*kolokol.Notice
	}{
		{"header from the trusted proxy", local, "/ru/", []string{"CF-IPCountry", "RU"}, []*kolokol.Notice{ru}},
		{"another country of the same notice", local, "/ru/", []string{"CF-IPCountry", "by"}, []*kolokol.Notice{ru}},
		{"a country with no notice", local, "/ru/", []string{"CF-IPCountry", "DE"}, nil},
		{"Tor by the CDN's code", local, "/ru/", []string{"CF-IPCountry", "T1"}, []*kolokol.Notice{unknown}},
		{"unknown by the CDN's code", local, "/ru/", []string{"CF-IPCountry", "XX"}, []*kolokol.Notice{unknown}},
		{"the proxy says nothing", local, "/ru/", nil, []*kolokol.Notice{unknown}},
		{"the header from a stranger is ignored", stranger, "/ru/", []string{"CF-IPCountry", "DE"}, []*kolokol.Notice{unknown}},
		{"database, behind the proxy", local, "/ru/", []string{"X-Forwarded-For", "198.51.100.7"}, []*kolokol.Notice{ru}},
		{"database: a Tor exit", local, "/ru/", []string{"X-Forwarded-For", "203.0.113.200"}, []*kolokol.Notice{unknown}},
		{"database: forwarded-for from a stranger is ignored", stranger, "/ru/", []string{"X-Forwarded-For", "198.51.100.7"}, []*kolokol.Notice{unknown}},
		{"another service's notices", local, "/fa/", []string{"CF-IPCountry", "IR"}, []*kolokol.Notice{ir}},
		{"a service without them", local, "/en/", []string{"CF-IPCountry", "RU"}, nil},
		{"an article page", local, "", []string{"CF-IPCountry", "RU"}, []*kolokol.Notice{ru}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := c.path
			if path == "" {
				arts, _ := sa.Store.FindArticles(ctx, kolokol.ArticleFilter{Service: "ru", Status: kolokol.StatusPublished, Limit: 1})
				path = arts[0].Path()
			}
			resp, body := fetch(t, c.client, base+path, c.hdr...)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d", path, resp.StatusCode)
			}
			for _, n := range []*kolokol.Notice{ru, unknown, ir} {
				shown := strings.Contains(body, html.EscapeString(n.Text))
				want := false
				for _, w := range c.want {
					want = want || w == n
				}
				if shown != want {
					t.Errorf("notice %q shown = %t, want %t", n.Text, shown, want)
				}
			}
			if c.want != nil && !strings.Contains(body, `<aside class="notices"`) {
				t.Error("no notices landmark")
			}
			if got := resp.Header.Get("Vary"); got != "Accept-Encoding, Cf-Ipcountry" {
				t.Errorf("Vary = %q", got)
			}
			if got := resp.Header.Get("Onion-Location"); !strings.HasSuffix(got, ".onion"+path) {
				t.Errorf("Onion-Location = %q", got)
			}
		})
	}

	// A 404 page of the service carries the reader's notices too.
	for _, c := range []struct {
		country string
		want    bool
	}{{"RU", true}, {"DE", false}} {
		resp, body := fetch(t, local, base+"/ru/no-such-page/", "CF-IPCountry", c.country)
		if resp.StatusCode != 404 || strings.Contains(body, html.EscapeString(ru.Text)) != c.want {
			t.Errorf("the ru 404 page for %s: %d, shows the notice %t", c.country, resp.StatusCode, !c.want)
		}
	}

	// The cache holds one page per variant, never one per reader: a
	// hundred made-up countries add nothing.
	before := sa.Site.Cache().Len()
	for i := range 100 {
		fetch(t, local, base+"/ru/", "CF-IPCountry", string(rune('A'+i%26))+string(rune('A'+i/26)))
	}
	if after := sa.Site.Cache().Len(); after != before {
		t.Errorf("100 countries grew the cache from %d to %d pages", before, after)
	}
	for _, key := range []string{"/ru/", fmt.Sprintf("/ru/\x00%d", ru.ID), fmt.Sprintf("/ru/\x00%d", unknown.ID)} {
		if !sa.Site.Cache().Has(key) {
			t.Errorf("variant %q not cached", key)
		}
	}
	// Changing a notice re-renders the pages that show it.
	ru.Text = "Новый текст предупреждения."
	if err := sa.Desk.SaveNotice(ctx, ed, ru); err != nil {
		t.Fatal(err)
	}
	if _, body := fetch(t, local, base+"/ru/", "CF-IPCountry", "RU"); !strings.Contains(body, "Новый текст предупреждения.") {
		t.Error("the changed notice is not on the page")
	}
	if err := sa.Desk.DeleteNotice(ctx, ed, "ru", unknown.ID); err != nil {
		t.Fatal(err)
	}
	if _, body := fetch(t, local, base+"/ru/"); strings.Contains(body, html.EscapeString(unknown.Text)) {
		t.Error("a removed notice is still shown")
	}
	// Reporters may not set notices; nothing is shown for their attempt.
	rep := kolokol.Actor{Name: "rep", Role: kolokol.RoleReporter, Services: []string{"ru"}}
	if err := sa.Desk.SaveNotice(ctx, rep, &kolokol.Notice{Service: "ru", Text: "x", Default: true}); kolokol.ErrorCode(err) != kolokol.EFORBIDDEN {
		t.Errorf("reporter's notice: %v", err)
	}

	// The safety page: the newsroom's text, then the onion address.
	safety := "## Как читать безопасно\n\nОткройте приватное окно или **Tor Browser**."
	if _, err := sa.Desk.UpdateService(ctx, kolokol.Actor{Name: "admin", Role: kolokol.RoleAdmin}, "ru", deskPatchSafety(safety)); err != nil {
		t.Fatal(err)
	}
	resp, body := fetch(t, local, base+"/ru/safety/")
	if resp.StatusCode != 200 || !strings.Contains(body, "<strong>Tor Browser</strong>") || !strings.Contains(body, ".onion/ru/</code>") ||
		!strings.Contains(body, "<h1>Безопасное чтение</h1>") {
		t.Errorf("safety page: %d %s", resp.StatusCode, body)
	}
}

func TestSecurityTxtAndHSTS(t *testing.T) {
	sa := newSafetyApp(t, "https://news.example.org")
	root := sa.account(t, "root@example.org", kolokol.RoleAdmin)
	ruAdmin := sa.account(t, "ru-admin@example.org", kolokol.RoleAdmin, "ru")
	if r := sa.get(t, "/.well-known/security.txt"); r.status != 404 {
		t.Errorf("security.txt before one is set: %d", r.status)
	}
	expires := time.Now().AddDate(0, 6, 0).UTC().Format(time.RFC3339)
	good := "Contact: mailto:security@news.example.org\nExpires: " + expires + "\nPreferred-Languages: en, ru\n"
	for _, c := range []struct {
		text, want string
	}{
		{"Expires: " + expires, "Contact"},
		{"Contact: mailto:a@b.example", "Expires"},
		{"Contact: http://insecure.example\nExpires: " + expires, "https://, mailto: or tel:"},
		{"Contact: mailto:a@b.example\nExpires: 2001-01-01T00:00:00Z", "future"},
		{"Contact: mailto:a@b.example\nExpires: " + expires + "\nthis is no field", "line 3"},
	} {
		if r := sa.post(t, root, "/newsroom/security-txt", url.Values{"text": {c.text}}); r.status != 422 || !strings.Contains(string(r.body), c.want) {
			t.Errorf("%q: %d, want 422 naming %s", c.text, r.status, c.want)
		}
	}
	if r := sa.post(t, ruAdmin, "/newsroom/security-txt", url.Values{"text": {good}}); r.status != 403 {
		t.Errorf("a service admin sets security.txt: %d", r.status)
	}
	if r := sa.post(t, root, "/newsroom/security-txt", url.Values{"text": {good}}); r.status != http.StatusSeeOther {
		t.Fatalf("set security.txt: %d %s", r.status, r.body)
	}
	r := sa.get(t, "/.well-known/security.txt")
	if r.status != 200 || string(r.body) != strings.TrimSpace(good)+"\n" || r.header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("security.txt: %d %q %q", r.status, r.header.Get("Content-Type"), r.body)
	}
	// HSTS on every response of a site served over TLS.
	for _, p := range []string{"/", "/ru/", "/static/missing.css", "/.well-known/security.txt", "/newsroom/login", "/api/v1/articles"} {
		if r := sa.get(t, p); r.header.Get("Strict-Transport-Security") != "max-age=63072000; includeSubDomains" {
			t.Errorf("%s: Strict-Transport-Security = %q", p, r.header.Get("Strict-Transport-Security"))
		}
	}
	if r := sa.post(t, root, "/newsroom/security-txt", url.Values{"text": {""}}); r.status != http.StatusSeeOther {
		t.Fatalf("remove security.txt: %d", r.status)
	}
	if r := sa.get(t, "/.well-known/security.txt"); r.status != 404 {
		t.Errorf("removed security.txt: %d", r.status)
	}
	// Over plain HTTP there is no HSTS (browsers ignore it there anyway).
	plain := newTestApp(t)
	if r := plain.get(t, "/ru/"); r.header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain HTTP")
	}
}

// TestPrivacyAudit drives a few thousand reader requests from a distinctive
// address, with a distinctive user agent, referrer and query, with every log
// on at its most verbose; then searches every log line, every table of the
// database and the metrics for them. None may appear, and no reader response
// may set a cookie.
func TestPrivacyAudit(t *testing.T) {
	sa := newSafetyApp(t, "")
	ctx := t.Context()
	if err := sa.Desk.SaveNotice(ctx, kolokol.Actor{Name: "admin", Role: kolokol.RoleAdmin}, &kolokol.Notice{Service: "ru",
		Text: "Предупреждение.", Countries: []string{"RU"}, Default: true}); err != nil {
		t.Fatal(err)
	}
	const (
		addr     = "127.0.0.77"
		agent    = "KolokolAuditAgent/7.7 (distinctive)"
		referrer = "https://referrer-77.example/secret-path-77"
		query    = "utm_source=secret-query-77"
	)
	arts, _ := sa.Store.FindArticles(ctx, kolokol.ArticleFilter{Status: kolokol.StatusPublished, Limit: 40})
	paths := []string{"/", "/ru/", "/fa/", "/ru/archive/", "/ru/lite/", "/ru/safety/", "/ru/no-such-page/", "/favicon.svg",
		"/robots.txt", "/.well-known/security.txt", "/sr-cyrl/", "/media/0000000000000000000000000000000000000000000000000000000000000000.jpg"}
	for _, a := range arts {
		paths = append(paths, a.Path(), "/"+a.Service+"/lite/a/"+strings.TrimPrefix(a.Path(), "/"+a.Service+"/a/"))
	}
	c := from(addr)
	var mu sync.Mutex
	var cookies []string
	requests := 0
	var wg sync.WaitGroup
	work := make(chan string)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				resp, _ := fetch(t, c, sa.srv.URL+p+"?"+query, "User-Agent", agent, "Referer", referrer,
					"CF-IPCountry", "RU", "X-Forwarded-For", "198.51.100.77")
				mu.Lock()
				requests++
				cookies = append(cookies, resp.Header.Values("Set-Cookie")...)
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < 3000; i++ {
		work <- paths[i%len(paths)]
	}
	close(work)
	wg.Wait()
	// A handler logs its request after writing the response, which the
	// client may have read in full already: Close waits for every handler.
	sa.srv.Close()
	if len(cookies) > 0 {
		t.Errorf("reader responses set cookies: %q", cookies[:min(3, len(cookies))])
	}
	secrets := []string{addr, agent, "KolokolAuditAgent", "referrer-77", "secret-path-77", "secret-query-77", "198.51.100.77"}
	find := func(where, text string) {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				i := strings.Index(text, s)
				t.Errorf("%s holds %q: …%s…", where, s, text[max(0, i-80):min(len(text), i+80)])
			}
		}
	}

	// Logs: the access log ran (one line a request), and holds no reader.
	logs := sa.logBuf.String()
	if n := strings.Count(logs, "log=access"); n < requests {
		t.Errorf("%d access log lines for %d requests", n, requests)
	}
	if !strings.Contains(logs, `route=/{service}/a/{id}/`) {
		t.Error("the access log does not name routes")
	}
	find("the logs", logs)

	// Every table of the database.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(sa.data, "kolokol.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables := dbTables(t, db)
	if len(tables) < 10 {
		t.Fatalf("only %d tables found: %v", len(tables), tables)
	}
	for _, table := range tables {
		find("table "+table, dumpTable(t, db, table))
	}

	// The metrics: counted by route and status only.
	rec := httptest.NewRecorder()
	sa.metrics.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	m := rec.Body.String()
	if !strings.Contains(m, `kolokol_http_requests_total{route="/{service}/a/{id}/",status="200"}`) {
		t.Errorf("metrics lack the article route:\n%s", m)
	}
	find("the metrics", m)
	for _, a := range arts[:3] {
		if strings.Contains(m, a.Slug) || strings.Contains(m, fmt.Sprintf("/a/%d", a.ID)) {
			t.Errorf("the metrics name a story: %s", a.Path())
		}
	}
	if strings.Contains(logs, "country") || strings.Contains(m, "country") {
		t.Error("a country reached the logs or the metrics")
	}
}

func dbTables(t *testing.T, db *sql.DB) []string {
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		out = append(out, n)
	}
	return out
}

func dumpTable(t *testing.T, db *sql.DB, table string) string {
	rows, err := db.Query(`SELECT * FROM "` + strings.ReplaceAll(table, `"`, `""`) + `"`)
	if err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			fmt.Fprintf(&b, "%s\t", v)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// TestThirdPartyAudit renders every kind of reader page and reads every
// URL in their HTML (attributes, srcset, JSON-LD) and in the stylesheet:
// each must be relative or on the site's own origin. A mailto: link, which
// loads nothing, is the one other kind allowed (sharing by email).
func TestThirdPartyAudit(t *testing.T) {
	sa := newSafetyApp(t, "https://news.example.org")
	ctx := t.Context()
	sa.Desk.SaveNotice(ctx, kolokol.Actor{Name: "admin", Role: kolokol.RoleAdmin}, &kolokol.Notice{Service: "ru", Text: "Осторожно.", Default: true})
	var pages []string
	pages = append(pages, "/", "/ru/", "/ru/archive/", "/ru/lite/", "/ru/safety/", "/ru/no-such-page/", "/sr-cyrl/", "/fa/", "/fa/safety/",
		"/ru/mirrors/", "/fa/mirrors/", "/sr-cyrl/mirrors/") // the demo has no mirror: nothing links away
	secs, _ := sa.Store.FindSections(ctx, "ru")
	for _, s := range secs {
		pages = append(pages, "/ru/s/"+s.Slug+"/")
	}
	for _, svc := range []string{"ru", "fa", "en", "ka", "sr"} {
		arts, _ := sa.Store.FindArticles(ctx, kolokol.ArticleFilter{Service: svc, Status: kolokol.StatusPublished, Limit: 100})
		for _, a := range arts {
			pages = append(pages, a.Path(), "/"+a.Service+"/lite/a/"+strings.TrimPrefix(a.Path(), "/"+a.Service+"/a/"))
		}
	}
	own := "https://news.example.org"
	check := func(page, what, u string) {
		u = strings.TrimSpace(u)
		if u == "" || strings.HasPrefix(u, "#") || strings.HasPrefix(u, "mailto:") {
			return
		}
		p, err := url.Parse(u)
		if err != nil {
			t.Errorf("%s: %s %q does not parse", page, what, u)
			return
		}
		if p.Scheme == "" && p.Host == "" {
			return // relative
		}
		if p.Scheme+"://"+p.Host != own {
			t.Errorf("%s: %s points at another origin: %s", page, what, u)
		}
	}
	urlAttrs := map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "poster": true, "cite": true, "data": true, "background": true}
	seen := 0
	for _, p := range pages {
		r := sa.get(t, p)
		if r.status != 200 && r.status != 404 {
			t.Fatalf("%s: %d", p, r.status)
		}
		z := html.NewTokenizer(bytes.NewReader(r.body))
		inJSONLD := false
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			tok := z.Token()
			switch tt {
			case html.StartTagToken, html.SelfClosingTagToken:
				inJSONLD = false
				// A plain link that tells the other host nothing (an embed
				// card's, docs/blocks.md) loads nothing: a reader leaves by
				// clicking it.
				leaving := false
				if tok.Data == "a" {
					for _, a := range tok.Attr {
						leaving = leaving || (a.Key == "rel" && a.Val == "noopener noreferrer")
					}
				}
				for _, a := range tok.Attr {
					switch {
					case leaving && a.Key == "href" && strings.HasPrefix(a.Val, "https://"):
						seen++
					case urlAttrs[a.Key]:
						check(p, tok.Data+" "+a.Key, a.Val)
						seen++
					case a.Key == "srcset":
						for _, c := range strings.Split(a.Val, ",") {
							check(p, "srcset", strings.Fields(c + " x")[0])
							seen++
						}
					case a.Key == "content" && (strings.HasPrefix(a.Val, "http") || strings.HasPrefix(a.Val, "//")):
						check(p, "meta content", a.Val)
						seen++
					case a.Key == "style" && strings.Contains(a.Val, "url("):
						t.Errorf("%s: inline style with a URL: %s", p, a.Val)
					case a.Key == "type" && a.Val == "application/ld+json":
						inJSONLD = true
					}
				}
			case html.EndTagToken:
				inJSONLD = false
			case html.TextToken:
				if inJSONLD && strings.TrimSpace(tok.Data) != "" {
					var v any
					if err := json.Unmarshal([]byte(tok.Data), &v); err != nil {
						t.Errorf("%s: JSON-LD does not parse: %v", p, err)
					}
					// "@context" names the vocabulary (https://schema.org);
					// it is an identifier no browser fetches.
					if m, ok := v.(map[string]any); ok {
						delete(m, "@context")
					}
					walkStrings(v, func(s string) {
						if strings.HasPrefix(s, "http") || strings.HasPrefix(s, "//") {
							check(p, "JSON-LD", s)
							seen++
						}
					})
				}
			}
		}
	}
	if seen < 500 {
		t.Errorf("only %d URLs checked in %d pages", seen, len(pages))
	}
	// The stylesheet: no url() to anywhere, no @import.
	home := string(sa.get(t, "/ru/").body)
	css := regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)"`).FindStringSubmatch(home)
	base, _ := url.Parse(own + "/ru/")
	ref, _ := url.Parse(css[1])
	sheet := string(sa.get(t, base.ResolveReference(ref).Path).body)
	if len(sheet) < 1000 {
		t.Fatalf("stylesheet of %d bytes", len(sheet))
	}
	for _, m := range regexp.MustCompile(`url\(\s*['"]?([^'")]+)`).FindAllStringSubmatch(sheet, -1) {
		check("stylesheet", "url()", m[1])
	}
	if strings.Contains(sheet, "@import") {
		t.Error("the stylesheet imports another")
	}
}

func walkStrings(v any, f func(string)) {
	switch x := v.(type) {
	case string:
		f(x)
	case []any:
		for _, e := range x {
			walkStrings(e, f)
		}
	case map[string]any:
		for _, e := range x {
			walkStrings(e, f)
		}
	}
}

func deskPatchSafety(s string) desk.ServicePatch { return desk.ServicePatch{Safety: &s} }
