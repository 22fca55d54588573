package i18n

import (
	"strings"
	"testing"
	"unicode"
)

func TestCatalogsComplete(t *testing.T) {
	keys := Keys()
	if len(keys) == 0 {
		t.Fatal("no keys")
	}
	for _, lang := range LanguageCodes() {
		c := For(lang)
		if c.Lang() != lang {
			t.Fatalf("For(%q) gave %q", lang, c.Lang())
		}
		for _, k := range keys {
			if !c.Has(k) {
				t.Errorf("%s: missing %q", lang, k)
			}
			// Format verbs must match English, or Tf garbles the message.
			if got, want := strings.Count(c.T(k), "%"), strings.Count(en[k], "%"); got != want {
				t.Errorf("%s: %q has %d verbs, English %d", lang, k, got, want)
			}
		}
		if len(c.m) != len(keys) {
			t.Errorf("%s has %d messages, English %d: a key that is not in English", lang, len(c.m), len(keys))
		}
	}
}

// Catalogs of non-Latin languages must really be in their script, not
// copies of the English.
func TestCatalogScripts(t *testing.T) {
	scripts := map[string]*unicode.RangeTable{"ru": unicode.Cyrillic, "uk": unicode.Cyrillic, "fa": unicode.Arabic, "ka": unicode.Georgian}
	for lang, script := range scripts {
		for _, k := range Keys() {
			if k == ListSeparator {
				continue
			}
			if !strings.ContainsFunc(For(lang).T(k), func(r rune) bool { return unicode.Is(script, r) }) {
				t.Errorf("%s %q = %q is not in the expected script", lang, k, For(lang).T(k))
			}
		}
	}
}

func TestFor(t *testing.T) {
	for tag, want := range map[string]string{"fa-IR": "fa", "ru": "ru", "UK": "uk", "ka_GE": "ka", "de": "en", "": "en", "zz-Latn-XX": "en"} {
		if got := For(tag).Lang(); got != want {
			t.Errorf("For(%q) = %q, want %q", tag, got, want)
		}
	}
}

func TestList(t *testing.T) {
	cases := []struct {
		lang  string
		items []string
		want  string
	}{
		{"en", nil, ""},
		{"en", []string{"Reuters"}, "Reuters"},
		{"en", []string{"Reuters", "AP"}, "Reuters and AP"},
		{"en", []string{"Reuters", "AP", "AFP"}, "Reuters, AP and AFP"},
		{"ru", []string{"Reuters", "AP", "AFP"}, "Reuters, AP и AFP"},
		{"fa", []string{"رویترز", "آسوشیتدپرس", "خبرگزاری فرانسه"}, "رویترز، آسوشیتدپرس و خبرگزاری فرانسه"},
		{"ka", []string{"A", "B"}, "A და B"},
	}
	for _, c := range cases {
		if got := For(c.lang).List(c.items); got != c.want {
			t.Errorf("%s List(%q) = %q, want %q", c.lang, c.items, got, c.want)
		}
	}
}

func TestFallback(t *testing.T) {
	if got := For("ru").T("no such key"); got != "no such key" {
		t.Errorf("unknown key gave %q", got)
	}
	if got := For("de").Tf(PageOf, 2, 5); got != "Page 2 of 5" {
		t.Errorf("Tf = %q", got)
	}
}
