package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/kolokol/kolokol/store/sqlrow"
	"slices"
	"strings"

	"github.com/kolokol/kolokol"
)

const userColumns = `id, email, name, password_hash, role, services, totp_secret, totp_last_step,
	recovery_hashes, disabled, created_at, updated_at, version,
	zone`

// CreateUser stores a new account and sets ID, CreatedAt, UpdatedAt and
// Version.
func (s *Store) CreateUser(ctx context.Context, u *kolokol.User) error {
	c := withDesks(u)
	vals, err := checkUser(c)
	if err != nil {
		return err
	}
	t := now()
	var id int64
	err = s.write(ctx, func(tx dbtx) error {
		newID, err := tx.insert(ctx, `INSERT INTO users (email, name, password_hash, role, services,
			totp_secret, totp_last_step, recovery_hashes, disabled, zone, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`, append(vals, t.UnixNano(), t.UnixNano())...)
		if tx.isUnique(err) {
			return kolokol.FieldErrorf(kolokol.ECONFLICT, "email", "an account with this email already exists")
		} else if err != nil {
			return err
		}
		id = newID
		return writeDesks(ctx, tx, id, c.Desks)
	})
	if err != nil {
		return s.wrapf(err, "create user")
	}
	u.Role, u.Services, u.Desks = c.Role, c.Services, c.Desks
	u.ID, u.CreatedAt, u.UpdatedAt, u.Version = id, t, t, 1
	return nil
}

// UpdateUser writes every field but ID and CreatedAt, provided the stored
// version is still u.Version.
func (s *Store) UpdateUser(ctx context.Context, u *kolokol.User) error {
	c := withDesks(u)
	vals, err := checkUser(c)
	if err != nil {
		return err
	}
	t := now()
	err = s.write(ctx, func(tx dbtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET email = ?, name = ?, password_hash = ?, role = ?,
			services = ?, totp_secret = ?, totp_last_step = ?, recovery_hashes = ?, disabled = ?,
			zone = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
			append(vals, t.UnixNano(), u.ID, u.Version)...)
		if tx.isUnique(err) {
			return kolokol.FieldErrorf(kolokol.ECONFLICT, "email", "an account with this email already exists")
		} else if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return userConflict(ctx, tx, u.ID, u.Version)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_desks WHERE user_id = ?`, u.ID); err != nil {
			return err
		}
		return writeDesks(ctx, tx, u.ID, c.Desks)
	})
	if err != nil {
		return s.wrapf(err, "update user %d", u.ID)
	}
	u.Role, u.Services, u.Desks = c.Role, c.Services, c.Desks
	u.Version++
	u.UpdatedAt = t
	return nil
}

// withDesks is the account as it will be stored: with its desks, and its
// role and services as they say (see kolokol.User.FillDesks). The
// caller's value changes only once it is stored.
func withDesks(u *kolokol.User) *kolokol.User {
	c := *u
	c.Desks = slices.Clone(u.Desks)
	c.FillDesks()
	return &c
}

func writeDesks(ctx context.Context, tx dbtx, userID int64, desks []kolokol.Desk) error {
	for _, d := range desks {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_desks (user_id, service, role) VALUES (?, ?, ?)`,
			userID, d.Service, string(d.Role)); err != nil {
			return fmt.Errorf("desk %s: %w", d, err)
		}
	}
	return nil
}

// findDesks reads the desks of the accounts in us.
func findDesks(ctx context.Context, q querier, us ...*kolokol.User) error {
	query, args := `SELECT user_id, service, role FROM user_desks ORDER BY user_id, service`, []any(nil)
	if len(us) == 1 {
		query, args = `SELECT user_id, service, role FROM user_desks WHERE user_id = ? ORDER BY service`, []any{us[0].ID}
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("desks: %w", err)
	}
	type row struct {
		user int64
		kolokol.Desk
	}
	all, err := sqlrow.Collect(rows, func(sc sqlrow.Scanner) (r row, err error) {
		return r, sc.Scan(&r.user, &r.Service, &r.Role)
	})
	if err != nil {
		return fmt.Errorf("desks: %w", err)
	}
	byID := make(map[int64]*kolokol.User, len(us))
	for _, u := range us {
		byID[u.ID] = u
	}
	for _, r := range all {
		if u := byID[r.user]; u != nil {
			u.Desks = append(u.Desks, r.Desk)
		}
	}
	return nil
}

func checkUser(u *kolokol.User) ([]any, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	services, err := sqlrow.EncodeList(u.Services)
	if err != nil {
		return nil, fmt.Errorf("encode user services: %w", err)
	}
	recovery, err := sqlrow.EncodeList(u.RecoveryHashes)
	if err != nil {
		return nil, fmt.Errorf("encode recovery hashes: %w", err)
	}
	return []any{u.Email, u.Name, u.PasswordHash, string(u.Role), services, u.TOTPSecret, u.TOTPLastStep,
		recovery, u.Disabled, u.Zone}, nil
}

// FindUserByID returns an account.
func (s *Store) FindUserByID(ctx context.Context, id int64) (*kolokol.User, error) {
	u, err := scanUser(s.db().QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "there is no user %d", id)
	} else if err == nil {
		err = findDesks(ctx, s.db(), u)
	}
	return u, s.wrapf(err, "find user %d", id)
}

// FindUserByEmail returns the account signing in with email, which is
// trimmed and lowercased as User.Normalize does.
func (s *Store) FindUserByEmail(ctx context.Context, email string) (*kolokol.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	u, err := scanUser(s.db().QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "no account with that email")
	} else if err == nil {
		err = findDesks(ctx, s.db(), u)
	}
	return u, s.wrapf(err, "find user by email")
}

// FindUsers returns every account, ordered by email.
func (s *Store) FindUsers(ctx context.Context) ([]*kolokol.User, error) {
	rows, err := s.db().QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY email`)
	if err != nil {
		return nil, s.wrapf(err, "find users")
	}
	out, err := sqlrow.Collect(rows, scanUser)
	if err == nil && len(out) > 0 {
		err = findDesks(ctx, s.db(), out...)
	}
	return out, s.wrapf(err, "find users")
}

func scanUser(sc sqlrow.Scanner) (*kolokol.User, error) {
	var u kolokol.User
	var services, recovery string
	var created, updated sql.NullInt64
	err := sc.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.Role, &services, &u.TOTPSecret,
		&u.TOTPLastStep, &recovery, &u.Disabled, &created, &updated, &u.Version,
		&u.Zone)
	if err != nil {
		return nil, err
	}
	if u.Services, err = sqlrow.DecodeList(services); err != nil {
		return nil, fmt.Errorf("user %d: %w", u.ID, err)
	}
	if u.RecoveryHashes, err = sqlrow.DecodeList(recovery); err != nil {
		return nil, fmt.Errorf("user %d: %w", u.ID, err)
	}
	u.CreatedAt, u.UpdatedAt = sqlrow.FromNanos(created), sqlrow.FromNanos(updated)
	return &u, nil
}

// errStale marks an UPDATE that matched no row, before userConflict says why.
var errStale = errors.New("no row at that version")

// userConflict says why an update of account id at version changed nothing:
// it does not exist, or someone else changed it first.
func userConflict(ctx context.Context, tx dbtx, id int64, version int) error {
	var current int
	err := tx.QueryRowContext(ctx, `SELECT version FROM users WHERE id = ?`, id).Scan(&current)
	if errors.Is(err, sql.ErrNoRows) {
		return kolokol.Errorf(kolokol.ENOTFOUND, "there is no user %d", id)
	} else if err != nil {
		return err
	}
	return kolokol.Errorf(kolokol.ECONFLICT, "user %d was changed by someone else: it is at version %d, not %d", id, current, version)
}
