package render

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// A Persian service shows Solar Hijri dates; with ShowGregorian the
// Gregorian date follows in brackets. Gregorian services are unaffected.
func TestShowGregorian(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	path, _ := url.PathUnescape(f.fa.Path())
	published := func() string {
		body := string(f.build(t, path).Body)
		_, after, _ := strings.Cut(body, `<time datetime="`)
		_, text, _ := strings.Cut(after, ">")
		text, _, _ = strings.Cut(text, "</time>")
		return text
	}
	hijri := published()
	// published0 is 1 March 2024: 11 Esfand 1402.
	if !strings.Contains(hijri, "اسفند") || !strings.Contains(hijri, "۱۴۰۲") || strings.Contains(hijri, "(") {
		t.Fatalf("Solar Hijri date %q", hijri)
	}
	svc, err := f.store.FindServiceByCode(ctx, "fa")
	if err != nil {
		t.Fatal(err)
	}
	svc.ShowGregorian = true
	if err := f.store.UpdateService(ctx, svc); err != nil {
		t.Fatal(err)
	}
	both := published()
	if !strings.HasPrefix(both, hijri[:strings.Index(hijri, "۱۴۰۲")]) || !strings.Contains(both, "(") || !strings.Contains(both, "۲۰۲۴") {
		t.Errorf("with Gregorian: %q (Solar Hijri alone: %q)", both, hijri)
	}
	en, _ := url.PathUnescape(f.evil.Path())
	if body := string(f.build(t, en).Body); strings.Contains(body, "(1 March") {
		t.Error("an English page shows a second calendar")
	}
}
