package i18n

import (
	"strconv"
	"strings"
	"time"
)

// Formatter writes dates, times, numbers, lists and quotations the way a
// language does: CLDR's patterns, month names and digits, in the
// language's calendar (Solar Hijri for Persian, Dari and Pashto). A
// Formatter is immutable; In and WithGregorian return changed copies.
type Formatter struct {
	c         *Catalog
	d         *localeData
	loc       *time.Location // nil: each time in its own location
	gregorian bool           // show the Gregorian date alongside another calendar's
}

// In returns a Formatter that shows times in loc, the service's zone
// (kolokol.Service.Location).
func (f *Formatter) In(loc *time.Location) *Formatter {
	g := *f
	g.loc = loc
	return &g
}

// WithGregorian returns a Formatter that, for a language whose calendar is
// not the Gregorian one, adds the Gregorian date after the date, as
// "۵ آذر ۱۴۰۵ (۲۶ نوامبر ۲۰۲۶)". Newsrooms whose readers also live by the
// Gregorian calendar (the diaspora, Afghans abroad) choose it.
func (f *Formatter) WithGregorian(on bool) *Formatter {
	g := *f
	g.gregorian = on
	return &g
}

// Calendar returns "gregorian" or "persian" (CLDR's name for Solar Hijri).
func (f *Formatter) Calendar() string { return f.d.Calendar }

// Tag returns the BCP 47 tag of the formatter's data.
func (f *Formatter) Tag() string { return f.c.tag }

func (f *Formatter) in(t time.Time) time.Time {
	if f.loc != nil {
		return t.In(f.loc)
	}
	return t
}

// Date returns t's long date without the weekday: "26 November 2026",
// "26 ноября 2026 г.", "۵ آذر ۱۴۰۵".
func (f *Formatter) Date(t time.Time) string {
	t = f.in(t)
	if f.d.Calendar != "persian" {
		return f.gregorianDate(t)
	}
	jy, jm, jd, ok := ToJalali(t.Year(), t.Month(), t.Day())
	if !ok {
		// Outside the algorithm's range (before 560 CE or after 3798 CE):
		// no story is dated there, but never show a wrong date.
		return f.gregorianDate(t)
	}
	p := f.d.Persian
	s := f.Digits(formatPattern(p.Date, dateFields{year: jy, month: jm, day: jd, months: p.Months}))
	if f.gregorian {
		s = glue(f.d.Alongside, s, f.gregorianDate(t))
	}
	return s
}

func (f *Formatter) gregorianDate(t time.Time) string {
	if f.d.tr != nil {
		return f.Digits(f.d.tr.FmtDateLong(t))
	}
	g := f.d.Gregorian
	return f.Digits(formatPattern(g.Date, dateFields{year: t.Year(), month: int(t.Month()), day: t.Day(), months: g.Months}))
}

// Time returns t's short time of day, "09:05" or "9:05 am", without the
// zone: pages show times in the service's own zone, and the machine-readable
// <time datetime> carries the offset.
func (f *Formatter) Time(t time.Time) string {
	t = f.in(t)
	if f.d.tr != nil {
		return f.Digits(f.d.tr.FmtTimeShort(t))
	}
	return f.Digits(formatPattern(f.d.Gregorian.Time, dateFields{hour: t.Hour(), minute: t.Minute()}))
}

// DateTime returns the date and the time joined by the language's CLDR
// pattern: "26 November 2026, 9:05 am".
func (f *Formatter) DateTime(t time.Time) string {
	p := f.d.DateTime
	if f.d.Calendar == "persian" && f.d.Persian.DateTime != "" {
		p = f.d.Persian.DateTime
	}
	return glue(p, f.Time(t), f.Date(t))
}

// Digits writes the ASCII digits in s in the language's digits (Extended
// Arabic-Indic ۰-۹ for Persian, Dari and Pashto).
func (f *Formatter) Digits(s string) string {
	if f.d.digits[0] == "0" {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if '0' <= r && r <= '9' {
			b.WriteString(f.d.digits[r-'0'])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Number writes n with the language's digits and group separator: 12,345;
// 12 345; ۱۲٬۳۴۵. Languages whose CLDR minimum grouping is 2 leave four-digit
// numbers whole (1234, 12 345).
func (f *Formatter) Number(n int) string {
	s := strconv.Itoa(n)
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	if len(s) >= 3+f.d.MinGrouping {
		var b strings.Builder
		first := len(s) % 3
		if first == 0 {
			first = 3
		}
		b.WriteString(s[:first])
		for i := first; i < len(s); i += 3 {
			b.WriteString(f.d.Group)
			b.WriteString(s[i : i+3])
		}
		s = b.String()
	}
	return sign + f.Digits(s)
}

// listPlaceholder stands for an item while a list is built, so that the
// pattern literals can be told from the items afterwards.
const listPlaceholder = "\x00"

// ListPieces returns the n+1 literal pieces around n list items: the
// result is pieces[0] item0 pieces[1] item1 ... item(n-1) pieces[n].
// Renderers that wrap each item in markup (<bdi>) use it; the pieces are
// plain text.
func (f *Formatter) ListPieces(n int) []string {
	if n <= 0 {
		return []string{""}
	}
	items := make([]string, n)
	for i := range items {
		items[i] = listPlaceholder
	}
	return strings.Split(f.compose(items), listPlaceholder)
}

// List joins items with the language's CLDR list pattern (the standard,
// "and" type): "A, B and C", "A, B и C", "A،‏ B، و C".
func (f *Formatter) List(items []string) string {
	pieces := f.ListPieces(len(items))
	var b strings.Builder
	for i, it := range items {
		b.WriteString(pieces[i])
		b.WriteString(it)
	}
	b.WriteString(pieces[len(items)])
	return b.String()
}

// compose applies CLDR's list patterns: "2" for two items; for more,
// "start" joins the first to the rest, "middle" each next, "end" the last two.
func (f *Formatter) compose(items []string) string {
	p := f.d.List
	switch n := len(items); n {
	case 1:
		return items[0]
	case 2:
		return glue(p["2"], items[0], items[1])
	default:
		s := glue(p["end"], items[n-2], items[n-1])
		for i := n - 3; i >= 1; i-- {
			s = glue(p["middle"], items[i], s)
		}
		return glue(p["start"], items[0], s)
	}
}

// Quote puts s in the language's quotation marks: “s”, «s», „s“.
func (f *Formatter) Quote(s string) string {
	return f.d.Quotes[0] + s + f.d.Quotes[1]
}

// Ago says how long before now t was, in the largest whole unit up to
// days: "just now", "5 minutes ago", "2 days ago"; a week or more, and
// anything after now, is the date itself. Pages are rendered once and
// served for long, so this is for what is rendered per request (newsroom
// screens, feeds read at once), not for cached reader pages.
func (f *Formatter) Ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 0:
		return f.Date(t)
	case d < time.Minute:
		return f.c.T(JustNow)
	case d < time.Hour:
		return f.c.N(MinutesAgo, int(d/time.Minute))
	case d < 24*time.Hour:
		return f.c.N(HoursAgo, int(d/time.Hour))
	case d < 7*24*time.Hour:
		return f.c.N(DaysAgo, int(d/(24*time.Hour)))
	}
	return f.Date(t)
}
