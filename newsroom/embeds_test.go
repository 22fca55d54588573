package newsroom

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"html"
	"image"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/auth"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/media/mediatest"
	"github.com/kolokol/kolokol/oembed"
	"github.com/kolokol/kolokol/store/sqlite"
)

// embedsApp is the newsroom over a real SQLite file and media directory,
// its cards fetched from a local https server answering as YouTube's
// oEmbed endpoint and Telegram's post pages do, and an editor of en and fa
// signed in.
type embedsApp struct {
	mux     *http.ServeMux
	session string
}

func newEmbedsApp(t *testing.T) *embedsApp {
	t.Helper()
	ctx := t.Context()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "kolokol.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	blobs, err := media.NewDir(filepath.Join(dir, "media"))
	if err != nil {
		t.Fatal(err)
	}
	images, err := media.NewProcessor(media.Options{Widths: []int{320}, Ratios: []media.Ratio{media.Ratio16x9}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	d := desk.New(st, blobs, images, func() time.Time { return now })
	for _, s := range []*kolokol.Service{
		{Code: "en", Tag: "en", Script: "Latn", Direction: kolokol.LTR, Name: "English", EnglishName: "English", TimeZone: "UTC"},
		{Code: "fa", Tag: "fa-IR", Script: "Arab", Direction: kolokol.RTL, Name: "فارسی", EnglishName: "Persian", TimeZone: "Asia/Tehran"},
		{Code: "ru", Tag: "ru", Script: "Cyrl", Direction: kolokol.LTR, Name: "Русский", EnglishName: "Russian", TimeZone: "UTC"},
	} {
		if err := st.CreateService(ctx, s); err != nil {
			t.Fatal(err)
		}
	}

	jpeg := mediatest.EncodeJPEG(t, image.NewGray(image.Rect(0, 0, 40, 30)), 90)
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/youtube":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"type":"video","title":"Ferry <i>leaves</i>","author_name":"Kolokol TV","thumbnail_url":"%s/thumb.jpg","html":"<iframe src=x></iframe>"}`, srv.URL)
		case r.URL.Path == "/thumb.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(jpeg)
		case strings.HasPrefix(r.URL.Path, "/tg/"):
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<div class="tgme_widget_message_error">Post not found</div>`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c, err := oembed.New(oembed.Options{YouTube: srv.URL + "/youtube", Telegram: srv.URL + "/tg", RootCAs: pool,
		Allow: []netip.AddrPort{netip.MustParseAddrPort(srv.Listener.Addr().String())}})
	if err != nil {
		t.Fatal(err)
	}
	d.SetEmbeds(c)

	n, err := New(st, d, slog.New(slog.DiscardHandler), Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	a := &embedsApp{mux: http.NewServeMux()}
	n.Register(a.mux)

	root := kolokol.Actor{Name: "root@example.org", Role: kolokol.RoleAdmin}
	const password = "three rivers meet at dusk"
	_, token, err := d.AddUser(ctx, root, desk.UserInput{Email: "ed@example.org", Name: "Ed", Role: kolokol.RoleEditor, Services: []string{"en", "fa"}})
	if err != nil {
		t.Fatal(err)
	}
	v, err := d.Enrolment(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := auth.TOTPCode(v.Secret, now)
	if _, err := d.Enrol(ctx, token, password, code); err != nil {
		t.Fatal(err)
	}
	now = now.Add(30 * time.Second) // the enrolment's code is spent
	code, _ = auth.TOTPCode(v.Secret, now)
	si, err := d.SignIn(ctx, desk.Credentials{Email: "ed@example.org", Password: password, Code: code, Source: "test"})
	if err != nil {
		t.Fatal(err)
	}
	a.session = si.Token
	return a
}

// do sends a request as the signed-in editor (or no one, signedIn false).
func (a *embedsApp) do(method, target string, form url.Values, signedIn bool, header ...string) *httptest.ResponseRecorder {
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	if signedIn {
		r.AddCookie(&http.Cookie{Name: cookieName, Value: a.session})
	}
	w := httptest.NewRecorder()
	a.mux.ServeHTTP(w, r)
	return w
}

// TestEmbedsJSON: the contract the story editor's script relies on.
func TestEmbedsJSON(t *testing.T) {
	a := newEmbedsApp(t)
	for _, tc := range []struct {
		name     string
		url, svc string
		signedIn bool
		header   []string
		status   int
		keys     []string // the answer's keys, sorted
		check    func(t *testing.T, v map[string]any)
	}{
		{name: "fetched", url: "https://www.youtube.com/watch?v=a", svc: "en", signedIn: true, status: 200,
			keys: []string{"author", "date", "markdown", "note", "provider", "text", "thumbnail", "thumbnail_alt", "title", "url"},
			check: func(t *testing.T, v map[string]any) {
				if v["provider"] != "youtube" || v["title"] != "Ferry leaves" || v["author"] != "Kolokol TV" || v["url"] != "https://www.youtube.com/watch?v=a" ||
					v["thumbnail"].(float64) < 1 || v["thumbnail_alt"] != "Picture from the YouTube post by Kolokol TV" || v["date"] != "" {
					t.Errorf("card %v", v)
				}
				blocks, err := kolokol.ParseBlocks(v["markdown"].(string))
				if err != nil || len(blocks) != 1 || blocks[0].Embed.Thumbnail != int64(v["thumbnail"].(float64)) {
					t.Errorf("markdown %q: %v", v["markdown"], err)
				}
			}},
		{name: "not fetched", url: "https://t.me/kolokolnews/4", svc: "fa", signedIn: true, status: 422,
			keys: []string{"error", "manual", "provider"},
			check: func(t *testing.T, v map[string]any) {
				if v["provider"] != "telegram" || v["manual"] != true || !strings.Contains(v["error"].(string), "shows no post") {
					t.Errorf("answer %v", v)
				}
			}},
		{name: "meta not set up", url: "https://www.instagram.com/p/x/", svc: "en", signedIn: true, status: 422,
			keys: []string{"error", "manual", "provider"},
			check: func(t *testing.T, v map[string]any) {
				if v["provider"] != "instagram" || !strings.Contains(v["error"].(string), "access token") {
					t.Errorf("answer %v", v)
				}
			}},
		{name: "no provider", url: "https://example.org/post", svc: "en", signedIn: true, status: 400, keys: []string{"error"},
			check: func(t *testing.T, v map[string]any) {
				if !strings.Contains(v["error"].(string), "example.org is not the address of a post on YouTube") {
					t.Errorf("answer %v", v)
				}
			}},
		{name: "empty", url: "", svc: "en", signedIn: true, status: 400, keys: []string{"error"}},
		{name: "signed out", url: "https://www.youtube.com/watch?v=a", svc: "en", status: 401, keys: []string{"error"}},
		{name: "another service", url: "https://www.youtube.com/watch?v=a", svc: "ru", signedIn: true, status: 403, keys: []string{"error"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := a.do("POST", "/newsroom/embeds", url.Values{"url": {tc.url}, "service": {tc.svc}}, tc.signedIn,
				append([]string{"Accept", "application/json"}, tc.header...)...)
			if w.Code != tc.status || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
				t.Fatalf("%d %s %s, want %d JSON", w.Code, w.Header().Get("Content-Type"), w.Body, tc.status)
			}
			var v map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
				t.Fatal(err)
			}
			var keys []string
			for k := range v {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, tc.keys) {
				t.Errorf("keys %v, want %v: %s", keys, tc.keys, w.Body)
			}
			if tc.check != nil {
				tc.check(t, v)
			}
		})
	}
	// FormData, as a script may send it, is the same form.
	var buf strings.Builder
	mw := multipart.NewWriter(&buf)
	mw.WriteField("url", "https://example.org/x")
	mw.WriteField("service", "en")
	mw.Close()
	r := httptest.NewRequest("POST", "/newsroom/embeds", strings.NewReader(buf.String()))
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("Accept", "application/json")
	r.AddCookie(&http.Cookie{Name: cookieName, Value: a.session})
	rec := httptest.NewRecorder()
	a.mux.ServeHTTP(rec, r)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "example.org is not the address") {
		t.Errorf("multipart: %d %s", rec.Code, rec.Body)
	}
	// A page of another site may not make the newsroom fetch.
	w := a.do("POST", "/newsroom/embeds", url.Values{"url": {"https://www.youtube.com/watch?v=a"}, "service": {"en"}}, true,
		"Accept", "application/json", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if w.Code != 403 {
		t.Errorf("cross-site: %d", w.Code)
	}
}

// TestEmbedsPage: the page works without JavaScript, in both directions.
func TestEmbedsPage(t *testing.T) {
	a := newEmbedsApp(t)
	for _, tc := range []struct {
		name     string
		method   string
		target   string
		form     url.Values
		status   int
		has, not []string
	}{
		{name: "choose a service", method: "GET", target: "/newsroom/embeds", status: 200,
			has: []string{`href="/newsroom/embeds?service=en"`, `href="/newsroom/embeds?service=fa"`}, not: []string{`service=ru"`, `<form method="post" action="/newsroom/embeds"`}},
		{name: "fa", method: "GET", target: "/newsroom/embeds?service=fa", status: 200,
			has: []string{`<h1>Make a card for a post – Persian</h1>`, `action="/newsroom/embeds/manual" lang="fa-IR" dir="rtl"`, `id="embed-url"`, `id="card-date"`},
			not: []string{`id="embed-block"`, `card-thumbnail_alt`}},
		{name: "not my service", method: "GET", target: "/newsroom/embeds?service=ru", status: 403},
		{name: "fetched", method: "POST", target: "/newsroom/embeds", form: url.Values{"service": {"en"}, "url": {"https://youtu.be/a"}}, status: 200,
			has: []string{`Fetched from YouTube.`, "```embed\nurl: https://youtu.be/a\nprovider: youtube\nauthor: Kolokol TV\ntitle: Ferry leaves\nthumbnail: ",
				`<img src="/media/`, `alt="Picture from the YouTube post by Kolokol TV"`, `See the post on YouTube (leaves the site)`,
				`name="thumbnail" value="`, `id="card-thumbnail_alt"`, `only a default`},
			not: []string{"iframe"}},
		{name: "not fetched", method: "POST", target: "/newsroom/embeds", form: url.Values{"service": {"fa"}, "url": {"https://t.me/kolokolnews/4"}}, status: 422,
			has: []string{`role="alert">The card could not be fetched from Telegram: the page shows no post`, `Write the card by hand instead.`,
				`name="url" type="url" class="wide" dir="ltr" required maxlength="2000" value="https://t.me/kolokolnews/4"`},
			not: []string{`id="embed-block"`}},
		{name: "no provider", method: "POST", target: "/newsroom/embeds", form: url.Values{"service": {"en"}, "url": {"https://example.org/p"}}, status: 422,
			has: []string{`<a href="#embed-url">example.org is not the address`, `id="embed-url" aria-invalid="true"`}},
		{name: "manual", method: "POST", target: "/newsroom/embeds/manual", status: 200,
			form: url.Values{"service": {"fa"}, "url": {"https://t.me/kolokolnews/4"}, "author": {"کلوکل"}, "title": {""}, "text": {"کشتی\r\nبازگشت"}, "date": {"2026-11-30"}},
			has: []string{"```embed\nurl: https://t.me/kolokolnews/4\nprovider: telegram\nauthor: کلوکل\ntext: کشتی بازگشت\ndate: 2026-11-30\n```\n</textarea>",
				`The block is made.`, `<time datetime="2026-11-30">`}},
		{name: "manual bad date", method: "POST", target: "/newsroom/embeds/manual", status: 422,
			form: url.Values{"service": {"fa"}, "url": {"https://t.me/kolokolnews/4"}, "date": {"30/11/2026"}},
			has:  []string{`<a href="#card-date">date must be a day written YYYY-MM-DD`, `id="card-date" aria-invalid="true" aria-describedby="card-date-error"`, `id="card-date-error"`},
			not:  []string{`id="embed-block"`}},
		{name: "manual no provider", method: "POST", target: "/newsroom/embeds/manual", status: 422,
			form: url.Values{"service": {"en"}, "url": {"https://evil-youtube.com/watch"}},
			has:  []string{`<a href="#card-url">url: evil-youtube.com is not the address`, `value="https://evil-youtube.com/watch"`}, not: []string{`id="embed-block"`}},
		{name: "manual long author", method: "POST", target: "/newsroom/embeds/manual", status: 422,
			form: url.Values{"service": {"en"}, "url": {"https://x.com/a/status/1"}, "author": {strings.Repeat("a", 201)}},
			has:  []string{`<a href="#card-author">author is 201 characters long; the limit is 200`}},
		{name: "manual picture not mine", method: "POST", target: "/newsroom/embeds/manual", status: 422,
			form: url.Values{"service": {"en"}, "url": {"https://x.com/a/status/1"}, "thumbnail": {"999"}, "thumbnail_alt": {"x"}},
			has:  []string{`there is no picture 999 you may use`}, not: []string{`id="embed-block"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := a.do(tc.method, tc.target, tc.form, true)
			body := html.UnescapeString(w.Body.String())
			if w.Code != tc.status {
				t.Fatalf("%d, want %d: %s", w.Code, tc.status, body)
			}
			for _, s := range tc.has {
				if !strings.Contains(body, html.UnescapeString(s)) {
					t.Errorf("the page lacks %q:\n%s", s, body)
				}
			}
			for _, s := range tc.not {
				if strings.Contains(body, s) {
					t.Errorf("the page has %q", s)
				}
			}
		})
	}
	if w := a.do("GET", "/newsroom/embeds?service=en", nil, false); w.Code != http.StatusSeeOther {
		t.Errorf("signed out: %d", w.Code)
	}
}
