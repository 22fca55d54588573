package site

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/i18n"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/newsletter"
	"github.com/kolokol/kolokol/render"
	"github.com/kolokol/kolokol/store/sqlite"
)

// emailFixture is the reader site with the email edition, over a real
// SQLite store and a real newsletter desk (which sends nothing here: no
// one runs it).
type emailFixture struct {
	st      *sqlite.Store
	keys    *newsletter.Keys
	handler http.Handler
	logs    *bytes.Buffer
}

func newEmailFixture(t testing.TB, withNewsletter bool) *emailFixture {
	t.Helper()
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kolokol.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, s := range []*kolokol.Service{
		{Code: "ru", Tag: "ru", Script: "Cyrl", Direction: kolokol.LTR, Name: "Русский", TimeZone: "Europe/Moscow"},
		{Code: "fa", Tag: "fa-IR", Script: "Arab", Direction: kolokol.RTL, Name: "فارسی", TimeZone: "Asia/Tehran"},
	} {
		if err := st.CreateService(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	b, err := render.New(st, render.Options{BaseURL: "https://news.example.org", SiteName: "Kolokol", Email: withNewsletter})
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := media.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	keys, err := newsletter.LoadKeys(filepath.Join(t.TempDir(), "subscribers.key"))
	if err != nil {
		t.Fatal(err)
	}
	f := &emailFixture{st: st, keys: keys, logs: &bytes.Buffer{}}
	log := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts := Options{Notices: st.FindNotices}
	if withNewsletter {
		opts.Newsletter = newsletter.New(st, newsletter.Options{Keys: keys, BaseURL: "https://news.example.org", SiteName: "Kolokol", Log: log,
			ClientPerHour: 10})
	}
	f.handler = New(b, blobs, log, nil, opts).Handler()
	return f
}

// do sends a request from client (a network address) and checks what
// every email page answer must hold: no cookie, never cached or indexed.
func (f *emailFixture) do(t *testing.T, method, target, client, body string) *httptest.ResponseRecorder {
	t.Helper()
	var r *http.Request
	if body != "" || method == http.MethodPost {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	r.RemoteAddr = client + ":40000"
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, r)
	h := w.Header()
	if len(h.Values("Set-Cookie")) > 0 {
		t.Errorf("%s %s set a cookie", method, target)
	}
	if _, _, ok := emailPath(r.URL.Path); ok && w.Code != http.StatusNotFound && w.Code != http.StatusMethodNotAllowed {
		if h.Get("Cache-Control") != "private, no-store" || h.Get("X-Robots-Tag") != "noindex" {
			t.Errorf("%s %s: Cache-Control %q, X-Robots-Tag %q", method, target, h.Get("Cache-Control"), h.Get("X-Robots-Tag"))
		}
	}
	if h.Get("Location") != "" {
		t.Errorf("%s %s redirects to %s", method, target, h.Get("Location"))
	}
	return w
}

func (f *emailFixture) count(t *testing.T, service string) int {
	t.Helper()
	subs, err := f.st.FindSubscriptions(t.Context(), kolokol.SubscriptionFilter{Service: service})
	if err != nil {
		t.Fatal(err)
	}
	return len(subs)
}

// subscribed stores a subscription with a token of the test's own, as
// Subscribe would, and returns the confirm and manage tokens.
func (f *emailFixture) subscribed(t *testing.T, service, addr string, confirmed bool) (confirm, manage string) {
	t.Helper()
	lookup := f.keys.Lookup(addr)
	sealed := f.keys.Seal(lookup, addr)
	confirm, manage = newsletter.NewToken(), f.keys.ManageToken(sealed)
	sub := &kolokol.Subscription{Service: service, Lookup: lookup, Sealed: sealed, Digest: true,
		ConfirmHash: newsletter.TokenHash(confirm), ManageHash: newsletter.TokenHash(manage)}
	if _, err := f.st.Subscribe(t.Context(), sub, kolokol.SubscribeLimits{Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if confirmed {
		if _, err := f.st.ConfirmSubscription(t.Context(), sub.ConfirmHash, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return confirm, manage
}

// TestEmailForm: the form is in the service's language and direction,
// and the answer to it is the same page whether the address is new,
// pending or confirmed.
func TestEmailForm(t *testing.T) {
	f := newEmailFixture(t, true)
	c := i18n.For("fa-IR")
	w := f.do(t, "GET", "/fa/email/", "192.0.2.1", "")
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, `lang="fa-IR" dir="rtl"`) || !strings.Contains(body, `<form class="email" method="post" action="./">`) ||
		!strings.Contains(body, c.T(i18n.EmailSubscribe)) || !strings.Contains(body, `name="address" type="email"`) {
		t.Fatalf("form page: %d\n%s", w.Code, body)
	}
	// Every service page of the live server links the form from its
	// footer.
	if home := f.do(t, "GET", "/fa/", "192.0.2.1", ""); !strings.Contains(home.Body.String(), `href="email/"`) {
		t.Error("the service home does not link the email edition")
	}

	form := url.Values{"address": {"reader@example.org"}, "digest": {"1"}}.Encode()
	first := f.do(t, "POST", "/fa/email/", "192.0.2.1", form)
	if first.Code != 200 || !strings.Contains(first.Body.String(), c.T(i18n.EmailSent)) {
		t.Fatalf("new address: %d\n%s", first.Code, first.Body)
	}
	pending := f.do(t, "POST", "/fa/email/", "192.0.2.2", form)
	f.subscribed(t, "fa", "known@example.org", true)
	confirmed := f.do(t, "POST", "/fa/email/", "192.0.2.3", url.Values{"address": {"known@example.org"}, "digest": {"1"}}.Encode())
	for name, w := range map[string]*httptest.ResponseRecorder{"pending": pending, "confirmed": confirmed} {
		if w.Code != first.Code || w.Body.String() != first.Body.String() {
			t.Errorf("the answer for a %s address differs from a new one's", name)
		}
	}
	if n := f.count(t, "fa"); n != 2 {
		t.Errorf("%d subscriptions, want 2", n)
	}
	if strings.Contains(f.logs.String(), "example.org") {
		t.Errorf("an address reached the log:\n%s", f.logs)
	}
}

// TestEmailHostileInput: malformed addresses and header injection are
// refused in the reader's language with nothing stored; a body over the
// limit is 413; fields not from the form are refused; one client's flood
// is cut off.
func TestEmailHostileInput(t *testing.T) {
	f := newEmailFixture(t, true)
	c := i18n.For("fa-IR")
	for i, addr := range []string{"", "reader", "reader@localhost", "Reader <reader@example.org>", "reader@example.org\r\nBcc: victim@example.net",
		"reader@example.org\nSubject: hi", "a@example.org, b@example.org", "reader\x00@example.org", strings.Repeat("a", 300) + "@example.org"} {
		w := f.do(t, "POST", "/fa/email/", "192.0.2.10", url.Values{"address": {addr}, "alerts": {"1"}}.Encode())
		if w.Code != 400 || !strings.Contains(w.Body.String(), c.T(i18n.EmailInvalid)) || !strings.Contains(w.Body.String(), `aria-invalid="true"`) {
			t.Errorf("address %d (%q): %d\n%s", i, addr, w.Code, w.Body)
		}
		if strings.Contains(w.Body.String(), "Bcc") || strings.Contains(w.Body.String(), "Subject: hi") {
			t.Errorf("address %d was refilled with its injected header", i)
		}
		if i == 5 {
			// ten requests an hour per client: use another for the rest
			continue
		}
	}
	for name, form := range map[string]string{
		"no choice":        url.Values{"address": {"reader@example.org"}}.Encode(),
		"a choice's value": url.Values{"address": {"reader@example.org"}, "digest": {"yes\r\nBcc: x"}}.Encode(),
		"two addresses":    url.Values{"address": {"a@example.org", "b@example.org"}, "digest": {"1"}}.Encode(),
	} {
		w := f.do(t, "POST", "/fa/email/", "192.0.2.11", form)
		if w.Code != 400 {
			t.Errorf("%s: %d", name, w.Code)
		}
	}
	if n := f.count(t, "fa"); n != 0 {
		t.Errorf("refused requests stored %d subscriptions", n)
	}
	big := "address=" + strings.Repeat("a", 5000) + "%40example.org&digest=1"
	if w := f.do(t, "POST", "/fa/email/", "192.0.2.12", big); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a big body: %d", w.Code)
	}
	r := httptest.NewRequest("POST", "/fa/email/", strings.NewReader(`{"address":"a@example.org"}`))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, r)
	if w.Code != http.StatusUnsupportedMediaType {
		t.Errorf("a JSON body: %d", w.Code)
	}

	// One client, many addresses: past ten an hour, refused; another
	// client is not.
	for i := range 12 {
		w := f.do(t, "POST", "/fa/email/", "198.51.100.7", url.Values{"address": {"flood" + string(rune('a'+i)) + "@example.org"}, "digest": {"1"}}.Encode())
		want := 200
		if i >= 10 {
			want = http.StatusTooManyRequests
		}
		if w.Code != want {
			t.Fatalf("request %d: %d, want %d", i, w.Code, want)
		}
	}
	if w := f.do(t, "POST", "/fa/email/", "198.51.100.8", url.Values{"address": {"other@example.org"}, "digest": {"1"}}.Encode()); w.Code != 200 {
		t.Errorf("another client: %d", w.Code)
	}
	// One address, many times: one row.
	for i := range 5 {
		f.do(t, "POST", "/fa/email/", "203.0.113."+string(rune('1'+i)), url.Values{"address": {"same@example.org"}, "alerts": {"1"}}.Encode())
	}
	if n := f.count(t, "fa"); n != 12 {
		t.Errorf("%d subscriptions, want 12", n)
	}
	if strings.Contains(f.logs.String(), "example.org") || strings.Contains(f.logs.String(), "198.51.100") {
		t.Errorf("an address reached the log:\n%s", f.logs)
	}
}

// TestEmailConfirmAndUnsubscribe: following a link (GET) changes nothing,
// only the POST does; one-click unsubscribing takes exactly the RFC 8058
// body, answers 200 without a redirect and deletes the row; the export
// is POST only and gives what is kept.
func TestEmailConfirmAndUnsubscribe(t *testing.T) {
	f := newEmailFixture(t, true)
	ctx := t.Context()
	c := i18n.For("fa-IR")
	confirm, manage := f.subscribed(t, "fa", "reader@example.org", false)
	status := func() kolokol.SubscriptionStatus {
		sub, err := f.st.FindSubscriptionByManage(ctx, newsletter.TokenHash(manage))
		if kolokol.IsNotFound(err) {
			return ""
		} else if err != nil {
			t.Fatal(err)
		}
		return sub.Status
	}
	q := "?t=" + confirm
	w := f.do(t, "GET", "/fa/email/confirm"+q, "192.0.2.1", "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `method="post" action="confirm?t=`+confirm+`"`) || status() != kolokol.SubscriptionPending {
		t.Fatalf("confirm page: %d, %s\n%s", w.Code, status(), w.Body)
	}
	if w := f.do(t, "HEAD", "/fa/email/confirm"+q, "192.0.2.1", ""); w.Code != 200 || status() != kolokol.SubscriptionPending {
		t.Fatalf("HEAD confirmed: %d", w.Code)
	}
	if w := f.do(t, "POST", "/fa/email/confirm"+q, "192.0.2.1", "nothing=1"); w.Code != 400 || status() != kolokol.SubscriptionPending {
		t.Fatalf("a POST without the button: %d %s", w.Code, status())
	}
	if w := f.do(t, "POST", "/ru/email/confirm"+q, "192.0.2.1", "confirm=1"); w.Code != 404 || status() != kolokol.SubscriptionPending {
		t.Fatalf("another service's confirm: %d %s", w.Code, status())
	}
	w = f.do(t, "POST", "/fa/email/confirm"+q, "192.0.2.1", "confirm=1")
	if w.Code != 200 || !strings.Contains(w.Body.String(), c.T(i18n.EmailConfirmed)) || status() != kolokol.SubscriptionConfirmed {
		t.Fatalf("confirm: %d %s\n%s", w.Code, status(), w.Body)
	}
	for _, bad := range []string{"", "?t=", "?t=" + newsletter.NewToken(), "?t=" + confirm[:51] + "%0A", "?t=%00"} {
		if w := f.do(t, "GET", "/fa/email/confirm"+bad, "192.0.2.1", ""); w.Code != 404 || !strings.Contains(w.Body.String(), c.T(i18n.EmailBadLink)) {
			t.Errorf("confirm%s: %d", bad, w.Code)
		}
	}

	// The export: POST only, the subscriber's own data.
	m := "?t=" + manage
	if w := f.do(t, "GET", "/fa/email/export"+m, "192.0.2.1", ""); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET export: %d", w.Code)
	}
	w = f.do(t, "POST", "/fa/email/export"+m, "192.0.2.1", "export=1")
	var e newsletter.Export
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || w.Code != 200 || e.Address != "reader@example.org" || e.Service != "fa" ||
		!e.Digest || e.Alerts || e.Status != "confirmed" || e.ConfirmedAt == nil || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("export: %d %v %+v", w.Code, err, e)
	}
	if w := f.do(t, "POST", "/fa/email/export?t="+confirm, "192.0.2.1", "export=1"); w.Code != 404 {
		t.Errorf("export with the confirm token: %d", w.Code)
	}

	// Unsubscribing: the link's page changes nothing; only the exact
	// one-click body does.
	w = f.do(t, "GET", "/fa/email/unsubscribe"+m, "192.0.2.1", "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `name="List-Unsubscribe" value="One-Click"`) || status() == "" {
		t.Fatalf("unsubscribe page: %d\n%s", w.Code, w.Body)
	}
	for _, body := range []string{"List-Unsubscribe=one-click", "List-Unsubscribe=One-Click&List-Unsubscribe=One-Click", "Unsubscribe=One-Click", "x=1"} {
		if w := f.do(t, "POST", "/fa/email/unsubscribe"+m, "192.0.2.1", body); w.Code != 400 || status() == "" {
			t.Errorf("unsubscribe with %q: %d, %q", body, w.Code, status())
		}
	}
	w = f.do(t, "POST", "/fa/email/unsubscribe"+m, "192.0.2.1", "List-Unsubscribe=One-Click")
	if w.Code != 200 || !strings.Contains(w.Body.String(), c.T(i18n.EmailUnsubscribed)) || status() != "" {
		t.Fatalf("one-click: %d %q\n%s", w.Code, status(), w.Body)
	}
	if w := f.do(t, "POST", "/fa/email/unsubscribe"+m, "192.0.2.1", "List-Unsubscribe=One-Click"); w.Code != 404 {
		t.Errorf("unsubscribing twice: %d", w.Code)
	}
	if w := f.do(t, "POST", "/fa/email/export"+m, "192.0.2.1", "export=1"); w.Code != 404 {
		t.Errorf("export after unsubscribing: %d", w.Code)
	}
	if strings.Contains(f.logs.String(), "example.org") || strings.Contains(f.logs.String(), manage) {
		t.Errorf("an address or token reached the log:\n%s", f.logs)
	}
}

// TestEmailOff: without the email edition, the pages are 404s and no
// page links them; an unknown service's are 404s too.
func TestEmailOff(t *testing.T) {
	f := newEmailFixture(t, false)
	for _, p := range []string{"/fa/email/", "/fa/email/confirm?t=x", "/fa/email/unsubscribe"} {
		if w := f.do(t, "GET", p, "192.0.2.1", ""); w.Code != 404 {
			t.Errorf("%s: %d", p, w.Code)
		}
	}
	if w := f.do(t, "POST", "/fa/email/", "192.0.2.1", "address=a%40example.org&digest=1"); w.Code != 405 {
		t.Errorf("POST: %d", w.Code)
	}
	if home := f.do(t, "GET", "/fa/", "192.0.2.1", ""); strings.Contains(home.Body.String(), `email/`) {
		t.Error("the service home links an email edition that is off")
	}
	on := newEmailFixture(t, true)
	if w := on.do(t, "GET", "/xx/email/", "192.0.2.1", ""); w.Code != 404 {
		t.Errorf("an unknown service: %d", w.Code)
	}
	if w := on.do(t, "DELETE", "/fa/email/", "192.0.2.1", ""); w.Code != 405 {
		t.Errorf("DELETE: %d", w.Code)
	}
}

// FuzzEmailPost: whatever a client posts to the form, the answer is one
// of the form's (never a server error), sets no cookie, and a row is
// stored only when the answer is "check your inbox".
func FuzzEmailPost(f *testing.F) {
	for _, s := range []string{"address=reader%40example.org&digest=1", "address=a%40b&alerts=1", "address=%0D%0ABcc%3A+x%40evil.example&digest=1",
		"digest=1&digest=1", "address=" + strings.Repeat("a", 300), "%zz", "address=r%40example.org&alerts=on", ""} {
		f.Add(s)
	}
	fx := newEmailFixture(f, true)
	f.Fuzz(func(t *testing.T, body string) {
		before := fx.count(t, "fa")
		r := httptest.NewRequest("POST", "/fa/email/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// Many clients, so that the per-client limit is not what answers.
		r.RemoteAddr = "[2001:db8::" + strconv.Itoa(len(body)%9000+1) + "]:1"
		w := httptest.NewRecorder()
		fx.handler.ServeHTTP(w, r)
		switch w.Code {
		case 200, 400, 413, 429:
		default:
			t.Fatalf("POST %q: %d", body, w.Code)
		}
		if len(w.Header().Values("Set-Cookie")) > 0 {
			t.Fatal("a cookie")
		}
		if after := fx.count(t, "fa"); after > before+1 || after != before && w.Code != 200 {
			t.Fatalf("POST %q: %d, subscriptions %d → %d", body, w.Code, before, after)
		}
	})
}
