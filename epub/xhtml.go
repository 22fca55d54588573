package epub

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// XHTML converts an HTML fragment (as Kolokol's renderer makes it) to
// well-formed XHTML that an EPUB 3 content document accepts inside <body>.
// It parses the fragment as HTML5 does in a <body>, keeps only the
// elements and attributes below, and writes them as XML: void elements
// self-closed, attributes quoted and escaped, entities as characters.
// Scripts, styles, forms, embedded objects and comments are dropped with
// their content; unknown elements are dropped but their content is kept.
// Characters XML forbids are removed and bytes that are not UTF-8 become
// U+FFFD. Links keep http, https and mailto URLs and relative references;
// an image keeps only a relative source (a picture from another host
// would tell that host who reads the book), or is dropped.
func XHTML(fragment string) (string, error) {
	root, _, err := clean(fragment)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	writeKids(&b, root, standalone{})
	return b.String(), nil
}

// linker decides what becomes of a link (href) or a picture (src):
// the value to write, or false to drop it.
type linker interface {
	href(v string) (string, bool)
	src(v string) (string, bool)
}

// standalone is XHTML's linker: it knows no book, so it keeps any
// relative reference that is well formed.
type standalone struct{}

func (standalone) href(v string) (string, bool) {
	u, err := url.Parse(v)
	if err != nil {
		return "", false
	}
	if u.Scheme != "" || u.Host != "" {
		return external(u)
	}
	if u.Fragment != "" && !validID(u.Fragment) {
		u.Fragment = ""
	}
	if u.String() == "" {
		return "", false
	}
	return u.String(), true
}

func (standalone) src(v string) (string, bool) {
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "" || u.Host != "" || u.RawQuery != "" || u.Path == "" {
		return "", false
	}
	u.Fragment = ""
	return u.String(), true
}

// external keeps a link out of the book when a reader can follow it by
// choice (it loads nothing by itself): web pages and mail addresses.
func external(u *url.URL) (string, bool) {
	switch u.Scheme {
	case "https", "http":
		if u.Host == "" || u.User != nil {
			return "", false
		}
	case "mailto":
		if u.Opaque == "" {
			return "", false
		}
	default:
		return "", false
	}
	return u.String(), true
}

// writeKids writes n's children as XML, resolving links with l.
func writeKids(b *strings.Builder, n *node, l linker) {
	for _, k := range n.kids {
		writeNode(b, k, l)
	}
}

func writeNode(b *strings.Builder, n *node, l linker) {
	if n.tag == "" {
		escape(b, n.text, false)
		return
	}
	attrs := n.attrs
	switch n.tag {
	case "img":
		src, _ := n.get("src")
		v, ok := l.src(src)
		if !ok {
			return // a picture that cannot be shown from the book
		}
		attrs = with(attrs, "src", v)
	case "a":
		if href, ok := n.get("href"); ok {
			if v, ok := l.href(href); ok {
				attrs = with(attrs, "href", v)
			} else {
				attrs = with(attrs, "href", "")
			}
		}
	}
	b.WriteByte('<')
	b.WriteString(n.tag)
	for _, a := range attrs {
		b.WriteByte(' ')
		b.WriteString(a.key)
		b.WriteString(`="`)
		escape(b, a.val, true)
		b.WriteByte('"')
	}
	if elements[n.tag].void {
		b.WriteString("/>")
		return
	}
	b.WriteByte('>')
	writeKids(b, n, l)
	b.WriteString("</")
	b.WriteString(n.tag)
	b.WriteByte('>')
}

// with returns attrs with key set to v, or without key when v is empty.
// It copies: the same nodes are written again with another linker.
func with(attrs []attr, key, v string) []attr {
	out := make([]attr, 0, len(attrs))
	for _, a := range attrs {
		if a.key != key {
			out = append(out, a)
		} else if v != "" {
			out = append(out, attr{key, v})
		}
	}
	return out
}

// escape writes s as XML character data (or an attribute value), leaving
// out characters XML 1.0 forbids.
func escape(b *strings.Builder, s string, inAttr bool) {
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"' && inAttr:
			b.WriteString("&quot;")
		case inAttr && (r == '\n' || r == '\r' || r == '\t'):
			// Kept as references: a parser would fold them to spaces.
			fmt.Fprintf(b, "&#%d;", r)
		case r == '\r':
			b.WriteString("&#13;")
		case xmlChar(r):
			b.WriteRune(r)
		}
	}
}

// xmlChar is XML 1.0's Char production.
func xmlChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= utf8.MaxRune
}
