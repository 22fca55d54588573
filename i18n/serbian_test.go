package i18n

import "testing"

func TestSerbianLatinToCyrillic(t *testing.T) {
	v, ok := VariantOf("sr-Latn")
	if !ok || v.Tag != "sr-Cyrl" {
		t.Fatal("sr-Latn has no Cyrillic variant")
	}
	for _, tt := range []struct{ in, want string }{
		{"Beograd", "Београд"},
		{"Ljubljana i Njegoš", "Љубљана и Његош"},
		{"LJUDI NJIVE DŽEP", "ЉУДИ ЊИВЕ ЏЕП"},
		{"Đorđe Čolić ćuti, šuma žubori", "Ђорђе Чолић ћути, шума жубори"},
		{"Džemper", "Џемпер"},
		{"Reuters i AFP, 2026.", "Реутерс и АФП, 2026."},
		// Foreign names and addresses stay in Latin whole, never half.
		{"WhatsApp", "WhatsApp"},
		{"Müller i Kafé Beograd", "Müller и Kafé Београд"},
		{"u Tor Browseru: novi", "у Тор Browseru: нови"},
		{"(torproject.org), gettor@torproject.org", "(torproject.org), gettor@torproject.org"},
		{"adresa http://abc.onion/sr/ radi", "адреса http://abc.onion/sr/ ради"},
		{"tj. Beograd", "тј. Београд"},
		{"  dva\n\tReda ", "  два\n\tРеда "},
		{"", ""},
	} {
		if got := v.Transliterate(tt.in); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
		}
		// No word comes out half Latin, half Cyrillic.
		for _, f := range CheckTypography(v.Tag, v.Transliterate(tt.in)) {
			t.Errorf("%q: %s %q", tt.in, f.Rule, f.Text)
		}
	}
	if _, ok := VariantOf("ru"); ok {
		t.Error("Russian has a script variant")
	}
}
