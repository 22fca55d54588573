package postgres

import (
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/kolokol/kolokol/internal/pgtest"
	"github.com/kolokol/kolokol/store/sqlstore"
)

// TestDesksFromBeforeRoles: an account stored with one role for its
// services keeps that role on each of them; a global admin gets no desks.
func TestDesksFromBeforeRoles(t *testing.T) {
	dsn := pgtest.DSN(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ms, err := sqlstore.LoadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := db.ExecContext(ctx, `CREATE TABLE schema_migrations (version bigint PRIMARY KEY, applied_at bigint NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Version >= 5 {
			break
		}
		if err := locked(ctx, db, func(tx *sql.Tx) error { return apply(ctx, tx, m, time.Now()) }); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
	}
	for _, q := range []string{
		`INSERT INTO users (id, email, role, services, created_at, updated_at) VALUES (1, 'ed@example.org', 'editor', '["ru","fa"]', 1, 1)`,
		`INSERT INTO users (id, email, role, services, created_at, updated_at) VALUES (2, 'rep@example.org', 'reporter', '["ka"]', 1, 1)`,
		`INSERT INTO users (id, email, role, services, created_at, updated_at) VALUES (3, 'root@example.org', 'admin', '[]', 1, 1)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s := openTest(t, dsn)
	for id, want := range map[int64]string{1: "[fa=editor ru=editor]", 2: "[ka=reporter]", 3: "[]"} {
		u, err := s.FindUserByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(u.Desks); got != want {
			t.Errorf("account %d: desks %s, want %s", id, got, want)
		}
	}
}
