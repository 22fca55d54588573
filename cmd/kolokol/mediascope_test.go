package main

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
)

// TestAPIMediaScope: a photo uploaded by one service is hidden from the
// tokens of another, as if it did not exist: they cannot read its URL,
// crop it or put it in a story, and each attempt is audited.
func TestAPIMediaScope(t *testing.T) {
	ta := newTestApp(t)
	photo := pngFile(t, 64, 36)
	m := ta.upload(t, ta.tokens["editor-fa"], photo) // fa: the token's only service
	ru := ta.tokens["editor-ru"]
	missing := m.MediaID + 1000

	// What a missing media answers, with its id put in place of the other.
	answer := func(r response, id int64) string {
		return strings.ReplaceAll(string(r.body), fmt.Sprint(id), "N")
	}
	for _, c := range []struct {
		name, method, path string // path has %d for the id, or none
		body               func(id int64) any
		status             int
	}{
		{"read", "GET", "/media/%d", func(int64) any { return nil }, 404},
		{"crop", "PUT", "/media/%d/focal", func(int64) any { return map[string]any{"x": 0.1, "y": 0.1} }, 404},
		{"use", "POST", "/articles", func(id int64) any {
			return map[string]any{"service": "ru", "headline": "Taken", "body": "x", "lead_image": map[string]any{"media_id": id, "alt": "A photo"}}
		}, 422},
	} {
		t.Run(c.name, func(t *testing.T) {
			send := func(id int64) response {
				path := c.path
				if strings.Contains(path, "%d") {
					path = fmt.Sprintf(path, id)
				}
				return ta.api(t, c.method, path, ru, c.body(id))
			}
			hidden, absent := send(m.MediaID), send(missing)
			if hidden.status != c.status || absent.status != c.status || answer(hidden, m.MediaID) != answer(absent, missing) {
				t.Errorf("another service's photo: %d %s\na missing one: %d %s", hidden.status, hidden.body, absent.status, absent.body)
			}
		})
	}
	ruStory := ta.create(t, ru, map[string]any{"service": "ru", "headline": "Ours", "body": "x"})
	r := ta.api(t, "PATCH", fmt.Sprintf("/articles/%d", ruStory.ID), ru, map[string]any{"version": ruStory.Version,
		"lead_image": map[string]any{"media_id": m.MediaID, "alt": "A photo"}})
	if r.status != 422 || !strings.Contains(string(r.body), `"field": "lead_image.media_id"`) {
		t.Errorf("patch in another service's photo: %d %s", r.status, r.body)
	}
	if a, _ := ta.Store.FindArticleByID(t.Context(), ruStory.ID); a.LeadImage != nil {
		t.Errorf("the refused patch stored the photo: %+v", a.LeadImage)
	}
	for _, action := range []string{"media.view.denied", "media.focal.denied", "article.create.denied", "article.update.denied"} {
		entries, _ := ta.Store.FindAudit(t.Context(), kolokol.AuditFilter{Action: action})
		if len(entries) != 1 || entries[0].Actor != "editor-ru" {
			t.Errorf("%s audited as %+v", action, entries)
		}
	}
	// fa's own tokens and the global admin see it.
	for _, token := range []string{ta.tokens["editor-fa"], ta.admin} {
		if r := ta.api(t, "GET", fmt.Sprintf("/media/%d", m.MediaID), token, nil); r.status != 200 {
			t.Errorf("GET by a token that may see it: %d %s", r.status, r.body)
		}
	}
	// ru uploading the same picture shares the media, and may then use it.
	if again := ta.upload(t, ru, photo); again.MediaID != m.MediaID {
		t.Fatalf("the same picture uploaded for ru is media %d, not %d", again.MediaID, m.MediaID)
	}
	if r := ta.api(t, "GET", fmt.Sprintf("/media/%d", m.MediaID), ru, nil); r.status != 200 {
		t.Errorf("ru reads the picture it uploaded too: %d %s", r.status, r.body)
	}
}

// TestAPIUploadService: a token of several services, or of all, names the
// service a picture is for, as a query parameter or a form field.
func TestAPIUploadService(t *testing.T) {
	ta := newTestApp(t)
	send := func(query string, fields map[string]string, token string) response {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("file", "photo.png")
		fw.Write(pngFile(t, 48, 27))
		mw.Close()
		return ta.do(t, "POST", "/api/v1/media"+query, token, &buf, "Content-Type", mw.FormDataContentType())
	}
	for _, c := range []struct {
		name   string
		query  string
		fields map[string]string
		token  string
		status int
		want   string
	}{
		{"admin names none", "", nil, ta.admin, 422, "name the service"},
		{"unknown service", "?service=zz", nil, ta.admin, 422, `there is no service \"zz\"`},
		{"another service's", "?service=fa", nil, ta.tokens["editor-ru"], 403, "service"},
		{"two different", "?service=ru", map[string]string{"service": "fa"}, ta.admin, 422, "twice"},
		{"query", "?service=ka", nil, ta.admin, 201, `"media_id"`},
		{"form field", "", map[string]string{"service": "ka"}, ta.admin, 201, `"media_id"`},
		{"the token's own", "", nil, ta.tokens["editor-ru"], 201, `"media_id"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if r := send(c.query, c.fields, c.token); r.status != c.status || !strings.Contains(string(r.body), c.want) {
				t.Errorf("%d %s; want %d with %s", r.status, r.body, c.status, c.want)
			}
		})
	}
	// The three accepted, after the demo's own two photos.
	entries, _ := ta.Store.FindAudit(t.Context(), kolokol.AuditFilter{Action: "media.upload"})
	var services []string
	for _, e := range entries {
		services = append(services, e.Service)
	}
	if strings.Join(services, " ") != "ru ka ka en en" {
		t.Errorf("uploads audited for services %v", services)
	}
}

// TestNewsroomMediaScope: in the newsroom too, another service's photo
// cannot be previewed or put in a story by its number.
func TestNewsroomMediaScope(t *testing.T) {
	ta := newTestApp(t)
	m := ta.upload(t, ta.tokens["editor-fa"], pngFile(t, 64, 36))
	ed := ta.account(t, "ru-editor@example.org", kolokol.RoleEditor, "ru")
	story := url.Values{"service": {"ru"}, "headline": {"Чужое фото"}, "media_id": {fmt.Sprint(m.MediaID)}, "alt": {"Фото"}}

	pv := ta.post(t, ed, "/newsroom/preview/ru/a/0-x/", story)
	if pv.status != http.StatusNotFound || strings.Contains(string(pv.body), strings.TrimPrefix(m.URL, ta.srv.URL)) {
		t.Errorf("preview with another service's photo: %d %s", pv.status, pv.body)
	}
	before, _ := ta.Store.CountArticles(t.Context(), kolokol.ArticleFilter{})
	r := ta.post(t, ed, "/newsroom/stories", story)
	if r.status != 422 || !strings.Contains(string(r.body), fmt.Sprintf("there is no media %d", m.MediaID)) ||
		strings.Contains(string(r.body), "/media/") {
		t.Errorf("a story with another service's photo: %d %s", r.status, r.body)
	}
	if after, _ := ta.Store.CountArticles(t.Context(), kolokol.ArticleFilter{}); after != before {
		t.Error("the refused story was stored")
	}
	denied, _ := ta.Store.FindAudit(t.Context(), kolokol.AuditFilter{Actor: "ru-editor@example.org"})
	var actions []string
	for _, e := range denied {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, " "); !strings.Contains(got, "article.create.denied") || !strings.Contains(got, "media.view.denied") {
		t.Errorf("the attempts are audited as %v", actions)
	}
}
