package sqlstore

import (
	"context"
	"database/sql"
	"github.com/kolokol/kolokol/store/sqlrow"
	"slices"

	"github.com/kolokol/kolokol"
)

// PutTags is putTags for a migration, which works in a transaction of its
// own on SQLite's placeholders.
func PutTags(ctx context.Context, tx *sql.Tx, id int64, service string, tags []string) error {
	return putTags(ctx, dbtx{tx, &engine{}}, id, service, tags)
}

// putTags makes article_tags hold the keys of a story's tags, in service,
// in tx: the rows the tag filter and FindTags read.
func putTags(ctx context.Context, tx dbtx, id int64, service string, tags []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_tags WHERE article_id = ?`, id); err != nil {
		return err
	}
	for _, k := range kolokol.TagKeys(tags) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO article_tags (service, tag, article_id) VALUES (?, ?, ?)`, service, k, id); err != nil {
			return err
		}
	}
	return nil
}

// FindTags lists the keys of the tags the service's published stories
// carry, in key order (byte order: SQLite's BINARY collation, and
// PostgreSQL's columns collate "C"), with how many carry each.
func (s *Store) FindTags(ctx context.Context, service string) ([]kolokol.TagCount, error) {
	rows, err := s.db().QueryContext(ctx, `SELECT t.tag, count(*) FROM article_tags t JOIN articles a ON a.id = t.article_id
		WHERE t.service = ? AND a.status = 'published' GROUP BY t.tag ORDER BY t.tag`, service)
	if err != nil {
		return nil, s.wrapf(err, "find the tags of %s", service)
	}
	out, err := sqlrow.Collect(rows, func(sc sqlrow.Scanner) (kolokol.TagCount, error) {
		var c kolokol.TagCount
		return c, sc.Scan(&c.Key, &c.Stories)
	})
	return out, s.wrapf(err, "find the tags of %s", service)
}

// tagSpellings maps the keys of tags to their spelling, the first of those
// with the key.
func tagSpellings(tags []string) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		if k := kolokol.TagKey(t); k != "" {
			if _, ok := m[k]; !ok {
				m[k] = t
			}
		}
	}
	return m
}

// changedTags are the keys of the tags whose lists an edit from was to is
// alters, each of was and is nil when the story is not live in it: every
// tag of either when listed (something every list shows of the story
// changed), otherwise those added, removed or spelt anew (a tag's page is
// headed with its newest story's spelling). In key order.
func changedTags(was, is map[string]string, listed bool) []string {
	var out []string
	for _, m := range []map[string]string{was, is} {
		for k := range m {
			if slices.Contains(out, k) {
				continue
			}
			w, inWas := was[k]
			i, inIs := is[k]
			if listed || inWas != inIs || w != i {
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return out
}
