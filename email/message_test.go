package email

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"
)

// persian is a digest mail of a right-to-left service.
func persian() *Message {
	return &Message{
		From:        mail.Address{Name: "بی\u200cبی\u200cسی فارسی", Address: "digest@news.example.org"},
		To:          mail.Address{Name: "خواننده", Address: "reader@example.net"},
		Subject:     "خلاصه خبرهای امروز: تهران، کابل و دوشنبه",
		Lang:        "fa",
		Dir:         "rtl",
		Text:        "خبر اول\nخبر دوم با متنی بلند " + strings.Repeat("و ادامه\u200cی آن ", 40) + "\n\nلغو اشتراک: https://news.example.org/fa/unsubscribe/tok123\n",
		HTML:        "<h1>خلاصه خبرهای امروز</h1>\n<p><a href=\"https://news.example.org/fa/a/1-slug/\">خبر اول</a></p>",
		ListID:      "خلاصه روزانه فارسی <fa.digest.news.example.org>",
		Unsubscribe: "https://news.example.org/fa/unsubscribe/tok123",
		MessageID:   "<d123.s456@news.example.org>",
		Date:        time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC),
	}
}

func english() *Message {
	return &Message{
		From:        mail.Address{Name: "Kolokol News", Address: "digest@news.example.org"},
		To:          mail.Address{Address: "reader@example.net"},
		Subject:     "Today's news: the daily digest",
		Lang:        "en",
		Dir:         "ltr",
		Text:        "First story\r\nSecond story = more\n\nUnsubscribe: https://news.example.org/en/unsubscribe/tok9\n",
		HTML:        "<h1>Today</h1>\n<p>First story</p>",
		ListID:      "English daily digest <en.digest.news.example.org>",
		Unsubscribe: "https://news.example.org/en/unsubscribe/tok9",
		MessageID:   "<d7.s8@news.example.org>",
		Date:        time.Date(2026, 12, 1, 6, 0, 0, 0, time.FixedZone("", 3*3600+1800)),
	}
}

// parsed is a built mail read back with the standard library.
type parsed struct {
	header      mail.Header
	text, html  string
	partHeaders []map[string][]string
}

func parse(t testing.TB, raw []byte) parsed {
	t.Helper()
	checkWire(t, raw)
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot read the mail: %v\n%s", err, raw)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" || params["boundary"] == "" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	p := parsed{header: msg.Header}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for i := 0; ; i++ {
		// NextRawPart: NextPart would decode quoted-printable itself
		// and hide the Content-Transfer-Encoding header.
		part, err := r.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		if cte := part.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
			t.Errorf("part %d: Content-Transfer-Encoding %q", i, cte)
		}
		body, err := io.ReadAll(quotedprintable.NewReader(part))
		if err != nil {
			t.Fatalf("part %d: quoted-printable: %v", i, err)
		}
		p.partHeaders = append(p.partHeaders, part.Header)
		switch ct := part.Header.Get("Content-Type"); ct {
		case "text/plain; charset=utf-8":
			if i != 0 {
				t.Errorf("text/plain is part %d, want 0", i)
			}
			p.text = string(body)
		case "text/html; charset=utf-8":
			if i != 1 {
				t.Errorf("text/html is part %d, want 1", i)
			}
			p.html = strings.ReplaceAll(string(body), "\r\n", "\n")
		default:
			t.Errorf("part %d has Content-Type %q", i, ct)
		}
	}
	if len(p.partHeaders) != 2 {
		t.Errorf("%d parts, want 2", len(p.partHeaders))
	}
	return p
}

// checkWire checks the mail's line endings and lengths.
func checkWire(t testing.TB, raw []byte) {
	t.Helper()
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Errorf("mail does not end in CRLF")
	}
	for i, line := range bytes.Split(raw, []byte("\r\n")) {
		if bytes.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 998 {
			t.Errorf("line %d is %d octets", i+1, len(line))
		}
	}
}

func decodeHeader(t testing.TB, v string) string {
	t.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(v)
	if err != nil {
		t.Fatalf("decode %q: %v", v, err)
	}
	return s
}

func TestBuild(t *testing.T) {
	for _, m := range []*Message{english(), persian()} {
		t.Run(m.Lang, func(t *testing.T) {
			raw, err := m.Build()
			if err != nil {
				t.Fatal(err)
			}
			checkBuilt(t, m, raw)
			again, err := m.Build()
			if err != nil || !bytes.Equal(raw, again) {
				t.Errorf("a second Build gave other bytes (err %v)", err)
			}
		})
	}
}

// checkBuilt checks every header and both parts of raw against m.
func checkBuilt(t testing.TB, m *Message, raw []byte) {
	t.Helper()
	p := parse(t, raw)
	h := p.header
	want := map[string]string{
		"MIME-Version":          "1.0",
		"Message-Id":            m.MessageID,
		"Content-Language":      m.Lang,
		"List-Unsubscribe":      "<" + m.Unsubscribe + ">",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Auto-Submitted":        "auto-generated",
		"Precedence":            "bulk",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if got := decodeHeader(t, h.Get("Subject")); got != m.Subject {
		t.Errorf("Subject decodes to %q, want %q", got, m.Subject)
	}
	date, err := h.Date()
	if err != nil || !date.Equal(m.Date) {
		t.Errorf("Date %q = %v (%v), want %v", h.Get("Date"), date, err, m.Date)
	}
	for _, f := range []struct {
		name string
		want mail.Address
	}{{"From", m.From}, {"To", m.To}} {
		got, err := h.AddressList(f.name)
		if err != nil || len(got) != 1 || got[0].Address != f.want.Address || got[0].Name != f.want.Name {
			t.Errorf("%s %q = %v (%v), want %v", f.name, h.Get(f.name), got, err, f.want)
		}
	}
	if got := decodeHeader(t, h.Get("List-Id")); got != m.ListID && got != strings.Replace(m.ListID, " <", ` <`, 1) {
		t.Errorf("List-Id decodes to %q, want %q", got, m.ListID)
	}
	for k := range h {
		switch strings.ToLower(k) {
		case "x-mailer", "user-agent", "x-originating-ip", "x-kolokol":
			t.Errorf("header %s reveals software or the reader", k)
		}
		if strings.HasPrefix(strings.ToLower(k), "x-") {
			t.Errorf("header %s: no X- header belongs in a reader's mail", k)
		}
	}
	if got, want := strings.ReplaceAll(p.text, "\r\n", "\n"), normalizeNewlines(m.Text); got != want {
		t.Errorf("text part decodes to\n%q\nwant\n%q", got, want)
	}
	for _, s := range []string{
		"<!DOCTYPE html>",
		`<html lang="` + m.Lang + `" dir="` + m.Dir + `">`,
		`<meta charset="utf-8">`,
		`<div lang="` + m.Lang + `" dir="` + m.Dir + `"`,
		m.HTML,
	} {
		if !strings.Contains(p.html, s) {
			t.Errorf("HTML part lacks %q:\n%s", s, p.html)
		}
	}
	if !strings.Contains(p.html, "<title>") || !strings.Contains(p.html, "</title>") {
		t.Errorf("HTML part has no title")
	}
	for _, bad := range []string{"<script", "<img", "<link", "<style", "@import", "src="} {
		if strings.Contains(strings.ToLower(p.html), bad) && !strings.Contains(strings.ToLower(m.HTML), bad) {
			t.Errorf("the wrapping adds %q", bad)
		}
	}
}

func TestBuildRefuses(t *testing.T) {
	tests := []struct {
		name  string
		field string // FieldError.Field the error must name
		edit  func(m *Message)
	}{
		{"subject CRLF", "Subject", func(m *Message) { m.Subject = "Hello\r\nBcc: x@evil.example" }},
		{"subject LF", "Subject", func(m *Message) { m.Subject = "Hello\nBcc: x@evil.example" }},
		{"subject CR", "Subject", func(m *Message) { m.Subject = "Hello\rBcc: x@evil.example" }},
		{"subject NUL", "Subject", func(m *Message) { m.Subject = "Hello\x00" }},
		{"subject tab", "Subject", func(m *Message) { m.Subject = "Hello\tthere" }},
		{"subject C1", "Subject", func(m *Message) { m.Subject = "Hello\u0085there" }},
		{"subject line separator", "Subject", func(m *Message) { m.Subject = "Hello\u2028Bcc: x@evil.example" }},
		{"subject invalid UTF-8", "Subject", func(m *Message) { m.Subject = "Hello \xff\xfe" }},
		{"subject empty", "Subject", func(m *Message) { m.Subject = " " }},
		{"from name CRLF", "From name", func(m *Message) { m.From.Name = "News\r\nBcc: x@evil.example" }},
		{"to name LF", "To name", func(m *Message) { m.To.Name = "Reader\nBcc: x@evil.example" }},
		{"to name invalid UTF-8", "To name", func(m *Message) { m.To.Name = "\xc3\x28" }},
		{"from address CRLF", "From", func(m *Message) { m.From.Address = "a@example.org\r\nBcc: x@evil.example" }},
		{"to address CRLF", "To", func(m *Message) { m.To.Address = "reader@example.net\r\nBcc: x@evil.example" }},
		{"to address two", "To", func(m *Message) { m.To.Address = "reader@example.net, x@evil.example" }},
		{"to address with name", "To", func(m *Message) { m.To.Address = "R <reader@example.net>" }},
		{"to address no domain", "To", func(m *Message) { m.To.Address = "reader" }},
		{"to address empty", "To", func(m *Message) { m.To.Address = "" }},
		{"to address non-ASCII", "To", func(m *Message) { m.To.Address = "خواننده@example.net" }},
		{"to address bad domain", "To", func(m *Message) { m.To.Address = "reader@-example.net" }},
		{"list id CRLF", "ListID", func(m *Message) { m.ListID = "Digest <a.example.org>\r\nBcc: x@evil.example" }},
		{"list id no brackets", "ListID", func(m *Message) { m.ListID = "Digest a.example.org" }},
		{"list id no dot", "ListID", func(m *Message) { m.ListID = "Digest <digest>" }},
		{"list id without unsubscribe", "ListID", func(m *Message) { m.Unsubscribe = "" }},
		{"message id CRLF", "MessageID", func(m *Message) { m.MessageID = "<a@b>\r\nBcc: x@evil.example" }},
		{"message id no brackets", "MessageID", func(m *Message) { m.MessageID = "a@b.example" }},
		{"message id space", "MessageID", func(m *Message) { m.MessageID = "<a b@c.example>" }},
		{"message id empty", "MessageID", func(m *Message) { m.MessageID = "" }},
		{"unsubscribe http", "Unsubscribe", func(m *Message) { m.Unsubscribe = "http://news.example.org/u/tok" }},
		{"unsubscribe mailto", "Unsubscribe", func(m *Message) { m.Unsubscribe = "mailto:u@news.example.org" }},
		{"unsubscribe CRLF", "Unsubscribe", func(m *Message) { m.Unsubscribe = "https://news.example.org/u\r\nBcc: x@evil.example" }},
		{"unsubscribe bracket", "Unsubscribe", func(m *Message) { m.Unsubscribe = "https://news.example.org/u>, <https://evil.example/" }},
		{"unsubscribe relative", "Unsubscribe", func(m *Message) { m.Unsubscribe = "/u/tok" }},
		{"unsubscribe without list", "Unsubscribe", func(m *Message) { m.ListID = "" }},
		{"lang", "Lang", func(m *Message) { m.Lang = "fa\r\nBcc: x@evil.example" }},
		{"lang empty", "Lang", func(m *Message) { m.Lang = "" }},
		{"dir", "Dir", func(m *Message) { m.Dir = "auto" }},
		{"text missing", "Text", func(m *Message) { m.Text = "" }},
		{"html missing", "HTML", func(m *Message) { m.HTML = "\n" }},
		{"text invalid UTF-8", "Text", func(m *Message) { m.Text = "ok \xff" }},
		{"html invalid UTF-8", "HTML", func(m *Message) { m.HTML = "<p>\xed\xa0\x80</p>" }},
		{"text NUL", "Text", func(m *Message) { m.Text = "a\x00b" }},
		{"date missing", "Date", func(m *Message) { m.Date = time.Time{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := persian()
			tt.edit(m)
			raw, err := m.Build()
			if err == nil {
				t.Fatalf("Build accepted it:\n%s", raw)
			}
			if raw != nil {
				t.Errorf("Build returned bytes with its error")
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("error %q does not name the field %s", err, tt.field)
			}
			if !IsPermanent(err) {
				t.Errorf("a refused mail is not a permanent failure: %v", err)
			}
			for _, secret := range []string{"reader@example.net", "tok123"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q repeats the reader's %s", err, secret)
				}
			}
		})
	}
}

// TestBuildLongHeaders: subjects and names long enough to need folding
// still decode to what was given, and no line is over 998 octets.
func TestBuildLongHeaders(t *testing.T) {
	tests := []struct{ name, subject, fromName string }{
		{"ascii words", strings.Repeat("word ", 150) + "end", "Kolokol"},
		{"ascii one long word", strings.Repeat("x", 900), "Kolokol"},
		{"double spaces", "a  b   c ", "Kolokol"},
		{"looks encoded", "=?utf-8?b?QmNjOiB4QGV2aWw=?=", "Kolokol"},
		{"persian", strings.Repeat("خبر ", 120), strings.Repeat("ن", 100)},
		{"mixed", "Breaking: " + strings.Repeat("Кабул — کابل ", 30), "Kolokol \"Russian\" (desk)"},
		{"emoji", strings.Repeat("📰", 200), "📰"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := english()
			m.Subject, m.From.Name = tt.subject, tt.fromName
			raw, err := m.Build()
			if err != nil {
				t.Fatal(err)
			}
			checkBuilt(t, m, raw)
		})
	}
}

// TestBuildOneOff: a mail outside any list (the confirmation of a
// subscription) has no list fields and is not bulk.
func TestBuildOneOff(t *testing.T) {
	m := persian()
	m.ListID, m.Unsubscribe = "", ""
	raw, err := m.Build()
	if err != nil {
		t.Fatal(err)
	}
	h := parse(t, raw).header
	for _, k := range []string{"List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Precedence"} {
		if v, ok := h[k]; ok {
			t.Errorf("a one-off mail has %s: %q", k, v)
		}
	}
	if h.Get("Auto-Submitted") != "auto-generated" || h.Get("Content-Language") != "fa" {
		t.Errorf("Auto-Submitted %q, Content-Language %q", h.Get("Auto-Submitted"), h.Get("Content-Language"))
	}
}

// TestUnsubscribeLoopback: http is allowed to a loopback host only.
func TestUnsubscribeLoopback(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://news.example.org/u/t":      true,
		"http://127.0.0.1:8080/fa/u/t":      true,
		"http://[::1]:8080/fa/u/t":          true,
		"http://localhost/fa/u/t":           true,
		"http://127.0.0.1.example.org/u/t":  false,
		"http://10.0.0.1/u/t":               false,
		"https://user:pw@news.example.org/": false,
		"https:///u/t":                      false,
	} {
		if err := CheckUnsubscribe(u); (err == nil) != ok {
			t.Errorf("CheckUnsubscribe(%q) = %v", u, err)
		}
	}
}

func TestCheckAddress(t *testing.T) {
	for addr, ok := range map[string]bool{
		"reader@example.net":              true,
		"first.last+fa@mail.example.org":  true,
		"a@b":                             true,
		"o'neil@example.ie":               true,
		"reader@[192.0.2.1]":              true,
		"":                                false,
		"reader":                          false,
		"@example.net":                    false,
		"reader@":                         false,
		"reader@example..net":             false,
		"reader@-example.net":             false,
		"reader@exa_mple.net":             false,
		"re ader@example.net":             false,
		"reader@example.net ":             false,
		"a@b@example.net":                 false,
		"<reader@example.net>":            false,
		"Reader <reader@example.net>":     false,
		"reader@example.net, x@evil.test": false,
		"rëader@example.net":              false,
		"reader@[999.0.0.1]":              false,
		".reader@example.net":             false,
		strings.Repeat("a", 250) + "@b.c": false,
	} {
		err := CheckAddress(addr)
		if (err == nil) != ok {
			t.Errorf("CheckAddress(%q) = %v", addr, err)
		}
		if err != nil && len(addr) > 3 && strings.Contains(err.Error(), addr) {
			t.Errorf("error %q repeats the address", err)
		}
	}
}
