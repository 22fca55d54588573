// Package i18n holds what the reader pages say and how they write dates,
// numbers and lists in each language the platform serves.
//
// The UI strings are data: one JSON catalog per language under catalogs/,
// with CLDR plural forms for messages about a count. Dates, times, digits,
// list conjunctions and quotation marks follow CLDR: month names and date
// patterns from github.com/go-playground/locales (generated from CLDR),
// the rest from the small files under cldr/, extracted from CLDR's JSON
// or, for the few languages CLDR lacks, written by hand with their
// sources. Both directories are embedded and read once; every value the
// package hands out is immutable.
package i18n

//go:generate go run ./cmd/i18nreport

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/language"
)

// Message keys. Templates use the string values, so they are kept short and
// stable; Load checks that every catalog has every key.
const (
	SkipToMain      = "skip_main"
	SkipToNav       = "skip_nav"
	SkipToSearch    = "skip_search"
	BreakingNews    = "breaking"
	By              = "by"               // "By %s": %s is the list of bylines
	Published       = "published"        // label before the publication time
	Updated         = "updated"          // label before the update time
	WithReportingBy = "with_reporting"   // "With reporting by %s": %s is the list of agencies
	Correction      = "correction"       // heading over a single correction
	Corrections     = "corrections"      // heading over several
	Tags            = "tags"             // heading over the story's tags
	Archive         = "archive"          // the archive page and the link to it
	PageOf          = "page_of"          // "Page %d of %d"
	Pages           = "pages"            // label of the pagination navigation
	Newer           = "newer"            // link to the previous (newer) page
	Older           = "older"            // link to the next (older) page
	LatestStories   = "latest"           // heading of the service home
	NoStories       = "no_stories"       // an empty list
	NotFound        = "not_found"        // heading and title of the 404 page
	NotFoundText    = "not_found_text"   // explanation under it
	GoHome          = "go_home"          // link from the 404 page to the service home
	OtherLanguages  = "other_languages"  // footer link to the portal
	Languages       = "languages"        // label of the portal's list of services
	Sections        = "sections"         // label of the section navigation
	Search          = "search"           // the search form's label and button
	SearchResults   = "search_results"   // heading of the results page
	NoResults       = "no_results"       // a search that found nothing
	StoryIn         = "story_in"         // label of the article's language switcher
	MoreFrom        = "more_from"        // "More from %s", %s a section's name: the story page's newest of its section
	TagHeading      = "tag_heading"      // "Tag: %s", %s a tag as its newest story spells it: the heading of a tag's page
	JustNow         = "just_now"         // Ago, under a minute
	MinutesAgo      = "minutes_ago"      // plural: "%d minutes ago"
	HoursAgo        = "hours_ago"        // plural: "%d hours ago"
	DaysAgo         = "days_ago"         // plural: "%d days ago"
	StoriesCount    = "stories_count"    // plural: "%d stories"
	Lite            = "lite"             // link to the low-bandwidth, text-only edition
	FullVersion     = "full_version"     // link from a lite page to the full page
	ShowPhoto       = "show_photo"       // lite pages: "Show photo (%s)", %s the file size
	EmbedLeave      = "embed_leave"      // an embed card's link: "Open on %s (leaves this site)", %s the network's name
	Safety          = "safety"           // title of the service's "reading safely" page
	ReadSafely      = "read_safely"      // a safety notice's link, and the footer's, to that page
	SafetyNotice    = "safety_notice"    // accessible name of the notices' landmark
	OnionAddress    = "onion_address"    // the safety page: the site's onion address follows
	SafetyPrivate   = "safety_private"   // the safety page: read in a private window or Tor Browser
	Share           = "share"            // heading of an article's sharing block
	ShareLink       = "share_link"       // label of the story's address, to copy
	ShareEmail      = "share_email"      // a mailto: link that sends the story's address
	Mirrors         = "mirrors"          // title of the mirrors page, and the footer's and safety page's link to it
	MirrorsIntro    = "mirrors_intro"    // the mirrors page: what the addresses below are
	MirrorsNone     = "mirrors_none"     // the mirrors page when there is no mirror
	MirrorsKey      = "mirrors_key"      // heading over the signing key's fingerprint
	MirrorsCheck    = "mirrors_check"    // how the fingerprint checks a copy; the fingerprint follows
	MirrorsJSON     = "mirrors_json"     // link to /mirrors.json, the list as data
	Bundles         = "bundles"          // the mirrors page: heading over the offline editions (ZIM, EPUB)
	BundlesIntro    = "bundles_intro"    // what the offline editions are and how to check one
	BundleSignature = "bundle_signature" // link to an offline edition's signature file

	EmailEdition        = "email_edition"         // the footer's link to the email edition form, and its heading
	EmailIntro          = "email_intro"           // the form: what the edition is
	EmailAddress        = "email_address"         // label of the address field
	EmailChoose         = "email_choose"          // legend over the two choices
	EmailDigest         = "email_digest"          // a choice, and the digest mail's heading
	EmailAlerts         = "email_alerts"          // a choice
	EmailSubscribe      = "email_subscribe"       // the form's button
	EmailKept           = "email_kept"            // what is kept about a subscriber
	EmailSent           = "email_sent"            // the answer to the form, whatever the address was
	EmailInvalid        = "email_invalid"         // the form: the address was refused
	EmailChooseOne      = "email_choose_one"      // the form: neither choice was ticked
	EmailBusy           = "email_busy"            // too many requests
	EmailConfirm        = "email_confirm"         // heading and button of the confirmation page
	EmailConfirmed      = "email_confirmed"       // after confirming
	EmailUnsubscribe    = "email_unsubscribe"     // heading and button of the unsubscribe page
	EmailUnsubscribed   = "email_unsubscribed"    // after unsubscribing
	EmailExport         = "email_export"          // the unsubscribe page: button that downloads what is kept
	EmailBadLink        = "email_bad_link"        // a confirmation or unsubscribe link that is not valid
	EmailConfirmSubject = "email_confirm_subject" // subject of the confirmation mail, %s the site's name
	EmailConfirmText    = "email_confirm_text"    // the confirmation mail, %s the site's name; the link follows
	EmailIgnore         = "email_ignore"          // the confirmation mail's last line
	EmailFooter         = "email_footer"          // every mail's last lines; the unsubscribe link follows
)

// reference is the catalog every other one is checked against and the one
// a tag without a catalog of its own gets.
const reference = "en"

//go:embed catalogs/*.json cldr/*.json
var files embed.FS

// Catalogs are every language's catalog, by tag. Immutable once loaded.
type Catalogs struct {
	byTag map[string]*Catalog
	tags  []string // sorted
	keys  []string // sorted
}

// Load reads the embedded catalogs and CLDR data and checks them: every
// catalog has every key of the English one, plural messages have exactly
// the forms CLDR gives the language, format verbs match, and each catalog
// has its locale data. A catalog that fails any of this fails Load, so a
// message is never missing at run time.
func Load() (*Catalogs, error) { return load(files) }

func load(fsys fs.FS) (*Catalogs, error) {
	names, err := fs.Glob(fsys, "catalogs/*.json")
	if err != nil {
		return nil, err
	}
	cs := &Catalogs{byTag: make(map[string]*Catalog, len(names))}
	for _, name := range names {
		tag := strings.TrimSuffix(path.Base(name), ".json")
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		c, err := parseCatalog(tag, raw)
		if err != nil {
			return nil, err
		}
		raw, err = fs.ReadFile(fsys, "cldr/"+tag+".json")
		if err != nil {
			return nil, fmt.Errorf("catalog %s has no locale data: %w", tag, err)
		}
		d, err := parseLocaleData("cldr/"+tag+".json", raw)
		if err != nil {
			return nil, err
		}
		c.f = &Formatter{c: c, d: d}
		cs.byTag[tag] = c
		cs.tags = append(cs.tags, tag)
	}
	ref, ok := cs.byTag[reference]
	if !ok {
		return nil, fmt.Errorf("no %s catalog", reference)
	}
	if len(ref.untranslated) > 0 {
		return nil, fmt.Errorf("the %s catalog is the reference and cannot be untranslated", reference)
	}
	cs.keys = ref.keys()
	var errs []string
	for _, tag := range cs.tags {
		for _, e := range cs.byTag[tag].checkAgainst(ref) {
			errs = append(errs, tag+": "+e)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("catalogs: %s", strings.Join(errs, "; "))
	}
	slices.Sort(cs.tags)
	return cs, nil
}

// builtin is the embedded data, loaded on first use. It is data, not
// state: nothing changes it after Load.
var builtin = sync.OnceValues(Load)

// Default returns the embedded catalogs. It panics if they do not load,
// which TestLoad rules out before anything ships.
func Default() *Catalogs {
	cs, err := builtin()
	if err != nil {
		panic(err)
	}
	return cs
}

// For returns the embedded catalog for a BCP 47 tag; see Catalogs.For.
func For(tag string) *Catalog { return Default().For(tag) }

// Keys returns every message key, sorted.
func Keys() []string { return Default().Keys() }

// Supported returns the tag of every catalog, sorted.
func Supported() []string { return Default().Tags() }

// Keys returns every message key, sorted.
func (cs *Catalogs) Keys() []string { return slices.Clone(cs.keys) }

// Tags returns the tag of every catalog, sorted.
func (cs *Catalogs) Tags() []string { return slices.Clone(cs.tags) }

// For returns the catalog for a BCP 47 tag, or the English one when the
// language has none (a service in a language nobody has translated yet
// still gets a working page; it is a visible, not a silent, fallback).
func (cs *Catalogs) For(tag string) *Catalog {
	if c, ok := cs.Lookup(tag); ok {
		return c
	}
	return cs.byTag[reference]
}

// Lookup finds the catalog for a tag: the full tag first, then without
// its region or script, then the bare language ("fa-IR", "sr-Latn-RS" to
// "sr-Latn", "uz-Latn-UZ" to "uz"). A bare language with only regional
// catalogs gets the one for its likely region ("fa" is "fa-IR", never
// "fa-AF": Dari's months and words differ) or its only one ("ro" is "ro-MD").
func (cs *Catalogs) Lookup(tag string) (*Catalog, bool) {
	lang, script, region := splitTag(tag)
	if lang == "" {
		return nil, false
	}
	for _, t := range []string{join(lang, script, region), join(lang, script, ""), join(lang, "", region), lang} {
		if c, ok := cs.byTag[t]; ok {
			return c, true
		}
	}
	var same []string
	for _, t := range cs.tags {
		if l, _, _ := splitTag(t); l == lang {
			same = append(same, t)
		}
	}
	switch len(same) {
	case 0:
		return nil, false
	case 1:
		return cs.byTag[same[0]], true
	}
	likely := language.Make(lang)
	r, _ := likely.Region()
	s, _ := likely.Script()
	for _, t := range same {
		if t == join(lang, "", r.String()) || t == join(lang, s.String(), "") {
			return cs.byTag[t], true
		}
	}
	return cs.byTag[same[0]], true
}

// splitTag takes the language, script and region out of a tag, in their
// canonical case, accepting "_" for "-" (ka_GE) and ignoring variants.
func splitTag(tag string) (lang, script, region string) {
	parts := strings.FieldsFunc(tag, func(r rune) bool { return r == '-' || r == '_' })
	if len(parts) == 0 || len(parts[0]) < 2 || len(parts[0]) > 3 || !isAlpha(parts[0]) {
		return "", "", ""
	}
	lang = strings.ToLower(parts[0])
	for _, p := range parts[1:] {
		switch {
		case len(p) == 4 && isAlpha(p) && script == "" && region == "":
			script = strings.ToUpper(p[:1]) + strings.ToLower(p[1:])
		case (len(p) == 2 && isAlpha(p) || len(p) == 3 && strings.Trim(p, "0123456789") == "") && region == "":
			region = strings.ToUpper(p)
		}
	}
	return lang, script, region
}

func join(parts ...string) string {
	var nonEmpty []string
	for _, p := range parts {
		if p != "" {
			nonEmpty = append(nonEmpty, p)
		}
	}
	return strings.Join(nonEmpty, "-")
}

func isAlpha(s string) bool {
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return false
		}
	}
	return true
}
