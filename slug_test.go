package kolokol

import (
	"strings"
	"testing"
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
	})
}
