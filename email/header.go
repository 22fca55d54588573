package email

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// encodeUnstructured writes an unstructured header value: as it is when
// it is plain ASCII that survives folding and unfolding unchanged, else
// as RFC 2047 encoded words.
func encodeUnstructured(s string) string {
	if plainASCII(s) {
		return s
	}
	return encodeWords(s)
}

// encodePhrase writes a phrase (a List-Id description): an atom
// sequence, a quoted string, or encoded words.
func encodePhrase(s string) string {
	if plainASCII(s) {
		simple := true
		for i := 0; i < len(s); i++ {
			if s[i] != ' ' && !isAtext(s[i]) {
				simple = false
			}
		}
		if simple {
			return s
		}
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	}
	return encodeWords(s)
}

// formatAddress writes a mailbox. mail.Address.String is not used: it
// leaves a backslash unencoded inside a Q-encoded word, which net/mail
// (and others) then cannot read back.
func formatAddress(a mail.Address) string {
	if a.Name == "" {
		return "<" + a.Address + ">"
	}
	if plainASCII(a.Name) {
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(a.Name) + `" <` + a.Address + ">"
	}
	return encodeWords(a.Name) + " <" + a.Address + ">"
}

// plainASCII: printable ASCII with single spaces between words of at
// most 70 octets, so that folding at spaces keeps every line short and
// unfolding gives back the same text; no "=?", which a reader would take
// for an encoded word.
func plainASCII(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' || strings.Contains(s, "  ") || strings.Contains(s, "=?") {
		return false
	}
	word := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			return false
		}
		if c == ' ' {
			word = 0
			continue
		}
		word++
		if word > 70 {
			return false
		}
	}
	return true
}

// encodeWords writes s as base64 encoded words of at most 75 octets,
// split between runes and separated by spaces (where folding may break
// the line). Base64 costs a third more; Q would triple non-Latin text.
func encodeWords(s string) string {
	const maxChunk = 45 // 60 base64 chars + "=?utf-8?b?" + "?=" = 72
	var words []string
	for len(s) > 0 {
		n := 0
		for n < len(s) {
			_, size := utf8.DecodeRuneInString(s[n:])
			if n+size > maxChunk {
				break
			}
			n += size
		}
		words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, " ")
}

// headerWriter writes header fields folded at spaces to lines of about
// 78 octets, and fails when a line would exceed 998.
type headerWriter struct {
	b   *bytes.Buffer
	err error
}

func (h *headerWriter) add(name, value string) {
	if h.err != nil {
		return
	}
	line := name + ": "
	n := len(line)
	h.b.WriteString(line)
	for i, word := range strings.Split(value, " ") {
		if i > 0 {
			if n+1+len(word) > foldLineOctets && n > len(name)+2 {
				h.b.WriteString("\r\n")
				n = 0
			}
			h.b.WriteByte(' ')
			n++
		}
		h.b.WriteString(word)
		n += len(word)
		if n > maxLineOctets {
			h.err = fmt.Errorf("header %s has a line over %d octets", name, maxLineOctets)
			return
		}
	}
	h.b.WriteString("\r\n")
}
