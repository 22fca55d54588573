// Package zim writes and reads Kiwix's ZIM files (https://wiki.openzim.org/wiki/ZIM_file_format)
// in pure Go, so that a language service's stories can travel as one file that
// Kiwix opens offline.
//
// Files are written the way libzim 7 and later write them (major version 6,
// minor version 1, the "new namespace scheme"): content in C, metadata in M,
// the main page as the redirect W/mainPage, and the title listings
// X/listing/titleOrdered/v0 (every entry) and v1 (the front articles) in an
// uncompressed cluster, the header's title index pointing into v0. Text goes
// into zstd clusters of about 2 MB, so a reader opens one story without
// decompressing the whole file; pictures and other compressed data go into
// uncompressed clusters.
//
// The Reader treats its input as hostile: every count, offset and size is
// checked against the file before it is used, and what a cluster may
// decompress to is bounded.
package zim

// Entry is one item of the content namespace (C).
type Entry struct {
	Path  string // "a/123.html", "style.css", "i/123.jpg": no leading slash, no "." or ".." segments, valid UTF-8
	Title string // shown by Kiwix; "" means the path
	MIME  string // "text/html", "text/css", "image/jpeg", "image/webp", "application/json", "text/plain" ...
	Data  []byte
	Front bool // a front article: listed and searched by title in Kiwix (the stories, the main page)
}

// Redirect is a C entry that points to another.
type Redirect struct{ Path, Title, Target string }

// Metadata is what Kiwix requires and shows (https://wiki.openzim.org/wiki/Metadata).
type Metadata struct {
	Name, Title, Creator, Publisher string
	Date                            string // YYYY-MM-DD
	Description                     string // at most 80 characters
	LongDescription                 string // optional, at most 4000
	Language                        string // ISO 639-3, e.g. "fas", "eng"; comma-separated for several
	Tags, Source, Flavour, Scraper  string // optional
	Illustration48                  []byte // a 48x48 PNG (Illustration_48x48@1)
}

// Archive is everything one ZIM file holds.
type Archive struct {
	Entries   []Entry
	Redirects []Redirect
	Main      string // path of the main page (W/mainPage)
	Metadata  Metadata
	// UUID identifies the file to Kiwix's library. The zero value means a
	// fresh random one; tests set it to get the same bytes twice.
	UUID [16]byte
}

// Format constants, from the openZIM wiki and libzim's fileheader.cpp.
const (
	magic        = 0x044D495A
	majorVersion = 6
	minorVersion = 1
	headerSize   = 80

	redirectMIME = 0xFFFF
	noPage       = 0xFFFFFFFF

	compNone = 1
	compZstd = 5
	// extendedCluster marks a cluster whose blob offsets are 64 bits wide.
	extendedCluster = 0x10

	// clusterSize is libzim's DEFAULT_CLUSTER_SIZE: big enough for zstd to
	// find repetition across stories, small enough that one story costs
	// little to open.
	clusterSize = 2 << 20

	illustrationName = "Illustration_48x48@1"
	listingV0        = "listing/titleOrdered/v0"
	listingV1        = "listing/titleOrdered/v1"
	listingMIME      = "application/octet-stream+zimlisting"
	metadataMIME     = "text/plain;charset=utf-8"
)
