package desk

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/kolokol/kolokol"
)

// Two people editing one story: the second save was made from an older
// version than the stored one. It is merged field by field against the
// version the editor started from (the base): a field the editor left as
// it was takes the colleague's value, a field only the editor changed takes
// theirs, and only a field both changed, differently, is a conflict for the
// editor to decide. Nothing is ever overwritten unseen.

// Conflict is the error of an edit that collides with a colleague's in
// some fields.
type Conflict struct {
	// Fields are the fields both changed, by form name (headline, body,
	// lead_image, ...), in the form's order.
	Fields []string
	// Theirs is the story as stored now.
	Theirs *kolokol.Article
	// Merged is the edit rebased on Theirs: their changes kept where the
	// editor had none, the editor's applied where only they changed. Its
	// conflicting fields hold the editor's values; saving it (it carries
	// their version) is the choice to keep the editor's.
	Merged ArticlePatch
	// Kept names the fields only the colleague changed, kept in Merged.
	Kept []string
}

func (c *Conflict) Error() string { return c.Unwrap().Error() }

func (c *Conflict) Unwrap() error {
	return kolokol.FieldErrorf(kolokol.ECONFLICT, "version", "%s changed %s too since you opened the story (it is at version %d); choose which to keep",
		orSomeone(c.Theirs.EditedBy), strings.Join(c.Fields, ", "), c.Theirs.Version)
}

func orSomeone(name string) string {
	if name == "" {
		return "someone"
	}
	return name
}

// EditResult is a stored edit. Kept names the fields where a colleague's
// change, made since the editor opened the story, was kept.
type EditResult struct {
	Article *kolokol.Article
	Kept    []string
}

// mergeField is one field of the editor's form: how to read it from a
// story and from a patch.
type mergeField struct {
	name  string
	get   func(*kolokol.Article) any
	inP   func(*ArticlePatch) bool
	clear func(*ArticlePatch)
}

var mergeFields = []mergeField{
	{"headline", func(a *kolokol.Article) any { return a.Headline }, func(p *ArticlePatch) bool { return p.Headline != nil }, func(p *ArticlePatch) { p.Headline = nil }},
	{"summary", func(a *kolokol.Article) any { return a.Summary }, func(p *ArticlePatch) bool { return p.Summary != nil }, func(p *ArticlePatch) { p.Summary = nil }},
	{"body", func(a *kolokol.Article) any { return a.Body }, func(p *ArticlePatch) bool { return p.Body != nil }, func(p *ArticlePatch) { p.Body = nil }},
	{"section", func(a *kolokol.Article) any { return a.Section }, func(p *ArticlePatch) bool { return p.Section != nil }, func(p *ArticlePatch) { p.Section = nil }},
	{"bylines", func(a *kolokol.Article) any { return a.Bylines }, func(p *ArticlePatch) bool { return p.Bylines != nil }, func(p *ArticlePatch) { p.Bylines = nil }},
	{"dateline", func(a *kolokol.Article) any { return a.Dateline }, func(p *ArticlePatch) bool { return p.Dateline != nil }, func(p *ArticlePatch) { p.Dateline = nil }},
	{"tags", func(a *kolokol.Article) any { return a.Tags }, func(p *ArticlePatch) bool { return p.Tags != nil }, func(p *ArticlePatch) { p.Tags = nil }},
	{"credits", func(a *kolokol.Article) any { return a.Credits }, func(p *ArticlePatch) bool { return p.Credits != nil }, func(p *ArticlePatch) { p.Credits = nil }},
	{"translation_group", func(a *kolokol.Article) any { return a.TranslationGroup }, func(p *ArticlePatch) bool { return p.TranslationGroup != nil }, func(p *ArticlePatch) { p.TranslationGroup = nil }},
	{"slug", func(a *kolokol.Article) any { return a.CustomSlug }, func(p *ArticlePatch) bool { return p.Slug != nil }, func(p *ArticlePatch) { p.Slug = nil }},
	{"seo_title", func(a *kolokol.Article) any { return a.SEOTitle }, func(p *ArticlePatch) bool { return p.SEOTitle != nil }, func(p *ArticlePatch) { p.SEOTitle = nil }},
	{"social_title", func(a *kolokol.Article) any { return a.SocialTitle }, func(p *ArticlePatch) bool { return p.SocialTitle != nil }, func(p *ArticlePatch) { p.SocialTitle = nil }},
	{"social_description", func(a *kolokol.Article) any { return a.SocialDescription }, func(p *ArticlePatch) bool { return p.SocialDescription != nil }, func(p *ArticlePatch) { p.SocialDescription = nil }},
	{"lead_image", func(a *kolokol.Article) any {
		if a.LeadImage == nil {
			return kolokol.LeadImage{}
		}
		return *a.LeadImage
	}, func(p *ArticlePatch) bool { return p.LeadImage != nil }, func(p *ArticlePatch) { p.LeadImage = nil }},
}

// Apply sets the patch's fields on a.
func (p ArticlePatch) Apply(a *kolokol.Article) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	list := func(dst *[]string, src *[]string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&a.Section, p.Section)
	set(&a.Headline, p.Headline)
	set(&a.Summary, p.Summary)
	set(&a.Body, p.Body)
	set(&a.Dateline, p.Dateline)
	set(&a.TranslationGroup, p.TranslationGroup)
	set(&a.CustomSlug, p.Slug)
	set(&a.SEOTitle, p.SEOTitle)
	set(&a.SocialTitle, p.SocialTitle)
	set(&a.SocialDescription, p.SocialDescription)
	list(&a.Bylines, p.Bylines)
	list(&a.Tags, p.Tags)
	list(&a.Credits, p.Credits)
	if p.LeadImage != nil {
		a.LeadImage = *p.LeadImage
	}
}

// articleAt is the story's editable text as a revision recorded it.
func articleAt(r *kolokol.Revision, service string) *kolokol.Article {
	a := &kolokol.Article{ID: r.ArticleID, Service: service, Version: r.Version, Status: r.Status, Section: r.Section,
		Headline: r.Headline, Summary: r.Summary, Body: r.Body, Dateline: r.Dateline, Bylines: r.Bylines, Tags: r.Tags,
		Credits: r.Credits, TranslationGroup: r.TranslationGroup, EditedBy: r.Actor,
		CustomSlug: r.CustomSlug, SEOTitle: r.SEOTitle, SocialTitle: r.SocialTitle, SocialDescription: r.SocialDescription}
	if r.LeadImage != nil {
		li := *r.LeadImage
		a.LeadImage = &li
	}
	return a
}

// rebase merges patch p, made from base, onto theirs. It returns the patch
// to apply to theirs, the fields where their change was kept, and the
// fields both changed differently.
func rebase(base, theirs *kolokol.Article, p ArticlePatch) (merged ArticlePatch, kept, conflicts []string) {
	mine := *base
	if base.LeadImage != nil {
		li := *base.LeadImage
		mine.LeadImage = &li
	}
	p.Apply(&mine)
	mine.Normalize() // the form's text as it would be stored
	merged = p
	merged.Version = theirs.Version
	for _, f := range mergeFields {
		b, t := f.get(base), f.get(theirs)
		theyChanged := !reflect.DeepEqual(t, b)
		if !f.inP(&p) {
			continue
		}
		m := f.get(&mine)
		switch {
		case reflect.DeepEqual(m, b):
			f.clear(&merged) // the editor left it: theirs stands
			if theyChanged {
				kept = append(kept, f.name)
			}
		case !theyChanged, reflect.DeepEqual(m, t):
		default:
			conflicts = append(conflicts, f.name)
		}
	}
	return merged, kept, conflicts
}

// baseOf finds the revision an edit started from.
func (d *Desk) baseOf(ctx context.Context, a *kolokol.Article, version int) (*kolokol.Article, error) {
	revs, err := d.store.FindRevisions(ctx, a.ID)
	if err != nil {
		return nil, fmt.Errorf("history of article %d: %w", a.ID, err)
	}
	// Newest first. A version without a revision of its own (a correction
	// bumps the version, not the text) has the text of the one before it.
	for _, r := range revs {
		if r.Version <= version {
			return articleAt(r, a.Service), nil
		}
	}
	return nil, kolokol.FieldErrorf(kolokol.EINVALID, "version", "article %d has no version %d to start an edit from", a.ID, version)
}
