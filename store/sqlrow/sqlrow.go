// Package sqlrow holds the conversions between the domain's values and
// SQL rows that the SQLite and PostgreSQL stores share, so that both keep
// the same data the same way: times as unix nanoseconds (NULL for "not
// set"), lists as JSON text, and empty lists as nil.
package sqlrow

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/kolokol/kolokol"
)

// Nanos converts t for an integer column. The zero time is NULL so that
// "not set" survives the round trip.
func Nanos(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// FromNanos is Nanos back.
func FromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// CheckTime refuses a time that would overflow its column instead of
// storing a wrong date: unix nanoseconds in an int64 span 1678 to 2262.
func CheckTime(field string, t time.Time) error {
	if t.IsZero() || time.Unix(0, t.UnixNano()).Equal(t) {
		return nil
	}
	return kolokol.FieldErrorf(kolokol.EINVALID, field, "%s %s is out of range", field, t.Format(time.RFC3339))
}

// EncodeList stores an empty list as [] so the column never holds null.
func EncodeList(l []string) (string, error) {
	if len(l) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(l)
	return string(b), err
}

// DecodeList returns nil for an empty list, as the rest of the store does.
func DecodeList(s string) ([]string, error) {
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, err
	}
	if len(l) == 0 {
		return nil, nil
	}
	return l, nil
}

// Scanner is what *sql.Row and *sql.Rows have in common.
type Scanner interface {
	Scan(dest ...any) error
}

// Collect scans every row with scan and closes rows. An empty result is a
// nil slice, the same for every list the stores return.
func Collect[T any](rows *sql.Rows, scan func(Scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// RowQuerier is what Exists queries: a *sql.Tx, or a store's own wrapper
// of one.
type RowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Exists runs a SELECT 1 query and reports whether it found a row.
func Exists(ctx context.Context, tx RowQuerier, query string, args ...any) (bool, error) {
	var one int
	err := tx.QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// OneRow checks the result of an UPDATE or DELETE of one row by its key:
// the statement's own error, or missing when it changed no row.
func OneRow(res sql.Result, err error, missing error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return missing
	}
	return nil
}
