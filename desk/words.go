package desk

import (
	"regexp"
	"unicode"

	"github.com/kolokol/kolokol"
)

// WordsPerMinute is the reading speed the editor's reading time assumes:
// a common figure for reading news on a screen, on the slow side so that
// the estimate is not flattering.
const WordsPerMinute = 200

// linkTarget is a Markdown link's or image's destination: addresses are
// not words a reader reads.
var linkTarget = regexp.MustCompile(`\]\([^)\s]*(?:\s+"[^"]*")?\)`)

// Words counts the words of a story's Markdown text as a reader would,
// in every script the services write. A word is a run of letters, marks
// and digits: marks keep Devanagari, Georgian or Arabic vowel signs inside
// their word. A zero-width non-joiner or joiner, an apostrophe or a hyphen
// between two such characters joins rather than separates (Persian
// "می‌خواهم", Uzbek "oʻzbek", "well-known" are one word each), as a point
// or comma between digits does (3.5, 1,000). Scripts
// written without spaces (Chinese, Japanese kana) count each character
// as a word, as word processors do. Markdown's punctuation and link
// addresses are not counted, nor a block's keys and ids: its values
// people read are (kolokol.BodyText).
func Words(text string) int {
	text = linkTarget.ReplaceAllString(kolokol.BodyText(text), "]")
	rs := []rune(text)
	n, in := 0, false
	for i, r := range rs {
		switch {
		case unspaced(r):
			n++
			in = false
		case letterLike(r):
			if !in {
				n++
				in = true
			}
		case in && joiner(r) && i+1 < len(rs) && letterLike(rs[i+1]) && !unspaced(rs[i+1]):
			// stays in the word
		case in && (r == '.' || r == ',') && i+1 < len(rs) && unicode.IsDigit(rs[i-1]) && unicode.IsDigit(rs[i+1]):
			// 3.5 and 1,000 are one number
		default:
			in = false
		}
	}
	return n
}

// ReadingMinutes is how long a text of that many words takes to read, in
// whole minutes rounded up: any text takes at least a minute.
func ReadingMinutes(words int) int {
	if words <= 0 {
		return 0
	}
	return (words + WordsPerMinute - 1) / WordsPerMinute
}

func letterLike(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r)
}

func joiner(r rune) bool {
	switch r {
	case '\u200c', '\u200d', // zero-width non-joiner, joiner
		'\'', '\u2019', '\u02bc', // apostrophes
		'-', '\u2010', '\u2011', '\u00ad': // hyphens, soft hyphen
		return true
	}
	return false
}

func unspaced(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}
