// Package email builds the newsroom's mails to readers, signs them with
// DKIM and sends them through an SMTP relay.
//
// A mail carries nothing that follows its reader: links are sent as the
// caller wrote them, there is no pixel, and the only per-reader value is
// the unsubscribe address, which holds the reader's own token. Nothing
// here logs; errors never carry the recipient's address or the relay's
// password, so a caller may log them with a delivery id.
//
// DKIM: GenerateDKIM writes a key file and returns the TXT record to
// publish at <selector>._domainkey.<domain>; LoadDKIM reads it back for
// a Sender. The domain should be the one in the From address, so that
// the signature aligns for DMARC.
package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Message is one mail to one reader. No tracking: links are never
// rewritten, no pixel, no per-reader id in any URL except Unsubscribe
// (which must carry the reader's own token).
type Message struct {
	From    mail.Address
	To      mail.Address
	Subject string
	// Lang is the BCP 47 tag of the text: Content-Language, and the
	// lang of the HTML part.
	Lang string
	// Dir is "ltr" or "rtl": the HTML part's direction.
	Dir string
	// Text is the plain-text part.
	Text string
	// HTML is the body fragment of the HTML part; Build wraps it in a
	// whole document. It is trusted: the caller renders it safely.
	HTML string
	// ListID is "Farsi daily digest <fa.digest.news.example.org>"
	// (RFC 2919). Empty for a mail that belongs to no list (the
	// confirmation of a subscription).
	ListID string
	// Unsubscribe is the https address of one-click unsubscribe
	// (RFC 8058). Empty only when ListID is.
	Unsubscribe string
	// MessageID is "<d123.s456@news.example.org>", stable per delivery
	// so that a retried mail is recognisably the same one.
	MessageID string
	Date      time.Time
}

// Limits that keep every header line under 998 octets without folding
// inside a word, and refuse absurd input early.
const (
	maxName        = 200
	maxSubject     = 1000
	maxListID      = 300
	maxMessageID   = 250
	maxURL         = 900
	maxAddress     = 254
	maxBody        = 10 << 20
	maxLineOctets  = 998
	foldLineOctets = 78
)

// Build returns the mail as it goes on the wire: CRLF line endings, no
// line over 998 octets, a multipart/alternative of a plain-text and an
// HTML part, both UTF-8 quoted-printable. It refuses (naming the field)
// control characters in any header value, invalid UTF-8, an invalid
// address, an unsubscribe address that is not https, and a missing part.
// The same Message always builds the same bytes.
func (m *Message) Build() ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("build mail: %w", err)
	}
	text := normalizeNewlines(m.Text)
	doc := m.document()
	textQP, err := encodeQP(text)
	if err != nil {
		return nil, fmt.Errorf("build mail: encode Text: %w", err)
	}
	htmlQP, err := encodeQP(doc)
	if err != nil {
		return nil, fmt.Errorf("build mail: encode HTML: %w", err)
	}
	// The boundary starts with "=_", which quoted-printable output
	// never contains (it writes "=" as "=3D"), so it cannot collide
	// with a part; hashing the parts keeps Build deterministic.
	sum := sha256.New()
	sum.Write(textQP)
	sum.Write(htmlQP)
	boundary := "=_" + hex.EncodeToString(sum.Sum(nil)[:16])

	var b bytes.Buffer
	h := headerWriter{b: &b}
	h.add("MIME-Version", "1.0")
	h.add("Date", m.Date.Format(time.RFC1123Z))
	h.add("Message-ID", m.MessageID)
	h.add("From", formatAddress(m.From))
	h.add("To", formatAddress(m.To))
	h.add("Subject", encodeUnstructured(m.Subject))
	h.add("Content-Language", m.Lang)
	if m.ListID != "" {
		desc, id := splitListID(m.ListID)
		if desc != "" {
			h.add("List-Id", encodePhrase(desc)+" <"+id+">")
		} else {
			h.add("List-Id", "<"+id+">")
		}
		h.add("List-Unsubscribe", "<"+m.Unsubscribe+">")
		h.add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
		h.add("Precedence", "bulk")
	}
	h.add("Auto-Submitted", "auto-generated")
	h.add("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	if h.err != nil {
		return nil, fmt.Errorf("build mail: %w", h.err)
	}
	b.WriteString("\r\n")
	b.WriteString("--" + boundary + "\r\n")
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
	b.WriteString("Content-Transfer-Encoding: quoted-printable\r\n\r\n")
	b.Write(textQP)
	b.WriteString("\r\n--" + boundary + "\r\n")
	b.WriteString("Content-Type: text/html; charset=utf-8\r\n")
	b.WriteString("Content-Transfer-Encoding: quoted-printable\r\n\r\n")
	b.Write(htmlQP)
	b.WriteString("\r\n--" + boundary + "--\r\n")
	return b.Bytes(), nil
}

// document wraps the HTML fragment in a whole page. Styles are inline
// attributes: mail clients drop <style> blocks and external sheets, and
// an external sheet would be a request to another host anyway.
func (m *Message) document() string {
	align := "left"
	if m.Dir == "rtl" {
		align = "right"
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n")
	fmt.Fprintf(&b, "<html lang=\"%s\" dir=\"%s\">\n", m.Lang, m.Dir)
	b.WriteString("<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	fmt.Fprintf(&b, "<title>%s</title>\n</head>\n", html.EscapeString(m.Subject))
	b.WriteString("<body style=\"margin:0;padding:0;background:#ffffff;color:#111111\">\n")
	fmt.Fprintf(&b, "<div lang=\"%s\" dir=\"%s\" style=\"max-width:40em;margin:0 auto;padding:1em;font-family:sans-serif;font-size:16px;line-height:1.5;text-align:%s\">\n", m.Lang, m.Dir, align)
	b.WriteString(normalizeNewlines(m.HTML))
	b.WriteString("\n</div>\n</body>\n</html>\n")
	return b.String()
}

// check validates every field; the first problem found is returned.
func (m *Message) check() error {
	if err := checkAddress("From", m.From); err != nil {
		return err
	}
	if err := checkAddress("To", m.To); err != nil {
		return err
	}
	if err := checkHeaderText("Subject", m.Subject, maxSubject); err != nil {
		return err
	}
	if strings.TrimSpace(m.Subject) == "" {
		return fieldErr("Subject", "is empty")
	}
	if err := checkLang(m.Lang); err != nil {
		return err
	}
	if m.Dir != "ltr" && m.Dir != "rtl" {
		return fieldErr("Dir", "%q is neither \"ltr\" nor \"rtl\"", m.Dir)
	}
	if err := checkBody("Text", m.Text); err != nil {
		return err
	}
	if err := checkBody("HTML", m.HTML); err != nil {
		return err
	}
	if err := checkMessageID(m.MessageID); err != nil {
		return err
	}
	if m.Date.IsZero() {
		return fieldErr("Date", "is missing")
	}
	if m.Date.Year() < 1900 || m.Date.Year() > 9999 {
		return fieldErr("Date", "%v is out of range", m.Date.Year())
	}
	switch {
	case m.ListID == "" && m.Unsubscribe == "":
	case m.ListID == "":
		return fieldErr("Unsubscribe", "is set but ListID is empty: a list mail needs both")
	case m.Unsubscribe == "":
		return fieldErr("ListID", "is set but Unsubscribe is empty: every list mail needs one-click unsubscribe")
	default:
		if err := checkListID(m.ListID); err != nil {
			return err
		}
		if err := CheckUnsubscribe(m.Unsubscribe); err != nil {
			return err
		}
	}
	return nil
}

// FieldError is a Message field that Build refuses, and why. It never
// holds the recipient's address or the unsubscribe address.
type FieldError struct {
	Field   string // "Subject", "To name", "Unsubscribe", …
	Problem string
}

func (e *FieldError) Error() string { return e.Field + " " + e.Problem }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// CheckAddress reports whether addr is a plain ASCII addr-spec
// ("reader@example.org") that Build and the relay accept, with an error
// saying what is wrong (without repeating the address, so that it may be
// logged). It is the check a subscription form needs.
func CheckAddress(addr string) error {
	if addr == "" {
		return fmt.Errorf("address is empty")
	}
	if len(addr) > maxAddress {
		return fmt.Errorf("address is over %d characters", maxAddress)
	}
	for _, r := range addr {
		// Non-ASCII addresses need SMTPUTF8 at every hop, which
		// most relays do not offer; refuse them rather than lose
		// the mail on the way.
		if r < 0x21 || r > 0x7e {
			return fmt.Errorf("address has a character that is not printable ASCII (%U)", r)
		}
	}
	a, err := mail.ParseAddress(addr)
	if err != nil {
		return fmt.Errorf("address is not valid: %v", strings.TrimPrefix(err.Error(), "mail: "))
	}
	if a.Name != "" || a.Address != addr {
		return fmt.Errorf("address is not a bare address (write only local@domain)")
	}
	at := strings.LastIndexByte(addr, '@')
	if at > 64 {
		return fmt.Errorf("address has a local part over 64 characters")
	}
	if err := checkDomain(addr[at+1:]); err != nil {
		return fmt.Errorf("address: %v", err)
	}
	return nil
}

func checkAddress(field string, a mail.Address) error {
	if err := CheckAddress(a.Address); err != nil {
		return &FieldError{Field: field, Problem: err.Error()}
	}
	if err := checkHeaderText(field+" name", a.Name, maxName); err != nil {
		return err
	}
	return nil
}

// checkDomain accepts a DNS name of letters, digits and hyphens, or an
// address literal; it is stricter than RFC 5322 on purpose.
func checkDomain(d string) error {
	if strings.HasPrefix(d, "[") && strings.HasSuffix(d, "]") {
		ip := strings.TrimPrefix(d[1:len(d)-1], "IPv6:")
		if net.ParseIP(ip) == nil {
			return fmt.Errorf("its domain literal is not an IP address")
		}
		return nil
	}
	if d == "" || len(d) > 253 {
		return fmt.Errorf("its domain is empty or too long")
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("its domain has an empty or over-long label")
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("its domain has a label that starts or ends with a hyphen")
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Errorf("its domain has the character %q", c)
			}
		}
	}
	return nil
}

// checkHeaderText refuses what could end a header line early or hide in
// it: invalid UTF-8 and every control character (CR, LF, NUL, tab, the
// C1 set), plus the Unicode line and paragraph separators.
func checkHeaderText(field, s string, max int) error {
	if len(s) > max {
		return fieldErr(field, "is over %d bytes", max)
	}
	if !utf8.ValidString(s) {
		return fieldErr(field, "is not valid UTF-8")
	}
	for i, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return fieldErr(field, "has the control character %U at byte %d (a header value is one line)", r, i)
		}
	}
	return nil
}

// checkBody refuses invalid UTF-8 and control characters other than tab
// and line breaks in a part.
func checkBody(field, s string) error {
	if strings.TrimSpace(s) == "" {
		return fieldErr(field, "part is missing")
	}
	if len(s) > maxBody {
		return fieldErr(field, "is over %d bytes", maxBody)
	}
	if !utf8.ValidString(s) {
		return fieldErr(field, "is not valid UTF-8")
	}
	for i, r := range s {
		if r == '\t' || r == '\n' || r == '\r' {
			continue
		}
		if unicode.IsControl(r) {
			return fieldErr(field, "has the control character %U at byte %d", r, i)
		}
	}
	return nil
}

// checkLang accepts the syntax of a BCP 47 tag: a 2–8 letter language
// then subtags of 1–8 letters or digits.
func checkLang(s string) error {
	if s == "" {
		return fieldErr("Lang", "is empty")
	}
	if len(s) > 64 {
		return fieldErr("Lang", "%q is too long for a language tag", s)
	}
	for i, sub := range strings.Split(s, "-") {
		if len(sub) < 1 || len(sub) > 8 || (i == 0 && len(sub) < 2) {
			return fieldErr("Lang", "%q is not a BCP 47 language tag", s)
		}
		for j := 0; j < len(sub); j++ {
			c := sub[j]
			alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
			if !alpha && !(i > 0 && c >= '0' && c <= '9') {
				return fieldErr("Lang", "%q is not a BCP 47 language tag", s)
			}
		}
	}
	return nil
}

// dotAtom reports whether s is RFC 5322 dot-atom-text.
func dotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' || isAtext(c) {
			continue
		}
		return false
	}
	return true
}

func isAtext(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

func checkMessageID(s string) error {
	if s == "" {
		return fieldErr("MessageID", "is empty")
	}
	if err := checkHeaderText("MessageID", s, maxMessageID); err != nil {
		return err
	}
	if len(s) < 5 || s[0] != '<' || s[len(s)-1] != '>' {
		return fieldErr("MessageID", "%q is not <left@right>", s)
	}
	left, right, ok := strings.Cut(s[1:len(s)-1], "@")
	if !ok || !dotAtom(left) || !dotAtom(right) {
		return fieldErr("MessageID", "%q is not <left@right> of letters, digits and dots", s)
	}
	return nil
}

// splitListID splits "Description <id>" into its two parts.
func splitListID(s string) (desc, id string) {
	i := strings.LastIndexByte(s, '<')
	if i < 0 {
		return "", ""
	}
	return strings.TrimSpace(s[:i]), s[i+1 : len(s)-1]
}

func checkListID(s string) error {
	if err := checkHeaderText("ListID", s, maxListID); err != nil {
		return err
	}
	if !strings.HasSuffix(s, ">") || !strings.Contains(s, "<") {
		return fieldErr("ListID", "%q is not \"Description <list.id.example.org>\"", s)
	}
	desc, id := splitListID(s)
	if strings.ContainsAny(desc, "<>") {
		return fieldErr("ListID", "%q has angle brackets in its description", s)
	}
	// RFC 2919: the id is a dot-atom-text with at least one dot, ending
	// in a domain the newsroom controls.
	if !dotAtom(id) || !strings.Contains(id, ".") {
		return fieldErr("ListID", "%q: the id inside <> must be like fa.digest.news.example.org", s)
	}
	return nil
}

// CheckUnsubscribe reports whether u may be a one-click unsubscribe
// address: https, or http only to a loopback host (a test).
func CheckUnsubscribe(u string) error {
	if len(u) > maxURL {
		return fieldErr("Unsubscribe", "is over %d bytes", maxURL)
	}
	for i := 0; i < len(u); i++ {
		// Inside <…> of List-Unsubscribe: no space, no bracket, ASCII
		// only (RFC 2369 wants the URL percent-encoded).
		if c := u[i]; c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '"' {
			return fieldErr("Unsubscribe", "has a character a URL in a header may not have (%q)", c)
		}
	}
	p, err := url.Parse(u)
	if err != nil {
		return fieldErr("Unsubscribe", "is not a URL")
	}
	if p.Host == "" || p.User != nil || p.Opaque != "" {
		return fieldErr("Unsubscribe", "is not an absolute https URL with a host")
	}
	switch p.Scheme {
	case "https":
	case "http":
		if !loopbackHost(p.Hostname()) {
			return fieldErr("Unsubscribe", "is http: only https is allowed (http only to a loopback host)")
		}
	default:
		return fieldErr("Unsubscribe", "is not https")
	}
	return nil
}

// loopbackHost reports whether host is this machine by its name or
// address; no name is looked up.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func normalizeNewlines(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

func encodeQP(s string) ([]byte, error) {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
