package render

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/feed"
	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
)

// wellFormed parses an XML document to its end with encoding/xml, which
// refuses anything not well-formed.
func wellFormed(t *testing.T, what string, body []byte) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(string(body)))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", what, err)
		}
	}
}

// feedOf builds path and parses it with gofeed, an independent parser.
func feedOf(t *testing.T, b *Builder, path, ctype string) (*Page, *gofeed.Feed) {
	t.Helper()
	p, err := b.Build(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != 200 || p.ContentType != ctype || p.Path != path {
		t.Fatalf("%s: %d %q at %q", path, p.Status, p.ContentType, p.Path)
	}
	if !strings.HasSuffix(path, ".json") {
		wellFormed(t, path, p.Body)
	}
	fd, err := gofeed.NewParser().ParseString(string(p.Body))
	if err != nil {
		t.Fatalf("gofeed cannot read %s: %v\n%s", path, err, p.Body)
	}
	return p, fd
}

func mediaDescription(it *gofeed.Item) string {
	for _, c := range it.Extensions["media"]["content"] {
		for _, d := range c.Children["description"] {
			return d.Value
		}
	}
	return ""
}

func mediaCredit(it *gofeed.Item) string {
	for _, c := range it.Extensions["media"]["content"] {
		for _, d := range c.Children["credit"] {
			return d.Value
		}
	}
	return ""
}

var _ ext.Extensions // the extensions' type, read above

// TestFeeds reads every feed format of an LTR (ru) and an RTL (fa) service
// and of a section with gofeed and checks what a feed reader shows: titles,
// links, dates, languages, authors, categories and the picture with its
// alt text and credit.
func TestFeeds(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// A Persian story with a picture, tags and a correction.
	faPic := &kolokol.Article{Service: "fa", Section: "world", Status: kolokol.StatusPublished, PublishedAt: published0.Add(time.Hour),
		Headline: "کشتی بازگشت", Summary: "خلاصهٔ خبر.", Body: "متن با [پیوند](/fa/s/world/).", Bylines: []string{"مریم"},
		Tags:      []string{"دریا", "شهر"},
		LeadImage: &kolokol.LeadImage{MediaID: f.media.ID, Alt: "کشتی در بندر", Caption: "بندر", Credit: "عکس: رویترز"}}
	faPic.Normalize()
	if err := f.store.CreateArticle(ctx, faPic); err != nil {
		t.Fatal(err)
	}
	if err := f.store.AddCorrection(ctx, &kolokol.Correction{ArticleID: faPic.ID, Text: "اصلاحیه."}); err != nil {
		t.Fatal(err)
	}
	faPic, _ = f.store.FindArticleByID(ctx, faPic.ID)
	full := f.full

	type want struct {
		path, lang, title, link string
		entries                 int
		story                   *kolokol.Article
		section                 string
		brand                   string
	}
	for _, w := range []want{
		{"/ru/", "ru", ruBrand, testBase + "/ru/", feedLen, full, "В мире", ruBrand},
		{"/ru/s/world/", "ru", "В мире – " + ruBrand, testBase + "/ru/s/world/", feedLen, full, "В мире", ruBrand},
		{"/fa/", "fa-IR", "Kolokol", testBase + "/fa/", 2, faPic, "جهان", "Kolokol"},
		{"/fa/s/world/", "fa-IR", "جهان – Kolokol", testBase + "/fa/s/world/", 2, faPic, "جهان", "Kolokol"},
		// Tags: the feeds of an LTR and an RTL tag page, at the key's own
		// text, percent-escaped in their links.
		{"/ru/t/политика/", "ru", "Тег: Политика – " + ruBrand, testBase + "/ru/t/%D0%BF%D0%BE%D0%BB%D0%B8%D1%82%D0%B8%D0%BA%D0%B0/", 1, full, "В мире", ruBrand},
		{"/fa/t/دریا/", "fa-IR", "برچسب: دریا – Kolokol", testBase + "/fa/t/%D8%AF%D8%B1%DB%8C%D8%A7/", 1, faPic, "جهان", "Kolokol"},
	} {
		for _, ff := range feedFormats {
			path := w.path + ff.file
			t.Run(path, func(t *testing.T) {
				p, fd := feedOf(t, f.b, path, ff.typ)
				if fd.Title != w.title {
					t.Errorf("title %q, want %q", fd.Title, w.title)
				}
				if fd.Link != w.link {
					t.Errorf("link %q, want %q (links %v)", fd.Link, w.link, fd.Links)
				}
				if fd.FeedLink != w.link+ff.file && ff.file != "feed.xml" {
					t.Errorf("feed link %q", fd.FeedLink)
				}
				if fd.Language != w.lang {
					t.Errorf("language %q, want %q", fd.Language, w.lang)
				}
				if len(fd.Items) != w.entries {
					t.Fatalf("%d entries, want %d", len(fd.Items), w.entries)
				}
				for i := 1; i < len(fd.Items); i++ {
					if fd.Items[i].PublishedParsed.After(*fd.Items[i-1].PublishedParsed) {
						t.Errorf("entry %d is newer than the one before", i)
					}
				}
				var it *gofeed.Item
				for _, x := range fd.Items {
					if x.Link == testBase+w.story.Path() {
						it = x
					}
				}
				if it == nil {
					t.Fatalf("no entry links %s", testBase+w.story.Path())
				}
				a := w.story
				if it.Title != a.Headline {
					t.Errorf("entry title %q, want %q", it.Title, a.Headline)
				}
				if it.PublishedParsed == nil || !it.PublishedParsed.Equal(a.PublishedAt.Truncate(time.Second)) {
					t.Errorf("published %v, want %v", it.PublishedParsed, a.PublishedAt)
				}
				lastCorr := a.Corrections[len(a.Corrections)-1].CreatedAt
				updated := it.UpdatedParsed
				if ff.file == "feed.xml" {
					// RSS has no update time: the feed writes atom:updated.
					for _, u := range it.Extensions["atom"]["updated"] {
						if tm, err := time.Parse(time.RFC3339, u.Value); err == nil {
							updated = &tm
						}
					}
				}
				if updated == nil || updated.Before(lastCorr.Truncate(time.Second)) {
					t.Errorf("updated %v, before the last correction %v", updated, lastCorr)
				}
				var authors []string
				for _, p := range it.Authors {
					authors = append(authors, p.Name)
				}
				if ff.file == "feed.xml" && it.DublinCoreExt != nil {
					// One dc:creator a byline; gofeed keeps the first as
					// the author.
					authors = it.DublinCoreExt.Creator
				}
				if !slices.Equal(authors, a.Bylines) {
					t.Errorf("authors %q, want %q", authors, a.Bylines)
				}
				if wantCats := append([]string{w.section}, a.Tags...); !slices.Equal(it.Categories, wantCats) {
					t.Errorf("categories %q, want %q", it.Categories, wantCats)
				}
				if it.GUID != f.b.storyID(a) || !strings.HasPrefix(it.GUID, "tag:news.example.org,") {
					t.Errorf("id %q", it.GUID)
				}
				// Full text, links absolute, corrections at the end.
				content := it.Content
				if !strings.Contains(content, `href="`+testBase+`/`) || strings.Contains(content, `href="/`) {
					t.Errorf("content links are not absolute: %s", content)
				}
				for _, c := range a.Corrections {
					if !strings.Contains(content, c.Text) {
						t.Errorf("content lacks the correction %q", c.Text)
					}
				}
				dir := `dir="ltr"`
				if w.lang == "fa-IR" {
					dir = `dir="rtl"`
				}
				if !strings.HasPrefix(content, `<div lang="`+w.lang+`" `+dir+`>`) {
					t.Errorf("content does not say its language and direction: %.80s", content)
				}
				// The picture: an enclosure, and its alt text and credit.
				if len(it.Enclosures) != 1 || it.Enclosures[0].URL != testBase+f.media.Path() || it.Enclosures[0].Type != "image/jpeg" {
					t.Errorf("enclosures %+v", it.Enclosures)
				}
				if ff.file == "feed.json" {
					var raw struct {
						Language string `json:"language"`
						Items    []struct {
							URL     string                       `json:"url"`
							Picture struct{ Alt, Credit string } `json:"_picture"`
						} `json:"items"`
					}
					if err := json.Unmarshal(p.Body, &raw); err != nil {
						t.Fatal(err)
					}
					if raw.Language != w.lang {
						t.Errorf("JSON Feed language %q", raw.Language)
					}
					for _, x := range raw.Items {
						if x.URL == it.Link && (x.Picture.Alt != a.LeadImage.Alt || x.Picture.Credit != a.LeadImage.Credit) {
							t.Errorf("JSON Feed picture %+v", x.Picture)
						}
					}
				} else if mediaDescription(it) != a.LeadImage.Alt || mediaCredit(it) != a.LeadImage.Credit {
					t.Errorf("media:content alt %q credit %q", mediaDescription(it), mediaCredit(it))
				}
				// gofeed takes an Atom entry's picture from its enclosure
				// alone (checked above).
				if ff.file != "atom.xml" && (it.Image == nil || it.Image.URL != testBase+f.media.Path()) {
					t.Errorf("image %+v", it.Image)
				}
			})
		}
	}
}

// TestFeedHostile: a story whose every field is hostile markup gives feeds
// that parse, with the markup as text.
func TestFeedHostile(t *testing.T) {
	f := newFixture(t)
	for _, ff := range feedFormats {
		_, fd := feedOf(t, f.b, "/en/"+ff.file, ff.typ)
		if fd.Title != "Brand "+evil {
			t.Errorf("%s: title %q", ff.file, fd.Title)
		}
		if it := fd.Items[0]; it.Title != f.evil.Headline || strings.Contains(it.Content, "<script") || strings.Contains(it.Content, "javascript:") {
			t.Errorf("%s: entry %q with content %s", ff.file, it.Title, it.Content)
		}
	}
}

// TestFeedDeps: a feed depends on its service, its list, and each entry's
// page and picture, and on nothing it does not show.
func TestFeedDeps(t *testing.T) {
	f := newFixture(t)
	p := f.build(t, "/ru/feed.xml")
	want := []string{svcTag("ru"), listTag("ru"), artTag(f.full.ID), mediaTag(f.media.ID), artTag(f.plain.ID)}
	for _, d := range want {
		if !slices.Contains(p.Deps, d) {
			t.Errorf("the feed's deps %v lack %s", p.Deps, d)
		}
	}
	if n := len(p.Deps); n != 2+feedLen+1 {
		t.Errorf("%d deps, want 2 + %d stories + 1 picture: %v", n, feedLen, p.Deps)
	}
	if slices.Contains(p.Deps, portalTag) || slices.Contains(p.Deps, artTag(f.draft.ID)) {
		t.Errorf("the feed depends on what it does not show: %v", p.Deps)
	}
	// A story's edit reaches the feed, through its art: tag.
	c := kolokol.Change{Kind: kolokol.ChangeArticle, Service: "ru", ArticleID: f.full.ID}
	if !slices.ContainsFunc(Deps(c), func(tag string) bool { return slices.Contains(p.Deps, tag) }) {
		t.Errorf("an edit of a story in the feed does not invalidate it")
	}
	n := f.build(t, "/ru/a/"+itoa(f.full.ID)+".ninjs2.json")
	for _, d := range []string{svcTag("ru"), artTag(f.full.ID), mediaTag(f.media.ID)} {
		if !slices.Contains(n.Deps, d) {
			t.Errorf("ninjs deps %v lack %s", n.Deps, d)
		}
	}
	if slices.Contains(n.Deps, listTag("ru")) {
		t.Errorf("ninjs depends on the lists: %v", n.Deps)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestFeedBase: with FeedBase (a mirror's address, with a path), links
// are made against it, and entry ids stay the site's.
func TestFeedBase(t *testing.T) {
	f := newFixture(t)
	const mirror = "https://mirror.example.net/news"
	b, err := New(f.store, Options{BaseURL: testBase, FeedBase: mirror + "/"})
	if err != nil {
		t.Fatal(err)
	}
	_, fd := feedOf(t, b, "/ru/atom.xml", feed.AtomType)
	if fd.Link != mirror+"/ru/" || !strings.HasPrefix(fd.Items[1].Link, mirror+"/ru/a/") {
		t.Errorf("links %q, %q", fd.Link, fd.Items[1].Link)
	}
	if !strings.Contains(fd.Items[1].Content, `href="`+mirror+`/ru/s/society/"`) {
		t.Errorf("content links not made against the mirror: %s", fd.Items[1].Content)
	}
	if fd.Items[1].GUID != f.b.storyID(f.full) {
		t.Errorf("id %q on the mirror, %q on the site", fd.Items[1].GUID, f.b.storyID(f.full))
	}
	if p, _ := b.Static("/robots.txt"); !strings.Contains(string(p.Body), "Sitemap: "+mirror+"/sitemap.xml\n") {
		t.Errorf("robots.txt %q", p.Body)
	}
	for _, bad := range []string{"ftp://x", "mirror.example.net", "https://x/?q=1", "https://"} {
		if _, err := New(f.store, Options{FeedBase: bad}); err == nil {
			t.Errorf("FeedBase %q accepted", bad)
		}
	}
}

// TestFeedLinks: every page of a service links its feeds, a section page
// its section's too, a story page its ninjs; each link leads to the format
// it names.
func TestFeedLinks(t *testing.T) {
	f := newFixture(t)
	cases := map[string][]string{
		"/ru/":                {"/ru/feed.xml", "/ru/atom.xml", "/ru/feed.json"},
		"/ru/s/world/":        {"/ru/feed.xml", "/ru/atom.xml", "/ru/feed.json", "/ru/s/world/feed.xml", "/ru/s/world/atom.xml", "/ru/s/world/feed.json"},
		raw(t, f.full.Path()): {"/ru/feed.xml", "/ru/atom.xml", "/ru/feed.json", "/ru/a/" + itoa(f.full.ID) + ".ninjs2.json", "/ru/a/" + itoa(f.full.ID) + ".ninjs3.json"},
		"/fa/safety/":         {"/fa/feed.xml", "/fa/atom.xml", "/fa/feed.json"},
	}
	for page, want := range cases {
		p := f.build(t, page)
		var got []string
		base := mustURL(t, testBase+page)
		for _, n := range findAll(parse(t, p.Body), byTag("link")) {
			typ, _ := attr(n, "type")
			if rel, _ := attr(n, "rel"); rel != "alternate" || typ == "" {
				continue
			}
			href, _ := attr(n, "href")
			u, err := base.Parse(href)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, u.Path)
			target := f.build(t, u.Path)
			if target.Status != 200 || !strings.HasPrefix(target.ContentType, strings.Replace(typ, "ninjs+json", "json", 1)) {
				t.Errorf("%s: <link type=%q> leads to %s, a %d %q", page, typ, u.Path, target.Status, target.ContentType)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s links %v, want %v", page, got, want)
		}
	}
}
