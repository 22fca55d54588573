package search

import (
	"slices"
	"testing"
)

func TestTerms(t *testing.T) {
	for _, c := range []struct {
		lang, text string
		want       []string
	}{
		// Stemming and stop words.
		{"en", "The Elections were running", []string{"elect", "run"}},
		{"ru", "Выборы в Москве", []string{"выбор", "москв"}},
		{"ru", "ЁЛКА и елка", []string{"елк", "елк"}},
		{"hu", "választások", []string{"választás"}},
		{"ro", "alegerile", []string{"aleger"}},
		// Persian and Arabic letter variants, ZWNJ, tatweel, harakat, digits.
		{"fa", "كتاب", []string{"کتاب"}},
		{"fa", "علي", []string{"علی"}},
		{"fa", "مدرسة", []string{"مدرسه"}},
		{"fa", "مؤسسه", []string{"موسسه"}},
		{"fa", "می\u200cخواهم", []string{"میخواهم"}},
		{"fa", "تهـــران", []string{"تهران"}},
		{"ps", "مُحَمَّد", []string{"محمد"}},
		{"fa", "۱۴۰۳", []string{"1403"}},
		{"prs", "ى", []string{"ی"}},
		// Ukrainian apostrophes: one form for every apostrophe.
		{"uk", "м’ясо м'ясо мʼясо", []string{"мясо", "мясо", "мясо"}},
		// Serbian: both scripts, with or without diacritics, meet.
		{"sr", "Београд Beograd", []string{"beograd", "beograd"}},
		{"sr", "Београду Beogradu", []string{"beograd", "beograd"}},
		{"sr", "Ђоковић Đoković Djokovic", []string{"djokovic", "djokovic", "djokovic"}},
		{"sr", "Љубљана Ljubljana", []string{"ljubljan", "ljubljan"}},
		// Case folding in every script.
		{"hy", "ԵՐԵՎԱՆ", []string{"երեվան"}},
		{"ka", "თბილისი", []string{"თბილისი"}},
		{"az", "İLHAM Ilham ılham", []string{"ilham", "ilham", "ilham"}},
		{"be", "МІНСК", []string{"мінск"}},
		{"de", "STRASSE Straße", []string{"strasse", "strasse"}},
		// Punctuation splits; hyphens split; a joiner at an end is not kept.
		{"en", "covid-19, 'quoted'", []string{"covid", "19", "quot"}},
	} {
		if got := NewAnalyzer(c.lang).Terms(c.text); !slices.Equal(got, c.want) {
			t.Errorf("%s %q: got %q, want %q", c.lang, c.text, got, c.want)
		}
	}
}

func TestOffsets(t *testing.T) {
	text := "Москва, «Навальный»"
	for _, tok := range NewAnalyzer("ru").Tokens(text) {
		if w := text[tok.Start:tok.End]; w != "Москва" && w != "Навальный" {
			t.Errorf("span %q", w)
		}
	}
}

func TestInvalidUTF8(t *testing.T) {
	if got := NewAnalyzer("en").Terms("war\xff\xfepeace"); !slices.Equal(got, []string{"war", "peac"}) {
		t.Errorf("got %q", got)
	}
}

// TestTransliteration: a Latin spelling of a Cyrillic word has the key of
// the Cyrillic word (or of its stem).
func TestTransliteration(t *testing.T) {
	for _, c := range []struct{ lang, cyr, lat string }{
		{"ru", "Навальный", "Navalny"},
		{"ru", "Навальный", "Navalnyy"},
		{"ru", "Навального", "Navalny"},
		{"uk", "Зеленський", "Zelensky"},
		{"uk", "Зеленський", "Zelenskyy"},
		{"uk", "Харків", "Kharkiv"},
		{"uk", "Київ", "Kyiv"},
		{"ru", "Москва", "Moskva"},
		{"ru", "Москве", "Moskva"},
		{"kk", "Тоқаев", "Tokayev"},
		{"kk", "Тоқаев", "Toqaev"},
		{"be", "Гродна", "Hrodna"},
		{"mk", "Скопје", "Skopje"},
		{"bg", "София", "Sofia"},
		{"tg", "Душанбе", "Dushanbe"},
		{"ky", "Бишкек", "Bishkek"},
	} {
		toks := NewAnalyzer(c.lang).Tokens(c.cyr)
		if len(toks) != 1 {
			t.Fatalf("%q: %d tokens", c.cyr, len(toks))
		}
		k := LatinKey(c.lat)
		if toks[0].Latin != k && toks[0].LatinStem != k {
			t.Errorf("%s %q: keys %q/%q, query %q keys %q", c.lang, c.cyr, toks[0].Latin, toks[0].LatinStem, c.lat, k)
		}
	}
}

func TestEveryServiceLanguage(t *testing.T) {
	for _, lang := range []string{"en", "ru", "uk", "be", "tt", "ba", "ce", "av", "crh", "ka", "hy", "az", "kk", "ky", "tg", "tk", "uz", "fa", "prs", "ps", "ro", "sr", "bs", "mk", "sq", "bg", "hu"} {
		a := NewAnalyzer(lang)
		if got := a.Terms("Kolokol 2026"); len(got) != 2 {
			t.Errorf("%s: %q", lang, got)
		}
	}
}
