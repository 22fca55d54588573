package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/media/mediatest"
)

func TestServiceSettings(t *testing.T) {
	ta := newTestApp(t)
	ta.get(t, "/")
	ta.get(t, "/ka/")
	r := ta.api(t, "PATCH", "/services/ka", ta.admin, map[string]any{"about": "ახალი აღწერა.", "legal_status": "სტატუსი."})
	if r.status != 200 {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	if home := string(ta.get(t, "/ka/").body); !strings.Contains(home, "ახალი აღწერა.") || !strings.Contains(home, "სტატუსი.") {
		t.Error("the service home shows the old settings")
	}
	r = ta.api(t, "PATCH", "/services/ka", ta.admin, map[string]any{"name": "ქართული სერვისი"})
	if r.status != 200 || !strings.Contains(string(ta.get(t, "/").body), "ქართული სერვისი") {
		t.Errorf("renamed service not on the portal: %d", r.status)
	}
	// Persian shows the Gregorian date beside the Solar Hijri one once asked
	// to, on its home and its article pages (both rendered and cached first).
	twoCalendars := regexp.MustCompile(`<time [^>]*>[^<]*\([^<]*\)[^<]*</time>`)
	home := func() string { return twoCalendars.FindString(string(ta.get(t, "/fa/").body)) }
	fa, err := ta.Store.FindArticles(context.Background(), kolokol.ArticleFilter{Service: "fa", Status: kolokol.StatusPublished, Limit: 1})
	if err != nil || len(fa) == 0 {
		t.Fatalf("a published Persian story: %v %v", fa, err)
	}
	article := func() string {
		r := ta.get(t, fa[0].Path())
		if r.status != 200 || !strings.Contains(string(r.body), "<time ") {
			t.Fatalf("Persian article %s: %d, no <time>", fa[0].Path(), r.status)
		}
		return twoCalendars.FindString(string(r.body))
	}
	if home() != "" || article() != "" {
		t.Error("Persian pages show Gregorian dates before they are asked to")
	}
	if r := ta.api(t, "PATCH", "/services/fa", ta.admin, map[string]any{"show_gregorian": true}); r.status != 200 || !strings.Contains(string(r.body), `"show_gregorian": true`) {
		t.Fatalf("show_gregorian: %d %s", r.status, r.body)
	}
	var list struct {
		Services []struct {
			Code          string `json:"code"`
			ShowGregorian bool   `json:"show_gregorian"`
		} `json:"services"`
	}
	ta.api(t, "GET", "/services", ta.admin, nil).json(t, &list)
	if len(list.Services) < 2 {
		t.Errorf("GET /services lists %d services", len(list.Services))
	}
	for _, s := range list.Services {
		if s.ShowGregorian != (s.Code == "fa" || s.Code == "prs") {
			t.Errorf("GET /services: %s show_gregorian %v", s.Code, s.ShowGregorian)
		}
	}
	if home() == "" {
		t.Error("Persian home lacks the Gregorian date after show_gregorian")
	}
	if a := article(); !regexp.MustCompile(`\([^)]*۲۰[۰-۹]{2}\)`).MatchString(a) {
		t.Errorf("Persian article page lacks the Gregorian date after show_gregorian: %q", a)
	}
	for _, tt := range []struct {
		token  string
		body   any
		status int
	}{
		{ta.tokens["editor-ru"], map[string]any{"about": "x"}, 403},
		{ta.admin, map[string]any{"time_zone": "Mars/Base"}, 422},
		{ta.admin, map[string]any{"direction": "up"}, 422},
		{ta.admin, map[string]any{"code": "xx"}, 400},
	} {
		if r := ta.api(t, "PATCH", "/services/ka", tt.token, tt.body); r.status != tt.status {
			t.Errorf("%v: %d %s", tt.body, r.status, r.body)
		}
	}
	if r := ta.api(t, "PATCH", "/services/zz", ta.admin, map[string]any{"about": "x"}); r.status != 404 {
		t.Errorf("unknown service: %d", r.status)
	}
}

// A new newsroom starts with the built-in services; --services imports a
// file of its own, creating and updating.
func TestSeedServices(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	app, err := NewApp(ctx, t.TempDir(), "http://example.test", logger)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if err := seedServices(ctx, app.Store, app.Desk, "kolokol serve", "", logger); err != nil {
		t.Fatal(err)
	}
	all, _ := app.Store.FindServices(ctx)
	if len(all) < 5 {
		t.Fatalf("%d default services", len(all))
	}
	file := filepath.Join(t.TempDir(), "services.json")
	os.WriteFile(file, []byte(`[
		{"code":"en","tag":"en-GB","script":"Latn","direction":"ltr","name":"English service","time_zone":"Europe/London"},
		{"code":"sah","tag":"sah","script":"Cyrl","direction":"ltr","name":"Саха","time_zone":"Asia/Yakutsk","sections":[{"slug":"news","name":"Сонуннар"}]}
	]`), 0o600)
	if err := seedServices(ctx, app.Store, app.Desk, "kolokol serve", file, logger); err != nil {
		t.Fatal(err)
	}
	en, err := app.Store.FindServiceByCode(ctx, "en")
	if err != nil || en.Name != "English service" || en.Tag != "en-GB" {
		t.Errorf("en not updated: %+v %v", en, err)
	}
	if secs, err := app.Store.FindSections(ctx, "sah"); err != nil || len(secs) != 1 {
		t.Errorf("sah sections: %v %v", secs, err)
	}
	os.WriteFile(file, []byte(`[{"code":"xx","tag":"??"}]`), 0o600)
	if err := seedServices(ctx, app.Store, app.Desk, "kolokol serve", file, logger); err == nil || !strings.Contains(err.Error(), "BCP 47") {
		t.Errorf("bad file: %v", err)
	}
}

// The masthead through the API: the brand names the service's pages at
// once; a logo drawing loses its script and is inlined; a picture goes
// through the media pipeline; only admins may change either; a body over
// the limit is refused whole.
func TestMastheadAPI(t *testing.T) {
	ta := newTestApp(t)
	ta.get(t, "/ka/") // rendered and cached before the change
	if r := ta.api(t, "PATCH", "/services/ka", ta.admin, map[string]any{"brand": "კოლოკოლი"}); r.status != 200 || !strings.Contains(string(r.body), `"brand": "კოლოკოლი"`) {
		t.Fatalf("brand: %d %s", r.status, r.body)
	}
	if home := string(ta.get(t, "/ka/").body); !strings.Contains(home, `<p class="brand"><a href="./">კოლოკოლი</a></p>`) || !strings.Contains(home, "<title>კოლოკოლი</title>") {
		t.Errorf("the Georgian home does not show the new brand:\n%.600s", home)
	}
	drawing := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 90 30"><script>alert(1)</script><rect width="90" height="30" fill="#0b4f8a"/></svg>`
	r := ta.do(t, "PUT", "/api/v1/services/ka/logo", ta.admin, strings.NewReader(drawing), "Content-Type", "image/svg+xml")
	var got struct {
		Logo struct {
			Type    string   `json:"type"`
			ViewBox string   `json:"view_box"`
			MediaID int64    `json:"media_id"`
			Dropped []string `json:"dropped"`
		} `json:"logo"`
	}
	r.json(t, &got)
	if r.status != 200 || got.Logo.Type != "svg" || got.Logo.ViewBox != "0 0 90 30" || len(got.Logo.Dropped) != 1 || got.Logo.Dropped[0] != "<script>" {
		t.Fatalf("logo drawing: %d %s", r.status, r.body)
	}
	home := string(ta.get(t, "/ka/").body)
	if !strings.Contains(home, `aria-label="კოლოკოლი"><rect width="90" height="30" fill="#0b4f8a"/></svg>`) || strings.Contains(home, "alert(") {
		t.Errorf("the Georgian home does not inline the sanitized drawing:\n%.900s", home)
	}
	for _, c := range []struct {
		name, token string
		body        []byte
		status      int
	}{
		{"an editor", ta.tokens["editor-fa"], []byte(drawing), 403},
		{"nothing to draw", ta.admin, []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><text>x</text></svg>`), 422},
		{"an entity bomb", ta.admin, []byte(`<!DOCTYPE svg [<!ENTITY a "aaaaaaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>`), 422},
		{"over the limit", ta.admin, bytes.Repeat([]byte("a"), 26<<20), 413},
		{"empty", ta.admin, nil, 422},
	} {
		var body io.Reader
		if c.body != nil {
			body = bytes.NewReader(c.body)
		}
		if r := ta.do(t, "PUT", "/api/v1/services/fa/logo", c.token, body, "Content-Type", "image/svg+xml"); r.status != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, r.status, r.body, c.status)
		}
	}
	if svc, err := ta.Store.FindServiceByCode(context.Background(), "fa"); err != nil || !svc.Logo.IsZero() {
		t.Errorf("refused logos left %+v (%v)", svc.Logo, err)
	}
	r = ta.do(t, "PUT", "/api/v1/services/ka/logo", ta.admin, bytes.NewReader(mediatest.CameraJPEG(t, splitPhoto(400, 100), 1)), "Content-Type", "image/jpeg")
	got.Logo.Type = ""
	r.json(t, &got)
	if r.status != 200 || got.Logo.Type != "picture" || got.Logo.MediaID == 0 {
		t.Fatalf("logo picture: %d %s", r.status, r.body)
	}
	if home := string(ta.get(t, "/ka/").body); !strings.Contains(home, `alt="კოლოკოლი"`) || strings.Contains(home, "<svg") {
		t.Errorf("the Georgian home does not show the picture logo:\n%.900s", home)
	}
	if r := ta.do(t, "DELETE", "/api/v1/services/ka/logo", ta.admin, nil); r.status != 200 || !strings.Contains(string(r.body), `"type": "none"`) {
		t.Fatalf("remove: %d %s", r.status, r.body)
	}
	if home := string(ta.get(t, "/ka/").body); !strings.Contains(home, `<p class="brand"><a href="./">კოლოკოლი</a></p>`) {
		t.Error("the logo stays after its removal")
	}
}
