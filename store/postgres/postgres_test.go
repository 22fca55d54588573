package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"testing"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/internal/pgtest"
	"github.com/kolokol/kolokol/store/sqlstore"
	"github.com/kolokol/kolokol/store/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) kolokol.Store { return openTest(t, pgtest.DSN(t)) })
}

func openTest(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", Redact(dsn), err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

func createService(t testing.TB, s *Store, code string) {
	t.Helper()
	if err := s.CreateService(t.Context(), &kolokol.Service{Code: code, Tag: code, Script: "Cyrl", Direction: kolokol.LTR,
		Name: "Служба " + code, TimeZone: "Europe/Moscow"}); err != nil {
		t.Fatal(err)
	}
}

type migrationRow struct {
	version, appliedAt int64
}

func migrationRows(t *testing.T, db *sql.DB) []migrationRow {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), `SELECT version, applied_at FROM schema_migrations ORDER BY version`)
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
	dsn := pgtest.DSN(t)
	s, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	before := migrationRows(t, s.db)
	ms, err := sqlstore.LoadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != len(ms) {
		t.Fatalf("%d migrations recorded, want %d", len(before), len(ms))
	}
	createService(t, s, "ka")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dsn)
	if got, err := s.FindServiceByCode(t.Context(), "ka"); err != nil || got.Name != "Служба ka" {
		t.Fatalf("after reopening: %+v, %v", got, err)
	}
	if after := migrationRows(t, s.db); !slices.Equal(after, before) {
		t.Errorf("reopening changed the migrations from %v to %v", before, after)
	}
}

// TestServersStartingTogether: servers opening one new database at once
// apply each migration once (the advisory lock), and all of them open.
func TestServersStartingTogether(t *testing.T) {
	dsn := pgtest.DSN(t)
	const servers = 4
	stores := make([]*Store, servers)
	errs := make([]error, servers)
	var wg sync.WaitGroup
	for i := range servers {
		wg.Go(func() { stores[i], errs[i] = Open(t.Context(), dsn) })
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Errorf("server %d: %v", i, errs[i])
			continue
		}
		defer s.Close()
	}
	if t.Failed() {
		return
	}
	ms, _ := sqlstore.LoadMigrations(migrationFiles)
	if got := migrationRows(t, stores[0].db); len(got) != len(ms) {
		t.Errorf("migrations recorded %v, want %d", got, len(ms))
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dsn := pgtest.DSN(t)
	s := openTest(t, dsn)
	if _, err := s.db.ExecContext(t.Context(), `INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)`); err != nil {
		t.Fatal(err)
	}
	if s2, err := Open(t.Context(), dsn); err == nil {
		s2.Close()
		t.Fatal("Open accepted a database from a newer binary")
	}
}

// TestSchemaChecks: the schema refuses what the store's own checks refuse,
// from a writer that skips them.
func TestSchemaChecks(t *testing.T) {
	s := openTest(t, pgtest.DSN(t))
	ctx := t.Context()
	if err := s.CreateMedia(ctx, &kolokol.Media{Hash: strings.Repeat("c0", 32), ContentType: "image/png", Size: 1234,
		Width: 64, Height: 36, FocalX: 0.5, FocalY: 0.5}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE media SET focal_x = 1.5`,
		`INSERT INTO tokens (name, hash, role, created_at, last_used) VALUES ('x', 'h', 'admin', 1, '2026-01-02T10:00:00Z')`,
	} {
		if _, err := s.db.ExecContext(ctx, q); err == nil {
			t.Errorf("the schema accepted %s", q)
		}
	}
}

// TestOpenRedactsPassword: a server that cannot be reached is named in the
// error without the password the address carries.
func TestOpenRedactsPassword(t *testing.T) {
	for _, dsn := range []string{
		"postgres://kolokol:s3cr3t-pw@127.0.0.1:1/news?sslmode=disable&connect_timeout=5",
		"postgres://kolokol@127.0.0.1:1/news?password=s3cr3t-pw&sslmode=disable&connect_timeout=5",
		"host=127.0.0.1 port=1 user=kolokol password=s3cr3t-pw dbname=news sslmode=disable connect_timeout=5",
		"host=127.0.0.1 port=1 password='s3cr3t-pw' dbname=news sslmode=disable connect_timeout=5",
		"postgres://kolokol:s3cr3t-pw@[not a host/news",
		"postgres://kolokol@127.0.0.1:notaport/news?password=s3cr3t-pw",
		"postgres://kolokol@127.0.0.1:1/news?sslpassword=s3cr3t-pw&sslmode=disable&connect_timeout=5",
	} {
		_, err := Open(t.Context(), dsn)
		if err == nil {
			t.Fatalf("Open(%s) succeeded", Redact(dsn))
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("the error shows the password: %v", err)
		}
		if r := Redact(dsn); strings.Contains(r, "s3cr3t") {
			t.Errorf("Redact kept the password: %s", r)
		}
	}
}

// TestImportColumns compares the rows an import writes with those
// CreateArticle writes for the same story, column by column, the columns
// no Find method returns (headline_fold) included: a column the import
// forgot would still pass the conformance suite.
func TestImportColumns(t *testing.T) {
	ctx := t.Context()
	s := openTest(t, pgtest.DSN(t))
	createService(t, s, "ru")
	story := func() *kolokol.Article {
		a := &kolokol.Article{Service: "ru", Headline: "Выборы в ГРУЗИИ: «ქართული ოცნება» — ИТОГИ", Summary: "Кратко.",
			Body: "Текст.", Bylines: []string{"Анна Иванова"}, Tags: []string{"выборы"}, Credits: []string{"AP"},
			Status: kolokol.StatusDraft, CreatedBy: "anna@example.org", EditedBy: "anna@example.org", TranslationGroup: "vote"}
		a.Normalize()
		return a
	}
	created, imported := story(), story()
	if err := s.CreateArticle(ctx, created); err != nil {
		t.Fatal(err)
	}
	imported.CreatedAt, imported.UpdatedAt = created.CreatedAt, created.UpdatedAt
	if err := s.ImportArticles(ctx, []*kolokol.Article{imported}); err != nil {
		t.Fatal(err)
	}
	for _, table := range []struct{ name, key string }{{"articles", "id"}, {"revisions", "article_id"}, {"article_tags", "article_id"}} {
		a, b := row(t, s, table.name, table.key, created.ID), row(t, s, table.name, table.key, imported.ID)
		if len(a) == 0 {
			t.Fatalf("no %s row of article %d", table.name, created.ID)
		}
		for col, v := range a {
			if col == "id" || col == "article_id" {
				continue
			}
			if !reflect.DeepEqual(b[col], v) {
				t.Errorf("%s.%s: imported %#v, created %#v", table.name, col, b[col], v)
			}
		}
	}
}

// row reads every column of one row by name.
func row(t *testing.T, s *Store, table, key string, id int64) map[string]any {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), `SELECT * FROM `+table+` WHERE `+key+` = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, c := range cols {
			out[c] = vals[i]
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTokenUseWritesOncePerDay: recording a use on a day already recorded
// writes nothing (the row's version, xmin, stays), so the API's hot path
// does not write per request.
func TestTokenUseWritesOncePerDay(t *testing.T) {
	s := openTest(t, pgtest.DSN(t))
	tok := &kolokol.Token{Name: "script", Hash: kolokol.HashToken("kk_script"), Role: kolokol.RoleAdmin}
	if err := s.CreateToken(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	xmin := func() string {
		var x string
		if err := s.db.QueryRowContext(t.Context(), `SELECT xmin::text FROM tokens WHERE id = $1`, tok.ID).Scan(&x); err != nil {
			t.Fatal(err)
		}
		return x
	}
	day := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	if err := s.RecordTokenUse(t.Context(), tok.ID, day); err != nil {
		t.Fatal(err)
	}
	before := xmin()
	for i := range 5 {
		if err := s.RecordTokenUse(t.Context(), tok.ID, day.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if after := xmin(); after != before {
		t.Errorf("a use later the same day wrote the token's row (xmin %s, was %s)", after, before)
	}
	if err := s.RecordTokenUse(t.Context(), tok.ID, day.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindTokenByID(t.Context(), tok.ID)
	if err != nil || !got.LastUsed.Equal(kolokol.Day(day.Add(24*time.Hour))) {
		t.Fatalf("after the next day's use: %+v %v", got, err)
	}
}

// TestRequestWritesTakeNoWriteLock: while another server holds the write
// lock (a long import, say), what requests write on their way still
// completes: a session seen or ended, a token used or revoked, an audit
// entry, a cursor, a held save taken, a mirror's push recorded. A write
// that wanted the lock would wait out the deadline and fail.
func TestRequestWritesTakeNoWriteLock(t *testing.T) {
	s := openTest(t, pgtest.DSN(t))
	ctx := t.Context()
	u := &kolokol.User{Email: "anna@example.org", Role: kolokol.RoleAdmin}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	sess := &kolokol.Session{ID: kolokol.HashToken("cookie"), UserID: u.ID, ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	tok := &kolokol.Token{Name: "script", Hash: kolokol.HashToken("kk_script"), Role: kolokol.RoleAdmin}
	if err := s.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	m := &kolokol.Mirror{Name: "Local", Kind: kolokol.MirrorDir, PublicURL: "https://mirror.example.org/", Dir: "/srv/mirror"}
	if err := s.CreateMirror(ctx, m); err != nil {
		t.Fatal(err)
	}

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, writeLock); err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		name  string
		write func(context.Context) error
	}{
		{"touch session", func(ctx context.Context) error { return s.TouchSession(ctx, sess.ID, now.Add(time.Minute)) }},
		{"record use", func(ctx context.Context) error { return s.RecordTokenUse(ctx, tok.ID, now) }},
		{"revoke token", func(ctx context.Context) error { return s.RevokeToken(ctx, tok.ID, now) }},
		{"audit", func(ctx context.Context) error {
			return s.AddAudit(ctx, &kolokol.AuditEntry{Actor: u.Email, Action: "token.revoke"})
		}},
		{"set cursor", func(ctx context.Context) error { return s.SetCursor(ctx, "cache", 7) }},
		{"record push", func(ctx context.Context) error {
			return s.RecordMirrorPush(ctx, m.ID, kolokol.MirrorPush{At: now, Edition: 3})
		}},
		{"delete session", func(ctx context.Context) error { return s.DeleteSession(ctx, sess.ID) }},
	} {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		if err := w.write(ctx); err != nil {
			t.Errorf("%s while the write lock is held: %v", w.name, err)
		}
		cancel()
	}
	// And a write that checks before it writes does wait.
	ctx2, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := s.SetSetting(ctx2, kolokol.SettingSecurityTxt, "Contact: mailto:security@example.org"); err == nil {
		t.Error("a setting was written while another transaction held the write lock")
	}
}

// TestChangeLogAcrossServers: two servers write to one database at once
// while a third follows the change log from its cursor, as the page caches
// of other servers do. The follower must see every change, each once, in
// seq order, with no seq missing: a change that committed after the
// follower had read past its seq would be lost to it.
func TestChangeLogAcrossServers(t *testing.T) {
	dsn := pgtest.DSN(t)
	a, b, follower := openTest(t, dsn), openTest(t, dsn), openTest(t, dsn)
	createService(t, a, "ru")
	_, start, err := a.ChangeBounds(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	const writers, stories = 4, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers*stories+1)
	for w := range writers {
		s := []*Store{a, b}[w%2]
		wg.Go(func() {
			for i := range stories {
				if err := s.CreateArticle(t.Context(), &kolokol.Article{Service: "ru", Headline: fmt.Sprintf("Заметка %d-%d", w, i),
					Slug: fmt.Sprintf("z-%d-%d", w, i), Status: kolokol.StatusPublished, PublishedAt: time.Now().UTC().Truncate(time.Microsecond)}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	seen := map[int64]bool{}
	cursor := start
	const page = 7
	follow := func() int {
		cs, err := follower.FindChanges(t.Context(), cursor, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.Seq != cursor+1 {
				t.Fatalf("the follower at %d read change %d next: a change is missing", cursor, c.Seq)
			}
			seen[c.ArticleID] = true
			cursor = c.Seq
		}
		return len(cs)
	}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		follow()
	}
	for follow() == page {
		// What committed after the last read, however far behind it was.
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if _, last, _ := follower.ChangeBounds(t.Context()); cursor != last || len(seen) != writers*stories {
		t.Errorf("the follower is at %d of %d and saw %d stories, want %d", cursor, last, len(seen), writers*stories)
	}
}

// TestTextPostgreSQLRefuses: text PostgreSQL cannot store (a NUL, invalid
// UTF-8) that no domain check refused is refused as invalid, not as a
// failure of the server.
func TestTextPostgreSQLRefuses(t *testing.T) {
	s := openTest(t, pgtest.DSN(t))
	for _, v := range []string{"a\x00b", "a\xffb"} {
		if err := s.SetSetting(t.Context(), kolokol.SettingSecurityTxt, v); kolokol.ErrorCode(err) != kolokol.EINVALID || kolokol.ErrorField(err) != "value" {
			t.Errorf("setting %q: %v", v, err)
		}
		// The dialect's badText is what makes the store answer EINVALID.
		_, err := s.db.ExecContext(t.Context(), `INSERT INTO settings (key, value, updated_at) VALUES ('k', $1, 0)`, v)
		if !badText(err) {
			t.Errorf("a row with %q: %v", v, err)
		}
	}
}
