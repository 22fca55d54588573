package render

import (
	"testing"
)

// TestPersianPage checks what the CLDR issue changes on a Persian page:
// Solar Hijri dates in Extended Arabic-Indic digits in Tehran's zone, the
// Persian list pattern in the byline and credits, localized pagination.
func TestPersianPage(t *testing.T) {
	f := newFixture(t)
	doc := parse(t, f.build(t, raw(t, f.fa.Path())).Body)
	tm := first(t, first(t, doc, byAttr("class", "meta"), "meta"), byTag("time"), "published time")
	// 2024-03-01 09:30 UTC is 13:00 in Tehran (+03:30), 11 Esfand 1402.
	if dt, _ := attr(tm, "datetime"); dt != "2024-03-01T13:00:00+03:30" {
		t.Errorf("datetime %q", dt)
	}
	if got, want := textOf(tm), "۱۱ اسفند ۱۴۰۲،\u200f ۱۳:۰۰"; got != want {
		t.Errorf("published %q, want %q", got, want)
	}
	// Localized text is in the page's direction, not forced left-to-right.
	if d, _ := attr(tm, "dir"); d != "auto" {
		t.Errorf("time dir %q", d)
	}
	credits := first(t, doc, byAttr("class", "credits"), "credits")
	if got, want := textOf(credits), "با استفاده از گزارش\u200cهای رویترز و AP"; got != want {
		t.Errorf("credits %q, want %q", got, want)
	}
	if n := len(findAll(credits, byTag("bdi"))); n != 2 {
		t.Errorf("%d isolated credits, want 2", n)
	}

	list := parse(t, f.build(t, "/fa/s/world/").Body)
	pages := first(t, list, byAttr("class", "pages"), "pagination")
	if got, want := textOf(first(t, pages, byTag("span"), "page of")), "صفحهٔ ۱ از ۱"; got != want {
		t.Errorf("page of %q, want %q", got, want)
	}
	item := first(t, first(t, list, byAttr("class", "stories"), "stories"), byTag("time"), "list time")
	if got := textOf(item); got != "۱۱ اسفند ۱۴۰۲،\u200f ۱۳:۰۰" {
		t.Errorf("list time %q", got)
	}
}

// TestEnglishDates: a Gregorian language gets CLDR's pattern and names.
func TestEnglishDates(t *testing.T) {
	f := newFixture(t)
	doc := parse(t, f.build(t, raw(t, f.evil.Path())).Body)
	tm := first(t, first(t, doc, byAttr("class", "meta"), "meta"), byTag("time"), "published time")
	// Europe/London is GMT on 1 March.
	if got, want := textOf(tm), "1 March 2024, 9:30 am"; got != want {
		t.Errorf("published %q, want %q", got, want)
	}
}
