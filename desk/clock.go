package desk

import (
	"fmt"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
)

// The newsroom shows every time in one zone and names it: a time without
// its zone is how a story goes out an hour (or three and a half) early.

// LocalLayout is how a datetime-local input sends a time: a wall clock
// with no zone.
const LocalLayout = "2006-01-02T15:04"

// ZoneName is the short name of a zone for people: its city ("Tehran",
// "New York", "Buenos Aires"), or "UTC".
func ZoneName(loc *time.Location) string {
	if loc == nil {
		return "UTC"
	}
	name := loc.String()
	switch name {
	case "UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/GMT", "GMT", "Zulu", "Etc/Zulu", "Universal", "Etc/Universal":
		return "UTC"
	}
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return strings.ReplaceAll(name, "_", " ")
}

// Offset is t's offset from UTC in loc, as "UTC+03:30" or "UTC-05:00".
func Offset(t time.Time, loc *time.Location) string {
	_, off := t.In(zoneOrUTC(loc)).Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("UTC%c%02d:%02d", sign, off/3600, off%3600/60)
}

// ShowTime is t as the newsroom shows it: "30 Nov 2026, 14:05 Tehran
// (UTC+03:30)"; in UTC, "30 Nov 2026, 14:05 UTC". The offset is always
// there because a city's offset changes (DST) and the city alone does not
// say which side of the change a time is.
func ShowTime(t time.Time, loc *time.Location) string {
	loc = zoneOrUTC(loc)
	s := t.In(loc).Format("2 Jan 2006, 15:04")
	if name := ZoneName(loc); name != "UTC" {
		return s + " " + name + " (" + Offset(t, loc) + ")"
	}
	return s + " UTC"
}

func zoneOrUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// LocalTime is a wall-clock time read in a zone.
type LocalTime struct {
	Time time.Time // in the zone it was read in
	// Twice is set when the wall clock happens twice that night (clocks
	// going back): Time is the first, Later the second.
	Twice bool
	Later time.Time
}

// ReadLocal reads a datetime-local value ("2026-11-30T09:00") as a wall
// clock in loc. A time the clocks skip (going forward) is refused with
// what the clocks do; a time they show twice (going back) is the first of
// the two, and says so (Twice).
func ReadLocal(value string, loc *time.Location) (LocalTime, error) {
	loc = zoneOrUTC(loc)
	value = strings.TrimSpace(value)
	if value == "" {
		return LocalTime{}, kolokol.FieldErrorf(kolokol.EINVALID, "at", "give the time to publish, as a date and a time")
	}
	// Browsers send seconds when a step asks for them; they add nothing here.
	layout := LocalLayout
	if len(value) == len(LocalLayout)+3 {
		layout += ":05"
	}
	wall, err := time.Parse(layout, value)
	if err != nil {
		return LocalTime{}, kolokol.FieldErrorf(kolokol.EINVALID, "at", "%q is not a date and time: give it as 2026-12-01T09:30 (year-month-day, then hours and minutes)", value)
	}
	if wall.Year() < 2000 || wall.Year() > 9999 {
		return LocalTime{}, kolokol.FieldErrorf(kolokol.EINVALID, "at", "%q is not a year the newsroom schedules in", value)
	}
	var found []time.Time
	for _, off := range offsetsAround(wall, loc) {
		t := wall.Add(-time.Duration(off) * time.Second).In(loc)
		if sameWall(t, wall) && !contains(found, t) {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		before := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), 0, 0, loc)
		return LocalTime{}, kolokol.FieldErrorf(kolokol.EINVALID, "at",
			"%s does not exist in %s: the clocks go forward that night (%s to %s); choose another time",
			wall.Format("2 Jan 2006, 15:04"), ZoneName(loc), Offset(before.Add(-24*time.Hour), loc), Offset(before.Add(24*time.Hour), loc))
	case 1:
		return LocalTime{Time: found[0]}, nil
	}
	first, later := found[0], found[1]
	if later.Before(first) {
		first, later = later, first
	}
	return LocalTime{Time: first, Twice: true, Later: later}, nil
}

// TwiceNote says which of a wall time's two instants was taken, when the
// clocks go back.
func (l LocalTime) TwiceNote() string {
	if !l.Twice {
		return ""
	}
	loc := l.Time.Location()
	return fmt.Sprintf("%s happens twice in %s (the clocks go back that night): this is the first, %s, not the second, %s",
		l.Time.Format("2 Jan 2006, 15:04"), ZoneName(loc), Offset(l.Time, loc), Offset(l.Later, loc))
}

// offsetsAround is the zone's offsets (in seconds) a day either side of
// wall: a change of the clocks falls between them.
func offsetsAround(wall time.Time, loc *time.Location) []int {
	var offs []int
	for _, d := range []time.Duration{-24 * time.Hour, 0, 24 * time.Hour} {
		_, off := wall.Add(d).In(loc).Zone()
		offs = append(offs, off)
	}
	return offs
}

func sameWall(t, wall time.Time) bool {
	y, m, d := t.Date()
	wy, wm, wd := wall.Date()
	return y == wy && m == wm && d == wd && t.Hour() == wall.Hour() && t.Minute() == wall.Minute() && t.Second() == wall.Second()
}

func contains(ts []time.Time, t time.Time) bool {
	for _, x := range ts {
		if x.Equal(t) {
			return true
		}
	}
	return false
}
