package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"github.com/kolokol/kolokol/store/sqlrow"
	"runtime"
	"sync"
	"time"

	"github.com/kolokol/kolokol"
)

// ImportArticles stores a batch of new articles, their first revisions and
// their corrections in one transaction (see kolokol.Store). It shares
// checkArticle with CreateArticle, so that every derived column (slug,
// headline_fold, the encoded lists) is what CreateArticle would write, and
// prepares each statement once per batch: parsing the SQL again for every
// row costs more than the row itself.
func (s *Store) ImportArticles(ctx context.Context, articles []*kolokol.Article) error {
	if len(articles) == 0 {
		return nil
	}
	vals, err := checkBatch(articles)
	if err != nil {
		return err
	}
	stamp := now()
	ids := make([]int64, len(articles))
	corrIDs := make([][]int64, len(articles))
	err = s.write(ctx, func(tx dbtx) error {
		refs := newRefCheck(tx)
		insert, err := tx.prepareInsert(ctx, `INSERT INTO articles (`+articleFields+`, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer insert.Close()
		revise, err := tx.PrepareContext(ctx, insertRevision)
		if err != nil {
			return err
		}
		defer revise.Close()
		correct, err := tx.prepareInsert(ctx, `INSERT INTO corrections (article_id, text, created_at) VALUES (?, ?, ?)`)
		if err != nil {
			return err
		}
		defer correct.Close()
		for i, a := range articles {
			if err := refs.check(ctx, a); err != nil {
				return inBatch(i, a, err)
			}
			created, updated := importTimes(a, stamp)
			ids[i], err = insert.insert(ctx, append(vals[i], created.UnixNano(), updated.UnixNano(), 1+len(a.Corrections))...)
			if err != nil {
				return inBatch(i, a, err)
			}
			// A copy carries the id, since the caller's values change only
			// once the batch is committed.
			stored := *a
			stored.ID = ids[i]
			args, err := revisionArgs(&stored, 1, created)
			if err == nil {
				_, err = revise.ExecContext(ctx, args...)
			}
			if err != nil {
				return inBatch(i, a, err)
			}
			for j := range a.Corrections {
				c := &a.Corrections[j]
				cid, err := correct.insert(ctx, ids[i], c.Text, correctionTime(c, stamp).UnixNano())
				if err != nil {
					return inBatch(i, a, err)
				}
				corrIDs[i] = append(corrIDs[i], cid)
			}
			// Each story is a change readers see, as CreateArticle's is: a
			// consumer following the log learns of every imported page.
			// Ranking each imported story among the newest would cost a
			// query apiece: an import names every list of newest it
			// could touch instead, as a whole section re-renders anyway.
			if err := putTags(ctx, tx, ids[i], a.Service, a.Tags); err != nil {
				return inBatch(i, a, err)
			}
			if err := putMedia(ctx, tx, ids[i], shownMedia(a)); err != nil {
				return inBatch(i, a, err)
			}
			c := articleChange(listedFields{service: a.Service}, listedOf(a), ids[i])[0]
			if c.Listed {
				c.Latest = []string{kolokol.LatestList(a.Service, "")}
				if a.Section != "" {
					c.Latest = append(c.Latest, kolokol.LatestList(a.Service, a.Section))
				}
			}
			if err := appendChange(ctx, tx, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return s.wrapf(err, "import %d articles", len(articles))
	}
	for i, a := range articles {
		a.ID, a.Version = ids[i], 1+len(a.Corrections)
		a.CreatedAt, a.UpdatedAt = importTimes(a, stamp)
		for j := range a.Corrections {
			c := &a.Corrections[j]
			c.ID, c.ArticleID, c.CreatedAt = corrIDs[i][j], ids[i], correctionTime(c, stamp)
		}
	}
	return nil
}

// checkBatch checks every article of a batch on every core, before the
// transaction: reading each body character by character costs as much as
// storing it, and the transaction holds the write lock (or the one writer
// connection): it should only store.
func checkBatch(articles []*kolokol.Article) ([][]any, error) {
	vals := make([][]any, len(articles))
	errs := make([]error, len(articles))
	workers := min(runtime.GOMAXPROCS(0), 1+len(articles)/64)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(articles); i += workers {
				vals[i], errs[i] = checkImport(articles[i])
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, inBatch(i, articles[i], err)
		}
	}
	return vals, nil
}

// checkImport is checkArticle plus what only an import can get wrong.
func checkImport(a *kolokol.Article) ([]any, error) {
	if a == nil {
		return nil, kolokol.Errorf(kolokol.EINVALID, "there is no article")
	}
	if a.ID != 0 {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "id", "an imported article gets its id from the store; it has %d", a.ID)
	}
	vals, err := checkArticle(a)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name string
		t    time.Time
	}{{"created_at", a.CreatedAt}, {"updated_at", a.UpdatedAt}} {
		if err := sqlrow.CheckTime(f.name, f.t); err != nil {
			return nil, err
		}
	}
	if !a.UpdatedAt.IsZero() && a.UpdatedAt.Before(a.CreatedAt) {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "updated_at", "updated_at %s is before created_at %s",
			a.UpdatedAt.Format(time.RFC3339), a.CreatedAt.Format(time.RFC3339))
	}
	for j := range a.Corrections {
		c := &a.Corrections[j]
		if err := c.Validate(); err != nil {
			return nil, kolokol.FieldErrorf(kolokol.EINVALID, fmt.Sprintf("corrections[%d].%s", j, kolokol.ErrorField(err)),
				"correction %d: %s", j, kolokol.ErrorMessage(err))
		}
		if err := sqlrow.CheckTime(fmt.Sprintf("corrections[%d].created_at", j), c.CreatedAt); err != nil {
			return nil, err
		}
	}
	return vals, nil
}

// importTimes are the creation and update times an imported article is
// stored with.
func importTimes(a *kolokol.Article, stamp time.Time) (created, updated time.Time) {
	created, updated = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	if a.CreatedAt.IsZero() {
		created = stamp
	}
	if a.UpdatedAt.IsZero() {
		updated = created
	}
	return created, updated
}

func correctionTime(c *kolokol.Correction, stamp time.Time) time.Time {
	if c.CreatedAt.IsZero() {
		return stamp
	}
	return c.CreatedAt.UTC()
}

// inBatch says which article of a batch was refused, keeping the code and
// field of a refusal for the caller.
func inBatch(i int, a *kolokol.Article, err error) error {
	what := fmt.Sprintf("article %d of the batch", i)
	if a != nil && a.Headline != "" {
		what += fmt.Sprintf(" (%q)", a.Headline)
	}
	var e *kolokol.Error
	if errors.As(err, &e) {
		return &kolokol.Error{Code: e.Code, Field: e.Field, Message: what + ": " + e.Message}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// refCheck is checkArticleRefs for a batch, which names the same few
// services, sections and media over and over: each is checked once, by
// checkArticleRefs on an article that names only it.
type refCheck struct {
	tx       dbtx
	services map[string]bool
	sections map[[2]string]bool
	media    map[int64]bool
}

func newRefCheck(tx dbtx) *refCheck {
	return &refCheck{tx: tx, services: map[string]bool{}, sections: map[[2]string]bool{}, media: map[int64]bool{}}
}

func (r *refCheck) check(ctx context.Context, a *kolokol.Article) error {
	if !r.services[a.Service] {
		if err := checkArticleRefs(ctx, r.tx, &kolokol.Article{Service: a.Service}); err != nil {
			return err
		}
		r.services[a.Service] = true
	}
	if k := [2]string{a.Service, a.Section}; a.Section != "" && !r.sections[k] {
		if err := checkArticleRefs(ctx, r.tx, &kolokol.Article{Service: a.Service, Section: a.Section}); err != nil {
			return err
		}
		r.sections[k] = true
	}
	if li := a.LeadImage; li != nil && !r.media[li.MediaID] {
		if err := checkArticleRefs(ctx, r.tx, &kolokol.Article{Service: a.Service, LeadImage: li}); err != nil {
			return err
		}
		r.media[li.MediaID] = true
	}
	for _, id := range kolokol.BodyMedia(a.Body) {
		if !r.media[id] {
			if err := checkBodyMedia(ctx, r.tx, id); err != nil {
				return err
			}
			r.media[id] = true
		}
	}
	return nil
}
