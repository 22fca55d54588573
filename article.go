package kolokol

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where an article stands in the workflow.
type Status string

const (
	StatusDraft       Status = "draft"
	StatusScheduled   Status = "scheduled"
	StatusPublished   Status = "published"
	StatusUnpublished Status = "unpublished"
)

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusDraft, StatusScheduled, StatusPublished, StatusUnpublished:
		return true
	}
	return false
}

// Limits on article fields; they keep one story well under the API body limit.
const (
	MaxHeadline = 300
	MaxSummary  = 1000
	MaxBody     = 200000
	MaxListItem = 200
	MaxListLen  = 30
	// The titles and description for search engines and social cards are
	// limited well above what those show (see the Hint constants), so
	// that an editor is guided, not cut off.
	MaxSEOTitle          = 200
	MaxSocialTitle       = 200
	MaxSocialDescription = 500
)

// What search engines and social networks show of the titles and
// description before they cut them: the newsroom's length guidance.
const (
	HintSEOTitle          = 60
	HintSocialTitle       = 70
	HintSocialDescription = 160
)

// LeadImage is the photo at the top of a story. Alt describes the picture for
// someone who cannot see it; Caption says who, where and when; Credit names
// the photographer or agency.
type LeadImage struct {
	MediaID int64
	Alt     string
	Caption string
	Credit  string
}

// Correction is a dated note appended to a published story. It is never
// edited away.
type Correction struct {
	ID        int64
	ArticleID int64
	Text      string
	CreatedAt time.Time
}

// Article is a story of one language service.
type Article struct {
	ID      int64
	Service string
	Section string // section slug; "" when the story has none
	Slug    string
	// CustomSlug is the slug the editor typed; "" makes the slug follow
	// the headline. Either way an old address redirects to the current
	// one (the id decides the story).
	CustomSlug string
	Headline   string
	Summary    string
	Body       string // Markdown
	Bylines    []string
	Dateline   string // place the story was filed from
	LeadImage  *LeadImage
	Credits    []string // wire agencies whose copy was used
	Tags       []string
	// TranslationGroup links the versions of one story across services:
	// every article with the same non-empty group is the same story in
	// another language.
	TranslationGroup string
	// SEOTitle is the title for search engines (the page's <title>);
	// SocialTitle and SocialDescription are what a shared link's card
	// shows. Each is optional: "" uses the headline or the summary.
	SEOTitle          string
	SocialTitle       string
	SocialDescription string
	Corrections       []Correction
	Status            Status
	CreatedAt         time.Time
	UpdatedAt         time.Time
	PublishedAt       time.Time // zero until first published
	ScheduledAt       time.Time // zero unless scheduled
	Version           int       // optimistic lock: each stored update increments it
	// CreatedBy names who created the story (an account's email, a token's
	// name, a wire feed): the "author" the newsroom filters by.
	CreatedBy string
	// SubmittedAt is when a reporter handed the draft to the editors for
	// review; zero while it is still being written.
	SubmittedAt time.Time
	// EditedBy names who makes the save in hand (an account's email, a
	// token's name); the store records it in the revision it writes.
	EditedBy string
}

// ArticlePath is an article's stable reader URL path. The id makes it stable;
// the slug is for people and may change with the headline.
func ArticlePath(service string, id int64, slug string) string {
	return "/" + service + "/a/" + strconv.FormatInt(id, 10) + "-" + url.PathEscape(slug) + "/"
}

// Path returns the article's reader URL path.
func (a *Article) Path() string { return ArticlePath(a.Service, a.ID, a.Slug) }

// IsLive reports whether readers can see the article.
func (a *Article) IsLive() bool { return a.Status == StatusPublished }

// Approved reports whether an editor has passed the article for readers:
// it is live, or scheduled to go live. Only those who may publish change
// an approved story, or a reporter's edit would reach readers unreviewed.
func (a *Article) Approved() bool { return a.Status == StatusPublished || a.Status == StatusScheduled }

// Normalize trims fields, drops empty list entries and sets the slug: the
// editor's own (CustomSlug, made a URL segment) or one derived from the
// headline. Call it before Validate.
func (a *Article) Normalize() {
	a.Headline = strings.TrimSpace(a.Headline)
	a.Summary = strings.TrimSpace(a.Summary)
	a.Dateline = strings.TrimSpace(a.Dateline)
	a.Section = strings.TrimSpace(a.Section)
	a.TranslationGroup = strings.TrimSpace(a.TranslationGroup)
	a.Bylines = cleanList(a.Bylines)
	a.Credits = cleanList(a.Credits)
	a.Tags = cleanTags(a.Tags)
	if a.LeadImage != nil {
		a.LeadImage.Alt = strings.TrimSpace(a.LeadImage.Alt)
		a.LeadImage.Caption = strings.TrimSpace(a.LeadImage.Caption)
		a.LeadImage.Credit = strings.TrimSpace(a.LeadImage.Credit)
	}
	a.SEOTitle = strings.TrimSpace(a.SEOTitle)
	a.SocialTitle = strings.TrimSpace(a.SocialTitle)
	a.SocialDescription = strings.TrimSpace(a.SocialDescription)
	a.Slug = Slugify(a.Headline)
	if custom := strings.TrimSpace(a.CustomSlug); custom != "" {
		// Uncut, so that Validate can refuse a slug over the limit rather
		// than store one the editor did not type. One with no letter or
		// digit stays as typed for Validate to refuse.
		if s := slugify(custom, 4*maxSlugRunes); s != "" {
			custom = s
		}
		a.CustomSlug = custom
		a.Slug = custom
	} else {
		a.CustomSlug = ""
	}
}

// UseLatinSlug gives a story of a service with Latin addresses its slug in
// Latin letters, romanized by the system of the language of tag, unless the
// editor typed one (Romanize). Call it after Normalize.
func (a *Article) UseLatinSlug(tag string) {
	if a.CustomSlug == "" {
		a.Slug = LatinSlug(tag, a.Headline)
	}
}

func cleanList(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

// cleanTags is cleanList, keeping the first of several spellings of one
// tag (TagKey): one story is listed on a tag's page once, and names it once.
func cleanTags(in []string) []string {
	var out []string
	keys := map[string]bool{}
	for _, s := range cleanList(in) {
		k := TagKey(s)
		if k != "" && keys[k] {
			continue
		}
		keys[k] = true
		out = append(out, s)
	}
	return out
}

// Validate checks an article before it is stored.
func (a *Article) Validate() error {
	if !ValidServiceCode(a.Service) {
		return FieldErrorf(EINVALID, "service", "invalid service code %q", a.Service)
	}
	if a.Headline == "" {
		return FieldErrorf(EINVALID, "headline", "headline is required")
	}
	if a.CustomSlug != "" {
		if s := slugify(a.CustomSlug, 4*maxSlugRunes); s != a.CustomSlug {
			return FieldErrorf(EINVALID, "slug", "slug %q has no letter or digit; leave it empty to make it from the headline", a.CustomSlug)
		}
		if n := utf8.RuneCountInString(a.CustomSlug); n > maxSlugRunes {
			return FieldErrorf(EINVALID, "slug", "slug is %d characters long; the limit is %d", n, maxSlugRunes)
		}
		if a.Slug != a.CustomSlug {
			return FieldErrorf(EINVALID, "slug", "slug %q is not the story's own slug %q", a.Slug, a.CustomSlug)
		}
	}
	if a.Slug == "" || a.Slug != Slugify(a.Slug) {
		return FieldErrorf(EINVALID, "slug", "slug %q is not a valid URL segment", a.Slug)
	}
	if a.Status == StatusScheduled && a.ScheduledAt.IsZero() {
		return FieldErrorf(EINVALID, "scheduled_at", "a scheduled story needs a publication time")
	}
	if a.Status == StatusPublished && a.PublishedAt.IsZero() {
		return FieldErrorf(EINVALID, "published_at", "a published story needs its publication time")
	}
	if !a.Status.Valid() {
		return FieldErrorf(EINVALID, "status", "unknown status %q", a.Status)
	}
	if a.Section != "" && (!sectionSlugRE.MatchString(a.Section) || len(a.Section) > 40) {
		return FieldErrorf(EINVALID, "section", "invalid section slug %q", a.Section)
	}
	for _, f := range []struct {
		name, v string
		max     int
		check   func(field, v string, max int) error
	}{
		{"headline", a.Headline, MaxHeadline, checkLine},
		{"summary", a.Summary, MaxSummary, checkText}, // paragraphs: see checkLine
		{"body", a.Body, MaxBody, checkText},
		{"dateline", a.Dateline, MaxListItem, checkLine},
	} {
		if err := f.check(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	// A block that is not right would vanish from the page without a
	// word: the save is refused with what is wrong instead.
	if _, err := ParseBlocks(a.Body); err != nil {
		return err
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{
		{"seo_title", a.SEOTitle, MaxSEOTitle},
		{"social_title", a.SocialTitle, MaxSocialTitle},
		{"social_description", a.SocialDescription, MaxSocialDescription},
	} {
		if err := checkLine(f.name, f.v, f.max); err != nil {
			return err
		}
		if strings.ContainsAny(f.v, "\r\n\t\u2028\u2029") {
			return FieldErrorf(EINVALID, f.name, "%s must be a single line", f.name)
		}
	}
	if a.TranslationGroup != "" {
		if err := CheckTranslationGroup(a.TranslationGroup); err != nil {
			return err
		}
	}
	if strings.ContainsAny(a.Headline, "\r\n") {
		return FieldErrorf(EINVALID, "headline", "headline must be a single line")
	}
	for _, l := range []struct {
		name string
		list []string
	}{{"bylines", a.Bylines}, {"credits", a.Credits}, {"tags", a.Tags}} {
		name, list := l.name, l.list
		if len(list) > MaxListLen {
			return FieldErrorf(EINVALID, name, "%s has %d entries; the limit is %d", name, len(list), MaxListLen)
		}
		for i, v := range list {
			if err := checkLine(fmt.Sprintf("%s[%d]", name, i), v, MaxListItem); err != nil {
				return err
			}
		}
	}
	if li := a.LeadImage; li != nil {
		if li.MediaID <= 0 {
			return FieldErrorf(EINVALID, "lead_image.media_id", "lead image needs a media_id")
		}
		if li.Alt == "" {
			return FieldErrorf(EINVALID, "lead_image.alt", "lead image needs alt text describing the picture")
		}
		for _, f := range [][2]string{{"lead_image.alt", li.Alt}, {"lead_image.caption", li.Caption}, {"lead_image.credit", li.Credit}} {
			if err := checkLine(f[0], f[1], MaxSummary); err != nil {
				return err
			}
		}
	}
	return nil
}

// Validate checks a correction note.
func (c *Correction) Validate() error {
	if strings.TrimSpace(c.Text) == "" {
		return FieldErrorf(EINVALID, "text", "correction text is required")
	}
	return checkText("text", c.Text, MaxSummary)
}

var translationGroupRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// CheckTranslationGroup refuses a translation group name that is not 1-64
// ASCII letters, digits, '-' or '_'.
func CheckTranslationGroup(g string) error {
	if !translationGroupRE.MatchString(g) {
		return FieldErrorf(EINVALID, "translation_group", "translation group must be 1-64 ASCII letters, digits, '-' or '_', got %q", g)
	}
	return nil
}

// ArticleFilter selects articles. Zero fields do not filter.
type ArticleFilter struct {
	Service string
	// Services, when not empty, keeps the articles of any of these
	// services (a dashboard over all of an editor's desks).
	Services []string
	Section  string
	// Tag keeps the stories carrying a tag of that key (TagKey): any
	// spelling of the tag finds them all.
	Tag              string
	Status           Status
	TranslationGroup string
	// LeadMediaID keeps articles whose lead image is that media.
	LeadMediaID int64
	// ShowsMediaID keeps articles whose pages show that media: as their
	// lead image or in a block of their body (BodyMedia).
	ShowsMediaID int64
	// ScheduledBy keeps articles scheduled for that time or earlier: the
	// ones the scheduler must publish.
	ScheduledBy time.Time
	// Query keeps articles whose headline contains it, ignoring case.
	Query string
	// CreatedBy keeps the articles that account (or token, or feed)
	// created: exactly, unlike Author.
	CreatedBy string
	// Author keeps articles created by that account or with a byline
	// containing it, ignoring case.
	Author string
	// Submitted keeps drafts handed in for review.
	Submitted bool
	// ByPublished orders by publication time, newest first (reader lists),
	// stories never published last;
	// otherwise the order is by id, newest first (API lists).
	ByPublished bool
	// Order, when set, orders by when the story was last changed:
	// OrderChanged newest first, OrderOldest oldest first. It wins over
	// ByPublished.
	Order ArticleOrder
	// Before, when set, keeps articles with an id below it (API cursor).
	Before int64
	// TranslationGroups, when not empty, keeps the articles of any of
	// these translation groups (at most MaxArticleLimit of them): a
	// sitemap finds the other versions of all its stories at once.
	TranslationGroups []string
	// IDs, when not empty, keeps the articles with these ids (at most
	// MaxArticleLimit of them): an export fetches the stories of a batch
	// of pages at once.
	IDs []int64
	// WithCorrections has FindArticles return each article's corrections,
	// oldest first, as FindArticleByID does.
	WithCorrections bool
	// WithoutBody leaves each article's Body empty: for lists, which show
	// none, and read far less.
	WithoutBody bool
	Offset      int
	// Limit is the page size: 50 when zero, at most MaxArticleLimit.
	Limit int
}

// ArticleOrder is an order of FindArticles other than by id.
type ArticleOrder string

// Orders of FindArticles.
const (
	OrderChanged ArticleOrder = "changed"
	OrderOldest  ArticleOrder = "oldest"
)

// MaxArticleLimit is the most articles one FindArticles returns.
const MaxArticleLimit = 500
