package render

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/kolokol/kolokol"
)

// rootRelative, given to relPath as the page's own path, makes every link
// root-relative: for the 404 page alone, which one rendering serves at
// every path (see NotFound).
const rootRelative = ""

// relPath returns the href that leads from the page at from (a root-relative,
// escaped directory path ending in "/") to target (a root-relative, escaped
// path). Pages link relatively so that the same bytes work at the site root,
// under an export's base path, or opened from disk on a mirror.
func relPath(from, target string) string {
	if from == rootRelative {
		return target
	}
	fromSegs := splitDirs(from)
	i := strings.LastIndexByte(target, '/')
	toSegs, file := splitDirs(target[:i+1]), target[i+1:]
	n := 0
	for n < len(fromSegs) && n < len(toSegs) && fromSegs[n] == toSegs[n] {
		n++
	}
	var b strings.Builder
	b.Grow(3*(len(fromSegs)-n) + len(target))
	for range len(fromSegs) - n {
		b.WriteString("../")
	}
	for _, s := range toSegs[n:] {
		b.WriteString(s)
		b.WriteByte('/')
	}
	b.WriteString(file)
	out := b.String()
	switch {
	case out == "":
		return "./"
	case !strings.HasPrefix(out, "../") && strings.Contains(strings.SplitN(out, "/", 2)[0], ":"):
		// "a:b/" would read as a URL with scheme "a".
		return "./" + out
	}
	return out
}

// splitDirs splits "/a/b/" into ["a", "b"]; "/" gives none.
func splitDirs(dir string) []string {
	dir = strings.Trim(dir, "/")
	if dir == "" {
		return nil
	}
	return strings.Split(dir, "/")
}

// parsePositive parses a URL segment as a positive decimal number in its one
// canonical spelling: digits only, no sign, no leading zero, no overflow.
// Anything else is not a page, so that every page has exactly one URL.
func parsePositive(s string) (int64, bool) {
	if s == "" || s[0] == '0' || len(s) > 19 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// Route paths. Keeping them here, next to each other, keeps the router and
// the links the pages print in agreement.
func homePath(svc string) string     { return "/" + svc + "/" }
func liteHomePath(svc string) string { return "/" + svc + "/lite/" }

// liteArticlePath is the text-only edition of an article's path.
func liteArticlePath(a *kolokol.Article) string {
	return liteHomePath(a.Service) + strings.TrimPrefix(a.Path(), homePath(a.Service))
}
func archivePath(svc string) string { return "/" + svc + "/archive/" }
func safetyPath(svc string) string  { return "/" + svc + "/safety/" }
func mirrorsPath(svc string) string { return "/" + svc + "/mirrors/" }

// MirrorsJSONPath is the path of the site's list of mirrors as data.
const MirrorsJSONPath = "/mirrors.json"

func sectionPath(svc, section string) string {
	return "/" + svc + "/s/" + section + "/"
}

// tagPath is the page of the tag with key (kolokol.TagKey), escaped as
// links are; rawTagPath the same as net/http unescapes it.
func tagPath(svc, key string) string    { return "/" + svc + "/t/" + url.PathEscape(key) + "/" }
func rawTagPath(svc, key string) string { return "/" + svc + "/t/" + key + "/" }

// pagedPath adds the page number to a list's first-page path; page 1 has
// none.
func pagedPath(first string, page int) string {
	if page <= 1 {
		return first
	}
	return first + strconv.Itoa(page) + "/"
}
