package sqlstore

import (
	"context"
	"slices"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/store/sqlrow"
)

// shownMedia lists, sorted and once each, the media a story's pages show:
// its lead image and the pictures of its body's blocks.
func shownMedia(a *kolokol.Article) []int64 {
	ids := kolokol.BodyMedia(a.Body)
	if a.LeadImage != nil {
		ids = append(ids, a.LeadImage.MediaID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// checkBodyMedia refuses a media a body's block shows that does not
// exist, naming it, which the foreign key alone would only call a
// constraint.
func checkBodyMedia(ctx context.Context, tx dbtx, id int64) error {
	ok, err := sqlrow.Exists(ctx, tx, `SELECT 1 FROM media WHERE id = ?`, id)
	if err != nil {
		return err
	} else if !ok {
		return kolokol.FieldErrorf(kolokol.EINVALID, "body", "a block of the body shows media %d: there is no media %d", id, id)
	}
	return nil
}

// putMedia makes article_media hold the media story id shows, in tx: the
// rows the ShowsMediaID filter reads.
func putMedia(ctx context.Context, tx dbtx, id int64, media []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_media WHERE article_id = ?`, id); err != nil {
		return err
	}
	for _, m := range media {
		if _, err := tx.ExecContext(ctx, `INSERT INTO article_media (article_id, media_id) VALUES (?, ?)`, id, m); err != nil {
			return err
		}
	}
	return nil
}

// FindShownMedia lists the media the published stories of service show.
func (s *Store) FindShownMedia(ctx context.Context, service string) ([]int64, error) {
	var ids []int64
	err := s.read(ctx, func(tx dbtx) error {
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT m.media_id FROM article_media m JOIN articles a ON a.id = m.article_id
			WHERE a.service = ? AND a.status = ? ORDER BY m.media_id`, service, string(kolokol.StatusPublished))
		if err != nil {
			return err
		}
		ids, err = sqlrow.Collect(rows, func(r sqlrow.Scanner) (id int64, err error) { return id, r.Scan(&id) })
		return err
	})
	if err != nil {
		return nil, s.wrapf(err, "find the media %s shows", service)
	}
	return ids, nil
}
