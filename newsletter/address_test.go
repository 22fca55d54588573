package newsletter

import (
	"net/mail"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalizeAddress(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"reader@example.org", "reader@example.org"},
		{"  Reader.Name+news@Example.ORG \t", "Reader.Name+news@example.org"},
		{"a@EXAMPLE.org", "a@example.org"},
		{"user@пример.рф", "user@xn--e1afmkfd.xn--p1ai"},
		{"user@ПРИМЕР.РФ", "user@xn--e1afmkfd.xn--p1ai"},
		{"ali@ایران.ir", "ali@xn--mgba3a4f16a.ir"},
		{"a@bücher.example", "a@xn--bcher-kva.example"},
		{"a@example.org.", "a@example.org"},
		{"o'brien@example.org", "o'brien@example.org"},
		{strings.Repeat("a", 64) + "@example.org", strings.Repeat("a", 64) + "@example.org"},
	} {
		got, err := NormalizeAddress(c.in)
		if err != nil || got != c.want {
			t.Errorf("NormalizeAddress(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	long := strings.Repeat("a", 60) + "@" + strings.Repeat("b", 60) + "." + strings.Repeat("c", 60) + "." + strings.Repeat("d", 60) + "." + strings.Repeat("e", 60) + ".org"
	for _, c := range []struct{ name, in, reason string }{
		{"empty", "  ", "empty"},
		{"no at", "reader.example.org", "needs a name"},
		{"no local part", "@example.org", "needs a name"},
		{"no domain", "reader@", "needs a name"},
		{"display name", "Reader <reader@example.org>", "bare address"},
		{"angle brackets", "<reader@example.org>", "bare address"},
		{"CRLF header injection", "reader@example.org\r\nBcc: victim@example.net", "control character"},
		{"LF injection", "reader@example.org\nSubject: x", "control character"},
		{"NUL", "reader\x00@example.org", "control character"},
		{"bidi override", "reader\u202e@example.org", "control character"},
		{"two addresses", "a@example.org, b@example.org", "bare address"},
		{"semicolon list", "a@example.org;b@example.org", "bare address"},
		{"quoted local part", `"a b"@example.org`, "bare address"},
		{"comment", "a(comment)@example.org", "bare address"},
		{"space", "a b@example.org", "bare address"},
		{"IP literal", "a@[127.0.0.1]", "bare address"},
		{"no dot in domain", "a@localhost", "full domain"},
		{"double dot", "a@example..org", "domain"},
		{"leading dot local", ".a@example.org", "not a valid email"},
		{"double dot local", "a..b@example.org", "not a valid email"},
		{"underscore domain", "a@ex_ample.org", "domain"},
		{"non-ascii local", "пользователь@example.org", "ASCII"},
		{"local over 64", strings.Repeat("a", 65) + "@example.org", "64 octets"},
		{"over 254", long, "254"},
		{"label over 63", "a@" + strings.Repeat("b", 64) + ".org", "domain"},
		{"invalid utf-8", "a@exa\xffmple.org", "UTF-8"},
		{"two ats", "a@b@example.org", "not a valid email"},
	} {
		got, err := NormalizeAddress(c.in)
		if err == nil {
			t.Errorf("%s: NormalizeAddress(%q) = %q, want an error", c.name, c.in, got)
			continue
		}
		if !IsAddressError(err) || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("%s: error %q does not say %q", c.name, err, c.reason)
		}
		if in := strings.TrimSpace(c.in); in != "" && strings.Contains(err.Error(), in) {
			t.Errorf("%s: error %q holds the address", c.name, err)
		}
	}
}

// FuzzNormalizeAddress: whatever comes in, what comes out is a bare
// address net/mail reads back as itself, at most 254 octets, with no
// control character, and normalizing it again changes nothing.
func FuzzNormalizeAddress(f *testing.F) {
	for _, s := range []string{"reader@example.org", " A@Example.ORG ", "user@пример.рф", "a@b", "Reader <r@example.org>",
		"r@example.org\r\nBcc: x@evil.example", `"a"@example.org`, "a@[1.2.3.4]", "a@xn--e1afmkfd.xn--p1ai", "a@exa\xffmple.org",
		"o'brien@example.org", "a@ß.example", "a@\u0661\u0662.example", "a@example.org."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := NormalizeAddress(in)
		if err != nil {
			if !IsAddressError(err) {
				t.Fatalf("error of another kind: %v", err)
			}
			return
		}
		if len(out) > MaxAddress || !utf8.ValidString(out) || strings.ContainsAny(out, "\r\n\x00<> ") {
			t.Fatalf("NormalizeAddress(%q) = %q", in, out)
		}
		a, err := mail.ParseAddress(out)
		if err != nil || a.Name != "" || a.Address != out {
			t.Fatalf("NormalizeAddress(%q) = %q, which net/mail reads as %v, %v", in, out, a, err)
		}
		again, err := NormalizeAddress(out)
		if err != nil || again != out {
			t.Fatalf("normalizing %q again gives %q, %v", out, again, err)
		}
	})
}
