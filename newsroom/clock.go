package newsroom

import (
	"html/template"
	"slices"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
)

// clock is the one zone a page shows its times in: the story's service's
// on story pages, the person's own elsewhere. Templates show every time
// through At, so that no time appears without its zone.
type clock struct{ loc *time.Location }

// userClock is the zone the person chose on their account page, or UTC:
// an editor on several desks has no one desk's zone, and UTC named as
// such is never mistaken for another.
func userClock(u *kolokol.User) clock {
	if u != nil && u.Zone != "" {
		if loc, err := time.LoadLocation(u.Zone); err == nil {
			return clock{loc}
		}
	}
	return clock{time.UTC}
}

// serviceClock is a service's zone, for its story pages.
func serviceClock(s *kolokol.Service) clock { return clock{s.Location()} }

func (c clock) zone() *time.Location {
	if c.loc == nil {
		return time.UTC
	}
	return c.loc
}

// At is t as a <time> element: the instant for machines, the wall clock
// with the zone's name for people. A zero time is "".
func (c clock) At(t time.Time) template.HTML {
	if t.IsZero() {
		return ""
	}
	return template.HTML(`<time datetime="` + t.UTC().Format(time.RFC3339) + `">` +
		template.HTMLEscapeString(desk.ShowTime(t, c.zone())) + `</time>`)
}

// stamp is At, or the word for a time that never was ("never").
func (c clock) stamp(t time.Time, zero string) template.HTML {
	if t.IsZero() {
		return template.HTML(template.HTMLEscapeString(zero))
	}
	return c.At(t)
}

// Text is t as At shows it, without the element: for attributes and
// messages.
func (c clock) Text(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return desk.ShowTime(t, c.zone())
}

// Name is the zone's name as the page's labels give it ("Tehran", "UTC").
func (c clock) Name() string { return desk.ZoneName(c.zone()) }

// Input is t as a datetime-local input's value, in this zone.
func (c clock) Input(t time.Time) string { return t.In(c.zone()).Format(desk.LocalLayout) }

// zoneChoices are the zones the account page offers: every service's, then
// UTC; a person may type any other IANA name.
func zoneChoices(services []*kolokol.Service) []string {
	seen := map[string]bool{"UTC": true}
	out := []string{}
	for _, s := range services {
		if s.TimeZone != "" && !seen[s.TimeZone] {
			seen[s.TimeZone] = true
			out = append(out, s.TimeZone)
		}
	}
	slices.Sort(out)
	return append(out, "UTC")
}
