package i18n

import "strings"

// serbianLatinToCyrillic is Gaj's Latin alphabet to Vuk's Cyrillic: the two
// official scripts of Serbian map letter for letter, three digraphs
// included. Letters outside the alphabet (q, w, x, y) stay as written,
// which keeps most foreign names readable.
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
			Transliterate: serbianLatinToCyrillic.Replace}, true
	}
	return ScriptVariant{}, false
}
