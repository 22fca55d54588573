// Package i18n holds the reader interface strings of every language the
// platform serves. It is deliberately small for now: plain catalogs keyed by
// the service's base language; CLDR plurals, dates, digits and list patterns
// come later and will replace the hand-written parts here.
package i18n

import (
	"fmt"
	"sort"
	"strings"
)

// Message keys. Templates use the string values, so they are kept short and
// stable; TestCatalogsComplete checks that every catalog has every key.
const (
	SkipToMain      = "skip_main"
	SkipToNav       = "skip_nav"
	BreakingNews    = "breaking"
	By              = "by"              // "By %s": %s is the list of bylines
	Published       = "published"       // label before the publication time
	Updated         = "updated"         // label before the update time
	WithReportingBy = "with_reporting"  // "With reporting by %s": %s is the list of agencies
	Correction      = "correction"      // heading over a single correction
	Corrections     = "corrections"     // heading over several
	Tags            = "tags"            // heading over the story's tags
	Archive         = "archive"         // the archive page and the link to it
	PageOf          = "page_of"         // "Page %d of %d"
	Pages           = "pages"           // label of the pagination navigation
	Newer           = "newer"           // link to the previous (newer) page
	Older           = "older"           // link to the next (older) page
	LatestStories   = "latest"          // heading of the service home
	NoStories       = "no_stories"      // an empty list
	NotFound        = "not_found"       // heading and title of the 404 page
	NotFoundText    = "not_found_text"  // explanation under it
	GoHome          = "go_home"         // link from the 404 page to the service home
	OtherLanguages  = "other_languages" // footer link to the portal
	Languages       = "languages"       // label of the portal's list of services
	Sections        = "sections"        // label of the section navigation
	And             = "and"             // the list conjunction: "A, B and C"
	ListSeparator   = "list_sep"        // between list items other than the last two
)

// Catalog is one language's messages. A Catalog is immutable.
type Catalog struct {
	lang string
	m    map[string]string
}

// catalogs are written once here and never modified: they are data, not state.
var catalogs = map[string]*Catalog{
	"en": {"en", en},
	"ru": {"ru", ru},
	"uk": {"uk", uk},
	"fa": {"fa", fa},
	"ka": {"ka", ka},
}

// For returns the catalog for a BCP 47 tag ("fa-IR" uses "fa"), English when
// the language has none.
func For(tag string) *Catalog {
	base, _, _ := strings.Cut(tag, "-")
	base, _, _ = strings.Cut(base, "_")
	if c, ok := catalogs[strings.ToLower(base)]; ok {
		return c
	}
	return catalogs["en"]
}

// LanguageCodes returns the base languages that have a catalog, sorted.
func LanguageCodes() []string {
	out := make([]string, 0, len(catalogs))
	for l := range catalogs {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// Keys returns every message key, sorted; the English catalog is the
// reference.
func Keys() []string {
	out := make([]string, 0, len(en))
	for k := range en {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Lang returns the catalog's base language.
func (c *Catalog) Lang() string { return c.lang }

// Has reports whether the catalog itself (not its fallback) has key.
func (c *Catalog) Has(key string) bool {
	_, ok := c.m[key]
	return ok
}

// T returns the message for key, falling back to English, then to the key
// itself so that a missing message shows up on the page instead of a blank.
func (c *Catalog) T(key string) string {
	if s, ok := c.m[key]; ok {
		return s
	}
	if s, ok := en[key]; ok {
		return s
	}
	return key
}

// Tf formats the message for key with args, fmt-style.
func (c *Catalog) Tf(key string, args ...any) string {
	return fmt.Sprintf(c.T(key), args...)
}

// List joins items with the language's separator and conjunction:
// "A", "A and B", "A, B and C".
func (c *Catalog) List(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	sep, and := c.T(ListSeparator), " "+c.T(And)+" "
	return strings.Join(items[:len(items)-1], sep) + and + items[len(items)-1]
}

// ListJoiners returns what List puts between items: sep between all but the
// last two, and before the last. Renderers that wrap each item in markup
// use them.
func (c *Catalog) ListJoiners() (sep, and string) {
	return c.T(ListSeparator), " " + c.T(And) + " "
}
