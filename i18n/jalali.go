package i18n

import "time"

// The Solar Hijri (Jalali) calendar of Iran and Afghanistan. A year starts
// at Nowruz, the day of the March equinox as seen in Tehran; months 1-6
// have 31 days, 7-11 have 30 and Esfand has 29, or 30 in a leap year.
//
// The astronomical rule is approximated by the break-year table of
// Borkowski's algorithm, as used by jalaali-js and github.com/jalaali/go-jalaali:
// leap years follow a 33-year cycle that is re-anchored at each break year.
// It agrees with the Iranian calendar's published tables for at least
// 1178-1633 AP (1799-2254 CE), far beyond anything a newsroom dates. The
// algorithm is small, so it is owned here rather than imported; the tests
// check it against published Nowruz dates and round-trip every day.

// jalaliBreaks are the years at which the 33-year cycle restarts.
var jalaliBreaks = [...]int{-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210,
	1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178}

// JalaliMinYear and JalaliMaxYear bound the years the conversion covers.
const (
	JalaliMinYear = -61
	JalaliMaxYear = 3177
)

// jalaliYear returns, for Jalali year jy, the Gregorian year in which it
// starts, the day of March of its first day, and the years since its last
// leap year (0: jy itself is leap).
func jalaliYear(jy int) (gy, march, sinceLeap int) {
	gy = jy + 621
	leapJ := -14
	jp := jalaliBreaks[0]
	var jump int
	for _, jm := range jalaliBreaks[1:] {
		jump = jm - jp
		if jy < jm {
			break
		}
		leapJ += jump/33*8 + jump%33/4
		jp = jm
	}
	n := jy - jp
	// Leap years from AD 621 to the start of jy, in each calendar.
	leapJ += n/33*8 + (n%33+3)/4
	if jump%33 == 4 && jump-n == 4 {
		leapJ++
	}
	leapG := gy/4 - (gy/100+1)*3/4 - 150
	march = 20 + leapJ - leapG
	if jump-n < 6 {
		n = n - jump + (jump+4)/33*33
	}
	sinceLeap = ((n+1)%33 - 1) % 4
	if sinceLeap == -1 {
		sinceLeap = 4
	}
	return gy, march, sinceLeap
}

// JalaliLeap reports whether Jalali year jy has 366 days (30 Esfand).
func JalaliLeap(jy int) bool {
	_, _, s := jalaliYear(jy)
	return s == 0
}

// Nowruz returns the Gregorian date of 1 Farvardin of Jalali year jy.
func Nowruz(jy int) (year int, month time.Month, day int) {
	gy, march, _ := jalaliYear(jy)
	return gy, time.March, march
}

// ToJalali converts a Gregorian date to the Solar Hijri calendar. Out of
// range years give jy 0 and ok false.
func ToJalali(year int, month time.Month, day int) (jy, jm, jd int, ok bool) {
	t := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	gy := t.Year()
	jy = gy - 621
	if jy-1 < JalaliMinYear || jy > JalaliMaxYear {
		return 0, 0, 0, false
	}
	_, march, sinceLeap := jalaliYear(jy)
	k := days(t.Sub(time.Date(gy, time.March, march, 0, 0, 0, 0, time.UTC)))
	if k >= 0 {
		if k <= 185 {
			return jy, 1 + k/31, k%31 + 1, true
		}
		k -= 186
	} else {
		// Before Nowruz: the last months of the previous year, which has
		// 30 days of Esfand when it was leap (this year is one past it).
		jy--
		k += 179
		if sinceLeap == 1 {
			k++
		}
	}
	return jy, 7 + k/30, k%30 + 1, true
}

// FromJalali converts a Solar Hijri date to the Gregorian calendar. Days
// past the month's end roll over, as time.Date's do.
func FromJalali(jy, jm, jd int) (year int, month time.Month, day int, ok bool) {
	if jy < JalaliMinYear || jy > JalaliMaxYear {
		return 0, 0, 0, false
	}
	gy, march, _ := jalaliYear(jy)
	// Days before month jm: 31 each for months 1-6, 30 after.
	before := (jm-1)*31 - jm/7*(jm-7)
	t := time.Date(gy, time.March, march+before+jd-1, 0, 0, 0, 0, time.UTC)
	return t.Year(), t.Month(), t.Day(), true
}

// days converts a whole number of days to an int, exactly: both ends are
// UTC midnights.
func days(d time.Duration) int { return int(d / (24 * time.Hour)) }
