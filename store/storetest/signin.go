package storetest

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

// newcomer is an account as an admin adds it: no password, no factor.
func newcomer(email string) *kolokol.User {
	return &kolokol.User{Email: email, Name: "Новый Сотрудник", Role: kolokol.RoleReporter, Services: []string{"ru"}}
}

func link(name string, userID int64, expires time.Time) *kolokol.Enrolment {
	return &kolokol.Enrolment{TokenHash: sessionID(name), UserID: userID, TOTPSecret: secret, ExpiresAt: expires}
}

func completion(name string, now time.Time) *kolokol.EnrolmentCompletion {
	return &kolokol.EnrolmentCompletion{TokenHash: sessionID(name), Now: now,
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$" + name, TOTPLastStep: 57_000_000,
		RecoveryHashes: []string{hashOf(name + "1"), hashOf(name + "2")}}
}

func testEnrolments(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	u := newcomer("new@example.org")
	ok(t, s.CreateUser(ctx, u), "create user")
	now := at(5, 12, 0)

	e := link("l1", u.ID, now.Add(72*time.Hour))
	ok(t, s.CreateEnrolment(ctx, e), "create enrolment")
	got, err := s.FindEnrolment(ctx, e.TokenHash, now)
	ok(t, err, "find enrolment")
	same(t, "enrolment", got, e)
	for _, when := range []time.Time{e.ExpiresAt, e.ExpiresAt.Add(time.Hour)} {
		_, err = s.FindEnrolment(ctx, e.TokenHash, when)
		wantCode(t, err, kolokol.ENOTFOUND, "")
	}

	// A second link replaces the first: an old link is dead.
	e2 := link("l2", u.ID, now.Add(72*time.Hour))
	ok(t, s.CreateEnrolment(ctx, e2), "create second enrolment")
	_, err = s.FindEnrolment(ctx, e.TokenHash, now)
	wantCode(t, err, kolokol.ENOTFOUND, "")
	_, err = s.CompleteEnrolment(ctx, completion("l1", now))
	wantCode(t, err, kolokol.ENOTFOUND, "")

	for _, c := range []struct {
		name  string
		e     kolokol.Enrolment
		field string
	}{
		{"bad token", kolokol.Enrolment{TokenHash: "x", UserID: u.ID, TOTPSecret: secret, ExpiresAt: now}, "token"},
		{"unknown user", kolokol.Enrolment{TokenHash: sessionID("y"), UserID: 999, TOTPSecret: secret, ExpiresAt: now}, "user_id"},
		{"no expiry", kolokol.Enrolment{TokenHash: sessionID("y"), UserID: u.ID, TOTPSecret: secret}, "expires_at"},
		{"no secret", kolokol.Enrolment{TokenHash: sessionID("y"), UserID: u.ID, ExpiresAt: now}, "totp_secret"},
		{"secret not base32", kolokol.Enrolment{TokenHash: sessionID("y"), UserID: u.ID, TOTPSecret: "jbswy3dpehpk3pxp!", ExpiresAt: now}, "totp_secret"},
	} {
		wantCode(t, s.CreateEnrolment(ctx, &c.e), kolokol.EINVALID, c.field)
	}
	if _, err := s.FindEnrolment(ctx, e2.TokenHash, now); err != nil {
		t.Fatalf("a refused link replaced the good one: %v", err)
	}

	// Completing sets everything at once and spends every link.
	done, err := s.CompleteEnrolment(ctx, completion("l2", now.In(time.FixedZone("Tehran", 12600))))
	ok(t, err, "complete enrolment")
	if done.PasswordHash == "" || done.TOTPSecret != secret || done.TOTPLastStep != 57_000_000 || len(done.RecoveryHashes) != 2 || done.Version != u.Version+1 {
		t.Fatalf("enrolled account: %+v", done)
	}
	stored, _ := s.FindUserByID(ctx, u.ID)
	same(t, "enrolled account", stored, done)
	_, err = s.FindEnrolment(ctx, e2.TokenHash, now)
	wantCode(t, err, kolokol.ENOTFOUND, "")
	_, err = s.CompleteEnrolment(ctx, completion("l2", now))
	wantCode(t, err, kolokol.ENOTFOUND, "")

	// An enrolled account gets no link without a reset.
	wantCode(t, s.CreateEnrolment(ctx, link("l3", u.ID, now.Add(time.Hour))), kolokol.ECONFLICT, "")

	bad := completion("l2", now)
	bad.PasswordHash = "plain"
	_, err = s.CompleteEnrolment(ctx, bad)
	wantCode(t, err, kolokol.EINVALID, "password_hash")
	bad = completion("l2", now)
	bad.RecoveryHashes = nil
	_, err = s.CompleteEnrolment(ctx, bad)
	wantCode(t, err, kolokol.EINVALID, "recovery_hashes")
	_, err = s.CompleteEnrolment(ctx, completion("never", now))
	wantCode(t, err, kolokol.ENOTFOUND, "")

	// An expired link does not complete, and stays refused.
	v := newcomer("late@example.org")
	ok(t, s.CreateUser(ctx, v), "create user")
	ok(t, s.CreateEnrolment(ctx, link("late", v.ID, now.Add(time.Hour))), "create enrolment")
	_, err = s.CompleteEnrolment(ctx, completion("late", now.Add(time.Hour)))
	wantCode(t, err, kolokol.ENOTFOUND, "")
	if after, _ := s.FindUserByID(ctx, v.ID); after.PasswordHash != "" || after.Version != v.Version {
		t.Errorf("an expired link changed the account: %+v", after)
	}
}

// testEnrolmentRace: of concurrent completions of one link, and of one
// account through a link and a reset, exactly one wins and the account is
// never left without both password and link.
func testEnrolmentRace(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	now := at(5, 12, 0)
	u := newcomer("race@example.org")
	ok(t, s.CreateUser(ctx, u), "create user")
	ok(t, s.CreateEnrolment(ctx, link("race", u.ID, now.Add(time.Hour))), "create enrolment")
	const racers = 8
	var wg sync.WaitGroup
	errs := make([]error, racers)
	for i := range racers {
		wg.Go(func() {
			c := completion("race", now)
			c.PasswordHash += fmt.Sprint(i)
			_, errs[i] = s.CompleteEnrolment(ctx, c)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch kolokol.ErrorCode(err) {
		case "":
			won++
		case kolokol.ENOTFOUND, kolokol.ECONFLICT:
		default:
			t.Errorf("racing completion: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d of %d racing completions won, want exactly 1", won, racers)
	}

	// A reset racing a completion: either order leaves the account usable.
	for round := range 10 {
		v := newcomer(fmt.Sprintf("round%d@example.org", round))
		ok(t, s.CreateUser(ctx, v), "create user")
		name := fmt.Sprintf("r%d", round)
		ok(t, s.CreateEnrolment(ctx, link(name, v.ID, now.Add(time.Hour))), "create enrolment")
		var enrolErr, resetErr error
		wg.Go(func() { _, enrolErr = s.CompleteEnrolment(ctx, completion(name, now)) })
		wg.Go(func() { _, resetErr = s.ResetUser(ctx, v.ID, v.Version, link(name+"new", v.ID, now.Add(time.Hour))) })
		wg.Wait()
		after, err := s.FindUserByID(ctx, v.ID)
		ok(t, err, "find user")
		_, linkErr := s.FindEnrolment(ctx, sessionID(name+"new"), now)
		switch {
		case enrolErr == nil && resetErr == nil:
			// enrolled, then reset: no password, the new link works
			if after.PasswordHash != "" || linkErr != nil {
				t.Errorf("round %d: enrolled then reset, but password %q, link %v", round, after.PasswordHash, linkErr)
			}
		case enrolErr == nil:
			// the reset lost on the version: enrolled, no link
			wantCode(t, resetErr, kolokol.ECONFLICT, "")
			if after.PasswordHash == "" || linkErr == nil {
				t.Errorf("round %d: enrolled, reset refused, but password %q, link %v", round, after.PasswordHash, linkErr)
			}
		case resetErr == nil:
			// reset first: the old link died with it
			wantCode(t, enrolErr, kolokol.ENOTFOUND, "")
			if after.PasswordHash != "" || linkErr != nil {
				t.Errorf("round %d: reset first, but password %q, link %v", round, after.PasswordHash, linkErr)
			}
		default:
			t.Errorf("round %d: both failed: %v; %v", round, enrolErr, resetErr)
		}
	}
}

func testResetUser(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	now := at(5, 12, 0)
	u := newUser("taken@example.org")
	ok(t, s.CreateUser(ctx, u), "create user")
	ok(t, s.CreateSession(ctx, &kolokol.Session{ID: sessionID("s1"), UserID: u.ID, ExpiresAt: now.Add(time.Hour)}), "create session")
	ok(t, s.CreatePasskey(ctx, &kolokol.Passkey{ID: "their-key", UserID: u.ID, Credential: []byte("{}")}), "create passkey")
	ok(t, s.CreatePending(ctx, &kolokol.PendingSave{IDHash: sessionID("p"), UserID: u.ID, Path: "/newsroom/stories",
		ContentType: "application/x-www-form-urlencoded", Body: []byte("a=b"), ExpiresAt: now.Add(time.Hour)}), "hold a save")

	_, err := s.ResetUser(ctx, u.ID, u.Version+1, link("reset", u.ID, now.Add(time.Hour)))
	wantCode(t, err, kolokol.ECONFLICT, "")
	_, err = s.ResetUser(ctx, 999, 1, link("reset", 999, now.Add(time.Hour)))
	wantCode(t, err, kolokol.ENOTFOUND, "")
	_, err = s.ResetUser(ctx, u.ID, u.Version, link("reset", u.ID+1, now.Add(time.Hour)))
	wantCode(t, err, kolokol.EINVALID, "user_id")
	if still, _ := s.FindUserByID(ctx, u.ID); still.PasswordHash == "" {
		t.Fatal("a refused reset cleared the password")
	}

	r, err := s.ResetUser(ctx, u.ID, u.Version, link("reset", u.ID, now.Add(time.Hour)))
	ok(t, err, "reset")
	if r.PasswordHash != "" || r.TOTPSecret != "" || r.TOTPLastStep != 0 || r.RecoveryHashes != nil || r.Version != u.Version+1 {
		t.Errorf("reset account: %+v", r)
	}
	if _, err := s.FindSession(ctx, sessionID("s1")); kolokol.ErrorCode(err) != kolokol.ENOTFOUND {
		t.Errorf("a session survived the reset: %v", err)
	}
	if keys, _ := s.FindPasskeys(ctx, u.ID); len(keys) != 0 {
		t.Errorf("passkeys survived the reset: %d", len(keys))
	}
	_, err = s.TakePending(ctx, sessionID("p"), u.ID, now)
	wantCode(t, err, kolokol.ENOTFOUND, "")
	if _, err := s.FindEnrolment(ctx, sessionID("reset"), now); err != nil {
		t.Errorf("the reset's link: %v", err)
	}
}

func testSignIn(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	now := at(5, 12, 0)
	u := newUser("signin@example.org") // last step 42, recovery "one" and "two"
	ok(t, s.CreateUser(ctx, u), "create user")
	sess := func(name string) *kolokol.Session {
		return &kolokol.Session{ID: sessionID(name), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	}

	ok(t, s.SignIn(ctx, sess("a"), kolokol.SecondFactor{TOTPStep: 43}), "sign in with step 43")
	if got, _ := s.FindSession(ctx, sessionID("a")); got == nil || got.UserID != u.ID {
		t.Fatalf("session of the sign-in: %+v", got)
	}
	for _, step := range []int64{43, 42, 1} {
		wantCode(t, s.SignIn(ctx, sess(fmt.Sprint("replay", step)), kolokol.SecondFactor{TOTPStep: step}), kolokol.ECONFLICT, "code")
		if _, err := s.FindSession(ctx, sessionID(fmt.Sprint("replay", step))); kolokol.ErrorCode(err) != kolokol.ENOTFOUND {
			t.Errorf("a refused sign-in stored its session: %v", err)
		}
	}

	ok(t, s.SignIn(ctx, sess("b"), kolokol.SecondFactor{RecoveryHash: hashOf("one"), PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3"}), "sign in with a recovery code")
	got, _ := s.FindUserByID(ctx, u.ID)
	if len(got.RecoveryHashes) != 1 || got.RecoveryHashes[0] != hashOf("two") || got.PasswordHash != "$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3" || got.TOTPLastStep != 43 {
		t.Errorf("after the sign-ins: %+v", got)
	}
	wantCode(t, s.SignIn(ctx, sess("c"), kolokol.SecondFactor{RecoveryHash: hashOf("one")}), kolokol.ECONFLICT, "code")
	ok(t, s.UseSecondFactor(ctx, u.ID, kolokol.SecondFactor{TOTPStep: 44}), "confirm with step 44")
	wantCode(t, s.UseSecondFactor(ctx, u.ID, kolokol.SecondFactor{TOTPStep: 44}), kolokol.ECONFLICT, "code")

	for _, c := range []struct {
		name string
		f    kolokol.SecondFactor
	}{
		{"none", kolokol.SecondFactor{}},
		{"two", kolokol.SecondFactor{TOTPStep: 50, RecoveryHash: hashOf("two")}},
		{"bad hash", kolokol.SecondFactor{RecoveryHash: "two"}},
		{"plain password", kolokol.SecondFactor{TOTPStep: 50, PasswordHash: "secret"}},
	} {
		if err := s.SignIn(ctx, sess("bad"+c.name), c.f); kolokol.ErrorCode(err) != kolokol.EINVALID {
			t.Errorf("%s: %v, want invalid", c.name, err)
		}
	}

	// A disabled account signs in with nothing.
	got, _ = s.FindUserByID(ctx, u.ID)
	got.Disabled = true
	ok(t, s.UpdateUser(ctx, got), "disable")
	wantCode(t, s.SignIn(ctx, sess("d"), kolokol.SecondFactor{TOTPStep: 100}), kolokol.EUNAUTHORIZED, "")
	wantCode(t, s.SignIn(ctx, &kolokol.Session{ID: sessionID("e"), UserID: 999, ExpiresAt: now.Add(time.Hour)},
		kolokol.SecondFactor{TOTPStep: 100}), kolokol.EUNAUTHORIZED, "")
	got.Disabled = false
	ok(t, s.UpdateUser(ctx, got), "enable")

	// Of racing sign-ins with one code, exactly one gets in; so too with
	// one recovery code.
	for _, f := range []kolokol.SecondFactor{{TOTPStep: 200}, {RecoveryHash: hashOf("two")}} {
		const racers = 8
		var wg sync.WaitGroup
		errs := make([]error, racers)
		for i := range racers {
			wg.Go(func() { errs[i] = s.SignIn(ctx, sess(fmt.Sprintf("race%v%d", f, i)), f) })
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch kolokol.ErrorCode(err) {
			case "":
				won++
			case kolokol.ECONFLICT:
			default:
				t.Errorf("racing sign-in: %v", err)
			}
		}
		if won != 1 {
			t.Errorf("%d of %d racing sign-ins with %+v won, want exactly 1", won, racers, f)
		}
	}
}

func testPending(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	u := newUser("pending@example.org")
	ok(t, s.CreateUser(ctx, u), "create user")
	other := newUser("other@example.org")
	ok(t, s.CreateUser(ctx, other), "create user")
	body := bytes.Repeat([]byte("headline=%D0%9F%D0%B0%D1%80%D0%BE%D0%BC&"), 1000)
	p := &kolokol.PendingSave{IDHash: sessionID("p1"), UserID: u.ID, Path: "/newsroom/stories/7",
		ContentType: "multipart/form-data; boundary=x", Body: body, Title: "Save of “Паром”", ExpiresAt: now.Add(time.Hour)}
	ok(t, s.CreatePending(ctx, p), "hold a save")
	stamped(t, "created", p.CreatedAt)

	_, err := s.TakePending(ctx, p.IDHash, other.ID, now)
	wantCode(t, err, kolokol.ENOTFOUND, "")
	_, err = s.TakePending(ctx, p.IDHash, u.ID, p.ExpiresAt)
	wantCode(t, err, kolokol.ENOTFOUND, "")
	got, err := s.TakePending(ctx, p.IDHash, u.ID, now)
	ok(t, err, "take the held save")
	same(t, "held save", got, p)
	_, err = s.TakePending(ctx, p.IDHash, u.ID, now)
	wantCode(t, err, kolokol.ENOTFOUND, "")

	// At most MaxPendingPerUser each: the oldest go.
	for i := range kolokol.MaxPendingPerUser + 2 {
		ok(t, s.CreatePending(ctx, &kolokol.PendingSave{IDHash: sessionID(fmt.Sprint("n", i)), UserID: u.ID, Path: "/newsroom/stories",
			ContentType: "application/x-www-form-urlencoded", Body: []byte{}, ExpiresAt: now.Add(time.Hour)}), "hold save %d", i)
		time.Sleep(time.Millisecond) // distinct creation times
	}
	kept := 0
	for i := range kolokol.MaxPendingPerUser + 2 {
		if _, err := s.TakePending(ctx, sessionID(fmt.Sprint("n", i)), u.ID, now); err == nil {
			kept++
			if i < 2 {
				t.Errorf("held save %d, among the oldest, was kept", i)
			}
		}
	}
	if kept != kolokol.MaxPendingPerUser {
		t.Errorf("kept %d held saves, want %d", kept, kolokol.MaxPendingPerUser)
	}

	for _, c := range []struct {
		name  string
		p     kolokol.PendingSave
		field string
	}{
		{"reader path", kolokol.PendingSave{IDHash: sessionID("x"), UserID: u.ID, Path: "/ru/", ExpiresAt: now}, "path"},
		{"no user", kolokol.PendingSave{IDHash: sessionID("x"), Path: "/newsroom/stories", ExpiresAt: now}, "user_id"},
		{"unknown user", kolokol.PendingSave{IDHash: sessionID("x"), UserID: 999, Path: "/newsroom/stories", ExpiresAt: now}, "user_id"},
		{"no expiry", kolokol.PendingSave{IDHash: sessionID("x"), UserID: u.ID, Path: "/newsroom/stories"}, "expires_at"},
	} {
		wantCode(t, s.CreatePending(ctx, &c.p), kolokol.EINVALID, c.field)
	}
	huge := &kolokol.PendingSave{IDHash: sessionID("x"), UserID: u.ID, Path: "/newsroom/stories", ExpiresAt: now.Add(time.Hour),
		Body: make([]byte, kolokol.MaxPendingBytes+1)}
	wantCode(t, s.CreatePending(ctx, huge), kolokol.ETOOLARGE, "body")
}

func testAutosaves(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	u := newUser("autosave@example.org")
	ok(t, s.CreateUser(ctx, u), "create user")
	svc := newService("fa")
	ok(t, s.CreateService(ctx, svc), "create service")
	a := newArticle("fa", "چیزی")
	ok(t, s.CreateArticle(ctx, a), "create article")

	w := &kolokol.Autosave{UserID: u.ID, ArticleID: a.ID, Service: "fa", Version: 1,
		Fields: map[string]string{"headline": "بازگشت کشتی", "body": "متن\n\nپاراگراف دوم"}}
	ok(t, s.PutAutosave(ctx, w), "autosave")
	stamped(t, "saved", w.SavedAt)
	got, err := s.FindAutosave(ctx, u.ID, a.ID, "fa")
	ok(t, err, "find working copy")
	same(t, "working copy", got, w)

	w.Fields["headline"], w.Version = "دوم", 2
	ok(t, s.PutAutosave(ctx, w), "autosave again")
	got, _ = s.FindAutosave(ctx, u.ID, a.ID, "fa")
	same(t, "replaced working copy", got, w)

	fresh := &kolokol.Autosave{UserID: u.ID, Service: "fa", Fields: map[string]string{"headline": "تازه"}}
	ok(t, s.PutAutosave(ctx, fresh), "autosave a new story")
	if got, err := s.FindAutosave(ctx, u.ID, 0, "fa"); err != nil || got.Fields["headline"] != "تازه" {
		t.Errorf("new story's working copy: %+v %v", got, err)
	}

	wantCode(t, s.PutAutosave(ctx, &kolokol.Autosave{UserID: u.ID, ArticleID: a.ID, Service: "en", Fields: map[string]string{}}), kolokol.EINVALID, "")
	wantCode(t, s.PutAutosave(ctx, &kolokol.Autosave{UserID: 999, ArticleID: a.ID, Service: "fa"}), kolokol.EINVALID, "user_id")
	wantCode(t, s.PutAutosave(ctx, &kolokol.Autosave{UserID: u.ID, ArticleID: 999, Service: "fa"}), kolokol.EINVALID, "article_id")
	big := string(bytes.Repeat([]byte("x"), kolokol.MaxBody))
	wantCode(t, s.PutAutosave(ctx, &kolokol.Autosave{UserID: u.ID, Service: "fa",
		Fields: map[string]string{"body": big, "summary": big, "tags": big}}), kolokol.ETOOLARGE, "")

	ok(t, s.DeleteAutosave(ctx, u.ID, a.ID, "fa"), "delete working copy")
	ok(t, s.DeleteAutosave(ctx, u.ID, a.ID, "fa"), "delete it again")
	_, err = s.FindAutosave(ctx, u.ID, a.ID, "fa")
	wantCode(t, err, kolokol.ENOTFOUND, "")
}

func testAuditScope(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	for _, e := range []*kolokol.AuditEntry{
		{Actor: "a@example.org", Action: "article.publish", Service: "ru", ArticleID: 3},
		{Actor: "admin@example.org", Action: "user.add", Target: "b@example.org", Services: []string{"fa", "ru"}},
		{Actor: "b@example.org", Action: "login.ok", Services: []string{"fa"}},
		{Actor: "root@example.org", Action: "settings.update"},
	} {
		ok(t, s.AddAudit(ctx, e), "add %s", e.Action)
	}
	for svc, want := range map[string][]string{"ru": {"user.add", "article.publish"}, "fa": {"login.ok", "user.add"}, "en": nil} {
		got, err := s.FindAudit(ctx, kolokol.AuditFilter{Service: svc})
		ok(t, err, "find %s", svc)
		var actions []string
		for _, e := range got {
			actions = append(actions, e.Action)
		}
		if fmt.Sprint(actions) != fmt.Sprint(want) {
			t.Errorf("entries of %s: %v, want %v", svc, actions, want)
		}
	}
	all, _ := s.FindAudit(ctx, kolokol.AuditFilter{})
	if len(all) != 4 || fmt.Sprint(all[2].Services) != "[fa ru]" || fmt.Sprint(all[3].Services) != "[ru]" || all[0].Services != nil {
		t.Errorf("services as stored: %v %v %v", all[0].Services, all[2].Services, all[3].Services)
	}

	for i := range 20 {
		ok(t, s.AddAudit(ctx, &kolokol.AuditEntry{Actor: "x", Action: "login.fail", Services: []string{"ru"}, Detail: fmt.Sprint(i)}), "add")
	}
	n, err := s.PruneAudit(ctx, 10)
	ok(t, err, "prune")
	if n != 14 {
		t.Errorf("pruned %d, want 14", n)
	}
	left, _ := s.FindAudit(ctx, kolokol.AuditFilter{Limit: 100})
	if len(left) != 10 || left[0].Detail != "19" || left[9].Detail != "10" {
		t.Errorf("after pruning: %d entries, newest %q", len(left), left[0].Detail)
	}
	if ru, _ := s.FindAudit(ctx, kolokol.AuditFilter{Service: "ru", Limit: 100}); len(ru) != 10 {
		t.Errorf("the pruned entries are still found by service: %d", len(ru))
	}
	if n, err := s.PruneAudit(ctx, 10); err != nil || n != 0 {
		t.Errorf("pruning again: %d, %v", n, err)
	}
	if _, err := s.PruneAudit(ctx, -1); kolokol.ErrorCode(err) != kolokol.EINVALID {
		t.Errorf("keeping -1: %v", err)
	}
}
