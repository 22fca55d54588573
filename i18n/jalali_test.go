package i18n

import (
	"testing"
	"time"
)

// Nowruz (1 Farvardin) as published in the Iranian calendar tables (the
// Calendar Centre of the Geophysics Institute, University of Tehran): the
// day of the March equinox when it falls before noon in Tehran, else the
// next day.
var nowruz = []struct {
	jy   int
	date string
}{
	{1354, "1975-03-21"}, {1358, "1979-03-21"}, {1375, "1996-03-20"}, {1387, "2008-03-20"}, {1388, "2009-03-21"},
	{1391, "2012-03-20"}, {1392, "2013-03-21"},
	{1395, "2016-03-20"}, {1396, "2017-03-21"}, {1397, "2018-03-21"}, {1398, "2019-03-21"},
	{1399, "2020-03-20"}, {1400, "2021-03-21"}, {1401, "2022-03-21"}, {1402, "2023-03-21"},
	{1403, "2024-03-20"}, {1404, "2025-03-21"}, {1405, "2026-03-21"}, {1406, "2027-03-21"},
	{1407, "2028-03-20"}, {1408, "2029-03-20"}, {1409, "2030-03-21"},
}

func TestNowruz(t *testing.T) {
	for _, c := range nowruz {
		y, m, d := Nowruz(c.jy)
		if got := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly); got != c.date {
			t.Errorf("Nowruz %d = %s, want %s", c.jy, got, c.date)
		}
		want, _ := time.Parse(time.DateOnly, c.date)
		if jy, jm, jd, ok := ToJalali(want.Year(), want.Month(), want.Day()); !ok || jy != c.jy || jm != 1 || jd != 1 {
			t.Errorf("%s = %d/%d/%d, want %d/1/1", c.date, jy, jm, jd, c.jy)
		}
	}
}

func TestJalaliLeap(t *testing.T) {
	// 1399 and 1403 are leap (30 Esfand exists); 1407 is not, 1408 is:
	// the 33-year cycle's five-year gap.
	leap := map[int]bool{1387: true, 1391: true, 1395: true, 1399: true, 1403: true, 1408: true, 1412: true}
	for jy := 1385; jy <= 1412; jy++ {
		if JalaliLeap(jy) != leap[jy] {
			t.Errorf("JalaliLeap(%d) = %v", jy, !leap[jy])
		}
	}
}

func TestJalaliVectors(t *testing.T) {
	for _, c := range []struct {
		greg       string
		jy, jm, jd int
	}{
		{"2026-11-26", 1405, 9, 5},   // 5 Azar 1405
		{"1979-02-11", 1357, 11, 22}, // 22 Bahman 1357, the revolution's anniversary
		{"1979-04-01", 1358, 1, 12},  // 12 Farvardin 1358
		{"2021-03-20", 1399, 12, 30}, // 30 Esfand of the leap year 1399
		{"2025-03-20", 1403, 12, 30}, // 30 Esfand of the leap year 1403
		{"2026-03-20", 1404, 12, 29}, // 29 Esfand: 1404 is not leap
		{"2024-02-29", 1402, 12, 10}, // a Gregorian leap day
		{"2024-03-19", 1402, 12, 29}, // the eve of Nowruz 1403
		{"2023-12-22", 1402, 10, 1},  // 1 Dey 1402
		{"2024-12-21", 1403, 10, 1},  // 1 Dey 1403
		{"2024-09-22", 1403, 7, 1},   // 1 Mehr: the first 30-day month
		{"2024-09-21", 1403, 6, 31},  // 31 Shahrivar
		{"2000-01-01", 1378, 10, 11},
		{"1921-03-21", 1300, 1, 1},
	} {
		g, _ := time.Parse(time.DateOnly, c.greg)
		jy, jm, jd, ok := ToJalali(g.Year(), g.Month(), g.Day())
		if !ok || jy != c.jy || jm != c.jm || jd != c.jd {
			t.Errorf("ToJalali(%s) = %d/%d/%d, want %d/%d/%d", c.greg, jy, jm, jd, c.jy, c.jm, c.jd)
		}
		y, m, d, ok := FromJalali(c.jy, c.jm, c.jd)
		if got := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly); !ok || got != c.greg {
			t.Errorf("FromJalali(%d/%d/%d) = %s, want %s", c.jy, c.jm, c.jd, got, c.greg)
		}
	}
}

// TestJalaliEveryDay walks every day from 1 Farvardin 1300 to the end of
// 1500 and checks the calendar's shape: days follow each other, months
// have 31 (1-6), 30 (7-11) or 29/30 days, Esfand has 30 exactly in leap
// years, and FromJalali undoes ToJalali.
func TestJalaliEveryDay(t *testing.T) {
	y, m, d, _ := FromJalali(1300, 1, 1)
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	py, pm, pd := 1299, 12, 29 // 1299 is not leap
	for {
		jy, jm, jd, ok := ToJalali(day.Year(), day.Month(), day.Day())
		if !ok {
			t.Fatalf("ToJalali(%s) failed", day.Format(time.DateOnly))
		}
		if jy > 1500 {
			break
		}
		switch {
		case jy == py && jm == pm && jd == pd+1:
		case jy == py && jm == pm+1 && jd == 1:
			if want := monthLength(py, pm); pd != want {
				t.Fatalf("%d/%d had %d days, want %d", py, pm, pd, want)
			}
		case jy == py+1 && jm == 1 && jd == 1 && pm == 12:
			if want := monthLength(py, 12); pd != want {
				t.Fatalf("Esfand %d had %d days, want %d", py, pd, want)
			}
		default:
			t.Fatalf("%s is %d/%d/%d after %d/%d/%d", day.Format(time.DateOnly), jy, jm, jd, py, pm, pd)
		}
		gy, gm, gd, _ := FromJalali(jy, jm, jd)
		if gy != day.Year() || gm != day.Month() || gd != day.Day() {
			t.Fatalf("round trip of %s gave %d-%d-%d", day.Format(time.DateOnly), gy, gm, gd)
		}
		py, pm, pd = jy, jm, jd
		day = day.AddDate(0, 0, 1)
	}
}

func monthLength(jy, jm int) int {
	switch {
	case jm <= 6:
		return 31
	case jm <= 11:
		return 30
	case JalaliLeap(jy):
		return 30
	}
	return 29
}

func TestJalaliRange(t *testing.T) {
	if _, _, _, ok := ToJalali(4000, time.January, 1); ok {
		t.Error("year 4000 converted")
	}
	if _, _, _, ok := FromJalali(JalaliMaxYear+1, 1, 1); ok {
		t.Error("year past the table converted")
	}
	if _, _, _, ok := ToJalali(2026, time.November, 26); !ok {
		t.Error("2026 not converted")
	}
}
