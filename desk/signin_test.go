package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/auth"
)

// TestOldEnrolmentLinkDies is the takeover: an admin adds an account (link
// L1) and resets it (L2); the person enrols through L2. L1 must show
// nothing and set nothing, and no link enrols an account twice.
func TestOldEnrolmentLinkDies(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	u, l1, err := f.d.AddUser(ctx, admin, UserInput{Email: "nino@example.org", Name: "Nino", Role: kolokol.RoleReporter, Services: []string{"ru"}})
	if err != nil {
		t.Fatal(err)
	}
	v1, err := f.d.Enrolment(ctx, l1)
	if err != nil {
		t.Fatal(err)
	}
	l2, err := f.d.ResetUser(ctx, admin, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.d.Enrolment(ctx, l1); kolokol.ErrorCode(err) != kolokol.ENOTFOUND {
		t.Errorf("L1 after the reset: %v", err)
	}
	v2, err := f.d.Enrolment(ctx, l2)
	if err != nil {
		t.Fatal(err)
	}
	if v2.Secret == v1.Secret {
		t.Error("a new link offers the old link's secret")
	}
	if _, err := f.d.Enrol(ctx, l2, password, f.code(t, v2.Secret)); err != nil {
		t.Fatal(err)
	}
	f.clock.add(30 * time.Second)
	for _, l := range []string{l1, l2} {
		if v, err := f.d.Enrolment(ctx, l); kolokol.ErrorCode(err) != kolokol.ENOTFOUND {
			t.Errorf("a link after enrolment shows %+v (%v)", v, err)
		}
		_, err := f.d.Enrol(ctx, l, "another long passphrase here", f.code(t, v2.Secret))
		wantCode(t, "enrolling again", err, kolokol.ENOTFOUND)
	}
	got, _ := f.store.FindUserByID(ctx, u.ID)
	if ok, _, _ := auth.VerifyPassword(got.PasswordHash, password); !ok || got.TOTPSecret != v2.Secret {
		t.Errorf("the enrolled account was changed")
	}
	// The store refuses a link for an enrolled account; only a reset makes one.
	_, e, _ := NewEnrolment(u.ID, f.clock.now())
	wantCode(t, "a link for an enrolled account", f.store.CreateEnrolment(ctx, e), kolokol.ECONFLICT)
}

// TestEnrolmentIsOneStep: of concurrent enrolments through one link,
// exactly one sets the account up; the others change nothing.
func TestEnrolmentIsOneStep(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	u, token, err := f.d.AddUser(ctx, admin, UserInput{Email: "race@example.org", Role: kolokol.RoleReporter, Services: []string{"ru"}})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := f.d.Enrolment(ctx, token)
	code := f.code(t, v.Secret)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { _, errs[i] = f.d.Enrol(ctx, token, fmt.Sprintf("racing passphrase number %d", i), code) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else if c := kolokol.ErrorCode(err); c != kolokol.ENOTFOUND && c != kolokol.ECONFLICT {
			t.Errorf("racing enrolment: %v", err)
		}
	}
	got, _ := f.store.FindUserByID(ctx, u.ID)
	if won != 1 || got.PasswordHash == "" || len(got.RecoveryHashes) != 10 {
		t.Errorf("%d enrolments won; account %+v", won, got)
	}
}

// TestStrangerCannotLockOut: however many wrong passwords strangers send
// for an email, from however many networks, its owner still gets in with
// the right password and code; while throttled, wrong guesses learn
// nothing about which part was wrong.
func TestStrangerCannotLockOut(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	u, secret, _ := f.account(t, "leila@example.org", kolokol.RoleEditor, "fa")
	for i := range 30 {
		_, err := f.d.SignIn(ctx, Credentials{Email: u.Email, Password: "guess", Code: "123456", Source: fmt.Sprint("src:stranger", i%3)})
		if c := kolokol.ErrorCode(err); c != kolokol.EUNAUTHORIZED && c != kolokol.ETHROTTLED {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	// Throttled now: a wrong password and a right password with a wrong
	// code get the very same answer.
	_, wrongPassword := f.d.SignIn(ctx, Credentials{Email: u.Email, Password: "guess", Code: f.code(t, secret), Source: "src:stranger0"})
	_, wrongCode := f.d.SignIn(ctx, Credentials{Email: u.Email, Password: password, Code: "000000", Source: "src:stranger0"})
	wantCode(t, "wrong password while throttled", wrongPassword, kolokol.ETHROTTLED)
	if kolokol.ErrorCode(wrongCode) != kolokol.ErrorCode(wrongPassword) || kolokol.ErrorMessage(wrongCode) != kolokol.ErrorMessage(wrongPassword) {
		t.Errorf("throttled answers differ: %v / %v", wrongPassword, wrongCode)
	}
	// The owner, from a new network and from a throttled one alike.
	for _, src := range []string{"src:owner", "src:stranger1"} {
		f.clock.add(30 * time.Second)
		in, err := f.d.SignIn(ctx, Credentials{Email: " Leila@Example.org ", Password: password, Code: f.code(t, secret), Source: src})
		if err != nil {
			t.Fatalf("the owner from %s: %v", src, err)
		}
		if in.Token == "" || in.User.ID != u.ID {
			t.Fatalf("signed in: %+v", in)
		}
		if got, err := f.d.Session(ctx, in.Token); err != nil || got.ID != u.ID {
			t.Errorf("the new session: %v", err)
		}
	}
	// A failed sign-in tells nothing of unknown accounts either.
	_, err := f.d.SignIn(ctx, Credentials{Email: "nobody@example.org", Password: password, Code: "123456", Source: "src:x"})
	_, known := f.d.SignIn(ctx, Credentials{Email: u.Email, Password: "wrong", Code: "123456", Source: "src:x"})
	if kolokol.ErrorMessage(err) != kolokol.ErrorMessage(known) || kolokol.ErrorCode(err) != kolokol.EUNAUTHORIZED {
		t.Errorf("unknown account: %v, known: %v", err, known)
	}
}

// TestCodeGuessing: someone with the password guessing codes stops TOTP
// codes for the account; its recovery codes (and passkeys) still work.
func TestCodeGuessing(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	u, secret, recovery := f.account(t, "anna@example.org", kolokol.RoleReporter, "ru")
	for i := range freeCodeFailures + 1 {
		// Not digits, so no guess can be today's code by chance.
		_, err := f.d.SignIn(ctx, Credentials{Email: u.Email, Password: password, Code: fmt.Sprintf("guess%d", i), Source: "src:thief"})
		if err == nil {
			t.Fatal("a guessed code signed in")
		}
	}
	_, err := f.d.SignIn(ctx, Credentials{Email: u.Email, Password: password, Code: f.code(t, secret), Source: "src:owner"})
	wantCode(t, "a right code after the guesses", err, kolokol.ETHROTTLED)
	if !strings.Contains(kolokol.ErrorMessage(err), "recovery code") {
		t.Errorf("the refusal does not say what still works: %v", err)
	}
	in, err := f.d.SignIn(ctx, Credentials{Email: u.Email, Password: password, Code: recovery[0], Source: "src:owner"})
	if err != nil || !in.UsedRecovery || in.RecoveryLeft != 9 {
		t.Fatalf("a recovery code: %+v %v", in, err)
	}
	// Signed in: the counts are cleared, codes work again.
	f.clock.add(30 * time.Second)
	if _, err := f.d.SignIn(ctx, Credentials{Email: u.Email, Password: password, Code: f.code(t, secret), Source: "src:owner"}); err != nil {
		t.Errorf("a code after the owner signed in: %v", err)
	}
	_, err = f.d.SignIn(ctx, Credentials{Email: u.Email, Password: password, Code: recovery[0], Source: "src:owner"})
	wantCode(t, "a spent recovery code", err, kolokol.EUNAUTHORIZED)
}

// TestConfirmCodeThrottled: the code that guards adding a passkey counts
// wrong guesses like sign-in, so an open browser cannot guess its way to
// leaving a key behind.
func TestConfirmCodeThrottled(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	u, secret, _ := f.account(t, "omid@example.org", kolokol.RoleEditor, "fa")
	for i := range 500 {
		err := f.d.ConfirmCode(ctx, u, fmt.Sprintf("guess%d", i), "src:browser", "passkey.add")
		if err == nil {
			t.Fatal("a guessed code was accepted")
		}
		if i >= freeCodeFailures+1 {
			wantCode(t, fmt.Sprintf("guess %d", i), err, kolokol.ETHROTTLED)
		}
	}
	wantCode(t, "the right code while throttled", f.d.ConfirmCode(ctx, u, f.code(t, secret), "src:browser", "passkey.add"), kolokol.ETHROTTLED)
	// 500 refusals in the log: a handful of lines.
	if n := len(f.audit(t, kolokol.AuditFilter{Actor: u.Email})); n > 4 {
		t.Errorf("%d audit entries for 500 refused codes", n)
	}
	f.clock.add(2 * time.Hour)
	f.d.FlushAudit(ctx, false)
	var summary *kolokol.AuditEntry
	for _, e := range f.audit(t, kolokol.AuditFilter{Actor: u.Email}) {
		if strings.Contains(e.Detail, "more times") {
			summary = e
		}
	}
	if summary == nil || !strings.Contains(summary.Detail, "repeated ") || !slicesHave(summary.Services, "fa") {
		t.Errorf("no summary of the refusals: %+v", summary)
	}
	if err := f.d.ConfirmCode(ctx, u, f.code(t, secret), "src:browser", "passkey.add"); err != nil {
		t.Errorf("the right code once the lock ended: %v", err)
	}
}

func slicesHave(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestSignInFloodAudit: a flood of failed sign-ins with made-up emails
// writes a few lines, then one line counting the rest.
func TestSignInFloodAudit(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	const attempts = 120
	for i := range attempts {
		f.d.SignIn(ctx, Credentials{Email: fmt.Sprintf("made-up-%d@example.org", i), Password: "x", Code: "1", Source: "src:flood"})
		f.clock.add(10 * time.Millisecond)
	}
	during := f.audit(t, kolokol.AuditFilter{})
	t.Logf("%d failed sign-ins at made-up emails: %d audit entries", attempts, len(during))
	if len(during) > 3 {
		t.Errorf("%d audit entries for %d failed sign-ins", len(during), attempts)
	}
	f.clock.add(time.Minute)
	f.d.FlushAudit(ctx, false)
	total := 0
	for _, e := range f.audit(t, kolokol.AuditFilter{}) {
		if e.Actor != unknownAccount {
			t.Errorf("entry names %q, not %q", e.Actor, unknownAccount)
		}
		total += Events(e)
	}
	if total != attempts {
		t.Errorf("the log accounts for %d attempts, want %d", total, attempts)
	}
}

// TestAuditBoundedUnderAttack: a day of refusals, one a second, writes a
// few lines an hour, and counts every one.
func TestAuditBoundedUnderAttack(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	attacker := kolokol.Actor{Name: "stolen@ru"}
	const seconds = 24 * 3600
	for range seconds {
		f.d.write(ctx, attacker, kolokol.AuditEntry{Action: "passkey.add", Services: []string{"ru"}}, kolokol.Errorf(kolokol.EUNAUTHORIZED, "wrong code"))
		f.clock.add(time.Second)
		if f.clock.now().Second() == 0 {
			f.d.FlushAudit(ctx, false)
		}
	}
	f.d.FlushAudit(ctx, true)
	es := f.audit(t, kolokol.AuditFilter{Service: "ru"})
	t.Logf("a day of refusals, one a second: %d audit entries", len(es))
	if len(es) > 40 {
		t.Errorf("%d entries for a day of refusals", len(es))
	}
	total := 0
	for _, e := range es {
		total += Events(e)
	}
	if total != seconds {
		t.Errorf("the log counts %d refusals, want %d", total, seconds)
	}
}

// TestHashesBounded: a flood of concurrent sign-ins never runs more
// password hashes at once than the gate allows.
func TestHashesBounded(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	var wg sync.WaitGroup
	for i := range 24 {
		wg.Go(func() {
			f.d.SignIn(ctx, Credentials{Email: fmt.Sprintf("x%d@example.org", i), Password: "x", Code: "1", Source: fmt.Sprint("src:", i)})
		})
	}
	wg.Wait()
	t.Logf("24 concurrent sign-ins: at most %d hashes at once (limit %d)", f.d.HashGate().Peak(), f.d.HashGate().Limit())
	if p, limit := f.d.HashGate().Peak(), f.d.HashGate().Limit(); p == 0 || p > limit {
		t.Errorf("%d hashes ran at once, limit %d", p, limit)
	}
}

// TestSessions: idle and absolute timeouts, and what an ended session says.
func TestSessions(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	u, secret, _ := f.account(t, "sara@example.org", kolokol.RoleEditor, "ru")
	in, err := f.d.SignIn(ctx, Credentials{Email: u.Email, Password: password, Code: f.code(t, secret)})
	if err != nil {
		t.Fatal(err)
	}
	for range 36 { // active for the whole 12 hours: alive
		f.clock.add(20 * time.Minute)
		if _, err := f.d.Session(ctx, in.Token); err != nil {
			t.Fatalf("active session at %s: %v", f.clock.now(), err)
		}
	}
	f.clock.add(20 * time.Minute) // active, but past the absolute timeout
	_, err = f.d.Session(ctx, in.Token)
	var expired *ExpiredSession
	if !errors.As(err, &expired) || expired.UserID != u.ID || kolokol.ErrorCode(err) != kolokol.EUNAUTHORIZED {
		t.Fatalf("past the absolute timeout: %v", err)
	}
	if _, err := f.d.Session(ctx, in.Token); errors.As(err, &expired) {
		t.Error("an ended session is still known")
	}
	f.clock.add(30 * time.Second)
	in, _ = f.d.SignIn(ctx, Credentials{Email: u.Email, Password: password, Code: f.code(t, secret)})
	f.clock.add(IdleTimeout + time.Second)
	if _, err := f.d.Session(ctx, in.Token); !errors.As(err, &expired) {
		t.Errorf("idle session: %v", err)
	}
	if _, err := f.d.Session(ctx, "made-up"); kolokol.ErrorCode(err) != kolokol.EUNAUTHORIZED || errors.As(err, &expired) {
		t.Errorf("unknown session: %v", err)
	}
}

// TestAccountsScope: a service admin learns nothing of accounts outside
// their services, and sees what concerns their own, sign-ins included.
func TestAccountsScope(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	fa, _, _ := f.account(t, "fa-editor@example.org", kolokol.RoleEditor, "fa")
	ru, ruSecret, _ := f.account(t, "ru-editor@example.org", kolokol.RoleEditor, "ru")
	_, err := f.d.User(ctx, adminRU, fa.ID)
	wantCode(t, "another service's account", err, kolokol.ENOTFOUND)
	for _, leak := range []string{"fa", "editor"} {
		if strings.Contains(kolokol.ErrorMessage(err), leak) {
			t.Errorf("the refusal %q tells %q", kolokol.ErrorMessage(err), leak)
		}
	}
	_, err = f.d.ResetUser(ctx, adminRU, fa.ID)
	wantCode(t, "reset another service's account", err, kolokol.ENOTFOUND)
	_, err = f.d.UpdateUserAccess(ctx, adminRU, fa.ID, UserInput{Role: kolokol.RoleReporter, Services: []string{"ru"}})
	wantCode(t, "take another service's account", err, kolokol.ENOTFOUND)
	if _, err := f.d.User(ctx, adminRU, ru.ID); err != nil {
		t.Errorf("own service's account: %v", err)
	}
	if _, err := f.d.SignIn(ctx, Credentials{Email: ru.Email, Password: password, Code: f.code(t, ruSecret)}); err != nil {
		t.Fatal(err)
	}
	got, err := f.d.Audit(ctx, adminRU, kolokol.AuditFilter{Service: "ru", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range got {
		seen[e.Action+" "+e.Actor+" "+e.Target] = true
		if e.Actor == fa.Email || e.Target == fa.Email && e.Actor != adminRU.Name {
			t.Errorf("the ru admin sees an entry of the fa account: %+v", e)
		}
	}
	for _, want := range []string{"user.add admin@example.org ru-editor@example.org", "user.enrol ru-editor@example.org ",
		"login.ok ru-editor@example.org ", "user.read.denied admin@ru fa-editor@example.org",
		"user.reset.denied admin@ru fa-editor@example.org"} {
		if !seen[want] {
			t.Errorf("the ru admin's audit log lacks %q", want)
		}
	}
	// The fa admins see that a ru admin tried their account.
	faLog, _ := f.d.Audit(ctx, admin, kolokol.AuditFilter{Service: "fa", Action: "user.read.denied"})
	if len(faLog) != 1 || faLog[0].Actor != adminRU.Name {
		t.Errorf("fa's log of the attempt: %+v", faLog)
	}
}

// TestThrottleForgets: the throttle's counts live in the store, and the
// scheduler drops those a day without a failure has made forgotten, as a
// limiter in memory forgot them.
func TestThrottleForgets(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	for range 3 {
		f.d.SignIn(ctx, Credentials{Email: "nobody@example.org", Password: "guess", Code: "123456", Source: "src:guesser"})
	}
	th, err := f.store.FindThrottle(ctx, "accounts", acctKey("nobody@example.org"))
	if err != nil || th.Failures != 3 {
		t.Fatalf("stored count: %+v %v", th, err)
	}
	run := func() {
		t.Helper()
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); f.d.RunScheduler(rctx, time.Hour, func(int, error) {}) }()
		time.Sleep(100 * time.Millisecond) // its first round runs at once
		cancel()
		<-done
	}
	f.clock.add(23 * time.Hour)
	run()
	if th, _ := f.store.FindThrottle(ctx, "sources", "src:guesser"); th.Failures != 3 {
		t.Errorf("a count within its day was pruned: %+v", th)
	}
	f.clock.add(2 * time.Hour)
	run()
	for kind, key := range map[string]string{"accounts": acctKey("nobody@example.org"), "sources": "src:guesser"} {
		if th, _ := f.store.FindThrottle(ctx, kind, key); th.Failures != 0 {
			t.Errorf("a forgotten %s count is kept: %+v", kind, th)
		}
	}
}
