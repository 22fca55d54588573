package feed

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"time"
	"unicode/utf8"
)

// xmlWriter writes XML by hand: encoding/xml puts a namespace declaration
// on every element of a foreign namespace, which feed readers tolerate
// but which doubles the size of a Media RSS feed. Every text and attribute
// value goes through clean and xml.EscapeText, so no story text can end
// an element or make the document ill-formed.
type xmlWriter struct {
	buf bytes.Buffer
}

func newXML(size int) *xmlWriter {
	w := &xmlWriter{}
	w.buf.Grow(size)
	w.buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	return w
}

// raw writes markup the writer itself spells.
func (w *xmlWriter) raw(s string) { w.buf.WriteString(s) }

// text writes s as character data.
func (w *xmlWriter) text(s string) {
	// EscapeText writes to a bytes.Buffer, which never fails.
	_ = xml.EscapeText(&w.buf, []byte(clean(s)))
}

// elem writes <name>text</name>.
func (w *xmlWriter) elem(name, text string) {
	w.buf.WriteByte('<')
	w.buf.WriteString(name)
	w.buf.WriteByte('>')
	w.text(text)
	w.buf.WriteString("</")
	w.buf.WriteString(name)
	w.buf.WriteString(">\n")
}

// open writes a start tag (or an empty element when empty) with the
// attributes given as name, value pairs; pairs with an empty value are
// left out.
func (w *xmlWriter) open(name string, empty bool, attrs ...string) {
	w.buf.WriteByte('<')
	w.buf.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		if attrs[i+1] == "" {
			continue
		}
		w.buf.WriteByte(' ')
		w.buf.WriteString(attrs[i])
		w.buf.WriteString(`="`)
		w.text(attrs[i+1]) // EscapeText escapes quotes too
		w.buf.WriteByte('"')
	}
	if empty {
		w.buf.WriteString("/>\n")
	} else {
		w.buf.WriteString(">")
	}
}

func (w *xmlWriter) close(name string) {
	w.buf.WriteString("</")
	w.buf.WriteString(name)
	w.buf.WriteString(">\n")
}

func (w *xmlWriter) bytes() []byte { return w.buf.Bytes() }

// clean drops what XML 1.0 does not allow in a document: control
// characters other than tab and line breaks, surrogates, U+FFFE and
// U+FFFF, and bytes that are not UTF-8. (encoding/xml would write U+FFFD
// in their place; a reader is better served by nothing.)
func clean(s string) string {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !xmlChar(r, n) {
			return cleanFrom(s, i)
		}
		i += n
	}
	return s // the common case: nothing to drop, nothing allocated
}

func cleanFrom(s string, i int) string {
	out := make([]byte, 0, len(s))
	out = append(out, s[:i]...)
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if xmlChar(r, n) {
			out = append(out, s[i:i+n]...)
		}
		i += n
	}
	return string(out)
}

// xmlChar reports whether the rune r, n bytes long in its source, is an
// XML 1.0 Char (a decoding error is a one-byte U+FFFD).
func xmlChar(r rune, n int) bool {
	switch {
	case r == utf8.RuneError && n == 1:
		return false
	case r == 0x9 || r == 0xA || r == 0xD:
		return true
	case r < 0x20:
		return false
	case r <= 0xD7FF:
		return true
	case r < 0xE000:
		return false
	case r <= 0xFFFD:
		return true
	}
	return r >= 0x10000 && r <= 0x10FFFF
}

// Dates. Times outside the years 0000-9999 cannot be written in either
// format; stories have none, and clamping keeps the document valid if a
// store ever held one.
func clampYear(t time.Time) time.Time {
	t = t.UTC()
	switch {
	case t.Year() < 1:
		return time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	case t.Year() > 9999:
		return time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	}
	return t
}

// RFC3339 is a time as Atom, JSON Feed, sitemaps and ninjs write it: UTC,
// whole seconds.
func RFC3339(t time.Time) string { return clampYear(t).Truncate(time.Second).Format(time.RFC3339) }

// rfc822 is a time as RSS writes it (RFC 822 with a four-digit year, as
// RFC 1123 has it, which is what RSS readers parse).
func rfc822(t time.Time) string { return clampYear(t).Format("Mon, 02 Jan 2006 15:04:05 +0000") }

func itoa(n int64) string {
	if n <= 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}
