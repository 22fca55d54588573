package kolokol

import (
	"fmt"
	"strings"
	"testing"
)

// TestBidiControls: an embedding, override or isolate is refused in every
// single line of display text, naming the field, and kept in paragraphs.
func TestBidiControls(t *testing.T) {
	const (
		rlo = "\u202E" // RIGHT-TO-LEFT OVERRIDE: "gpj.exe" shows as "exe.jpg"
		rli = "\u2067" // RIGHT-TO-LEFT ISOLATE
		pdi = "\u2069" // POP DIRECTIONAL ISOLATE
	)
	article := func(edit func(a *Article)) func() error {
		return func() error {
			a := validArticle()
			edit(a)
			return a.Validate()
		}
	}
	image := func(edit func(li *LeadImage)) func() error {
		return article(func(a *Article) {
			a.LeadImage = &LeadImage{MediaID: 1, Alt: "A ferry", Caption: "The ferry", Credit: "Photo: A. Writer"}
			edit(a.LeadImage)
		})
	}
	service := func(edit func(s *Service)) func() error {
		return func() error {
			s := Service{Code: "fa", Tag: "fa-IR", Script: "Arab", Direction: RTL, Name: "فارسی", TimeZone: "Asia/Tehran"}
			edit(&s)
			return s.Validate()
		}
	}
	user := func(edit func(u *User)) func() error {
		return func() error {
			u := validUser()
			edit(u)
			return u.Validate()
		}
	}
	token := func(name string) func() error {
		return func() error {
			return (&Token{Name: name, Hash: strings.Repeat("a", 64), Role: RoleAdmin}).Validate()
		}
	}
	passkey := func(name string) func() error {
		return func() error {
			return (&Passkey{ID: "AAAA", UserID: 1, Name: name, Credential: []byte("{}")}).Validate()
		}
	}
	for _, c := range []struct {
		name     string
		validate func() error
		field    string // "" means valid
	}{
		{"headline", article(func(a *Article) { a.Headline = "Ferry " + rlo + "snruter" }), "headline"},
		{"byline", article(func(a *Article) { a.Bylines = []string{"A. Writer", rli + "ریتر" + pdi} }), "bylines[1]"},
		{"credit", article(func(a *Article) { a.Credits = []string{rlo + "sretueR"} }), "credits[0]"},
		{"tag", article(func(a *Article) { a.Tags = []string{"x" + rlo} }), "tags[0]"},
		{"dateline", article(func(a *Article) { a.Dateline = rlo + "VIEK" }), "dateline"},
		{"section", article(func(a *Article) { a.Section = "world" + rlo }), "section"},
		{"translation group", article(func(a *Article) { a.TranslationGroup = "g" + rlo }), "translation_group"},
		{"alt", image(func(li *LeadImage) { li.Alt = "A " + rlo + "yrref" }), "lead_image.alt"},
		{"caption", image(func(li *LeadImage) { li.Caption = rli + "x" + pdi }), "lead_image.caption"},
		{"image credit", image(func(li *LeadImage) { li.Credit = "Photo: " + rlo + "x" }), "lead_image.credit"},
		{"service name", service(func(s *Service) { s.Name = "فارسی" + rlo }), "name"},
		{"service English name", service(func(s *Service) { s.EnglishName = rlo + "naisreP" }), "english_name"},
		{"section name", func() error { return (&Section{Service: "fa", Slug: "world", Name: rlo + "dlroW"}).Validate() }, "name"},
		{"account name", user(func(u *User) { u.Name = "Leila " + rlo + "idamhA" }), "name"},
		{"account email", user(func(u *User) { u.Email = "leila" + rlo + "@example.org" }), "email"},
		{"token name", token("CMS " + rlo + "tropmi"), "name"},
		{"passkey name", passkey("work " + rlo + "potpal"), "name"},

		// Paragraphs may need isolates around a phrase in the other
		// direction.
		{"body", article(func(a *Article) { a.Body = "He said " + rli + "سلام" + pdi + " twice." }), ""},
		{"summary", article(func(a *Article) { a.Summary = "He said " + rli + "سلام" + pdi + " twice." }), ""},
		// Marks and joiners are ordinary spelling.
		{"ZWNJ in a Persian headline", article(func(a *Article) { a.Headline = "می\u200cخواهم" }), ""},
		{"RLM in a byline", article(func(a *Article) { a.Bylines = []string{"لیلا احمدی\u200f (BBC)"} }), ""},
		{"ALM in a tag", article(func(a *Article) { a.Tags = []string{"\u061c۱۴۰۴"} }), ""},
		{"Persian names", user(func(u *User) { u.Name = "لیلا احمدی" }), ""},
		{"token", token("CMS import"), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.validate()
			wantField(t, err, c.field)
			if err != nil && c.field != "section" && c.field != "translation_group" && !strings.Contains(err.Error(), "bidirectional control") {
				t.Errorf("the error does not say what is wrong: %v", err)
			}
		})
	}
	for r := rune(0x2020); r <= 0x206F; r++ {
		a := validArticle()
		a.Headline = "Ferry " + string(r) + "returns"
		err := a.Validate()
		switch want := r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069; {
		case want && (ErrorField(err) != "headline" || !strings.Contains(err.Error(), fmt.Sprintf("U+%04X", r))):
			t.Errorf("U+%04X in a headline: %v, want it refused by name", r, err)
		case !want && err != nil:
			t.Errorf("U+%04X in a headline: %v, want it accepted", r, err)
		}
	}
}
