package i18n

import (
	"strings"
	"unicode"
)

// serbianLatinToCyrillic is Gaj's Latin alphabet to Vuk's Cyrillic: the two
// official scripts of Serbian map letter for letter, three digraphs
// included.
var serbianLatinToCyrillic = strings.NewReplacer(
	// Digraphs first: the replacer prefers the longest match at a position.
	"Lj", "Љ", "LJ", "Љ", "lj", "љ",
	"Nj", "Њ", "NJ", "Њ", "nj", "њ",
	"Dž", "Џ", "DŽ", "Џ", "dž", "џ",
	"A", "А", "a", "а", "B", "Б", "b", "б", "C", "Ц", "c", "ц",
	"Č", "Ч", "č", "ч", "Ć", "Ћ", "ć", "ћ", "D", "Д", "d", "д",
	"Đ", "Ђ", "đ", "ђ", "E", "Е", "e", "е", "F", "Ф", "f", "ф",
	"G", "Г", "g", "г", "H", "Х", "h", "х", "I", "И", "i", "и",
	"J", "Ј", "j", "ј", "K", "К", "k", "к", "L", "Л", "l", "л",
	"M", "М", "m", "м", "N", "Н", "n", "н", "O", "О", "o", "о",
	"P", "П", "p", "п", "R", "Р", "r", "р", "S", "С", "s", "с",
	"Š", "Ш", "š", "ш", "T", "Т", "t", "т", "U", "У", "u", "у",
	"V", "В", "v", "в", "Z", "З", "z", "з", "Ž", "Ж", "ž", "ж",
)

// gajLetters is Gaj's Latin alphabet, the letters serbianLatinToCyrillic
// maps (its digraphs are pairs of them).
const gajLetters = "abcčćdđefghijklmnoprsštuvzž"

// serbianToCyrillic transliterates Serbian Latin text to Cyrillic, word by
// word. A word with a Latin letter outside Gaj's alphabet (q, w, x, y, é,
// ü, …) is a foreign name and stays in Latin whole: letter by letter it
// would become a word of two scripts ("WхатсАпп", "Мüллер"). So does an
// address (a URL, an email address, a domain): in Cyrillic it would lead
// nowhere.
func serbianToCyrillic(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	for len(s) > 0 {
		i := strings.IndexFunc(s, unicode.IsSpace)
		if i < 0 {
			i = len(s)
		}
		word := s[:i]
		if isForeign(word) || isAddress(word) {
			b.WriteString(word)
		} else {
			b.WriteString(serbianLatinToCyrillic.Replace(word))
		}
		j := strings.IndexFunc(s[i:], func(r rune) bool { return !unicode.IsSpace(r) })
		if j < 0 {
			j = len(s) - i
		}
		b.WriteString(s[i : i+j])
		s = s[i+j:]
	}
	return b.String()
}

// isForeign reports whether a word has a Latin letter Serbian does not.
func isForeign(word string) bool {
	return strings.ContainsFunc(word, func(r rune) bool {
		return unicode.Is(unicode.Latin, r) && !strings.ContainsRune(gajLetters, unicode.ToLower(r))
	})
}

// isAddress reports whether a word is, or holds, a web or email address or
// a domain name: "://", "@", or a dot between two letters.
func isAddress(word string) bool {
	if strings.Contains(word, "://") || strings.Contains(word, "@") {
		return true
	}
	rs := []rune(word)
	for i := 1; i+1 < len(rs); i++ {
		if rs[i] == '.' && unicode.IsLetter(rs[i-1]) && unicode.IsLetter(rs[i+1]) {
			return true
		}
	}
	return false
}

// ScriptVariant is a second script a service's pages are offered in,
// transliterated from the script the newsroom writes in.
type ScriptVariant struct {
	Tag           string // BCP 47 tag of the variant, e.g. "sr-Cyrl"
	Suffix        string // added to the service code in URLs: "sr" becomes "sr-cyrl"
	Name          string // the link text that leads to the variant, in the variant's script
	BackName      string // the link text that leads back, in the original script
	Transliterate func(string) string
}

// VariantOf returns the script variant offered for a service's language
// tag, if there is one. Serbian written in Latin is also offered in Cyrillic.
func VariantOf(tag string) (ScriptVariant, bool) {
	switch strings.ToLower(tag) {
	case "sr-latn", "sr-latn-rs", "sr-latn-me", "sr-latn-ba":
		return ScriptVariant{Tag: "sr-Cyrl", Suffix: "-cyrl", Name: "Ћирилица", BackName: "Latinica",
			Transliterate: serbianToCyrillic}, true
	}
	return ScriptVariant{}, false
}
