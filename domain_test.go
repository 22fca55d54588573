package kolokol

import (
	"strings"
	"testing"
	"time"
)

func validArticle() *Article {
	return &Article{Service: "fa", Headline: "سلام", Slug: "سلام", Status: StatusDraft}
}

func TestArticleValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(a *Article)
		field string // "" means valid
	}{
		{"valid", func(a *Article) {}, ""},
		{"bad service", func(a *Article) { a.Service = "../x" }, "service"},
		{"no headline", func(a *Article) { a.Headline = "" }, "headline"},
		{"two-line headline", func(a *Article) { a.Headline = "a\nb" }, "headline"},
		{"long headline", func(a *Article) { a.Headline = strings.Repeat("ж", MaxHeadline+1) }, "headline"},
		{"control char", func(a *Article) { a.Summary = "a\x1bb" }, "summary"},
		{"bad utf8", func(a *Article) { a.Body = "\xff" }, "body"},
		{"bad status", func(a *Article) { a.Status = "gone" }, "status"},
		{"bad section", func(a *Article) { a.Section = "Politics/.." }, "section"},
		{"too many tags", func(a *Article) { a.Tags = make([]string, MaxListLen+1) }, "tags"},
		{"image without alt", func(a *Article) { a.LeadImage = &LeadImage{MediaID: 1} }, "lead_image.alt"},
		{"image without media", func(a *Article) { a.LeadImage = &LeadImage{Alt: "x"} }, "lead_image.media_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := validArticle()
			tt.edit(a)
			err := a.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if ErrorCode(err) != EINVALID || ErrorField(err) != tt.field {
				t.Fatalf("got %v (field %q), want invalid %q", err, ErrorField(err), tt.field)
			}
		})
	}
}

func TestServiceValidate(t *testing.T) {
	ok := Service{Code: "fa", Tag: "fa-IR", Script: "Arab", Direction: RTL, Name: "فارسی", TimeZone: "Asia/Tehran"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for field, edit := range map[string]func(s *Service){
		"code":      func(s *Service) { s.Code = "FA" },
		"tag":       func(s *Service) { s.Tag = "fa_IR" },
		"script":    func(s *Service) { s.Script = "arab" },
		"direction": func(s *Service) { s.Direction = "up" },
		"name":      func(s *Service) { s.Name = " " },
		"time_zone": func(s *Service) { s.TimeZone = "Mars/Olympus" },
	} {
		s := ok
		edit(&s)
		if err := s.Validate(); ErrorField(err) != field {
			t.Errorf("%s: got %v", field, err)
		}
	}
}

func TestBreaking(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	b := &Breaking{Service: "en", Text: " Now ", ExpiresAt: now.Add(time.Hour)}
	if err := b.Validate(now); err != nil || b.Text != "Now" {
		t.Fatalf("valid banner: %v %q", err, b.Text)
	}
	if !b.Active(now) || b.Active(now.Add(2*time.Hour)) {
		t.Error("Active ignores the expiry")
	}
	for _, u := range []string{"javascript:alert(1)", "//evil.example/", "data:text/html,x", "http://", "/a b"} {
		b := &Breaking{Service: "en", Text: "x", URL: u}
		if ErrorField(b.Validate(now)) != "url" {
			t.Errorf("url %q accepted", u)
		}
	}
	for _, u := range []string{"/en/a/1-x/", "https://example.org/live"} {
		if !SafeLink(u) {
			t.Errorf("SafeLink(%q) = false", u)
		}
	}
}

func TestActor(t *testing.T) {
	admin := Actor{Role: RoleAdmin}
	ru := Actor{Role: RoleEditor, Services: []string{"ru"}}
	rep := Actor{Role: RoleReporter, Services: []string{"ru"}}
	if !admin.CanTouch("fa") || !ru.CanTouch("ru") || ru.CanTouch("fa") {
		t.Error("CanTouch")
	}
	if !ru.CanPublish("ru") || rep.CanPublish("ru") || ru.CanPublish("fa") {
		t.Error("CanPublish")
	}
	if s, h := NewToken(); !strings.HasPrefix(s, "kk_") || HashToken(s) != h || len(h) != 64 {
		t.Error("NewToken")
	}
}
