package desk

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kolokol/kolokol"
)

// WorksOn is the services an account works on, in the account's own
// order (then, for an admin of every service, the rest in the store's
// order). Everything the dashboard decides about "my desks" goes through
// here, so that how an account names its services can change in one place.
func WorksOn(u *kolokol.User, all []*kolokol.Service) []*kolokol.Service {
	actor := u.Actor()
	var out []*kolokol.Service
	for _, code := range u.Services {
		for _, s := range all {
			if s.Code == code && actor.CanTouch(code) {
				out = append(out, s)
			}
		}
	}
	for _, s := range all {
		if actor.CanTouch(s.Code) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// HomeDesk is the service the account's dashboard opens on: the one it
// chose, while it may still work on it, or else the first of its own.
// "" when it works on none.
func (d *Desk) HomeDesk(ctx context.Context, u *kolokol.User, mine []*kolokol.Service) (string, error) {
	if len(mine) == 0 {
		return "", nil
	}
	code, err := d.store.FindHomeDesk(ctx, u.ID)
	if err != nil {
		return "", err
	}
	for _, s := range mine {
		if s.Code == code {
			return code, nil
		}
	}
	return mine[0].Code, nil
}

// SetHomeDesk chooses the service the account's dashboard opens on: one
// it works on (WorksOn), or "" for the first of them.
func (d *Desk) SetHomeDesk(ctx context.Context, u *kolokol.User, code string) error {
	if code != "" {
		all, err := d.store.FindServices(ctx)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(WorksOn(u, all), func(s *kolokol.Service) bool { return s.Code == code }) {
			return kolokol.FieldErrorf(kolokol.EINVALID, "home_desk", "%q is not one of the services you work on", code)
		}
	}
	return d.store.SetHomeDesk(ctx, u.ID, code)
}

// AllDesks is the dashboard's service choice for every service the
// account works on.
const AllDesks = "all"

// Submitted is the dashboard's status of drafts handed in for review.
const Submitted = "submitted"

// Relative ranges of Find.When, from the start of the day, week (Monday)
// or month that holds now, to its end.
const (
	WhenToday = "today"
	WhenWeek  = "week"
	WhenMonth = "month"
)

// Orders of Find.Sort; "" is newest changed first.
const (
	SortChanged   = "changed"
	SortPublished = "published"
	SortOldest    = "oldest"
	SortRelevance = "relevance" // only with words
)

// Find is the dashboard's filters. Every field is a known value or "":
// ParseFind drops what it does not know.
type Find struct {
	Service string // a service code, AllDesks, or "" for the home desk
	Status  string // a kolokol.Status or Submitted
	Section string
	Author  string
	Text    string
	Tag     string
	// From and To are days, YYYY-MM-DD, or "today", which stays today
	// in a saved search.
	From, To string
	When     string
	Sort     string
	Page     int // from 1; never saved
}

// maxFindValue cuts each filter: no filter needs more, and a saved search
// stays small.
const maxFindValue = 200

// findKeys are the URL parameters of a Find, in the order they are written.
var findKeys = []string{"service", "status", "section", "author", "q", "tag", "from", "to", "when", "sort"}

// ParseFind reads the dashboard's filters from a URL query. Unknown
// parameters and values that are not one of a filter's choices are
// dropped, never an error: a link or saved search made by an older
// version still opens.
func ParseFind(v url.Values) Find {
	get := func(k string) string {
		s := strings.TrimSpace(strings.ToValidUTF8(v.Get(k), ""))
		if len(s) > maxFindValue {
			s = s[:maxFindValue]
			for !utf8.ValidString(s) {
				s = s[:len(s)-1]
			}
		}
		return strings.Map(func(r rune) rune {
			if r < ' ' || r == 0x7f {
				return -1
			}
			return r
		}, s)
	}
	f := Find{Service: get("service"), Section: get("section"), Author: get("author"), Text: get("q"), Tag: get("tag")}
	if !codeLike(f.Service) {
		f.Service = ""
	}
	if !codeLike(f.Section) {
		f.Section = ""
	}
	if s := get("status"); s == Submitted || kolokol.Status(s).Valid() {
		f.Status = s
	}
	day := func(s string) string {
		if s == WhenToday {
			return s
		}
		if _, err := time.Parse(time.DateOnly, s); err == nil {
			return s
		}
		return ""
	}
	f.From, f.To = day(get("from")), day(get("to"))
	if w := get("when"); w == WhenToday || w == WhenWeek || w == WhenMonth {
		f.When = w
	}
	switch s := get("sort"); s {
	case SortChanged, SortPublished, SortOldest:
		f.Sort = s
	case SortRelevance:
		if f.Text != "" {
			f.Sort = s
		}
	}
	if p, err := strconv.Atoi(get("page")); err == nil && p > 1 {
		f.Page = p
	}
	return f
}

// codeLike is whether s may be a service code or section slug: lower-case
// letters, digits and hyphens.
func codeLike(s string) bool {
	return len(s) <= 64 && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
}

// Values is the filters as a URL query, without the page: what a saved
// search keeps and a page link starts from.
func (f Find) Values() url.Values {
	v := url.Values{}
	for i, s := range []string{f.Service, f.Status, f.Section, f.Author, f.Text, f.Tag, f.From, f.To, f.When, f.Sort} {
		if s != "" {
			v.Set(findKeys[i], s)
		}
	}
	return v
}

// Dates is the range the filters ask for, To exclusive, each zero when
// unbounded: From and To as days (To's whole day), narrowed by When.
// Days are UTC days.
func (f Find) Dates(now time.Time) (from, to time.Time) {
	now = now.UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	day := func(s string) time.Time {
		if s == WhenToday {
			return today
		}
		t, _ := time.Parse(time.DateOnly, s)
		return t
	}
	if f.From != "" {
		from = day(f.From)
	}
	if f.To != "" {
		to = day(f.To).AddDate(0, 0, 1)
	}
	var wf, wt time.Time
	switch f.When {
	case WhenToday:
		wf, wt = today, today.AddDate(0, 0, 1)
	case WhenWeek:
		wf = today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
		wt = wf.AddDate(0, 0, 7)
	case WhenMonth:
		wf = time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
		wt = wf.AddDate(0, 1, 0)
	default:
		return from, to
	}
	if from.IsZero() || wf.After(from) {
		from = wf
	}
	if to.IsZero() || wt.Before(to) {
		to = wt
	}
	return from, to
}

// SaveSearch keeps the dashboard's filters in query under a name of the
// account's own. Only the dashboard's parameters are kept, each only if
// it is one of its filter's choices; the page is not kept.
func (d *Desk) SaveSearch(ctx context.Context, u *kolokol.User, name, query string) (*kolokol.SavedSearch, error) {
	v, err := url.ParseQuery(query)
	if err != nil {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "query", "the filters to save are not a URL query")
	}
	ss := &kolokol.SavedSearch{UserID: u.ID, Name: strings.TrimSpace(name), Query: ParseFind(v).Values().Encode()}
	if err := d.store.AddSavedSearch(ctx, ss); err != nil {
		return nil, err
	}
	return ss, nil
}

// SavedSearches is the account's saved searches, by name.
func (d *Desk) SavedSearches(ctx context.Context, u *kolokol.User) ([]*kolokol.SavedSearch, error) {
	return d.store.FindSavedSearches(ctx, u.ID)
}

// DeleteSavedSearch removes one of the account's saved searches.
func (d *Desk) DeleteSavedSearch(ctx context.Context, u *kolokol.User, id int64) error {
	return d.store.DeleteSavedSearch(ctx, u.ID, id)
}
