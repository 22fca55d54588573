package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image/jpeg"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func TestAPIArticleLifecycle(t *testing.T) {
	ta := newTestApp(t)
	a := ta.create(t, ta.tokens["editor-ru"], map[string]any{
		"service": "ru", "section": "world", "headline": "Новости дня: всё по плану",
		"summary": "Кратко.", "body": "Первый абзац.", "bylines": []string{"Иван Петров"},
		"credits": []string{"Reuters", "AFP"}, "tags": []string{"тест"},
	})
	if a.ID == 0 || a.Status != "draft" || a.Version != 1 || a.Slug != "новости-дня-всё-по-плану" {
		t.Fatalf("created %+v", a)
	}
	if !strings.HasPrefix(a.URL, ta.srv.URL+fmt.Sprintf("/ru/a/%d-", a.ID)) {
		t.Fatalf("url %q", a.URL)
	}
	if r := ta.get(t, ta.path(a)); r.status != http.StatusNotFound {
		t.Fatalf("draft is visible to readers: %d", r.status)
	}
	if r := ta.api(t, "GET", fmt.Sprintf("/articles/%d", a.ID), ta.tokens["editor-ru"], nil); r.status != 200 || !strings.Contains(string(r.body), "Первый абзац.") {
		t.Fatalf("get: %d %s", r.status, r.body)
	}

	// Edit, then a stale edit from the same version.
	r := ta.api(t, "PATCH", fmt.Sprintf("/articles/%d", a.ID), ta.tokens["editor-ru"], map[string]any{"version": 1, "body": "Второй абзац."})
	if r.status != 200 {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	r = ta.api(t, "PATCH", fmt.Sprintf("/articles/%d", a.ID), ta.tokens["editor-ru"], map[string]any{"version": 1, "body": "Чужая правка."})
	if r.status != http.StatusConflict || !strings.Contains(string(r.body), `"field": "version"`) {
		t.Fatalf("stale patch: %d %s", r.status, r.body)
	}

	p := ta.publish(t, ta.tokens["editor-ru"], a.ID)
	if p.Status != "published" {
		t.Fatalf("publish: %+v", p)
	}
	page := ta.get(t, ta.path(p))
	if page.status != 200 || !strings.Contains(string(page.body), "Второй абзац.") || strings.Contains(string(page.body), "Чужая правка.") {
		t.Fatalf("published page: %d", page.status)
	}

	r = ta.api(t, "POST", fmt.Sprintf("/articles/%d/corrections", a.ID), ta.tokens["editor-ru"], map[string]any{"text": "Исправлена дата."})
	if r.status != http.StatusCreated {
		t.Fatalf("correction: %d %s", r.status, r.body)
	}
	if page := ta.get(t, ta.path(p)); !strings.Contains(string(page.body), "Исправлена дата.") {
		t.Fatal("correction not on the reader page")
	}

	if r := ta.api(t, "POST", fmt.Sprintf("/articles/%d/unpublish", a.ID), ta.tokens["editor-ru"], nil); r.status != 200 {
		t.Fatalf("unpublish: %d %s", r.status, r.body)
	}
	if r := ta.get(t, ta.path(p)); r.status != http.StatusNotFound {
		t.Fatalf("unpublished page: %d", r.status)
	}
	if r := ta.api(t, "POST", fmt.Sprintf("/articles/%d/unpublish", a.ID), ta.tokens["editor-ru"], nil); r.status != http.StatusConflict {
		t.Fatalf("second unpublish: %d %s", r.status, r.body)
	}
}

func TestAPIErrors(t *testing.T) {
	ta := newTestApp(t)
	draft := ta.create(t, ta.tokens["reporter-ru"], map[string]any{"service": "ru", "headline": "Черновик", "body": "Текст"})
	long := strings.Repeat("a", 3<<20)
	tests := []struct {
		name, method, path, token string
		body                      any
		status                    int
		want                      string // in the error body
	}{
		{"no token", "GET", "/articles", "", nil, 401, "Authorization"},
		{"bad token", "GET", "/articles", "kk_nope", nil, 401, "not valid"},
		{"malformed JSON", "POST", "/articles", ta.admin, `{"service": "en",`, 400, "malformed JSON"},
		{"not an object", "POST", "/articles", ta.admin, `[1,2]`, 400, "must be a JSON"},
		{"trailing data", "POST", "/articles", ta.admin, `{"service":"en","headline":"x"} {}`, 400, "after the JSON"},
		{"unknown field", "POST", "/articles", ta.admin, `{"service":"en","headline":"x","evil":1}`, 400, `"evil"`},
		{"not UTF-8", "POST", "/articles", ta.admin, []byte("{\"service\":\"en\",\"headline\":\"\xff\xfe\"}"), 400, "UTF-8"},
		{"wrong type", "POST", "/articles", ta.admin, `{"service":"en","headline":5}`, 400, "headline"},
		{"empty body", "POST", "/articles", ta.admin, ``, 400, "empty"},
		{"huge body", "POST", "/articles", ta.admin, `{"service":"en","headline":"` + long + `"}`, 413, "limit"},
		{"unknown service", "POST", "/articles", ta.admin, map[string]any{"service": "xx", "headline": "x"}, 422, "unknown service"},
		{"no headline", "POST", "/articles", ta.admin, map[string]any{"service": "en", "headline": "  "}, 422, "headline"},
		{"control char", "POST", "/articles", ta.admin, map[string]any{"service": "en", "headline": "a\u0000b"}, 422, "control character"},
		{"unknown section", "POST", "/articles", ta.admin, map[string]any{"service": "en", "headline": "x", "section": "nope"}, 422, "section"},
		{"path trick section", "POST", "/articles", ta.admin, map[string]any{"service": "en", "headline": "x", "section": "../etc"}, 422, "section"},
		{"missing media", "POST", "/articles", ta.admin, map[string]any{"service": "en", "headline": "x", "lead_image": map[string]any{"media_id": 999, "alt": "a"}}, 422, "media"},
		{"image without alt", "POST", "/articles", ta.admin, map[string]any{"service": "en", "headline": "x", "lead_image": map[string]any{"media_id": 1}}, 422, "alt"},
		{"other service", "POST", "/articles", ta.tokens["editor-ru"], map[string]any{"service": "fa", "headline": "x"}, 403, "fa"},
		{"reporter publishes", "POST", fmt.Sprintf("/articles/%d/publish", draft.ID), ta.tokens["reporter-ru"], nil, 403, "reporter"},
		{"other service reads", "GET", fmt.Sprintf("/articles/%d", draft.ID), ta.tokens["editor-fa"], nil, 404, "not found"},
		{"other service publishes", "POST", fmt.Sprintf("/articles/%d/publish", draft.ID), ta.tokens["editor-fa"], nil, 404, "not found"},
		{"no version", "PATCH", fmt.Sprintf("/articles/%d", draft.ID), ta.admin, map[string]any{"body": "x"}, 422, "version"},
		{"bad id", "GET", "/articles/abc", ta.admin, nil, 404, "abc"},
		{"unknown article", "GET", "/articles/99999", ta.admin, nil, 404, "no article"},
		{"bad limit", "GET", "/articles?service=en&limit=0", ta.admin, nil, 422, "limit"},
		{"bad status", "GET", "/articles?service=en&status=gone", ta.admin, nil, 422, "status"},
		{"breaking reporter", "PUT", "/services/ru/breaking", ta.tokens["reporter-ru"], map[string]any{"text": "x"}, 403, "reporter"},
		{"breaking unknown service", "PUT", "/services/zz/breaking", ta.admin, map[string]any{"text": "x"}, 404, "zz"},
		{"breaking js url", "PUT", "/services/en/breaking", ta.admin, map[string]any{"text": "x", "url": "javascript:alert(1)"}, 422, "url"},
		{"breaking past expiry", "PUT", "/services/en/breaking", ta.admin, map[string]any{"text": "x", "expires_at": "2001-01-01T00:00:00Z"}, 422, "past"},
		{"breaking bad time", "PUT", "/services/en/breaking", ta.admin, map[string]any{"text": "x", "expires_at": "tomorrow"}, 422, "RFC 3339"},
		{"unknown route", "GET", "/nothing", ta.admin, nil, 404, "no API route"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := ta.Store.CountArticles(t.Context(), kolokolFilterAll())
			r := ta.api(t, tt.method, tt.path, tt.token, tt.body)
			if r.status != tt.status || !strings.Contains(string(r.body), tt.want) {
				t.Fatalf("got %d %s; want %d with %q", r.status, r.body, tt.status, tt.want)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type %q", ct)
			}
			if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("API response without nosniff or no-store: %v", r.header)
			}
			if after, _ := ta.Store.CountArticles(t.Context(), kolokolFilterAll()); after != before {
				t.Errorf("a refused request wrote: %d articles before, %d after", before, after)
			}
		})
	}
}

func TestAPIListCursor(t *testing.T) {
	ta := newTestApp(t)
	seen := map[int64]bool{}
	cursor := ""
	for pages := 0; pages < 10; pages++ {
		r := ta.api(t, "GET", "/articles?service=en&limit=2"+cursor, ta.admin, nil)
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		var resp struct {
			Articles   []apiArticle `json:"articles"`
			NextCursor string       `json:"next_cursor"`
		}
		r.json(t, &resp)
		for _, a := range resp.Articles {
			if seen[a.ID] || a.Service != "en" {
				t.Fatalf("repeated or foreign article %+v", a)
			}
			seen[a.ID] = true
		}
		if resp.NextCursor == "" {
			break
		}
		cursor = "&cursor=" + resp.NextCursor
	}
	if len(seen) != 3 {
		t.Fatalf("listed %d English stories, want the demo's 3", len(seen))
	}
	// A reporter limited to one service lists it without naming it.
	if r := ta.api(t, "GET", "/articles", ta.tokens["reporter-ru"], nil); r.status != 200 || !strings.Contains(string(r.body), `"service": "ru"`) {
		t.Fatalf("reporter list: %d %s", r.status, r.body)
	}
}

func TestAPIMedia(t *testing.T) {
	ta := newTestApp(t)
	upload := func(token string, data []byte, name string) response {
		body, ct := multipartBody(t, "file", name, data)
		return ta.do(t, "POST", "/api/v1/media?service=ru", token, body, "Content-Type", ct)
	}
	img := pngFile(t, 64, 36)
	r := upload(ta.tokens["reporter-ru"], img, "photo.jpg") // wrong extension: content decides
	if r.status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	var m struct {
		MediaID     int64  `json:"media_id"`
		ContentType string `json:"content_type"`
		Width       int    `json:"width"`
		URL         string `json:"url"`
	}
	r.json(t, &m)
	// What is stored is a master JPEG re-encoded from the pixels, never
	// the upload: the URL names the master's own hash.
	if m.MediaID == 0 || m.ContentType != "image/jpeg" || m.Width != 64 {
		t.Fatalf("media %+v", m)
	}
	got := ta.get(t, strings.TrimPrefix(m.URL, ta.srv.URL))
	sum := sha256.Sum256(got.body)
	if got.status != 200 || got.header.Get("Content-Type") != "image/jpeg" || !strings.HasSuffix(m.URL, "/media/"+hex.EncodeToString(sum[:])+".jpg") {
		t.Fatalf("serve media: %d %q for %s", got.status, got.header.Get("Content-Type"), m.URL)
	}
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(got.body)); err != nil || cfg.Width != 64 || cfg.Height != 36 {
		t.Fatalf("the master is not a 64x36 JPEG: %+v %v", cfg, err)
	}

	// A story with the image, published: the page shows it with its alt.
	a := ta.create(t, ta.admin, map[string]any{"service": "en", "headline": "With a picture", "body": "x",
		"lead_image": map[string]any{"media_id": m.MediaID, "alt": "Grey squares", "caption": "Squares, today.", "credit": "Test"}})
	p := ta.publish(t, ta.admin, a.ID)
	page := string(ta.get(t, ta.path(p)).body)
	for _, want := range []string{`alt="Grey squares"`, "Squares, today.", `width="64"`, `height="36"`} {
		if !strings.Contains(page, want) {
			t.Errorf("article page lacks %s", want)
		}
	}

	bomb := pngHeader(100000, 100000)
	for name, tt := range map[string]struct {
		data   []byte
		status int
		want   string
	}{
		"html":      {[]byte("<html><script>alert(1)</script></html>"), 422, "unsupported file type"},
		"svg":       {[]byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), 422, "SVG"},
		"empty":     {[]byte{}, 422, "empty"},
		"truncated": {img[:40], 422, "truncated"},
		"bomb":      {bomb, 422, "pixels"},
		"too big":   {append(append([]byte{}, img...), make([]byte, 26<<20)...), 413, "limit"},
	} {
		t.Run(name, func(t *testing.T) {
			r := upload(ta.admin, tt.data, "x.png")
			if r.status != tt.status || !strings.Contains(string(r.body), tt.want) {
				t.Fatalf("got %d %s; want %d %q", r.status, r.body, tt.status, tt.want)
			}
		})
	}
	if r := ta.do(t, "POST", "/api/v1/media", ta.admin, strings.NewReader("x"), "Content-Type", "image/png"); r.status != 400 {
		t.Fatalf("non-multipart upload: %d %s", r.status, r.body)
	}
	if r := ta.get(t, "/media/../kolokol.db"); r.status == 200 {
		t.Fatal("path trick served a file")
	}
	if r := ta.get(t, "/media/"+strings.Repeat("0", 64)+".png"); r.status != 404 {
		t.Fatalf("unknown media: %d", r.status)
	}
}

func TestAPIHostileInput(t *testing.T) {
	ta := newTestApp(t)
	a := ta.create(t, ta.admin, map[string]any{
		"service":  "en",
		"headline": `<script>alert("h")</script> Hostile/../headline`,
		"summary":  `<img src=x onerror=alert(1)>`,
		"body":     "[click](javascript:alert(1)) <script>alert(2)</script> <iframe src=//evil></iframe>\n\n<a href=\"x\" onclick=\"alert(3)\">raw</a>",
		"bylines":  []string{`"><svg onload=alert(4)>`},
		"dateline": `</time><script>`,
	})
	if strings.ContainsAny(a.Slug, "/.<>\"") {
		t.Fatalf("slug carries a path or markup character: %q", a.Slug)
	}
	p := ta.publish(t, ta.admin, a.ID)
	page := string(ta.get(t, ta.path(p)).body)
	for _, bad := range []string{"<script>alert", "<img src=x", "javascript:", "<iframe", "<svg"} {
		if strings.Contains(page, bad) {
			t.Errorf("article page carries %q", bad)
		}
	}
	// Escaped text may mention onerror=; a real element must not carry it.
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	for n := range doc.Descendants() {
		for _, at := range n.Attr {
			if strings.HasPrefix(strings.ToLower(at.Key), "on") {
				t.Errorf("<%s> has an event handler %s=%q", n.Data, at.Key, at.Val)
			}
		}
	}
	if !strings.Contains(page, "&lt;script&gt;alert(&#34;h&#34;)&lt;/script&gt;") && !strings.Contains(page, "&lt;script&gt;alert(&#34;h&#34;)") {
		t.Error("hostile headline not shown escaped")
	}
	r := ta.api(t, "PUT", "/services/en/breaking", ta.admin, map[string]any{"text": `<b onmouseover=alert(1)>Now</b>`})
	if r.status != 200 {
		t.Fatalf("breaking: %d %s", r.status, r.body)
	}
	if home := string(ta.get(t, "/en/").body); strings.Contains(home, "<b onmouseover") || !strings.Contains(home, "&lt;b onmouseover") {
		t.Error("breaking text not escaped on the service home")
	}
}

func TestScheduledPublishing(t *testing.T) {
	ta := newTestApp(t)
	a := ta.create(t, ta.tokens["editor-ru"], map[string]any{"service": "ru", "section": "world", "headline": "Выйдет позже", "body": "Текст."})
	at := time.Now().Add(2 * time.Hour).UTC().Truncate(time.Second)
	for _, tt := range []struct {
		token  string
		body   any
		status int
	}{
		{ta.tokens["reporter-ru"], map[string]any{"at": at.Format(time.RFC3339)}, 403},
		{ta.tokens["editor-ru"], map[string]any{"at": "2001-01-01T00:00:00Z"}, 422},
		{ta.tokens["editor-ru"], map[string]any{"at": "soon"}, 422},
		{ta.tokens["editor-ru"], map[string]any{}, 422},
	} {
		if r := ta.api(t, "POST", fmt.Sprintf("/articles/%d/schedule", a.ID), tt.token, tt.body); r.status != tt.status {
			t.Errorf("%v: %d %s", tt.body, r.status, r.body)
		}
	}
	r := ta.api(t, "POST", fmt.Sprintf("/articles/%d/schedule", a.ID), ta.tokens["editor-ru"], map[string]any{"at": at.Format(time.RFC3339)})
	var got apiArticle
	r.json(t, &got)
	if r.status != 200 || got.Status != "scheduled" || !strings.Contains(string(r.body), `"scheduled_at": "`+at.Format(time.RFC3339)) {
		t.Fatalf("schedule: %d %s", r.status, r.body)
	}
	ta.get(t, "/ru/")
	// Not yet due: nothing happens.
	if n, err := ta.Desk.PublishDue(t.Context(), at.Add(-time.Minute)); n != 0 || err != nil {
		t.Fatalf("early run published %d (%v)", n, err)
	}
	if r := ta.get(t, ta.path(got)); r.status != 404 {
		t.Fatalf("scheduled story visible early: %d", r.status)
	}
	// Due (or overdue after a restart): published, and the lists show it.
	if n, err := ta.Desk.PublishDue(t.Context(), at.Add(time.Minute)); n != 1 || err != nil {
		t.Fatalf("due run published %d (%v)", n, err)
	}
	if r := ta.get(t, ta.path(got)); r.status != 200 {
		t.Errorf("scheduled story not live when due: %d", r.status)
	}
	if !strings.Contains(string(ta.get(t, "/ru/").body), "Выйдет позже") {
		t.Error("the service home does not list the scheduled story once published")
	}
	if r := ta.api(t, "POST", fmt.Sprintf("/articles/%d/schedule", a.ID), ta.tokens["editor-ru"], map[string]any{"at": at.Add(time.Hour).Format(time.RFC3339)}); r.status != 409 {
		t.Errorf("scheduling a live story: %d", r.status)
	}

	// Unpublishing a scheduled story cancels the schedule.
	b := ta.create(t, ta.admin, map[string]any{"service": "ru", "headline": "Отменим", "body": "x"})
	ta.api(t, "POST", fmt.Sprintf("/articles/%d/schedule", b.ID), ta.admin, map[string]any{"at": at.Format(time.RFC3339)})
	r = ta.api(t, "POST", fmt.Sprintf("/articles/%d/unpublish", b.ID), ta.admin, nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"status": "draft"`) {
		t.Errorf("cancel schedule: %d %s", r.status, r.body)
	}
	if n, _ := ta.Desk.PublishDue(t.Context(), at.Add(time.Hour)); n != 0 {
		t.Errorf("a cancelled schedule was published")
	}
}

func TestRevisions(t *testing.T) {
	ta := newTestApp(t)
	a := ta.create(t, ta.tokens["reporter-ru"], map[string]any{"service": "ru", "headline": "Мост закрыт", "body": "Мост закрыт на ремонт."})
	r := ta.api(t, "PATCH", fmt.Sprintf("/articles/%d", a.ID), ta.tokens["editor-ru"], map[string]any{"version": 1, "body": "Мост открыт после ремонта."})
	if r.status != 200 {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	var list struct {
		Revisions []struct {
			ID      int64  `json:"id"`
			Version int    `json:"version"`
			Actor   string `json:"actor"`
		} `json:"revisions"`
	}
	ta.api(t, "GET", fmt.Sprintf("/articles/%d/revisions", a.ID), ta.tokens["editor-ru"], nil).json(t, &list)
	if len(list.Revisions) != 2 || list.Revisions[0].Actor != "editor-ru" || list.Revisions[1].Actor != "reporter-ru" {
		t.Fatalf("revisions %+v", list.Revisions)
	}
	newest, oldest := list.Revisions[0], list.Revisions[1]
	r = ta.api(t, "GET", fmt.Sprintf("/articles/%d/revisions/%d", a.ID, newest.ID), ta.tokens["editor-ru"], nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"field": "body"`) ||
		!strings.Contains(string(r.body), `"op": "delete",`) || !strings.Contains(string(r.body), `"text": "открыт `) {
		t.Fatalf("revision with diff: %d %s", r.status, r.body)
	}
	// Restore the first text: a new save, so the history keeps both.
	r = ta.api(t, "POST", fmt.Sprintf("/articles/%d/revisions/%d/restore", a.ID, oldest.ID), ta.tokens["editor-ru"], map[string]any{"version": 1})
	if r.status != 409 {
		t.Errorf("restore from a stale version: %d", r.status)
	}
	r = ta.api(t, "POST", fmt.Sprintf("/articles/%d/revisions/%d/restore", a.ID, oldest.ID), ta.tokens["editor-ru"], map[string]any{"version": 2})
	if r.status != 200 || !strings.Contains(string(r.body), "Мост закрыт на ремонт.") {
		t.Fatalf("restore: %d %s", r.status, r.body)
	}
	ta.api(t, "GET", fmt.Sprintf("/articles/%d/revisions", a.ID), ta.admin, nil).json(t, &list)
	if len(list.Revisions) != 3 {
		t.Errorf("%d revisions after restore, want 3", len(list.Revisions))
	}
	for _, tt := range []struct {
		path, token string
		status      int
	}{
		{fmt.Sprintf("/articles/%d/revisions", a.ID), ta.tokens["editor-fa"], 404},
		{fmt.Sprintf("/articles/%d/revisions/999999", a.ID), ta.admin, 404},
		{fmt.Sprintf("/articles/%d/revisions/x", a.ID), ta.admin, 404},
		{fmt.Sprintf("/articles/%d/revisions/%d?against=zz", a.ID, newest.ID), ta.admin, 422},
	} {
		if r := ta.api(t, "GET", tt.path, tt.token, nil); r.status != tt.status {
			t.Errorf("%s: %d %s", tt.path, r.status, r.body)
		}
	}
}

func TestAuditLog(t *testing.T) {
	ta := newTestApp(t)
	a := ta.create(t, ta.tokens["reporter-ru"], map[string]any{"service": "ru", "headline": "Аудит", "body": "x"})
	if r := ta.api(t, "POST", fmt.Sprintf("/articles/%d/publish", a.ID), ta.tokens["reporter-ru"], nil); r.status != 403 {
		t.Fatalf("reporter publish: %d", r.status)
	}
	ta.publish(t, ta.tokens["editor-ru"], a.ID)
	if r := ta.api(t, "POST", "/articles", ta.tokens["editor-ru"], map[string]any{"service": "fa", "headline": "x"}); r.status != 403 {
		t.Fatalf("editor of ru in fa: %d", r.status)
	}
	var log struct {
		Entries []struct {
			Actor     string `json:"actor"`
			Action    string `json:"action"`
			Service   string `json:"service"`
			ArticleID int64  `json:"article_id"`
			Detail    string `json:"detail"`
		} `json:"entries"`
	}
	r := ta.api(t, "GET", "/audit?service=ru&limit=50", ta.admin, nil)
	r.json(t, &log)
	want := []string{"reporter-ru article.create", "reporter-ru article.publish.denied", "editor-ru article.publish"}
	var got []string
	for i := len(log.Entries) - 1; i >= 0; i-- {
		e := log.Entries[i]
		if e.ArticleID == a.ID {
			got = append(got, e.Actor+" "+e.Action)
		}
	}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("audit of article %d: %q, want %q", a.ID, got, want)
	}
	r = ta.api(t, "GET", "/audit?action=article.create.denied", ta.admin, nil)
	if !strings.Contains(string(r.body), `"actor": "editor-ru"`) || !strings.Contains(string(r.body), `"service": "fa"`) {
		t.Errorf("the denied cross-service attempt is not audited: %s", r.body)
	}
	if r := ta.api(t, "GET", "/audit", ta.tokens["editor-ru"], nil); r.status != 403 {
		t.Errorf("an editor read the audit log: %d", r.status)
	}
	if r := ta.api(t, "GET", "/audit?article=x", ta.admin, nil); r.status != 422 {
		t.Errorf("bad filter: %d", r.status)
	}
	// Reader requests are never recorded.
	ta.get(t, "/ru/")
	r = ta.api(t, "GET", "/audit?limit=500", ta.admin, nil)
	if strings.Contains(string(r.body), "127.0.0.1") {
		t.Error("the audit log holds an address")
	}
}

// TestAPISubmit: a reporter hands a draft in; editors find it by the
// submitted filter's store field and by its author.
func TestAPISubmit(t *testing.T) {
	ta := newTestApp(t)
	a := ta.create(t, ta.tokens["reporter-ru"], map[string]any{"service": "ru", "headline": "На проверку", "body": "Текст"})
	r := ta.api(t, "POST", fmt.Sprintf("/articles/%d/submit", a.ID), ta.tokens["reporter-ru"], nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"submitted_at"`) || !strings.Contains(string(r.body), `"created_by": "reporter-ru"`) {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	if r := ta.api(t, "POST", fmt.Sprintf("/articles/%d/submit", a.ID), ta.tokens["editor-fa"], nil); r.status != http.StatusNotFound { // another service's stories are not shown to exist
		t.Fatalf("submit from another service: %d %s", r.status, r.body)
	}
	ta.publish(t, ta.tokens["editor-ru"], a.ID)
	if r := ta.api(t, "POST", fmt.Sprintf("/articles/%d/submit", a.ID), ta.tokens["reporter-ru"], nil); r.status != http.StatusConflict || !strings.Contains(string(r.body), "only a draft") {
		t.Fatalf("submit a published story: %d %s", r.status, r.body)
	}
}

func TestAPINotices(t *testing.T) {
	ta := newTestApp(t)
	r := ta.api(t, "POST", "/services/ru/notices", ta.tokens["editor-ru"], map[string]any{"text": "Осторожно.", "countries": []string{"ru", "BY"}})
	if r.status != http.StatusCreated || !strings.Contains(string(r.body), `"countries": [`) || !strings.Contains(string(r.body), `"RU"`) {
		t.Fatalf("create notice: %d %s", r.status, r.body)
	}
	var n struct {
		ID int64 `json:"id"`
	}
	r.json(t, &n)
	for _, c := range []struct {
		name, method, path, token string
		body                      any
		status                    int
	}{
		{"reporter", "POST", "/services/ru/notices", "reporter-ru", map[string]any{"text": "x", "default": true}, 403},
		{"another service", "POST", "/services/fa/notices", "editor-ru", map[string]any{"text": "x", "default": true}, 403},
		{"bad country", "POST", "/services/ru/notices", "editor-ru", map[string]any{"text": "x", "countries": []string{"Russia"}}, 422},
		{"for no one", "POST", "/services/ru/notices", "editor-ru", map[string]any{"text": "x"}, 422},
		{"unknown field", "POST", "/services/ru/notices", "editor-ru", map[string]any{"text": "x", "everyone": true}, 400},
		{"another service's notice", "PUT", fmt.Sprintf("/services/fa/notices/%d", n.ID), "editor-fa", map[string]any{"text": "x", "default": true}, 404},
		{"unknown id", "DELETE", "/services/ru/notices/99999", "editor-ru", nil, 404},
		{"replace", "PUT", fmt.Sprintf("/services/ru/notices/%d", n.ID), "editor-ru", map[string]any{"text": "Новый.", "default": true}, 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			if r := ta.api(t, c.method, c.path, ta.tokens[c.token], c.body); r.status != c.status {
				t.Errorf("%d %s, want %d", r.status, r.body, c.status)
			}
		})
	}
	if r := ta.get(t, "/ru/"); !strings.Contains(string(r.body), "Новый.") {
		t.Error("the replaced notice is not on the home page of a reader whose country is unknown")
	}
	if r := ta.api(t, "GET", "/services/ru/notices", ta.tokens["reporter-ru"], nil); r.status != 200 || !strings.Contains(string(r.body), "Новый.") {
		t.Errorf("list: %d %s", r.status, r.body)
	}
	if r := ta.api(t, "DELETE", fmt.Sprintf("/services/ru/notices/%d", n.ID), ta.tokens["editor-ru"], nil); r.status != 204 {
		t.Errorf("delete: %d", r.status)
	}
}
