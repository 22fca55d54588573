package i18n

import (
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones under test, whatever the machine has
	"unicode"
)

// when is 5 Azar 1405, 09:05 UTC.
var when = time.Date(2026, time.November, 26, 9, 5, 0, 0, time.UTC)

func TestDate(t *testing.T) {
	for tag, want := range map[string]string{
		"en":      "26 November 2026",
		"ru":      "26 ноября 2026 г.", // genitive month; CLDR's long pattern carries "г."
		"uk":      "26 листопада 2026 р.",
		"fa-IR":   "۵ آذر ۱۴۰۵",
		"fa-AF":   "۵ قوس ۱۴۰۵",
		"ps":      "د ۱۴۰۵ د لیندۍ ۵",
		"ka":      "26 ნოემბერი, 2026",
		"hy":      "26 նոյեմբերի, 2026 թ.",
		"hu":      "2026. november 26.",
		"kk":      "2026 ж. 26 қараша",
		"sr-Latn": "26. novembar 2026.",
		"ba":      "26 ноябрь, 2026 й.",
		"ce":      "2026 ноябрь 26",
		"av":      "26 ноябрь 2026",
		"crh":     "26 noyabr 2026",
	} {
		if got := For(tag).Formatter().Date(when); got != want {
			t.Errorf("%s Date = %q, want %q", tag, got, want)
		}
	}
}

func TestDateAfghanMonths(t *testing.T) {
	// Dari names the months after the zodiac, Iran's Persian does not.
	dari := []string{"حمل", "ثور", "جوزا", "سرطان", "اسد", "سنبله", "میزان", "عقرب", "قوس", "جدی", "دلو", "حوت"}
	iran := []string{"فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"}
	for m := 1; m <= 12; m++ {
		y, gm, d, _ := FromJalali(1405, m, 10)
		day := time.Date(y, gm, d, 12, 0, 0, 0, time.UTC)
		if got := For("fa-AF").Formatter().Date(day); !strings.Contains(got, dari[m-1]) {
			t.Errorf("fa-AF month %d: %q", m, got)
		}
		if got := For("fa-IR").Formatter().Date(day); !strings.Contains(got, iran[m-1]) || strings.Contains(got, dari[m-1]+" ") {
			t.Errorf("fa-IR month %d: %q", m, got)
		}
	}
}

func TestWithGregorian(t *testing.T) {
	f := For("fa-IR").Formatter().WithGregorian(true)
	if got, want := f.Date(when), "۵ آذر ۱۴۰۵ (۲۶ نوامبر ۲۰۲۶)"; got != want {
		t.Errorf("fa-IR = %q, want %q", got, want)
	}
	if got, want := For("fa-AF").Formatter().WithGregorian(true).Date(when), "۵ قوس ۱۴۰۵ (۲۶ نومبر ۲۰۲۶)"; got != want {
		t.Errorf("fa-AF = %q, want %q", got, want)
	}
	// A Gregorian language has nothing to add.
	if got := For("ru").Formatter().WithGregorian(true).Date(when); got != "26 ноября 2026 г." {
		t.Errorf("ru = %q", got)
	}
	if For("fa-IR").Formatter().Date(when) != "۵ آذر ۱۴۰۵" {
		t.Error("WithGregorian changed the original")
	}
}

func TestTimeAndZone(t *testing.T) {
	tehran, _ := time.LoadLocation("Asia/Tehran")
	kabul, _ := time.LoadLocation("Asia/Kabul")
	moscow, _ := time.LoadLocation("Europe/Moscow")
	late := time.Date(2026, time.November, 26, 21, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		tag      string
		loc      *time.Location
		datetime string
	}{
		{"en", time.UTC, "26 November 2026, 9:00 pm"},
		{"ru", moscow, "27 ноября 2026 г., 00:00"},
		{"fa-IR", tehran, "۶ آذر ۱۴۰۵،\u200f ۰:۳۰"}, // +03:30: already 27 November, 6 Azar
		{"fa-AF", kabul, "۶ قوس ۱۴۰۵،\u200f ۱:۳۰"},  // +04:30
		{"ka", time.UTC, "26 ნოემბერი, 2026, 21:00"},
		{"ba", time.UTC, "26 ноябрь, 2026 й., 21:00"},
	} {
		if got := For(c.tag).Formatter().In(c.loc).DateTime(late); got != c.datetime {
			t.Errorf("%s DateTime = %q, want %q", c.tag, got, c.datetime)
		}
	}
	if got := For("fa-IR").Formatter().In(tehran).Time(when); got != "۱۲:۳۵" {
		t.Errorf("fa-IR Time = %q", got)
	}
}

// Every catalog's Formatter writes every month, in its own digits.
func TestFormatterEveryLanguage(t *testing.T) {
	for _, tag := range Supported() {
		f := For(tag).Formatter()
		latin := f.d.digits[0] == "0"
		seen := map[string]bool{}
		for m := 1; m <= 12; m++ {
			day := time.Date(2026, time.Month(m), 15, 14, 7, 0, 0, time.UTC)
			for _, s := range []string{f.Date(day), f.Time(day), f.DateTime(day), f.WithGregorian(true).Date(day)} {
				if s == "" || strings.ContainsAny(s, "{}'") {
					t.Errorf("%s: %q", tag, s)
				}
				if !latin && strings.ContainsAny(s, "0123456789") {
					t.Errorf("%s: ASCII digits in %q", tag, s)
				}
			}
			seen[f.Date(day)] = true
		}
		if len(seen) != 12 {
			t.Errorf("%s: %d distinct dates for 12 months", tag, len(seen))
		}
	}
}

func TestNumber(t *testing.T) {
	for _, c := range []struct {
		tag  string
		n    int
		want string
	}{
		{"en", 0, "0"}, {"en", 999, "999"}, {"en", 1234, "1,234"}, {"en", 1234567, "1,234,567"}, {"en", -5000, "-5,000"},
		{"ru", 1234, "1\u00a0234"}, {"hu", 1234, "1234"}, {"hu", 12345, "12\u00a0345"}, // minimum grouping 2
		{"bg", 1234, "1234"}, {"ka", 100000, "100\u00a0000"}, {"sr-Latn", 1234, "1.234"},
		{"fa-IR", 12345, "۱۲٬۳۴۵"}, {"fa-AF", 7, "۷"}, {"ps", 1405, "۱٬۴۰۵"},
	} {
		if got := For(c.tag).Formatter().Number(c.n); got != c.want {
			t.Errorf("%s Number(%d) = %q, want %q", c.tag, c.n, got, c.want)
		}
	}
	if got := For("fa-IR").Formatter().Digits("10:45"); got != "۱۰:۴۵" {
		t.Errorf("Digits = %q", got)
	}
}

func TestList(t *testing.T) {
	three := []string{"Reuters", "AP", "AFP"}
	for _, c := range []struct {
		tag   string
		items []string
		want  string
	}{
		{"en", nil, ""},
		{"en", []string{"Reuters"}, "Reuters"},
		{"en", []string{"Reuters", "AP"}, "Reuters and AP"},
		{"en", three, "Reuters, AP and AFP"},
		{"en", []string{"A", "B", "C", "D"}, "A, B, C and D"},
		{"ru", three, "Reuters, AP и AFP"},
		{"uk", three, "Reuters, AP і AFP"},
		{"fa-IR", []string{"رویترز", "آسوشیتدپرس"}, "رویترز و آسوشیتدپرس"},
		{"fa-IR", []string{"رویترز", "آسوشیتدپرس", "خبرگزاری فرانسه"}, "رویترز،\u200f آسوشیتدپرس، و خبرگزاری فرانسه"},
		{"ka", []string{"A", "B"}, "A და B"},
		{"ka", three, "Reuters, AP და AFP"},
		{"kk", []string{"A", "B"}, "A және B"},
		{"kk", three, "Reuters, AP, AFP"}, // CLDR: Kazakh lists of three or more take no conjunction
		{"hu", three, "Reuters, AP és AFP"},
		{"crh", three, "Reuters, AP ve AFP"},
	} {
		if got := For(c.tag).List(c.items); got != c.want {
			t.Errorf("%s List(%q) = %q, want %q", c.tag, c.items, got, c.want)
		}
	}
	if got := For("en").Formatter().ListPieces(3); !slices.Equal(got, []string{"", ", ", " and ", ""}) {
		t.Errorf("ListPieces(3) = %q", got)
	}
	if got := For("en").Formatter().ListPieces(0); !slices.Equal(got, []string{""}) {
		t.Errorf("ListPieces(0) = %q", got)
	}
	// An item that looks like a pattern placeholder stays as it is.
	if got := For("en").List([]string{"{1}", "{0}"}); got != "{1} and {0}" {
		t.Errorf("List of braces = %q", got)
	}
}

func TestQuote(t *testing.T) {
	for tag, want := range map[string]string{"en": "“x”", "ru": "«x»", "ka": "„x“", "hu": "„x”", "fa-IR": "«x»", "de": "“x”"} {
		if got := For(tag).Formatter().Quote("x"); got != want {
			t.Errorf("%s Quote = %q, want %q", tag, got, want)
		}
	}
}

func TestAgo(t *testing.T) {
	now := when
	for _, c := range []struct {
		tag  string
		d    time.Duration
		want string
	}{
		{"en", 10 * time.Second, "just now"},
		{"en", time.Minute, "1 minute ago"},
		{"en", 5*time.Minute + 59*time.Second, "5 minutes ago"},
		{"en", time.Hour, "1 hour ago"},
		{"en", 3 * 24 * time.Hour, "3 days ago"},
		{"en", 8 * 24 * time.Hour, "18 November 2026"},
		{"en", -time.Hour, "26 November 2026"},
		{"ru", 21 * time.Minute, "21 минуту назад"},
		{"ru", 2 * time.Hour, "2 часа назад"},
		{"ru", 5 * 24 * time.Hour, "5 дней назад"},
		{"fa-IR", 5 * time.Minute, "۵ دقیقه پیش"},
		{"ka", 3 * time.Hour, "3 საათის წინ"},
		{"uk", 0, "зараз"},
	} {
		if got := For(c.tag).Formatter().Ago(now, now.Add(-c.d)); got != c.want {
			t.Errorf("%s Ago(%v) = %q, want %q", c.tag, c.d, got, c.want)
		}
	}
}

func TestFormatPattern(t *testing.T) {
	f := dateFields{year: 2026, month: 11, day: 6, hour: 0, minute: 5, months: []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "ноября", "12"}}
	for pattern, want := range map[string]string{
		"d MMMM y 'г'.":  "6 ноября 2026 г.",
		"dd.MM.yy":       "06.11.26",
		"y-'ж'., d-MMMM": "2026-ж., 6-ноября",
		"h:mm a":         "12:05 AM",
		"HH:mm":          "00:05",
		"'o''clock' H":   "o'clock 0",
		"''d":            "'6",
		"EEEE":           "EEEE",
	} {
		if got := formatPattern(pattern, f); got != want {
			t.Errorf("formatPattern(%q) = %q, want %q", pattern, got, want)
		}
	}
	if got := glue("{1}, {0}", "time", "date"); got != "date, time" {
		t.Errorf("glue = %q", got)
	}
	if got := glue("{0} {x} {9} {", "a"); got != "a {x} {9} {" {
		t.Errorf("glue = %q", got)
	}
}

// Non-Latin digits must not leave ASCII ones in catalog messages either.
func TestMessageDigits(t *testing.T) {
	for _, tag := range []string{"fa-IR", "fa-AF", "ps"} {
		s := For(tag).Tf(PageOf, 3, 12) + For(tag).N(DaysAgo, 3)
		if strings.ContainsFunc(s, func(r rune) bool { return r < unicode.MaxASCII && unicode.IsDigit(r) }) {
			t.Errorf("%s: %q", tag, s)
		}
	}
}
