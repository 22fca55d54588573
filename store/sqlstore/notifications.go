package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/store/sqlrow"
)

const notificationColumns = `id, user_id, kind, service, article_id, actor, headline, created_at, read_at`

// NotifyDesk stores n for every enabled account with one of roles on
// n.Service, but except, in one statement: the recipients are who holds
// those desks when it runs.
func (s *Store) NotifyDesk(ctx context.Context, n kolokol.Notification, roles []kolokol.Role, except string) ([]*kolokol.Notification, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	if len(roles) == 0 {
		return nil, nil
	}
	t := now()
	args := []any{n.Kind, n.Service, n.ArticleID, n.Actor, n.Headline, t.UnixNano(), n.Service, except}
	for _, r := range roles {
		args = append(args, string(r))
	}
	var out []*kolokol.Notification
	err := s.write(ctx, func(tx dbtx) error {
		rows, err := tx.QueryContext(ctx, `INSERT INTO notifications (user_id, kind, service, article_id, actor, headline, created_at)
			SELECT d.user_id, ?, ?, ?, ?, ?, ? FROM user_desks d, users u
			WHERE u.id = d.user_id AND d.service = ? AND NOT u.disabled AND u.email <> ? AND d.role IN (?`+strings.Repeat(", ?", len(roles)-1)+`)
			RETURNING `+notificationColumns, args...)
		if err != nil {
			return err
		}
		out, err = sqlrow.Collect(rows, scanNotification)
		return err
	})
	if err != nil {
		return nil, s.wrapf(err, "notify the %s desk", n.Service)
	}
	return out, nil
}

// FindNotifications returns an account's notifications, newest first.
func (s *Store) FindNotifications(ctx context.Context, userID int64) ([]*kolokol.Notification, error) {
	rows, err := s.db().QueryContext(ctx, `SELECT `+notificationColumns+` FROM notifications
		WHERE user_id = ? ORDER BY id DESC LIMIT ?`, userID, kolokol.MaxNotifications)
	if err != nil {
		return nil, s.wrapf(err, "find notifications of user %d", userID)
	}
	out, err := sqlrow.Collect(rows, scanNotification)
	return out, s.wrapf(err, "find notifications of user %d", userID)
}

// CountUnread counts an account's unread notifications.
func (s *Store) CountUnread(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.db().QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE user_id = ? AND read_at = 0`, userID).Scan(&n)
	return n, s.wrapf(err, "count unread notifications of user %d", userID)
}

// MarkRead marks notifications of an account read; a notification already
// read keeps its first time.
func (s *Store) MarkRead(ctx context.Context, userID int64, ids []int64, at time.Time) error {
	if err := sqlrow.CheckTime("read_at", at); err != nil {
		return err
	}
	if at.IsZero() {
		return kolokol.FieldErrorf(kolokol.EINVALID, "read_at", "a notification is read at a time")
	}
	q, args := `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at = 0`, []any{at.UnixNano(), userID}
	if len(ids) > 0 {
		q += ` AND id IN (?` + strings.Repeat(", ?", len(ids)-1) + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	err := s.writeUnlocked(ctx, func(tx dbtx) error {
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	})
	return s.wrapf(err, "mark notifications of user %d read", userID)
}

func scanNotification(sc sqlrow.Scanner) (*kolokol.Notification, error) {
	var n kolokol.Notification
	var created, read sql.NullInt64
	if err := sc.Scan(&n.ID, &n.UserID, &n.Kind, &n.Service, &n.ArticleID, &n.Actor, &n.Headline, &created, &read); err != nil {
		return nil, fmt.Errorf("scan notification: %w", err)
	}
	n.CreatedAt = sqlrow.FromNanos(created)
	if read.Int64 != 0 { // 0: unread
		n.ReadAt = sqlrow.FromNanos(read)
	}
	return &n, nil
}
