package i18n

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// serviceTags are the 27 language services' tags, as the newsroom sets them,
// and the catalog each must get.
var serviceTags = map[string]string{
	"en": "en", "ru": "ru", "uk": "uk", "be": "be", "tt": "tt", "ba": "ba", "ce": "ce", "av": "av",
	"crh": "crh", "crh-Latn": "crh", "ka": "ka", "hy": "hy", "az": "az", "kk": "kk", "ky": "ky",
	"tg": "tg", "tk": "tk", "uz": "uz", "fa-IR": "fa-IR", "fa-AF": "fa-AF", "ps": "ps",
	"ro-MD": "ro-MD", "sr-Latn": "sr-Latn", "bs": "bs", "mk": "mk", "sq": "sq", "bg": "bg", "hu": "hu",
}

func TestLoad(t *testing.T) {
	cs, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	want := make([]string, 0, len(serviceTags))
	for _, c := range serviceTags {
		if !slices.Contains(want, c) {
			want = append(want, c)
		}
	}
	slices.Sort(want)
	if got := cs.Tags(); !slices.Equal(got, want) {
		t.Errorf("catalogs %q, want one per service: %q", got, want)
	}
}

// TestCatalogsComplete checks, through the public API, what Load enforces:
// every service's catalog has every key, and each plural message has
// exactly the forms CLDR gives the language.
func TestCatalogsComplete(t *testing.T) {
	keys := Keys()
	if len(keys) < 30 {
		t.Fatalf("only %d keys", len(keys))
	}
	en := For("en")
	for tag, want := range serviceTags {
		c := For(tag)
		if c.Tag() != want {
			t.Errorf("For(%q) = %q, want %q", tag, c.Tag(), want)
			continue
		}
		forms := PluralForms(tag)
		for _, k := range keys {
			if !c.Has(k) {
				t.Errorf("%s: missing %q", tag, k)
				continue
			}
			if c.Plural(k) != en.Plural(k) {
				t.Errorf("%s: %q plural %v, English %v", tag, k, c.Plural(k), en.Plural(k))
				continue
			}
			if !c.Plural(k) {
				if c.T(k) == "" || verbs(c.T(k)) != verbs(en.T(k)) {
					t.Errorf("%s: %q = %q, English %q", tag, k, c.T(k), en.T(k))
				}
				continue
			}
			var got []string
			for f, s := range c.Forms(k) {
				got = append(got, f)
				if !strings.Contains(s, "%d") {
					t.Errorf("%s: %q %s = %q has no %%d", tag, k, f, s)
				}
			}
			if slices.Sort(got); !slices.Equal(got, sortedCopy(forms)) {
				t.Errorf("%s: %q has forms %v, CLDR %v", tag, k, got, forms)
			}
		}
	}
}

// PluralForms reads the categories off x/text's rules; check it against
// CLDR's plurals.xml for the kinds of language the services cover.
func TestPluralForms(t *testing.T) {
	for tag, want := range map[string]string{
		"en": "one other", "ru": "one few many other", "uk": "one few many other", "be": "one few many other",
		"ka": "one other", "hy": "one other", "fa-IR": "one other", "fa-AF": "one other", "ps": "one other",
		"ro-MD": "one few other", "sr-Latn": "one few other", "bs": "one few other", "mk": "one other",
		"hu": "one other", "ce": "one other", "tt": "other", "ba": "other", "tg": "other", "av": "other", "crh": "other",
	} {
		if got := strings.Join(PluralForms(tag), " "); got != want {
			t.Errorf("PluralForms(%q) = %q, want %q", tag, got, want)
		}
	}
}

func TestPluralSelection(t *testing.T) {
	cases := []struct {
		tag  string
		n    int
		want string
	}{
		{"ru", 1, "1 минуту назад"}, {"ru", 2, "2 минуты назад"}, {"ru", 5, "5 минут назад"},
		{"ru", 11, "11 минут назад"}, {"ru", 12, "12 минут назад"}, {"ru", 21, "21 минуту назад"},
		{"ru", 22, "22 минуты назад"}, {"ru", 25, "25 минут назад"}, {"ru", 0, "0 минут назад"},
		{"ru", 111, "111 минут назад"}, {"ru", 101, "101 минуту назад"},
		{"uk", 1, "1 хвилину тому"}, {"uk", 3, "3 хвилини тому"}, {"uk", 11, "11 хвилин тому"}, {"uk", 21, "21 хвилину тому"},
		{"ka", 1, "1 წუთის წინ"}, {"ka", 7, "7 წუთის წინ"},
		{"fa-IR", 1, "۱ دقیقه پیش"}, {"fa-IR", 12, "۱۲ دقیقه پیش"},
		{"ps", 1, "۱ دقيقه مخکې"}, {"ps", 2, "۲ دقيقې مخکې"}, {"ps", 0, "۰ دقيقې مخکې"},
		{"ro-MD", 1, "acum 1 minut"}, {"ro-MD", 19, "acum 19 minute"}, {"ro-MD", 20, "acum 20 de minute"}, {"ro-MD", 101, "acum 101 minute"},
		{"bs", 21, "prije 21 minutu"}, {"bs", 11, "prije 11 minuta"}, {"bs", 24, "prije 24 minute"},
		{"bg", 1, "преди 1 минута"}, {"bg", 2, "преди 2 минути"},
	}
	for _, c := range cases {
		if got := For(c.tag).N(MinutesAgo, c.n); got != c.want {
			t.Errorf("%s N(%d) = %q, want %q", c.tag, c.n, got, c.want)
		}
	}
	if got := For("ru").N(StoriesCount, 1234); got != "1\u00a0234 материала" {
		t.Errorf("ru 1234 stories = %q", got)
	}
	// Fractions: Russian's "other" is for them alone (1.5 минуты).
	ru := language.MustParse("ru")
	if f := plural.Cardinal.MatchPlural(ru, 1, 1, 1, 5, 5); f != plural.Other {
		t.Errorf("ru 1.5 is %v, want other", f)
	}
	// Persian's "one" covers 0 and 1, Pashto's only 1; Georgian's only 1.
	for _, c := range []struct {
		tag  string
		n    int
		want plural.Form
	}{{"fa", 0, plural.One}, {"fa", 1, plural.One}, {"fa", 2, plural.Other}, {"ps", 0, plural.Other}, {"ps", 1, plural.One},
		{"ka", 1, plural.One}, {"ka", 0, plural.Other}, {"ka", 21, plural.Other}, {"uk", 1, plural.One}, {"uk", 14, plural.Many}} {
		if f := plural.Cardinal.MatchPlural(language.MustParse(c.tag), c.n, 0, 0, 0, 0); f != c.want {
			t.Errorf("%s %d is %v, want %v", c.tag, c.n, f, c.want)
		}
	}
}

// English may stand in a catalog only where _untranslated says so: the
// fallback is visible in the data and in the report, never silent.
func TestUntranslatedMarked(t *testing.T) {
	en := For("en")
	for _, tag := range Supported() {
		c := For(tag)
		if tag == "en" {
			continue
		}
		for _, k := range Keys() {
			marked := slices.Contains(c.Untranslated(), k)
			same := c.T(k) == en.T(k)
			if c.Plural(k) {
				same = true
				for f, s := range c.Forms(k) {
					if s != en.Forms(k)[f] && s != en.Forms(k)["other"] {
						same = false
					}
				}
			}
			if marked && !same {
				t.Errorf("%s: %q is marked untranslated but is not the English text", tag, k)
			}
			if !marked && same {
				t.Errorf("%s: %q is the English text but not marked _untranslated", tag, k)
			}
		}
	}
}

// Catalogs of non-Latin languages must really be in their script.
func TestCatalogScripts(t *testing.T) {
	scripts := map[string]*unicode.RangeTable{
		"ru": unicode.Cyrillic, "uk": unicode.Cyrillic, "be": unicode.Cyrillic, "tt": unicode.Cyrillic, "ba": unicode.Cyrillic,
		"kk": unicode.Cyrillic, "ky": unicode.Cyrillic, "tg": unicode.Cyrillic, "mk": unicode.Cyrillic, "bg": unicode.Cyrillic,
		"ce": unicode.Cyrillic, "ka": unicode.Georgian, "hy": unicode.Armenian,
		"fa-IR": unicode.Arabic, "fa-AF": unicode.Arabic, "ps": unicode.Arabic,
	}
	for tag, script := range scripts {
		c := For(tag)
		for _, k := range Keys() {
			if slices.Contains(c.Untranslated(), k) {
				continue
			}
			texts := []string{c.T(k)}
			if c.Plural(k) {
				texts = texts[:0]
				for _, s := range c.Forms(k) {
					texts = append(texts, s)
				}
			}
			for _, s := range texts {
				if !strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(script, r) }) {
					t.Errorf("%s %q = %q is not in the expected script", tag, k, s)
				}
			}
		}
	}
}

func TestLookup(t *testing.T) {
	for tag, want := range map[string]string{
		"fa-IR": "fa-IR", "fa": "fa-IR", "fa-AF": "fa-AF", "FA-af": "fa-AF", "ru": "ru", "UK": "uk", "ka_GE": "ka",
		"sr-Latn-RS": "sr-Latn", "sr": "sr-Latn", "ro": "ro-MD", "ro-MD": "ro-MD", "ps-AF": "ps", "crh-Latn": "crh",
		"uz-Latn-UZ": "uz", "en-GB": "en", "az-Latn": "az", "bs-Latn-BA": "bs",
		"de": "en", "": "en", "zz-Latn-XX": "en", "1234": "en", "-": "en",
	} {
		if got := For(tag).Tag(); got != want {
			t.Errorf("For(%q) = %q, want %q", tag, got, want)
		}
	}
	if _, ok := Default().Lookup("de"); ok {
		t.Error("Lookup(de) found a catalog")
	}
}

func TestMessages(t *testing.T) {
	if got := For("ru").T("no such key"); got != "no such key" {
		t.Errorf("unknown key gave %q", got)
	}
	if got := For("de").Tf(PageOf, 2, 5); got != "Page 2 of 5" {
		t.Errorf("Tf = %q", got)
	}
	if got := For("fa-IR").Tf(PageOf, 2, 15); got != "صفحهٔ ۲ از ۱۵" {
		t.Errorf("fa Tf = %q", got)
	}
	if got := For("en").Tf(PageOf, 1, 1500); got != "Page 1 of 1,500" {
		t.Errorf("en Tf = %q", got)
	}
	if got := For("en").T(MinutesAgo); got != MinutesAgo {
		t.Errorf("T of a plural key = %q, want the key", got)
	}
	if got := For("en").N(Archive, 2); got != Archive {
		t.Errorf("N of a plain key = %q, want the key", got)
	}
	if got := For("en").Tf(By, "A"); got != "By A" {
		t.Errorf("Tf(By) = %q", got)
	}
}

func TestLoadRejects(t *testing.T) {
	ref, _ := parseCatalog("en", []byte(`{"a": "A %s", "n": {"one": "%d x", "other": "%d xs"}}`))
	for name, raw := range map[string]string{
		"missing key":                 `{"n": {"one": "%d x", "other": "%d xs"}}`,
		"extra key":                   `{"a": "A %s", "b": "B", "n": {"one": "%d x", "other": "%d xs"}}`,
		"verbs":                       `{"a": "A", "n": {"one": "%d x", "other": "%d xs"}}`,
		"missing form":                `{"a": "A %s", "n": {"one": "%d x", "few": "%d xs", "other": "%d xs"}}`,
		"plain for n":                 `{"a": "A %s", "n": "%d xs"}`,
		"unknown entry":               `{"a": "A %s", "n": {"one": "%d x", "other": "%d xs"}, "_untranslated": ["zz"]}`,
		"unknown unreviewed":          `{"a": "A %s", "n": {"one": "%d x", "other": "%d xs"}, "_unreviewed": ["zz"]}`,
		"untranslated and unreviewed": `{"a": "A %s", "n": {"one": "%d x", "other": "%d xs"}, "_untranslated": ["a"], "_unreviewed": ["a"]}`,
	} {
		c, err := parseCatalog("ru", []byte(raw))
		if err != nil {
			continue
		}
		if errs := c.checkAgainst(ref); len(errs) == 0 {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := parseCatalog("ru", []byte(`{"a": {"several": "x"}}`)); err == nil {
		t.Error("unknown plural form accepted")
	}
	if _, err := parseCatalog("ru", []byte(`{"_draft": true}`)); err == nil {
		t.Error("unknown _ field accepted")
	}
}

// A translation awaiting review is a translation: the catalog keeps it,
// sorted, for the report.
func TestUnreviewedParsed(t *testing.T) {
	ref, _ := parseCatalog("en", []byte(`{"a": "A %s", "n": {"one": "%d x", "other": "%d xs"}}`))
	c, err := parseCatalog("ky", []byte(`{"a": "Б %s", "n": {"one": "%d ы", "other": "%d ы"}, "_unreviewed": ["n", "a"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if errs := c.checkAgainst(ref); len(errs) > 0 {
		t.Errorf("refused: %q", errs)
	}
	if got := c.Unreviewed(); !slices.Equal(got, []string{"a", "n"}) {
		t.Errorf("Unreviewed() = %q", got)
	}
}
