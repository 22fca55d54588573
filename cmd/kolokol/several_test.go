package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/auth"
	"github.com/kolokol/kolokol/internal/pgtest"
)

// joinTestApp is a second server on the database of ta, as serve runs one
// beside it: the same public origin (a load balancer in front of both),
// its own data directory and listener, following the change log woken by
// the store's notifications, with a poll a minute away so that only the
// notification can bring a change within a second.
func joinTestApp(t *testing.T, ta *testApp, db string) *testApp {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &bytes.Buffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ln := listenLoopback(t)
	app, err := NewAppWith(ctx, Config{Data: t.TempDir(), DB: db, BaseURL: ta.srv.URL, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, ln, app, logger, testNetHTTP(), defaultLimits)
	t.Cleanup(func() { cancel(); app.Close() })
	follow(t, ctx, app)
	return &testApp{App: app, srv: srv, logs: logs, admin: ta.admin, demo: ta.demo, tokens: ta.tokens}
}

// follow runs app's change log hub as serve does, woken by the store, and
// returns once the store listens.
func follow(t *testing.T, ctx context.Context, app *App) {
	t.Helper()
	w, ok := app.Store.(kolokol.ChangeWaker)
	if !ok {
		t.Fatal("the store does not notify changes")
	}
	listening := make(chan struct{})
	var once bool
	go w.ListenChanges(ctx, func() {
		app.Changes.Wake()
		if !once {
			once = true
			close(listening)
		}
	}, func(err error) { t.Logf("listener: %v", err) })
	go app.Changes.Run(ctx, time.Minute)
	select {
	case <-listening:
	case <-time.After(10 * time.Second):
		t.Fatal("the store did not listen")
	}
}

// within polls until cond holds, failing after d.
func within(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("%s: not within %s", what, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

// TestServersShareState: two servers on one PostgreSQL database. A change
// made on one shows on the other's pages within a second (notices,
// security.txt, stories); a session made on one is valid on the other;
// the sign-in throttle counts attempts on both as one; a passkey ceremony
// begun on one finishes on the other.
func TestServersShareState(t *testing.T) {
	dsn := pgtest.DSN(t)
	one := newTestAppWith(t, Config{DB: dsn})
	follow(t, t.Context(), one.App)
	two := joinTestApp(t, one, dsn)
	ctx := t.Context()
	admin := kolokol.Actor{Name: "admin", Role: kolokol.RoleAdmin}

	// A session made on one is valid on two, and ended on two it is
	// ended on one.
	session := one.account(t, "both@example.org", kolokol.RoleEditor, "ru")
	if r := two.page(t, session, "/newsroom/"); r.status != http.StatusOK {
		t.Fatalf("one's session on two: %d", r.status)
	}
	if r := two.do(t, "POST", "/newsroom/logout", "", nil, "Cookie", "kk_session="+session); r.status != http.StatusSeeOther {
		t.Fatalf("sign out on two: %d", r.status)
	}
	if r := one.page(t, session, "/newsroom/"); r.status != http.StatusSeeOther {
		t.Errorf("a session ended on two is valid on one: %d", r.status)
	}

	// A notice set on one is on two's pages within a second.
	two.get(t, "/ru/") // cached on two before the change
	n := &kolokol.Notice{Service: "ru", Text: "Осторожно: этот сайт заблокирован.", Countries: []string{"RU"}, Default: true}
	if err := one.Desk.SaveNotice(ctx, admin, n); err != nil {
		t.Fatal(err)
	}
	took := within(t, time.Second, "the notice on two", func() bool {
		return strings.Contains(string(two.get(t, "/ru/").body), "этот сайт заблокирован")
	})
	t.Logf("notice on two after %s", took)

	// So is security.txt.
	txt := "Contact: mailto:security@example.org\nExpires: " + time.Now().Add(90*24*time.Hour).UTC().Format(time.RFC3339) + "\n"
	if err := one.Desk.SetSecurityTxt(ctx, admin, txt); err != nil {
		t.Fatal(err)
	}
	within(t, time.Second, "security.txt on two", func() bool {
		r := two.get(t, "/.well-known/security.txt")
		return r.status == http.StatusOK && strings.Contains(string(r.body), "security@example.org")
	})

	// The throttle: an account's five free failures are five whichever
	// server they reach.
	const email, password = "throttled@example.org", "correct horse battery staple"
	one.account(t, email, kolokol.RoleEditor, "ru")
	for i := range 5 {
		ta := []*testApp{one, two}[i%2]
		if r := ta.signIn(t, email, "wrong password", "000000"); r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, r.status)
		}
	}
	two.signIn(t, email, "wrong password", "000000") // the sixth locks the account
	for _, ta := range []*testApp{one, two} {
		if r := ta.signIn(t, email, "wrong password", "000000"); r.status != http.StatusTooManyRequests {
			t.Errorf("a locked account on %s: %d, want 429", ta.srv.URL, r.status)
		}
	}
	// A source's failures, too: twenty free, from the same network, on
	// either server.
	for i := range 20 {
		ta := []*testApp{one, two}[i%2]
		ta.signIn(t, fmt.Sprintf("nobody%d@example.org", i), "x", "1")
	}
	code, _ := auth.TOTPCode(one.demo.EditorTOTP, time.Now())
	one.signIn(t, one.demo.EditorEmail, "wrong", code) // the 21st locks the source
	if r := two.signIn(t, one.demo.EditorEmail, "wrong", code); r.status != http.StatusTooManyRequests {
		t.Errorf("a locked source on two: %d, want 429", r.status)
	}

	// A passkey registration begun on one finishes on two; a sign-in
	// begun on two finishes on one.
	const keyEmail = "passkey@example.org"
	keySession := two.account(t, keyEmail, kolokol.RoleEditor, "ru")
	u, err := one.Store.FindUserByEmail(ctx, keyEmail)
	if err != nil {
		t.Fatal(err)
	}
	jsonPost := func(ta *testApp, path, body string, cookies ...string) response {
		return ta.do(t, "POST", path, "", strings.NewReader(body), "Content-Type", "application/json", "Cookie", strings.Join(cookies, "; "))
	}
	origin := strings.Replace(one.srv.URL, "127.0.0.1", "localhost", 1)
	next, _ := auth.TOTPCode(u.TOTPSecret, time.Now().Add(30*time.Second))
	begin := jsonPost(one, "/newsroom/account/passkeys", `{"name":"ключ","code":"`+next+`"}`, "kk_session="+keySession)
	if begin.status != http.StatusOK {
		t.Fatalf("begin registration on one: %d %s", begin.status, begin.body)
	}
	key := newSoftKey(t, origin)
	done := jsonPost(two, "/newsroom/account/passkeys/finish", string(key.create(begin.body)), "kk_session="+keySession,
		"kk_ceremony="+cookieValue(begin, "kk_ceremony"))
	if done.status != http.StatusOK {
		t.Fatalf("finish registration on two: %d %s", done.status, done.body)
	}
	login := jsonPost(two, "/newsroom/login/passkey", `{"email":"`+keyEmail+`","password":"`+password+`"}`)
	if login.status != http.StatusOK {
		t.Fatalf("begin sign-in on two: %d %s", login.status, login.body)
	}
	fin := jsonPost(one, "/newsroom/login/passkey/finish", string(key.get(login.body)), "kk_ceremony="+cookieValue(login, "kk_ceremony"))
	if fin.status != http.StatusOK || cookieValue(fin, "kk_session") == "" {
		t.Fatalf("finish sign-in on one: %d %s", fin.status, fin.body)
	}
	// The finished ceremony is gone from both.
	again := jsonPost(two, "/newsroom/login/passkey/finish", string(key.get(login.body)), "kk_ceremony="+cookieValue(login, "kk_ceremony"))
	if again.status != http.StatusUnauthorized {
		t.Errorf("a ceremony finished on one finished again on two: %d", again.status)
	}
}
