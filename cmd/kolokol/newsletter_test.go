package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kolokol/kolokol/internal/realpart"
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
