package feed

import (
	"strings"
	"time"
)

// The sitemap protocol's limits (https://www.sitemaps.org/protocol.html):
// a sitemap or a sitemap index holds at most 50,000 URLs and 50 MB
// (52,428,800 bytes) uncompressed. Google News sitemaps hold at most
// 1,000 URLs.
const (
	MaxSitemapURLs  = 50_000
	MaxSitemapBytes = 50 << 20
	MaxNewsURLs     = 1000
)

// URL is one page in a sitemap.
type URL struct {
	Loc string
	// Alternates are the page in other languages, the page itself
	// included, as hreflang wants them (xhtml:link).
	Alternates []Alternate
}

// Alternate is a version of a page in a language.
type Alternate struct {
	Lang, Href string
}

// Sitemap writes a sitemap of urls.
func Sitemap(urls []URL) []byte {
	w := newXML(256 + 128*len(urls))
	w.raw(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">` + "\n")
	for _, u := range urls {
		w.raw("<url>")
		w.elem("loc", u.Loc)
		for _, a := range u.Alternates {
			w.open("xhtml:link", true, "rel", "alternate", "hreflang", a.Lang, "href", a.Href)
		}
		w.raw("</url>\n")
	}
	w.raw("</urlset>\n")
	return w.bytes()
}

// Index writes a sitemap index of the sitemaps at locs.
func Index(locs []string) []byte {
	w := newXML(256 + 96*len(locs))
	w.raw(`<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for _, l := range locs {
		w.raw("<sitemap>")
		w.elem("loc", l)
		w.raw("</sitemap>\n")
	}
	w.raw("</sitemapindex>\n")
	return w.bytes()
}

// NewsStory is one story of a Google News sitemap.
type NewsStory struct {
	Loc, Title string
	Published  time.Time
}

// News writes a Google News sitemap
// (https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap)
// of the stories of the publication name in language lang (a BCP 47 tag;
// written as News wants it, see NewsLanguage).
func News(name, lang string, stories []NewsStory) []byte {
	w := newXML(512 + 400*len(stories))
	w.raw(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">` + "\n")
	lang = NewsLanguage(lang)
	for _, s := range stories {
		w.raw("<url>")
		w.elem("loc", s.Loc)
		w.raw("<news:news><news:publication>")
		w.elem("news:name", name)
		w.elem("news:language", lang)
		w.raw("</news:publication>\n")
		w.elem("news:publication_date", RFC3339(s.Published))
		w.elem("news:title", s.Title)
		w.raw("</news:news></url>\n")
	}
	w.raw("</urlset>\n")
	return w.bytes()
}

// NewsLanguage is a BCP 47 tag as Google News takes it: an ISO 639 code,
// but Chinese as zh-cn or zh-tw by its script.
func NewsLanguage(tag string) string {
	tag = strings.ToLower(tag)
	base, rest, _ := strings.Cut(tag, "-")
	if base == "zh" {
		if strings.Contains(rest, "hant") || strings.Contains(rest, "tw") || strings.Contains(rest, "hk") {
			return "zh-tw"
		}
		return "zh-cn"
	}
	return base
}
