package kolokol

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Direction is a script's reading direction.
type Direction string

const (
	LTR Direction = "ltr"
	RTL Direction = "rtl"
)

// Service is a language service: the newsroom's edition in one language for
// one audience. Code is its URL segment ("fa"), Tag its BCP 47 tag ("fa-IR").
type Service struct {
	Code        string
	Tag         string
	Script      string // ISO 15924, e.g. "Latn", "Cyrl", "Arab", "Geor"
	Direction   Direction
	Name        string // native name, e.g. "فارسی"
	EnglishName string
	// Brand is the outlet's name in this language, the masthead readers
	// check to know they are on the real site ("BBC News Русская служба"):
	// international networks brand each service. "" shows the network's.
	Brand string
	// Logo is the masthead's picture, if any; the brand is still its text
	// for screen readers and in titles.
	Logo        Logo
	TimeZone    string // IANA zone, e.g. "Asia/Tehran"
	About       string // "about the service" blurb for the footer
	LegalStatus string // e.g. the "undesirable organization" line
	// Safety is the service's "reading safely" page, in Markdown: Tor
	// Browser, private windows, how to check a mirror.
	Safety string
	// ShowGregorian shows the Gregorian date beside the service's own
	// calendar (Solar Hijri for Persian, Dari and Pashto).
	ShowGregorian bool
	// LatinSlugs gives the service's stories addresses in Latin letters
	// (Romanize), for a service in Cyrillic, Georgian or Armenian whose
	// readers share links by hand. A slug an editor typed is kept.
	LatinSlugs bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

var (
	serviceCodeRE = regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]{2,8})?$`)
	// Well-formed BCP 47 for what a newsroom uses: language, optional script,
	// optional region or variant subtags.
	languageTagRE = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?(-([a-zA-Z0-9]{5,8}|[0-9][a-zA-Z0-9]{3}))*$`)
	scriptRE      = regexp.MustCompile(`^[A-Z][a-z]{3}$`)
)

// ValidServiceCode reports whether code can be a service's URL segment.
func ValidServiceCode(code string) bool { return serviceCodeRE.MatchString(code) }

// Validate checks a service before it is stored.
func (s *Service) Validate() error {
	switch {
	case !ValidServiceCode(s.Code):
		return FieldErrorf(EINVALID, "code", "service code must be 2-3 lowercase letters, optionally followed by -suffix, got %q", s.Code)
	case !languageTagRE.MatchString(s.Tag):
		return FieldErrorf(EINVALID, "tag", "%q is not a well-formed BCP 47 language tag", s.Tag)
	case !scriptRE.MatchString(s.Script):
		return FieldErrorf(EINVALID, "script", "script must be an ISO 15924 code such as Latn or Arab, got %q", s.Script)
	case s.Direction != LTR && s.Direction != RTL:
		return FieldErrorf(EINVALID, "direction", "direction must be ltr or rtl")
	case strings.TrimSpace(s.Name) == "":
		return FieldErrorf(EINVALID, "name", "native name is required")
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" {
		return FieldErrorf(EINVALID, "time_zone", "unknown time zone %q", s.TimeZone)
	}
	if err := checkLine("brand", s.Brand, 100); err != nil {
		return err
	}
	if err := s.Logo.validate(); err != nil {
		return err
	}
	for _, f := range [][2]string{{"name", s.Name}, {"english_name", s.EnglishName}} {
		if err := checkLine(f[0], f[1], 2000); err != nil {
			return err
		}
	}
	for _, f := range [][2]string{{"about", s.About}, {"legal_status", s.LegalStatus}} {
		if err := checkText(f[0], f[1], 2000); err != nil {
			return err
		}
	}
	return checkText("safety", s.Safety, 20000)
}

// BrandOr is the service's masthead name, or network when it has none.
func (s *Service) BrandOr(network string) string {
	if strings.TrimSpace(s.Brand) != "" {
		return s.Brand
	}
	return network
}

// Location returns the service's time zone, UTC if it cannot be loaded.
func (s *Service) Location() *time.Location {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Section groups a service's stories ("world", "politics").
type Section struct {
	ID       int64
	Service  string
	Slug     string
	Name     string
	Position int
}

var sectionSlugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Validate checks a section before it is stored.
func (s *Section) Validate() error {
	switch {
	case !ValidServiceCode(s.Service):
		return FieldErrorf(EINVALID, "service", "invalid service code %q", s.Service)
	case !sectionSlugRE.MatchString(s.Slug) || len(s.Slug) > 40:
		return FieldErrorf(EINVALID, "slug", "section slug must be lowercase ASCII letters, digits and hyphens, got %q", s.Slug)
	case strings.TrimSpace(s.Name) == "":
		return FieldErrorf(EINVALID, "name", "section name is required")
	}
	return checkLine("name", s.Name, 100)
}

// checkText refuses text that is not UTF-8, too long, or carries control
// characters other than newline, carriage return and tab.
func checkText(field, v string, max int) error {
	if !utf8.ValidString(v) {
		return FieldErrorf(EINVALID, field, "%s is not valid UTF-8", field)
	}
	if n := utf8.RuneCountInString(v); n > max {
		return FieldErrorf(EINVALID, field, "%s is %d characters long; the limit is %d", field, n, max)
	}
	for _, r := range v {
		if (r < 0x20 && r != '\n' && r != '\t' && r != '\r') || r == 0x7f {
			return FieldErrorf(EINVALID, field, "%s contains a control character (U+%04X)", field, r)
		}
	}
	return nil
}

// checkLine is checkText for a name, a headline or another single line of
// display text, which also refuses the bidirectional embeddings, overrides
// and isolates (U+202A–U+202E, U+2066–U+2069): one of them in a byline or
// an account's name can show it in another order than it is stored, e.g.
// reversing a name or making "gpj.exe" read as "exe.jpg". The pages already
// isolate each such value with <bdi> or dir, so honest text never needs
// them. Paragraphs (a story's body and summary, notices, corrections) keep
// them: mixed-direction sentences may need isolates, and there an override
// cannot pass one value off as another. The marks U+200E, U+200F and
// U+061C and the joiners stay allowed everywhere: they reorder nothing
// beyond a neutral character, and Persian spelling needs ZWNJ.
func checkLine(field, v string, max int) error {
	if err := checkText(field, v, max); err != nil {
		return err
	}
	for _, r := range v {
		if isBidiControl(r) {
			return FieldErrorf(EINVALID, field, "%s contains a bidirectional control character (U+%04X), which can make it display in another order than it is written", field, r)
		}
	}
	return nil
}

// isBidiControl reports whether r is an explicit bidirectional embedding,
// override, isolate or their terminator (Unicode's UAX #9, table 2).
func isBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069
}
