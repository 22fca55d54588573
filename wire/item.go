// Package wire reads agency copy: IPTC ninjs (1.x, 2.x, 3.x) and NewsML-G2
// (newsItem with an inline XHTML or NITF body, packageItem, newsMessage
// carrying several items) into Items, the one shape the newsroom's wire
// queue stores whatever the format. Everything it reads is hostile: a file
// over the size limit, not well-formed, declaring entities, of the wrong
// schema or without the fields an item needs is refused whole, with an
// error naming the problem.
package wire

import "time"

// Item is one piece of agency copy: a text story or a picture.
type Item struct {
	// Provider is the agency, as the credit line names it ("Reuters",
	// "AP"); GUID its identifier for the item, and Version which revision
	// of it this is: the same provider and GUID arriving again replace
	// the older version.
	Provider string
	GUID     string
	Version  string
	// Type is "text" or "picture"; other kinds (video, audio, graphics)
	// are read and reported but the queue keeps only these two. A
	// NewsML-G2 newsItem that names no itemClass is "unknown".
	Type string
	// Language is a BCP 47 tag, as the item gives it ("" if none).
	Language string
	Headline string
	Summary  string
	// Body is the story in Markdown, converted from the item's HTML,
	// XHTML or NITF; empty for pictures.
	Body     string
	Bylines  []string
	Dateline string // the place the story was filed from
	// Subjects are the subjects' names, as tags.
	Subjects []string
	// Urgency is 1 (most urgent) to 9; 0 when the item gives none.
	Urgency int
	// Embargo is the time before which the item must not be published;
	// zero for none.
	Embargo time.Time
	// Sent is when this version was created (versioncreated /
	// versionCreated, else firstcreated), zero if unknown.
	Sent time.Time
	// Source is the item's own address at the agency, if it gives one.
	Source string
	// Pictures are the pictures the item carries or is: a picture item is
	// one, a text item may have associated ones.
	Pictures []Picture
	// Format is the format and major version the item was read from
	// ("ninjs 1.x", "ninjs 2.x", "ninjs 3.x", "newsml-g2"), for the queue
	// to show and for a problem to be reported against the right reader.
	Format string
	// Reference is true for an item a NewsML-G2 package only refers to,
	// without carrying it: the Item then holds only what the reference
	// says (class, provider, title as Headline, description as Summary or
	// caption), and its content must be got from the provider by GUID.
	Reference bool
}

// Picture is a picture of an item: its renditions' addresses as the item
// gives them (the largest first), and the metadata the newsroom suggests
// as caption, credit and alt text.
type Picture struct {
	Renditions []Rendition
	Caption    string
	Credit     string
	Alt        string
}

// Rendition is one file of a picture.
type Rendition struct {
	Href          string // as the item gives it: a URL, or a path beside the file
	ContentType   string
	Width, Height int
}
