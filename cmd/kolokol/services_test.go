package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
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
