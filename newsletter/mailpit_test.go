package newsletter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/email"
	"github.com/kolokol/kolokol/internal/realpart"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/newsletter"
	"github.com/kolokol/kolokol/render"
	"github.com/kolokol/kolokol/site"
	"github.com/kolokol/kolokol/store/sqlite"
)

// lockedBuffer is a log sink the server's goroutines share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// edition is a live reader site with the email edition, sending through
// a real Mailpit on loopback, DKIM-signed.
type edition struct {
	st       *sqlite.Store
	dbPath   string
	desk     *newsletter.Desk
	srv      *httptest.Server
	mp       *realpart.Mailpit
	logs     *lockedBuffer
	dkimTXT  string
	now      time.Time
	articles []*kolokol.Article
	keys     *newsletter.Keys
}

const dkimDomain, dkimSelector = "news.example.org", "k1"

func newEdition(t testing.TB, stories int) *edition {
	t.Helper()
	mp := realpart.StartMailpit(t)
	ctx := t.Context()
	dir := t.TempDir()
	e := &edition{mp: mp, logs: &lockedBuffer{}, dbPath: filepath.Join(dir, "kolokol.db")}
	st, err := sqlite.Open(ctx, e.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.st = st
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.CreateService(ctx, &kolokol.Service{Code: "fa", Tag: "fa-IR", Script: "Arab", Direction: kolokol.RTL, Name: "فارسی",
		TimeZone: "Asia/Tehran", Brand: "رادیو کلوکول"}))
	// The clock of the edition: today 06:30 UTC. With the digest hour at
	// 23, Run sends no digest of its own; the test asks for it.
	y, m, d := time.Now().UTC().Date()
	e.now = time.Date(y, m, d, 6, 30, 0, 0, time.UTC)
	for i := range stories {
		a := &kolokol.Article{Service: "fa", Headline: fmt.Sprintf("خبر شماره %d دربارهٔ بازگشت کشتی", i+1), Summary: "خلاصهٔ خبر.",
			Body: "متن.", Status: kolokol.StatusPublished, PublishedAt: e.now.Add(-time.Duration(i+1) * time.Hour)}
		a.Normalize()
		must(st.CreateArticle(ctx, a))
		e.articles = append(e.articles, a)
	}

	keyFile := filepath.Join(dir, "dkim.key")
	e.dkimTXT, err = email.GenerateDKIM(keyFile)
	must(err)
	dk, err := email.LoadDKIM(keyFile, dkimDomain, dkimSelector)
	must(err)
	relay, err := email.ParseRelay("smtp://" + mp.SMTP)
	must(err)
	keys, err := newsletter.LoadKeys(filepath.Join(dir, "secrets", "subscribers.key"))
	must(err)
	e.keys = keys

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	base := "http://" + ln.Addr().String()
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.desk = newsletter.New(st, newsletter.Options{Keys: keys, Mailer: &email.Sender{Relay: relay, DKIM: dk, Retries: 2, Backoff: 10 * time.Millisecond},
		From: mail.Address{Name: "رادیو کلوکول", Address: "news@" + dkimDomain}, BaseURL: base, SiteName: "Kolokol", Log: log,
		Now: func() time.Time { return e.now }, DigestHour: 23, ClientPerHour: 1000})
	b, err := render.New(st, render.Options{BaseURL: base, SiteName: "Kolokol", Email: true})
	must(err)
	blobs, err := media.NewDir(filepath.Join(dir, "media"))
	must(err)
	s := site.New(b, blobs, log, nil, site.Options{Notices: st.FindNotices, Newsletter: e.desk})
	e.srv = httptest.NewUnstartedServer(s.Handler())
	e.srv.Listener.Close()
	e.srv.Listener = ln
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	runCtx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { e.desk.Run(runCtx) })
	wg.Go(func() { e.desk.RunConfirmations(runCtx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	return e
}

// waitMails waits for Mailpit to hold n mails (the confirmation goes out
// from Run, after the answer) and returns them, oldest first.
func (e *edition) waitMails(t *testing.T, n int) []realpart.MailpitMessage {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ms := e.mp.Messages(t)
		if len(ms) >= n || time.Now().After(deadline) {
			if len(ms) != n {
				t.Fatalf("mailpit holds %d mails, want %d", len(ms), n)
			}
			out := make([]realpart.MailpitMessage, len(ms))
			for i, m := range ms {
				out[len(ms)-1-i] = m
			}
			return out
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// received is a mail as it arrived: its headers, its two parts decoded.
type received struct {
	raw        []byte
	header     mail.Header
	text, html string
}

func (e *edition) read(t *testing.T, id string) received {
	t.Helper()
	raw := e.mp.Raw(t, id)
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	r := received{raw: raw, header: msg.Header}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var kinds []string
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		var body []byte
		if p.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			body, err = io.ReadAll(quotedprintable.NewReader(p))
		} else {
			body, err = io.ReadAll(p)
		}
		if err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, ct)
		switch ct {
		case "text/plain":
			r.text = string(body)
		case "text/html":
			r.html = string(body)
		}
	}
	if strings.Join(kinds, ",") != "text/plain,text/html" {
		t.Fatalf("parts %v, want text/plain then text/html", kinds)
	}
	// Signed by the newsroom's key, as received.
	lookup := func(domain string) ([]string, error) {
		if domain != dkimSelector+"._domainkey."+dkimDomain {
			return nil, fmt.Errorf("no TXT record at %s", domain)
		}
		return []string{e.dkimTXT}, nil
	}
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{LookupTXT: lookup})
	if err != nil || len(vs) != 1 || vs[0].Err != nil || vs[0].Domain != dkimDomain {
		t.Fatalf("DKIM: %v %+v", err, vs)
	}
	for _, h := range []string{"X-Mailer", "User-Agent"} {
		if msg.Header.Get(h) != "" {
			t.Errorf("the mail has %s", h)
		}
	}
	return r
}

func subject(t *testing.T, r received) string {
	t.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(r.header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// post sends a form to the live server, as a browser or a mail client.
func (e *edition) post(t *testing.T, target string, form url.Values) (*http.Response, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Post(target, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if len(res.Header.Values("Set-Cookie")) > 0 {
		t.Errorf("POST %s set a cookie", target)
	}
	return res, string(b)
}

var confirmLink = regexp.MustCompile(`http://127\.0\.0\.1:\d+/fa/email/confirm\?t=[A-Za-z0-9_-]+`)

// TestEditionThroughMailpit: a reader subscribes on the form, the
// confirmation mail arrives signed and in both parts, the link's page
// confirms on POST, the digest and an alert arrive once each however
// often the delivery runs, the export holds what is kept, one-click
// unsubscribing deletes the row and no mail goes after; no address
// reaches the log or the database file in clear.
func TestEditionThroughMailpit(t *testing.T) {
	e := newEdition(t, 3)
	ctx := t.Context()
	const address = "Reader.One@Example.ORG" // kept as Reader.One@example.org
	const normal = "Reader.One@example.org"

	res, body := e.post(t, e.srv.URL+"/fa/email/", url.Values{"address": {address}, "digest": {"1"}, "alerts": {"1"}})
	if res.StatusCode != 200 || !strings.Contains(body, `dir="rtl"`) {
		t.Fatalf("subscribe: %d\n%s", res.StatusCode, body)
	}
	// The same again at once: the same answer, no second mail.
	if res2, body2 := e.post(t, e.srv.URL+"/fa/email/", url.Values{"address": {normal}, "digest": {"1"}}); res2.StatusCode != 200 || body2 != body {
		t.Fatalf("subscribing again answered otherwise: %d", res2.StatusCode)
	}
	ms := e.waitMails(t, 1)
	c := e.read(t, ms[0].ID)
	if to := c.header.Get("To"); !strings.Contains(to, normal) {
		t.Errorf("To: %q", to)
	}
	if c.header.Get("Content-Language") != "fa-IR" || !strings.Contains(c.html, `dir="rtl"`) || !strings.Contains(c.html, `lang="fa-IR"`) ||
		!strings.Contains(subject(t, c), "رادیو کلوکول") {
		t.Errorf("confirmation: Content-Language %q, subject %q\n%s", c.header.Get("Content-Language"), subject(t, c), c.html)
	}
	link := confirmLink.FindString(c.text)
	if link == "" || !strings.Contains(c.html, link) {
		t.Fatalf("no confirmation link in the mail:\n%s", c.text)
	}

	// Following the link (a mail scanner does) confirms nothing.
	get, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(get.Body)
	get.Body.Close()
	if get.StatusCode != 200 || !strings.Contains(string(page), `method="post"`) {
		t.Fatalf("confirm page: %d", get.StatusCode)
	}
	subs, err := e.st.FindSubscriptions(ctx, kolokol.SubscriptionFilter{Service: "fa"})
	if err != nil || len(subs) != 1 || subs[0].Status != kolokol.SubscriptionPending {
		t.Fatalf("after the GET: %v %v", subs, err)
	}
	if res, _ := e.post(t, link, url.Values{"confirm": {"1"}}); res.StatusCode != 200 {
		t.Fatalf("confirm: %d", res.StatusCode)
	}

	// The digest, twice: one mail.
	for i, want := range []int{1, 0} {
		n, err := e.desk.SendDigest(ctx, "fa", e.now)
		if err != nil || n != want {
			t.Fatalf("digest run %d: %d mails, %v; want %d", i, n, err, want)
		}
	}
	// A breaking banner, its alert run twice: one mail.
	if _, err := e.desk.SendAlerts(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetBreaking(ctx, &kolokol.Breaking{Service: "fa", Text: "زلزله در شمال کشور", URL: e.articles[0].Path()}); err != nil {
		t.Fatal(err)
	}
	sent := 0
	for range 2 {
		n, err := e.desk.SendAlerts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sent += n
	}
	ms = e.waitMails(t, 3)
	if sent > 1 {
		t.Fatalf("the alert went %d times", sent)
	}
	var digest, alert received
	for _, m := range ms[1:] {
		r := e.read(t, m.ID)
		switch {
		case strings.Contains(r.header.Get("List-Id"), "<fa.digest."):
			digest = r
		case strings.Contains(r.header.Get("List-Id"), "<fa.alerts."):
			alert = r
		}
	}
	if digest.raw == nil || alert.raw == nil {
		t.Fatal("no digest or no alert arrived")
	}
	var unsubscribe string
	for name, r := range map[string]received{"digest": digest, "alert": alert} {
		lu := r.header.Get("List-Unsubscribe")
		if !strings.HasPrefix(lu, "<"+e.srv.URL+"/fa/email/unsubscribe?t=") || r.header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Errorf("%s: List-Unsubscribe %q, List-Unsubscribe-Post %q", name, lu, r.header.Get("List-Unsubscribe-Post"))
		}
		if unsubscribe == "" {
			unsubscribe = strings.Trim(lu, "<>")
		} else if strings.Trim(lu, "<>") != unsubscribe {
			t.Errorf("%s: another unsubscribe link %q", name, lu)
		}
		if !regexp.MustCompile(`^<d\d+\.s\d+@127\.0\.0\.1>$`).MatchString(r.header.Get("Message-Id")) {
			t.Errorf("%s: Message-ID %q", name, r.header.Get("Message-Id"))
		}
		if !strings.Contains(r.text, unsubscribe) || !strings.Contains(r.html, `dir="rtl"`) {
			t.Errorf("%s: the parts lack the unsubscribe link or the direction", name)
		}
	}
	for _, a := range e.articles {
		if !strings.Contains(digest.text, a.Headline) || !strings.Contains(digest.text, e.srv.URL+a.Path()) ||
			!strings.Contains(digest.html, `href="`+e.srv.URL+a.Path()+`"`) {
			t.Errorf("the digest lacks story %d or its link:\n%s", a.ID, digest.text)
		}
	}
	if !strings.Contains(alert.text, "زلزله در شمال کشور") || !strings.Contains(alert.text, e.srv.URL+e.articles[0].Path()) {
		t.Errorf("alert:\n%s", alert.text)
	}
	// Persian digits in the digest's date: the service's own.
	if !strings.ContainsAny(digest.text, "۰۱۲۳۴۵۶۷۸۹") {
		t.Errorf("the digest's date is not in Persian digits:\n%s", digest.text)
	}

	// The export, before leaving.
	u, _ := url.Parse(unsubscribe)
	res, body = e.post(t, e.srv.URL+"/fa/email/export?"+u.RawQuery, url.Values{"export": {"1"}})
	var ex newsletter.Export
	if err := json.Unmarshal([]byte(body), &ex); err != nil || res.StatusCode != 200 || ex.Address != normal || ex.Status != "confirmed" ||
		!ex.Digest || !ex.Alerts || len(ex.Mails) != 2 {
		t.Fatalf("export: %d %v\n%s", res.StatusCode, err, body)
	}

	// One-click, as a mail client does it.
	res, _ = e.post(t, unsubscribe, url.Values{"List-Unsubscribe": {"One-Click"}})
	if res.StatusCode != 200 || res.Header.Get("Location") != "" {
		t.Fatalf("one-click: %d, Location %q", res.StatusCode, res.Header.Get("Location"))
	}
	if subs, err := e.st.FindSubscriptions(ctx, kolokol.SubscriptionFilter{Service: "fa"}); err != nil || subs != nil {
		t.Fatalf("after unsubscribing: %v %v", subs, err)
	}
	if err := e.st.SetBreaking(ctx, &kolokol.Breaking{Service: "fa", Text: "خبر فوری دیگر"}); err != nil {
		t.Fatal(err)
	}
	if n, err := e.desk.SendAlerts(ctx); err != nil || n != 0 {
		t.Fatalf("an alert after unsubscribing: %d %v", n, err)
	}
	tomorrow := e.now.Add(24 * time.Hour)
	if n, err := e.desk.SendDigest(ctx, "fa", tomorrow); err != nil || n != 0 {
		t.Fatalf("a digest after unsubscribing: %d %v", n, err)
	}
	if got := e.mp.Messages(t); len(got) != 3 {
		t.Fatalf("mailpit holds %d mails after unsubscribing, want 3", len(got))
	}

	// No address in clear: not in the log, not in the database's files.
	for _, a := range []string{address, normal, strings.ToLower(normal), "example.org", "Example.ORG"} {
		if strings.Contains(e.logs.String(), a) {
			t.Errorf("the log holds %q:\n%s", a, e.logs)
		}
	}
	e.st.Close()
	files, _ := filepath.Glob(e.dbPath + "*")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(bytes.ToLower(b), []byte("reader.one")) || bytes.Contains(bytes.ToLower(b), []byte("example.org")) {
			t.Errorf("%s holds the address in clear", filepath.Base(f))
		}
	}
}

// BenchmarkDigest: one day's digest, built, signed and sent to 10,000
// confirmed subscribers through a local Mailpit. Run it with
// -benchtime=1x: each day's digest goes once, so a second iteration (the
// day before, without stories) would send nothing.
func BenchmarkDigest(b *testing.B) {
	e := newEdition(b, 10)
	ctx := b.Context()
	const subscribers = 10_000
	keys := e.keys
	for start := 0; start < subscribers; start += 500 {
		err := e.st.InTx(ctx, func(tx kolokol.Store) error {
			for i := start; i < start+500; i++ {
				addr := fmt.Sprintf("reader%05d@example.net", i)
				lookup := keys.Lookup(addr)
				sealed := keys.Seal(lookup, addr)
				sub := &kolokol.Subscription{Service: "fa", Lookup: lookup, Sealed: sealed, Digest: true,
					ConfirmHash: newsletter.TokenHash(newsletter.NewToken()), ManageHash: newsletter.TokenHash(keys.ManageToken(sealed))}
				if _, err := tx.Subscribe(ctx, sub, kolokol.SubscribeLimits{Now: e.now}); err != nil {
					return err
				}
				if _, err := tx.ConfirmSubscription(ctx, sub.ConfirmHash, e.now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	start := time.Now()
	total := 0
	for i := 0; b.Loop(); i++ {
		n, err := e.desk.SendDigest(ctx, "fa", e.now.AddDate(0, 0, -i))
		if err != nil || i == 0 && n != subscribers {
			b.Fatalf("digest: %d mails, %v", n, err)
		}
		total += n
	}
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "mails/s")
}
