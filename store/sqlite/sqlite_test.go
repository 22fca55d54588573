package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/store/sqlstore"
	"github.com/kolokol/kolokol/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) kolokol.Store { return openTest(t, filepath.Join(t.TempDir(), "kolokol.db")) })
}

func openTest(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

type migrationRow struct {
	version, appliedAt int64
}

func migrationRows(t *testing.T, db *sql.DB) []migrationRow {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT version, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []migrationRow
	for rows.Next() {
		var r migrationRow
		if err := rows.Scan(&r.version, &r.appliedAt); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "news room", "kolokol?#%.db")
	if err := os.Mkdir(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	before := migrationRows(t, s.writer)
	ms, err := sqlstore.LoadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != len(ms) {
		t.Fatalf("%d migrations recorded, want %d", len(before), len(ms))
	}
	svc := &kolokol.Service{Code: "ka", Tag: "ka-GE", Script: "Geor", Direction: kolokol.LTR,
		Name: "ქართული", TimeZone: "Asia/Tbilisi"}
	if err := s.CreateService(t.Context(), svc); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at the path it was given: %v", err)
	}

	s = openTest(t, path)
	if got, err := s.FindServiceByCode(t.Context(), "ka"); err != nil || got.Name != svc.Name {
		t.Fatalf("after reopening: %+v, %v", got, err)
	}
	after := migrationRows(t, s.writer)
	if len(after) != len(before) {
		t.Fatalf("reopening changed the migrations from %v to %v", before, after)
	}
	for i := range after {
		if after[i] != before[i] {
			t.Errorf("reopening re-applied migration %d: %v, was %v", after[i].version, after[i], before[i])
		}
	}
}

func TestPragmas(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "kolokol.db"))
	for _, h := range []struct {
		name      string
		db        *sql.DB
		queryOnly string
	}{{"writer", s.writer, "0"}, {"reader", s.reader, "1"}} {
		// Hold several connections at once so that the pool must open
		// more than the first; each must have the pragmas.
		var conns []*sql.Conn
		for range readers {
			conn, err := h.db.Conn(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, conn)
			checkPragmas(t, h.name, conn, h.queryOnly)
			if h.name == "writer" {
				break // the writer pool has one connection; a second would wait forever
			}
		}
		for _, c := range conns {
			c.Close()
		}
	}
}

func checkPragmas(t *testing.T, name string, conn *sql.Conn, queryOnly string) {
	t.Helper()
	for _, p := range []struct {
		pragma, want string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"synchronous", "1"}, // NORMAL
		{"query_only", queryOnly},
	} {
		var got string
		if err := conn.QueryRowContext(t.Context(), "PRAGMA "+p.pragma).Scan(&got); err != nil {
			t.Fatalf("%s: PRAGMA %s: %v", name, p.pragma, err)
		}
		if strings.ToLower(got) != p.want {
			t.Errorf("%s: PRAGMA %s = %s, want %s", name, p.pragma, got, p.want)
		}
	}
}

func TestReaderCannotWrite(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "kolokol.db"))
	_, err := s.reader.ExecContext(t.Context(), `INSERT INTO media (hash, content_type, size, created_at) VALUES ('x', 'image/png', 1, 0)`)
	if err == nil {
		t.Fatal("a reader connection wrote to the database")
	}
}

func TestOpenNeedsDirectory(t *testing.T) {
	_, err := Open(t.Context(), filepath.Join(t.TempDir(), "missing", "kolokol.db"))
	if err == nil {
		t.Fatal("Open made a database in a directory that does not exist")
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kolokol.db")
	s := openTest(t, path)
	if _, err := s.writer.ExecContext(t.Context(), `INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)`); err != nil {
		t.Fatal(err)
	}
	if s2, err := Open(t.Context(), path); err == nil {
		s2.Close()
		t.Fatal("Open accepted a database from a newer binary")
	}
}

// TestMediaFromBeforeRenditions opens a database whose media rows predate
// migration 3: they keep their file, get the centre as their focal point
// and have no renditions.
func TestMediaFromBeforeRenditions(t *testing.T) {
	path, db := migratedBefore(t, 3)
	hash := strings.Repeat("c0", 32)
	if _, err := db.ExecContext(t.Context(), `INSERT INTO media (hash, content_type, size, width, height, created_at)
		VALUES (?, 'image/png', 1234, 64, 36, 1)`, hash); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s := openTest(t, path)
	m, err := s.FindMediaByID(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if m.Hash != hash || m.ContentType != "image/png" || m.FocalX != 0.5 || m.FocalY != 0.5 || m.Renditions != nil {
		t.Fatalf("media from before renditions: %+v", m)
	}
	if err := s.UpdateMediaFocal(t.Context(), 1, 0.2, 0.8, nil); err != nil {
		t.Fatal(err)
	}
	// The database refuses a focal point outside the picture even from a
	// writer that skips validation.
	if _, err := s.writer.ExecContext(t.Context(), `UPDATE media SET focal_x = 1.5 WHERE id = 1`); err == nil {
		t.Fatal("the schema accepted a focal point outside the picture")
	}
}

// TestHeadlinesFromBeforeSearch: stories stored before the headline search
// existed are found by it, in any script and case.
func TestHeadlinesFromBeforeSearch(t *testing.T) {
	path, db := migratedBefore(t, 9)
	for i, h := range []string{"ПАРОМ вернулся", "Ferry RETURNS", "Ελληνικά ΝΕΑ"} {
		if _, err := db.ExecContext(t.Context(), `INSERT INTO services (code, tag, script, direction, name, english_name, time_zone, created_at, updated_at)
			VALUES (?, 'ru', 'Cyrl', 'ltr', 'x', 'x', 'UTC', 1, 1) ON CONFLICT DO NOTHING`, "ru"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(t.Context(), `INSERT INTO articles (service, slug, headline, status, created_at, updated_at)
			VALUES ('ru', ?, ?, 'draft', 1, 1)`, fmt.Sprint("s", i), h); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s := openTest(t, path)
	for q, want := range map[string]int{"паром": 1, "ferry returns": 1, "νεα": 1, "ς": 0} {
		got, err := s.FindArticles(t.Context(), kolokol.ArticleFilter{Query: q})
		if err != nil || len(got) != want {
			t.Errorf("search %q found %d (%v), want %d", q, len(got), err, want)
		}
	}
}

// migratedBefore makes a database with the migrations before version
// applied, as an older binary left it, and returns its path and a pool on it.
func migratedBefore(t *testing.T, version int) (string, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kolokol.db")
	db, err := openPool(t.Context(), dsn(path, false), 1)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := sqlstore.LoadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(t.Context(), `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Version >= version {
			break
		}
		if err := apply(t.Context(), db, m, now()); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
	}
	return path, db
}

// TestEnrolmentsFromBeforeLinkSecrets: links made before links carried
// their TOTP secret get the secret their account was shown (or a new one);
// links of enrolled accounts, the takeover of issue 11, are removed; an
// account that never enrolled keeps no secret; audit entries are found by
// their service.
func TestEnrolmentsFromBeforeLinkSecrets(t *testing.T) {
	path, db := migratedBefore(t, 13)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(t.Context(), q, args...); err != nil {
			t.Fatal(err)
		}
	}
	const shown = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	exec(`INSERT INTO users (id, email, role, services, totp_secret, created_at, updated_at) VALUES (1, 'new@example.org', 'admin', '[]', ?, 1, 1)`, shown)
	exec(`INSERT INTO users (id, email, role, services, created_at, updated_at) VALUES (2, 'unopened@example.org', 'admin', '[]', 1, 1)`)
	exec(`INSERT INTO users (id, email, role, services, password_hash, totp_secret, created_at, updated_at) VALUES (3, 'enrolled@example.org', 'admin', '[]', '$argon2id$x', ?, 1, 1)`, shown)
	far := time.Now().Add(time.Hour).UnixNano()
	exec(`INSERT INTO enrolments (token_hash, user_id, expires_at) VALUES (?, 1, ?), (?, 2, ?), (?, 3, ?)`,
		kolokol.HashToken("a"), far, kolokol.HashToken("b"), far, kolokol.HashToken("c"), far)
	exec(`INSERT INTO audit_log (time, actor, action, service) VALUES (1, 'x', 'article.publish', 'ru')`)
	db.Close()
	s := openTest(t, path)
	ctx := t.Context()
	a, err := s.FindEnrolment(ctx, kolokol.HashToken("a"), time.Now())
	if err != nil || a.TOTPSecret != shown {
		t.Errorf("the opened link: %+v %v", a, err)
	}
	b, err := s.FindEnrolment(ctx, kolokol.HashToken("b"), time.Now())
	if err != nil || b.Validate() != nil {
		t.Errorf("the unopened link: %+v %v", b, err)
	}
	if _, err := s.FindEnrolment(ctx, kolokol.HashToken("c"), time.Now()); !kolokol.IsNotFound(err) {
		t.Errorf("the enrolled account's link survived: %v", err)
	}
	if u, _ := s.FindUserByID(ctx, 1); u.TOTPSecret != "" {
		t.Error("an account that never enrolled keeps a second factor")
	}
	if u, _ := s.FindUserByID(ctx, 3); u.TOTPSecret != shown {
		t.Error("an enrolled account lost its second factor")
	}
	if es, _ := s.FindAudit(ctx, kolokol.AuditFilter{Service: "ru"}); len(es) != 1 {
		t.Errorf("old audit entries by service: %d", len(es))
	}
}

// TestAuthorsFromBeforeFolding: stories stored before author_fold existed
// are found by the author filter in any script and case.
func TestAuthorsFromBeforeFolding(t *testing.T) {
	path, db := migratedBefore(t, 17)
	if _, err := db.ExecContext(t.Context(), `INSERT INTO services (code, tag, script, direction, name, english_name, time_zone, created_at, updated_at)
		VALUES ('ru', 'ru', 'Cyrl', 'ltr', 'x', 'x', 'UTC', 1, 1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(t.Context(), `INSERT INTO articles (service, slug, headline, status, created_by, bylines, created_at, updated_at)
		VALUES ('ru', 's', 'Паром', 'draft', 'Editor@Example.org', '["Анна Петрова"]', 1, 1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s := openTest(t, path)
	for q, want := range map[string]int{"анна": 1, "ПЕТРОВА": 1, "editor@example.org": 1, "editor": 0} {
		got, err := s.FindArticles(t.Context(), kolokol.ArticleFilter{Author: q})
		if err != nil || len(got) != want {
			t.Errorf("author %q found %d (%v), want %d", q, len(got), err, want)
		}
	}
}

// TestTagsFromBeforeTagKeys: stories stored before article_tags existed are
// found by their tags, in any spelling, and their tags listed.
func TestTagsFromBeforeTagKeys(t *testing.T) {
	path, db := migratedBefore(t, 21)
	if _, err := db.ExecContext(t.Context(), `INSERT INTO services (code, tag, script, direction, name, english_name, time_zone, created_at, updated_at)
		VALUES ('ru', 'ru', 'Cyrl', 'ltr', 'x', 'x', 'UTC', 1, 1)`); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO articles (service, slug, headline, status, published_at, tags, created_at, updated_at)
			VALUES ('ru', 's', 'Паром', 'published', 1, '["Климат", "Паромы"]', 1, 1)`,
		`INSERT INTO articles (service, slug, headline, status, tags, created_at, updated_at)
			VALUES ('ru', 't', 'Черновик', 'draft', '["климат", "Черновое"]', 1, 1)`,
	} {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s := openTest(t, path)
	for q, want := range map[string]int{"климат": 2, "КЛИМАТ": 2, "паромы": 1, "черновое": 1, "паром": 0} {
		if got, err := s.CountArticles(t.Context(), kolokol.ArticleFilter{Service: "ru", Tag: q}); err != nil || got != want {
			t.Errorf("tag %q counted %d (%v), want %d", q, got, err, want)
		}
	}
	tags, err := s.FindTags(t.Context(), "ru")
	if want := []kolokol.TagCount{{Key: "климат", Stories: 1}, {Key: "паромы", Stories: 1}}; err != nil || !slices.Equal(tags, want) {
		t.Errorf("tags %v (%v), want %v", tags, err, want)
	}
}
