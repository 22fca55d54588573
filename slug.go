package kolokol

import (
	"strings"
	"unicode"
)

// maxSlugRunes keeps URLs short enough to share by hand.
const maxSlugRunes = 60

// MaxSlug is the longest slug in characters; a longer one is cut at the
// last word boundary within it.
const MaxSlug = maxSlugRunes

// Slugify makes a URL segment from a headline in any script. Letters and
// digits of every script are kept (lowercased where the script has case),
// combining marks stay with their letters, and everything else, including
// ZWNJ, punctuation, slashes and dots, becomes a single hyphen. The result
// can never contain a path separator or a dot segment. A headline with no
// letters or digits gives "story".
//
// A slug longer than MaxSlug is cut at the last hyphen within the limit, so
// that an address never ends in half a word ("river-ferry-ret"); only a
// first word longer than the limit on its own is cut inside it.
func Slugify(headline string) string { return finishSlug(slugify(headline, maxSlugRunes)) }

// slugify is Slugify up to limit runes, "" when there is no letter or digit.
func slugify(headline string, limit int) string {
	// One rune more than the limit tells whether the word at the limit
	// goes on past it.
	out := make([]rune, 0, min(limit, 4*len(headline))+1)
	// joined marks the hyphens that stand for a zero-width joiner or
	// non-joiner alone: inside a Persian word (می‌خواهد), not between words.
	var joined []bool
	pendingHyphen, pendingJoiner := false, false
	for _, r := range headline {
		if len(out) > limit {
			break
		}
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || (unicode.Is(unicode.Mn, r) && len(out) > 0 && !pendingHyphen):
			if pendingHyphen && len(out) > 0 {
				out = append(out, '-')
				joined = append(joined, pendingJoiner)
			}
			pendingHyphen, pendingJoiner = false, false
			out = append(out, unicode.ToLower(r))
			joined = append(joined, false)
		case r == '\u200c' || r == '\u200d':
			pendingJoiner = !pendingHyphen || pendingJoiner
			pendingHyphen = true
		default:
			pendingHyphen, pendingJoiner = true, false
		}
	}
	if len(out) > limit {
		cut := limit
		if out[cut] != '-' || joined[cut] {
			// The limit falls inside a word: end before it, unless it
			// is the first word.
			for i := cut - 1; i > 0; i-- {
				if out[i] == '-' && !joined[i] {
					cut = i
					break
				}
			}
		}
		out = out[:cut]
	}
	return strings.Trim(string(out), "-")
}

func finishSlug(s string) string {
	s = strings.Trim(s, "-")
	if s == "" {
		return "story"
	}
	return s
}
