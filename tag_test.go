package kolokol

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestTagKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"climate", "climate"},
		{"Climate", "climate"},
		{"  Human   rights ", "human-rights"},
		{"human-rights", "human-rights"},
		{"Human - Rights", "human-rights"},
		{"COVID-19", "covid-19"},
		{"Климат", "климат"},
		{"ТРАНСПОРТ", "транспорт"},
		{"и\u0306од", "йод"},         // NFC: и and a combining breve are й
		{"Straße", "strasse"},        // full case folding
		{"ᲡᲐᲥᲐᲠᲗᲕᲔᲚᲝ", "საქართველო"}, // Georgian Mtavruli folds to Mkhedruli
		{"საქართველო", "საქართველო"}, // no case: unchanged
		{"Ꮳꮃꮎꮅ", "ᏣᎳᎾᎵ"},             // Cherokee folds to its capitals
		{"ᏣᎳᎾᎵ", "ᏣᎳᎾᎵ"},
		{"حقوق بشر", "حقوق-بشر"},             // no case; space a hyphen
		{"می\u200cخواهد", "می\u200cخواهد"},   // ZWNJ is spelling: kept
		{"\u200fحقوق\u200e بشر", "حقوق-بشر"}, // directional marks are not
		{"soft\u00adhyphen", "softhyphen"},   // nor a soft hyphen
		{"Երևան", "երեւան"},                  // Armenian has case; the ligature և folds to եւ, its other spelling
		{"AC/DC", "ac-dc"},                   // no path separator
		{`a\b`, "a-b"},                       // nor a backslash
		{"C++", "c++"},                       // punctuation stays: percent-escaped in links
		{"C#", "c#"},                         //
		{"100%", "100%"},                     //
		{"node.js", "node.js"},               // dots inside stay
		{".net", "net"},                      // but not first: no hidden file
		{"..", ""},                           // no page
		{".", ""},                            //
		{"-", ""},                            //
		{"/", ""},                            //
		{"\u200c", ""},                       // nothing visible
		{"\u0301", ""},                       //
		{"", ""},                             //
		{"tab\there", "tab-here"},            //
		{"line\u2028break", "line-break"},    //
		{"bad\xffbyte", "badbyte"},           //
		{strings.Repeat("ж", 70), strings.Repeat("ж", MaxTagKeyRunes)},
		{strings.Repeat("ab ", 30), strings.TrimSuffix(strings.Repeat("ab-", 20), "-")}, // no hyphen at the cut
	}
	for _, tt := range tests {
		if got := TagKey(tt.in); got != tt.want {
			t.Errorf("TagKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTagKeys(t *testing.T) {
	got := TagKeys([]string{"Climate", "climate", "-", "Климат", "CLIMATE "})
	if want := []string{"climate", "климат"}; !slices.Equal(got, want) {
		t.Errorf("TagKeys = %q, want %q", got, want)
	}
}

func TestNormalizeTags(t *testing.T) {
	a := &Article{Headline: "x", Tags: []string{" Climate", "climate", "CLIMATE", "Климат", "-", "-", "климат"}}
	a.Normalize()
	if want := []string{"Climate", "Климат", "-"}; !slices.Equal(a.Tags, want) {
		t.Errorf("Normalize kept tags %q, want %q: one spelling of each tag, the first", a.Tags, want)
	}
}

func FuzzTagKey(f *testing.F) {
	for _, s := range []string{"Climate", "../..", "می\u200cخواهد", "ᲡᲐᲥᲐᲠᲗᲕᲔᲚᲝ", "a\u0301b", "\xff\xfe", ".\u200c.", strings.Repeat("ж ", 100), "İstanbul"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		k := TagKey(in)
		if !utf8.ValidString(k) {
			t.Fatalf("TagKey(%q) = %q: not UTF-8", in, k)
		}
		if k == "" {
			return
		}
		if strings.ContainsAny(k, "/\\") || strings.HasPrefix(k, "-") || strings.HasSuffix(k, "-") || strings.Contains(k, "--") ||
			strings.HasPrefix(k, ".") || strings.ContainsFunc(k, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
			t.Fatalf("TagKey(%q) = %q: unsafe or untidy", in, k)
		}
		if n := utf8.RuneCountInString(k); n > MaxTagKeyRunes || len(k) > 255 {
			t.Fatalf("TagKey(%q) = %q: %d runes, %d bytes", in, k, n, len(k))
		}
		// A key is its own key: a link's segment finds its tag.
		if again := TagKey(k); again != k {
			t.Fatalf("TagKey(%q) = %q, whose key is %q", in, k, again)
		}
	})
}
