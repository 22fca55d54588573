package email

import (
	"bytes"
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzBuild: whatever a caller puts in the fields, Build either refuses
// or writes a mail net/mail reads with exactly the header fields Build
// writes, each once, decoding back to what was given.
func FuzzBuild(f *testing.F) {
	f.Add("Today's news", "Kolokol News", "Reader", "English daily digest", "First story\n", "<p>First</p>")
	f.Add("خلاصه خبرهای امروز", "بی\u200cبی\u200cسی فارسی", "خواننده", "خلاصه روزانه", "خبر اول\r\nخبر دوم", "<h1>خبر</h1>")
	f.Add("Hello\r\nBcc: x@evil.example", "News\r\nBcc: y@evil.example", "R\nCc: z@evil.example", "D>\r\nBcc: <a@b", "x", "y")
	f.Add("=?utf-8?q?Bcc:_x?=", "\"quoted\" \\ name", "<a@b>", "List \"q\"", ".\r\n.\r\n", "--=_boundary")
	f.Add(strings.Repeat("long ", 300), strings.Repeat("n", 199), "", "", strings.Repeat("x", 2000), strings.Repeat("<p>y</p>", 500))
	f.Add("a  b ", " lead", "trail ", "  ", "\x00", "\u2028")
	f.Add("x", "=?utf-8?q?Bcc?=", "\"=?utf-8?b?QmNj?=\"", "=?utf-8?q?L?=", "x", "y")
	f.Add("x", "a\u00a0b", "é \"q\" (c)", "ü, z", "x", "y")
	f.Fuzz(func(t *testing.T, subject, fromName, toName, listDesc, text, htmlBody string) {
		m := english()
		m.Subject, m.From.Name, m.To.Name, m.Text, m.HTML = subject, fromName, toName, text, htmlBody
		m.ListID = listDesc + " <en.digest.news.example.org>"
		raw, err := m.Build()
		if err != nil {
			if raw != nil {
				t.Fatal("Build returned bytes with its error")
			}
			return
		}
		for _, s := range []string{subject, fromName, toName, listDesc} {
			if !utf8.ValidString(s) || strings.ContainsAny(s, "\r\n\x00") {
				t.Fatalf("Build took a header value %q", s)
			}
		}
		checkWire(t, raw)
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("net/mail cannot read the mail: %v\n%s", err, raw)
		}
		want := map[string]bool{"Mime-Version": true, "Date": true, "Message-Id": true, "From": true, "To": true,
			"Subject": true, "Content-Language": true, "List-Id": true, "List-Unsubscribe": true,
			"List-Unsubscribe-Post": true, "Precedence": true, "Auto-Submitted": true, "Content-Type": true}
		for k, v := range msg.Header {
			if !want[k] {
				t.Fatalf("mail has a header %q: %q\n%s", k, v, raw)
			}
			if len(v) != 1 {
				t.Fatalf("mail has %s %d times\n%s", k, len(v), raw)
			}
		}
		if len(msg.Header) != len(want) {
			t.Fatalf("mail has %d header fields, want %d\n%s", len(msg.Header), len(want), raw)
		}
		if got := decodeHeader(t, msg.Header.Get("Subject")); got != subject {
			t.Fatalf("Subject %q decodes to %q", subject, got)
		}
		for _, f := range []struct{ field, name, addr string }{{"From", fromName, m.From.Address}, {"To", toName, m.To.Address}} {
			got, err := msg.Header.AddressList(f.field)
			if err != nil || len(got) != 1 || got[0].Address != f.addr {
				t.Fatalf("%s %q reads as %v (%v)", f.field, msg.Header.Get(f.field), got, err)
			}
			if got[0].Name != f.name {
				t.Fatalf("%s name %q reads as %q (%q)", f.field, f.name, got[0].Name, msg.Header.Get(f.field))
			}
		}
		p := parse(t, raw)
		if got := strings.ReplaceAll(p.text, "\r\n", "\n"); got != normalizeNewlines(text) {
			t.Fatalf("text part %q decodes to %q", text, got)
		}
		if !strings.Contains(p.html, normalizeNewlines(htmlBody)) {
			t.Fatalf("HTML part lacks the body %q", htmlBody)
		}
	})
}

// FuzzParseRelay: ParseRelay either refuses, never showing the password,
// or gives a relay whose String() parses to the same relay.
func FuzzParseRelay(f *testing.F) {
	for _, s := range []string{
		"smtp://mail.example.org", "smtps://u:p@mail.example.org:465", "smtp://[::1]:25?helo=news.example.org",
		"smtp://u%40x:p%3Aw@127.0.0.1:1025/", "smtp://u@h?password-file=/nonexistent", "smtp://h:0", "smtp://[fe80::1%25e]:1",
		"smtp://u:secret@h#f", "smtps://u:se cret@h", "smtp://u:p@h?helo=a&helo=b", "smtp://u:%0D%0A@h",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r, err := ParseRelay(raw)
		if err != nil {
			if u, perr := url.Parse(raw); perr == nil && u.User != nil {
				if pw, ok := u.User.Password(); ok && len(pw) >= 4 && strings.Count(raw, pw) == 1 {
					passwordHidden(t, raw, pw, err)
				}
			}
			return
		}
		if r.host == "" || r.port == "" {
			t.Fatalf("%q: relay without host or port: %+v", raw, r)
		}
		s := r.String()
		if u, err := url.Parse(s); err != nil {
			t.Fatalf("String() %q is no URL: %v", s, err)
		} else if _, has := u.User.Password(); has {
			t.Fatalf("String() %q shows the password", s)
		}
		again, err := ParseRelay(s)
		if err != nil {
			t.Fatalf("%q gives %q, which does not parse: %v", raw, s, err)
		}
		if r.passFile == "" {
			// The URL's own password is not in String(); put it back.
			again.password = r.password
		}
		if again.implicitTLS != r.implicitTLS || again.host != r.host || again.port != r.port ||
			again.user != r.user || again.password != r.password || again.helo != r.helo || again.passFile != r.passFile {
			t.Fatalf("%q gives %q, which parses to another relay", raw, s)
		}
	})
}

// passwordHidden fails when err shows the password pw of raw. The password
// may be a word of the message itself ("smtp", say), so the error is
// compared with the one for the same URL under another password of the
// same length: the password is shown when its own error holds it more often,
// or when the other error holds the other password.
func passwordHidden(t *testing.T, raw, pw string, err error) {
	t.Helper()
	marker := ""
	for _, c := range "ZQXJKzqxjk" {
		if !strings.ContainsRune(raw, c) && !strings.ContainsRune(err.Error(), c) {
			marker = strings.Repeat(string(c), len(pw))
			break
		}
	}
	if marker == "" {
		return
	}
	_, other := ParseRelay(strings.Replace(raw, pw, marker, 1))
	if other == nil {
		return // the password decides validity; nothing to compare
	}
	if strings.Contains(other.Error(), marker) || strings.Count(err.Error(), pw) > strings.Count(other.Error(), pw) {
		t.Fatalf("error %q shows the password %q", err, pw)
	}
}
