package newsroom

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/store/sqlite"
)

// TestStoryFormSEO: the address and sharing fields go from the form to the
// edit and back.
func TestStoryFormSEO(t *testing.T) {
	form := url.Values{"service": {"ru"}, "headline": {"Паром"}, "version": {"3"}, "slug": {" Мой Адрес "},
		"seo_title": {" Паром: SEO "}, "social_title": {"Паром: карточка"}, "social_description": {"Описание"}}
	r := httptest.NewRequest("POST", "/newsroom/stories/1", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	f, _, err := readStory(httptest.NewRecorder(), r)
	if err != nil {
		t.Fatal(err)
	}
	p := f.patch()
	if p.Slug == nil || *p.Slug != "мой-адрес" || p.SEOTitle == nil || *p.SEOTitle != "Паром: SEO" ||
		p.SocialTitle == nil || *p.SocialTitle != "Паром: карточка" || p.SocialDescription == nil || *p.SocialDescription != "Описание" {
		t.Errorf("patch of the form: %+v", p)
	}
	a := f.article()
	if a.Slug != "мой-адрес" {
		t.Errorf("slug %q", a.Slug)
	}
	if back := formOf(a); back.Slug != "мой-адрес" || back.SEOTitle != "Паром: SEO" || back.SocialDescription != "Описание" {
		t.Errorf("form of the article: %+v", back)
	}
	// An empty slug field follows the headline.
	f.Slug = ""
	if p := f.patch(); p.Slug == nil || *p.Slug != "" {
		t.Errorf("empty slug patch: %v", p.Slug)
	}
}

func seoNewsroom(t *testing.T) (*Newsroom, *kolokol.User) {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "kolokol.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, s := range []*kolokol.Service{
		{Code: "ru", Tag: "ru", Script: "Cyrl", Direction: kolokol.LTR, Name: "Русский", EnglishName: "Russian", TimeZone: "Europe/Moscow", LatinSlugs: true},
		{Code: "fa", Tag: "fa-IR", Script: "Arab", Direction: kolokol.RTL, Name: "فارسی", EnglishName: "Persian", TimeZone: "Asia/Tehran"},
	} {
		if err := st.CreateService(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	n, err := New(st, desk.New(st, nil, nil, time.Now), slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return n, &kolokol.User{ID: 1, Email: "admin@example.org", Name: "Admin", Role: kolokol.RoleAdmin}
}

// TestStoryPageSEOFields: the story form has the fields with their
// guidance, and says when the service makes Latin addresses.
func TestStoryPageSEOFields(t *testing.T) {
	n, u := seoNewsroom(t)
	for _, c := range []struct {
		service string
		want    []string
		not     []string
	}{
		{"ru", []string{`id="seo_title"`, `data-hint="60"`, `data-hint="70"`, `data-hint="160"`, `maxlength="200"`, `maxlength="500"`,
			`value="Мой SEO"`, "about 60 characters", "in Latin letters", `name="slug"`}, nil},
		{"fa", []string{`id="social_description"`, `lang="fa-IR"`}, []string{"in Latin letters"}},
	} {
		w := httptest.NewRecorder()
		n.showStory(w, httptest.NewRequest("GET", "/newsroom/stories/new?service="+c.service, nil), u, 200,
			storyForm{Service: c.service, SEOTitle: "Мой SEO"}, nil, nil)
		body := w.Body.String()
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", c.service, w.Code, body)
		}
		for _, s := range c.want {
			if !strings.Contains(body, s) {
				t.Errorf("%s: the story form lacks %s", c.service, s)
			}
		}
		for _, s := range c.not {
			if strings.Contains(body, s) {
				t.Errorf("%s: the story form has %s", c.service, s)
			}
		}
	}
}

// TestSettingsLatinAddresses: the setting is offered to a Cyrillic service,
// not to a Persian one, and a save without the marker leaves it as it was.
func TestSettingsLatinAddresses(t *testing.T) {
	n, u := seoNewsroom(t)
	for code, offered := range map[string]bool{"ru": true, "fa": false} {
		svc, err := n.store.FindServiceByCode(t.Context(), code)
		if err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		n.showService(w, httptest.NewRequest("GET", "/newsroom/services/"+code, nil), u, 200, svc, nil)
		body := w.Body.String()
		if got := strings.Contains(body, `name="latin_slugs"`); got != offered {
			t.Errorf("%s: Latin addresses offered %v, want %v", code, got, offered)
		}
		if code == "ru" && !strings.Contains(body, `name="latin_slugs" value="1" aria-describedby="latin-hint" checked`) {
			t.Errorf("ru: the setting is on but not shown checked")
		}
	}
}
