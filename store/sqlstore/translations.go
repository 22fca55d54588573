package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/store/sqlrow"
)

// SetTranslationGroup puts articles ids in group ("" takes them out).
// Unlike UpdateArticle it leaves the version and revisions alone: the group
// is chosen on the story page, not typed in the story form, so an editor
// with the form open is not interrupted by someone linking the story.
func (s *Store) SetTranslationGroup(ctx context.Context, group string, ids ...int64) error {
	if group != "" {
		if err := kolokol.CheckTranslationGroup(group); err != nil {
			return err
		}
	}
	err := s.write(ctx, func(tx dbtx) error {
		var done []int64
		for _, id := range ids {
			if slices.Contains(done, id) {
				continue
			}
			done = append(done, id)
			if err := setGroup(ctx, tx, id, group); err != nil {
				return err
			}
		}
		if group == "" {
			return nil
		}
		return checkGroup(ctx, tx, group)
	})
	return s.wrapf(err, "set the translation group of articles %v", ids)
}

// setGroup moves article id to group, appending the change that makes the
// language switchers and hreflang alternates of both groups render again
// while the story is live (articleChange decides, as for an edit).
func setGroup(ctx context.Context, tx dbtx, id int64, group string) error {
	var was listedFields
	var pub sql.NullInt64
	var tags string
	err := tx.QueryRowContext(ctx, `SELECT status, service, translation_group, section, slug, headline, summary, published_at, tags
		FROM articles WHERE id = ?`, id).
		Scan(&was.status, &was.service, &was.group, &was.section, &was.slug, &was.headline, &was.summary, &pub, &tags)
	if errors.Is(err, sql.ErrNoRows) {
		return kolokol.Errorf(kolokol.ENOTFOUND, "there is no article %d", id)
	} else if err != nil {
		return err
	}
	if was.group == group {
		return nil
	}
	was.published = sqlrow.FromNanos(pub)
	if was.tags, err = sqlrow.DecodeList(tags); err != nil {
		return fmt.Errorf("article %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE articles SET translation_group = ? WHERE id = ?`, group, id); err != nil {
		return err
	}
	is := was
	is.group = group
	for _, c := range articleChange(was, is, id) {
		if err := appendChange(ctx, tx, c); err != nil {
			return err
		}
	}
	return nil
}

// checkGroup refuses a group holding two versions in one service: readers
// would be offered two pages for one language.
func checkGroup(ctx context.Context, tx dbtx, group string) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, service FROM articles WHERE translation_group = ? ORDER BY service, id`, group)
	if err != nil {
		return err
	}
	type member struct {
		id      int64
		service string
	}
	ms, err := sqlrow.Collect(rows, func(sc sqlrow.Scanner) (member, error) {
		var m member
		err := sc.Scan(&m.id, &m.service)
		return m, err
	})
	if err != nil {
		return err
	}
	for i := 1; i < len(ms); i++ {
		if ms[i].service == ms[i-1].service {
			return kolokol.FieldErrorf(kolokol.ECONFLICT, "translation_group",
				"articles %d and %d would both be the %s version of translation group %q; a group holds one version per service",
				ms[i-1].id, ms[i].id, ms[i].service, group)
		}
	}
	return nil
}

// ShareMedia adds service to the services of a media.
func (s *Store) ShareMedia(ctx context.Context, mediaID int64, service string) error {
	err := s.write(ctx, func(tx dbtx) error {
		ok, err := sqlrow.Exists(ctx, tx, `SELECT 1 FROM media WHERE id = ?`, mediaID)
		if err != nil {
			return err
		} else if !ok {
			return kolokol.Errorf(kolokol.ENOTFOUND, "there is no media %d", mediaID)
		}
		if err := checkService(ctx, tx, service); err != nil {
			return err
		}
		return addMediaServices(ctx, tx, mediaID, []string{service})
	})
	return s.wrapf(err, "share media %d with %s", mediaID, service)
}
