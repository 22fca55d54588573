package kolokol

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSlugify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"River ferry returns after 40 years", "river-ferry-returns-after-40-years"},
		{"Паром вернулся в старый город", "паром-вернулся-в-старый-город"},
		{"Пором повернувся: що далі?", "пором-повернувся-що-далі"},
		{"بازگشت کشتی به شهر", "بازگشت-کشتی-به-شهر"},
		{"می\u200cخواهد برگردد", "می-خواهد-برگردد"}, // ZWNJ becomes a hyphen
		{"ბორანი დაბრუნდა", "ბორანი-დაბრუნდა"},
		{"Լուր Երևանից", "լուր-երևանից"},
		{"../../etc/passwd", "etc-passwd"},
		{"a/b\\c.d?e#f%g", "a-b-c-d-e-f-g"},
		{"<script>alert(1)</script>", "script-alert-1-script"},
		{"  --!!--  ", "story"},
		{"", "story"},
		{"café naïve", "café-naïve"},
	}
	for _, tt := range tests {
		if got := Slugify(tt.in); got != tt.want {
			t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A slug over the limit ends at the last word boundary within it, never in
// the middle of a word.
func TestSlugifyCutsBetweenWords(t *testing.T) {
	word := func(w string, n int) string { return strings.TrimSuffix(strings.Repeat(w+" ", n), " ") }
	tests := []struct{ name, in, want string }{
		{"fits exactly", word("abcd", 12), strings.ReplaceAll(word("abcd", 12), " ", "-")},                    // 59 runes
		{"word ends at the limit", word("abcde", 10) + " x", strings.ReplaceAll(word("abcde", 10), " ", "-")}, // 59, then "-x" is 61
		{"limit inside a word", word("abcdefghij", 6), strings.ReplaceAll(word("abcdefghij", 5), " ", "-")},   // 65 runes: the sixth word goes
		{"hyphen at the limit", strings.Repeat("a", 60) + " b", strings.Repeat("a", 60)},
		{"one word too long", strings.Repeat("ж", 80), strings.Repeat("ж", 60)},
		{"Cyrillic", word("возвращение", 6), strings.ReplaceAll(word("возвращение", 5), " ", "-")},
		{"Persian with ZWNJ", word("می\u200cخواهد", 9), strings.ReplaceAll(strings.ReplaceAll(word("می\u200cخواهد", 6), " ", "-"), "\u200c", "-")},
		{"combining marks stay with the word", word("cafe\u0301", 12), strings.ReplaceAll(word("cafe\u0301", 10), " ", "-")},
	}
	for _, tt := range tests {
		got := Slugify(tt.in)
		if got != tt.want {
			t.Errorf("%s: Slugify(%q) = %q (%d runes), want %q", tt.name, tt.in, got, utf8.RuneCountInString(got), tt.want)
		}
	}
}

func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"Hello, world", "../..", "می\u200cخواهد", "ბორანი", "a\u0301b", "\xff\xfe", strings.Repeat("ж", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s := Slugify(in)
		if s == "" || !utf8.ValidString(s) {
			t.Fatalf("Slugify(%q) = %q", in, s)
		}
		if strings.ContainsAny(s, "/\\.?#%<>\"' ") || strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") || strings.Contains(s, "--") {
			t.Fatalf("Slugify(%q) = %q: unsafe or untidy", in, s)
		}
		if n := utf8.RuneCountInString(s); n > maxSlugRunes {
			t.Fatalf("Slugify(%q) has %d runes", in, n)
		}
		if again := Slugify(s); again != s {
			t.Fatalf("Slugify(%q) = %q, but Slugify(%q) = %q: a stored slug must stay valid", in, s, s, again)
		}
		// The slug is the whole of the input's words up to some word,
		// never part of one, unless it is the first word alone.
		full := slugWords(in)
		if !strings.HasPrefix(full, s) && s != "story" {
			t.Fatalf("Slugify(%q) = %q is not a prefix of %q", in, s, full)
		}
		// (A joiner's hyphen is inside a word: a first word joined
		// from parts may be cut at the limit.)
		if len(full) > len(s) && strings.Contains(s, "-") && full[len(s)] != '-' && !strings.ContainsAny(in, "\u200c\u200d") {
			t.Fatalf("Slugify(%q) = %q ends inside a word of %q", in, s, full)
		}
	})
}

// slugWords is Slugify with no limit: the words the slug is cut from.
func slugWords(in string) string {
	var b strings.Builder
	pending := false
	for _, r := range in {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || (unicode.Is(unicode.Mn, r) && b.Len() > 0 && !pending) {
			if pending && b.Len() > 0 {
				b.WriteByte('-')
			}
			pending = false
			b.WriteRune(unicode.ToLower(r))
		} else {
			pending = true
		}
	}
	return b.String()
}
