package search

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzQuery: whatever a reader types, the query's analysis stays within
// its bounds, and marking a text gives back the text, whole and in order.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{"", "budget", `"a" AND b*`, "~/.*/", "\xff\xfe", "Навальный Navalny", "می\u200cخواهم", "Ђоковић Đoković",
		strings.Repeat("word ", 100), "'''", "a\u200c\u200cb", "İı"} {
		f.Add("ru", s)
		f.Add("fa", s)
		f.Add("sr", s)
	}
	f.Fuzz(func(t *testing.T, lang, q string) {
		a := NewAnalyzer(lang)
		m := NewMatcher(a, q)
		if len(m.terms) > MaxQueryTerms {
			t.Fatalf("%d terms", len(m.terms))
		}
		for term := range m.terms {
			if term == "" || strings.ContainsAny(term, " \t\n") || !utf8.ValidString(term) {
				t.Fatalf("term %q", term)
			}
		}
		if qs := m.queries(); len(qs) != len(m.terms) {
			t.Fatalf("%d queries for %d terms", len(qs), len(m.terms))
		}
		if !utf8.ValidString(q) {
			return
		}
		var b strings.Builder
		for _, r := range m.Marks(q) {
			b.WriteString(r.Text)
		}
		if b.String() != q {
			t.Fatalf("marks give back %q for %q", b.String(), q)
		}
	})
}
