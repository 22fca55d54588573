package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/kolokol/kolokol/store/sqlrow"
	"time"

	"github.com/kolokol/kolokol"
)

const revisionColumns = `id, article_id, version, actor, created_at, status, section, headline, summary,
	body, dateline, bylines, tags, credits, lead_media_id, lead_alt, lead_caption, lead_credit, translation_group,
	custom_slug, seo_title, social_title, social_description`

// addRevision records the article's state at version in tx.
func addRevision(ctx context.Context, tx dbtx, a *kolokol.Article, version int, t time.Time) error {
	args, err := revisionArgs(a, version, t)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, insertRevision, args...)
	return err
}

const insertRevision = `INSERT INTO revisions (article_id, version, actor, created_at, status, section,
	headline, summary, body, dateline, bylines, tags, credits, lead_media_id, lead_alt, lead_caption, lead_credit,
	translation_group, custom_slug, seo_title, social_title, social_description)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// revisionArgs are the values of insertRevision for the article's state at
// version.
func revisionArgs(a *kolokol.Article, version int, t time.Time) ([]any, error) {
	r := kolokol.RevisionOf(a)
	lists := make([]any, 3)
	for i, l := range [][]string{r.Bylines, r.Tags, r.Credits} {
		s, err := sqlrow.EncodeList(l)
		if err != nil {
			return nil, fmt.Errorf("encode revision lists: %w", err)
		}
		lists[i] = s
	}
	var media any
	var li kolokol.LeadImage
	if r.LeadImage != nil {
		li = *r.LeadImage
		media = li.MediaID
	}
	return []any{a.ID, version, r.Actor, t.UnixNano(), string(r.Status), r.Section, r.Headline, r.Summary, r.Body, r.Dateline,
		lists[0], lists[1], lists[2], media, li.Alt, li.Caption, li.Credit, r.TranslationGroup,
		r.CustomSlug, r.SEOTitle, r.SocialTitle, r.SocialDescription}, nil
}

// FindRevisions returns an article's revisions, newest first.
func (s *Store) FindRevisions(ctx context.Context, articleID int64) ([]*kolokol.Revision, error) {
	rows, err := s.db().QueryContext(ctx, `SELECT `+revisionColumns+` FROM revisions WHERE article_id = ?
		ORDER BY version DESC`, articleID)
	if err != nil {
		return nil, s.wrapf(err, "find revisions of article %d", articleID)
	}
	out, err := sqlrow.Collect(rows, scanRevision)
	return out, s.wrapf(err, "find revisions of article %d", articleID)
}

// FindRevision returns one revision of an article.
func (s *Store) FindRevision(ctx context.Context, articleID, id int64) (*kolokol.Revision, error) {
	r, err := scanRevision(s.db().QueryRowContext(ctx, `SELECT `+revisionColumns+` FROM revisions
		WHERE article_id = ? AND id = ?`, articleID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "article %d has no revision %d", articleID, id)
	}
	return r, s.wrapf(err, "find revision %d", id)
}

func scanRevision(sc sqlrow.Scanner) (*kolokol.Revision, error) {
	var r kolokol.Revision
	var bylines, tags, credits string
	var created sql.NullInt64
	var media sql.NullInt64
	var li kolokol.LeadImage
	err := sc.Scan(&r.ID, &r.ArticleID, &r.Version, &r.Actor, &created, &r.Status, &r.Section, &r.Headline,
		&r.Summary, &r.Body, &r.Dateline, &bylines, &tags, &credits, &media, &li.Alt, &li.Caption, &li.Credit, &r.TranslationGroup,
		&r.CustomSlug, &r.SEOTitle, &r.SocialTitle, &r.SocialDescription)
	if err != nil {
		return nil, err
	}
	for _, l := range []struct {
		dst *[]string
		src string
	}{{&r.Bylines, bylines}, {&r.Tags, tags}, {&r.Credits, credits}} {
		if *l.dst, err = sqlrow.DecodeList(l.src); err != nil {
			return nil, fmt.Errorf("revision %d: %w", r.ID, err)
		}
	}
	if media.Valid {
		li.MediaID = media.Int64
		r.LeadImage = &li
	}
	r.CreatedAt = sqlrow.FromNanos(created)
	return &r, nil
}
