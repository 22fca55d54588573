package desk

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones under test, whatever the machine has

	"github.com/kolokol/kolokol"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func TestShowTime(t *testing.T) {
	at := time.Date(2026, 11, 30, 10, 35, 0, 0, time.UTC)
	for _, tc := range []struct {
		zone string
		at   time.Time
		want string
	}{
		{"UTC", at, "30 Nov 2026, 10:35 UTC"},
		{"Etc/UTC", at, "30 Nov 2026, 10:35 UTC"},
		{"Asia/Tehran", at, "30 Nov 2026, 14:05 Tehran (UTC+03:30)"},
		{"America/New_York", at, "30 Nov 2026, 05:35 New York (UTC-05:00)"},
		{"America/New_York", time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC), "1 Jul 2026, 08:00 New York (UTC-04:00)"},
		{"Europe/Kyiv", time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC), "1 Jul 2026, 15:00 Kyiv (UTC+03:00)"},
		{"Asia/Kathmandu", at, "30 Nov 2026, 16:20 Kathmandu (UTC+05:45)"},
		{"America/Argentina/Buenos_Aires", at, "30 Nov 2026, 07:35 Buenos Aires (UTC-03:00)"},
	} {
		if got := ShowTime(tc.at, zone(t, tc.zone)); got != tc.want {
			t.Errorf("ShowTime(%s, %s) = %q, want %q", tc.at, tc.zone, got, tc.want)
		}
	}
	if got := ShowTime(at, nil); got != "30 Nov 2026, 10:35 UTC" {
		t.Errorf("ShowTime with no zone = %q, want UTC", got)
	}
}

func TestReadLocal(t *testing.T) {
	for _, tc := range []struct {
		name, zone, in string
		want           time.Time // UTC; zero: refused
		twice          time.Time // the second instant of a wall time shown twice
		err            string    // in the refusal
	}{
		{name: "plain", zone: "Asia/Tehran", in: "2026-11-30T09:00", want: time.Date(2026, 11, 30, 5, 30, 0, 0, time.UTC)},
		{name: "seconds", zone: "UTC", in: "2026-11-30T09:00:00", want: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)},
		{name: "spaces around", zone: "Europe/Kyiv", in: " 2026-12-01T09:30 ", want: time.Date(2026, 12, 1, 7, 30, 0, 0, time.UTC)},
		{name: "kyiv summer", zone: "Europe/Kyiv", in: "2026-07-01T09:30", want: time.Date(2026, 7, 1, 6, 30, 0, 0, time.UTC)},
		{name: "kyiv gap", zone: "Europe/Kyiv", in: "2026-03-29T03:30",
			err: "29 Mar 2026, 03:30 does not exist in Kyiv: the clocks go forward that night (UTC+02:00 to UTC+03:00)"},
		{name: "kyiv just after gap", zone: "Europe/Kyiv", in: "2026-03-29T04:00", want: time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)},
		{name: "kyiv overlap", zone: "Europe/Kyiv", in: "2026-10-25T03:30",
			want: time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), twice: time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)},
		{name: "new york gap", zone: "America/New_York", in: "2026-03-08T02:15",
			err: "8 Mar 2026, 02:15 does not exist in New York: the clocks go forward that night (UTC-05:00 to UTC-04:00)"},
		{name: "new york overlap", zone: "America/New_York", in: "2026-11-01T01:30",
			want: time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), twice: time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC)},
		{name: "new york after overlap", zone: "America/New_York", in: "2026-11-01T02:00", want: time.Date(2026, 11, 1, 7, 0, 0, 0, time.UTC)},
		{name: "empty", zone: "UTC", in: "", err: "give the time to publish"},
		{name: "words", zone: "UTC", in: "tomorrow at nine", err: `"tomorrow at nine" is not a date and time`},
		{name: "no such day", zone: "UTC", in: "2026-02-30T09:00", err: "is not a date and time"},
		{name: "a zone in it", zone: "UTC", in: "2026-11-30T09:00Z", err: "is not a date and time"},
		{name: "year", zone: "UTC", in: "0026-11-30T09:00", err: "is not a year"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loc := zone(t, tc.zone)
			got, err := ReadLocal(tc.in, loc)
			if tc.err != "" {
				if err == nil || !strings.Contains(kolokol.ErrorMessage(err), tc.err) || kolokol.ErrorField(err) != "at" {
					t.Fatalf("ReadLocal(%q) = %v, %v; want a refusal of field at saying %q", tc.in, got.Time, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadLocal(%q): %v", tc.in, err)
			}
			if !got.Time.Equal(tc.want) || got.Time.Location() != loc {
				t.Errorf("ReadLocal(%q) = %v, want %v in %s", tc.in, got.Time, tc.want, tc.zone)
			}
			if got.Twice != !tc.twice.IsZero() || (got.Twice && !got.Later.Equal(tc.twice)) {
				t.Errorf("ReadLocal(%q): twice %t (%v), want %v", tc.in, got.Twice, got.Later, tc.twice)
			}
			if note := got.TwiceNote(); got.Twice != (note != "") {
				t.Errorf("ReadLocal(%q): note %q with twice %t", tc.in, note, got.Twice)
			}
		})
	}
}

func TestTwiceNote(t *testing.T) {
	got, err := ReadLocal("2026-11-01T01:30", zone(t, "America/New_York"))
	if err != nil {
		t.Fatal(err)
	}
	want := "1 Nov 2026, 01:30 happens twice in New York (the clocks go back that night): this is the first, UTC-04:00, not the second, UTC-05:00"
	if note := got.TwiceNote(); note != want {
		t.Errorf("note = %q, want %q", note, want)
	}
}

func TestCheckZone(t *testing.T) {
	for _, tc := range []struct {
		zone string
		ok   bool
	}{
		{"", true}, {"UTC", true}, {"Asia/Tehran", true}, {"Europe/Kyiv", true}, {"America/New_York", true},
		{"Local", false}, {"Mars/Olympus", false}, {"asia/tehran x", false}, {"../../etc/passwd", false}, {"+03:30", false},
	} {
		err := kolokol.CheckZone("zone", tc.zone)
		if (err == nil) != tc.ok {
			t.Errorf("CheckZone(%q) = %v, want ok %t", tc.zone, err, tc.ok)
		}
		if err != nil && (kolokol.ErrorField(err) != "zone" || !strings.Contains(kolokol.ErrorMessage(err), tc.zone)) {
			t.Errorf("CheckZone(%q) = %v: want the field and the zone named", tc.zone, err)
		}
	}
}

// A time that has passed is refused in the zone it was read in, so that
// the person sees which time the desk understood.
func TestSchedulePastNamesTheZone(t *testing.T) {
	f := newFixture(t)
	a := f.story(t, kolokol.StatusDraft, false)
	at, err := ReadLocal("2026-11-30T11:00", zone(t, "Europe/Moscow")) // 08:00 UTC; the fixture's clock is at 09:00 UTC
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.d.Schedule(t.Context(), editorRU, a.ID, at.Time)
	want := "30 Nov 2026, 11:00 Moscow (UTC+03:00) has already passed"
	if kolokol.ErrorField(err) != "at" || !strings.Contains(kolokol.ErrorMessage(err), want) {
		t.Fatalf("schedule in the past: %v, want the field at and %q", err, want)
	}
	if got, err := f.d.Article(t.Context(), editorRU, a.ID); err != nil || got.Status != kolokol.StatusDraft || !got.ScheduledAt.IsZero() {
		t.Fatalf("after the refusal the story is %v (%v), want an unscheduled draft", got, err)
	}
}

func TestSetZone(t *testing.T) {
	f := newFixture(t)
	u, _, _ := f.account(t, "zone@example.org", kolokol.RoleReporter, "fa")
	ctx := t.Context()
	if err := f.d.SetZone(ctx, u, " Asia/Tehran "); err != nil {
		t.Fatal(err)
	}
	if got, err := f.store.FindUserByID(ctx, u.ID); err != nil || got.Zone != "Asia/Tehran" {
		t.Fatalf("stored zone %q (%v), want Asia/Tehran", got.Zone, err)
	}
	for _, bad := range []string{"Mars/Olympus", "Local", "UTC+3"} {
		err := f.d.SetZone(ctx, u, bad)
		if kolokol.ErrorCode(err) != kolokol.EINVALID || kolokol.ErrorField(err) != "zone" {
			t.Errorf("SetZone(%q) = %v, want the zone field refused", bad, err)
		}
	}
	if got, err := f.store.FindUserByID(ctx, u.ID); err != nil || got.Zone != "Asia/Tehran" {
		t.Fatalf("after refusals the zone is %q (%v), want Asia/Tehran kept", got.Zone, err)
	}
	if err := f.d.SetZone(ctx, u, ""); err != nil {
		t.Fatalf("back to no choice (UTC): %v", err)
	}
	if got, _ := f.store.FindUserByID(ctx, u.ID); got.Zone != "" {
		t.Fatalf("zone %q after choosing none", got.Zone)
	}
}
