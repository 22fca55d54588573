package feed

import (
	"bytes"
	"encoding/json"
	"html"
	"strconv"
	"strings"
)

// content is an entry's HTML as a feed carries it: in an element giving
// its language and direction, which a feed reader showing it out of the
// page would otherwise not know.
func (f *Feed) content(e *Entry) string {
	if e.Content == "" {
		return ""
	}
	dir := "ltr"
	if f.RTL {
		dir = "rtl"
	}
	return `<div lang="` + html.EscapeString(f.Lang) + `" dir="` + dir + `">` + e.Content + `</div>`
}

// RSS writes the feed as RSS 2.0, with the full text in content:encoded,
// authors as dc:creator (RSS's own author element wants an email
// address), the lead picture as an enclosure and as Media RSS's
// media:content with its alt text (media:description), caption
// (media:title) and credit, and each entry's last update as
// atom:updated, since RSS has none.
func RSS(f *Feed) []byte {
	w := newXML(4096 + 8192*len(f.Entries))
	w.raw(`<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/"` +
		` xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">` + "\n<channel>\n")
	w.elem("title", f.Title)
	w.elem("link", f.Link)
	w.elem("description", f.Description)
	w.elem("language", f.Lang)
	if !f.Updated.IsZero() {
		w.elem("lastBuildDate", rfc822(f.Updated))
	}
	w.open("atom:link", true, "href", f.Self, "rel", "self", "type", strings.Split(RSSType, ";")[0])
	for i := range f.Entries {
		e := &f.Entries[i]
		w.raw("<item>\n")
		w.elem("title", e.Title)
		w.elem("link", e.Link)
		w.open("guid", false, "isPermaLink", "false")
		w.text(e.ID)
		w.close("guid")
		if e.Summary != "" {
			w.elem("description", e.Summary)
		}
		if c := f.content(e); c != "" {
			w.elem("content:encoded", c)
		}
		for _, a := range e.Authors {
			w.elem("dc:creator", a)
		}
		for _, c := range e.Categories {
			w.elem("category", c.Label)
		}
		w.elem("pubDate", rfc822(e.Published))
		w.elem("atom:updated", RFC3339(e.Updated))
		if im := e.Image; im != nil {
			// An enclosure must say its length; the RSS Advisory Board's
			// profile says 0 when it is not known.
			w.open("enclosure", true, "url", im.URL, "length", strconv.FormatInt(max(im.Length, 0), 10), "type", im.Type)
			mediaContent(w, im)
		}
		w.raw("</item>\n")
	}
	w.raw("</channel>\n</rss>\n")
	return w.bytes()
}

// mediaContent writes a lead picture as Media RSS's media:content, in RSS
// and Atom alike: its caption as the title, its alt text as the
// description, its credit.
func mediaContent(w *xmlWriter, im *Image) {
	w.open("media:content", false, "url", im.URL, "type", im.Type, "medium", "image", "fileSize", itoa(im.Length),
		"width", itoa(int64(im.Width)), "height", itoa(int64(im.Height)))
	if im.Caption != "" {
		w.open("media:title", false, "type", "plain")
		w.text(im.Caption)
		w.close("media:title")
	}
	if im.Alt != "" {
		w.open("media:description", false, "type", "plain")
		w.text(im.Alt)
		w.close("media:description")
	}
	if im.Credit != "" {
		w.elem("media:credit", im.Credit)
	}
	w.close("media:content")
}

// Atom writes the feed as Atom 1.0 (RFC 4287): xml:lang on the feed, the
// publisher as the feed's author (so that an entry without a byline has
// one), text titles and summaries, the full text as escaped HTML, the
// lead picture as an enclosure link titled with its alt text and as
// media:content.
func Atom(f *Feed) []byte {
	w := newXML(4096 + 8192*len(f.Entries))
	w.open("feed", false, "xmlns", "http://www.w3.org/2005/Atom", "xmlns:media", "http://search.yahoo.com/mrss/", "xml:lang", f.Lang)
	w.raw("\n")
	w.elem("id", f.ID)
	w.open("title", false, "type", "text")
	w.text(f.Title)
	w.close("title")
	if f.Description != "" {
		w.open("subtitle", false, "type", "text")
		w.text(f.Description)
		w.close("subtitle")
	}
	w.elem("updated", RFC3339(f.Updated))
	w.open("link", true, "rel", "self", "type", strings.Split(AtomType, ";")[0], "href", f.Self)
	w.open("link", true, "rel", "alternate", "type", "text/html", "href", f.Link)
	w.raw("<author>")
	w.elem("name", f.Author)
	w.raw("</author>\n")
	for i := range f.Entries {
		e := &f.Entries[i]
		w.raw("<entry>\n")
		w.elem("id", e.ID)
		w.open("title", false, "type", "text")
		w.text(e.Title)
		w.close("title")
		w.open("link", true, "rel", "alternate", "type", "text/html", "href", e.Link)
		w.elem("published", RFC3339(e.Published))
		w.elem("updated", RFC3339(e.Updated))
		for _, a := range e.Authors {
			w.raw("<author>")
			w.elem("name", a)
			w.raw("</author>\n")
		}
		for _, c := range e.Categories {
			w.open("category", true, "term", c.Term, "label", c.Label)
		}
		if e.Summary != "" {
			w.open("summary", false, "type", "text")
			w.text(e.Summary)
			w.close("summary")
		}
		if c := f.content(e); c != "" {
			w.open("content", false, "type", "html")
			w.text(c)
			w.close("content")
		}
		if im := e.Image; im != nil {
			w.open("link", true, "rel", "enclosure", "type", im.Type, "href", im.URL, "length", itoa(im.Length), "title", im.Alt)
			mediaContent(w, im)
		}
		w.raw("</entry>\n")
	}
	w.raw("</feed>\n")
	return w.bytes()
}

// jsonFeed is JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/).
type jsonFeed struct {
	Version     string       `json:"version"`
	Title       string       `json:"title"`
	HomePageURL string       `json:"home_page_url,omitempty"`
	FeedURL     string       `json:"feed_url,omitempty"`
	Description string       `json:"description,omitempty"`
	Language    string       `json:"language,omitempty"`
	Authors     []jsonAuthor `json:"authors,omitempty"`
	Items       []jsonItem   `json:"items"`
}

type jsonAuthor struct {
	Name string `json:"name"`
}

type jsonItem struct {
	ID            string           `json:"id"`
	URL           string           `json:"url,omitempty"`
	Title         string           `json:"title,omitempty"`
	ContentHTML   string           `json:"content_html,omitempty"`
	Summary       string           `json:"summary,omitempty"`
	Image         string           `json:"image,omitempty"`
	DatePublished string           `json:"date_published,omitempty"`
	DateModified  string           `json:"date_modified,omitempty"`
	Authors       []jsonAuthor     `json:"authors,omitempty"`
	Tags          []string         `json:"tags,omitempty"`
	Attachments   []jsonAttachment `json:"attachments,omitempty"`
	// Picture is an extension (JSON Feed's are named with a leading
	// underscore): the lead picture's alt text, caption and credit, which
	// the format has no field for.
	Picture *jsonPicture `json:"_picture,omitempty"`
}

type jsonAttachment struct {
	URL      string `json:"url"`
	MimeType string `json:"mime_type"`
	Title    string `json:"title,omitempty"`
	Size     int64  `json:"size_in_bytes,omitempty"`
}

type jsonPicture struct {
	Alt     string `json:"alt,omitempty"`
	Caption string `json:"caption,omitempty"`
	Credit  string `json:"credit,omitempty"`
}

// JSON writes the feed as JSON Feed 1.1. encoding/json writes any string
// as valid JSON (bytes that are not UTF-8 become U+FFFD).
func JSON(f *Feed) []byte {
	d := jsonFeed{Version: "https://jsonfeed.org/version/1.1", Title: f.Title, HomePageURL: f.Link, FeedURL: f.Self,
		Description: f.Description, Language: f.Lang, Items: make([]jsonItem, 0, len(f.Entries))}
	if f.Author != "" {
		d.Authors = []jsonAuthor{{Name: f.Author}}
	}
	for i := range f.Entries {
		e := &f.Entries[i]
		it := jsonItem{ID: e.ID, URL: e.Link, Title: e.Title, ContentHTML: f.content(e), Summary: e.Summary,
			DatePublished: RFC3339(e.Published), DateModified: RFC3339(e.Updated)}
		for _, a := range e.Authors {
			it.Authors = append(it.Authors, jsonAuthor{Name: a})
		}
		for _, c := range e.Categories {
			it.Tags = append(it.Tags, c.Label)
		}
		if im := e.Image; im != nil {
			it.Image = im.URL
			it.Attachments = []jsonAttachment{{URL: im.URL, MimeType: im.Type, Title: im.Alt, Size: im.Length}}
			if im.Alt != "" || im.Caption != "" || im.Credit != "" {
				it.Picture = &jsonPicture{Alt: im.Alt, Caption: im.Caption, Credit: im.Credit}
			}
		}
		d.Items = append(d.Items, it)
	}
	return marshal(d)
}

// marshal encodes v on one line: feeds and ninjs are read by programs, and
// indenting them was two thirds of their encoding, some 6% of a full
// export's time (a ninjs file for each story in two versions).
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// The values are strings, numbers and slices of them: encoding cannot
	// fail.
	_ = enc.Encode(v)
	return buf.Bytes()
}
