package kolokol

import "unicode/utf8"

// CheckJSONText refuses, with EMALFORMED, a JSON text that encoding/json
// would quietly change while decoding it: bytes that are not UTF-8, and
// \u escapes of UTF-16 surrogates that do not form a pair (a high one,
// U+D800–U+DBFF, immediately followed by a low one, U+DC00–U+DFFF). The
// decoder turns both into U+FFFD, so a story or a name would be stored
// other than as it was sent. Everything else that is malformed is left to
// the decoder, which reports it better.
func CheckJSONText(data []byte) error {
	if !utf8.Valid(data) {
		return Errorf(EMALFORMED, "request body is not valid UTF-8")
	}
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if !inString {
			inString = c == '"'
			continue
		}
		switch c {
		case '"':
			inString = false
		case '\\':
			if i+1 >= len(data) {
				return nil // the decoder reports the unfinished string
			}
			if data[i+1] != 'u' {
				i++ // a one-character escape, \\ and \" included
				continue
			}
			r, ok := hex4(data, i+2)
			if !ok {
				i++ // not an escape the decoder will take either
				continue
			}
			switch {
			case r >= 0xD800 && r <= 0xDBFF:
				if lo, ok := hex4(data, i+8); ok && i+7 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' && lo >= 0xDC00 && lo <= 0xDFFF {
					i += 11 // the pair
					continue
				}
				return Errorf(EMALFORMED, "malformed JSON at byte %d: \\u%04X is a UTF-16 high surrogate without the low surrogate that must follow it", i+1, r)
			case r >= 0xDC00 && r <= 0xDFFF:
				return Errorf(EMALFORMED, "malformed JSON at byte %d: \\u%04X is a UTF-16 low surrogate without the high surrogate that must come before it", i+1, r)
			}
			i += 5
		}
	}
	return nil
}

// hex4 reads the four hex digits of a \u escape at data[at:].
func hex4(data []byte, at int) (rune, bool) {
	if at < 0 || at+4 > len(data) {
		return 0, false
	}
	var r rune
	for _, c := range data[at : at+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
