package kolokol

import (
	"strings"
	"unicode"
)

// maxSlugRunes keeps URLs short enough to share by hand.
const maxSlugRunes = 60

// Slugify makes a URL segment from a headline in any script. Letters and
// digits of every script are kept (lowercased where the script has case),
// combining marks stay with their letters, and everything else, including
// ZWNJ, punctuation, slashes and dots, becomes a single hyphen. The result
// can never contain a path separator or a dot segment. A headline with no
// letters or digits gives "story".
func Slugify(headline string) string {
	var b strings.Builder
	n := 0
	pendingHyphen := false
	for _, r := range headline {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || (unicode.Is(unicode.Mn, r) && b.Len() > 0 && !pendingHyphen):
			if pendingHyphen && b.Len() > 0 {
				if n+1 >= maxSlugRunes {
					return finishSlug(b.String())
				}
				b.WriteByte('-')
				n++
			}
			pendingHyphen = false
			if n >= maxSlugRunes {
				return finishSlug(b.String())
			}
			b.WriteRune(unicode.ToLower(r))
			n++
		default:
			pendingHyphen = true
		}
	}
	return finishSlug(b.String())
}

func finishSlug(s string) string {
	s = strings.Trim(s, "-")
	if s == "" {
		return "story"
	}
	return s
}
