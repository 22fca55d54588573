package i18n

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Rules of CheckTypography: each is an error a keyboard or a copy and paste
// makes and a proofreader's eye does not see, because the wrong character
// looks like the right one.
const (
	// RuleMixedScript: a word with letters of two of Latin, Cyrillic, Greek
	// and Armenian. Their look-alike letters (Latin e and Cyrillic е, Latin
	// o and Armenian օ) make such a word look right and be wrong: search
	// misses it, screen readers spell it out, hyphenation breaks it.
	RuleMixedScript = "mixed-script"
	// RuleUzbekOkina: Uzbek oʻ and gʻ are spelled with the modifier letter
	// turned comma (U+02BB); a quotation mark or an ASCII apostrophe there
	// splits the word in two for search, sorting and line breaking.
	RuleUzbekOkina = "uzbek-okina"
	// RuleUzbekApostrophe: the Uzbek tutuq belgisi (eʼlon, Browserʼda) is
	// the modifier letter apostrophe (U+02BC), for the same reason.
	RuleUzbekApostrophe = "uzbek-apostrophe"
	// RuleArabicLetter: Persian and Dari are written with Persian yeh ی
	// and keheh ک; the Arabic ي, ى and ك of an Arabic keyboard look the same
	// in most fonts and break search and sorting.
	RuleArabicLetter = "arabic-letter"
	// RuleASCIIPunctuation: Persian, Dari and Pashto sentences take the
	// Arabic comma ، semicolon ؛ and question mark ؟; the ASCII ones are
	// mirrored or misplaced in right-to-left text.
	RuleASCIIPunctuation = "ascii-punctuation"
)

// Flaw is one error CheckTypography found.
type Flaw struct {
	Rule string // one of the Rule constants
	At   int    // byte offset of Text in the text checked
	Text string // the word or characters at fault, to find them by
}

// CheckTypography returns the flaws of text, written in the language of a
// BCP 47 tag: script mixing in every language, the apostrophes of Uzbek,
// the letters of Persian and Dari and the punctuation of Persian, Dari and
// Pashto. Format verbs (%s, %d) are not words. The newsroom's texts and the
// catalogs are held to it by tests.
func CheckTypography(tag, text string) []Flaw {
	lang, _, _ := splitTag(tag)
	flaws := mixedScript(text)
	switch lang {
	case "uz":
		flaws = append(flaws, uzbekApostrophes(text)...)
	case "fa":
		flaws = append(flaws, arabicLetters(text)...)
		flaws = append(flaws, asciiPunctuation(text)...)
	case "ps":
		flaws = append(flaws, asciiPunctuation(text)...)
	}
	return flaws
}

// lookAlike are the scripts whose letters are confused for each other.
var lookAlike = []*unicode.RangeTable{unicode.Latin, unicode.Cyrillic, unicode.Greek, unicode.Armenian}

func mixedScript(text string) []Flaw {
	var flaws []Flaw
	start := -1 // of the current word
	var seen [4]bool
	end := func(i int) {
		n := 0
		for _, s := range seen {
			if s {
				n++
			}
		}
		if n > 1 {
			flaws = append(flaws, Flaw{Rule: RuleMixedScript, At: start, Text: text[start:i]})
		}
		start, seen = -1, [4]bool{}
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == '%' && i+1 < len(text) && (text[i+1] == 's' || text[i+1] == 'd') {
			if start >= 0 {
				end(i)
			}
			i += 2
			continue
		}
		if !unicode.IsLetter(r) && !unicode.IsMark(r) {
			if start >= 0 {
				end(i)
			}
			i += size
			continue
		}
		if start < 0 {
			start = i
		}
		for k, s := range lookAlike {
			if unicode.Is(s, r) {
				seen[k] = true
			}
		}
		i += size
	}
	if start >= 0 {
		end(len(text))
	}
	return flaws
}

const (
	okina       = 'ʻ' // U+02BB MODIFIER LETTER TURNED COMMA
	apostrophe  = 'ʼ' // U+02BC MODIFIER LETTER APOSTROPHE
	apostrophes = "'`´‘’ʹʽ′ʻʼ"
)

// uzbekApostrophes finds apostrophe-like characters between two letters:
// after o or g they must be U+02BB, after any other letter U+02BC. One at
// a word's edge is a quotation mark and is left alone.
func uzbekApostrophes(text string) []Flaw {
	var flaws []Flaw
	var prev rune // the character before r, at text[i-len(prev):i]
	for i, r := range text {
		if strings.ContainsRune(apostrophes, r) && unicode.IsLetter(prev) {
			next, _ := utf8.DecodeRuneInString(text[i+utf8.RuneLen(r):])
			if unicode.IsLetter(next) {
				switch {
				case strings.ContainsRune("oOgG", prev) && r != okina:
					flaws = append(flaws, Flaw{Rule: RuleUzbekOkina, At: i - utf8.RuneLen(prev), Text: string([]rune{prev, r, next})})
				case !strings.ContainsRune("oOgG", prev) && r != apostrophe:
					flaws = append(flaws, Flaw{Rule: RuleUzbekApostrophe, At: i - utf8.RuneLen(prev), Text: string([]rune{prev, r, next})})
				}
			}
		}
		prev = r
	}
	return flaws
}

func arabicLetters(text string) []Flaw {
	var flaws []Flaw
	for i, r := range text {
		switch r {
		case 'ي', 'ى', 'ك':
			flaws = append(flaws, Flaw{Rule: RuleArabicLetter, At: i, Text: string(r)})
		}
	}
	return flaws
}

// asciiPunctuation finds , ; and ? whose nearest letter on either side,
// on the same line, is in Arabic script: inside a Persian or Pashto
// sentence, not inside a web address or a Latin line of its own.
func asciiPunctuation(text string) []Flaw {
	var flaws []Flaw
	arabic := func(s string, backward bool) bool {
		for len(s) > 0 {
			var r rune
			var size int
			if backward {
				r, size = utf8.DecodeLastRuneInString(s)
				s = s[:len(s)-size]
			} else {
				r, size = utf8.DecodeRuneInString(s)
				s = s[size:]
			}
			switch {
			case r == '\n':
				return false
			case unicode.IsLetter(r):
				return unicode.Is(unicode.Arabic, r)
			}
		}
		return false
	}
	for i, r := range text {
		if (r == ',' || r == ';' || r == '?') && (arabic(text[:i], true) || arabic(text[i+1:], false)) {
			flaws = append(flaws, Flaw{Rule: RuleASCIIPunctuation, At: i, Text: string(r)})
		}
	}
	return flaws
}
