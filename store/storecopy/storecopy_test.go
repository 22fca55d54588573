package storecopy_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/demo"
	"github.com/kolokol/kolokol/demo/corpus"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/internal/pgtest"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/store/postgres"
	"github.com/kolokol/kolokol/store/sqlite"
	"github.com/kolokol/kolokol/store/storecopy"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var admin = kolokol.Actor{Name: "test admin", Role: kolokol.RoleAdmin}

func openSQLite(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openPostgres(t *testing.T, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newDesk(t *testing.T, s kolokol.Store, data string) *desk.Desk {
	t.Helper()
	blobs, err := media.NewDir(filepath.Join(data, "media"))
	if err != nil {
		t.Fatal(err)
	}
	images, err := media.NewProcessor(media.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return desk.New(s, blobs, images, nil)
}

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func hexSHA(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

// richNewsroom fills a SQLite newsroom with something of every kind the
// tables hold: the demo (services, stories in several scripts, a photo,
// breaking news, notices, wire items, accounts, a token; the photo
// described in the library), a small
// synthetic corpus (revisions, corrections, translation groups, scheduled
// and unpublished stories, tags), and by the Store API mirrors, sessions,
// passkeys and held saves (blobs), autosaves, audit entries, settings and
// a follower's cursor; a deleted notice and a pruned change log leave
// high-water marks above the rows that remain.
func richNewsroom(t *testing.T, data string) *sqlite.Store {
	t.Helper()
	ctx := t.Context()
	s := openSQLite(t, filepath.Join(data, "kolokol.db"))
	d := newDesk(t, s, data)
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	res, err := demo.Seed(ctx, s, d, now)
	must(t, err, "seed demo")
	_, err = corpus.Generate(ctx, s, d, corpus.Options{Stories: 120, Seed: 7, Now: now, Photos: 2})
	must(t, err, "generate corpus")

	users, err := s.FindUsers(ctx)
	must(t, err, "find users")
	u := users[0]
	exp := time.Now().Add(12 * time.Hour).UTC().Truncate(time.Microsecond)
	invited := &kolokol.User{Email: "invited@example.org", Name: "Приглашённая", Role: kolokol.RoleReporter, Services: []string{"ru"}}
	must(t, s.CreateUser(ctx, invited), "create user")
	must(t, s.CreateEnrolment(ctx, &kolokol.Enrolment{TokenHash: hexSHA("enrol"), UserID: invited.ID,
		TOTPSecret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", ExpiresAt: exp}), "create enrolment")
	must(t, s.CreateSession(ctx, &kolokol.Session{ID: hexSHA("session"), UserID: u.ID, ExpiresAt: exp}), "create session")
	must(t, s.AddSavedSearch(ctx, &kolokol.SavedSearch{UserID: u.ID, Name: "сдано сегодня", Query: "status=submitted&when=today"}), "save a search")
	must(t, s.SetHomeDesk(ctx, u.ID, "fa"), "set a home desk")
	must(t, s.UpdateMediaText(ctx, 1, "Паром у причала", "Паром «Анна» в порту, 1 ноября", "Фото: ТАСС"), "describe a photo in the library")
	must(t, s.CreatePasskey(ctx, &kolokol.Passkey{ID: "a2V5LTE", UserID: u.ID, Name: "ноутбук",
		Credential: []byte{0, 1, 2, 0xff, '{', '}', 0}}), "create passkey")
	must(t, s.CreatePending(ctx, &kolokol.PendingSave{IDHash: hexSHA("held"), UserID: u.ID, Path: "/newsroom/stories",
		ContentType: "application/x-www-form-urlencoded", Body: []byte("headline=%D0%9F&body=\x00\xfe"), Title: "Save of “Паром”",
		ExpiresAt: exp}), "create held save")
	must(t, s.PutAutosave(ctx, &kolokol.Autosave{UserID: u.ID, ArticleID: 0, Service: "ru", Version: 0,
		Fields: map[string]string{"headline": "Черновик", "body": "текст"}, SavedAt: now}), "put autosave")
	for _, m := range []*kolokol.Mirror{
		{Name: "USB stick", Kind: kolokol.MirrorDir, PublicURL: "http://usb.example/", Dir: "/media/usb/site"},
		{Name: "Rented server", Kind: kolokol.MirrorSFTP, PublicURL: "https://mirror.example.org/",
			Host: "mirror.example.org", User: "kolokol", RemotePath: "/srv/www",
			HostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"},
	} {
		must(t, s.CreateMirror(ctx, m), "create mirror "+m.Name)
	}
	must(t, s.RecordMirrorPush(ctx, 1, kolokol.MirrorPush{Edition: 3, At: now}), "record push")
	must(t, s.AddBundle(ctx, &kolokol.Bundle{Service: "ru", Kind: kolokol.BundleZIM, Name: "ru-2026-11-30.zim",
		Key: strings.Repeat("ab", 32) + ".zim", SigKey: strings.Repeat("cd", 32) + ".minisig", Size: 12_345_678, Stories: 240,
		From: now.Add(-7 * 24 * time.Hour), To: now}), "add a bundle")
	// A subscriber (sealed address, hashes: bytes of every value) and a
	// mail sent to them move too.
	sub := &kolokol.Subscription{Service: "ru", Lookup: bytes.Repeat([]byte{0, 0xff}, 16), Sealed: []byte{0, 1, 0xfe, 0xff, '\n'},
		Digest: true, Alerts: true, ConfirmHash: bytes.Repeat([]byte{7}, 32), ManageHash: bytes.Repeat([]byte{8}, 32)}
	_, err = s.Subscribe(ctx, sub, kolokol.SubscribeLimits{Now: now})
	must(t, err, "subscribe")
	_, err = s.ConfirmSubscription(ctx, sub.ConfirmHash, now)
	must(t, err, "confirm subscription")
	_, err = s.QueueDeliveries(ctx, "digest:ru:2026-11-30", []int64{sub.ID})
	must(t, err, "queue a digest")
	ds, err := s.ClaimDeliveries(ctx, "digest:ru:2026-11-30", 1)
	must(t, err, "claim a digest")
	must(t, s.FinishDelivery(ctx, ds[0].ID, false, "451 try later"), "finish a digest")
	for i := range 5 {
		must(t, s.AddAudit(ctx, &kolokol.AuditEntry{Time: now.Add(time.Duration(i) * time.Second), Actor: "editor@demo",
			Action: "article.publish", Service: "ru", Services: []string{"ru", "uk"}, ArticleID: int64(i + 1), Detail: fmt.Sprint("детали ", i)}), "add audit")
	}
	// Who is editing a story, and who has it open, move with it.
	_, err = s.LockArticle(ctx, kolokol.EditLock{ArticleID: 1, UserID: u.ID, Since: now, Expires: now.Add(time.Hour)}, now, false)
	must(t, err, "lock a story")
	must(t, s.SeeArticle(ctx, 1, u.ID, now, now.Add(time.Hour)), "see a story")
	must(t, s.SetSetting(ctx, kolokol.SettingSecurityTxt, "Contact: mailto:security@example.org\n"), "set setting")
	// A notice created and deleted: notices' ids never come back, so the
	// destination must continue above it though no row shows it.
	n := &kolokol.Notice{Service: "ru", Text: "Временное", Countries: []string{"RU"}}
	must(t, d.SaveNotice(ctx, admin, n), "save notice")
	must(t, d.DeleteNotice(ctx, admin, "ru", n.ID), "delete notice")
	// The change log keeps its newest changes only; its seq goes on from
	// the last handed out.
	_, last, err := s.ChangeBounds(ctx)
	must(t, err, "change bounds")
	_, err = s.PruneChanges(ctx, int(last/2))
	must(t, err, "prune changes")
	must(t, s.SetCursor(ctx, "export", last-3), "set cursor")
	must(t, s.SetCursor(ctx, "search", last), "set cursor")
	_ = res
	return s
}

// snapshot is what the Store API reads back of a newsroom, to compare
// across engines.
type snapshot struct {
	Services  []*kolokol.Service
	Articles  []*kolokol.Article
	Revisions map[int64][]*kolokol.Revision
	Users     []*kolokol.User
	Tokens    []*kolokol.Token
	Changes   []*kolokol.Change
	Audit     []*kolokol.AuditEntry
	Mirrors   []*kolokol.Mirror
	Notices   map[string][]*kolokol.Notice
	Wire      map[string][]*kolokol.WireItem
	Tags      map[string][]kolokol.TagCount
	Cursors   map[string]int64
	Passkeys  []*kolokol.Passkey
	Searches  []*kolokol.SavedSearch
	HomeDesk  string
	Setting   string
	First     int64
	Last      int64
}

func read(t *testing.T, s kolokol.Store) *snapshot {
	t.Helper()
	ctx := t.Context()
	sn := &snapshot{Revisions: map[int64][]*kolokol.Revision{}, Notices: map[string][]*kolokol.Notice{},
		Wire: map[string][]*kolokol.WireItem{}, Tags: map[string][]kolokol.TagCount{}, Cursors: map[string]int64{}}
	var err error
	sn.Services, err = s.FindServices(ctx)
	must(t, err, "find services")
	for off := 0; ; off += kolokol.MaxArticleLimit {
		page, err := s.FindArticles(ctx, kolokol.ArticleFilter{WithCorrections: true, Limit: kolokol.MaxArticleLimit, Offset: off})
		must(t, err, "find articles")
		sn.Articles = append(sn.Articles, page...)
		if len(page) < kolokol.MaxArticleLimit {
			break
		}
	}
	for _, a := range sn.Articles {
		sn.Revisions[a.ID], err = s.FindRevisions(ctx, a.ID)
		must(t, err, "find revisions")
	}
	for _, svc := range sn.Services {
		sn.Notices[svc.Code], err = s.FindNotices(ctx, svc.Code)
		must(t, err, "find notices")
		sn.Wire[svc.Code], err = s.FindWireItems(ctx, kolokol.WireFilter{Service: svc.Code, Limit: 500})
		must(t, err, "find wire items")
		sn.Tags[svc.Code], err = s.FindTags(ctx, svc.Code)
		must(t, err, "find tags")
	}
	sn.Users, err = s.FindUsers(ctx)
	must(t, err, "find users")
	if len(sn.Users) > 0 {
		sn.Passkeys, err = s.FindPasskeys(ctx, sn.Users[0].ID)
		must(t, err, "find passkeys")
		sn.Searches, err = s.FindSavedSearches(ctx, sn.Users[0].ID)
		must(t, err, "find saved searches")
		sn.HomeDesk, err = s.FindHomeDesk(ctx, sn.Users[0].ID)
		must(t, err, "find the home desk")
	}
	sn.Tokens, err = s.FindTokens(ctx)
	must(t, err, "find tokens")
	for after := int64(0); ; {
		batch, err := s.FindChanges(ctx, after, 0)
		must(t, err, "find changes")
		if len(batch) == 0 {
			break
		}
		sn.Changes = append(sn.Changes, batch...)
		after = batch[len(batch)-1].Seq
	}
	sn.First, sn.Last, err = s.ChangeBounds(ctx)
	must(t, err, "change bounds")
	sn.Audit, err = s.FindAudit(ctx, kolokol.AuditFilter{Limit: kolokol.MaxAuditLimit})
	must(t, err, "find audit")
	sn.Mirrors, err = s.FindMirrors(ctx)
	must(t, err, "find mirrors")
	for _, c := range []string{"export", "search"} {
		sn.Cursors[c], err = s.FindCursor(ctx, c)
		must(t, err, "find cursor")
	}
	sn.Setting, err = s.FindSetting(ctx, kolokol.SettingSecurityTxt)
	must(t, err, "find setting")
	return sn
}

func sameNewsroom(t *testing.T, what string, want, got *snapshot) {
	t.Helper()
	if len(want.Articles) == 0 || len(want.Changes) == 0 || len(want.Users) == 0 || len(want.Audit) == 0 || len(want.Mirrors) == 0 || len(want.Searches) == 0 || want.HomeDesk == "" {
		t.Fatalf("%s: the newsroom read back is too thin to compare: %d articles, %d changes, %d users, %d audit entries, %d mirrors",
			what, len(want.Articles), len(want.Changes), len(want.Users), len(want.Audit), len(want.Mirrors))
	}
	wv, gv := reflect.ValueOf(want).Elem(), reflect.ValueOf(got).Elem()
	for i := range wv.NumField() {
		if !reflect.DeepEqual(wv.Field(i).Interface(), gv.Field(i).Interface()) {
			t.Errorf("%s: %s differ through the Store API:\nwant %s\ngot  %s", what, wv.Type().Field(i).Name,
				clip(fmt.Sprintf("%+v", wv.Field(i).Interface())), clip(fmt.Sprintf("%+v", gv.Field(i).Interface())))
		}
	}
}

func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

func tableRows(rep *storecopy.Report) map[string]int64 {
	m := map[string]int64{}
	for _, tb := range rep.Tables {
		m[tb.Name] = tb.Rows
	}
	return m
}

// TestMoveToPostgresAndBack moves a rich SQLite newsroom to PostgreSQL,
// checks every table and what the Store API reads, writes on the moved
// newsroom, and moves it back into a new SQLite file.
func TestMoveToPostgresAndBack(t *testing.T) {
	ctx := t.Context()
	data := t.TempDir()
	src := richNewsroom(t, data)
	want := read(t, src)

	pg := openPostgres(t, pgtest.DSN(t))
	rep, err := storecopy.Copy(ctx, storecopy.DB{Engine: storecopy.SQLite, DB: src.DB()}, storecopy.DB{Engine: storecopy.Postgres, DB: pg.DB()})
	must(t, err, "copy SQLite to PostgreSQL")
	rows := tableRows(rep)
	for _, name := range []string{"services", "sections", "articles", "revisions", "corrections", "article_tags", "article_media", "media",
		"media_renditions", "media_services", "users", "sessions", "tokens", "audit_log", "audit_services", "passkeys",
		"pending_saves", "autosaves", "enrolments", "notices", "breaking", "settings", "changes", "cursors", "mirrors", "wire_items", "edit_locks", "story_viewers",
		"saved_searches", "bundles", "subscriptions", "deliveries"} {
		if rows[name] == 0 {
			t.Errorf("table %s: %d rows copied; the test newsroom should have some", name, rows[name])
		}
	}
	if len(rep.Tables) != len(rows) || len(rows) < 25 {
		t.Errorf("%d tables reported: %v", len(rep.Tables), rows)
	}
	if rep.ChangeSeq != want.Last {
		t.Errorf("change seq %d reported, the source's last is %d", rep.ChangeSeq, want.Last)
	}
	_, err = storecopy.Verify(ctx, storecopy.DB{Engine: storecopy.SQLite, DB: src.DB()}, storecopy.DB{Engine: storecopy.Postgres, DB: pg.DB()})
	must(t, err, "verify again")
	got := read(t, pg)
	sameNewsroom(t, "SQLite to PostgreSQL", want, got)

	// Back, before anything is written: the new file equals the original.
	back := openSQLite(t, filepath.Join(t.TempDir(), "back.db"))
	_, err = storecopy.Copy(ctx, storecopy.DB{Engine: storecopy.Postgres, DB: pg.DB()}, storecopy.DB{Engine: storecopy.SQLite, DB: back.DB()})
	must(t, err, "copy PostgreSQL to SQLite")
	sameNewsroom(t, "PostgreSQL to SQLite", want, read(t, back))
	_, err = storecopy.Verify(ctx, storecopy.DB{Engine: storecopy.SQLite, DB: src.DB()}, storecopy.DB{Engine: storecopy.SQLite, DB: back.DB()})
	must(t, err, "verify the original against the round trip")

	// Both moved newsrooms go on: a new story gets an id above every id
	// the original handed out (the deleted notice's too, for notices), and
	// its publication a seq right after the original's last.
	var maxID int64
	for _, a := range want.Articles {
		maxID = max(maxID, a.ID)
	}
	for _, moved := range []kolokol.Store{pg, back} {
		d := newDesk(t, moved, data)
		a, err := d.CreateArticle(ctx, admin, desk.ArticleInput{Service: "ru", Headline: "После переезда", Body: "Текст."})
		must(t, err, "create article after the move")
		if a.ID != maxID+1 {
			t.Errorf("new article id %d, want %d", a.ID, maxID+1)
		}
		_, err = d.Publish(ctx, admin, a.ID)
		must(t, err, "publish after the move")
		cs, err := moved.FindChanges(ctx, want.Last, 0)
		must(t, err, "find changes after the move")
		if len(cs) == 0 || cs[0].Seq != want.Last+1 {
			t.Errorf("first change after the move: %+v, want seq %d", cs, want.Last+1)
		}
		n := &kolokol.Notice{Service: "ru", Text: "Новое", Countries: []string{"RU"}}
		must(t, d.SaveNotice(ctx, admin, n), "save notice after the move")
		var maxNotice int64
		for _, l := range want.Notices {
			for _, o := range l {
				maxNotice = max(maxNotice, o.ID)
			}
		}
		if n.ID <= maxNotice+1 {
			t.Errorf("new notice id %d: the deleted notice's id %d came back", n.ID, maxNotice+1)
		}
		var maxUser int64
		for _, u := range want.Users {
			maxUser = max(maxUser, u.ID)
		}
		u := &kolokol.User{Email: "new@example.org", Name: "New", Role: kolokol.RoleEditor, Services: []string{"ru"}}
		must(t, moved.CreateUser(ctx, u), "create user after the move")
		if u.ID != maxUser+1 {
			t.Errorf("new user id %d, want %d", u.ID, maxUser+1)
		}
	}
}

// TestRefusals: a destination with a newsroom, the same database on both
// sides, and a column one side lacks are refused, naming what is wrong,
// before anything is written.
func TestRefusals(t *testing.T) {
	ctx := t.Context()
	data := t.TempDir()
	src := openSQLite(t, filepath.Join(data, "kolokol.db"))
	d := newDesk(t, src, data)
	_, err := demo.Seed(ctx, src, d, time.Now())
	must(t, err, "seed")
	sdb := storecopy.DB{Engine: storecopy.SQLite, DB: src.DB()}

	t.Run("non-empty destination", func(t *testing.T) {
		other := openSQLite(t, filepath.Join(t.TempDir(), "other.db"))
		must(t, other.CreateService(ctx, &kolokol.Service{Code: "ru", Tag: "ru", Script: "Cyrl", Direction: kolokol.LTR,
			Name: "Русская служба", TimeZone: "Europe/Moscow"}), "create service")
		_, err := storecopy.Copy(ctx, sdb, storecopy.DB{Engine: storecopy.SQLite, DB: other.DB()})
		if !errors.Is(err, storecopy.ErrNotEmpty) || !strings.Contains(err.Error(), " has rows; migrate only into a new") {
			t.Fatalf("copy into a newsroom: %v", err)
		}
		pg := openPostgres(t, pgtest.DSN(t))
		_, err = storecopy.Copy(ctx, sdb, storecopy.DB{Engine: storecopy.Postgres, DB: pg.DB()})
		must(t, err, "first copy")
		_, err = storecopy.Copy(ctx, sdb, storecopy.DB{Engine: storecopy.Postgres, DB: pg.DB()})
		if !errors.Is(err, storecopy.ErrNotEmpty) {
			t.Fatalf("second copy into the same database: %v", err)
		}
	})
	t.Run("a change log that went on", func(t *testing.T) {
		// No rows, but seqs handed out: followers' cursors would be wrong.
		pg := openPostgres(t, pgtest.DSN(t))
		_, err := pg.DB().ExecContext(ctx, `UPDATE change_counter SET seq = 7`)
		must(t, err, "advance the counter")
		_, err = storecopy.Copy(ctx, sdb, storecopy.DB{Engine: storecopy.Postgres, DB: pg.DB()})
		if !errors.Is(err, storecopy.ErrNotEmpty) || !strings.Contains(err.Error(), "seq 7") {
			t.Fatalf("copy into a used change log: %v", err)
		}
	})
	t.Run("column added to a SQLite destination", func(t *testing.T) {
		other := openSQLite(t, filepath.Join(t.TempDir(), "other.db"))
		_, err := other.DB().ExecContext(ctx, `ALTER TABLE wire_items ADD COLUMN priority INTEGER NOT NULL DEFAULT 0`)
		must(t, err, "alter the destination")
		_, err = storecopy.Copy(ctx, sdb, storecopy.DB{Engine: storecopy.SQLite, DB: other.DB()})
		want := "table wire_items: column priority is in the destination (sqlite) but not in the source (sqlite)"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("got %v, want an error containing %q", err, want)
		}
	})
	t.Run("same database", func(t *testing.T) {
		_, err := storecopy.Copy(ctx, sdb, sdb)
		if err == nil || !strings.Contains(err.Error(), "same database") {
			t.Fatalf("copy onto itself: %v", err)
		}
	})
	t.Run("unknown engine", func(t *testing.T) {
		_, err := storecopy.Copy(ctx, sdb, storecopy.DB{Engine: "mysql", DB: src.DB()})
		if err == nil || !strings.Contains(err.Error(), `unknown engine "mysql"`) {
			t.Fatalf("copy to mysql: %v", err)
		}
	})
	for _, c := range []struct{ name, alter, want string }{
		{"column added to the destination only", `ALTER TABLE articles ADD COLUMN kicker text NOT NULL DEFAULT ''`,
			"table articles: column kicker is in the destination (postgres) but not in the source (sqlite)"},
		{"column missing from the destination", `ALTER TABLE mirrors DROP COLUMN host_key`,
			"table mirrors: column host_key is in the source (sqlite) but not in the destination (postgres)"},
		{"column of another kind", `ALTER TABLE settings ALTER COLUMN updated_at TYPE text`,
			"table settings: column updated_at holds integer in the source (sqlite) but text in the destination (postgres)"},
		{"table added to the destination only", `CREATE TABLE podcasts (id bigint PRIMARY KEY)`,
			"table podcasts is in the destination (postgres) but not in the source (sqlite)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			pg := openPostgres(t, pgtest.DSN(t))
			_, err := pg.DB().ExecContext(ctx, c.alter)
			must(t, err, "alter the destination")
			_, err = storecopy.Copy(ctx, sdb, storecopy.DB{Engine: storecopy.Postgres, DB: pg.DB()})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
			var n int
			must(t, pg.DB().QueryRowContext(ctx, `SELECT count(*) FROM services`).Scan(&n), "count services")
			if n != 0 {
				t.Errorf("the refused copy left %d services behind", n)
			}
		})
	}
}

// TestVerifyFindsDifferences: a row changed, added or removed after a copy
// fails verification naming the table.
func TestVerifyFindsDifferences(t *testing.T) {
	ctx := t.Context()
	data := t.TempDir()
	src := openSQLite(t, filepath.Join(data, "kolokol.db"))
	_, err := demo.Seed(ctx, src, newDesk(t, src, data), time.Now())
	must(t, err, "seed")
	sdb := storecopy.DB{Engine: storecopy.SQLite, DB: src.DB()}
	for _, c := range []struct{ name, sql, want string }{
		{"text changed", `UPDATE articles SET headline = headline || '.' WHERE id = 1`, "verify table articles: the rows differ"},
		{"row removed", `DELETE FROM audit_services WHERE audit_id = (SELECT min(audit_id) FROM audit_services)`, "verify table audit_services: "},
		{"null for a value", `UPDATE articles SET published_at = NULL WHERE id = (SELECT min(id) FROM articles WHERE published_at IS NOT NULL)`, "verify table articles: the rows differ"},
		{"boolean flipped", `UPDATE notices SET mirrors = NOT mirrors WHERE id = (SELECT min(id) FROM notices)`, "verify table notices: the rows differ"},
		{"real moved", `UPDATE media SET focal_x = 0.25`, "verify table media: the rows differ"},
		{"blob changed", `UPDATE passkeys SET credential = '\x00'::bytea`, ""},
		{"change counter", `UPDATE change_counter SET seq = seq + 1`, "verify the change log: last seq"},
	} {
		t.Run(c.name, func(t *testing.T) {
			pg := openPostgres(t, pgtest.DSN(t))
			pdb := storecopy.DB{Engine: storecopy.Postgres, DB: pg.DB()}
			_, err := storecopy.Copy(ctx, sdb, pdb)
			must(t, err, "copy")
			res, err := pg.DB().ExecContext(ctx, c.sql)
			must(t, err, "change the copy")
			if n, _ := res.RowsAffected(); n == 0 {
				// Nothing to change in the demo (it has no such rows): the
				// copy must still verify.
				_, err := storecopy.Verify(ctx, sdb, pdb)
				must(t, err, "verify an unchanged copy")
				return
			}
			_, err = storecopy.Verify(ctx, sdb, pdb)
			if !errors.Is(err, storecopy.ErrDiffer) || (c.want != "" && !strings.Contains(err.Error(), c.want)) {
				t.Fatalf("verify after %s: %v, want %q", c.sql, err, c.want)
			}
		})
	}
}
