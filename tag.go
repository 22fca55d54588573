package kolokol

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Tags are free text in the newsroom's every script ("климат", "حقوق بشر",
// "COVID-19"). A tag's key is what identifies it: two spellings with one key
// are one tag, listed on one page, and the key is that page's URL segment
// (/{service}/t/{key}/), percent-escaped in links as every path is.
//
// The key is the tag's own text, so that a reader of any script can read
// and type the address, made canonical:
//   - Unicode NFC, so that "й" typed as one character or as и and a
//     combining breve is one tag;
//   - invisible marks that change no letter (soft hyphen, zero-width space,
//     word joiner, byte order mark, the directional marks LRM, RLM and ALM)
//     removed; ZWNJ and ZWJ stay, since Persian spelling needs them;
//   - case-folded (Unicode full case folding) where the script has case:
//     "Climate" and "climate", "ТЕГ" and "тег", "Straße" and "strasse";
//     scripts without case (Persian, Georgian Mkhedruli) are unchanged;
//   - every run of white space, control characters, hyphens and slashes
//     ("/", "\", which would split or escape the path) one hyphen, with
//     none at either end, so that "human rights" and "human-rights" are one
//     tag; dots at the start dropped (no hidden file, no "." or ".."
//     segment on a mirror);
//   - a key of nothing but joiners and combining marks is empty;
//   - at most MaxTagKeyRunes characters, as slugs are bounded: a longer tag
//     shares its page with the tags that begin as it does.
//
// A tag whose key is empty ("-", "...") has no page; its text is still
// shown on its story. The key depends on Unicode's tables as
// golang.org/x/text has them: a new Unicode version that changed a folding
// would need the stored keys folded again (see the store's migrations).
func TagKey(tag string) string {
	s := norm.NFC.String(strings.ToValidUTF8(tag, ""))
	s = strings.Map(func(r rune) rune {
		if invisibleMark(r) {
			return -1
		}
		return r
	}, s)
	s = norm.NFC.String(strings.Map(cherokeeFold, cases.Fold().String(s)))
	var b strings.Builder
	b.Grow(len(s))
	n, hyphen := 0, false
	for _, r := range s {
		if tagSeparator(r) {
			hyphen = b.Len() > 0
			continue
		}
		if r == '.' && b.Len() == 0 {
			continue
		}
		if hyphen {
			if n+1 >= MaxTagKeyRunes {
				break
			}
			b.WriteByte('-')
			n++
			hyphen = false
		}
		if n >= MaxTagKeyRunes {
			break
		}
		b.WriteRune(r)
		n++
	}
	key := b.String()
	if !strings.ContainsFunc(key, func(r rune) bool { return unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S) }) {
		return "" // only joiners and marks: nothing a reader could see
	}
	return key
}

// MaxTagKeyRunes bounds a tag's key: it is a directory's name on a mirror,
// which file systems keep to 255 bytes, and 60 characters of any script
// are at most 240.
const MaxTagKeyRunes = 60

// invisibleMark reports whether r is a format character that changes no
// letter of a tag: typed by accident, it would make another tag.
func invisibleMark(r rune) bool {
	switch r {
	case '\u00AD', '\u200B', '\u200E', '\u200F', '\u061C', '\u2060', '\uFEFF':
		return true
	}
	return false
}

// cherokeeFold finishes golang.org/x/text's folding of Cherokee, which
// swaps its cases (a capital folds to the small letter, the small letter to
// the capital) where Unicode's CaseFolding.txt folds both to the capital:
// without it, a key would not be its own key.
func cherokeeFold(r rune) rune {
	if r >= 0xAB70 && r <= 0xABBF || r >= 0x13F8 && r <= 0x13FD {
		return unicode.ToUpper(r)
	}
	return r
}

// tagSeparator reports whether r ends a word of a tag's key.
func tagSeparator(r rune) bool {
	return r == '-' || r == '/' || r == '\\' || unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError
}

// TagKeys are the distinct keys of tags, in their order, without the empty
// key of a tag that has no page.
func TagKeys(tags []string) []string {
	var out []string
	for _, t := range tags {
		if k := TagKey(t); k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// TagCount is a tag of a service by its key, and how many stories carry it.
type TagCount struct {
	Key     string
	Stories int
}

// TagList names the list of a service's live stories carrying a tag, by
// the tag's key: "fa/حقوق-بشر". A Change names those it alters in Tags.
func TagList(service, key string) string { return service + "/" + key }
