package newsroom

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones under test, whatever the machine has

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/store/sqlite"
)

// clockRig is a newsroom on a real SQLite file, with a Persian service
// (Tehran) and a Ukrainian one (Kyiv), and a signed-in editor of both.
type clockRig struct {
	t      *testing.T
	store  *sqlite.Store
	desk   *desk.Desk
	h      http.Handler
	user   *kolokol.User
	cookie string
	now    time.Time
}

func newClockRig(t *testing.T) *clockRig {
	t.Helper()
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kolokol.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rig := &clockRig{t: t, store: st, now: time.Date(2026, 11, 30, 10, 35, 0, 0, time.UTC)}
	now := func() time.Time { return rig.now }
	rig.desk = desk.New(st, nil, nil, now)
	for _, s := range []*kolokol.Service{
		{Code: "fa", Tag: "fa-IR", Script: "Arab", Direction: kolokol.RTL, Name: "فارسی", EnglishName: "Persian", TimeZone: "Asia/Tehran"},
		{Code: "uk", Tag: "uk-UA", Script: "Cyrl", Direction: kolokol.LTR, Name: "Українська", EnglishName: "Ukrainian", TimeZone: "Europe/Kyiv"},
	} {
		if err := st.CreateService(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	rig.user = &kolokol.User{Email: "editor@example.org", Name: "Editor", Role: kolokol.RoleEditor, Services: []string{"fa", "uk"}}
	if err := st.CreateUser(ctx, rig.user); err != nil {
		t.Fatal(err)
	}
	rig.cookie = strings.Repeat("c", 43)
	// The session's clock is the real one: the store stamps sessions so.
	real := time.Now()
	if err := st.CreateSession(ctx, &kolokol.Session{ID: kolokol.HashToken(rig.cookie), UserID: rig.user.ID,
		CreatedAt: real, LastSeenAt: real, ExpiresAt: real.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	n, err := New(st, rig.desk, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	n.Register(mux)
	rig.h = mux
	return rig
}

func (rig *clockRig) do(method, path string, form url.Values) (int, string) {
	rig.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(&http.Cookie{Name: cookieName, Value: rig.cookie})
	rec := httptest.NewRecorder()
	rig.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func (rig *clockRig) story(service string) *kolokol.Article {
	rig.t.Helper()
	a, err := rig.desk.CreateArticle(rig.t.Context(), rig.user.Actor(), desk.ArticleInput{Service: service,
		Headline: "Headline " + service, Body: "Body."})
	if err != nil {
		rig.t.Fatal(err)
	}
	return a
}

func mustContain(t *testing.T, what, page string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// timesIn returns the texts of the page's <time> elements.
func timesIn(page string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<time datetime="[^"]+">([^<]*)</time>`).FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestDashboardShowsThePersonsZone(t *testing.T) {
	rig := newClockRig(t)
	a := rig.story("fa")
	at := `<time datetime="` + a.UpdatedAt.UTC().Format(time.RFC3339) + `">`
	// No zone chosen: UTC, named.
	code, page := rig.do("GET", "/newsroom/?service=fa", nil)
	if code != 200 {
		t.Fatalf("dashboard: %d", code)
	}
	mustContain(t, "dashboard", page, at+a.UpdatedAt.UTC().Format("2 Jan 2006, 15:04")+" UTC</time>")

	code, _ = rig.do("POST", "/newsroom/account/zone", url.Values{"zone": {"America/New_York"}})
	if code != http.StatusSeeOther {
		t.Fatalf("set zone: %d", code)
	}
	_, page = rig.do("GET", "/newsroom/?service=fa", nil)
	ny, _ := time.LoadLocation("America/New_York")
	mustContain(t, "dashboard in New York", page, at+a.UpdatedAt.In(ny).Format("2 Jan 2006, 15:04")+" New York (UTC-05:00)</time>")
	for _, s := range timesIn(page) {
		if !strings.Contains(s, "New York") {
			t.Errorf("dashboard time %q is not in the person's zone", s)
		}
	}
}

func TestStoryPagesShowTheServiceZone(t *testing.T) {
	rig := newClockRig(t)
	if _, page := rig.do("POST", "/newsroom/account/zone", url.Values{"zone": {"America/New_York"}}); page != "" && !strings.Contains(page, "See Other") {
		t.Logf("set zone answered %q", page)
	}
	a := rig.story("fa")
	code, page := rig.do("GET", storyURL(a.ID), nil)
	if code != 200 {
		t.Fatalf("story: %d", code)
	}
	tehran, _ := time.LoadLocation("Asia/Tehran")
	mustContain(t, "story page", page, a.UpdatedAt.In(tehran).Format("2 Jan 2006, 15:04")+" Tehran (UTC+03:30)", `Publish at, Tehran time`,
		// The next whole UTC hour after an hour from now (10:35 UTC), in Tehran.
		`value="2026-11-30T14:30"`)
	_, hist := rig.do("GET", storyURL(a.ID)+"/revisions", nil)
	for what, p := range map[string]string{"story": page, "history": hist} {
		times := timesIn(p)
		if len(times) == 0 {
			t.Errorf("%s page shows no time", what)
		}
		for _, s := range times {
			if !strings.Contains(s, "Tehran (UTC+03:30)") {
				t.Errorf("%s page time %q is not in the service's zone", what, s)
			}
		}
	}
}

func TestScheduleReadInTheServiceZone(t *testing.T) {
	rig := newClockRig(t)
	a := rig.story("uk")
	code, page := rig.do("POST", storyURL(a.ID)+"/schedule", url.Values{"at": {"2026-12-01T09:30"}})
	if code != http.StatusSeeOther {
		t.Fatalf("schedule: %d %s", code, page)
	}
	got, err := rig.store.FindArticleByID(t.Context(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 1, 7, 30, 0, 0, time.UTC); !got.ScheduledAt.Equal(want) {
		t.Fatalf("scheduled at %v, want %v (09:30 in Kyiv)", got.ScheduledAt, want)
	}
	_, page = rig.do("GET", storyURL(a.ID), nil)
	mustContain(t, "scheduled story", page, "to publish <time datetime=\"2026-12-01T07:30:00Z\">1 Dec 2026, 09:30 Kyiv (UTC+02:00)</time>",
		`value="2026-12-01T09:30"`)
}

func TestScheduleTwiceSaysWhich(t *testing.T) {
	rig := newClockRig(t)
	a := rig.story("uk")
	if code, page := rig.do("POST", storyURL(a.ID)+"/schedule", url.Values{"at": {"2027-10-31T03:30"}}); code != http.StatusSeeOther {
		t.Fatalf("schedule: %d %s", code, page)
	}
	_, page := rig.do("GET", storyURL(a.ID), nil)
	mustContain(t, "story scheduled in the hour that happens twice", page, "31 Oct 2027, 03:30 Kyiv (UTC+03:00)",
		"happens twice in Kyiv (the clocks go back that night): this is the first, UTC&#43;03:00, not the second, UTC&#43;02:00")
}

// A refused schedule time comes back as typed, with the time understood,
// beside its field and linked from the summary.
func TestSchedulePastKeepsWhatWasTyped(t *testing.T) {
	rig := newClockRig(t)
	a := rig.story("fa")
	for _, tc := range []struct{ at, says string }{
		{"2026-11-30T09:00", "30 Nov 2026, 09:00 Tehran (UTC"}, // …+03:30) has already passed
		{"2026-11-31T09:00", `&#34;2026-11-31T09:00&#34; is not a date and time`},
	} {
		code, page := rig.do("POST", storyURL(a.ID)+"/schedule", url.Values{"at": {tc.at}, "headline": {"Kept headline"}, "body": {"Body."}})
		if code != http.StatusUnprocessableEntity && code != http.StatusBadRequest {
			t.Fatalf("schedule %s: %d, want a refusal", tc.at, code)
		}
		mustContain(t, "refused schedule "+tc.at, page,
			`value="`+tc.at+`"`,
			`<div class="error-summary" role="alert"`,
			`<a href="#at">`, `id="at-error"`, tc.says,
			`<strong class="field-error" id="at-error" lang="en" dir="ltr"><span class="visually-hidden">Error: </span>`,
			`<input id="at" aria-invalid="true" aria-describedby="at-error" name="at"`,
			`value="Kept headline"`)
		if strings.Count(page, tc.says) != 2 {
			t.Errorf("schedule %s: the message is not both in the summary and beside the field", tc.at)
		}
		if strings.Count(page, `aria-invalid="true"`) != 1 {
			t.Errorf("schedule %s: %d fields marked invalid, want 1", tc.at, strings.Count(page, `aria-invalid="true"`))
		}
	}
	got, err := rig.store.FindArticleByID(t.Context(), a.ID)
	if err != nil || got.Status != kolokol.StatusDraft || !got.ScheduledAt.IsZero() {
		t.Fatalf("after refusals: %v %v, want an unscheduled draft", got, err)
	}
}

func TestStoryFieldErrorBesideItsField(t *testing.T) {
	rig := newClockRig(t)
	code, page := rig.do("POST", "/newsroom/stories", url.Values{"service": {"fa"}, "headline": {"  "}, "body": {"Kept body"}, "tags": {"kept"}})
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("empty headline: %d", code)
	}
	mustContain(t, "story refused", page, `<a href="#headline">`, `id="headline-error"`,
		`<input id="headline" aria-invalid="true" aria-describedby="headline-error" name="headline"`, ">Kept body</textarea>", `value="kept"`)
	// An error no field owns is said at the top, with no link.
	if strings.Contains(page, `href="#"`) {
		t.Error("the summary links to no field")
	}
}

func TestAccountZone(t *testing.T) {
	rig := newClockRig(t)
	code, page := rig.do("POST", "/newsroom/account/zone", url.Values{"zone": {"Europe/Atlantis"}})
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("bad zone: %d", code)
	}
	mustContain(t, "account with a bad zone", page, `value="Europe/Atlantis"`, `<a href="#zone">`, `id="zone-error"`,
		`<input id="zone" aria-invalid="true" aria-describedby="zone-error"`, `<option value="Asia/Tehran">`, `<option value="Europe/Kyiv">`)
	if u, _ := rig.store.FindUserByID(t.Context(), rig.user.ID); u.Zone != "" {
		t.Fatalf("a refused zone was stored: %q", u.Zone)
	}
	if code, _ := rig.do("POST", "/newsroom/account/zone", url.Values{"zone": {"Asia/Tehran"}}); code != http.StatusSeeOther {
		t.Fatalf("good zone: %d", code)
	}
	_, page = rig.do("GET", "/newsroom/account?saved=1", nil)
	mustContain(t, "account", page, `value="Asia/Tehran"`, "Tehran (UTC+03:30)</time>")
}

// asAdmin makes the rig's requests those of a global admin.
func (rig *clockRig) asAdmin() {
	t := rig.t
	admin := &kolokol.User{Email: "admin@example.org", Role: kolokol.RoleAdmin}
	if err := rig.store.CreateUser(t.Context(), admin); err != nil {
		t.Fatal(err)
	}
	rig.cookie = strings.Repeat("a", 43)
	real := time.Now()
	if err := rig.store.CreateSession(t.Context(), &kolokol.Session{ID: kolokol.HashToken(rig.cookie), UserID: admin.ID,
		CreatedAt: real, LastSeenAt: real, ExpiresAt: real.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
}

func TestTokenErrorBesideItsField(t *testing.T) {
	rig := newClockRig(t)
	rig.asAdmin()
	code, page := rig.do("POST", "/newsroom/tokens", url.Values{"name": {"Kept name"}, "role": {"editor"}, "services": {"fa"}, "days": {"99999"}})
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("token for too many days: %d", code)
	}
	mustContain(t, "token refused", page, `<a href="#token-days">`, `id="token-days-error"`,
		`<input id="token-days" aria-invalid="true" aria-describedby="token-days-error" name="days"`, `value="99999"`, `value="Kept name"`)
}

func TestServiceZoneErrorBesideItsField(t *testing.T) {
	rig := newClockRig(t)
	rig.asAdmin()
	code, page := rig.do("POST", "/newsroom/services/fa", url.Values{"name": {"فارسی"}, "time_zone": {"Asia/Tehrann"}, "about": {"Kept about"}})
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("bad service zone: %d", code)
	}
	mustContain(t, "settings refused", page, `<a href="#time_zone">`, `id="time_zone-error"`,
		`<input id="time_zone" aria-invalid="true" aria-describedby="time_zone-error" name="time_zone"`, `value="Asia/Tehrann"`, ">Kept about</textarea>")
	if svc, _ := rig.store.FindServiceByCode(t.Context(), "fa"); svc.TimeZone != "Asia/Tehran" || svc.About != "" {
		t.Fatalf("a refused setting was stored: %q %q", svc.TimeZone, svc.About)
	}
}
