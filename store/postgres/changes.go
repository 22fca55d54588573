package postgres

import (
	"context"
	"database/sql"
	"errors"
	"github.com/kolokol/kolokol/store/sqlrow"
	"regexp"
	"slices"
	"strconv"

	"github.com/kolokol/kolokol"
)

// appendChange records c in the change log, in tx: the change and its
// record commit together or not at all.
func appendChange(ctx context.Context, tx *sql.Tx, c kolokol.Change) error {
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
	// The counter's row stays locked until tx ends, so the next append
	// waits for this one to commit or roll back: seqs become visible in
	// their order, and a follower reading after its cursor never misses a
	// change that commits later with a smaller seq. A rolled-back append
	// gives its number back, as SQLite's AUTOINCREMENT does.
	var seq int64
	if err := tx.QueryRowContext(ctx, `UPDATE change_counter SET seq = seq + 1 RETURNING seq`).Scan(&seq); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO changes (seq, time, kind, service, article_id, media_id, listed, groups, latest, tags)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, seq, now().UnixNano(), string(c.Kind), c.Service, c.ArticleID, c.MediaID, c.Listed, groups, latest, tags)
	if err != nil {
		return err
	}
	// Other servers listening (see Listen) are woken when tx commits, and
	// not at all if it rolls back: PostgreSQL delivers a transaction's
	// notifications at its commit.
	_, err = tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, changesChannel, strconv.FormatInt(seq, 10))
	return err
}

// FindChanges returns changes after a seq, oldest first.
func (s *Store) FindChanges(ctx context.Context, after int64, limit int) ([]*kolokol.Change, error) {
	if limit <= 0 || limit > kolokol.MaxChangeBatch {
		limit = kolokol.MaxChangeBatch
	}
	rows, err := s.q().QueryContext(ctx, `SELECT seq, time, kind, service, article_id, media_id, listed, groups, latest, tags
		FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2`, after, limit)
	if err != nil {
		return nil, wrapf(err, "find changes after %d", after)
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
	return out, wrapf(err, "find changes after %d", after)
}

// ChangeBounds returns the first and last seq the log holds.
func (s *Store) ChangeBounds(ctx context.Context) (first, last int64, err error) {
	err = s.read(ctx, func(tx *sql.Tx) error {
		var lo, hi sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT min(seq), max(seq) FROM changes`).Scan(&lo, &hi); err != nil {
			return err
		}
		if hi.Valid {
			first, last = lo.Int64, hi.Int64
			return nil
		}
		// Empty: every change ever made was pruned, or none was made.
		// The counter remembers the last seq handed out.
		var seq int64
		if err := tx.QueryRowContext(ctx, `SELECT seq FROM change_counter`).Scan(&seq); err != nil {
			return err
		}
		if seq > 0 {
			first, last = seq+1, seq
		}
		return nil
	})
	return first, last, wrapf(err, "find the change log's bounds")
}

// PruneChanges keeps the newest keep changes.
func (s *Store) PruneChanges(ctx context.Context, keep int) (int64, error) {
	if keep < 0 {
		return 0, kolokol.Errorf(kolokol.EINVALID, "cannot keep %d changes", keep)
	}
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM changes WHERE seq <= (SELECT max(seq) FROM changes) - $1`, keep)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, wrapf(err, "prune the change log")
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
	err := s.q().QueryRowContext(ctx, `SELECT seq FROM cursors WHERE consumer = $1`, consumer).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, kolokol.Errorf(kolokol.ENOTFOUND, "consumer %q has no cursor", consumer)
	}
	return seq, wrapf(err, "find the cursor of %s", consumer)
}

// SetCursor stores a consumer's position in the log.
func (s *Store) SetCursor(ctx context.Context, consumer string, seq int64) error {
	if err := checkConsumer(consumer); err != nil {
		return err
	}
	if seq < 0 {
		return kolokol.FieldErrorf(kolokol.EINVALID, "seq", "a cursor is at seq 0 or later, not %d", seq)
	}
	return wrapf(s.writeUnlocked(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO cursors (consumer, seq, updated_at) VALUES ($1, $2, $3)
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
