package kolokol

import (
	"slices"
	"strings"
	"time"
)

// Notice is a safety warning an editor puts on a service's pages for
// readers in some countries: where reading, sharing, liking or saving the
// outlet's content is punished, they are told so, and how to read safely.
//
// The reader's country only picks which notices a page carries; it is never
// logged or stored. A reader whose country is unknown (no header, a Tor
// exit, an address the database does not know) gets the Default notices,
// never a guess; static mirrors, which serve everyone the same bytes, carry
// the Mirrors ones.
type Notice struct {
	ID        int64
	Service   string
	Text      string
	Link      string   // a site path or an http(s) URL; "" links the service's safety page
	Countries []string // ISO 3166-1 alpha-2, upper case
	Default   bool     // shown when the reader's country is unknown
	Mirrors   bool     // shown on static mirrors
	CreatedAt time.Time
	UpdatedAt time.Time
}

// MaxNotices is how many notices a service may have: few, because every
// combination of them is a variant of every page.
const MaxNotices = 10

// ValidCountryCode reports whether s is an ISO 3166-1 alpha-2 code in upper
// case. The pseudo-codes CDNs send (T1 for Tor, XX, A1, ...) are not
// countries and cannot be targeted.
func ValidCountryCode(s string) bool {
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return false
	}
	switch s {
	case "T1", "XX", "ZZ", "A1", "A2", "O1", "EU", "AP":
		return false
	}
	return true
}

// Normalize trims the text and link, and upper-cases, sorts and dedupes
// the countries.
func (n *Notice) Normalize() {
	n.Text = strings.TrimSpace(n.Text)
	n.Link = strings.TrimSpace(n.Link)
	var cs []string
	for _, c := range n.Countries {
		if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
			cs = append(cs, c)
		}
	}
	slices.Sort(cs)
	n.Countries = slices.Compact(cs)
}

// Validate checks a notice before it is stored.
func (n *Notice) Validate() error {
	if !ValidServiceCode(n.Service) {
		return FieldErrorf(EINVALID, "service", "invalid service code %q", n.Service)
	}
	if n.Text == "" {
		return FieldErrorf(EINVALID, "text", "a notice needs its text")
	}
	if strings.ContainsAny(n.Text, "\r\n") {
		return FieldErrorf(EINVALID, "text", "a notice is a single paragraph, without line breaks")
	}
	if err := checkText("text", n.Text, 600); err != nil {
		return err
	}
	if n.Link != "" && !SafeLink(n.Link) {
		return FieldErrorf(EINVALID, "link", "the link must be a site path starting with / or an http(s) URL")
	}
	if len(n.Countries) > 250 {
		return FieldErrorf(EINVALID, "countries", "a notice names at most 250 countries")
	}
	for _, c := range n.Countries {
		if !ValidCountryCode(c) {
			return FieldErrorf(EINVALID, "countries", "%q is not a two-letter country code (ISO 3166-1), e.g. RU or IR", c)
		}
	}
	if len(n.Countries) == 0 && !n.Default && !n.Mirrors {
		return FieldErrorf(EINVALID, "countries", "name the countries the notice is for, or show it to readers whose country is unknown, or on mirrors")
	}
	return nil
}

// SelectNotices returns the notices a reader from country sees ("" when
// unknown), in the order given.
func SelectNotices(all []*Notice, country string) []*Notice {
	var out []*Notice
	for _, n := range all {
		if (country == "" && n.Default) || (country != "" && slices.Contains(n.Countries, country)) {
			out = append(out, n)
		}
	}
	return out
}

// MirrorNotices returns the notices static mirrors carry.
func MirrorNotices(all []*Notice) []*Notice {
	var out []*Notice
	for _, n := range all {
		if n.Mirrors {
			out = append(out, n)
		}
	}
	return out
}
