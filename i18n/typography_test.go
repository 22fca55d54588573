package i18n

import (
	"slices"
	"strings"
	"testing"
)

// TestCheckTypography plants each kind of error the checker exists for,
// beside the correct spelling it must leave alone.
func TestCheckTypography(t *testing.T) {
	cases := []struct {
		name, tag, text string
		want            []string // "rule text", in order of the checks
	}{
		// A Latin letter in a Cyrillic, Greek or Armenian word, and the reverse.
		{"latin è in macedonian", "mk", "Тука сè уште нема текстови.", []string{"mixed-script сè"}},
		{"cyrillic ѐ in macedonian", "mk", "Тука сѐ уште нема текстови.", nil},
		{"latin e in russian", "ru", "Последниe новости", []string{"mixed-script Последниe"}},
		{"latin I for palochka", "ce", "хIинца", []string{"mixed-script хIинца"}},
		{"palochka", "ce", "хӀинца", nil},
		{"cyrillic о in english", "en", "Kolokоl Demo", []string{"mixed-script Kolokоl"}},
		{"latin a in greek", "el", "Αθηνa", []string{"mixed-script Αθηνa"}},
		{"armenian օ in latin", "hy", "Kolokօl Դեմո", []string{"mixed-script Kolokօl"}},
		{"latin o in armenian", "hy", "Հoդված", []string{"mixed-script Հoդված"}},
		{"two words, two scripts", "ru", "Tor Browser скрывает, Tor-браузер", nil},
		{"format verbs are not words", "kk", "%dмин, %sдың", nil},
		{"every mixed word", "bg", "Фeриботът сe върна", []string{"mixed-script Фeриботът", "mixed-script сe"}},
		{"georgian is not a look-alike", "ka", "ბორანი Kolokol", nil},

		// Uzbek oʻ and gʻ take U+02BB.
		{"okina", "uz", "Oʻzbekcha, toʻliq, togʻ", nil},
		{"left quotation mark for okina", "uz", "O‘zbekcha", []string{"uzbek-okina O‘z"}},
		{"ascii apostrophe for okina", "uz-Latn-UZ", "to'liq", []string{"uzbek-okina o'l"}},
		{"apostrophe for okina", "uz", "togʼda", []string{"uzbek-okina gʼd"}},
		// The tutuq belgisi takes U+02BC.
		{"tutuq belgisi", "uz", "Eʼlon qilindi, Tor Browserʼda", nil},
		{"right quotation mark for tutuq", "uz", "E’lon qilindi", []string{"uzbek-apostrophe E’l"}},
		{"okina for tutuq", "uz", "eʻlon", []string{"uzbek-apostrophe eʻl"}},
		{"after a latin name", "uz", "Tor Browser’da", []string{"uzbek-apostrophe r’d"}},
		{"quotation marks at word edges", "uz", "‘Kolokol’ deb", nil},
		{"not uzbek", "en", "O'Brien’s", nil},

		// Persian and Dari letters.
		{"arabic kaf", "fa-IR", "كتاب", []string{"arabic-letter ك"}},
		{"arabic yeh", "fa-AF", "علي", []string{"arabic-letter ي"}},
		{"alef maksura", "fa", "حتى", []string{"arabic-letter ى"}},
		{"persian letters", "fa-IR", "کتاب علی حتی", nil},
		{"pashto writes ي", "ps", "دقيقه", nil},

		// Arabic-script punctuation in Persian, Dari and Pashto.
		{"ascii comma", "fa-IR", "سلام, دنیا", []string{"ascii-punctuation ,"}},
		{"ascii question mark", "fa-AF", "کجا?", []string{"ascii-punctuation ?"}},
		{"ascii semicolon", "fa-IR", "الف; ب", []string{"ascii-punctuation ;"}},
		{"ascii comma in pashto", "ps", "ښه, ده", []string{"ascii-punctuation ,"}},
		{"after a latin name, before persian", "fa-IR", "(torproject.org), استفاده کنید", []string{"ascii-punctuation ,"}},
		{"arabic punctuation", "fa-IR", "سلام، دنیا؛ چطور؟", nil},
		{"in a web address", "fa-IR", "نشانی https://example.org/?a=1;b=2 را", nil},
		{"a latin line of its own", "ps", "ښه\nTor, Browser?\nښه", nil},
		{"not persian", "en", "Hello, world?", nil},
	}
	for _, c := range cases {
		var got []string
		for _, f := range CheckTypography(c.tag, c.text) {
			got = append(got, f.Rule+" "+f.Text)
			if !strings.HasPrefix(c.text[f.At:], f.Text) {
				t.Errorf("%s: %s at %d, where the text is %q", c.name, f.Rule, f.At, c.text[f.At:])
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: CheckTypography(%q, %q) = %q, want %q", c.name, c.tag, c.text, got, c.want)
		}
	}
}

// TestCatalogTypography holds every catalog message to CheckTypography.
func TestCatalogTypography(t *testing.T) {
	for _, tag := range Supported() {
		c := For(tag)
		for _, k := range Keys() {
			for _, s := range messageTexts(c, k) {
				for _, f := range CheckTypography(tag, s) {
					t.Errorf("%s %q: %s %q in %q", tag, k, f.Rule, f.Text, s)
				}
			}
		}
	}
}

// messageTexts returns a message's text, or the text of each plural form.
func messageTexts(c *Catalog, key string) []string {
	if !c.Plural(key) {
		return []string{c.T(key)}
	}
	var out []string
	for _, s := range c.Forms(key) {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}
