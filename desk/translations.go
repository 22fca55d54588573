package desk

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"

	"github.com/kolokol/kolokol"
)

// Versions in other languages. A story's versions share a translation group
// (kolokol.Article.TranslationGroup), an opaque name nobody types: Translate
// makes one, Link and Unlink change who is in it, always by choosing
// stories. A group holds one version per service and never a single story.
//
// Changing a group does not bump the stories' versions. The group is not a
// field of the story form, so an editor with a linked story open has
// nothing to merge, and bumping would tell them "someone else saved" for a
// change they never see in the form. The store writes the group alone
// (SetTranslationGroup) and logs the change that renders again the reader
// pages it alters: hreflang alternates and "other languages" links. Since
// the version does not move, every save of a story keeps the group stored
// when it writes (keepGroup), so a save begun before a link cannot undo it.

// maxVersions bounds the group read at once: a group holds one version per
// service, and there are far fewer services.
const maxVersions = 100

// Versions returns the stories of id's translation group that actor may
// see, id's own first and then by service, and how many others the group
// holds in services actor does not work on.
func (d *Desk) Versions(ctx context.Context, actor kolokol.Actor, id int64) (versions []*kolokol.Article, hiddenCount int, err error) {
	a, err := d.Article(ctx, actor, id)
	if err != nil {
		return nil, 0, err
	}
	versions = []*kolokol.Article{a}
	if a.TranslationGroup == "" {
		return versions, 0, nil
	}
	all, err := groupOf(ctx, d.store, a.TranslationGroup)
	if err != nil {
		return nil, 0, err
	}
	for _, o := range all {
		switch {
		case o.ID == a.ID:
		case actor.CanTouch(o.Service):
			versions = append(versions, o)
		default:
			hiddenCount++
		}
	}
	slices.SortFunc(versions[1:], func(x, y *kolokol.Article) int {
		if x.Service != y.Service {
			return strings.Compare(x.Service, y.Service)
		}
		return cmp.Compare(x.ID, y.ID)
	})
	return versions, hiddenCount, nil
}

func groupOf(ctx context.Context, s kolokol.Articles, group string) ([]*kolokol.Article, error) {
	all, err := s.FindArticles(ctx, kolokol.ArticleFilter{TranslationGroup: group, Limit: maxVersions, WithoutBody: true})
	if err != nil {
		return nil, fmt.Errorf("find the versions of translation group %q: %w", group, err)
	}
	return all, nil
}

// versionIn returns the member of group in service, if any.
func versionIn(members []*kolokol.Article, service string) *kolokol.Article {
	for _, m := range members {
		if m.Service == service {
			return m
		}
	}
	return nil
}

// newGroup names a new translation group: random, so that two newsrooms'
// stories never meet by chance, and never typed by anyone.
func newGroup() string { return "t" + rand.Text() }

// Translate creates a draft in service to be translated from story id:
// its headline, summary, dateline and body to translate, its bylines,
// credits and lead photo (alt text, caption and credit as text to
// translate), its section when service has one of the same slug, and no
// tags (each language has its own). The draft joins the story's group, made
// on the spot for a story that had none, and every picture the story shows
// is shared with service so the draft may show it. Anyone who may see the
// story and write in service may translate it.
func (d *Desk) Translate(ctx context.Context, actor kolokol.Actor, id int64, service string) (a *kolokol.Article, err error) {
	var src *kolokol.Article
	defer func() {
		detail, concerns := fmt.Sprintf("translation of story %d into %s", id, service), service
		if a != nil {
			detail = fmt.Sprintf("story %d (%s) translated from story %d", a.ID, service, id)
		} else if src == nil {
			concerns = "" // refused the story itself: record finds its service
		}
		d.record(ctx, actor, "article.translate", concerns, cmp.Or(idOf(a), id), detail, err)
	}()
	src, err = d.Article(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if service == "" {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "service", "choose the language to translate story %d into", id)
	}
	if service == src.Service {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "service", "story %d is already in %s; choose another language", id, service)
	}
	if err := canTouch(actor, service); err != nil {
		return nil, err
	}
	if _, err := d.store.FindServiceByCode(ctx, service); kolokol.IsNotFound(err) {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "service", "there is no service %q", service)
	} else if err != nil {
		return nil, fmt.Errorf("find service %s: %w", service, err)
	}
	a = &kolokol.Article{
		Service: service, Headline: src.Headline, Summary: src.Summary, Body: src.Body,
		Bylines: slices.Clone(src.Bylines), Dateline: src.Dateline, Credits: slices.Clone(src.Credits),
		Status: kolokol.StatusDraft, CreatedBy: actor.Name, EditedBy: actor.Name,
		TranslationGroup: cmp.Or(src.TranslationGroup, newGroup()),
	}
	if src.LeadImage != nil {
		li := *src.LeadImage
		a.LeadImage = &li
	}
	if src.Section != "" {
		if _, err := d.store.FindSection(ctx, service, src.Section); err == nil {
			a.Section = src.Section
		} else if !kolokol.IsNotFound(err) {
			return nil, fmt.Errorf("find section %s of %s: %w", src.Section, service, err)
		}
	}
	if err := d.normalize(ctx, a); err != nil {
		return nil, err
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	shown := kolokol.BodyMedia(src.Body)
	if src.LeadImage != nil && !slices.Contains(shown, src.LeadImage.MediaID) {
		shown = append(shown, src.LeadImage.MediaID)
	}
	err = d.store.InTx(ctx, func(tx kolokol.Store) error {
		if src.TranslationGroup != "" {
			members, err := groupOf(ctx, tx, src.TranslationGroup)
			if err != nil {
				return err
			}
			if v := versionIn(members, service); v != nil {
				return kolokol.FieldErrorf(kolokol.ECONFLICT, "service", "story %d «%s» is already the %s version of this story; open it, or unlink it first", v.ID, v.Headline, service)
			}
		}
		for _, m := range shown {
			// A block naming a picture that is gone renders as nothing:
			// there is nothing to share.
			if err := tx.ShareMedia(ctx, m, service); err != nil && !kolokol.IsNotFound(err) {
				return fmt.Errorf("share media %d with %s: %w", m, service, err)
			}
		}
		if err := tx.CreateArticle(ctx, a); err != nil {
			return err
		}
		// The store refuses a second version in service here too, should
		// one have joined since the check above.
		return tx.SetTranslationGroup(ctx, a.TranslationGroup, src.ID, a.ID)
	})
	if err != nil {
		a = nil
		return nil, err
	}
	d.changed(ctx)
	return a, nil
}

// Link makes stories id and otherID versions of one another: the one alone
// joins the other's group, or both make a new group. Stories of one service,
// a group that already has a version in the joining story's service, and
// two stories each already linked with others are refused (unlink one
// first: merging groups silently would be a surprise). Linking a live story
// changes its reader page, so the actor must be allowed to edit both.
func (d *Desk) Link(ctx context.Context, actor kolokol.Actor, id, otherID int64) (err error) {
	defer func() {
		d.recordPair(ctx, actor, "article.link", id, otherID, fmt.Sprintf("linked story %d with story %d", id, otherID), err)
	}()
	a, err := d.Article(ctx, actor, id)
	if err != nil {
		return err
	}
	if id == otherID {
		return kolokol.FieldErrorf(kolokol.EINVALID, "other", "story %d cannot be its own translation", id)
	}
	b, err := d.Article(ctx, actor, otherID)
	if err != nil {
		return err
	}
	for _, s := range []*kolokol.Article{a, b} {
		if err := canEdit(actor, s); err != nil {
			return err
		}
	}
	if a.Service == b.Service {
		return kolokol.FieldErrorf(kolokol.EINVALID, "other", "stories %d and %d are both in %s; link versions in different languages", id, otherID, a.Service)
	}
	err = d.store.InTx(ctx, func(tx kolokol.Store) error {
		// Read again inside the transaction: the groups may have changed
		// since the stories were opened.
		if a, err = tx.FindArticleByID(ctx, id); err != nil {
			return err
		}
		if b, err = tx.FindArticleByID(ctx, otherID); err != nil {
			return err
		}
		if a.TranslationGroup != "" && a.TranslationGroup == b.TranslationGroup {
			return nil // already linked: nothing to change
		}
		withA, err := othersIn(ctx, tx, a)
		if err != nil {
			return err
		}
		withB, err := othersIn(ctx, tx, b)
		if err != nil {
			return err
		}
		var group string
		var move []int64
		switch {
		case len(withA) > 0 && len(withB) > 0:
			return kolokol.FieldErrorf(kolokol.ECONFLICT, "other", "story %d «%s» is already linked with other versions; unlink it from them first", b.ID, b.Headline)
		case len(withB) > 0:
			group, move = b.TranslationGroup, []int64{a.ID}
			if v := versionIn(withB, a.Service); v != nil {
				return kolokol.FieldErrorf(kolokol.ECONFLICT, "other", "story %d «%s» already has a %s version: story %d «%s»", b.ID, b.Headline, a.Service, v.ID, v.Headline)
			}
		case len(withA) > 0:
			group, move = a.TranslationGroup, []int64{b.ID}
			if v := versionIn(withA, b.Service); v != nil {
				return kolokol.FieldErrorf(kolokol.ECONFLICT, "other", "this story already has a %s version: story %d «%s»; unlink it first", b.Service, v.ID, v.Headline)
			}
		default:
			group, move = cmp.Or(a.TranslationGroup, b.TranslationGroup, newGroup()), []int64{a.ID, b.ID}
		}
		return tx.SetTranslationGroup(ctx, group, move...)
	})
	if err != nil {
		return err
	}
	d.changed(ctx)
	return nil
}

// othersIn returns the other members of a's group.
func othersIn(ctx context.Context, s kolokol.Articles, a *kolokol.Article) ([]*kolokol.Article, error) {
	if a.TranslationGroup == "" {
		return nil, nil
	}
	all, err := groupOf(ctx, s, a.TranslationGroup)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(o *kolokol.Article) bool { return o.ID == a.ID }), nil
}

// Unlink takes story id out of its group. A group of one links nothing, so
// when one other version remains, it leaves the group too.
func (d *Desk) Unlink(ctx context.Context, actor kolokol.Actor, id int64) (err error) {
	var a *kolokol.Article
	detail := fmt.Sprintf("unlinked story %d from its other versions", id)
	defer func() { d.record(ctx, actor, "article.unlink", serviceOf(a), id, detail, err) }()
	if a, err = d.Article(ctx, actor, id); err != nil {
		return err
	}
	if err := canEdit(actor, a); err != nil {
		return err
	}
	err = d.store.InTx(ctx, func(tx kolokol.Store) error {
		if a, err = tx.FindArticleByID(ctx, id); err != nil {
			return err
		}
		others, err := othersIn(ctx, tx, a)
		if err != nil {
			return err
		}
		if a.TranslationGroup == "" {
			return kolokol.FieldErrorf(kolokol.ECONFLICT, "translation_group", "story %d is not linked with versions in other languages", id)
		}
		move := []int64{a.ID}
		if len(others) == 1 {
			move = append(move, others[0].ID)
			detail += fmt.Sprintf(", and story %d, its last other version, from the group", others[0].ID)
		}
		return tx.SetTranslationGroup(ctx, "", move...)
	})
	if err != nil {
		return err
	}
	d.changed(ctx)
	return nil
}

// recordPair is record for an operation on two stories: the entry concerns
// the services of both, so that the admins of each see it.
func (d *Desk) recordPair(ctx context.Context, actor kolokol.Actor, action string, id, otherID int64, detail string, err error) {
	e := kolokol.AuditEntry{Action: action, ArticleID: id, Detail: detail}
	for _, sid := range []int64{id, otherID} {
		if a, ferr := d.store.FindArticleByID(context.WithoutCancel(ctx), sid); ferr == nil {
			e.Service = cmp.Or(e.Service, a.Service)
			if !slices.Contains(e.Services, a.Service) {
				e.Services = append(e.Services, a.Service)
			}
		}
	}
	d.write(ctx, actor, e, err)
}

// keepGroup sets a's translation group to the one stored, read in tx, the
// transaction about to write a: a save of a story loaded before a Link or
// Unlink (which bump no version) must not undo it.
func keepGroup(ctx context.Context, tx kolokol.Store, a *kolokol.Article) error {
	cur, err := tx.FindArticleByID(ctx, a.ID)
	if err != nil {
		return fmt.Errorf("read the translation group of article %d: %w", a.ID, err)
	}
	a.TranslationGroup = cur.TranslationGroup
	return nil
}
