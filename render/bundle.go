package render

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/i18n"
)

// Offline editions (ZIM for Kiwix, EPUB) carry a service's stories of a
// period as a few flat files that link only to each other: "index.html",
// "a123.html" (or .xhtml), "i45.jpg", "bundle.css". A body's links to the
// site become absolute, since the bundle holds no other page; pictures in a
// body are shown as their captions, as on the text-only edition, and each
// story carries one small rendition of its lead photo.

// MaxBundleStories bounds one bundle: a period that held more keeps the
// newest. A year of a busy service is about this many.
const MaxBundleStories = 5000

// bundleWidth is the lead photo's rendition in a bundle: small enough for a
// phone, a USB stick shared hand to hand and an e-reader.
const bundleWidth = 480

//go:embed static/bundle.css
var bundleCSS []byte

// ErrNoStories is a bundle's period without a published story.
var ErrNoStories = errors.New("nothing to put in a bundle")

// Bundle is what an offline edition of one service holds.
type Bundle struct {
	Service     *kolokol.Service
	Lang, Dir   string // the service's BCP 47 tag; "ltr" or "rtl"
	Brand       string
	Title       string // "BBC Persian · 24 Nov – 1 Dec 2026", in the service's language and calendar
	Period      string // the dates alone
	Description string // at most 80 characters
	Heading     string // the list's heading ("Latest stories")
	From, To    time.Time
	Origin      string // the site's canonical origin
	Stories     []BundleStory
	Images      []BundleImage
	Style       []byte
	// Index is the main page, a whole HTML document linking every story
	// (Stories[i].Name + ".html").
	Index []byte
}

// BundleStory is one story of a bundle.
type BundleStory struct {
	ID        int64
	Name      string // "a123": the file's name without its extension
	Headline  string
	Summary   string
	Published time.Time
	Canonical string // the story's address on the site
	// Body is the story as an HTML fragment (an <article>), its lead
	// photo named by its BundleImage.Name.
	Body string
	// Page is Body as a whole HTML document linking the stylesheet.
	Page []byte
	// Chapter is Body without its headline, for a book whose chapters
	// write their own (an EPUB's).
	Chapter string
}

// BundleImage is a picture a bundle carries: one rendition of a story's
// lead photo.
type BundleImage struct {
	Name    string // "i45.jpg"
	Key     string // its key in the media store
	MIME    string
	MediaID int64
}

// BundleStyle is the stylesheet's file name in a bundle.
const BundleStyle = "bundle.css"

// bundleStoryView is a story of a bundle: the article page's view of
// it, without the page around it.
type bundleStoryView struct {
	*articleView
	NoHeadline bool
	Lang       string
	Canonical  string
	L          *i18n.Catalog
}

type bundleDocView struct {
	Lang, Dir, Title, Style string
	Body                    template.HTML
}

type bundleIndexView struct {
	Title, Heading, Period string
	Items                  []bundleItem
	About                  string
	Origin                 string
}

type bundleItem struct {
	Href, Headline, Summary string
	Time                    timeView
}

// Bundle collects the published stories of service code whose
// publication time is in [from, to), newest first. A period without a
// story is an error that says so: an empty bundle helps no reader.
func (b *Builder) Bundle(ctx context.Context, code string, from, to time.Time) (*Bundle, error) {
	if b.opts.BaseURL == "" {
		return nil, fmt.Errorf("bundle of %s: the site's address (--base-url) is needed: a bundle's links to the site are absolute", code)
	}
	if !from.Before(to) {
		return nil, fmt.Errorf("bundle of %s: the period's start %s is not before its end %s", code, from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	svc, err := b.store.FindServiceByCode(ctx, code)
	if err != nil {
		return nil, fmt.Errorf("bundle of %s: %w", code, err)
	}
	c := i18n.For(svc.Tag)
	loc := b.location(svc)
	f := c.Formatter().In(loc).WithGregorian(svc.ShowGregorian)
	dir := string(kolokol.LTR)
	if svc.Direction == kolokol.RTL {
		dir = string(kolokol.RTL)
	}
	bu := &Bundle{Service: svc, Lang: svc.Tag, Dir: dir, Brand: svc.BrandOr(b.opts.SiteName), From: from, To: to,
		Origin: b.opts.BaseURL, Heading: c.T(i18n.LatestStories), Style: bundleCSS}
	last := to.Add(-time.Second)
	bu.Period = f.Date(from)
	if d := f.Date(last); d != bu.Period {
		bu.Period += " – " + d
	}
	bu.Title = bu.Brand + " · " + bu.Period
	bu.Description = ClipRunes(bu.Title, 80)

	// The list is newest first: page through it until the period's start
	// is passed.
	var ids []int64
	for offset := 0; len(ids) < MaxBundleStories; offset += kolokol.MaxArticleLimit {
		arts, err := b.store.FindArticles(ctx, kolokol.ArticleFilter{Service: code, Status: kolokol.StatusPublished,
			ByPublished: true, WithoutBody: true, Limit: kolokol.MaxArticleLimit, Offset: offset})
		if err != nil {
			return nil, fmt.Errorf("bundle of %s: list stories: %w", code, err)
		}
		done := len(arts) < kolokol.MaxArticleLimit
		for _, a := range arts {
			p := published(a)
			if p.Before(from) {
				done = true
				break
			}
			if p.Before(to) {
				ids = append(ids, a.ID)
			}
		}
		if done {
			break
		}
	}
	if len(ids) > MaxBundleStories {
		ids = ids[:MaxBundleStories]
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("bundle of %s: no story was published from %s to %s: %w",
			code, from.Format(time.RFC3339), to.Format(time.RFC3339), ErrNoStories)
	}
	seen := map[int64]bool{}
	idx := bundleIndexView{Title: bu.Title, Heading: bu.Heading, Period: bu.Period, About: svc.About, Origin: b.opts.BaseURL}
	for _, id := range ids {
		if seen[id] {
			continue // a story published while the list was paged
		}
		seen[id] = true
		a, err := b.store.FindArticleByID(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("bundle of %s: story %d: %w", code, id, err)
		}
		st, img, err := b.bundleStory(ctx, svc, c, f, loc, a)
		if err != nil {
			return nil, fmt.Errorf("bundle of %s: story %d: %w", code, id, err)
		}
		if img != nil && !slices.ContainsFunc(bu.Images, func(i BundleImage) bool { return i.Name == img.Name }) {
			bu.Images = append(bu.Images, *img)
		}
		if st.Page, err = b.bundleDoc(bu, st.Headline+" – "+bu.Brand, template.HTML(st.Body)); err != nil {
			return nil, err
		}
		bu.Stories = append(bu.Stories, *st)
		idx.Items = append(idx.Items, bundleItem{Href: st.Name + ".html", Headline: st.Headline, Summary: st.Summary,
			Time: formatTime(f, st.Published, loc)})
	}
	var body bytes.Buffer
	if err := b.tmpl.ExecuteTemplate(&body, "bundle-index", idx); err != nil {
		return nil, fmt.Errorf("bundle of %s: main page: %w", code, err)
	}
	if bu.Index, err = b.bundleDoc(bu, bu.Title, template.HTML(body.String())); err != nil {
		return nil, err
	}
	return bu, nil
}

// bundleStory is one story's fragment, and the lead photo it shows.
func (b *Builder) bundleStory(ctx context.Context, svc *kolokol.Service, c *i18n.Catalog, f *i18n.Formatter, loc *time.Location, a *kolokol.Article) (*BundleStory, *BundleImage, error) {
	pub := published(a)
	v := bundleStoryView{articleView: &articleView{Headline: a.Headline, Summary: a.Summary, Dateline: a.Dateline,
		Published: formatTime(f, pub, loc)}, Lang: svc.Tag, Canonical: b.absolute(a.Path()), L: c}
	if a.UpdatedAt.Sub(pub) >= time.Minute {
		t := formatTime(f, a.UpdatedAt, loc)
		v.Updated = &t
	}
	if len(a.Bylines) > 0 {
		v.Byline = message(c.T(i18n.By), listHTML(f, a.Bylines))
	}
	if len(a.Credits) > 0 {
		v.Credits = message(c.T(i18n.WithReportingBy), listHTML(f, a.Credits))
	}
	for _, cr := range a.Corrections {
		v.Corrections = append(v.Corrections, correctionView{Time: formatTime(f, cr.CreatedAt, loc), Text: cr.Text})
	}
	v.CorrHeading = c.T(i18n.Correction)
	if len(a.Corrections) > 1 {
		v.CorrHeading = c.T(i18n.Corrections)
	}
	// The text-only edition's blocks: captions for pictures, a text card
	// for posts; nothing in the body refers to a file the bundle lacks.
	// Root-relative links lead to the site.
	env := &blockEnv{l: c, f: f, lite: true}
	body, err := b.md.render(a.Body, b.opts.BaseURL+"/", env)
	if err != nil {
		return nil, nil, fmt.Errorf("body: %w", err)
	}
	v.Body = body
	var img *BundleImage
	if a.LeadImage != nil {
		m, err := b.store.FindMediaByID(ctx, a.LeadImage.MediaID)
		if err != nil && !kolokol.IsNotFound(err) {
			return nil, nil, fmt.Errorf("lead photo %d: %w", a.LeadImage.MediaID, err)
		}
		if m != nil {
			if r, ok := m.Pick(kolokol.Ratio16x9, kolokol.FormatJPEG, bundleWidth); ok {
				img = &BundleImage{Name: "i" + strconv.FormatInt(m.ID, 10) + ".jpg", Key: strings.TrimPrefix(r.Path(), "/media/"),
					MIME: "image/jpeg", MediaID: m.ID}
				v.Image = &imageView{Src: img.Name, Alt: a.LeadImage.Alt, Caption: a.LeadImage.Caption, Credit: a.LeadImage.Credit,
					Width: r.Width, Height: r.Height}
			}
		}
	}
	var out, chapter bytes.Buffer
	if err := b.tmpl.ExecuteTemplate(&out, "bundle-story", v); err != nil {
		return nil, nil, fmt.Errorf("render: %w", err)
	}
	v.NoHeadline = true
	if err := b.tmpl.ExecuteTemplate(&chapter, "bundle-story", v); err != nil {
		return nil, nil, fmt.Errorf("render: %w", err)
	}
	return &BundleStory{ID: a.ID, Name: "a" + strconv.FormatInt(a.ID, 10), Headline: a.Headline, Summary: a.Summary,
		Published: pub, Canonical: v.Canonical, Body: out.String(), Chapter: chapter.String()}, img, nil
}

// bundleDoc wraps a fragment in a whole document of the bundle.
func (b *Builder) bundleDoc(bu *Bundle, title string, body template.HTML) ([]byte, error) {
	var out bytes.Buffer
	err := b.tmpl.ExecuteTemplate(&out, "bundle-doc", bundleDocView{Lang: bu.Lang, Dir: bu.Dir, Title: title, Style: BundleStyle, Body: body})
	if err != nil {
		return nil, fmt.Errorf("bundle of %s: page %q: %w", bu.Service.Code, title, err)
	}
	return out.Bytes(), nil
}

// ClipRunes cuts s to at most n characters, at a space when there is one
// in its second half, ending it with "…": for limits counted in
// characters, such as Kiwix's on a title and a description.
func ClipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n-1])
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimSpace(cut) + "…"
}
