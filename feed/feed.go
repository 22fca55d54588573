// Package feed writes the formats the site is syndicated in: RSS 2.0, Atom
// 1.0 and JSON Feed 1.1 feeds, sitemaps (the protocol's, with hreflang
// alternates, and Google News'), and IPTC ninjs 2.x and 3.x. Package render
// decides what goes in (which stories, their absolute addresses, their
// sanitized HTML); this package decides only how each format spells it, so
// that every writer is a pure function of its input and the output is
// well-formed whatever the text.
package feed

import (
	"time"
)

// Media types of the formats, as the server and mirrors send them.
const (
	RSSType   = "application/rss+xml; charset=utf-8"
	AtomType  = "application/atom+xml; charset=utf-8"
	JSONType  = "application/feed+json"
	XMLType   = "application/xml; charset=utf-8"
	NinjsType = "application/json"
	// NinjsLinkType is what a page's <link rel="alternate"> calls ninjs.
	// IPTC registers no media type for ninjs; this is the one its users
	// and aggregators recognise, and a +json suffix says how to read it.
	NinjsLinkType = "application/ninjs+json"
)

// Feed is one feed of stories, newest first, in any of the three formats.
// Every URL in it is absolute.
type Feed struct {
	Title       string
	Description string
	// Link is the HTML page the feed follows (a service's home, a
	// section's first page); Self is the feed's own address in the format
	// being written.
	Link, Self string
	// ID is the feed's permanent identifier (Atom's id): a tag: URI that
	// does not change when the site moves to a mirror.
	ID string
	// Lang is the BCP 47 tag of every entry's language.
	Lang string
	// RTL says the text runs right to left: entry content is wrapped in an
	// element saying so, since feed readers drop the page's own direction.
	RTL bool
	// Author names the publisher: the entries without a byline of their
	// own are its.
	Author  string
	Updated time.Time
	Entries []Entry
}

// Entry is one story in a feed.
type Entry struct {
	ID      string // permanent: a tag: URI, as Feed.ID
	Title   string
	Link    string
	Summary string
	// Content is the story's sanitized HTML, every link in it absolute.
	Content    string
	Published  time.Time
	Updated    time.Time
	Authors    []string
	Categories []Category
	Image      *Image
}

// Category is a section or a tag. Term is what identifies it (a section's
// slug, a tag's text), Label what readers see.
type Category struct {
	Term, Label string
}

// Image is a story's lead picture.
type Image struct {
	URL           string
	Type          string // media type, "image/jpeg"
	Length        int64  // bytes; 0 when not known
	Width, Height int
	Alt, Caption  string
	Credit        string
}
