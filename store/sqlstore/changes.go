package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"github.com/kolokol/kolokol/store/sqlrow"
	"regexp"
	"slices"

	"github.com/kolokol/kolokol"
)

// appendChange records c in the change log, in tx: the change and its
// record commit together or not at all.
func appendChange(ctx context.Context, tx dbtx, c kolokol.Change) error {
	groups, err := sqlrow.EncodeList(c.Groups)
	if err != nil {
		return err
	}
	latest, err := sqlrow.EncodeList(c.Latest)
	if err != nil {
		return err
	}
	tags, err := sqlrow.EncodeList(c.Tags)
	if err != nil {
		return err
	}
	if tx.NextChange == nil {
		// AUTOINCREMENT numbers the change, never reusing a pruned seq.
		_, err = tx.ExecContext(ctx, `INSERT INTO changes (time, kind, service, article_id, media_id, listed, groups, latest, tags)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, now().UnixNano(), string(c.Kind), c.Service, c.ArticleID, c.MediaID, c.Listed, groups, latest, tags)
		return err
	}
	seq, err := tx.NextChange(ctx, tx.Tx)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO changes (seq, time, kind, service, article_id, media_id, listed, groups, latest, tags)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, seq, now().UnixNano(), string(c.Kind), c.Service, c.ArticleID, c.MediaID, c.Listed, groups, latest, tags)
	if err != nil || tx.ChangeAppended == nil {
		return err
	}
	return tx.ChangeAppended(ctx, tx.Tx, seq)
}

// FindChanges returns changes after a seq, oldest first.
func (s *Store) FindChanges(ctx context.Context, after int64, limit int) ([]*kolokol.Change, error) {
	if limit <= 0 || limit > kolokol.MaxChangeBatch {
		limit = kolokol.MaxChangeBatch
	}
	rows, err := s.db().QueryContext(ctx, `SELECT seq, time, kind, service, article_id, media_id, listed, groups, latest, tags
		FROM changes WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, s.wrapf(err, "find changes after %d", after)
	}
	out, err := sqlrow.Collect(rows, func(sc sqlrow.Scanner) (*kolokol.Change, error) {
		var c kolokol.Change
		var t sql.NullInt64
		var groups, latest, tags string
		if err := sc.Scan(&c.Seq, &t, &c.Kind, &c.Service, &c.ArticleID, &c.MediaID, &c.Listed, &groups, &latest, &tags); err != nil {
			return nil, err
		}
		c.Time = sqlrow.FromNanos(t)
		var err error
		if c.Groups, err = sqlrow.DecodeList(groups); err != nil {
			return nil, err
		}
		if c.Latest, err = sqlrow.DecodeList(latest); err != nil {
			return nil, err
		}
		c.Tags, err = sqlrow.DecodeList(tags)
		return &c, err
	})
	return out, s.wrapf(err, "find changes after %d", after)
}

// ChangeBounds returns the first and last seq the log holds.
func (s *Store) ChangeBounds(ctx context.Context) (first, last int64, err error) {
	err = s.read(ctx, func(tx dbtx) error {
		var lo, hi sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT min(seq), max(seq) FROM changes`).Scan(&lo, &hi); err != nil {
			return err
		}
		if hi.Valid {
			first, last = lo.Int64, hi.Int64
			return nil
		}
		// Empty: every change ever made was pruned, or none was made.
		seq, err := tx.LastChange(ctx, tx.Tx)
		if err != nil {
			return err
		}
		if seq > 0 {
			first, last = seq+1, seq
		}
		return nil
	})
	return first, last, s.wrapf(err, "find the change log's bounds")
}

// PruneChanges keeps the newest keep changes.
func (s *Store) PruneChanges(ctx context.Context, keep int) (int64, error) {
	if keep < 0 {
		return 0, kolokol.Errorf(kolokol.EINVALID, "cannot keep %d changes", keep)
	}
	var n int64
	err := s.write(ctx, func(tx dbtx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM changes WHERE seq <= (SELECT max(seq) FROM changes) - ?`, keep)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, s.wrapf(err, "prune the change log")
}

var consumerRE = regexp.MustCompile(`^[a-z][a-z0-9_.:-]{0,99}$`)

func checkConsumer(name string) error {
	if !consumerRE.MatchString(name) {
		return kolokol.FieldErrorf(kolokol.EINVALID, "consumer", "a consumer is named in lower-case letters, digits and _.:-, not %q", name)
	}
	return nil
}

// FindCursor returns a consumer's stored position in the log.
func (s *Store) FindCursor(ctx context.Context, consumer string) (int64, error) {
	if err := checkConsumer(consumer); err != nil {
		return 0, err
	}
	var seq int64
	err := s.db().QueryRowContext(ctx, `SELECT seq FROM cursors WHERE consumer = ?`, consumer).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, kolokol.Errorf(kolokol.ENOTFOUND, "consumer %q has no cursor", consumer)
	}
	return seq, s.wrapf(err, "find the cursor of %s", consumer)
}

// SetCursor stores a consumer's position in the log.
func (s *Store) SetCursor(ctx context.Context, consumer string, seq int64) error {
	if err := checkConsumer(consumer); err != nil {
		return err
	}
	if seq < 0 {
		return kolokol.FieldErrorf(kolokol.EINVALID, "seq", "a cursor is at seq 0 or later, not %d", seq)
	}
	return s.wrapf(s.writeUnlocked(ctx, func(tx dbtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO cursors (consumer, seq, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (consumer) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at`,
			consumer, seq, now().UnixNano())
		return err
	}), "set the cursor of %s", consumer)
}

// groupList lists the distinct non-empty translation groups among gs.
func groupList(gs ...string) []string {
	var out []string
	for _, g := range gs {
		if g != "" && !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}
