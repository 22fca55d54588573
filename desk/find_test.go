package desk

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

func TestParseFind(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     Find
		saved    string // Values().Encode()
	}{
		{"empty", "", Find{}, ""},
		{"every filter", "service=ru&status=submitted&section=world&author=Анна&q=паром+суд&tag=Выборы&from=2026-11-01&to=today&when=week&sort=oldest&page=3",
			Find{Service: "ru", Status: "submitted", Section: "world", Author: "Анна", Text: "паром суд", Tag: "Выборы", From: "2026-11-01", To: "today", When: "week", Sort: "oldest", Page: 3},
			"author=%D0%90%D0%BD%D0%BD%D0%B0&from=2026-11-01&q=%D0%BF%D0%B0%D1%80%D0%BE%D0%BC+%D1%81%D1%83%D0%B4&section=world&service=ru&sort=oldest&status=submitted&tag=%D0%92%D1%8B%D0%B1%D0%BE%D1%80%D1%8B&to=today&when=week"},
		{"unknown parameters dropped", "service=all&evil=1&page=x&status=deleted", Find{Service: "all"}, "service=all"},
		{"bad values dropped", "service=RU'--&section=a/b&from=2026-13-01&to=yesterday&when=year&sort=random", Find{}, ""},
		{"relevance needs words", "sort=relevance", Find{}, ""},
		{"relevance with words", "sort=relevance&q=x", Find{Text: "x", Sort: "relevance"}, "q=x&sort=relevance"},
		{"control characters and spaces", "q=+a%0Ab%00+&author=%09x", Find{Text: "ab", Author: "x"}, "author=x&q=ab"},
		{"page 1 is no page", "page=1", Find{}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			v, err := url.ParseQuery(c.in)
			if err != nil {
				t.Fatal(err)
			}
			got := ParseFind(v)
			if got != c.want {
				t.Errorf("ParseFind(%q) = %+v, want %+v", c.in, got, c.want)
			}
			if s := got.Values().Encode(); s != c.saved {
				t.Errorf("saved as %q, want %q", s, c.saved)
			}
		})
	}
	// A long value is cut on a character, not in one.
	long := ParseFind(url.Values{"q": {strings.Repeat("ж", 150)}})
	if len(long.Text) > maxFindValue || !strings.HasPrefix(strings.Repeat("ж", 150), long.Text) || long.Text == "" {
		t.Errorf("long query cut to %d bytes: %q", len(long.Text), long.Text)
	}
}

func TestFindDates(t *testing.T) {
	now := time.Date(2026, 11, 26, 15, 4, 0, 0, time.UTC) // a Thursday
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		f        Find
		from, to time.Time
	}{
		{Find{}, time.Time{}, time.Time{}},
		{Find{From: "2026-11-01"}, day(11, 1), time.Time{}},
		{Find{To: "2026-11-01"}, time.Time{}, day(11, 2)},
		{Find{From: "today", To: "today"}, day(11, 26), day(11, 27)},
		{Find{When: WhenToday}, day(11, 26), day(11, 27)},
		{Find{When: WhenWeek}, day(11, 23), day(11, 30)},
		{Find{When: WhenMonth}, day(11, 1), day(12, 1)},
		// When narrows a range, never widens it.
		{Find{When: WhenMonth, From: "2026-11-20", To: "2026-12-20"}, day(11, 20), day(12, 1)},
		{Find{When: WhenWeek, From: "2026-10-01"}, day(11, 23), day(11, 30)},
	} {
		from, to := c.f.Dates(now)
		if !from.Equal(c.from) || !to.Equal(c.to) {
			t.Errorf("%+v: %v – %v, want %v – %v", c.f, from, to, c.from, c.to)
		}
	}
	// "today" in a saved search is the day it is opened.
	from, _ := Find{When: WhenToday}.Dates(now.AddDate(0, 0, 5))
	if !from.Equal(day(12, 1)) {
		t.Errorf("today, five days on: %v", from)
	}
	// A Monday's week starts that day; a Sunday's six days before.
	if from, _ := (Find{When: WhenWeek}).Dates(day(11, 30)); !from.Equal(day(11, 30)) {
		t.Errorf("week of a Monday: %v", from)
	}
	if from, _ := (Find{When: WhenWeek}).Dates(day(11, 29)); !from.Equal(day(11, 23)) {
		t.Errorf("week of a Sunday: %v", from)
	}
}

func TestWorksOnAndHomeDesk(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	if err := f.store.CreateService(ctx, &kolokol.Service{Code: "ka", Tag: "ka-GE", Script: "Geor", Direction: kolokol.LTR,
		Name: "ქართული", EnglishName: "Georgian", TimeZone: "Asia/Tbilisi"}); err != nil {
		t.Fatal(err)
	}
	all, err := f.store.FindServices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	codes := func(ss []*kolokol.Service) string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Code)
		}
		return strings.Join(out, " ")
	}
	user := func(email string, role kolokol.Role, services ...string) *kolokol.User {
		u := &kolokol.User{Email: email, Role: role, Services: services}
		if err := f.store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	reporter := user("r@example.org", kolokol.RoleReporter, "ka", "fa")
	boss := user("boss@example.org", kolokol.RoleAdmin)
	for _, c := range []struct {
		u    *kolokol.User
		want string
	}{
		{reporter, "fa ka"}, // the account's own desks first, then none (a reporter)
		{boss, codes(all)},
	} {
		if got := codes(WorksOn(c.u, all)); got != c.want {
			t.Errorf("%s works on %q, want %q", c.u.Email, got, c.want)
		}
	}
	mine := WorksOn(reporter, all)
	home := func() string {
		t.Helper()
		h, err := f.d.HomeDesk(ctx, reporter, mine)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	if h := home(); h != "fa" {
		t.Errorf("home desk before choosing: %q, want the account's first, fa", h)
	}
	if err := f.d.SetHomeDesk(ctx, reporter, "ka"); err != nil {
		t.Fatal(err)
	}
	if h := home(); h != "ka" {
		t.Errorf("home desk: %q, want ka", h)
	}
	for _, bad := range []string{"ru", "xx", "fa'--"} {
		wantErr(t, f.d.SetHomeDesk(ctx, reporter, bad), kolokol.EINVALID, "home_desk")
	}
	if h := home(); h != "ka" {
		t.Errorf("home desk after refused changes: %q, want ka", h)
	}
	// Taken off the desk: the dashboard opens on the first of the rest.
	reporter.Desks, reporter.Services = []kolokol.Desk{{Service: "fa", Role: kolokol.RoleReporter}}, nil
	reporter.Normalize()
	if h, err := f.d.HomeDesk(ctx, reporter, WorksOn(reporter, all)); err != nil || h != "fa" {
		t.Errorf("home desk of an account no longer on ka: %q %v", h, err)
	}
	if h, err := f.d.HomeDesk(ctx, reporter, nil); err != nil || h != "" {
		t.Errorf("home desk of an account on no desk: %q %v", h, err)
	}
}

func TestSaveSearch(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	u := &kolokol.User{Email: "e@example.org", Role: kolokol.RoleEditor, Services: []string{"ru"}}
	if err := f.store.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	other := &kolokol.User{Email: "o@example.org", Role: kolokol.RoleEditor, Services: []string{"ru"}}
	if err := f.store.CreateUser(ctx, other); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, query string
		code, field string
		kept        string
	}{
		{"my drafts", "status=draft&author=e%40example.org&page=4&evil=%3Cscript%3E", "", "", "author=e%40example.org&status=draft"},
		{"  scheduled today  ", "status=scheduled&when=today", "", "", "status=scheduled&when=today"},
		{"<script>alert(1)</script>", "q=%3Cb%3E", "", "", "q=%3Cb%3E"},
		{"my drafts", "status=draft", kolokol.ECONFLICT, "name", ""},
		{"", "status=draft", kolokol.EINVALID, "name", ""},
		{"   ", "status=draft", kolokol.EINVALID, "name", ""},
		{strings.Repeat("я", 81), "status=draft", kolokol.EINVALID, "name", ""},
		{"two\nlines", "status=draft", kolokol.EINVALID, "name", ""},
		{"bad query", "q=%zz", kolokol.EINVALID, "query", ""},
	} {
		ss, err := f.d.SaveSearch(ctx, u, c.name, c.query)
		if c.code != "" {
			wantErr(t, err, c.code, c.field)
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", c.name, err)
		}
		if ss.Query != c.kept || ss.Name != strings.TrimSpace(c.name) {
			t.Errorf("%q saved as %q %q, want %q", c.name, ss.Name, ss.Query, c.kept)
		}
	}
	list, err := f.d.SavedSearches(ctx, u)
	if err != nil || len(list) != 3 {
		t.Fatalf("saved searches: %d %v, want 3", len(list), err)
	}
	// Another account neither sees nor deletes them.
	if theirs, err := f.d.SavedSearches(ctx, other); err != nil || len(theirs) != 0 {
		t.Errorf("another account sees %d searches (%v)", len(theirs), err)
	}
	wantErr(t, f.d.DeleteSavedSearch(ctx, other, list[0].ID), kolokol.ENOTFOUND, "")
	if err := f.d.DeleteSavedSearch(ctx, u, list[0].ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := f.d.SavedSearches(ctx, u); len(list) != 2 {
		t.Errorf("after a delete: %d searches", len(list))
	}
}
