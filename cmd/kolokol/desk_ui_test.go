package main

import (
	"bytes"
	"fmt"
	"github.com/kolokol/kolokol/media/mediatest"
	"image"
	"image/color"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/auth"
)

// account creates an enrolled account and signs it in, returning the
// session cookie's value.
func (ta *testApp) account(t *testing.T, email string, role kolokol.Role, services ...string) string {
	t.Helper()
	const password = "correct horse battery staple"
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := auth.NewTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	u := &kolokol.User{Email: email, Role: role, Services: services, PasswordHash: hash, TOTPSecret: secret}
	if err := ta.Store.CreateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	code, _ := auth.TOTPCode(secret, time.Now())
	r := ta.signIn(t, email, password, code)
	if r.status != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d %s", email, r.status, r.body)
	}
	return strings.SplitN(strings.SplitN(r.header.Get("Set-Cookie"), ";", 2)[0], "=", 2)[1]
}

// post sends a form as the signed-in browser would.
func (ta *testApp) post(t *testing.T, session, path string, form url.Values) response {
	t.Helper()
	return ta.do(t, "POST", path, "", strings.NewReader(form.Encode()),
		"Content-Type", "application/x-www-form-urlencoded", "Cookie", "kk_session="+session)
}

func (ta *testApp) page(t *testing.T, session, path string, hdr ...string) response {
	t.Helper()
	return ta.do(t, "GET", path, "", nil, append([]string{"Cookie", "kk_session=" + session}, hdr...)...)
}

// storyID reads the story id from the editor's redirect.
func storyID(t *testing.T, r response) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(r.header.Get("Location"), "/newsroom/stories/%d", &id); r.status != http.StatusSeeOther || err != nil {
		t.Fatalf("save: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
	return id
}

func field(body []byte, name string) string {
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`).FindSubmatch(body)
	if m == nil {
		return ""
	}
	return string(m[1])
}

func TestNewsroomStoryFlow(t *testing.T) {
	ta := newTestApp(t)
	ed := ta.account(t, "maryam@example.org", kolokol.RoleEditor, "fa")
	story := url.Values{"service": {"fa"}, "headline": {"سد تازه در اصفهان افتتاح شد"}, "summary": {"خلاصه"},
		"body": {"بند **نخست** خبر.\n\nبند دوم."}, "bylines": {"مریم احمدی"}, "dateline": {"اصفهان"}, "tags": {"آب, اصفهان"}}

	// The editor of a right-to-left service edits right to left.
	if r := ta.page(t, ed, "/newsroom/stories/new?service=fa"); r.status != 200 || !strings.Contains(string(r.body), `lang="fa-IR" dir="rtl"`) {
		t.Fatalf("new story form: %d", r.status)
	}
	// Preview before the first save: the reader page, at the story's path
	// under the preview prefix.
	pv := ta.post(t, ed, "/newsroom/preview/fa/a/0-x/", story)
	if pv.status != 200 || !strings.Contains(string(pv.body), "<strong>نخست</strong>") || pv.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("preview: %d %s", pv.status, pv.body)
	}
	css := regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)"`).FindSubmatch(pv.body)
	if css == nil {
		t.Fatal("preview links no stylesheet")
	}
	base, _ := url.Parse(ta.srv.URL + "/newsroom/preview/fa/a/0-x/")
	ref, _ := url.Parse(string(css[1]))
	if r := ta.page(t, ed, base.ResolveReference(ref).Path); r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/css") {
		t.Errorf("the preview's stylesheet %s: %d", base.ResolveReference(ref).Path, r.status)
	}

	id := storyID(t, ta.post(t, ed, "/newsroom/stories", story))
	edit := ta.page(t, ed, fmt.Sprintf("/newsroom/stories/%d?saved=1", id))
	if edit.status != 200 || !strings.Contains(string(edit.body), "Saved.") || field(edit.body, "version") != "1" {
		t.Fatalf("editor: %d", edit.status)
	}
	a, err := ta.Store.FindArticleByID(t.Context(), id)
	if err != nil || a.CreatedBy != "maryam@example.org" || a.Dateline != "اصفهان" || len(a.Tags) != 2 {
		t.Fatalf("stored story: %+v %v", a, err)
	}
	if r := ta.get(t, a.Path()); r.status != 404 {
		t.Fatalf("a draft is on the reader site: %d", r.status)
	}
	if r := ta.page(t, ed, "/newsroom/preview"+a.Path()); r.status != 200 || !strings.Contains(string(r.body), "سد تازه") {
		t.Errorf("preview of the stored draft: %d", r.status)
	}

	// Two editors from version 1: the second gets the conflict page with
	// both versions, and nothing of theirs is saved.
	mine, theirs := cloneForm(story), cloneForm(story)
	mine.Set("version", "1")
	mine.Set("body", "متن من.")
	theirs.Set("version", "1")
	theirs.Set("body", "متن همکار.")
	if r := ta.post(t, ed, fmt.Sprintf("/newsroom/stories/%d", id), theirs); r.status != http.StatusSeeOther {
		t.Fatalf("first save: %d %s", r.status, r.body)
	}
	c := ta.post(t, ed, fmt.Sprintf("/newsroom/stories/%d", id), mine)
	if c.status != http.StatusConflict || !strings.Contains(string(c.body), "متن من.") || !strings.Contains(string(c.body), "متن همکار.") ||
		field(c.body, "version") != "2" {
		t.Fatalf("conflict page: %d %s", c.status, c.body)
	}
	if a, _ := ta.Store.FindArticleByID(t.Context(), id); a.Body != "متن همکار." {
		t.Fatalf("the conflicting save overwrote: %q", a.Body)
	}
	mine.Set("version", "2") // "save mine over theirs", having seen both
	ta.post(t, ed, fmt.Sprintf("/newsroom/stories/%d", id), mine)

	if r := ta.post(t, ed, fmt.Sprintf("/newsroom/stories/%d/publish", id), nil); r.status != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	if r := ta.get(t, a.Path()); r.status != 200 || !strings.Contains(string(r.body), "متن من.") {
		t.Fatalf("published story: %d", r.status)
	}
	corr := url.Values{"correction": {"تاریخ افتتاح اصلاح شد."}}
	if r := ta.post(t, ed, fmt.Sprintf("/newsroom/stories/%d/corrections", id), corr); r.status != http.StatusSeeOther {
		t.Fatalf("correct: %d %s", r.status, r.body)
	}
	if r := ta.get(t, a.Path()); !strings.Contains(string(r.body), "تاریخ افتتاح اصلاح شد.") {
		t.Error("the correction is not on the reader page")
	}
	if r := ta.post(t, ed, fmt.Sprintf("/newsroom/stories/%d/corrections", id), url.Values{"correction": {"  "}}); r.status != 422 {
		t.Errorf("empty correction: %d", r.status)
	}

	// History: the diff of the last save, then restoring the first version.
	h := ta.page(t, ed, fmt.Sprintf("/newsroom/stories/%d/revisions", id))
	if h.status != 200 || !strings.Contains(string(h.body), "<ins>") || !strings.Contains(string(h.body), "<del>") {
		t.Fatalf("history: %d %s", h.status, h.body)
	}
	revs, err := ta.Store.FindRevisions(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	first := revs[len(revs)-1]
	cur, _ := ta.Store.FindArticleByID(t.Context(), id)
	if r := ta.page(t, ed, fmt.Sprintf("/newsroom/stories/%d/revisions?from=%d&to=%d", id, first.ID, revs[0].ID)); !strings.Contains(string(r.body), "version 1 to version") {
		t.Errorf("chosen diff: %d", r.status)
	}
	if r := ta.post(t, ed, fmt.Sprintf("/newsroom/stories/%d/revisions/%d/restore", id, first.ID), url.Values{"version": {fmt.Sprint(cur.Version - 1)}}); r.status != http.StatusConflict {
		t.Errorf("restore from a stale version: %d", r.status)
	}
	if r := ta.post(t, ed, fmt.Sprintf("/newsroom/stories/%d/revisions/%d/restore", id, first.ID), url.Values{"version": {fmt.Sprint(cur.Version)}}); r.status != http.StatusSeeOther {
		t.Fatalf("restore: %d %s", r.status, r.body)
	}
	if r := ta.get(t, a.Path()); !strings.Contains(string(r.body), "<strong>نخست</strong>") {
		t.Error("the restored text is not on the reader page")
	}

	// Schedule in the service's own zone, then cancel; unpublish.
	if r := ta.post(t, ed, fmt.Sprintf("/newsroom/stories/%d/unpublish", id), nil); r.status != http.StatusSeeOther {
		t.Fatalf("unpublish: %d", r.status)
	}
	at := time.Now().In(mustZone(t, "Asia/Tehran")).Add(48 * time.Hour).Truncate(time.Minute)
	if r := ta.post(t, ed, fmt.Sprintf("/newsroom/stories/%d/schedule", id), url.Values{"at": {at.Format("2006-01-02T15:04")}}); r.status != http.StatusSeeOther {
		t.Fatalf("schedule: %d %s", r.status, r.body)
	}
	if a, _ := ta.Store.FindArticleByID(t.Context(), id); a.Status != kolokol.StatusScheduled || !a.ScheduledAt.Equal(at) {
		t.Errorf("scheduled %s at %v, want %v", a.Status, a.ScheduledAt, at)
	}
	if r := ta.post(t, ed, fmt.Sprintf("/newsroom/stories/%d/schedule", id), url.Values{"at": {"tomorrow"}}); r.status != 422 || !strings.Contains(string(r.body), "date and time") {
		t.Errorf("bad schedule time: %d", r.status)
	}
}

func cloneForm(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func mustZone(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestNewsroomPhoto: the story form carries its lead photo; without alt
// text the story and the photo are both refused.
func TestNewsroomPhoto(t *testing.T) {
	ta := newTestApp(t)
	ed := ta.account(t, "photo@example.org", kolokol.RoleEditor, "en")
	img := image.NewRGBA(image.Rect(0, 0, 640, 400))
	for x := range 640 {
		img.Set(x, x%400, color.RGBA{200, 30, 30, 255})
	}
	photo := mediatest.CameraJPEG(t, img, 1)
	sendAs := func(alt, section string, photo []byte) response {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range map[string]string{"service": "en", "headline": "Floods reach the valley", "alt": alt, "caption": "The valley road",
			"credit": "Kolokol", "section": section} {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("image", "photo.jpg")
		fw.Write(photo)
		mw.Close()
		return ta.do(t, "POST", "/newsroom/stories", "", &buf, "Content-Type", mw.FormDataContentType(), "Cookie", "kk_session="+ed)
	}
	send := func(alt string) response { return sendAs(alt, "", photo) }
	before, _ := ta.Store.CountArticles(t.Context(), kolokol.ArticleFilter{})
	blobs := func() int {
		n := 0
		filepath.WalkDir(filepath.Join(ta.data, "media"), func(_ string, d fs.DirEntry, _ error) error {
			if d != nil && !d.IsDir() {
				n++
			}
			return nil
		})
		return n
	}
	blobsBefore := blobs()
	if r := sendAs("A photo", "", []byte("GIF89a but not really")); r.status != 422 || !strings.Contains(string(r.body), "Floods reach the valley") {
		t.Errorf("not a photo: %d %s", r.status, r.body)
	}
	if r := sendAs("A photo", "no-such-section", photo); r.status != 422 || !strings.Contains(string(r.body), "no section") {
		t.Errorf("unknown section: %d %s", r.status, r.body)
	}
	if after, _ := ta.Store.CountArticles(t.Context(), kolokol.ArticleFilter{}); after != before {
		t.Error("a refused story was stored")
	}
	if n := blobs(); n != blobsBefore {
		t.Errorf("a refused story's photo was stored: %d files, were %d", n, blobsBefore)
	}
	// A photo without its alt text: the story is refused, and the form
	// comes back with the photo kept, uploaded and shown, so that saving
	// again with the alt text needs no new upload.
	noAlt := send(" ")
	if noAlt.status != 422 || !strings.Contains(string(noAlt.body), "alt text") || !strings.Contains(string(noAlt.body), "Floods reach the valley") {
		t.Fatalf("photo without alt: %d %s", noAlt.status, noAlt.body)
	}
	if after, _ := ta.Store.CountArticles(t.Context(), kolokol.ArticleFilter{}); after != before {
		t.Error("a story without its photo's alt text was stored")
	}
	kept, err := strconv.ParseInt(field(noAlt.body, "media_id"), 10, 64)
	if err != nil || !strings.Contains(string(noAlt.body), `<img src="/media/`) || !strings.Contains(string(noAlt.body), "The photo is kept") {
		t.Fatalf("the form does not keep the photo sent without alt text (media_id %q): %s", field(noAlt.body, "media_id"), noAlt.body)
	}
	again := url.Values{"service": {"en"}, "headline": {"Floods reach the valley"}, "media_id": {strconv.FormatInt(kept, 10)}, "alt": {" "}}
	if r := ta.post(t, ed, "/newsroom/stories", again); r.status != 422 || !strings.Contains(string(r.body), "alt") {
		t.Errorf("the kept photo, still without alt text: %d", r.status)
	}
	again.Set("alt", "Water over a road")
	keptID := storyID(t, ta.post(t, ed, "/newsroom/stories", again))
	if a, _ := ta.Store.FindArticleByID(t.Context(), keptID); a == nil || a.LeadImage == nil || a.LeadImage.MediaID != kept || a.LeadImage.Alt != "Water over a road" {
		t.Fatalf("saved with the kept photo: %+v", a)
	}
	id := storyID(t, send("Water over a road between fields"))
	a, _ := ta.Store.FindArticleByID(t.Context(), id)
	if a.LeadImage == nil || a.LeadImage.Alt != "Water over a road between fields" || a.LeadImage.Credit != "Kolokol" {
		t.Fatalf("lead image: %+v", a.LeadImage)
	}
	if r := ta.page(t, ed, fmt.Sprintf("/newsroom/stories/%d", id)); !strings.Contains(string(r.body), `<img src="/media/`) {
		t.Error("the editor does not show the photo")
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("service", "en")
	fw, _ := mw.CreateFormFile("image", "huge.jpg")
	fw.Write(make([]byte, 27<<20))
	mw.Close()
	huge := ta.do(t, "POST", "/newsroom/stories", "", &buf, "Content-Type", mw.FormDataContentType(), "Cookie", "kk_session="+ed)
	if huge.status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized form: %d", huge.status)
	}
}

// TestNewsroomPreviewPhoto: the preview of a story never saved shows the
// photo chosen in its form, as readers would see it.
func TestNewsroomPreviewPhoto(t *testing.T) {
	ta := newTestApp(t)
	ed := ta.account(t, "preview-photo@example.org", kolokol.RoleEditor, "en")
	img := image.NewRGBA(image.Rect(0, 0, 640, 400))
	for x := range 640 {
		img.Set(x, x%400, color.RGBA{30, 30, 200, 255})
	}
	photo := mediatest.CameraJPEG(t, img, 1)
	preview := func(alt string) response {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range map[string]string{"service": "en", "headline": "Blue lines over the bay", "body": "Text.", "alt": alt} {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("image", "photo.jpg")
		fw.Write(photo)
		mw.Close()
		return ta.do(t, "POST", "/newsroom/preview/en/a/0-x/", "", &buf, "Content-Type", mw.FormDataContentType(), "Cookie", "kk_session="+ed)
	}
	before, _ := ta.Store.CountArticles(t.Context(), kolokol.ArticleFilter{})
	r := preview("Blue diagonal lines on white")
	if r.status != 200 || !strings.Contains(string(r.body), "Blue lines over the bay") {
		t.Fatalf("preview: %d %s", r.status, r.body)
	}
	m := regexp.MustCompile(`<img[^>]* src="([^"]*media/[^"]+)"[^>]* alt="Blue diagonal lines on white"`).FindSubmatch(r.body)
	if m == nil {
		m = regexp.MustCompile(`<img[^>]* alt="Blue diagonal lines on white"[^>]* src="([^"]*media/[^"]+)"`).FindSubmatch(r.body)
	}
	if m == nil {
		t.Fatalf("the preview of a new story does not show its photo: %s", r.body)
	}
	// The photo's address is relative to the preview's and answered there.
	base, _ := url.Parse(ta.srv.URL + "/newsroom/preview/en/a/0-x/")
	ref, _ := url.Parse(string(m[1]))
	if got := ta.page(t, ed, base.ResolveReference(ref).Path); got.status != 200 || !strings.HasPrefix(got.header.Get("Content-Type"), "image/") {
		t.Errorf("the previewed photo %s: %d %s", base.ResolveReference(ref).Path, got.status, got.header.Get("Content-Type"))
	}
	if r := preview(""); r.status != 422 || !strings.Contains(string(r.body), "alt text") {
		t.Errorf("preview of a photo without alt text: %d", r.status)
	}
	if after, _ := ta.Store.CountArticles(t.Context(), kolokol.ArticleFilter{}); after != before {
		t.Error("a preview stored a story")
	}
}

// TestNewsroomWordCount: the editor says how long the body is, from the
// server, without JavaScript.
func TestNewsroomWordCount(t *testing.T) {
	ta := newTestApp(t)
	ed := ta.account(t, "words@example.org", kolokol.RoleEditor, "fa")
	if r := ta.page(t, ed, "/newsroom/stories/new?service=fa"); !strings.Contains(string(r.body), `<p id="words" class="words" lang="en" dir="ltr" data-wpm="200">0 words</p>`) {
		t.Errorf("the new story's word count: %s", r.body)
	}
	body := strings.Repeat("می\u200cخواهم کتاب\u200cها را بخوانم. ", 60) // 240 words
	id := storyID(t, ta.post(t, ed, "/newsroom/stories", url.Values{"service": {"fa"}, "headline": {"کتاب"}, "body": {body}}))
	if r := ta.page(t, ed, fmt.Sprintf("/newsroom/stories/%d", id)); !strings.Contains(string(r.body), ">240 words, about 2 minutes to read</p>") {
		t.Errorf("the saved story's word count: %s", r.body)
	}
}

func TestNewsroomRoles(t *testing.T) {
	ta := newTestApp(t)
	rep := ta.account(t, "reporter@example.org", kolokol.RoleReporter, "ru")
	edRU := ta.account(t, "editor-ru@example.org", kolokol.RoleEditor, "ru")
	id := storyID(t, ta.post(t, rep, "/newsroom/stories", url.Values{"service": {"ru"}, "headline": {"Заметка репортёра"}}))

	if r := ta.post(t, rep, fmt.Sprintf("/newsroom/stories/%d/publish", id), nil); r.status != 403 || !strings.Contains(string(r.body), "reporter on ru cannot publish") {
		t.Errorf("reporter publishes: %d %s", r.status, r.body)
	}
	if r := ta.page(t, rep, fmt.Sprintf("/newsroom/stories/%d", id)); strings.Contains(string(r.body), "Publish now") {
		t.Error("a reporter is offered the publish button")
	}
	if r := ta.post(t, rep, fmt.Sprintf("/newsroom/stories/%d/submit", id), nil); r.status != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	dash := ta.page(t, edRU, "/newsroom/?service=ru&status=submitted")
	if !strings.Contains(string(dash.body), "Заметка репортёра") || strings.Contains(string(dash.body), "Паром вернулся") {
		t.Errorf("submitted filter: %s", dash.body)
	}
	if r := ta.post(t, rep, "/newsroom/stories", url.Values{"service": {"fa"}, "headline": {"x"}}); r.status != 403 {
		t.Errorf("reporter of ru writes for fa: %d", r.status)
	}
	if r := ta.post(t, rep, "/newsroom/breaking", url.Values{"service": {"ru"}, "text": {"Срочно"}}); r.status != 403 {
		t.Errorf("reporter sets breaking news: %d", r.status)
	}
	fa, _ := ta.Store.FindArticles(t.Context(), kolokol.ArticleFilter{Service: "fa", Limit: 1})
	if r := ta.page(t, edRU, fmt.Sprintf("/newsroom/stories/%d", fa[0].ID)); r.status != 403 && r.status != 404 {
		t.Errorf("editor of ru opens a fa story: %d", r.status)
	}
	if r := ta.post(t, edRU, fmt.Sprintf("/newsroom/stories/%d/unpublish", fa[0].ID), nil); r.status != 403 && r.status != 404 {
		t.Errorf("editor of ru unpublishes a fa story: %d", r.status)
	}
	if r := ta.post(t, edRU, "/newsroom/breaking", url.Values{"service": {"fa"}, "text": {"x"}}); r.status != 403 {
		t.Errorf("editor of ru sets fa breaking news: %d", r.status)
	}
	for _, p := range []string{"/newsroom/accounts", "/newsroom/audit", "/newsroom/services/ru"} {
		if r := ta.page(t, edRU, p); r.status != 403 {
			t.Errorf("editor opens %s: %d", p, r.status)
		}
	}
	if r := ta.post(t, edRU, "/newsroom/stories/abc/publish", nil); r.status != 404 {
		t.Errorf("bad id: %d", r.status)
	}
	// Breaking news in two clicks: type, press; then clear.
	if r := ta.post(t, edRU, "/newsroom/breaking", url.Values{"service": {"ru"}, "text": {"Срочно: мост закрыт"}, "hours": {"3"}, "action": {"set"}}); r.status != http.StatusSeeOther {
		t.Fatalf("set breaking: %d %s", r.status, r.body)
	}
	if r := ta.get(t, "/ru/"); !strings.Contains(string(r.body), "Срочно: мост закрыт") {
		t.Error("the banner is not on the home page")
	}
	if r := ta.post(t, edRU, "/newsroom/breaking", url.Values{"service": {"ru"}, "action": {"clear"}}); r.status != http.StatusSeeOther {
		t.Fatalf("clear breaking: %d", r.status)
	}
	if r := ta.get(t, "/ru/"); strings.Contains(string(r.body), "Срочно: мост закрыт") {
		t.Error("the banner stayed")
	}
	audit, _ := ta.Store.FindAudit(t.Context(), kolokol.AuditFilter{Action: "article.publish.denied"})
	if len(audit) != 1 || audit[0].Actor != "reporter@example.org" {
		t.Errorf("denied publish not audited: %+v", audit)
	}
}

func TestNewsroomAdmin(t *testing.T) {
	ta := newTestApp(t)
	root := ta.account(t, "root@example.org", kolokol.RoleAdmin)
	ruAdmin := ta.account(t, "ru-admin@example.org", kolokol.RoleAdmin, "ru")

	r := ta.post(t, root, "/newsroom/accounts", url.Values{"email": {"Lena@Example.org"}, "name": {"Лена"}, "role": {"editor"}, "services": {"ru", "uk"}})
	link := regexp.MustCompile(`<output id="enrol-link">([^<]+)</output>`).FindSubmatch(r.body)
	if r.status != 200 || link == nil {
		t.Fatalf("add account: %d %s", r.status, r.body)
	}
	if p := ta.get(t, strings.TrimPrefix(string(link[1]), ta.srv.URL)); p.status != 200 || !strings.Contains(string(p.body), "<svg") {
		t.Errorf("the new link: %d", p.status)
	}
	if r := ta.post(t, root, "/newsroom/accounts", url.Values{"email": {"lena@example.org"}, "role": {"editor"}, "services": {"ru"}}); r.status != 409 {
		t.Errorf("the same email twice: %d", r.status)
	}
	if r := ta.post(t, root, "/newsroom/accounts", url.Values{"email": {"not an email"}, "role": {"editor"}, "services": {"ru"}}); r.status != 422 {
		t.Errorf("bad email: %d", r.status)
	}
	for _, c := range []url.Values{
		{"email": {"a@example.org"}, "role": {"admin"}},                      // a global admin
		{"email": {"b@example.org"}, "role": {"editor"}, "services": {"fa"}}, // another service
	} {
		if r := ta.post(t, ruAdmin, "/newsroom/accounts", c); r.status != 403 {
			t.Errorf("service admin adds %v: %d", c, r.status)
		}
	}
	if r := ta.post(t, ruAdmin, "/newsroom/accounts", url.Values{"email": {"c@example.org"}, "role": {"reporter"}, "services": {"ru"}}); r.status != 200 {
		t.Errorf("service admin adds a reporter of ru: %d %s", r.status, r.body)
	}
	list := string(ta.page(t, ruAdmin, "/newsroom/accounts").body)
	if !strings.Contains(list, "c@example.org") || strings.Contains(list, "lena@example.org") || strings.Contains(list, "root@example.org") {
		t.Errorf("service admin's list shows accounts beyond ru:\n%s", list)
	}

	// Disabling an account signs it out.
	victim := ta.account(t, "victim@example.org", kolokol.RoleEditor, "ru")
	v, _ := ta.Store.FindUserByEmail(t.Context(), "victim@example.org")
	if r := ta.post(t, ruAdmin, fmt.Sprintf("/newsroom/accounts/%d", v.ID), url.Values{"role": {"editor"}, "services": {"ru"}, "disabled": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("disable: %d %s", r.status, r.body)
	}
	if r := ta.page(t, victim, "/newsroom/"); r.status != http.StatusSeeOther {
		t.Errorf("a disabled account's session works: %d", r.status)
	}
	me, _ := ta.Store.FindUserByEmail(t.Context(), "ru-admin@example.org")
	if r := ta.post(t, ruAdmin, fmt.Sprintf("/newsroom/accounts/%d", me.ID), url.Values{"role": {"admin"}, "services": {"ru"}, "disabled": {"1"}}); r.status != 403 {
		t.Errorf("admin disables themselves: %d", r.status)
	}
	if err := ta.Store.CreatePasskey(t.Context(), &kolokol.Passkey{ID: "victims-key", UserID: v.ID, Credential: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	if r := ta.post(t, root, fmt.Sprintf("/newsroom/accounts/%d/reset", v.ID), nil); r.status != 200 || !strings.Contains(string(r.body), "enrol-link") {
		t.Errorf("reset: %d", r.status)
	}
	if after, _ := ta.Store.FindUserByID(t.Context(), v.ID); after.PasswordHash != "" || after.TOTPSecret != "" || len(after.RecoveryHashes) != 0 {
		t.Errorf("reset left credentials: %+v", after)
	}
	if keys, _ := ta.Store.FindPasskeys(t.Context(), v.ID); len(keys) != 0 {
		t.Errorf("reset left %d passkeys", len(keys))
	}

	// Service settings.
	if r := ta.post(t, ruAdmin, "/newsroom/services/ru", url.Values{"name": {"Русская служба"}, "about": {"О нас"}, "legal_status": {"Признана нежелательной"}, "time_zone": {"Europe/Moscow"}}); r.status != http.StatusSeeOther {
		t.Fatalf("settings: %d %s", r.status, r.body)
	}
	if r := ta.get(t, "/ru/"); !strings.Contains(string(r.body), "Признана нежелательной") {
		t.Error("the legal status line is not on the home page")
	}
	if r := ta.post(t, ruAdmin, "/newsroom/services/ru", url.Values{"name": {"Русская служба"}, "time_zone": {"Mars/Olympus"}}); r.status != 422 || !strings.Contains(string(r.body), "Mars/Olympus") {
		t.Errorf("bad zone: %d", r.status)
	}
	if r := ta.post(t, ruAdmin, "/newsroom/services/fa", url.Values{"name": {"x"}, "time_zone": {"UTC"}}); r.status != 403 {
		t.Errorf("ru admin edits fa: %d", r.status)
	}

	// The audit log, filtered.
	a := ta.page(t, root, "/newsroom/audit?action=user.add")
	if a.status != 200 || !strings.Contains(string(a.body), "lena@example.org") || strings.Contains(string(a.body), "service.update") {
		t.Errorf("audit filter: %d", a.status)
	}
	if a := ta.page(t, ruAdmin, "/newsroom/audit?service=fa"); a.status != 403 {
		t.Errorf("ru admin reads fa's log: %d", a.status)
	}
	if a := ta.page(t, ruAdmin, "/newsroom/audit"); a.status != 200 || !strings.Contains(string(a.body), "service.update") {
		t.Errorf("ru admin's own log: %d", a.status)
	}
}

func TestNewsroomDashboardFilters(t *testing.T) {
	ta := newTestApp(t)
	ed := ta.account(t, "filters@example.org", kolokol.RoleEditor, "ru")
	ta.post(t, ed, "/newsroom/stories", url.Values{"service": {"ru"}, "headline": {"ОСОБЫЙ заголовок"}, "bylines": {"Пётр Петров"}})
	for _, c := range []struct {
		query, want, not string
	}{
		{"q=особый", "ОСОБЫЙ заголовок", "Паром вернулся"},
		{"author=Петров", "ОСОБЫЙ заголовок", "Паром вернулся"},
		{"author=filters@example.org", "ОСОБЫЙ заголовок", "Паром вернулся"},
		{"status=draft", "ОСОБЫЙ заголовок", "Паром вернулся"},
		{"status=published", "Паром вернулся", "ОСОБЫЙ заголовок"},
		{"q=%25", "No stories match.", "ОСОБЫЙ"},
	} {
		r := ta.page(t, ed, "/newsroom/?service=ru&"+c.query)
		if r.status != 200 || !strings.Contains(string(r.body), c.want) || strings.Contains(string(r.body), c.not) {
			t.Errorf("%s: %d, want %q and not %q", c.query, r.status, c.want, c.not)
		}
	}
}
