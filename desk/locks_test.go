package desk

import (
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

// lockUser stores an account directly: the lock needs one, not its
// sign-in.
func (f *fixture) lockUser(t *testing.T, email, name string, role kolokol.Role, services ...string) *kolokol.User {
	t.Helper()
	u := &kolokol.User{Email: email, Name: name, Role: role, Services: services,
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$a2V5", TOTPSecret: "JBSWY3DPEHPK3PXP"}
	if err := f.store.CreateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestEditLock(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	aziz := f.lockUser(t, "aziz@example.org", "Aziz", kolokol.RoleEditor, "ru")
	maryam := f.lockUser(t, "maryam@example.org", "Maryam", kolokol.RoleEditor, "ru")
	nameless := f.lockUser(t, "nameless@example.org", "", kolokol.RoleEditor, "ru")
	users := map[string]*kolokol.User{"aziz": aziz, "maryam": maryam, "nameless": nameless}
	t0 := f.clock.now()

	// Each step runs on the story as the steps before left it.
	a := f.story(t, kolokol.StatusDraft, false)
	for _, step := range []struct {
		what   string
		who    string
		op     string // open, save, takeover, beat (holding), watch (beat, not holding), wait
		wait   time.Duration
		mine   bool
		holder string // who the answer names as holding it
		took   bool   // the answer says the holder took it from who
		since  time.Duration
		err    string // the error's code
	}{
		{what: "opening a free story takes it", who: "aziz", op: "open", mine: true},
		{what: "the same account in another tab is not locked out", who: "aziz", op: "open", mine: true},
		{what: "a colleague is told who holds it", who: "maryam", op: "open", holder: "aziz"},
		{what: "a colleague's save is refused", who: "maryam", op: "save", holder: "aziz", err: kolokol.ECONFLICT},
		{what: "the holder's save refreshes it", who: "aziz", op: "save", mine: true},
		{what: "still held 14 minutes after the save", op: "wait", wait: 14 * time.Minute},
		{who: "maryam", op: "open", holder: "aziz"},
		{what: "a page without script: expired 15 minutes after the save", op: "wait", wait: time.Minute + time.Second},
		{what: "then a colleague takes it", who: "maryam", op: "open", mine: true, since: 15*time.Minute + time.Second},
		{what: "a heartbeat keeps it", who: "maryam", op: "beat", mine: true, since: 15*time.Minute + time.Second},
		{op: "wait", wait: 2*time.Minute - time.Second},
		{what: "just under two minutes after a heartbeat it is held", who: "aziz", op: "open", holder: "maryam", since: 15*time.Minute + time.Second},
		{what: "a watcher's heartbeat takes nothing", who: "aziz", op: "watch", holder: "maryam", since: 15*time.Minute + time.Second},
		{what: "a takeover takes it", who: "aziz", op: "takeover", mine: true, since: 17 * time.Minute},
		{what: "the one taken over from is told who took it, and when", who: "maryam", op: "beat", holder: "aziz", took: true, since: 17 * time.Minute},
		{what: "and their save is refused", who: "maryam", op: "save", holder: "aziz", took: true, err: kolokol.ECONFLICT},
		{what: "script: two minutes after the last heartbeat it is free", op: "wait", wait: 15 * time.Minute},
		{who: "nameless", op: "beat", mine: true, since: 32 * time.Minute},
	} {
		if step.what == "" {
			step.what = step.who + " " + step.op
		}
		f.clock.add(step.wait)
		if step.op == "wait" {
			continue
		}
		u := users[step.who]
		var e *Editing
		var err error
		switch step.op {
		case "open":
			e, err = f.d.OpenStory(ctx, u, a)
		case "save":
			err = f.d.SaveLock(ctx, u, a)
			if l, ok := err.(*Locked); ok {
				e = l.Editing
			} else if err == nil {
				e = &Editing{Mine: true}
			}
		case "takeover":
			e, err = f.d.TakeOver(ctx, u, a)
		case "beat", "watch":
			e, err = f.d.Heartbeat(ctx, u, a, step.op == "beat")
		}
		if got := kolokol.ErrorCode(err); got != step.err {
			t.Fatalf("%s: error %v, want code %q", step.what, err, step.err)
		}
		if e.Mine != step.mine {
			t.Errorf("%s: mine = %v, want %v", step.what, e.Mine, step.mine)
		}
		holder := ""
		for name, hu := range users {
			if e.Holder != nil && e.Holder.ID == hu.ID {
				holder = name
			}
		}
		if holder != step.holder || e.TookOver != step.took {
			t.Errorf("%s: held by %q (took over: %v), want %q (%v)", step.what, holder, e.TookOver, step.holder, step.took)
		}
		if step.since != 0 && !e.Lock.Since.Equal(t0.Add(step.since)) {
			t.Errorf("%s: since %s, want %s", step.what, e.Lock.Since.Sub(t0), step.since)
		}
	}
}

func TestEditLockAccess(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	aziz := f.lockUser(t, "aziz@example.org", "Aziz", kolokol.RoleEditor, "ru")
	maryam := f.lockUser(t, "maryam@example.org", "Maryam", kolokol.RoleEditor, "ru")
	reporter := f.lockUser(t, "reporter@example.org", "Reza", kolokol.RoleReporter, "ru")
	farsi := f.lockUser(t, "farsi@example.org", "Leila", kolokol.RoleEditor, "fa")
	a := f.story(t, kolokol.StatusDraft, false)

	for _, tt := range []struct {
		what string
		lose func(*kolokol.User) // what the holder loses
	}{
		{"disabled", func(u *kolokol.User) { u.Disabled = true }},
		{"moved to another desk", func(u *kolokol.User) {
			u.Desks, u.Services = []kolokol.Desk{{Service: "fa", Role: u.Role}}, nil
			u.Normalize()
		}},
	} {
		t.Run(tt.what, func(t *testing.T) {
			if _, err := f.d.TakeOver(ctx, aziz, a); err != nil {
				t.Fatal(err)
			}
			held, err := f.store.FindUserByID(ctx, aziz.ID)
			if err != nil {
				t.Fatal(err)
			}
			was := *held
			tt.lose(held)
			if err := f.store.UpdateUser(ctx, held); err != nil {
				t.Fatal(err)
			}
			e, err := f.d.OpenStory(ctx, maryam, a)
			if err != nil || !e.Mine || e.Holder != nil {
				t.Errorf("a lock held by an account %s: maryam's open = %+v, %v; want hers", tt.what, e, err)
			}
			was.Version = held.Version
			if err := f.store.UpdateUser(ctx, &was); err != nil {
				t.Fatal(err)
			}
		})
	}

	// A reporter may hold a draft, but not once an editor approved it.
	b := f.story(t, kolokol.StatusDraft, false)
	if e, err := f.d.OpenStory(ctx, reporter, b); err != nil || !e.Mine {
		t.Fatalf("reporter opens a draft: %+v, %v", e, err)
	}
	b, err := f.d.Publish(ctx, editorRU, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e, err := f.d.OpenStory(ctx, maryam, b); err != nil || !e.Mine {
		t.Errorf("a published story held by a reporter: maryam's open = %+v, %v; want hers", e, err)
	}
	if e, err := f.d.OpenStory(ctx, reporter, b); err != nil || e.Mine || e.Holder == nil || e.Holder.ID != maryam.ID {
		t.Errorf("a reporter opening a published story takes nothing and is told who holds it: %+v, %v", e, err)
	}
	if err := f.d.SaveLock(ctx, reporter, b); err != nil {
		t.Errorf("a reporter's save of a published story is left to the edit to refuse: %v", err)
	}
	if l, err := f.store.FindEditLock(ctx, b.ID); err != nil || l.UserID != maryam.ID {
		t.Errorf("a reporter's refused save took the lock: %+v, %v", l, err)
	}
	if _, err := f.d.TakeOver(ctx, reporter, b); kolokol.ErrorCode(err) != kolokol.EFORBIDDEN {
		t.Errorf("reporter takes over a published story: %v, want forbidden", err)
	}
	if _, err := f.d.Heartbeat(ctx, farsi, b, true); kolokol.ErrorCode(err) != kolokol.EFORBIDDEN {
		t.Errorf("heartbeat from another desk: %v, want forbidden", err)
	}

	// The takeover is audited, naming whom it was taken from.
	if _, err := f.d.TakeOver(ctx, aziz, b); err != nil {
		t.Fatal(err)
	}
	entries, err := f.store.FindAudit(ctx, kolokol.AuditFilter{Action: "article.takeover"})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 || entries[0].Actor != aziz.Email || entries[0].Detail != "from "+maryam.Email || entries[0].ArticleID != b.ID {
		t.Errorf("takeover audit = %+v, want aziz's from maryam on story %d", entries, b.ID)
	}

	// Who else has it open: named, without oneself.
	for _, u := range []*kolokol.User{maryam, reporter} {
		if _, err := f.d.Heartbeat(ctx, u, b, false); err != nil {
			t.Fatal(err)
		}
	}
	e, err := f.d.Heartbeat(ctx, aziz, b, true)
	if err != nil || !e.Mine || len(e.Others) != 2 || e.Others[0].ID != maryam.ID || e.Others[1].ID != reporter.ID {
		t.Errorf("aziz's heartbeat = %+v, %v; want his lock, maryam and reza beside", e, err)
	}
}
