package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/kolokol/kolokol/store/sqlrow"
	"slices"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
)

// articleFields are the columns a caller writes, in the order articleValues
// returns them; id, created_at, updated_at and version are the store's.
const articleFields = `service, section, slug, headline, summary, body, bylines, dateline,
	lead_media_id, lead_alt, lead_caption, lead_credit, credits, tags, status,
	published_at, scheduled_at, translation_group, created_by, submitted_at, headline_fold, author_fold,
	custom_slug, seo_title, social_title, social_description`

const articleColumns = `id, service, section, slug, headline, summary, body, bylines, dateline,
	lead_media_id, lead_alt, lead_caption, lead_credit, credits, tags, status,
	published_at, scheduled_at, translation_group, created_by, submitted_at, created_at, updated_at, version,
	custom_slug, seo_title, social_title, social_description`

// fold is the form headline searches compare. It is Go's, not the
// database's lower(): SQLite's folds ASCII only, PostgreSQL's depends on the
// database's locale, and newsrooms search in Cyrillic, Greek and more.
func fold(s string) string { return strings.ToLower(s) }

// Fold is fold, for migrations that fill headline_fold.
func Fold(s string) string { return fold(s) }

// AuthorFold is authorFold, for migrations that fill author_fold.
func AuthorFold(createdBy string, bylines []string) string { return authorFold(createdBy, bylines) }

// Separators of author_fold: the creating account, then the bylines. No
// name holds them (Validate refuses control characters).
const (
	authorSep = "\x1f"
	bylineSep = "\x1e"
)

// authorFold is the author filter's column: who created the story and its
// bylines, folded, so that "анна" finds "Анна Петрова" as "Анна" would.
func authorFold(createdBy string, bylines []string) string {
	return fold(createdBy) + authorSep + bylineSep + fold(strings.Join(bylines, bylineSep)) + bylineSep
}

// CreateArticle stores a new article and sets its ID, CreatedAt, UpdatedAt
// and Version. Its Corrections are ignored.
func (s *Store) CreateArticle(ctx context.Context, a *kolokol.Article) error {
	vals, err := checkArticle(a)
	if err != nil {
		return err
	}
	t := now()
	var id int64
	err = s.write(ctx, func(tx dbtx) error {
		if err := checkArticleRefs(ctx, tx, a); err != nil {
			return err
		}
		id, err = tx.insert(ctx, `INSERT INTO articles (`+articleFields+`, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
			append(vals, t.UnixNano(), t.UnixNano())...)
		if err != nil {
			return err
		}
		a.ID = id
		if err := addRevision(ctx, tx, a, 1, t); err != nil {
			return err
		}
		if err := putTags(ctx, tx, id, a.Service, a.Tags); err != nil {
			return err
		}
		if err := putMedia(ctx, tx, id, shownMedia(a)); err != nil {
			return err
		}
		c := articleChange(listedFields{service: a.Service}, listedOf(a), id)[0]
		if c.Latest, err = latestLists(ctx, tx, listedOf(a), id); err != nil {
			return err
		}
		return appendChange(ctx, tx, c)
	})
	if err != nil {
		a.ID = 0
		return s.wrapf(err, "create article in %q", a.Service)
	}
	a.ID, a.CreatedAt, a.UpdatedAt, a.Version = id, t, t, 1
	return nil
}

// UpdateArticle writes every field of a but ID, CreatedAt and Corrections,
// provided the stored version is still a.Version.
func (s *Store) UpdateArticle(ctx context.Context, a *kolokol.Article) error {
	vals, err := checkArticle(a)
	if err != nil {
		return err
	}
	t := now()
	err = s.write(ctx, func(tx dbtx) error {
		if err := checkArticleRefs(ctx, tx, a); err != nil {
			return err
		}
		// What the story was decides what the change touches (see
		// articleChange).
		var was listedFields
		var pub sql.NullInt64
		var tags string
		err := tx.QueryRowContext(ctx, `SELECT status, service, translation_group, section, slug, headline, summary, published_at, tags
			FROM articles WHERE id = ?`, a.ID).
			Scan(&was.status, &was.service, &was.group, &was.section, &was.slug, &was.headline, &was.summary, &pub, &tags)
		if errors.Is(err, sql.ErrNoRows) {
			return kolokol.Errorf(kolokol.ENOTFOUND, "there is no article %d", a.ID)
		} else if err != nil {
			return err
		}
		was.published = sqlrow.FromNanos(pub)
		if was.tags, err = sqlrow.DecodeList(tags); err != nil {
			return fmt.Errorf("article %d: %w", a.ID, err)
		}
		wasLatest, err := latestLists(ctx, tx, was, a.ID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE articles SET service = ?, section = ?, slug = ?,
			headline = ?, summary = ?, body = ?, bylines = ?, dateline = ?, lead_media_id = ?,
			lead_alt = ?, lead_caption = ?, lead_credit = ?, credits = ?, tags = ?, status = ?,
			published_at = ?, scheduled_at = ?, translation_group = ?, created_by = ?, submitted_at = ?, headline_fold = ?, author_fold = ?,
			custom_slug = ?, seo_title = ?, social_title = ?, social_description = ?, updated_at = ?, version = version + 1
			WHERE id = ? AND version = ?`,
			append(vals, t.UnixNano(), a.ID, a.Version)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return staleOrMissing(ctx, tx, a.ID, a.Version)
		}
		if err := addRevision(ctx, tx, a, a.Version+1, t); err != nil {
			return err
		}
		if !slices.Equal(was.tags, a.Tags) || was.service != a.Service {
			if err := putTags(ctx, tx, a.ID, a.Service, a.Tags); err != nil {
				return err
			}
		}
		if err := putMedia(ctx, tx, a.ID, shownMedia(a)); err != nil {
			return err
		}
		isLatest, err := latestLists(ctx, tx, listedOf(a), a.ID)
		if err != nil {
			return err
		}
		for _, c := range articleChange(was, listedOf(a), a.ID) {
			if c.Listed {
				for _, l := range append(wasLatest, isLatest...) {
					if strings.HasPrefix(l, c.Service+"/") && !slices.Contains(c.Latest, l) {
						c.Latest = append(c.Latest, l)
					}
				}
			}
			if err := appendChange(ctx, tx, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return s.wrapf(err, "update article %d", a.ID)
	}
	a.Version++
	a.UpdatedAt = t
	return nil
}

// staleOrMissing explains why an update guarded by id and version changed
// nothing.
func staleOrMissing(ctx context.Context, tx dbtx, id int64, version int) error {
	var current int
	err := tx.QueryRowContext(ctx, `SELECT version FROM articles WHERE id = ?`, id).Scan(&current)
	if errors.Is(err, sql.ErrNoRows) {
		return kolokol.Errorf(kolokol.ENOTFOUND, "there is no article %d", id)
	} else if err != nil {
		return err
	}
	return kolokol.Errorf(kolokol.ECONFLICT,
		"article %d was changed by someone else: it is at version %d, not %d; reload it and edit again",
		id, current, version)
}

// AddCorrection appends a correction to an article and bumps the article's
// version, since the story readers see has changed.
func (s *Store) AddCorrection(ctx context.Context, c *kolokol.Correction) error {
	if err := c.Validate(); err != nil {
		return err
	}
	t := now()
	var id int64
	err := s.write(ctx, func(tx dbtx) error {
		var service string
		err := tx.QueryRowContext(ctx, `UPDATE articles SET version = version + 1, updated_at = ?
			WHERE id = ? RETURNING service`, t.UnixNano(), c.ArticleID).Scan(&service)
		if errors.Is(err, sql.ErrNoRows) {
			return kolokol.Errorf(kolokol.ENOTFOUND, "there is no article %d", c.ArticleID)
		} else if err != nil {
			return err
		}
		// A correction shows on the story's own page only: no list or
		// language switcher shows it.
		if err := appendChange(ctx, tx, kolokol.Change{Kind: kolokol.ChangeArticle, Service: service, ArticleID: c.ArticleID}); err != nil {
			return err
		}
		id, err = tx.insert(ctx, `INSERT INTO corrections (article_id, text, created_at)
			VALUES (?, ?, ?)`, c.ArticleID, c.Text, t.UnixNano())
		return err
	})
	if err != nil {
		return s.wrapf(err, "add correction to article %d", c.ArticleID)
	}
	c.ID, c.CreatedAt = id, t
	return nil
}

// FindArticleByID returns the article with its corrections, oldest first.
func (s *Store) FindArticleByID(ctx context.Context, id int64) (*kolokol.Article, error) {
	var a *kolokol.Article
	err := s.read(ctx, func(tx dbtx) error {
		var err error
		a, err = scanArticle(tx.QueryRowContext(ctx, `SELECT `+articleColumns+` FROM articles WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return kolokol.Errorf(kolokol.ENOTFOUND, "there is no article %d", id)
		} else if err != nil {
			return err
		}
		a.Corrections, err = findCorrections(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, s.wrapf(err, "find article %d", id)
	}
	return a, nil
}

func findCorrections(ctx context.Context, tx dbtx, articleID int64) ([]kolokol.Correction, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, article_id, text, created_at FROM corrections
		WHERE article_id = ? ORDER BY created_at, id`, articleID)
	if err != nil {
		return nil, err
	}
	return sqlrow.Collect(rows, scanCorrection)
}

func scanCorrection(sc sqlrow.Scanner) (kolokol.Correction, error) {
	var c kolokol.Correction
	var created sql.NullInt64
	err := sc.Scan(&c.ID, &c.ArticleID, &c.Text, &created)
	c.CreatedAt = sqlrow.FromNanos(created)
	return c, err
}

// checkArticle validates a and returns the values of articleFields.
func checkArticle(a *kolokol.Article) ([]any, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if err := sqlrow.CheckTime("published_at", a.PublishedAt); err != nil {
		return nil, err
	}
	if err := sqlrow.CheckTime("scheduled_at", a.ScheduledAt); err != nil {
		return nil, err
	}
	if err := sqlrow.CheckTime("submitted_at", a.SubmittedAt); err != nil {
		return nil, err
	}
	lists := make([]any, 3)
	for i, l := range [][]string{a.Bylines, a.Credits, a.Tags} {
		s, err := sqlrow.EncodeList(l)
		if err != nil {
			return nil, fmt.Errorf("encode article lists: %w", err)
		}
		lists[i] = s
	}
	var media any
	var li kolokol.LeadImage
	if a.LeadImage != nil {
		li = *a.LeadImage
		media = li.MediaID
	}
	return []any{a.Service, a.Section, a.Slug, a.Headline, a.Summary, a.Body, lists[0], a.Dateline,
		media, li.Alt, li.Caption, li.Credit, lists[1], lists[2], string(a.Status),
		sqlrow.Nanos(a.PublishedAt), sqlrow.Nanos(a.ScheduledAt), a.TranslationGroup, a.CreatedBy, sqlrow.Nanos(a.SubmittedAt), fold(a.Headline),
		authorFold(a.CreatedBy, a.Bylines), a.CustomSlug, a.SEOTitle, a.SocialTitle, a.SocialDescription}, nil
}

// checkArticleRefs names the field of a that points at nothing, which the
// foreign keys alone would not tell.
func checkArticleRefs(ctx context.Context, tx dbtx, a *kolokol.Article) error {
	if err := checkService(ctx, tx, a.Service); err != nil {
		return err
	}
	if a.Section != "" {
		ok, err := sqlrow.Exists(ctx, tx, `SELECT 1 FROM sections WHERE service = ? AND slug = ?`, a.Service, a.Section)
		if err != nil {
			return err
		} else if !ok {
			return kolokol.FieldErrorf(kolokol.EINVALID, "section", "service %q has no section %q", a.Service, a.Section)
		}
	}
	if a.LeadImage != nil {
		ok, err := sqlrow.Exists(ctx, tx, `SELECT 1 FROM media WHERE id = ?`, a.LeadImage.MediaID)
		if err != nil {
			return err
		} else if !ok {
			return kolokol.FieldErrorf(kolokol.EINVALID, "lead_image.media_id", "there is no media %d", a.LeadImage.MediaID)
		}
	}
	for _, id := range kolokol.BodyMedia(a.Body) {
		if err := checkBodyMedia(ctx, tx, id); err != nil {
			return err
		}
	}
	return nil
}

func scanArticle(sc sqlrow.Scanner) (*kolokol.Article, error) {
	var a kolokol.Article
	var bylines, credits, tags string
	var media sql.NullInt64
	var li kolokol.LeadImage
	var created, updated, published, scheduled, submitted sql.NullInt64
	err := sc.Scan(&a.ID, &a.Service, &a.Section, &a.Slug, &a.Headline, &a.Summary, &a.Body,
		&bylines, &a.Dateline, &media, &li.Alt, &li.Caption, &li.Credit, &credits, &tags, &a.Status,
		&published, &scheduled, &a.TranslationGroup, &a.CreatedBy, &submitted, &created, &updated, &a.Version,
		&a.CustomSlug, &a.SEOTitle, &a.SocialTitle, &a.SocialDescription)
	if err != nil {
		return nil, err
	}
	if media.Valid {
		li.MediaID = media.Int64
		a.LeadImage = &li
	}
	for _, l := range []struct {
		dst *[]string
		src string
	}{{&a.Bylines, bylines}, {&a.Credits, credits}, {&a.Tags, tags}} {
		if *l.dst, err = sqlrow.DecodeList(l.src); err != nil {
			return nil, fmt.Errorf("article %d: %w", a.ID, err)
		}
	}
	a.CreatedAt, a.UpdatedAt = sqlrow.FromNanos(created), sqlrow.FromNanos(updated)
	a.PublishedAt, a.ScheduledAt, a.SubmittedAt = sqlrow.FromNanos(published), sqlrow.FromNanos(scheduled), sqlrow.FromNanos(submitted)
	return &a, nil
}

// listedFields are what pages other than a story's own show of it: lists
// show its headline, summary, section and time while it is live; other
// versions' language switchers link to its path while it is live; its
// tags put it on their lists.
type listedFields struct {
	status, service, group, section, slug, headline, summary string
	published                                                time.Time
	tags                                                     []string
}

func listedOf(a *kolokol.Article) listedFields {
	return listedFields{status: string(a.Status), service: a.Service, group: a.TranslationGroup, section: a.Section,
		slug: a.Slug, headline: a.Headline, summary: a.Summary, published: a.PublishedAt, tags: a.Tags}
}

// latestLists names the lists of newest stories (kolokol.LatestList) that
// story id, as st describes it, is among the first MoreStories+1 of: a
// story's page lists its section's newest other than itself, so the first
// MoreStories+1 are what the pages show. Lists order stories by
// publication time, newest first, then by id; never-timed ones last.
func latestLists(ctx context.Context, tx dbtx, st listedFields, id int64) ([]string, error) {
	if st.status != string(kolokol.StatusPublished) {
		return nil, nil
	}
	ahead, args := `(published_at IS NOT NULL OR id > ?)`, []any{id}
	if !st.published.IsZero() {
		p := st.published.UnixNano()
		ahead, args = `(published_at > ? OR (published_at = ? AND id > ?))`, []any{p, p, id}
	}
	sections := []string{""}
	if st.section != "" {
		sections = []string{st.section, ""}
	}
	var out []string
	for _, section := range sections {
		q := `SELECT count(*) FROM (SELECT 1 FROM articles WHERE service = ? AND status = 'published' AND ` + ahead
		qargs := append([]any{st.service}, args...)
		if section != "" {
			q += ` AND section = ?`
			qargs = append(qargs, section)
		}
		q += ` LIMIT ?) AS ahead`
		qargs = append(qargs, kolokol.MoreStories+1)
		var n int
		if err := tx.QueryRowContext(ctx, q, qargs...).Scan(&n); err != nil {
			return nil, fmt.Errorf("rank story %d among the newest: %w", id, err)
		}
		if n < kolokol.MoreStories+1 {
			out = append(out, kolokol.LatestList(st.service, section))
		}
	}
	return out, nil
}

// articleChange is what an edit of story id from was to is changes: its
// own page always; the lists it is or was on when something they show of
// it changed; the lists of the tags it has or had when those or something
// they show of it changed; the language switchers of its groups when its
// place in them changed. The finer the change, the fewer pages render again; the
// dependency oracle (render) checks that nothing is missed.
func articleChange(was, is listedFields, id int64) []kolokol.Change {
	wasLive, isLive := was.status == string(kolokol.StatusPublished), is.status == string(kolokol.StatusPublished)
	c := kolokol.Change{Kind: kolokol.ChangeArticle, Service: is.service, ArticleID: id}
	if (wasLive || isLive) && (wasLive != isLive || was.section != is.section || was.headline != is.headline ||
		was.summary != is.summary || !was.published.Equal(is.published) || was.slug != is.slug || was.service != is.service) {
		c.Listed = true
	}
	if (wasLive || isLive) && (wasLive != isLive || was.group != is.group || was.slug != is.slug || was.service != is.service) {
		c.Groups = groupList(was.group, is.group)
	}
	var wasTags, isTags map[string]string // nil while not live: on no tag's list
	if wasLive {
		wasTags = tagSpellings(was.tags)
	}
	if isLive {
		isTags = tagSpellings(is.tags)
	}
	if was.service == is.service {
		c.Tags = changedTags(wasTags, isTags, c.Listed)
		return []kolokol.Change{c}
	}
	// Another service's tags are other lists: the story leaves the old
	// service's and joins the new one's.
	old := c
	old.Service, old.Tags = was.service, changedTags(wasTags, nil, c.Listed)
	c.Tags = changedTags(nil, isTags, c.Listed)
	return []kolokol.Change{old, c}
}
