package kolokol

import "time"

// Revision is the editable text of an article as one save left it. The
// store records one, in the same transaction, every time an article is
// created or updated, so the history has every version and nothing else.
type Revision struct {
	ID        int64
	ArticleID int64
	Version   int    // the article version this is
	Actor     string // who saved it (Article.EditedBy)
	CreatedAt time.Time
	Status    Status
	Section   string
	Headline  string
	Summary   string
	Body      string
	Dateline  string
	Bylines   []string
	Tags      []string
	Credits   []string
	LeadImage *LeadImage
	// TranslationGroup is recorded since schema version 13; earlier
	// revisions carry the group the story had at that upgrade.
	TranslationGroup string
	// CustomSlug, SEOTitle, SocialTitle and SocialDescription are
	// recorded since schema version 27; earlier revisions have them empty.
	CustomSlug        string
	SEOTitle          string
	SocialTitle       string
	SocialDescription string
}

// RevisionOf is the revision an article's current state makes.
func RevisionOf(a *Article) *Revision {
	r := &Revision{ArticleID: a.ID, Version: a.Version, Actor: a.EditedBy, Status: a.Status, Section: a.Section,
		Headline: a.Headline, Summary: a.Summary, Body: a.Body, Dateline: a.Dateline,
		Bylines: a.Bylines, Tags: a.Tags, Credits: a.Credits, TranslationGroup: a.TranslationGroup,
		CustomSlug: a.CustomSlug, SEOTitle: a.SEOTitle, SocialTitle: a.SocialTitle, SocialDescription: a.SocialDescription}
	if a.LeadImage != nil {
		li := *a.LeadImage
		r.LeadImage = &li
	}
	return r
}
