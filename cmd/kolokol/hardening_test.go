package main

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/auth"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/geo"
)

// The tests of this file reproduce, over HTTP, what an outside review found
// (issue 11); each failed before its fix.

func sessionOf(r response) string { return cookieValue(r, "kk_session") }

// enrolLink adds an account from the Accounts page and returns its link's
// path.
func (ta *testApp) addAccount(t *testing.T, adminSession, email string) string {
	t.Helper()
	r := ta.post(t, adminSession, "/newsroom/accounts", url.Values{"email": {email}, "name": {"Nino"}, "role": {"reporter"}, "services": {"ru"}})
	m := regexp.MustCompile(`/newsroom/enrol/[A-Za-z0-9_-]+`).FindString(string(r.body))
	if r.status != 200 || m == "" {
		t.Fatalf("add account: %d %s", r.status, r.body)
	}
	return m
}

func secretOn(page []byte) string {
	m := regexp.MustCompile(`[A-Z2-7]{32}`).Find(page)
	return string(m)
}

// TestOldEnrolmentLinkTakeover: create (L1), reset (L2), enrol through L2;
// L1 shows no secret and takes no password.
func TestOldEnrolmentLinkTakeover(t *testing.T) {
	ta := newTestApp(t)
	adm := ta.account(t, "boss@example.org", kolokol.RoleAdmin)
	l1 := ta.addAccount(t, adm, "nino@example.org")
	u, err := ta.Store.FindUserByEmail(t.Context(), "nino@example.org")
	if err != nil {
		t.Fatal(err)
	}
	r := ta.post(t, adm, fmt.Sprintf("/newsroom/accounts/%d/reset", u.ID), nil)
	l2 := regexp.MustCompile(`/newsroom/enrol/[A-Za-z0-9_-]+`).FindString(string(r.body))
	if r.status != 200 || l2 == "" || l2 == l1 {
		t.Fatalf("reset: %d", r.status)
	}
	secret := secretOn(ta.get(t, l2).body)
	code, _ := auth.TOTPCode(secret, time.Now())
	form := url.Values{"password": {"three rivers meet at dusk"}, "code": {code}}
	if r := ta.do(t, "POST", l2, "", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded"); r.status != 200 {
		t.Fatalf("enrol through L2: %d %s", r.status, r.body)
	}
	page := ta.get(t, l1)
	if page.status != 404 || strings.Contains(string(page.body), secret) {
		t.Errorf("L1 after enrolment: %d, shows the secret: %t", page.status, strings.Contains(string(page.body), secret))
	}
	next, _ := auth.TOTPCode(secret, time.Now().Add(30*time.Second))
	takeover := url.Values{"password": {"the attacker's own passphrase"}, "code": {next}}
	if r := ta.do(t, "POST", l1, "", strings.NewReader(takeover.Encode()), "Content-Type", "application/x-www-form-urlencoded"); r.status != 404 {
		t.Errorf("posting L1: %d", r.status)
	}
	if r := ta.signIn(t, "nino@example.org", "the attacker's own passphrase", next); r.status == http.StatusSeeOther {
		t.Error("the account was taken over through the old link")
	}
}

// TestScheduledStoryLockedForReporters: PATCH and restore by a reporter of a
// story an editor scheduled are refused; the scheduler publishes what the
// editor approved.
func TestScheduledStoryLockedForReporters(t *testing.T) {
	ta := newTestApp(t)
	a := ta.create(t, ta.tokens["reporter-ru"], map[string]any{"service": "ru", "headline": "Черновик", "body": "Одобренный текст."})
	at := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	if r := ta.api(t, "POST", fmt.Sprintf("/articles/%d/schedule", a.ID), ta.tokens["editor-ru"], map[string]any{"at": at}); r.status != 200 {
		t.Fatalf("schedule: %d %s", r.status, r.body)
	}
	r := ta.api(t, "PATCH", fmt.Sprintf("/articles/%d", a.ID), ta.tokens["reporter-ru"], map[string]any{"version": 2, "body": "Непроверенный текст."})
	if r.status != 403 {
		t.Errorf("reporter PATCH of a scheduled story: %d %s", r.status, r.body)
	}
	var list struct {
		Revisions []struct{ ID int64 } `json:"revisions"`
	}
	ta.api(t, "GET", fmt.Sprintf("/articles/%d/revisions", a.ID), ta.tokens["reporter-ru"], nil).json(t, &list)
	first := list.Revisions[len(list.Revisions)-1].ID
	if r := ta.api(t, "POST", fmt.Sprintf("/articles/%d/revisions/%d/restore", a.ID, first), ta.tokens["reporter-ru"], map[string]any{"version": 2}); r.status != 403 {
		t.Errorf("reporter restore on a scheduled story: %d %s", r.status, r.body)
	}
	got, _ := ta.Store.FindArticleByID(t.Context(), a.ID)
	if got.Body != "Одобренный текст." {
		t.Errorf("the scheduled text changed: %q", got.Body)
	}
}

// newStory saves a story from the newsroom form and returns its id.
func newStory(t *testing.T, ta *testApp, session string, form url.Values) int64 {
	t.Helper()
	return storyID(t, ta.post(t, session, "/newsroom/stories", form))
}

// TestWorkflowButtonSavesFirst: change the form and press Publish without
// Save: what goes live is what was on screen.
func TestWorkflowButtonSavesFirst(t *testing.T) {
	ta := newTestApp(t)
	ed := ta.account(t, "editor@example.org", kolokol.RoleEditor, "ru")
	form := url.Values{"service": {"ru"}, "headline": {"Старый заголовок"}, "body": {"Первый абзац."}}
	id := newStory(t, ta, ed, form)
	form.Set("version", "1")
	form.Set("headline", "Новый заголовок")
	form.Set("body", "Первый абзац.\n\nДобавленный абзац.")
	r := ta.post(t, ed, fmt.Sprintf("/newsroom/stories/%d/publish", id), form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	a, _ := ta.Store.FindArticleByID(t.Context(), id)
	if !a.IsLive() || a.Headline != "Новый заголовок" {
		t.Fatalf("live: %s %q", a.Status, a.Headline)
	}
	if page := ta.get(t, a.Path()); !strings.Contains(string(page.body), "Добавленный абзац.") {
		t.Error("the paragraph added before Publish is not on the live page")
	}
	// The correction button saves the form too, and a refused step says
	// the edit was saved.
	form.Set("version", fmt.Sprint(a.Version))
	form.Set("body", "Первый абзац.\n\nИсправленный абзац.")
	form.Set("correction", "  ")
	r = ta.post(t, ed, fmt.Sprintf("/newsroom/stories/%d/corrections", id), form)
	if r.status != 422 || !strings.Contains(string(r.body), "Your changes were saved, but the step was not taken") {
		t.Errorf("an empty correction after an edit: %d", r.status)
	}
	if a, _ := ta.Store.FindArticleByID(t.Context(), id); a.Body != "Первый абзац.\n\nИсправленный абзац." {
		t.Errorf("the edit made with the correction button: %q", a.Body)
	}
	// The story page is one form: every workflow button is in it.
	page := string(ta.page(t, ed, fmt.Sprintf("/newsroom/stories/%d", id)).body)
	form1 := page[strings.Index(page, `<form id="story"`):]
	form1 = form1[:strings.Index(form1, "</form>")]
	for _, b := range []string{"/unpublish", "/corrections", `name="correction"`} {
		if !strings.Contains(form1, b) {
			t.Errorf("the story form lacks %s", b)
		}
	}
}

// TestExpiredSessionKeepsSave: idle past the timeout, press Save; sign in
// again and the save is applied.
func TestExpiredSessionKeepsSave(t *testing.T) {
	ta := newTestApp(t)
	const password = "correct horse battery staple"
	ed := ta.account(t, "late@example.org", kolokol.RoleEditor, "ru")
	form := url.Values{"service": {"ru"}, "headline": {"Заголовок"}, "body": {"Текст."}}
	id := newStory(t, ta, ed, form)
	// Idle for 31 minutes.
	if err := ta.Store.TouchSession(t.Context(), kolokol.HashToken(ed), time.Now().Add(-31*time.Minute)); err != nil {
		t.Fatal(err)
	}
	form.Set("version", "1")
	form.Set("body", "Текст, написанный за полчаса.")
	r := ta.post(t, ed, fmt.Sprintf("/newsroom/stories/%d", id), form)
	resume := regexp.MustCompile(`name="resume" id="resume" value="([^"]+)"`).FindSubmatch(r.body)
	if r.status != 401 || resume == nil || !strings.Contains(string(r.body), "Заголовок") {
		t.Fatalf("save after the timeout: %d %s", r.status, r.body)
	}
	if a, _ := ta.Store.FindArticleByID(t.Context(), id); a.Version != 1 {
		t.Fatal("the save went through without a session")
	}
	u, _ := ta.Store.FindUserByEmail(t.Context(), "late@example.org")
	// Someone else's sign-in cannot apply it.
	other := ta.account(t, "other@example.org", kolokol.RoleEditor, "ru")
	_ = other
	code, _ := auth.TOTPCode(u.TOTPSecret, time.Now().Add(30*time.Second))
	in := url.Values{"email": {"late@example.org"}, "password": {password}, "code": {code}, "resume": {string(resume[1])}}
	done := ta.do(t, "POST", "/newsroom/login", "", strings.NewReader(in.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	if done.status != http.StatusSeeOther || !strings.HasPrefix(done.header.Get("Location"), fmt.Sprintf("/newsroom/stories/%d?saved=1", id)) || sessionOf(done) == "" {
		t.Fatalf("sign in with the held save: %d %s %s", done.status, done.header.Get("Location"), done.body)
	}
	a, _ := ta.Store.FindArticleByID(t.Context(), id)
	revs, _ := ta.Store.FindRevisions(t.Context(), id)
	if a.Body != "Текст, написанный за полчаса." || revs[0].Actor != "late@example.org" {
		t.Errorf("after signing in: %q by %s", a.Body, revs[0].Actor)
	}
	// Applied once: the same token again finds nothing.
	again := ta.post(t, sessionOf(done), "/newsroom/resume/"+string(resume[1]), nil)
	if again.status != 200 || !strings.Contains(string(again.body), "could not be found") {
		t.Errorf("the held save applied twice: %d %s", again.status, again.body)
	}
	// No session at all (not an expired one): nothing is held.
	r = ta.do(t, "POST", fmt.Sprintf("/newsroom/stories/%d", id), "", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	if r.status != 401 || strings.Contains(string(r.body), `name="resume"`) {
		t.Errorf("a save with no session: %d", r.status)
	}
}

// TestDroppedContentNamed: what the sanitizer removes is named on save and
// on the preview, and in the API's warnings.
func TestDroppedContentNamed(t *testing.T) {
	ta := newTestApp(t)
	ed := ta.account(t, "editor@example.org", kolokol.RoleEditor, "ru")
	body := "Абзац.\n\n![снимок](https://example.org/x.jpg)\n\n<iframe src=\"https://example.org\"></iframe>\n\nТекст <aside>врезка</aside>."
	form := url.Values{"service": {"ru"}, "headline": {"Заголовок"}, "body": {body}}
	id := newStory(t, ta, ed, form)
	page := string(ta.page(t, ed, fmt.Sprintf("/newsroom/stories/%d?saved=1", id)).body)
	for _, want := range []string{"Readers will not see", "picture written in Markdown", "HTML &lt;iframe&gt;", "HTML &lt;aside&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("the story page lacks %q", want)
		}
	}
	a, _ := ta.Store.FindArticleByID(t.Context(), id)
	pv := string(ta.post(t, ed, "/newsroom/preview"+a.Path(), form).body)
	if !strings.Contains(pv, `id="preview-dropped"`) || !strings.Contains(pv, "&lt;iframe&gt;") {
		t.Errorf("the preview does not name what is dropped")
	}
	r := ta.api(t, "GET", fmt.Sprintf("/articles/%d", id), ta.admin, nil)
	if !strings.Contains(string(r.body), "readers will not see HTML <aside>") && !strings.Contains(string(r.body), `readers will not see HTML \u003caside\u003e`) {
		t.Errorf("API warnings: %s", r.body)
	}
	// A clean body names nothing.
	clean := url.Values{"service": {"ru"}, "headline": {"Чисто"}, "body": {"Просто **текст** и [ссылка](https://example.org)."}}
	if p := ta.page(t, ed, fmt.Sprintf("/newsroom/stories/%d", newStory(t, ta, ed, clean))); strings.Contains(string(p.body), "Readers will not see") {
		t.Error("a clean body is said to lose something")
	}
}

// TestSaveOverTheirsKeepsTheirFields: a colleague changed the summary and
// tags; my body edit from the older version merges; when we both changed
// the body, only the body is asked about, and saving mine keeps their
// summary and tags.
func TestSaveOverTheirsKeepsTheirFields(t *testing.T) {
	ta := newTestApp(t)
	me := ta.account(t, "me@example.org", kolokol.RoleEditor, "ru")
	them := ta.account(t, "them@example.org", kolokol.RoleEditor, "ru")
	base := url.Values{"service": {"ru"}, "headline": {"Заголовок"}, "summary": {"Кратко."}, "body": {"Текст."}, "tags": {"один"}}
	id := newStory(t, ta, me, base)
	path := fmt.Sprintf("/newsroom/stories/%d", id)
	theirs := cloneForm(base)
	theirs.Set("version", "1")
	theirs.Set("summary", "Их краткое изложение.")
	theirs.Set("tags", "один, два")
	if r := ta.post(t, them, path, theirs); r.status != http.StatusSeeOther {
		t.Fatalf("their save: %d", r.status)
	}
	mine := cloneForm(base)
	mine.Set("version", "1")
	mine.Set("body", "Мой текст.")
	// Their save holds the story (see TestEditLockHandlers): I take it
	// over to save mine.
	if r := ta.post(t, me, path+"/takeover", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("take over: %d", r.status)
	}
	r := ta.post(t, me, path, mine)
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "kept=summary%2Ctags") {
		t.Fatalf("my save from version 1: %d %s", r.status, r.header.Get("Location"))
	}
	a, _ := ta.Store.FindArticleByID(t.Context(), id)
	if a.Body != "Мой текст." || a.Summary != "Их краткое изложение." || len(a.Tags) != 2 {
		t.Fatalf("merged: body %q summary %q tags %v", a.Body, a.Summary, a.Tags)
	}
	if p := ta.page(t, me, r.header.Get("Location")); !strings.Contains(string(p.body), "their changes are kept") {
		t.Error("the editor is not told their colleague's changes were kept")
	}

	// Both change the body now; they also change the dateline.
	theirs = cloneForm(base)
	theirs.Set("version", fmt.Sprint(a.Version))
	theirs.Set("summary", a.Summary)
	theirs.Set("tags", "один, два")
	theirs.Set("body", "Их текст.")
	theirs.Set("dateline", "Москва")
	ta.post(t, them, path+"/takeover", url.Values{})
	if r := ta.post(t, them, path, theirs); r.status != http.StatusSeeOther {
		t.Fatalf("their second save: %d", r.status)
	}
	mine = cloneForm(theirs)
	mine.Set("version", fmt.Sprint(a.Version))
	mine.Set("body", "Мой новый текст.")
	mine.Set("dateline", "")
	ta.post(t, me, path+"/takeover", url.Values{})
	c := ta.post(t, me, path, mine)
	body := string(c.body)
	if c.status != http.StatusConflict || !strings.Contains(body, `id="field-body"`) || strings.Contains(body, `id="field-summary"`) || strings.Contains(body, `id="field-dateline"`) {
		t.Fatalf("conflict page: %d %s", c.status, body)
	}
	if b, _ := ta.Store.FindArticleByID(t.Context(), id); b.Body != "Их текст." {
		t.Fatal("the conflict overwrote their body")
	}
	// "Save my version": the form as the conflict page has it.
	over := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`).FindAllStringSubmatch(body, -1) {
		over.Set(m[1], htmlUnescape(m[2]))
	}
	over.Set("body", "Мой новый текст.")
	if r := ta.post(t, me, path, over); r.status != http.StatusSeeOther {
		t.Fatalf("save mine over theirs: %d %s", r.status, r.body)
	}
	final, _ := ta.Store.FindArticleByID(t.Context(), id)
	if final.Body != "Мой новый текст." || final.Dateline != "Москва" || final.Summary != "Их краткое изложение." || len(final.Tags) != 2 {
		t.Errorf("after saving mine: body %q dateline %q summary %q tags %v", final.Body, final.Dateline, final.Summary, final.Tags)
	}
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#43;", "+").Replace(s)
}

// TestReporterSeesReadOnly: a reporter opening a published story is told
// at once, and the form is read-only.
func TestReporterSeesReadOnly(t *testing.T) {
	ta := newTestApp(t)
	rep := ta.account(t, "reporter@example.org", kolokol.RoleReporter, "ru")
	a := ta.create(t, ta.tokens["editor-ru"], map[string]any{"service": "ru", "headline": "Опубликовано", "body": "Текст."})
	ta.publish(t, ta.tokens["editor-ru"], a.ID)
	page := string(ta.page(t, rep, fmt.Sprintf("/newsroom/stories/%d", a.ID)).body)
	if !strings.Contains(page, `disabled aria-describedby="locked"`) || !strings.Contains(page, "You cannot change this story") {
		t.Errorf("a reporter gets an editable form of a published story")
	}
	if strings.Contains(page, `<button type="submit">Save</button>`) || strings.Contains(page, "editor.js") {
		t.Error("a read-only story offers Save")
	}
	draft := ta.create(t, ta.tokens["reporter-ru"], map[string]any{"service": "ru", "headline": "Черновик", "body": "Текст."})
	if p := string(ta.page(t, rep, fmt.Sprintf("/newsroom/stories/%d", draft.ID)).body); strings.Contains(p, "disabled") {
		t.Error("a reporter's own draft is read-only")
	}
}

// TestStrangerCannotLockOutOverHTTP: fifty wrong passwords for a
// journalist's email, then the journalist signs in.
func TestStrangerCannotLockOutOverHTTP(t *testing.T) {
	ta := newTestApp(t)
	d := ta.demo
	for range 50 {
		ta.signIn(t, d.EditorEmail, "not the password", "123456")
	}
	code, _ := auth.TOTPCode(d.EditorTOTP, time.Now())
	if r := ta.signIn(t, d.EditorEmail, d.EditorPassword, code); r.status != http.StatusSeeOther {
		t.Errorf("the owner after a stranger's guesses: %d %s", r.status, r.body)
	}
	// One keep-alive connection of failed sign-ins with made-up emails
	// leaves a few lines in the audit log.
	for i := range 200 {
		ta.signIn(t, fmt.Sprintf("nobody%d@example.org", i), "x", "1")
	}
	log, _ := ta.Store.FindAudit(t.Context(), kolokol.AuditFilter{Limit: 500})
	n := 0
	for _, e := range log {
		if strings.HasPrefix(e.Action, "login.") && e.Actor == "(unknown account)" {
			n++
		}
	}
	if n == 0 || n > 3 {
		t.Errorf("%d audit lines for 200 failed sign-ins at unknown accounts", n)
	}
}

// TestThrottleBehindProxy: behind a trusted proxy each client is its own
// source; one client's failures do not throttle another's sign-in.
func TestThrottleBehindProxy(t *testing.T) {
	ta := newTestAppWith(t, Config{Geo: geoOptions(t, "127.0.0.1/32")})
	d := ta.demo
	for i := range 40 {
		ta.signIn(t, fmt.Sprintf("x%d@example.org", i), "x", "1", "X-Forwarded-For", "203.0.113.7")
	}
	code, _ := auth.TOTPCode(d.EditorTOTP, time.Now())
	if r := ta.signIn(t, d.EditorEmail, "wrong", code, "X-Forwarded-For", "198.51.100.9"); r.status != 401 {
		t.Errorf("another client behind the proxy is throttled: %d %s", r.status, r.body)
	}
	if r := ta.signIn(t, d.EditorEmail, "wrong", code, "X-Forwarded-For", "203.0.113.7"); r.status != http.StatusTooManyRequests {
		t.Errorf("the guessing client is not throttled: %d", r.status)
	}
	// An IPv6 client counts by its /64.
	for i := range 40 {
		ta.signIn(t, fmt.Sprintf("y%d@example.org", i), "x", "1", "X-Forwarded-For", fmt.Sprintf("2001:db8:1:2::%x", i+1))
	}
	if r := ta.signIn(t, d.EditorEmail, "wrong", code, "X-Forwarded-For", "2001:db8:1:2:ffff::1"); r.status != http.StatusTooManyRequests {
		t.Errorf("a new address in the guessing /64 is not throttled: %d", r.status)
	}
	if r := ta.signIn(t, d.EditorEmail, "wrong", code, "X-Forwarded-For", "2001:db8:1:3::1"); r.status != 401 {
		t.Errorf("the next /64 is throttled: %d", r.status)
	}
}

// TestServiceAdminSeesNoForeignAccount: a service admin asking for another
// service's account gets "not found", with nothing of its role or
// services, and the attempt is in the audit log.
func TestServiceAdminSeesNoForeignAccount(t *testing.T) {
	ta := newTestApp(t)
	ruAdmin := ta.account(t, "ru-admin@example.org", kolokol.RoleAdmin, "ru")
	ta.account(t, "fa-editor@example.org", kolokol.RoleEditor, "fa")
	u, _ := ta.Store.FindUserByEmail(t.Context(), "fa-editor@example.org")
	for _, r := range []response{
		ta.page(t, ruAdmin, fmt.Sprintf("/newsroom/accounts/%d", u.ID)),
		ta.post(t, ruAdmin, fmt.Sprintf("/newsroom/accounts/%d/reset", u.ID), nil),
		ta.post(t, ruAdmin, fmt.Sprintf("/newsroom/accounts/%d", u.ID), url.Values{"role": {"reporter"}, "services": {"ru"}}),
	} {
		if r.status != 404 || strings.Contains(string(r.body), `"fa"`) || strings.Contains(string(r.body), "editor") && !strings.Contains(string(r.body), "editor@") {
			t.Errorf("foreign account: %d %s", r.status, r.body)
		}
	}
	ta.Desk.FlushAudit(t.Context(), true) // repeats are counted; write the counts
	log, _ := ta.Store.FindAudit(t.Context(), kolokol.AuditFilter{Actor: "ru-admin@example.org", Limit: 100})
	denied := 0
	for _, e := range log {
		if strings.HasSuffix(e.Action, ".denied") && e.Target == u.Email {
			denied += desk.Events(e)
		}
	}
	if denied != 3 {
		t.Errorf("%d of 3 attempts audited", denied)
	}
}

// geoOptions trusts the given proxies (a comma-separated list).
func geoOptions(t *testing.T, proxies string) geo.Options {
	t.Helper()
	p, err := geo.ParseProxies(proxies)
	if err != nil {
		t.Fatal(err)
	}
	return geo.Options{Proxies: p}
}
