// Package desk holds the newsroom's operations: what an editor, a reporter or
// a script may do to stories, banners and media. It authorizes, validates,
// writes through the Store and tells listeners what changed, so every way
// into the newsroom (Admin API, newsroom UI, wire ingest) behaves the same.
package desk

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/oembed"
)

// Committed is told that an operation stored changes (its change records
// are in the store's change log). It runs before the operation returns, so
// a caller that sees success knows that the process's caches have caught up.
type Committed func(ctx context.Context)

// Desk performs newsroom operations.
type Desk struct {
	store     kolokol.Store
	blobs     kolokol.BlobStore
	images    media.Imager
	log       *slog.Logger
	now       func() time.Time
	committed []Committed
	notified  []Notified
	audit     *auditor
	guard     *guard
	idle      time.Duration // sessions end after this long unused
	secrets   kolokol.MirrorSecrets
	embeds    *oembed.Client // nil: cards are written by hand
}

// New returns a Desk. images makes the master and renditions of every
// upload (in this process or a child); one Imager bounds the work of all
// uploads at once, so build it once. now may be nil (time.Now).
func New(store kolokol.Store, blobs kolokol.BlobStore, images media.Imager, now func() time.Time) *Desk {
	if now == nil {
		now = time.Now
	}
	d := &Desk{store: store, blobs: blobs, images: images, now: now, audit: newAuditor(store, now), idle: IdleTimeout}
	d.guard = newGuard(store, d.logger)
	return d
}

// OnCommit registers what to tell after every stored change (the change
// log's hub). Call it while wiring, before serving.
func (d *Desk) OnCommit(f Committed) { d.committed = append(d.committed, f) }

func (d *Desk) changed(ctx context.Context) {
	for _, f := range d.committed {
		f(ctx)
	}
}

func canTouch(actor kolokol.Actor, service string) error {
	if !actor.CanTouch(service) {
		return kolokol.FieldErrorf(kolokol.EFORBIDDEN, "service", "%s may not work on service %q", actor.Name, service)
	}
	return nil
}

func canPublish(actor kolokol.Actor, service string) error {
	if err := canTouch(actor, service); err != nil {
		return err
	}
	if !actor.CanPublish(service) {
		return kolokol.Errorf(kolokol.EFORBIDDEN, "a %s on %s cannot publish, unpublish, correct or set breaking news there", actor.RoleOn(service), service)
	}
	return nil
}

// ArticleInput is a new story.
type ArticleInput struct {
	Service   string
	Section   string
	Headline  string
	Summary   string
	Body      string
	Bylines   []string
	Dateline  string
	Tags      []string
	Credits   []string
	LeadImage *kolokol.LeadImage
	// TranslationGroup links the story to its versions in other services.
	TranslationGroup string
	// Slug is the address the editor typed; "" makes it from the headline.
	Slug string
	// SEOTitle, SocialTitle and SocialDescription: see kolokol.Article.
	SEOTitle          string
	SocialTitle       string
	SocialDescription string
}

// CreateArticle stores a new draft.
func (d *Desk) CreateArticle(ctx context.Context, actor kolokol.Actor, in ArticleInput) (a *kolokol.Article, err error) {
	defer func() { d.record(ctx, actor, "article.create", in.Service, idOf(a), "", err) }()
	if err := canTouch(actor, in.Service); err != nil {
		return nil, err
	}
	a = &kolokol.Article{
		Service: in.Service, Section: in.Section, Headline: in.Headline, Summary: in.Summary,
		Body: in.Body, Bylines: in.Bylines, Dateline: in.Dateline, Tags: in.Tags,
		Credits: in.Credits, LeadImage: in.LeadImage, Status: kolokol.StatusDraft,
		TranslationGroup: in.TranslationGroup, EditedBy: actor.Name, CreatedBy: actor.Name,
		CustomSlug: in.Slug, SEOTitle: in.SEOTitle, SocialTitle: in.SocialTitle, SocialDescription: in.SocialDescription,
	}
	if err := d.normalize(ctx, a); err != nil {
		return nil, err
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if err := d.checkLeadImage(ctx, actor, "article.create", a); err != nil {
		return nil, err
	}
	if err := d.checkBodyMedia(ctx, actor, "article.create", a); err != nil {
		return nil, err
	}
	if err := d.store.CreateArticle(ctx, a); err != nil {
		return nil, fmt.Errorf("create article: %w", err)
	}
	d.changed(ctx)
	return a, nil
}

// Article returns one story the actor may see.
func (d *Desk) Article(ctx context.Context, actor kolokol.Actor, id int64) (*kolokol.Article, error) {
	a, err := d.store.FindArticleByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.CanTouch(a.Service) {
		// Hide stories of other services as if they did not exist.
		return nil, hidden(fmt.Sprintf("story of service %s", a.Service), "article %d not found", id)
	}
	return a, nil
}

// canEdit reports whether actor may change a story's text. A story an
// editor approved (published, or scheduled to be) is for those who may
// publish: a reporter's edit would reach readers unreviewed.
func canEdit(actor kolokol.Actor, a *kolokol.Article) error {
	if err := canTouch(actor, a.Service); err != nil {
		return err
	}
	if a.Approved() && !actor.CanPublish(a.Service) {
		return kolokol.Errorf(kolokol.EFORBIDDEN, "a %s on %s cannot edit a %s story; an editor approved it as it is", actor.RoleOn(a.Service), a.Service, a.Status)
	}
	return nil
}

// CanEdit tells the newsroom, before anyone types, whether actor may change
// the story (nil) or why not.
func CanEdit(actor kolokol.Actor, a *kolokol.Article) error { return canEdit(actor, a) }

// Articles lists stories of a service the actor may see.
func (d *Desk) Articles(ctx context.Context, actor kolokol.Actor, f kolokol.ArticleFilter) ([]*kolokol.Article, error) {
	if err := checkListing(actor, &f); err != nil {
		return nil, err
	}
	return d.store.FindArticles(ctx, f)
}

// CountArticles counts the stories Articles would list, all pages.
func (d *Desk) CountArticles(ctx context.Context, actor kolokol.Actor, f kolokol.ArticleFilter) (int, error) {
	if err := checkListing(actor, &f); err != nil {
		return 0, err
	}
	return d.store.CountArticles(ctx, f)
}

// checkListing refuses a list of stories of a service the actor may not
// work on, or of an unknown status.
func checkListing(actor kolokol.Actor, f *kolokol.ArticleFilter) error {
	if f.Service == "" && len(f.Services) == 0 && !actor.CanTouch("") {
		if len(actor.Services) != 1 {
			return kolokol.FieldErrorf(kolokol.EINVALID, "service", "name the service to list")
		}
		f.Service = actor.Services[0]
	}
	for _, s := range append([]string{f.Service}, f.Services...) {
		if s != "" {
			if err := canTouch(actor, s); err != nil {
				return err
			}
		}
	}
	if f.Status != "" && !f.Status.Valid() {
		return kolokol.FieldErrorf(kolokol.EINVALID, "status", "unknown status %q", f.Status)
	}
	return nil
}

// ArticlePatch changes some fields of a story; nil fields stay as they are.
// Version must be the version the editor started from.
type ArticlePatch struct {
	Version   int
	Section   *string
	Headline  *string
	Summary   *string
	Body      *string
	Bylines   *[]string
	Dateline  *string
	Tags      *[]string
	Credits   *[]string
	LeadImage **kolokol.LeadImage // non-nil pointer to nil removes the image
	// TranslationGroup: a pointer to "" takes the story out of its group.
	TranslationGroup *string
	// Slug: a pointer to "" makes the slug follow the headline again.
	Slug              *string
	SEOTitle          *string
	SocialTitle       *string
	SocialDescription *string
}

// UpdateArticle applies a patch. A story an editor approved can only be
// edited by someone who may publish (see canEdit). A patch made from an
// older version is merged with what changed since (see Edit).
func (d *Desk) UpdateArticle(ctx context.Context, actor kolokol.Actor, id int64, p ArticlePatch) (*kolokol.Article, error) {
	r, err := d.edit(ctx, actor, id, p)
	if err != nil {
		return nil, err
	}
	return r.Article, nil
}

// Edit applies a patch made from version p.Version. When someone saved in
// between, the patch is merged field by field with their change (see
// rebase): a *Conflict names the fields both changed differently, and
// nothing is stored.
func (d *Desk) Edit(ctx context.Context, actor kolokol.Actor, id int64, p ArticlePatch) (*EditResult, error) {
	return d.edit(ctx, actor, id, p)
}

// edit is Edit; kept are media the story may show whether or not the actor
// may see them (see checkLeadImage).
func (d *Desk) edit(ctx context.Context, actor kolokol.Actor, id int64, p ArticlePatch, kept ...int64) (res *EditResult, err error) {
	return d.editAs(ctx, actor, "article.update", "", id, p, kept...)
}

// editAs is edit, audited as action with detail: a restore is an edit that
// the history and the audit log must tell apart from one typed.
func (d *Desk) editAs(ctx context.Context, actor kolokol.Actor, action, detail string, id int64, p ArticlePatch, kept ...int64) (res *EditResult, err error) {
	var a *kolokol.Article
	defer func() { d.record(ctx, actor, action, serviceOf(a), id, detail, err) }()
	a, err = d.Article(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := canEdit(actor, a); err != nil {
		return nil, err
	}
	kept = append(kept, shownMedia(a)...)
	if p.Version <= 0 {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "version", "version is required to edit a story")
	}
	res = &EditResult{Article: a}
	if p.Version != a.Version {
		if p.Version > a.Version {
			return nil, kolokol.FieldErrorf(kolokol.ECONFLICT, "version", "article %d is at version %d; there is no version %d yet", id, a.Version, p.Version)
		}
		base, err := d.baseOf(ctx, a, p.Version)
		if err != nil {
			return nil, err
		}
		merged, kept, conflicts := rebase(base, a, p)
		if len(conflicts) > 0 {
			return nil, &Conflict{Fields: conflicts, Theirs: a, Merged: merged, Kept: kept}
		}
		p, res.Kept = merged, kept
	}
	before := *a
	p.Apply(a)
	if err := d.normalize(ctx, a); err != nil {
		return nil, err
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if sameText(&before, a) {
		return res, nil // nothing to save: the history records changes, not clicks
	}
	if err := d.checkLeadImage(ctx, actor, action, a, kept...); err != nil {
		return nil, err
	}
	if err := d.checkBodyMedia(ctx, actor, action, a, kept...); err != nil {
		return nil, err
	}
	return res, d.saveGroup(ctx, actor, a, p.TranslationGroup != nil)
}

// normalize is Article.Normalize, with the Latin slug of a service with
// Latin addresses.
func (d *Desk) normalize(ctx context.Context, a *kolokol.Article) error {
	a.Normalize()
	if a.CustomSlug != "" || !kolokol.ValidServiceCode(a.Service) {
		return nil // Validate names a bad service
	}
	svc, err := d.store.FindServiceByCode(ctx, a.Service)
	if kolokol.IsNotFound(err) {
		return nil // the store names it
	} else if err != nil {
		return fmt.Errorf("find service of the story: %w", err)
	}
	if svc.LatinSlugs {
		a.UseLatinSlug(svc.Tag)
	}
	return nil
}

// sameText reports whether two states of a story have the same editable
// fields.
func sameText(a, b *kolokol.Article) bool {
	for _, f := range mergeFields {
		if !reflect.DeepEqual(f.get(a), f.get(b)) {
			return false
		}
	}
	return true
}

// save stores a story; the store records what the save changed for
// readers in the change log.
func (d *Desk) save(ctx context.Context, actor kolokol.Actor, a *kolokol.Article) error {
	return d.saveGroup(ctx, actor, a, false)
}

// saveGroup is save; setGroup says that a's translation group is the
// caller's choice (an API patch). Otherwise the stored group is kept, read
// in the transaction that writes: Link and Unlink change it without a new
// version (see translations.go), so the version check alone would let a
// save started before a link undo it.
func (d *Desk) saveGroup(ctx context.Context, actor kolokol.Actor, a *kolokol.Article, setGroup bool) error {
	a.EditedBy = actor.Name // the revision the store records names them
	version := a.Version
	err := d.store.InTx(ctx, func(tx kolokol.Store) error {
		if !setGroup {
			if err := keepGroup(ctx, tx, a); err != nil {
				return err
			}
		}
		return tx.UpdateArticle(ctx, a)
	})
	if err != nil {
		a.Version = version
		return fmt.Errorf("save article %d: %w", a.ID, err)
	}
	d.changed(ctx)
	return nil
}

func idOf(a *kolokol.Article) int64 {
	if a == nil {
		return 0
	}
	return a.ID
}

func serviceOf(a *kolokol.Article) string {
	if a == nil {
		return ""
	}
	return a.Service
}

// Publish makes a story live now. The first publication time is kept when a
// story is republished, so links and archives do not reorder.
func (d *Desk) Publish(ctx context.Context, actor kolokol.Actor, id int64) (a *kolokol.Article, err error) {
	defer func() { d.record(ctx, actor, "article.publish", serviceOf(a), id, "", err) }()
	a, err = d.Article(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := canPublish(actor, a.Service); err != nil {
		return nil, err
	}
	if a.IsLive() {
		return a, nil
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if err := d.checkEmbargo(ctx, a.ID, d.now()); err != nil {
		return nil, err
	}
	a.Status = kolokol.StatusPublished
	a.ScheduledAt = time.Time{}
	if a.PublishedAt.IsZero() {
		a.PublishedAt = d.now().UTC()
	}
	return a, d.save(ctx, actor, a)
}

// Submit hands a draft to the editors for review. Anyone who may work on
// the service may submit; submitting twice keeps the first time.
func (d *Desk) Submit(ctx context.Context, actor kolokol.Actor, id int64) (a *kolokol.Article, err error) {
	defer func() { d.record(ctx, actor, "article.submit", serviceOf(a), id, "", err) }()
	a, err = d.Article(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if a.Status != kolokol.StatusDraft {
		return nil, kolokol.FieldErrorf(kolokol.ECONFLICT, "status", "article %d is %s; only a draft is submitted for review", id, a.Status)
	}
	if !a.SubmittedAt.IsZero() {
		return a, nil
	}
	a.SubmittedAt = d.now().UTC()
	return a, d.submit(ctx, actor, a)
}

// Unpublish takes a story off the reader site.
func (d *Desk) Unpublish(ctx context.Context, actor kolokol.Actor, id int64) (a *kolokol.Article, err error) {
	defer func() { d.record(ctx, actor, "article.unpublish", serviceOf(a), id, "", err) }()
	a, err = d.Article(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := canPublish(actor, a.Service); err != nil {
		return nil, err
	}
	if a.Status == kolokol.StatusScheduled {
		// Unpublishing a scheduled story cancels the schedule: it goes back
		// to being a draft.
		a.Status, a.ScheduledAt = kolokol.StatusDraft, time.Time{}
		return a, d.save(ctx, actor, a)
	}
	if !a.IsLive() {
		return nil, kolokol.FieldErrorf(kolokol.ECONFLICT, "status", "article %d is %s, not published", id, a.Status)
	}
	a.Status = kolokol.StatusUnpublished
	return a, d.save(ctx, actor, a)
}

// AddCorrection appends a dated correction note to a story.
func (d *Desk) AddCorrection(ctx context.Context, actor kolokol.Actor, id int64, text string) (a *kolokol.Article, err error) {
	defer func() { d.record(ctx, actor, "article.correct", serviceOf(a), id, "", err) }()
	a, err = d.Article(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := canPublish(actor, a.Service); err != nil {
		return nil, err
	}
	c := &kolokol.Correction{ArticleID: id, Text: text}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := d.store.AddCorrection(ctx, c); err != nil {
		return nil, fmt.Errorf("correct article %d: %w", id, err)
	}
	d.changed(ctx)
	return d.store.FindArticleByID(ctx, id)
}

// SetBreaking sets or replaces a service's breaking-news banner.
func (d *Desk) SetBreaking(ctx context.Context, actor kolokol.Actor, b *kolokol.Breaking) (err error) {
	defer func() { d.record(ctx, actor, "breaking.set", b.Service, 0, b.Text, err) }()
	if err := canPublish(actor, b.Service); err != nil {
		return err
	}
	if _, err := d.store.FindServiceByCode(ctx, b.Service); err != nil {
		return err
	}
	if err := b.Validate(d.now()); err != nil {
		return err
	}
	b.CreatedAt = d.now().UTC()
	if err := d.store.SetBreaking(ctx, b); err != nil {
		return fmt.Errorf("set breaking news for %s: %w", b.Service, err)
	}
	d.changed(ctx)
	return nil
}

// ClearBreaking removes a service's banner. Clearing none is not an error.
func (d *Desk) ClearBreaking(ctx context.Context, actor kolokol.Actor, service string) (err error) {
	defer func() { d.record(ctx, actor, "breaking.clear", service, 0, "", err) }()
	if err := canPublish(actor, service); err != nil {
		return err
	}
	if _, err := d.store.FindServiceByCode(ctx, service); err != nil {
		return err
	}
	if err := d.store.ClearBreaking(ctx, service); err != nil {
		return fmt.Errorf("clear breaking news for %s: %w", service, err)
	}
	d.changed(ctx)
	return nil
}
