package sqlite

import (
	"slices"
	"strings"
	"testing"
)

// TestMediaFromBeforeServices: media stored before migration 15 belong to
// the services whose stories show them or showed them in a revision; a
// media no story ever showed belongs to no service.
func TestMediaFromBeforeServices(t *testing.T) {
	path, db := migratedBefore(t, 15)
	for _, q := range []string{
		`INSERT INTO services (code, tag, script, direction, name, english_name, time_zone, created_at, updated_at)
			VALUES ('ru', 'ru', 'Cyrl', 'ltr', 'x', 'x', 'UTC', 1, 1), ('fa', 'fa', 'Arab', 'rtl', 'x', 'x', 'UTC', 1, 1)`,
		`INSERT INTO media (id, hash, content_type, size, created_at) VALUES
			(1, '` + strings.Repeat("a1", 32) + `', 'image/jpeg', 1, 1),
			(2, '` + strings.Repeat("b2", 32) + `', 'image/jpeg', 1, 1),
			(3, '` + strings.Repeat("c3", 32) + `', 'image/jpeg', 1, 1)`,
		// Story 1 (ru) shows media 1; story 2 (fa) showed media 2 and now
		// shows media 1 too; media 3 was never shown.
		`INSERT INTO articles (id, service, slug, headline, status, created_at, updated_at, lead_media_id, lead_alt)
			VALUES (1, 'ru', 'a', 'A', 'draft', 1, 1, 1, 'x'), (2, 'fa', 'b', 'B', 'draft', 1, 1, 1, 'x')`,
		`INSERT INTO revisions (article_id, version, created_at, status, headline, lead_media_id)
			VALUES (2, 1, 1, 'draft', 'B', 2), (2, 2, 1, 'draft', 'B', 1), (1, 1, 1, 'draft', 'A', 99)`,
	} {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s := openTest(t, path)
	for id, want := range map[int64][]string{1: {"fa", "ru"}, 2: {"fa"}, 3: nil} {
		m, err := s.FindMediaByID(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(m.Services, want) {
			t.Errorf("media %d belongs to %v, want %v", id, m.Services, want)
		}
	}
}
