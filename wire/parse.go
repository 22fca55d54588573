package wire

import (
	"bytes"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The limits on what one file may hold. They are far above what agencies
// send (a long story with its metadata is some tens of KiB, a newsMessage
// a few hundred items), and low enough that a hostile file costs little
// to refuse.
const (
	// MaxSize is the largest file Parse reads.
	MaxSize = 10 << 20
	// MaxItems is the most items one newsMessage may carry, and the most
	// items (with their associations and references) one file may give.
	MaxItems = 1000
	// maxDepth is how deeply elements, JSON values or body HTML may nest.
	// NITF tables in lists in blocks stay under 30.
	maxDepth = 100
	// maxElements is the most XML elements a file may have: a long NITF
	// story has a few thousand, and each decoded element costs memory
	// many times its size in the file.
	maxElements = 100_000
	// maxBody is the longest body converted to Markdown. The longest
	// agency stories are some 200 KiB of HTML; the converter takes about
	// a second a MiB of hostile markup (a million empty paragraphs), so a
	// 10 MiB body would hold ingest for ten.
	maxBody = 1 << 20
	// maxList is the most subjects or bylines an Item keeps.
	maxList = 100
)

// Parse reads one file of agency copy, whatever its format (told by its
// content, not its name): IPTC ninjs 1.x, 2.x or 3.x, or a NewsML-G2
// newsItem, packageItem or newsMessage. It returns the items the file
// carries, or an error naming the problem, starting with the format's name
// ("ninjs: ", "newsml-g2: ") or "wire: " when the format could not be
// told; a file with an error gives no item at all.
func Parse(data []byte) ([]Item, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("wire: %s, at most %s", size(len(data)), size(MaxSize))
	}
	switch {
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}), bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return nil, fmt.Errorf("wire: the file is UTF-16; only UTF-8 (and, for XML, a declared ISO-8859-1 or Windows-1252) is read")
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	body := bytes.TrimLeft(data, " \t\r\n")
	if len(body) == 0 {
		return nil, fmt.Errorf("wire: the file is empty")
	}
	var (
		items []Item
		err   error
	)
	switch body[0] {
	case '{', '[':
		items, err = parseNinjs(body)
	case '<':
		items, err = parseG2(body)
	default:
		return nil, fmt.Errorf("wire: neither JSON nor XML: the file starts with %q", prefix(body))
	}
	if err != nil {
		return nil, err
	}
	if len(items) > MaxItems {
		return nil, fmt.Errorf("wire: %d items, at most %d", len(items), MaxItems)
	}
	return items, nil
}

func size(n int) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// prefix quotes the start of something refused, short enough for a log.
func prefix(b []byte) string {
	const n = 16
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}

// timeLayouts are RFC 3339 and the xs:dateTime forms NewsML-G2 allows
// beside it: without seconds, without an offset (read as UTC, which is what
// agencies that leave it out send), or with an offset lacking its colon.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
}

// parseTime reads a date and time, "" giving the zero time.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date and time (RFC 3339)", prefixString(s))
}

func prefixString(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// parseUrgency reads an urgency given as text (G2); ninjs gives a number.
func parseUrgency(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", prefixString(s))
	}
	return checkUrgency(n)
}

func checkUrgency(n int) (int, error) {
	if n < 1 || n > 9 {
		return 0, fmt.Errorf("%d is not from 1 to 9", n)
	}
	return n, nil
}

// hostOf names a provider by its address's host when nothing else names
// it, so that the queue can still tell agencies apart.
func hostOf(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}

// isWebAddress tells whether an identifier is also a page one can open.
func isWebAddress(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// sortRenditions puts the largest first, as Picture documents; those
// without dimensions go last, in the order the item gave them.
func sortRenditions(rs []Rendition) {
	sort.SliceStable(rs, func(i, j int) bool {
		return rs[i].Width*rs[i].Height > rs[j].Width*rs[j].Height
	})
}

// isImage tells renditions a picture can use from the others an item
// lists beside them (AP's NITF caption, a video's MP4).
func isImage(contentType string) bool {
	ct := strings.ToLower(strings.TrimSpace(contentType))
	return ct == "" || strings.HasPrefix(ct, "image/")
}

// appendUnique adds s when it is not empty, not there yet, and the list
// has fewer than maxList: an item's first 100 subjects (or bylines) are
// kept, which is more than any agency sends, and a file listing a million
// cannot make the check for repeats quadratic.
func appendUnique(list []string, s string) []string {
	s = collapse(s)
	if s == "" || len(list) >= maxList {
		return list
	}
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// firstNonEmpty is the first of ss that says something.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = collapse(s); s != "" {
			return s
		}
	}
	return ""
}
