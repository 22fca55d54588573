package sqlite

import (
	"fmt"
	"testing"
)

// TestDesksFromBeforeRoles: an account stored with one role for its
// services keeps that role on each of them; a global admin gets no desks.
func TestDesksFromBeforeRoles(t *testing.T) {
	path, db := migratedBefore(t, 25)
	for _, q := range []string{
		`INSERT INTO users (id, email, role, services, created_at, updated_at) VALUES (1, 'ed@example.org', 'editor', '["ru","fa"]', 1, 1)`,
		`INSERT INTO users (id, email, role, services, created_at, updated_at) VALUES (2, 'rep@example.org', 'reporter', '["ka"]', 1, 1)`,
		`INSERT INTO users (id, email, role, services, created_at, updated_at) VALUES (3, 'root@example.org', 'admin', '[]', 1, 1)`,
	} {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s := openTest(t, path)
	for id, want := range map[int64]string{1: "[fa=editor ru=editor]", 2: "[ka=reporter]", 3: "[]"} {
		u, err := s.FindUserByID(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(u.Desks); got != want {
			t.Errorf("account %d: desks %s, want %s", id, got, want)
		}
		if err := u.Validate(); err != nil {
			t.Errorf("account %d as migrated is invalid: %v", id, err)
		}
	}
}
