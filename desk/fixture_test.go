package desk

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/auth"
	"github.com/kolokol/kolokol/store/sqlite"
)

// The desk's rules are tested here against a real SQLite file: no store is
// faked, since one runs in a few milliseconds.

// clock is a settable time for the desk under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	d     *Desk
	store *sqlite.Store
	clock *clock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "kolokol.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &clock{t: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
	f := &fixture{d: New(st, nil, nil, c.now), store: st, clock: c}
	for _, s := range []*kolokol.Service{
		{Code: "ru", Tag: "ru-RU", Script: "Cyrl", Direction: kolokol.LTR, Name: "Русский", EnglishName: "Russian", TimeZone: "Europe/Moscow"},
		{Code: "fa", Tag: "fa-IR", Script: "Arab", Direction: kolokol.RTL, Name: "فارسی", EnglishName: "Persian", TimeZone: "Asia/Tehran"},
	} {
		if err := st.CreateService(t.Context(), s); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateSection(t.Context(), &kolokol.Section{Service: s.Code, Slug: "world", Name: "World"}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// Actors of the tests.
var (
	reporterRU = kolokol.Actor{Name: "reporter@ru", Role: kolokol.RoleReporter, Services: []string{"ru"}}
	editorRU   = kolokol.Actor{Name: "editor@ru", Role: kolokol.RoleEditor, Services: []string{"ru"}}
	editorFA   = kolokol.Actor{Name: "editor@fa", Role: kolokol.RoleEditor, Services: []string{"fa"}}
	adminRU    = kolokol.Actor{Name: "admin@ru", Role: kolokol.RoleAdmin, Services: []string{"ru"}}
	admin      = kolokol.Actor{Name: "admin@example.org", Role: kolokol.RoleAdmin}
)

// story creates a ru story as the editor and brings it to status.
func (f *fixture) story(t *testing.T, status kolokol.Status, submitted bool) *kolokol.Article {
	t.Helper()
	ctx := t.Context()
	a, err := f.d.CreateArticle(ctx, editorRU, ArticleInput{Service: "ru", Section: "world", Headline: "Паром вернулся",
		Summary: "Кратко.", Body: "Первый абзац.\n\nВторой абзац.", Bylines: []string{"Анна"}, Tags: []string{"паром"}})
	if err != nil {
		t.Fatal(err)
	}
	switch status {
	case kolokol.StatusScheduled:
		a, err = f.d.Schedule(ctx, editorRU, a.ID, f.clock.now().Add(time.Hour))
	case kolokol.StatusPublished:
		a, err = f.d.Publish(ctx, editorRU, a.ID)
	case kolokol.StatusUnpublished:
		if _, err = f.d.Publish(ctx, editorRU, a.ID); err == nil {
			a, err = f.d.Unpublish(ctx, editorRU, a.ID)
		}
	}
	if err == nil && submitted {
		a, err = f.d.Submit(ctx, reporterRU, a.ID)
	}
	if err != nil {
		t.Fatalf("bring story to %s: %v", status, err)
	}
	return a
}

// account adds an account and enrols it, returning it with its TOTP
// secret and recovery codes.
func (f *fixture) account(t *testing.T, email string, role kolokol.Role, services ...string) (*kolokol.User, string, []string) {
	t.Helper()
	u, token, err := f.d.AddUser(t.Context(), admin, UserInput{Email: email, Name: "Test Person", Role: role, Services: services})
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.d.Enrolment(t.Context(), token)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := f.d.Enrol(t.Context(), token, password, f.code(t, v.Secret))
	if err != nil {
		t.Fatal(err)
	}
	f.clock.add(30 * time.Second) // the enrolment code is spent
	u, err = f.store.FindUserByID(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return u, v.Secret, codes
}

const password = "three rivers meet at dusk"

func (f *fixture) code(t *testing.T, secret string) string {
	t.Helper()
	c, err := auth.TOTPCode(secret, f.clock.now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// audit returns the audit log's actions with their details, oldest first.
func (f *fixture) audit(t *testing.T, filter kolokol.AuditFilter) []*kolokol.AuditEntry {
	t.Helper()
	filter.Limit = kolokol.MaxAuditLimit
	es, err := f.store.FindAudit(t.Context(), filter)
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
		es[i], es[j] = es[j], es[i]
	}
	return es
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := kolokol.ErrorCode(err); got != code {
		t.Errorf("%s: code %q, want %q (%v)", what, got, code, err)
	}
}
