package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"github.com/kolokol/kolokol/store/sqlrow"
	"time"

	"github.com/kolokol/kolokol"
)

func checkLease(name, holder string, ttl time.Duration) error {
	switch {
	case name == "" || len(name) > 100:
		return kolokol.FieldErrorf(kolokol.EINVALID, "name", "a lease's name is 1 to 100 bytes")
	case holder == "" || len(holder) > 200:
		return kolokol.FieldErrorf(kolokol.EINVALID, "holder", "a lease's holder is 1 to 200 bytes")
	case ttl < 0 || ttl > 24*time.Hour:
		return kolokol.FieldErrorf(kolokol.EINVALID, "ttl", "a lease lasts up to a day, not %s", ttl)
	}
	return nil
}

// TryLease takes or renews a lease.
func (s *Store) TryLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if err := checkLease(name, holder, ttl); err != nil {
		return false, err
	}
	var got bool
	// One statement, which needs no write lock: a lease someone else holds
	// and that has not expired is left as it is, and no row changes.
	// PostgreSQL locks the conflicting row and checks the condition again
	// on it, so of two servers taking an expired lease at once one gets it.
	err := s.writeUnlocked(ctx, func(tx dbtx) error {
		t := now()
		res, err := tx.ExecContext(ctx, `INSERT INTO leases (name, holder, expires) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
			WHERE leases.holder = excluded.holder OR leases.expires <= ?`, name, holder, t.Add(ttl).UnixNano(), t.UnixNano())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		got = n == 1
		return err
	})
	return got, s.wrapf(err, "take the lease %s", name)
}

// ReleaseLease gives a lease up.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	return s.wrapf(s.writeUnlocked(ctx, func(tx dbtx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder)
		return err
	}), "release the lease %s", name)
}

func checkThrottle(kind, key string) error {
	if kind == "" || len(kind) > kolokol.MaxThrottleKey {
		return kolokol.FieldErrorf(kolokol.EINVALID, "kind", "a throttle's kind is 1 to %d bytes", kolokol.MaxThrottleKey)
	}
	if key == "" || len(key) > kolokol.MaxThrottleKey {
		return kolokol.FieldErrorf(kolokol.EINVALID, "key", "a throttle's key is 1 to %d bytes", kolokol.MaxThrottleKey)
	}
	return nil
}

// findThrottle reads a key's row; lock, if not empty, is Dialect.ForUpdate.
func findThrottle(ctx context.Context, q querier, kind, key, lock string) (kolokol.Throttle, bool, error) {
	var th kolokol.Throttle
	var last, until int64
	err := q.QueryRowContext(ctx, `SELECT failures, last, until FROM throttles WHERE kind = ? AND key = ?`+lock, kind, key).Scan(&th.Failures, &last, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return kolokol.Throttle{}, false, nil
	}
	if err != nil {
		return th, false, err
	}
	th.Last, th.Until = sqlrow.FromNanos(sql.NullInt64{Int64: last, Valid: last != 0}), sqlrow.FromNanos(sql.NullInt64{Int64: until, Valid: until != 0})
	return th, true, nil
}

// FindThrottle returns a key's count of failures.
func (s *Store) FindThrottle(ctx context.Context, kind, key string) (kolokol.Throttle, error) {
	if err := checkThrottle(kind, key); err != nil {
		return kolokol.Throttle{}, err
	}
	th, _, err := findThrottle(ctx, s.db(), kind, key, "")
	return th, s.wrapf(err, "find the throttle of %s", kind)
}

// FailThrottle counts a failure. It takes no write lock (a sign-in
// attempt must not queue behind an import): the key's row, made first if
// need be, is locked for the read and the write, so two failures at once
// on two servers both count.
func (s *Store) FailThrottle(ctx context.Context, kind, key string, b kolokol.ThrottleBounds, next func(kolokol.Throttle) kolokol.Throttle) error {
	if err := checkThrottle(kind, key); err != nil {
		return err
	}
	return s.wrapf(s.writeUnlocked(ctx, func(tx dbtx) error {
		_, found, err := findThrottle(ctx, tx, kind, key, "")
		if err != nil {
			return err
		}
		if !found && b.Max > 0 {
			// Two servers may both evict at once and drop a few keys
			// more than one would: the bound holds all the same.
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM throttles WHERE kind = ?`, kind).Scan(&n); err != nil {
				return err
			}
			if n >= b.Max {
				if err := evictThrottles(ctx, tx, kind, b, n); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO throttles (kind, key, failures, last, until) VALUES (?, ?, 0, 0, 0)
			ON CONFLICT (kind, key) DO NOTHING`, kind, key); err != nil {
			return err
		}
		th, _, err := findThrottle(ctx, tx, kind, key, tx.ForUpdate)
		if err != nil {
			return err
		}
		th = next(th)
		_, err = tx.ExecContext(ctx, `UPDATE throttles SET failures = ?, last = ?, until = ? WHERE kind = ? AND key = ?`,
			th.Failures, zeroNanos(th.Last), zeroNanos(th.Until), kind, key)
		return err
	}), "count a failure for %s", kind)
}

// evictThrottles brings a kind's n keys down to nine tenths of the bound,
// as auth.Limiter does in memory: first the forgotten keys, then the
// unlocked ones, then those whose locks end soonest.
func evictThrottles(ctx context.Context, tx dbtx, kind string, b kolokol.ThrottleBounds, n int) error {
	target := b.Max - b.Max/10 - 1
	res, err := tx.ExecContext(ctx, `DELETE FROM throttles WHERE kind = ? AND last < ?`, kind, b.Forget.UnixNano())
	if err != nil {
		return err
	}
	gone, err := res.RowsAffected()
	if err != nil {
		return err
	}
	n -= int(gone)
	for _, cond := range []string{`until <= ?`, `until > ?`} {
		if n <= target {
			return nil
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM throttles WHERE kind = ? AND key IN (
			SELECT key FROM throttles WHERE kind = ? AND (`+cond+`) ORDER BY until, key LIMIT ?)`,
			kind, kind, b.Now.UnixNano(), n-target)
		if err != nil {
			return err
		}
		gone, err := res.RowsAffected()
		if err != nil {
			return err
		}
		n -= int(gone)
	}
	return nil
}

// ResetThrottle forgets a key's failures.
func (s *Store) ResetThrottle(ctx context.Context, kind, key string) error {
	if err := checkThrottle(kind, key); err != nil {
		return err
	}
	return s.wrapf(s.writeUnlocked(ctx, func(tx dbtx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM throttles WHERE kind = ? AND key = ?`, kind, key)
		return err
	}), "reset the throttle of %s", kind)
}

func checkCeremony(key string) error {
	if key == "" || len(key) > 100 {
		return kolokol.FieldErrorf(kolokol.EINVALID, "key", "a ceremony's key is 1 to 100 bytes")
	}
	return nil
}

// PutCeremony stores a passkey ceremony.
func (s *Store) PutCeremony(ctx context.Context, key string, data []byte, at, expires time.Time, max int) error {
	if err := checkCeremony(key); err != nil {
		return err
	}
	if len(data) > 64<<10 {
		return kolokol.FieldErrorf(kolokol.EINVALID, "data", "a ceremony is at most 64 KiB")
	}
	if err := sqlrow.CheckTime("expires", expires); err != nil {
		return err
	}
	return s.wrapf(s.writeUnlocked(ctx, func(tx dbtx) error {
		t := at.UnixNano()
		if _, err := tx.ExecContext(ctx, `DELETE FROM ceremonies WHERE expires < ?`, t); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM ceremonies`).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return kolokol.Errorf(kolokol.ECONFLICT, "too many passkey ceremonies at once")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO ceremonies (key, data, expires) VALUES (?, ?, ?)`, key, data, expires.UnixNano())
		if tx.isUnique(err) {
			return kolokol.Errorf(kolokol.ECONFLICT, "there is a ceremony with this key")
		}
		return err
	}), "store a passkey ceremony")
}

// TakeCeremony returns a ceremony once.
func (s *Store) TakeCeremony(ctx context.Context, key string, at time.Time) ([]byte, error) {
	if err := checkCeremony(key); err != nil {
		return nil, err
	}
	var data []byte
	var expires int64
	err := s.writeUnlocked(ctx, func(tx dbtx) error {
		return tx.QueryRowContext(ctx, `DELETE FROM ceremonies WHERE key = ? RETURNING data, expires`, key).Scan(&data, &expires)
	})
	if errors.Is(err, sql.ErrNoRows) || err == nil && at.After(time.Unix(0, expires)) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "there is no such passkey ceremony, or it expired")
	}
	return data, s.wrapf(err, "take a passkey ceremony")
}

// zeroNanos is a throttle's time for its column, where 0 is "never".
func zeroNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// ThrottleKey returns the key sources are hashed under, replacing one made
// before notBefore.
func (s *Store) ThrottleKey(ctx context.Context, notBefore time.Time, fresh []byte) ([]byte, error) {
	if len(fresh) < 16 || len(fresh) > 64 {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "key", "a throttle key is 16 to 64 bytes")
	}
	var key []byte
	err := s.writeUnlocked(ctx, func(tx dbtx) error {
		// One statement decides: of servers replacing an old key at once,
		// the first's key stays and the others read it.
		if _, err := tx.ExecContext(ctx, `INSERT INTO throttle_key (id, key, made) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET key = excluded.key, made = excluded.made WHERE throttle_key.made < ?`,
			fresh, now().UnixNano(), notBefore.UnixNano()); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT key FROM throttle_key WHERE id = 1`).Scan(&key)
	})
	return key, s.wrapf(err, "find the throttle key")
}

// PruneThrottles deletes forgotten counts.
func (s *Store) PruneThrottles(ctx context.Context, forget, at time.Time) (int64, error) {
	var n int64
	err := s.writeUnlocked(ctx, func(tx dbtx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM throttles WHERE last < ? AND until <= ?`, forget.UnixNano(), at.UnixNano())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, s.wrapf(err, "prune the throttle's counts")
}
