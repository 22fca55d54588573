package main

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol/auth"
)

// signIn posts the sign-in form and returns the response.
func (ta *testApp) signIn(t *testing.T, email, password, code string, hdr ...string) response {
	t.Helper()
	form := url.Values{"email": {email}, "password": {password}, "code": {code}}
	return ta.do(t, "POST", "/newsroom/login", "", strings.NewReader(form.Encode()),
		append([]string{"Content-Type", "application/x-www-form-urlencoded"}, hdr...)...)
}

func TestNewsroomSignIn(t *testing.T) {
	ta := newTestApp(t)
	d := ta.demo
	if r := ta.get(t, "/newsroom/"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/newsroom/login" {
		t.Fatalf("unauthenticated dashboard: %d %q", r.status, r.header.Get("Location"))
	}
	if r := ta.get(t, "/newsroom/login"); r.status != 200 || r.header.Get("Cache-Control") != "no-store" ||
		!strings.Contains(r.header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("sign-in page: %d %v", r.status, r.header)
	}
	code, _ := auth.TOTPCode(d.EditorTOTP, time.Now())

	if r := ta.signIn(t, d.EditorEmail, "wrong password!", code); r.status != 401 || !strings.Contains(string(r.body), "The email, password or code is wrong.") {
		t.Errorf("wrong password: %d", r.status)
	}
	if r := ta.signIn(t, "nobody@example.org", d.EditorPassword, code); r.status != 401 || !strings.Contains(string(r.body), "The email, password or code is wrong.") {
		t.Errorf("unknown account: %d", r.status)
	}
	if r := ta.signIn(t, d.EditorEmail, d.EditorPassword, "000000"); r.status != 401 || !strings.Contains(string(r.body), "wrong or expired") {
		t.Errorf("wrong code: %d %s", r.status, r.body)
	}
	// A cross-site form post is refused before anything is checked.
	if r := ta.signIn(t, d.EditorEmail, d.EditorPassword, code, "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
		t.Errorf("cross-site sign-in: %d", r.status)
	}

	r := ta.signIn(t, d.EditorEmail, d.EditorPassword, code)
	if r.status != http.StatusSeeOther {
		t.Fatalf("sign in: %d %s", r.status, r.body)
	}
	cookie := r.header.Get("Set-Cookie")
	for _, want := range []string{"kk_session=", "Path=/newsroom/", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}
	// A browser-session cookie: nothing of it is kept on disk once the
	// browser closes (a seized laptop); the server times sessions out.
	if strings.Contains(cookie, "Max-Age") || strings.Contains(cookie, "Expires") {
		t.Errorf("session cookie %q outlives the browser", cookie)
	}
	session := strings.SplitN(strings.SplitN(cookie, ";", 2)[0], "=", 2)[1]
	dash := ta.do(t, "GET", "/newsroom/?service=ru", "", nil, "Cookie", "kk_session="+session)
	if dash.status != 200 || !strings.Contains(string(dash.body), "Паром вернулся в старый город") || !strings.Contains(string(dash.body), d.EditorEmail) {
		t.Fatalf("dashboard: %d", dash.status)
	}
	// The same code cannot sign in twice.
	if r := ta.signIn(t, d.EditorEmail, d.EditorPassword, code); r.status != 401 || !strings.Contains(string(r.body), "already used") {
		t.Errorf("replayed code: %d %s", r.status, r.body)
	}
	// Reader pages neither set nor need the newsroom's cookie.
	if r := ta.get(t, "/ru/", "Cookie", "kk_session="+session); len(r.header.Values("Set-Cookie")) > 0 {
		t.Error("a reader page set a cookie")
	}
	// Sign out: the session is gone server-side too.
	if r := ta.do(t, "POST", "/newsroom/logout", "", nil, "Cookie", "kk_session="+session, "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
		t.Errorf("cross-site sign-out: %d", r.status)
	}
	if r := ta.do(t, "POST", "/newsroom/logout", "", nil, "Cookie", "kk_session="+session); r.status != http.StatusSeeOther {
		t.Errorf("sign out: %d", r.status)
	}
	if r := ta.do(t, "GET", "/newsroom/", "", nil, "Cookie", "kk_session="+session); r.status != http.StatusSeeOther {
		t.Errorf("dashboard after sign-out: %d", r.status)
	}
	if r := ta.do(t, "POST", "/newsroom/logout", "", nil); r.status != http.StatusUnauthorized {
		t.Errorf("sign out without a session: %d", r.status)
	}

	// Failed attempts are audited, and the account is throttled.
	audit := string(ta.api(t, "GET", "/audit?action=login.fail&limit=100", ta.admin, nil).body)
	if !strings.Contains(audit, d.EditorEmail) || strings.Contains(audit, "127.0.0.1") {
		t.Errorf("login failures not audited, or an address recorded:\n%s", audit)
	}
	for range 6 {
		ta.signIn(t, d.EditorEmail, "still wrong password", "123456")
	}
	r = ta.signIn(t, d.EditorEmail, d.EditorPassword, code)
	if r.status != http.StatusTooManyRequests || !strings.Contains(string(r.body), "Too many failed attempts") {
		t.Errorf("throttling: %d", r.status)
	}
	io.Discard.Write(r.body)
}

func TestEnrolment(t *testing.T) {
	ta := newTestApp(t)
	var out, errb strings.Builder
	err := run(t.Context(), []string{"user", "add", "--data", ta.data, "--email", "Nino@Example.org", "--name", "Nino Beridze",
		"--role", "editor", "--service", "ka", "--base-url", ta.srv.URL}, &out, &errb, func(string) string { return "" })
	if err != nil {
		t.Fatalf("user add: %v %s", err, errb.String())
	}
	link := strings.TrimSpace(out.String())
	path := strings.TrimPrefix(link, ta.srv.URL)
	if !strings.HasPrefix(path, "/newsroom/enrol/") {
		t.Fatalf("link %q", link)
	}
	page := ta.get(t, path)
	body := string(page.body)
	if page.status != 200 || !strings.Contains(body, "<svg") || !strings.Contains(body, `aria-label="QR code`) || strings.Contains(body, "<script") {
		t.Fatalf("enrolment page: %d", page.status)
	}
	_, after, _ := strings.Cut(body, "Key: <code>")
	secret, _, _ := strings.Cut(after, "</code>")
	if again := string(ta.get(t, path).body); !strings.Contains(again, secret) {
		t.Error("reopening the link shows another key")
	}
	post := func(password, code string, hdr ...string) response {
		form := url.Values{"password": {password}, "code": {code}}
		return ta.do(t, "POST", path, "", strings.NewReader(form.Encode()), append([]string{"Content-Type", "application/x-www-form-urlencoded"}, hdr...)...)
	}
	now := time.Now()
	code, _ := auth.TOTPCode(secret, now)
	if r := post("password1234", code); r.status != 422 || !strings.Contains(string(r.body), "commonly used") {
		t.Errorf("common password: %d", r.status)
	}
	if r := post("nino beridze writes", code); r.status != 422 || !strings.Contains(string(r.body), "name or email") {
		t.Errorf("password with the name: %d", r.status)
	}
	if r := post("three rivers meet at dusk", "000000"); r.status != 422 || !strings.Contains(string(r.body), "wrong or expired") {
		t.Errorf("wrong code: %d", r.status)
	}
	if r := post("three rivers meet at dusk", code, "Sec-Fetch-Site", "cross-site"); r.status != 403 {
		t.Errorf("cross-site enrolment: %d", r.status)
	}
	done := post("three rivers meet at dusk", code)
	if done.status != 200 || strings.Count(string(done.body), "<li><code>") != 10 || done.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("finish: %d %s", done.status, done.body)
	}
	_, rest, _ := strings.Cut(string(done.body), "<li><code>")
	recovery, _, _ := strings.Cut(rest, "</code>")
	if r := ta.get(t, path); r.status != 404 {
		t.Errorf("the link works twice: %d", r.status)
	}
	// Sign in with the next code, then with a recovery code, which works once.
	next, _ := auth.TOTPCode(secret, now.Add(30*time.Second))
	if r := ta.signIn(t, "nino@example.org", "three rivers meet at dusk", next); r.status != 303 {
		t.Errorf("sign in after enrolment: %d %s", r.status, r.body)
	}
	if r := ta.signIn(t, "nino@example.org", "three rivers meet at dusk", recovery); r.status != 303 {
		t.Errorf("sign in with a recovery code: %d %s", r.status, r.body)
	}
	if r := ta.signIn(t, "nino@example.org", "three rivers meet at dusk", recovery); r.status != 401 {
		t.Errorf("a recovery code worked twice: %d", r.status)
	}
	audit := string(ta.api(t, "GET", "/audit?limit=200", ta.admin, nil).body)
	for _, want := range []string{`"action": "user.add"`, `"action": "user.enrol"`, `"action": "login.recovery_code"`} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit lacks %s", want)
		}
	}
}

func TestSignOutEverywhere(t *testing.T) {
	ta := newTestApp(t)
	d := ta.demo
	var sessions []string
	for i := range 2 {
		code, _ := auth.TOTPCode(d.EditorTOTP, time.Now().Add(time.Duration(i*30-30)*time.Second))
		r := ta.signIn(t, d.EditorEmail, d.EditorPassword, code)
		if r.status != 303 {
			t.Fatalf("sign in %d: %d %s", i, r.status, r.body)
		}
		sessions = append(sessions, strings.SplitN(strings.SplitN(r.header.Get("Set-Cookie"), ";", 2)[0], "=", 2)[1])
	}
	if r := ta.do(t, "POST", "/newsroom/logout-everywhere", "", nil, "Cookie", "kk_session="+sessions[0]); r.status != 303 {
		t.Fatalf("sign out everywhere: %d", r.status)
	}
	for i, s := range sessions {
		if r := ta.do(t, "GET", "/newsroom/", "", nil, "Cookie", "kk_session="+s); r.status != 303 {
			t.Errorf("session %d still works: %d", i, r.status)
		}
	}
}
