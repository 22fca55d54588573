package desk

import (
	"slices"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
)

func TestServiceChanges(t *testing.T) {
	base := kolokol.Service{Code: "ru", Tag: "ru-RU", Script: "Cyrl", Direction: kolokol.LTR, Name: "Русский",
		EnglishName: "Russian", Brand: "Колокол", TimeZone: "Europe/Moscow", About: "О нас.", Safety: "Советы."}
	for _, c := range []struct {
		name   string
		change func(s *kolokol.Service)
		want   string
	}{
		{"nothing", func(*kolokol.Service) {}, "no change"},
		{"time zone", func(s *kolokol.Service) { s.TimeZone = "Europe/Kaliningrad" }, `time_zone: "Europe/Moscow" → "Europe/Kaliningrad"`},
		{"brand and calendar", func(s *kolokol.Service) { s.Brand, s.ShowGregorian = "Колокол Русский", true },
			`brand: "Колокол" → "Колокол Русский"; show_gregorian: false → true`},
		{"a long text by its length", func(s *kolokol.Service) { s.Safety = strings.Repeat("Совет. ", 100) }, "safety changed (7 → 700 characters)"},
		{"direction", func(s *kolokol.Service) { s.Direction = kolokol.RTL }, `direction: "ltr" → "rtl"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := base
			c.change(&n)
			if got := ServiceChanges(&base, &n); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

// TestServiceUpdateAudited: the audit entry of a settings change says what
// changed.
func TestServiceUpdateAudited(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	tz := "Europe/Kaliningrad"
	if _, err := f.d.UpdateService(ctx, admin, "ru", ServicePatch{TimeZone: &tz}); err != nil {
		t.Fatal(err)
	}
	es := f.audit(t, kolokol.AuditFilter{Action: "service.update"})
	if len(es) != 1 || es[0].Detail != `time_zone: "Europe/Moscow" → "Europe/Kaliningrad"` || es[0].Service != "ru" {
		t.Fatalf("audit: %+v", es)
	}
}

// TestSecurityTxtAudited: the entry of a security.txt change says whether
// it was set, changed or removed, by its lines.
func TestSecurityTxtAudited(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	txt := "Contact: mailto:security@example.org\nExpires: 2027-06-01T00:00:00Z\n"
	for _, v := range []string{txt, txt, ""} {
		if err := f.d.SetSecurityTxt(ctx, admin, v); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, e := range f.audit(t, kolokol.AuditFilter{Action: "settings.security_txt"}) {
		got = append(got, e.Detail)
	}
	if want := []string{"set: 2 lines (were 0)", "no change", "removed"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}
