package kolokol

import (
	"strings"
	"unicode"
)

// Latin addresses: a service may give its stories slugs in Latin letters
// (Service.LatinSlugs), which readers can type and share where Cyrillic,
// Georgian or Armenian addresses come out as %D0%BF%D0%B0... Each language
// is romanized by its own national or standard system, written below as
// data, without the apostrophes and diacritics an address cannot carry or
// a reader cannot type (Serbian keeps Gaj's letters: they are its own Latin
// alphabet, as the Latin Serbian service writes it).

// latinTable romanizes the lowercase letters of one language. Letters it
// does not list fall back to the table of their script (cyrillicOther,
// georgian, armenian) and then stay as they are.
type latinTable struct {
	letters map[rune]string
	// initial are the forms at the start of a word, where they differ.
	initial map[rune]string
	// pairs are two letters romanized together; final, two letters that
	// end a word.
	pairs, final map[string]string
	// drop are marks inside words that romanize to nothing (the
	// Ukrainian and Belarusian apostrophe): they neither split a word nor
	// start one.
	drop string
}

// russianLetters is BGN/PCGN (1947) without its diacritics and
// apostrophes: ё as e, the hard and soft signs dropped.
var russianLetters = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu",
	'я': "ya",
}

// with is base with some letters added or changed.
func with(base map[rune]string, more map[rune]string) map[rune]string {
	m := make(map[rune]string, len(base)+len(more))
	for k, v := range base {
		m[k] = v
	}
	for k, v := range more {
		m[k] = v
	}
	return m
}

const apostrophes = "'’ʼ"

var latinTables = map[string]latinTable{
	"ru": {letters: russianLetters},
	// Ukrainian: the national system (Cabinet of Ministers resolution
	// no. 55 of 27 January 2010), which has no diacritics: є ї й ю я
	// have one form at the start of a word and another inside it, and
	// зг is zgh so that it is not read as the letter ж.
	"uk": {
		letters: map[rune]string{
			'а': "a", 'б': "b", 'в': "v", 'г': "h", 'ґ': "g", 'д': "d", 'е': "e", 'є': "ie",
			'ж': "zh", 'з': "z", 'и': "y", 'і': "i", 'ї': "i", 'й': "i", 'к': "k", 'л': "l",
			'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
			'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ь': "", 'ю': "iu",
			'я': "ia",
		},
		initial: map[rune]string{'є': "ye", 'ї': "yi", 'й': "y", 'ю': "yu", 'я': "ya"},
		pairs:   map[string]string{"зг": "zgh"},
		drop:    apostrophes,
	},
	// Belarusian: as on Belarusian passports (ICAO 9303), with the
	// Ukrainian system's word-initial forms for the iotated vowels.
	"be": {
		letters: map[rune]string{
			'а': "a", 'б': "b", 'в': "v", 'г': "h", 'ґ': "g", 'д': "d", 'е': "ie", 'ё': "io",
			'ж': "zh", 'з': "z", 'і': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n",
			'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ў': "u", 'ф': "f",
			'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'ы': "y", 'ь': "", 'э': "e", 'ю': "iu",
			'я': "ia",
		},
		initial: map[rune]string{'е': "ye", 'ё': "yo", 'й': "y", 'ю': "yu", 'я': "ya"},
		drop:    apostrophes,
	},
	// Bulgarian: the Streamlined System of the Transliteration Act (2009);
	// -ия at the end of a word is -ia (София, Sofia).
	"bg": {
		letters: map[rune]string{
			'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ж': "zh", 'з': "z",
			'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p",
			'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "h", 'ц': "ts", 'ч': "ch",
			'ш': "sh", 'щ': "sht", 'ъ': "a", 'ь': "y", 'ю': "yu", 'я': "ya",
		},
		final: map[string]string{"ия": "ia"},
	},
	// Macedonian: the official romanization of 2008, as on passports.
	"mk": {
		letters: map[rune]string{
			'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'ѓ': "gj", 'е': "e", 'ж': "zh",
			'з': "z", 'ѕ': "dz", 'и': "i", 'ј': "j", 'к': "k", 'л': "l", 'љ': "lj", 'м': "m",
			'н': "n", 'њ': "nj", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'ќ': "kj",
			'у': "u", 'ф': "f", 'х': "h", 'ц': "c", 'ч': "ch", 'џ': "dj", 'ш': "sh",
		},
	},
	// Serbian: Gaj's Latin alphabet, Serbian's own second script, letter
	// for letter.
	"sr": {
		letters: map[rune]string{
			'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'ђ': "đ", 'е': "e", 'ж': "ž",
			'з': "z", 'и': "i", 'ј': "j", 'к': "k", 'л': "l", 'љ': "lj", 'м': "m", 'н': "n",
			'њ': "nj", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'ћ': "ć", 'у': "u",
			'ф': "f", 'х': "h", 'ц': "c", 'ч': "č", 'џ': "dž", 'ш': "š",
		},
	},
	// Kazakh, Kyrgyz and Tajik: BGN/PCGN (1979, 1979, 1994) without
	// diacritics, on the Russian letters they share.
	"kk": {letters: with(russianLetters, map[rune]string{
		'ә': "a", 'ғ': "gh", 'қ': "q", 'ң': "ng", 'ө': "o", 'ұ': "u", 'ү': "u", 'һ': "h", 'і': "i",
	})},
	"ky": {letters: with(russianLetters, map[rune]string{'ң': "ng", 'ө': "o", 'ү': "u"})},
	"tg": {letters: with(russianLetters, map[rune]string{
		'ғ': "gh", 'ӣ': "i", 'қ': "q", 'ӯ': "u", 'ҳ': "h", 'ҷ': "j",
	})},
	// Georgian: the national system (2002), without the apostrophes that
	// mark its ejectives (კ k', პ p', ტ t', წ ts', ჭ ch', ყ q').
	"ka": {letters: georgian},
	// Armenian: BGN/PCGN (1981), as on Armenian passports: ե is ye and ո
	// vo at the start of a word, ու is u, և ev.
	"hy": {
		letters: armenian,
		initial: map[rune]string{'ե': "ye", 'ո': "vo", 'և': "yev"},
		pairs:   map[string]string{"ու": "u"},
	},
}

// cyrillicOther romanizes Cyrillic letters of languages without a table of
// their own (Tatar, Bashkir, Chechen, Avar): the Russian letters, and the
// usual Latin for the others; the palochka (ӏ) is dropped.
var cyrillicOther = with(russianLetters, map[rune]string{
	'ә': "a", 'ө': "o", 'ү': "u", 'җ': "zh", 'ң': "ng", 'һ': "h", 'ҡ': "q", 'ғ': "gh",
	'ҙ': "dh", 'ҫ': "th", 'ӏ': "", 'ҳ': "h", 'ҷ': "j", 'қ': "q", 'ұ': "u", 'і': "i",
	'ў': "u", 'ї': "i", 'є': "ye", 'ґ': "g", 'ђ': "dj", 'ј': "j", 'љ': "lj", 'њ': "nj",
	'ћ': "c", 'џ': "dzh", 'ѓ': "gj", 'ќ': "kj", 'ѕ': "dz", 'ӣ': "i", 'ӯ': "u",
})

var georgian = map[rune]string{
	'ა': "a", 'ბ': "b", 'გ': "g", 'დ': "d", 'ე': "e", 'ვ': "v", 'ზ': "z", 'თ': "t",
	'ი': "i", 'კ': "k", 'ლ': "l", 'მ': "m", 'ნ': "n", 'ო': "o", 'პ': "p", 'ჟ': "zh",
	'რ': "r", 'ს': "s", 'ტ': "t", 'უ': "u", 'ფ': "p", 'ქ': "k", 'ღ': "gh", 'ყ': "q",
	'შ': "sh", 'ჩ': "ch", 'ც': "ts", 'ძ': "dz", 'წ': "ts", 'ჭ': "ch", 'ხ': "kh", 'ჯ': "j",
	'ჰ': "h",
}

var armenian = map[rune]string{
	'ա': "a", 'բ': "b", 'գ': "g", 'դ': "d", 'ե': "e", 'զ': "z", 'է': "e", 'ը': "y",
	'թ': "t", 'ժ': "zh", 'ի': "i", 'լ': "l", 'խ': "kh", 'ծ': "ts", 'կ': "k", 'հ': "h",
	'ձ': "dz", 'ղ': "gh", 'ճ': "ch", 'մ': "m", 'յ': "y", 'ն': "n", 'շ': "sh", 'ո': "o",
	'չ': "ch", 'պ': "p", 'ջ': "j", 'ռ': "r", 'ս': "s", 'վ': "v", 'տ': "t", 'ր': "r",
	'ց': "ts", 'ւ': "v", 'փ': "p", 'ք': "k", 'և': "ev", 'օ': "o", 'ֆ': "f",
}

// HasLatinTable reports whether Latin addresses romanize the language of a
// service's tag ("uk", "sr-Cyrl") by a table of its own.
func HasLatinTable(tag string) bool {
	_, ok := latinTables[baseLanguage(tag)]
	return ok
}

func baseLanguage(tag string) string {
	lang, _, _ := strings.Cut(strings.ToLower(tag), "-")
	return lang
}

// Romanize writes text in Latin letters by the system of the language of
// tag (a BCP 47 tag such as "uk" or "ru"); letters of other scripts that
// have one (Cyrillic, Georgian, Armenian) take their script's, and all
// else is left as it is. The result is lowercase.
func Romanize(tag, text string) string {
	t := latinTables[baseLanguage(tag)]
	rs := []rune(strings.ToLower(text))
	var b strings.Builder
	b.Grow(len(text))
	wordStart := true
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if strings.ContainsRune(t.drop, r) && !wordStart && i+1 < len(rs) && unicode.IsLetter(rs[i+1]) {
			continue // inside a word: neither a letter nor a break
		}
		if i+1 < len(rs) {
			pair := string(rs[i : i+2])
			atEnd := i+2 == len(rs) || !unicode.IsLetter(rs[i+2])
			if s, ok := t.final[pair]; ok && atEnd {
				b.WriteString(s)
				i++
				wordStart = false
				continue
			}
			if s, ok := t.pairs[pair]; ok {
				b.WriteString(s)
				i++
				wordStart = false
				continue
			}
		}
		s, ok := "", false
		if wordStart {
			s, ok = t.initial[r]
		}
		if !ok {
			s, ok = t.letters[r]
		}
		if !ok {
			s, ok = scriptLetter(r)
		}
		if ok {
			b.WriteString(s)
		} else {
			b.WriteRune(r)
		}
		wordStart = !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r)
	}
	return b.String()
}

// scriptLetter romanizes a letter by its script's table, for a language
// without its own.
func scriptLetter(r rune) (string, bool) {
	switch {
	case unicode.Is(unicode.Cyrillic, r):
		s, ok := cyrillicOther[r]
		return s, ok
	case unicode.Is(unicode.Georgian, r):
		s, ok := georgian[r]
		return s, ok
	case unicode.Is(unicode.Armenian, r):
		s, ok := armenian[r]
		return s, ok
	}
	return "", false
}

// LatinSlug is Slugify of the headline romanized by the system of the
// language of tag: the slug of a service with Latin addresses.
func LatinSlug(tag, headline string) string { return Slugify(Romanize(tag, headline)) }
