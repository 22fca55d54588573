package sqlstore

import (
	"context"
	"fmt"
	"github.com/kolokol/kolokol/store/sqlrow"
	"strings"

	"github.com/kolokol/kolokol"
)

// Page sizes for FindArticles: a filter without a limit gets a page, and no
// filter gets more than a bounded one however it asks.
const (
	defaultLimit = 50
	maxLimit     = kolokol.MaxArticleLimit
)

// FindArticles returns the articles f selects, without their corrections.
func (s *Store) FindArticles(ctx context.Context, f kolokol.ArticleFilter) ([]*kolokol.Article, error) {
	if len(f.IDs) > maxLimit {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "ids", "find articles: %d ids, at most %d at once", len(f.IDs), maxLimit)
	}
	if len(f.Services) > maxLimit {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "services", "find articles: %d services, at most %d at once", len(f.Services), maxLimit)
	}
	if len(f.TranslationGroups) > maxLimit {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "translation_groups", "find articles: %d translation groups, at most %d at once", len(f.TranslationGroups), maxLimit)
	}
	where, args := articleWhere(f)
	if f.Before > 0 {
		where = append(where, "id < ?")
		args = append(args, f.Before)
	}
	// Unpublished stories have no published_at; they come last (SQLite
	// sorts NULL first, and so last when descending).
	order := ` ORDER BY id DESC`
	switch {
	case f.Order == kolokol.OrderChanged:
		order = ` ORDER BY updated_at DESC, id DESC`
	case f.Order == kolokol.OrderOldest:
		order = ` ORDER BY updated_at, id`
	case f.Order != "":
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "order", "find articles: unknown order %q", f.Order)
	case f.ByPublished:
		order = ` ORDER BY published_at DESC` + s.e.NullsLast + `, id DESC`
	}
	var q strings.Builder
	columns := articleColumns
	if f.WithoutBody {
		// Bodies are long and stored apart (overflow pages); a list that
		// shows none need not read them.
		columns = strings.Replace(columns, " body,", " '' AS body,", 1)
	}
	from := ` FROM articles`
	if len(f.TranslationGroups) > 0 && len(f.IDs) == 0 && s.e.IndexedBy != nil {
		// The groups' few stories through their index, sorted, rather than
		// every published story walked by id to find them (what SQLite
		// chooses for a status and an order by id: ten times slower).
		from += s.e.IndexedBy("articles_translation_group")
	}
	from += s.submittedIndex(f)
	q.WriteString(`SELECT ` + columns + from)
	if f.Offset > 0 {
		// A database reads every row it skips, bodies and all: the page's
		// ids are found on an index first, and only those rows read. Page
		// 200 of an archive of 100,000 stories reads 20 stories, not 4,000.
		q.WriteString(` WHERE id IN (SELECT id` + from)
		writeWhere(&q, where)
		q.WriteString(order + ` LIMIT ? OFFSET ?)` + order)
	} else {
		writeWhere(&q, where)
		q.WriteString(order + ` LIMIT ? OFFSET ?`)
	}
	args = append(args, clampLimit(f.Limit), max(f.Offset, 0))

	if !f.WithCorrections {
		rows, err := s.db().QueryContext(ctx, q.String(), args...)
		if err != nil {
			return nil, s.wrapf(err, "find articles %s", describeFilter(f))
		}
		out, err := sqlrow.Collect(rows, scanArticle)
		return out, s.wrapf(err, "find articles %s", describeFilter(f))
	}
	// The stories and their corrections as of one moment.
	var out []*kolokol.Article
	err := s.read(ctx, func(tx dbtx) error {
		rows, err := tx.QueryContext(ctx, q.String(), args...)
		if err != nil {
			return err
		}
		if out, err = sqlrow.Collect(rows, scanArticle); err != nil || len(out) == 0 {
			return err
		}
		return addCorrections(ctx, tx, out)
	})
	return out, s.wrapf(err, "find articles %s", describeFilter(f))
}

// addCorrections fills the corrections of articles in one query.
func addCorrections(ctx context.Context, tx dbtx, articles []*kolokol.Article) error {
	byID := make(map[int64]*kolokol.Article, len(articles))
	ids := make([]any, 0, len(articles))
	for _, a := range articles {
		byID[a.ID] = a
		ids = append(ids, a.ID)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, article_id, text, created_at FROM corrections
		WHERE article_id IN (`+placeholders(len(ids))+`) ORDER BY created_at, id`, ids...)
	if err != nil {
		return err
	}
	cs, err := sqlrow.Collect(rows, scanCorrection)
	for _, c := range cs {
		a := byID[c.ArticleID]
		a.Corrections = append(a.Corrections, c)
	}
	return err
}

// placeholders is n comma-separated "?".
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// describeFilter names a filter in an error without its list of ids.
func describeFilter(f kolokol.ArticleFilter) string {
	var of string
	if len(f.IDs) > 3 {
		of += fmt.Sprintf(" (of %d ids)", len(f.IDs))
		f.IDs = f.IDs[:3]
	}
	if len(f.TranslationGroups) > 3 {
		of += fmt.Sprintf(" (of %d translation groups)", len(f.TranslationGroups))
		f.TranslationGroups = f.TranslationGroups[:3]
	}
	return fmt.Sprintf("%+v", f) + of
}

// CountArticles counts the articles of f's service, section, tag and status;
// paging fields do not apply.
func (s *Store) CountArticles(ctx context.Context, f kolokol.ArticleFilter) (int, error) {
	where, args := articleWhere(f)
	var q strings.Builder
	q.WriteString(`SELECT count(*) FROM articles` + s.submittedIndex(f))
	writeWhere(&q, where)
	var n int
	if err := s.db().QueryRowContext(ctx, q.String(), args...).Scan(&n); err != nil {
		return 0, s.wrapf(err, "count articles %s", describeFilter(f))
	}
	return n, nil
}

// submittedIndex names the index for a filter of handed-in stories (the
// review queues): their few rows of each service, or of one account,
// rather than every story of the services walked by id, which is what
// SQLite otherwise chooses for an order by id (a dashboard at 100,000
// stories took 300 ms, and takes 3).
func (s *Store) submittedIndex(f kolokol.ArticleFilter) string {
	if !f.Submitted || len(f.TranslationGroups) > 0 || len(f.IDs) > 0 || f.Query != "" || s.e.IndexedBy == nil {
		return ""
	}
	if f.CreatedBy != "" {
		return s.e.IndexedBy("articles_submitted_by")
	}
	return s.e.IndexedBy("articles_submitted")
}

// articleWhere returns the conditions of f's service, section, tag, status,
// translation group and lead media.
func articleWhere(f kolokol.ArticleFilter) (where []string, args []any) {
	if f.Service != "" {
		where = append(where, "service = ?")
		args = append(args, f.Service)
	}
	if len(f.Services) > 0 {
		where = append(where, "service IN ("+placeholders(len(f.Services))+")")
		for _, c := range f.Services {
			args = append(args, c)
		}
	}
	if f.Section != "" {
		where = append(where, "section = ?")
		args = append(args, f.Section)
	}
	if f.Tag != "" {
		// On the primary key of article_tags: a tag's stories are one
		// range of it within a service.
		q, qargs := "SELECT article_id FROM article_tags WHERE tag = ?", []any{kolokol.TagKey(f.Tag)}
		if f.Service != "" {
			q, qargs = "SELECT article_id FROM article_tags WHERE service = ? AND tag = ?", append([]any{f.Service}, qargs...)
		}
		where = append(where, "id IN ("+q+")")
		args = append(args, qargs...)
	}
	if f.Status != "" {
		where = append(where, "status = ?")
		args = append(args, string(f.Status))
	}
	if f.TranslationGroup != "" {
		// The second condition, always true here, is what lets SQLite use
		// the partial index articles_translation_group: without it, a
		// story's language switcher scanned every published story.
		where = append(where, "translation_group = ? AND translation_group != ''")
		args = append(args, f.TranslationGroup)
	}
	if len(f.TranslationGroups) > 0 {
		where = append(where, "translation_group IN ("+placeholders(len(f.TranslationGroups))+") AND translation_group != ''")
		for _, g := range f.TranslationGroups {
			args = append(args, g)
		}
	}
	if len(f.IDs) > 0 {
		where = append(where, "id IN ("+placeholders(len(f.IDs))+")")
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	if f.LeadMediaID != 0 {
		where = append(where, "lead_media_id = ?")
		args = append(args, f.LeadMediaID)
	}
	if f.ShowsMediaID != 0 {
		// On article_media's index by media: the few stories showing a
		// picture, however many there are.
		where = append(where, "id IN (SELECT article_id FROM article_media WHERE media_id = ?)")
		args = append(args, f.ShowsMediaID)
	}
	// The searches run on the narrow articles_search index, in a subquery
	// of their own, rather than row by row through stories and their
	// bodies: 3 to 8 times faster on a service of 10,000 stories
	// (BenchmarkNewsroom10k).
	var search []string
	var searchArgs []any
	if f.Query != "" {
		search = append(search, "headline_fold LIKE ? ESCAPE '\\'")
		searchArgs = append(searchArgs, "%"+likeEscape(fold(f.Query))+"%")
	}
	if f.Author != "" {
		// The account that created it, exactly, or a byline containing it,
		// both compared folded (see authorFold).
		a := likeEscape(fold(strings.TrimSpace(f.Author)))
		search = append(search, "(author_fold LIKE ? ESCAPE '\\' OR author_fold LIKE ? ESCAPE '\\')")
		searchArgs = append(searchArgs, a+authorSep+"%", "%"+authorSep+"%"+a+"%")
	}
	if len(search) > 0 {
		if f.Service != "" {
			search = append([]string{"service = ?"}, search...)
			searchArgs = append([]any{f.Service}, searchArgs...)
		}
		where = append(where, "id IN (SELECT id FROM articles WHERE "+strings.Join(search, " AND ")+")")
		args = append(args, searchArgs...)
	}
	if f.Submitted {
		where = append(where, "submitted_at IS NOT NULL")
	}
	if f.CreatedBy != "" {
		where = append(where, "created_by = ?")
		args = append(args, f.CreatedBy)
	}
	if !f.ScheduledBy.IsZero() {
		where = append(where, "scheduled_at IS NOT NULL AND scheduled_at <= ?")
		args = append(args, f.ScheduledBy.UnixNano())
	}
	return where, args
}

// likeEscape makes s match itself literally in a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func writeWhere(q *strings.Builder, where []string) {
	if len(where) > 0 {
		q.WriteString(" WHERE " + strings.Join(where, " AND "))
	}
}

func clampLimit(n int) int {
	if n <= 0 {
		return defaultLimit
	}
	return min(n, maxLimit)
}
