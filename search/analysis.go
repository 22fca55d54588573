package search

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/bg"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/fa"
	"github.com/blevesearch/bleve/v2/analysis/lang/hr"
	"github.com/blevesearch/bleve/v2/analysis/lang/hu"
	"github.com/blevesearch/bleve/v2/analysis/lang/hy"
	"github.com/blevesearch/bleve/v2/analysis/lang/ro"
	"github.com/blevesearch/bleve/v2/analysis/lang/ru"
	snowball "github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/hungarian"
	"github.com/blevesearch/snowballstem/romanian"
	"github.com/blevesearch/snowballstem/russian"
	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// The analysis is ours, not bleve's: the same code turns a story into index
// terms and a query into query terms, so the two cannot drift apart, the
// <mark> of a result is placed by the very function that matched it, and
// every language is tested here without an index. Bleve stores and scores
// the terms it is given (see index.go).

// Token is one word of a text, analysed.
type Token struct {
	// Term is the indexed form: normalised, case-folded, stemmed where the
	// language has a stemmer.
	Term string
	// Word is the normalised word before stemming.
	Word string
	// Parts are the normalised pieces of a word joined by ZWNJ, indexed
	// beside it.
	Parts []string
	// Latin is the loose Latin key of a Cyrillic word (see LatinKey), ""
	// for other words. Stem is the key of the stem, when it differs.
	Latin, LatinStem string
	// Start and End are the word's byte offsets in the analysed text.
	Start, End int
}

// Analyzer analyses the texts of one service language. It is safe for
// concurrent use.
type Analyzer struct {
	lang     string
	stem     func(string) string
	stop     map[string]bool
	turkic   bool // I/ı and İ/i: fold both to i
	serbian  bool // Cyrillic and Latin to one ASCII-folded Latin form
	cyrillic bool // also index Latin keys of Cyrillic words
	translit map[rune]string

	// words remembers the analysis of words as written: a language's
	// texts repeat a few thousand words, and normalising, stemming (the
	// Croatian stemmer is a cascade of regular expressions) and keying
	// each occurrence anew was most of the cost of indexing.
	mu    sync.RWMutex
	words map[string]wordForms
}

// wordForms is what a word as written analyses to.
type wordForms struct {
	term, word, latin, latinStem string
	drop                         bool // empty or a stop word
}

// maxCachedWords bounds an analyzer's memory of words; when it is full it
// starts again, so a flood of distinct words (a hostile text, a rebuild
// of a big archive) costs analysis time, never unbounded memory.
const maxCachedWords = 1 << 15

// Stemmed reports the service languages with a maintained stemmer
// (Snowball); the others get normalisation (and stop words where a list
// exists) only.
var stemmers = map[string]func(string) string{
	"en": snowballStem(english.Stem),
	"ru": snowballStem(russian.Stem),
	"hu": snowballStem(hungarian.Stem),
	"ro": snowballStem(romanian.Stem),
	// Serbian and Bosnian: the Croatian stemmer (Ljubešić and Pandžić,
	// bleve's hr), on Gaj's Latin, which the three languages share.
	"sr": croatianStem,
	"bs": croatianStem,
}

func snowballStem(f func(*snowball.Env) bool) func(string) string {
	return func(w string) string {
		env := snowball.NewEnv(w)
		f(env)
		return env.Current()
	}
}

var (
	hrSuffix  = hr.NewSuffixTransformationFilter()
	hrStemmer = hr.NewCroatianStemmerFilter()
)

func croatianStem(w string) string {
	ts := analysis.TokenStream{&analysis.Token{Term: []byte(w)}}
	ts = hrStemmer.Filter(hrSuffix.Filter(ts))
	if len(ts) == 0 {
		return w
	}
	return string(ts[0].Term)
}

// stopLists are bleve's lists (Snowball's and Jacques Savoy's).
var stopLists = map[string][]byte{
	"en": en.EnglishStopWords, "ru": ru.RussianStopWords, "hu": hu.HungarianStopWords,
	"ro": ro.RomanianStopWords, "fa": fa.PersianStopWords, "prs": fa.PersianStopWords,
	"bg": bg.BulgarianStopWords, "hy": hy.ArmenianStopWords,
	"sr": hr.CroatianStopWords, "bs": hr.CroatianStopWords,
}

// cyrillicServices are the service languages written in Cyrillic (Serbian
// is handled by script folding instead: its two scripts map letter for
// letter).
var cyrillicServices = map[string]bool{
	"ru": true, "uk": true, "be": true, "tt": true, "ba": true, "ce": true, "av": true,
	"kk": true, "ky": true, "tg": true, "mk": true, "bg": true,
}

// Stems reports whether lang's analysis stems words.
func Stems(lang string) bool { return stemmers[lang] != nil }

// HasStopWords reports whether lang's analysis drops stop words.
func HasStopWords(lang string) bool { return stopLists[lang] != nil }

// NewAnalyzer returns the analyzer for a service language code (en, ru,
// sr, …). An unknown code gets normalisation and case folding only.
func NewAnalyzer(lang string) *Analyzer {
	a := &Analyzer{
		lang:     lang,
		stem:     stemmers[lang],
		turkic:   lang == "az" || lang == "crh" || lang == "tk" || lang == "tt" || lang == "ba",
		serbian:  lang == "sr" || lang == "bs" || lang == "cnr" || lang == "hr",
		cyrillic: cyrillicServices[lang],
		translit: translitTable(lang),
	}
	if list := stopLists[lang]; list != nil {
		a.stop = map[string]bool{}
		for _, line := range strings.Split(string(list), "\n") {
			if i := strings.IndexAny(line, "#|"); i >= 0 {
				line = line[:i]
			}
			for _, w := range strings.Fields(line) {
				// The list goes through the same normalisation as the
				// text, so "её" on the list stops "ее" in a story.
				a.stop[a.normalize(w, cases.Fold())] = true
			}
		}
	}
	return a
}

// Lang is the analyzer's language code.
func (a *Analyzer) Lang() string { return a.lang }

// Tokens splits text into words and analyses each. Stop words are left out.
func (a *Analyzer) Tokens(text string) []Token {
	var out []Token
	a.each(text, func(t Token) { out = append(out, t) })
	return out
}

// each calls fn with every token of text, in order: indexing a long body
// needs its terms, not a slice of them.
func (a *Analyzer) each(text string, fn func(Token)) {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, " ")
	}
	// A Caser keeps state: one per call, made when a word is not known.
	var fold cases.Caser
	folding := false
	for start := 0; start < len(text); {
		s, e := nextWord(text, start)
		if s < 0 {
			break
		}
		start = e
		raw := text[s:e]
		a.mu.RLock()
		f, ok := a.words[raw]
		a.mu.RUnlock()
		if !ok {
			if !folding {
				fold, folding = cases.Fold(), true
			}
			f = a.analyse(raw, fold)
			a.mu.Lock()
			if len(a.words) >= maxCachedWords || a.words == nil {
				a.words = make(map[string]wordForms, 1024)
			}
			a.words[strings.Clone(raw)] = f
			a.mu.Unlock()
		}
		if f.drop {
			continue
		}
		t := Token{Term: f.term, Word: f.word, Latin: f.latin, LatinStem: f.latinStem, Start: s, End: e}
		if strings.ContainsRune(raw, '\u200c') {
			// A Persian ZWNJ joins a word's parts (مدرسه‌ای, می‌خواهم):
			// the joined word is the term, and each part is indexed
			// too, so a query for the stem alone finds it.
			if !folding {
				fold, folding = cases.Fold(), true
			}
			w := a.normalize(raw, fold)
			for _, part := range strings.Split(raw, "\u200c") {
				if p := a.normalize(part, fold); p != "" && p != w && !a.stop[p] {
					t.Parts = append(t.Parts, p)
				}
			}
		}
		fn(t)
	}
}

// analyse is the analysis of one word as written.
func (a *Analyzer) analyse(raw string, fold cases.Caser) wordForms {
	w := a.normalize(raw, fold)
	if w == "" || a.stop[w] {
		return wordForms{drop: true}
	}
	f := wordForms{term: w, word: w}
	if a.stem != nil {
		if st := a.stem(w); st != "" {
			f.term = st
		}
	}
	if a.serbian {
		// Stemmed with its diacritics, then folded to ASCII, so that
		// Đoković, Djokovic and Ђоковић meet.
		f.word, f.term = asciiFold(f.word), asciiFold(f.term)
	}
	if a.cyrillic && hasCyrillic(w) {
		f.latin = LatinKey(a.transliterate(w))
		if f.term != w {
			if k := LatinKey(a.transliterate(f.term)); k != f.latin {
				f.latinStem = k
			}
		}
	}
	return f
}

// Terms is the Term of every token.
func (a *Analyzer) Terms(text string) []string {
	toks := a.Tokens(text)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Term
	}
	return out
}

// isJoiner reports the characters that belong inside a word without being
// letters: apostrophes (Ukrainian м’ясо, Uzbek oʻzbek), ZWNJ (Persian
// می‌خواهم) and ZWJ.
func isJoiner(r rune) bool {
	switch r {
	case '\'', '’', 'ʼ', 'ʻ', '‘', '`', '\u200c', '\u200d':
		return true
	}
	return false
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// nextWord returns the byte span of the first word at or after i, or -1.
// A joiner counts only between two word characters.
func nextWord(text string, i int) (int, int) {
	start := -1
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if isWordRune(r) {
			start = i
			break
		}
		i += n
	}
	if start < 0 {
		return -1, -1
	}
	end := start
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if isWordRune(r) {
			i += n
			end = i
			continue
		}
		if isJoiner(r) && i+n < len(text) {
			if r2, _ := utf8.DecodeRuneInString(text[i+n:]); isWordRune(r2) {
				i += n
				continue
			}
		}
		break
	}
	return start, end
}

// normalize folds one word: NFC, Unicode case folding, then the letter
// variants that readers type interchangeably.
func (a *Analyzer) normalize(w string, fold cases.Caser) string {
	w = norm.NFC.String(w)
	if a.turkic {
		w = cases.Lower(language.Turkish).String(w)
	} else {
		w = fold.String(w)
	}
	var b strings.Builder
	b.Grow(len(w))
	for _, r := range w {
		switch {
		case isJoiner(r):
			// Apostrophes and ZWNJ are spelled, typed and left out
			// inconsistently: dropping them makes every spelling one.
			continue
		case r == '\u0640': // tatweel: stretches a line, not a letter
			continue
		case r >= '\u064b' && r <= '\u065f', r == '\u0670', r >= '\u06d6' && r <= '\u06ed':
			continue // Arabic harakat and Quranic marks
		case unicode.IsDigit(r) && r > 0x7f:
			if d := digitValue(r); d >= 0 {
				b.WriteByte(byte('0' + d))
				continue
			}
		}
		b.WriteString(foldLetter(r, a.turkic))
	}
	w = b.String()
	if a.serbian {
		w = serbianGaj(w)
	}
	return w
}

func digitValue(r rune) int {
	for _, z := range []rune{'٠', '۰', '०', '০', '०'} {
		if r >= z && r <= z+9 {
			return int(r - z)
		}
	}
	return -1
}

// foldLetter maps letter variants to one letter.
func foldLetter(r rune, turkic bool) string {
	switch r {
	case 'ي', 'ى', 'ئ': // Arabic yeh, alef maksura, yeh with hamza → Persian yeh
		return "ی"
	case 'ك': // Arabic kaf → Persian keheh
		return "ک"
	case 'ة': // teh marbuta → heh
		return "ه"
	case 'ۀ', 'ہ', 'ە':
		return "ه"
	case 'ؤ':
		return "و"
	case 'أ', 'إ', 'آ', 'ٱ':
		return "ا"
	case 'ё':
		return "е"
	case 'ı':
		if turkic {
			return "i"
		}
	}
	return string(r)
}

// serbianLatin is Vuk's Cyrillic to Gaj's Latin (lower case: it runs
// after case folding).
var serbianLatin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'ђ': "đ", 'е': "e", 'ж': "ž",
	'з': "z", 'и': "i", 'ј': "j", 'к': "k", 'л': "l", 'љ': "lj", 'м': "m", 'н': "n",
	'њ': "nj", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'ћ': "ć", 'у': "u",
	'ф': "f", 'х': "h", 'ц': "c", 'ч': "č", 'џ': "dž", 'ш': "š",
}

// serbianGaj maps a Serbian word in either script to Gaj's Latin, so
// "Београд", "Beograd" and a query typed either way meet.
func serbianGaj(w string) string {
	var b strings.Builder
	for _, r := range w {
		if s, ok := serbianLatin[r]; ok {
			b.WriteString(s)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// asciiFold drops Gaj's diacritics the way readers type without them (đ
// as dj, č and ć as c).
var asciiFold = strings.NewReplacer("č", "c", "ć", "c", "š", "s", "ž", "z", "đ", "dj").Replace

func hasCyrillic(w string) bool {
	for _, r := range w {
		if unicode.Is(unicode.Cyrillic, r) {
			return true
		}
	}
	return false
}

// baseTranslit is a plain Cyrillic-to-Latin table (close to the national
// passport systems); LatinKey then absorbs the differences between
// romanisations.
var baseTranslit = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ж': "zh", 'з': "z",
	'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p",
	'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch",
	'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya",
	// Ukrainian, Belarusian
	'є': "ye", 'і': "i", 'ї': "yi", 'ґ': "g", 'ў': "u",
	// Kazakh, Kyrgyz, Tatar, Bashkir, Tajik
	'ә': "a", 'ғ': "g", 'қ': "q", 'ң': "ng", 'ө': "o", 'ұ': "u", 'ү': "u", 'һ': "h",
	'ҙ': "z", 'ҫ': "s", 'ҡ': "q", 'җ': "j", 'ӣ': "i", 'ӯ': "u", 'ҳ': "h", 'ҷ': "j",
	// Macedonian, Bulgarian
	'ѓ': "gj", 'ќ': "kj", 'ѕ': "dz", 'љ': "lj", 'њ': "nj", 'џ': "dzh", 'ј': "j",
	// Chechen, Avar: the palochka marks ejectives; romanisations drop it
	'ӏ': "", 'Ӏ': "",
}

func translitTable(lang string) map[rune]string {
	if lang != "uk" && lang != "be" {
		return baseTranslit
	}
	// Ukrainian and Belarusian г is h (Kharkiv, Hrodna), и is y.
	t := make(map[rune]string, len(baseTranslit))
	for k, v := range baseTranslit {
		t[k] = v
	}
	t['г'] = "h"
	if lang == "uk" {
		t['и'] = "y"
	}
	return t
}

func (a *Analyzer) transliterate(w string) string {
	var b strings.Builder
	for _, r := range w {
		if s, ok := a.translit[r]; ok {
			b.WriteString(s)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// latinDigraphs are collapsed before single letters, longest first.
var latinDigraphs = strings.NewReplacer(
	"shch", "s", "sch", "s", "sh", "s", "ch", "c", "zh", "z", "kh", "h",
	"ts", "c", "tz", "c", "ph", "f", "x", "ks", "w", "v", "q", "k", "y", "i", "j", "i",
)

// LatinKey is a loose key for a Latin spelling of a word: romanisations of
// one Cyrillic name differ (Zelensky, Zelenskyy, Zelenskiy; Navalny,
// Navalnyy; Kharkiv, Harkiv), and so do what readers type. The key folds
// diacritics, digraphs (kh, zh, ts), y/j/i, doubled letters and a final
// vowel, which a declension changes, and ie to e. A Cyrillic word is transliterated and
// keyed when indexed; a Latin query word is keyed when searched.
func LatinKey(w string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(w)) {
		if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	s := latinDigraphs.Replace(b.String())
	var c []byte
	for i := 0; i < len(s); i++ {
		if len(c) > 0 && c[len(c)-1] == s[i] {
			continue
		}
		c = append(c, s[i])
	}
	// Е after a vowel or at the start is ye in some romanisations and e
	// in others (Tokayev, Tokaev; Aliyev, Aliev).
	c = []byte(strings.ReplaceAll(string(c), "ie", "e"))
	for len(c) > 3 && strings.IndexByte("aeiou", c[len(c)-1]) >= 0 {
		c = c[:len(c)-1]
	}
	return string(c)
}

// IsLatin reports whether a word is written in ASCII Latin letters only:
// such a query word, on a Cyrillic service, is also looked up by LatinKey.
func IsLatin(w string) bool {
	if w == "" {
		return false
	}
	for _, r := range w {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
