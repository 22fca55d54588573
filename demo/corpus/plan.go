package corpus

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/kolokol/kolokol"
)

// The mix of a newsroom's stories. Shares are of all stories; groups take
// the status of their first version.
const (
	sharePublished   = 0.82
	shareUnpublished = 0.04
	shareDraft       = 0.06
	shareSubmitted   = 0.04 // drafts handed in for review; the rest are scheduled
	shareNoSection   = 0.04
	sharePhoto       = 0.45
	shareCorrected   = 0.05 // of the stories that were live
	groupStart       = 0.06 // chance that a story starts a translation group
	maxGroup         = 5    // versions of one story, each in another service
)

// service is a service stories are written for.
type service struct {
	code     string
	sections []string
	lang     *lang
	weight   int // how many stories it writes, relative to the others
}

// story is the plan of one story: everything but its words, decided in one
// pass over the whole corpus so that translation groups can span services
// and publication times grow with ids, as in a real newsroom.
type story struct {
	service     int // index in the services
	section     string
	status      kolokol.Status
	created     time.Time
	updated     time.Time
	published   time.Time
	scheduled   time.Time
	submitted   time.Time
	group       string
	photo       int // index in the photos, or -1
	corrections []time.Time
}

// planner decides the plan of every story.
type planner struct {
	rng      *rand.Rand
	services []service
	total    int // sum of weights
	now      time.Time
	span     time.Duration
	photos   int
	group    string // prefix of translation group names
}

func (p *planner) chance(f float64) bool { return p.rng.Float64() < f }

// between is a random duration from lo to hi.
func (p *planner) between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(p.rng.Int64N(int64(hi-lo)+1))
}

// pickService draws a service by weight, skipping those in taken.
func (p *planner) pickService(taken []int) int {
	for {
		n := p.rng.IntN(p.total)
		for i, s := range p.services {
			if n -= s.weight; n < 0 {
				if !slices.Contains(taken, i) {
					return i
				}
				break
			}
		}
	}
}

func (p *planner) plan(n int) []story {
	out := make([]story, 0, n)
	slot := p.span / time.Duration(n)
	for len(out) < n {
		i := len(out)
		// Each story's time lies in its own slot of the span, so times
		// grow with the index, and ids with them.
		t := p.now.Add(-p.span + time.Duration(i)*slot + p.between(0, slot-1)).Truncate(time.Second)
		size := 1
		if p.chance(groupStart) {
			size = min(2+p.rng.IntN(maxGroup-1), n-i, len(p.services))
		}
		first := story{photo: -1}
		p.status(&first, t)
		if p.chance(sharePhoto) {
			first.photo = p.rng.IntN(p.photos)
		}
		if size > 1 {
			first.group = p.group + strconv.Itoa(i)
		}
		var taken []int
		var section string
		for k := range size {
			s := first
			s.service = p.pickService(taken)
			taken = append(taken, s.service)
			secs := p.services[s.service].sections
			switch {
			case k > 0 && slices.Contains(secs, section):
			case len(secs) == 0 || p.chance(shareNoSection):
				section = ""
			default:
				section = secs[p.rng.IntN(len(secs))]
			}
			s.section = section
			if k > 0 {
				// Translations follow the original by minutes to hours.
				p.shift(&s, p.between(10*time.Minute, 6*time.Hour))
			}
			out = append(out, s)
		}
	}
	return out
}

// status chooses a story's status and the times that go with it, around t.
func (p *planner) status(s *story, t time.Time) {
	r := p.rng.Float64()
	s.corrections = nil
	s.published, s.scheduled, s.submitted = time.Time{}, time.Time{}, time.Time{}
	switch {
	case r < sharePublished+shareUnpublished:
		s.status = kolokol.StatusPublished
		s.published = t
		s.created = t.Add(-p.between(15*time.Minute, 8*time.Hour))
		if p.chance(0.4) { // a reporter's draft, reviewed
			s.submitted = s.created.Add(p.between(0, t.Sub(s.created)))
		}
		s.updated = p.capped(t.Add(p.between(0, 2*time.Hour)))
		if r >= sharePublished {
			s.status = kolokol.StatusUnpublished
			s.updated = p.capped(t.Add(p.between(time.Hour, 10*24*time.Hour)))
		}
		if p.chance(shareCorrected) {
			c := t
			for range 1 + p.rng.IntN(2) {
				c = p.capped(c.Add(p.between(time.Hour, 72*time.Hour)))
				s.corrections = append(s.corrections, c)
				s.updated = maxTime(s.updated, c)
			}
		}
	case r < sharePublished+shareUnpublished+shareDraft+shareSubmitted:
		s.status = kolokol.StatusDraft
		s.created = t
		s.updated = p.capped(t.Add(p.between(0, 6*time.Hour)))
		if r >= sharePublished+shareUnpublished+shareDraft {
			s.submitted = s.updated // handing in is the last save
		}
	default:
		// Scheduled stories were written lately and go out in the coming
		// weeks; the scheduler publishes each when its time comes.
		s.status = kolokol.StatusScheduled
		s.created = p.now.Add(-p.between(time.Hour, 5*24*time.Hour)).Truncate(time.Second)
		s.updated = p.capped(s.created.Add(p.between(0, 2*time.Hour)))
		s.scheduled = p.now.Add(p.between(time.Hour, 21*24*time.Hour)).Truncate(time.Minute)
	}
}

// shift moves a story's times later by d, but none but the schedule past
// "now".
func (p *planner) shift(s *story, d time.Duration) {
	for _, t := range []*time.Time{&s.created, &s.updated, &s.published, &s.submitted} {
		if !t.IsZero() {
			*t = p.capped(t.Add(d))
		}
	}
	if !s.scheduled.IsZero() {
		s.scheduled = s.scheduled.Add(d).Truncate(time.Minute)
	}
	s.corrections = slices.Clone(s.corrections)
	for i, c := range s.corrections {
		s.corrections[i] = p.capped(c.Add(d))
	}
}

// capped keeps a time from passing the generator's "now".
func (p *planner) capped(t time.Time) time.Time { return minTime(t.Truncate(time.Second), p.now) }

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
