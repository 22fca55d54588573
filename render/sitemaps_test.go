package render

import (
	"context"
	"encoding/xml"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/feed"
)

type urlset struct {
	XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []struct {
		Loc   string `xml:"loc"`
		Links []struct {
			Rel      string `xml:"rel,attr"`
			Hreflang string `xml:"hreflang,attr"`
			Href     string `xml:"href,attr"`
		} `xml:"http://www.w3.org/1999/xhtml link"`
		News *struct {
			Name     string `xml:"publication>name"`
			Language string `xml:"publication>language"`
			Date     string `xml:"publication_date"`
			Title    string `xml:"title"`
		} `xml:"http://www.google.com/schemas/sitemap-news/0.9 news"`
	} `xml:"url"`
}

type sitemapIndex struct {
	XMLName  xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []struct {
		Loc string `xml:"loc"`
	} `xml:"sitemap"`
}

func decodeXML(t *testing.T, p *Page, v any) {
	t.Helper()
	if p.Status != 200 || p.ContentType != feed.XMLType {
		t.Fatalf("%s: %d %q", p.Path, p.Status, p.ContentType)
	}
	if len(p.Body) > feed.MaxSitemapBytes {
		t.Errorf("%s is %d bytes", p.Path, len(p.Body))
	}
	wellFormed(t, p.Path, p.Body)
	if err := xml.Unmarshal(p.Body, v); err != nil {
		t.Fatalf("%s: %v", p.Path, err)
	}
}

// TestSitemaps: the index lists every service's sitemaps, which list every
// live story once (and the homes and sections), split at the limit; a
// translated story has its hreflang alternates.
func TestSitemaps(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// A translation of the Russian story into Persian.
	for _, a := range []*kolokol.Article{f.full, f.fa} {
		a.TranslationGroup = "ferry"
		if err := f.store.UpdateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, limit := range []int{feed.MaxSitemapURLs, 7} {
		b := f.builder(t, nil)
		b.sitemapURLs = limit
		var idx sitemapIndex
		decodeXML(t, f.buildWith(t, b, SitemapIndexPath), &idx)
		locs := map[string]int{}
		var files int
		for _, s := range idx.Sitemaps {
			path := strings.TrimPrefix(s.Loc, testBase)
			if strings.HasSuffix(path, newsSitemapFile) {
				continue
			}
			files++
			var us urlset
			decodeXML(t, f.buildWith(t, b, path), &us)
			if len(us.URLs) > limit || len(us.URLs) == 0 {
				t.Errorf("%s lists %d addresses (limit %d)", path, len(us.URLs), limit)
			}
			for _, u := range us.URLs {
				locs[u.Loc]++
				if u.Loc == testBase+f.full.Path() || u.Loc == testBase+f.fa.Path() {
					var langs []string
					for _, l := range u.Links {
						langs = append(langs, l.Hreflang+" "+l.Href)
					}
					want := []string{"fa-IR " + testBase + f.fa.Path(), "ru " + testBase + f.full.Path()}
					if !slices.Equal(langs, want) {
						t.Errorf("%s: hreflang %v, want %v", u.Loc, langs, want)
					}
				} else if len(u.Links) > 0 {
					t.Errorf("%s has alternates %v", u.Loc, u.Links)
				}
			}
		}
		plan := planSet(t, b)
		for path, k := range plan {
			switch k {
			case KindArticle:
				if locs[testBase+mustURL(t, "http://x"+path).EscapedPath()] != 1 {
					t.Errorf("limit %d: %s is listed %d times", limit, path, locs[testBase+path])
				}
			case KindSitemap:
				files--
			}
		}
		if files != 0 {
			t.Errorf("limit %d: the index and the plan disagree on the sitemap files by %d", limit, files)
		}
		if locs[testBase+"/ru/"] != 1 || locs[testBase+"/ru/s/world/"] != 1 {
			t.Errorf("the homes and sections are not listed once")
		}
		if limit == 7 {
			// ru: 1 home + 2 sections + 46 stories = 49 addresses, 7 files.
			if _, ok := plan["/ru/sitemap-7.xml"]; !ok {
				t.Errorf("ru's sitemap is not split in 7")
			}
			if p := f.buildWith(t, b, "/ru/sitemap-8.xml"); p.Status != 404 {
				t.Errorf("sitemap-8 answers %d", p.Status)
			}
		}
	}
	for _, p := range []string{"/ru/sitemap-0.xml", "/ru/sitemap-01.xml", "/ru/sitemap-x.xml", "/ru/sitemap.xml", "/zz/sitemap-1.xml"} {
		if got := f.build(t, p); got.Status != 404 {
			t.Errorf("%s answers %d", p, got.Status)
		}
	}
}

func (f *fixture) buildWith(t *testing.T, b *Builder, path string) *Page {
	t.Helper()
	p, err := b.Build(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestNewsSitemap: the stories of the last 48 hours, with the brand and
// language, expiring when the oldest leaves the window.
func TestNewsSitemap(t *testing.T) {
	f := newFixture(t)
	now := published0.Add(30 * time.Hour)
	b := f.builder(t, func() time.Time { return now })
	p := f.buildWith(t, b, "/ru/news-sitemap.xml")
	var us urlset
	decodeXML(t, p, &us)
	// f.full at published0, fillers an hour apart before it; f.plain is
	// "now" in the real world, after this clock: it is in too.
	var want int
	for e := range 44 {
		if published0.Add(-time.Duration(e+1) * time.Hour).After(now.Add(-newsWindow)) {
			want++
		}
	}
	want += 2
	if len(us.URLs) != want {
		t.Errorf("%d stories, want %d", len(us.URLs), want)
	}
	for _, u := range us.URLs {
		if u.News == nil || u.News.Name != ruBrand || u.News.Language != "ru" || u.News.Title == "" {
			t.Fatalf("%s: %+v", u.Loc, u.News)
		}
		if _, err := time.Parse(time.RFC3339, u.News.Date); err != nil {
			t.Errorf("%s: date %q", u.Loc, u.News.Date)
		}
	}
	oldest := published0.Add(-time.Duration(want-2) * time.Hour)
	if !p.ExpiresAt.Equal(oldest.Add(newsWindow)) {
		t.Errorf("expires %v, want %v", p.ExpiresAt, oldest.Add(newsWindow))
	}
	if !slices.Contains(p.Deps, listTag("ru")) || !slices.Contains(p.Deps, svcTag("ru")) {
		t.Errorf("deps %v", p.Deps)
	}
	fa := f.buildWith(t, b, "/fa/news-sitemap.xml")
	var fus urlset
	decodeXML(t, fa, &fus)
	if len(fus.URLs) != 1 || fus.URLs[0].News.Language != "fa" || fus.URLs[0].News.Title != f.fa.Headline {
		t.Errorf("fa news sitemap: %s", fa.Body)
	}
}

// TestNoBase: without any absolute base there are no sitemaps, and feeds
// carry root-relative links.
func TestFeedsWithoutBase(t *testing.T) {
	f := newFixture(t)
	b, err := New(f.store, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{SitemapIndexPath, "/ru/sitemap-1.xml", "/ru/news-sitemap.xml"} {
		if got := f.buildWith(t, b, p); got.Status != 404 {
			t.Errorf("%s answers %d without a base", p, got.Status)
		}
	}
	for path, k := range planSet(t, b) {
		if k == KindSitemap || k == KindNewsSitemap || k == KindSitemapIndex {
			t.Errorf("the plan lists %s without a base", path)
		}
	}
	_, fd := feedOf(t, b, "/ru/feed.json", feed.JSONType)
	if !strings.HasPrefix(fd.Items[1].Link, "/ru/a/") {
		t.Errorf("link %q", fd.Items[1].Link)
	}
	if p, _ := b.Static("/robots.txt"); strings.Contains(string(p.Body), "Sitemap") {
		t.Errorf("robots.txt names a sitemap without a base")
	}
}
