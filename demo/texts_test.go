package demo

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/i18n"
)

// demoTexts are the demo's reader-facing texts, as textProblems reads them.
type demoTexts struct {
	services []desk.ServiceSpec
	stories  []Story
	breaking map[string]string
	notices  []*kolokol.Notice
}

// textProblems holds every demo text to i18n.CheckTypography in its
// service's language, and every non-English service to a safety page of
// its own: one that is missing, or English, or has an English paragraph
// in it, tells a reader in danger nothing they can read.
func textProblems(d demoTexts) []string {
	var out []string
	tags := map[string]string{}
	var en string
	for _, s := range d.services {
		tags[s.Code] = s.Tag
		if s.Code == "en" {
			en = s.Safety
		}
	}
	check := func(code, where, text string) {
		tag, ok := tags[code]
		if !ok {
			out = append(out, fmt.Sprintf("%s: no service %q", where, code))
			return
		}
		for _, f := range i18n.CheckTypography(tag, text) {
			out = append(out, fmt.Sprintf("%s %s: %s %q", code, where, f.Rule, f.Text))
		}
	}
	english := strings.Split(en, "\n\n")
	for _, s := range d.services {
		check(s.Code, "name", s.Name)
		check(s.Code, "about", s.About)
		check(s.Code, "legal_status", s.LegalStatus)
		check(s.Code, "safety", s.Safety)
		for _, sec := range s.Sections {
			check(s.Code, "section "+sec.Slug, sec.Name)
		}
		switch {
		case s.Code == "en":
		case strings.TrimSpace(s.Safety) == "":
			out = append(out, s.Code+" safety: missing")
		case s.Safety == en:
			out = append(out, s.Code+" safety: the English text")
		default:
			for _, p := range strings.Split(s.Safety, "\n\n") {
				if slices.Contains(english, p) {
					out = append(out, fmt.Sprintf("%s safety: an English paragraph, %q", s.Code, p))
				}
			}
		}
	}
	for _, st := range d.stories {
		where := "story " + st.Group
		texts := []string{st.Headline, st.Summary, st.Body, st.Dateline}
		texts = append(texts, st.Bylines...)
		texts = append(texts, st.Tags...)
		texts = append(texts, st.Credits...)
		texts = append(texts, st.Corrections...)
		if li := st.LeadImage; li != nil {
			texts = append(texts, li.Alt, li.Caption, li.Credit)
		}
		for _, t := range texts {
			check(st.Service, where, t)
		}
	}
	for code, text := range d.breaking {
		check(code, "breaking", text)
	}
	for _, n := range d.notices {
		check(n.Service, "notice", n.Text)
	}
	slices.Sort(out)
	return out
}

// TestDemoTexts: the demo is the blueprint newsrooms copy, so its texts
// are held to the same typography as the catalogs, and every service has
// a safety page in its own language.
func TestDemoTexts(t *testing.T) {
	services, err := Services()
	if err != nil {
		t.Fatal(err)
	}
	stories, err := Stories()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range textProblems(demoTexts{services, stories, breaking, notices}) {
		t.Error(p)
	}
}

// TestTextProblemsCatch plants one error of each kind in a small demo and
// requires textProblems to name it.
func TestTextProblemsCatch(t *testing.T) {
	base := func() demoTexts {
		return demoTexts{
			services: []desk.ServiceSpec{
				{Code: "en", Tag: "en", Name: "English", Safety: "## Before you read\n\nUse Tor Browser.\n\n## Mirrors\n\nUse our mirrors."},
				{Code: "ru", Tag: "ru", Name: "Русский", Safety: "## Прежде чем читать\n\nПользуйтесь Tor Browser.",
					Sections: []desk.SectionSpec{{Slug: "world", Name: "В мире"}}},
				{Code: "fa", Tag: "fa-IR", Name: "فارسی", Safety: "## پیش از خواندن\n\nاز مرورگر تور استفاده کنید."},
				{Code: "sr", Tag: "sr-Latn", Name: "Srpski", Safety: "## Pre čitanja\n\nKoristite Tor Browser."},
				{Code: "uz", Tag: "uz", Name: "Oʻzbekcha", Safety: "## Oʻqishdan oldin\n\nTor Browserʼdan foydalaning."},
				{Code: "ps", Tag: "ps", Name: "پښتو", Safety: "## له لوستلو مخکې\n\nتور براوزر وکاروئ."},
			},
			stories:  []Story{{Service: "fa", Group: "ferry", Headline: "بازگشت کشتی", Body: "نخستین سفر."}},
			breaking: map[string]string{"ps": "تازه خبر"},
			notices:  []*kolokol.Notice{{Service: "uz", Text: "Ehtiyot boʻling."}},
		}
	}
	if got := textProblems(base()); len(got) > 0 {
		t.Fatalf("the clean demo has problems: %q", got)
	}
	cases := []struct {
		name   string
		plant  func(d *demoTexts)
		report string
	}{
		{"no safety page", func(d *demoTexts) { d.services[1].Safety = "" }, "ru safety: missing"},
		{"the English safety page", func(d *demoTexts) { d.services[2].Safety = d.services[0].Safety }, "fa safety: the English text"},
		{"an English paragraph", func(d *demoTexts) { d.services[3].Safety += "\n\nUse our mirrors." }, `sr safety: an English paragraph, "Use our mirrors."`},
		{"latin letter in a cyrillic section name", func(d *demoTexts) { d.services[1].Sections[0].Name = "В мирe" }, `ru section world: mixed-script "мирe"`},
		{"arabic kaf in a persian story", func(d *demoTexts) { d.stories[0].Body = "نخستین سفر كشتی." }, `fa story ferry: arabic-letter "ك"`},
		{"ascii comma in a pashto banner", func(d *demoTexts) { d.breaking["ps"] = "تازه, خبر" }, `ps breaking: ascii-punctuation ","`},
		{"left quotation mark for uzbek okina", func(d *demoTexts) { d.notices[0].Text = "Ehtiyot bo‘ling." }, `uz notice: uzbek-okina "o‘l"`},
		{"cyrillic letter in serbian latin", func(d *demoTexts) { d.services[3].About = "Nezavisna rеdakcija" }, `sr about: mixed-script "rеdakcija"`},
		{"a story in a service that does not exist", func(d *demoTexts) { d.stories[0].Service = "xx" }, `story ferry: no service "xx"`},
	}
	for _, c := range cases {
		d := base()
		c.plant(&d)
		got := textProblems(d)
		if !slices.ContainsFunc(got, func(p string) bool { return strings.HasPrefix(p, c.report) }) {
			t.Errorf("%s: got %q, want %s", c.name, got, c.report)
		}
	}
}
