package oembed

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Clean makes a value a network sent into a card's value: the text of any
// HTML in it (never its markup, scripts or styles), entities decoded,
// control and bidirectional override characters dropped, folded to one
// line and cut at a word boundary to max characters.
func Clean(v string, max int) string {
	v = strings.ToValidUTF8(v, "")
	if strings.ContainsAny(v, "<&") {
		v = htmlText(v)
	}
	var b strings.Builder
	for _, r := range v {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			b.WriteRune(' ')
		case r < 0x20 || r >= 0x7f && r < 0xa0,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == '\ufeff':
			// Dropped: they show nothing, or reorder what a reader sees.
		default:
			b.WriteRune(r)
		}
	}
	return Cut(strings.Join(strings.Fields(b.String()), " "), max)
}

// Cut shortens s to at most max characters, at the last space when there
// is one in the last third, ending with "…".
func Cut(s string, max int) string {
	if utf8.RuneCountInString(s) <= max || max < 1 {
		if max < 1 {
			return ""
		}
		return s
	}
	r := []rune(s)[:max-1]
	for i := len(r) - 1; i > len(r)*2/3; i-- {
		if unicode.IsSpace(r[i]) {
			r = r[:i]
			break
		}
	}
	return strings.TrimRightFunc(string(r), func(c rune) bool { return unicode.IsSpace(c) || unicode.IsPunct(c) && c != '.' && c != '!' && c != '?' }) + "…"
}

// htmlText is the text of an HTML fragment, its block breaks as spaces.
func htmlText(v string) string {
	z := html.NewTokenizer(strings.NewReader(v))
	var b strings.Builder
	skip := 0 // inside script, style and the like
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if hidden(string(name)) && tt == html.StartTagToken {
				skip++
			}
			if block(string(name)) {
				b.WriteByte(' ')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if hidden(string(name)) && skip > 0 {
				skip--
			}
			if block(string(name)) {
				b.WriteByte(' ')
			}
		}
	}
}

// hidden names elements whose content is not text a reader sees.
func hidden(tag string) bool {
	switch tag {
	case "script", "style", "noscript", "template", "iframe", "object", "svg", "math", "head", "title":
		return true
	}
	return false
}

// block names elements that break a line: their text is not run together
// with the next.
func block(tag string) bool {
	switch tag {
	case "br", "p", "div", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
		"section", "article", "header", "footer", "tr", "td", "th", "table", "hr", "pre", "figure", "figcaption":
		return true
	}
	return false
}
