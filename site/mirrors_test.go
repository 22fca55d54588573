package site

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/changelog"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/render"
	"github.com/kolokol/kolokol/store/sqlite"
)

// TestMirrorsFollowTheDesk: a mirror added, moved or retired in the
// newsroom reaches the cached mirrors pages and mirrors.json through the
// change log alone, and the pages that do not list mirrors stay cached.
func TestMirrorsFollowTheDesk(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kolokol.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, s := range []*kolokol.Service{
		{Code: "en", Tag: "en", Script: "Latn", Direction: kolokol.LTR, Name: "English", TimeZone: "Europe/London"},
		{Code: "fa", Tag: "fa-IR", Script: "Arab", Direction: kolokol.RTL, Name: "فارسی", TimeZone: "Asia/Tehran"},
	} {
		if err := st.CreateService(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	blobs, err := media.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b, err := render.New(st, render.Options{BaseURL: "https://news.example.org", KeyID: "003137FE040BF8D6", KeyFingerprint: "0f0e"})
	if err != nil {
		t.Fatal(err)
	}
	s := New(b, blobs, slog.New(slog.DiscardHandler), nil, Options{Notices: st.FindNotices})
	follower := changelog.New(st, "", s.Consumer(), nil)
	if err := follower.Start(ctx); err != nil {
		t.Fatal(err)
	}
	d := desk.New(st, blobs, nil, nil)
	admin := kolokol.Actor{Name: "admin", Role: kolokol.RoleAdmin}
	h := s.Handler()
	get := func(path string) (string, string) {
		t.Helper()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != 200 {
			t.Fatalf("%s: %d", path, w.Code)
		}
		return w.Body.String(), w.Header().Get("Content-Type")
	}
	listed := func(url string) map[string]bool {
		t.Helper()
		out := map[string]bool{}
		for _, p := range []string{"/en/mirrors/", "/fa/mirrors/", "/mirrors.json"} {
			body, _ := get(p)
			out[p] = strings.Contains(body, url)
		}
		return out
	}
	check := func(step, url string, want bool) {
		t.Helper()
		for _, p := range []string{"/en/mirrors/", "/fa/mirrors/", "/mirrors.json", "/en/", "/en/safety/"} {
			get(p) // cached, as readers left them
		}
		if _, err := follower.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"/en/mirrors/", "/fa/mirrors/", "/mirrors.json"} {
			if s.Cache().Has(p) {
				t.Errorf("%s: %s is still cached", step, p)
			}
		}
		for _, p := range []string{"/en/", "/en/safety/"} {
			if !s.Cache().Has(p) {
				t.Errorf("%s: %s, which lists no mirror, was dropped from the cache", step, p)
			}
		}
		for p, got := range listed(url) {
			if got != want {
				t.Errorf("%s: %s lists %s: %v, want %v", step, p, url, got, want)
			}
		}
	}

	body, ctype := get("/mirrors.json")
	if ctype != "application/json" {
		t.Errorf("mirrors.json is served as %q", ctype)
	}
	var d0 render.MirrorsJSON
	if err := json.Unmarshal([]byte(body), &d0); err != nil || d0.Mirrors == nil || len(d0.Mirrors) != 0 || d0.Key.Fingerprint != "0f0e" {
		t.Errorf("mirrors.json with no mirror: %v\n%s", err, body)
	}

	m, err := d.CreateMirror(ctx, admin, kolokol.Mirror{Name: "Frankfurt", Kind: kolokol.MirrorDir, Dir: "/srv/private/frankfurt",
		PublicURL: "https://frankfurt.example.net/"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	check("added", "https://frankfurt.example.net/", true)
	moved := "https://frankfurt2.example.net/"
	if _, err := d.UpdateMirror(ctx, admin, m.ID, desk.MirrorPatch{PublicURL: &moved}); err != nil {
		t.Fatal(err)
	}
	check("moved", moved, true)
	for p, got := range listed("https://frankfurt.example.net/") {
		if got {
			t.Errorf("moved: %s still lists the old address", p)
		}
	}
	if _, err := d.RetireMirror(ctx, admin, m.ID); err != nil {
		t.Fatal(err)
	}
	check("retired", moved, false)
	for _, p := range []string{"/en/mirrors/", "/mirrors.json"} {
		if body, _ := get(p); strings.Contains(body, "/srv/private") {
			t.Errorf("%s shows the mirror's directory", p)
		}
	}
}
