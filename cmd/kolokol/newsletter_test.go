package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/internal/realpart"
	"github.com/kolokol/kolokol/newsletter"
)

// TestEmailFlags: the email edition's flags refuse what cannot work, with
// the flag named, and turn nothing on without --smtp.
func TestEmailFlags(t *testing.T) {
	data := t.TempDir()
	for _, c := range []struct {
		name string
		cfg  emailConfig
		base string
		want string // "" means no error
	}{
		{"off", emailConfig{}, "https://news.example.org", ""},
		{"from without relay", emailConfig{From: "News <news@example.org>"}, "https://news.example.org", "--mail-from without --smtp"},
		{"no from", emailConfig{SMTP: "smtp://127.0.0.1:2525"}, "https://news.example.org", "--smtp needs --mail-from"},
		{"bad from", emailConfig{SMTP: "smtp://127.0.0.1:2525", From: "News <news@example.org>\r\nBcc: x@evil.example"}, "https://news.example.org", "--mail-from"},
		{"bad relay", emailConfig{SMTP: "ftp://mail.example.org", From: "news@example.org"}, "https://news.example.org", "--smtp"},
		{"http base", emailConfig{SMTP: "smtp://127.0.0.1:2525", From: "news@example.org"}, "http://news.example.org", "--base-url"},
		{"hour", emailConfig{SMTP: "smtp://127.0.0.1:2525", From: "news@example.org", DigestHour: 24}, "https://news.example.org", "--digest-hour"},
		{"rate", emailConfig{SMTP: "smtp://127.0.0.1:2525", From: "news@example.org", Rate: -1}, "https://news.example.org", "--mail-rate"},
		{"selector alone", emailConfig{SMTP: "smtp://127.0.0.1:2525", From: "news@example.org", DKIMSelector: "k1"}, "https://news.example.org", "go together"},
		{"on", emailConfig{SMTP: "smtp://127.0.0.1:2525", From: "News <news@example.org>"}, "https://news.example.org", ""},
	} {
		d, err := c.cfg.desk(nil, data, c.base, "Kolokol", nil)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want one naming %q", c.name, err, c.want)
		case c.name == "off" && d != nil, c.name == "on" && d == nil:
			t.Errorf("%s: desk %v", c.name, d)
		}
	}
	// The subscribers key was made where serve keeps it, 0600.
	if fi, err := os.Stat(filepath.Join(data, "secrets", "subscribers.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("subscribers key: %v", err)
	}
}

// TestNewsletterDKIMKey: the command writes a key serve loads and prints
// the record to publish.
func TestNewsletterDKIMKey(t *testing.T) {
	out := filepath.Join(t.TempDir(), "dkim.key")
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"newsletter", "dkim-key", "--out", out}, &stdout, &stderr, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "v=DKIM1; k=rsa; p=") {
		t.Errorf("output:\n%s", stdout.String())
	}
	cfg := emailConfig{SMTP: "smtp://127.0.0.1:2525", From: "news@example.org", DKIMKeyFile: out, DKIMSelector: "k1"}
	if _, err := cfg.desk(nil, t.TempDir(), "https://news.example.org", "Kolokol", nil); err != nil {
		t.Errorf("serve with the new key: %v", err)
	}
	if err := run(t.Context(), []string{"newsletter", "dkim-key", "--out", out}, &stdout, &stderr, func(string) string { return "" }); err == nil {
		t.Error("an existing key file was overwritten")
	}
}

// TestEmailEditionServed: with --smtp, the live server's service pages
// link the form, which answers with the reader privacy headers and no
// cookie; the static export's pages do not link it.
func TestEmailEditionServed(t *testing.T) {
	mp := realpart.StartMailpit(t)
	ta := newTestAppWith(t, Config{Email: emailConfig{SMTP: "smtp://" + mp.SMTP, From: "News <news@example.org>", DigestHour: 6, Rate: 10}})
	home := ta.get(t, "/fa/")
	if home.status != 200 || !strings.Contains(string(home.body), `href="email/"`) {
		t.Fatalf("/fa/: %d, no link to the email edition", home.status)
	}
	form := ta.get(t, "/fa/email/")
	if form.status != 200 || len(form.header.Values("Set-Cookie")) > 0 || form.header.Get("Cache-Control") != "private, no-store" ||
		!strings.Contains(form.header.Get("Content-Security-Policy"), "form-action 'self'") || form.header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("/fa/email/: %d %v", form.status, form.header)
	}
	res := ta.do(t, "POST", "/fa/email/", "", strings.NewReader("address=reader%40example.org&digest=1"), "Content-Type", "application/x-www-form-urlencoded")
	if res.status != 200 || len(res.header.Values("Set-Cookie")) > 0 {
		t.Fatalf("subscribe: %d", res.status)
	}
	if strings.Contains(ta.logs.String(), "reader@example.org") {
		t.Error("the address reached the log")
	}
}

// TestNewsletterSend: "kolokol newsletter send" mails today's digest of a
// service to its confirmed digest subscribers through the relay, once: a
// second run sends nothing. It refuses what it cannot send by hand.
func TestNewsletterSend(t *testing.T) {
	mp := realpart.StartMailpit(t)
	// The window closes at this hour today, after the demo's stories of
	// two and five hours ago and before the next hour's.
	hour := time.Now().UTC().Hour()
	ta := newTestAppWith(t, Config{Email: emailConfig{SMTP: "smtp://" + mp.SMTP, From: "News <news@example.org>", DigestHour: hour}})
	ctx := t.Context()
	keys, err := newsletter.LoadKeys(filepath.Join(ta.data, "secrets", "subscribers.key"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, s := range []struct {
		addr           string
		digest, alerts bool
		confirm        bool
	}{
		{"digest@example.org", true, false, true},
		{"alerts@example.org", false, true, true},  // alerts only: no digest
		{"pending@example.org", true, true, false}, // never confirmed
	} {
		lookup := keys.Lookup(s.addr)
		sealed := keys.Seal(lookup, s.addr)
		sub := &kolokol.Subscription{Service: "en", Lookup: lookup, Sealed: sealed, Digest: s.digest, Alerts: s.alerts,
			ConfirmHash: newsletter.TokenHash(newsletter.NewToken()), ManageHash: newsletter.TokenHash(keys.ManageToken(sealed))}
		if _, err := ta.Store.Subscribe(ctx, sub, kolokol.SubscribeLimits{Now: now}); err != nil {
			t.Fatal(err)
		}
		if s.confirm {
			if _, err := ta.Store.ConfirmSubscription(ctx, sub.ConfirmHash, now); err != nil {
				t.Fatal(err)
			}
		}
	}
	send := []string{"newsletter", "send", "--data", ta.data, "--service", "en", "--kind", "digest", "--smtp", "smtp://" + mp.SMTP,
		"--mail-from", "News <news@example.org>", "--base-url", "https://news.example.org", "--digest-hour", strconv.Itoa(hour)}
	stdout, errOut, err := runCLI(t, noEnv, send...)
	if err != nil || !strings.Contains(stdout, "digest of en: 1 mails sent") {
		t.Fatalf("newsletter send: %v\n%s%s", err, stdout, errOut)
	}
	msgs := mp.Messages(t)
	if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "digest@example.org" || msgs[0].From != "news@example.org" {
		t.Fatalf("mails: %+v", msgs)
	}
	raw := string(mp.Raw(t, msgs[0].ID))
	for _, want := range []string{
		"List-Unsubscribe: <https://news.example.org/en/email/unsubscribe?t=",
		"List-Unsubscribe-Post: List-Unsubscribe=One-Click",
		"Content-Language: en",
	} {
		if !strings.Contains(raw, want) {
			t.Errorf("the digest lacks %q:\n%s", want, raw)
		}
	}
	if strings.Contains(errOut, "digest@example.org") {
		t.Error("the address reached the command's log")
	}

	// Once a day: a second run sends nothing.
	if stdout, errOut, err := runCLI(t, noEnv, send...); err != nil || !strings.Contains(stdout, "digest of en: 0 mails sent") {
		t.Fatalf("newsletter send again: %v\n%s%s", err, stdout, errOut)
	}
	if n := len(mp.Messages(t)); n != 1 {
		t.Errorf("after the second run Mailpit holds %d mails, want 1", n)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"newsletter", "send", "--data", ta.data, "--service", "en", "--kind", "alerts", "--smtp", "smtp://" + mp.SMTP}, "only digest"},
		{[]string{"newsletter", "send", "--data", ta.data, "--smtp", "smtp://" + mp.SMTP}, "give --service"},
		{[]string{"newsletter", "send", "--data", ta.data, "--service", "en"}, "give --service and --smtp"},
		{[]string{"newsletter", "send", "--data", ta.data, "--service", "en", "--smtp", "smtp://" + mp.SMTP, "--mail-from", "news@example.org",
			"--base-url", "http://news.example.org"}, "--base-url"},
		{[]string{"newsletter"}, "usage"},
	} {
		if _, _, err := runCLI(t, noEnv, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("kolokol %s: %v, want an error naming %q", strings.Join(c.args, " "), err, c.want)
		}
	}
}
