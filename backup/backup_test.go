package backup_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/backup"
	"github.com/kolokol/kolokol/store/sqlite"
)

// newsroom makes a data directory as serve leaves it: the database, a
// media file, the signing key, a mirror key, and what a backup leaves out.
func newsroom(t *testing.T) (string, *sqlite.Store) {
	t.Helper()
	ctx := context.Background()
	data := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(data, backup.DBName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.CreateService(ctx, &kolokol.Service{Code: "fa", Tag: "fa", Script: "Arab", Direction: kolokol.RTL, Name: "فارسی", TimeZone: "Asia/Tehran"}); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"media/ab/abcdef.webp":           "RIFF picture",
		"signing/kolokol.key":            "secret key",
		"signing/kolokol.pub":            "public key",
		"mirrors/3.key":                  "mirror secret",
		"mirrors/3.journal/objects/x":    "left out",
		"export/index.html":              "left out",
		"exports/0011223344556677/state": "left out",
		"media/ab/.upload-123":           "left out",
	} {
		p := filepath.Join(data, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return data, st
}

func story(n int) *kolokol.Article {
	return &kolokol.Article{Service: "fa", Headline: fmt.Sprintf("خبر %d", n), Slug: fmt.Sprintf("khabar-%d", n),
		Body: strings.Repeat("متن ", 50), Status: kolokol.StatusPublished, PublishedAt: time.Now().Add(-time.Hour)}
}

// TestBackupWhileWriting takes a backup while stories are being written,
// restores it, and finds a database whole at one moment: every story the
// restored database holds has its revision, and it holds every story
// written before the snapshot began and none written after it ended.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	data, st := newsroom(t)
	for i := range 20 {
		if err := st.CreateArticle(ctx, story(i)); err != nil {
			t.Fatal(err)
		}
	}
	var written atomic.Int64
	written.Store(20)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 20; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := st.CreateArticle(ctx, story(i)); err != nil {
				t.Error(err)
				return
			}
			written.Add(1)
		}
	}()
	// The snapshot is taken between w0 and w1 stories; the backup goes
	// on while more are written.
	var w0, w1 int64
	snapshot := func(ctx context.Context, db, out string) error {
		w0 = written.Load()
		err := sqlite.Snapshot(ctx, db, out)
		w1 = written.Load()
		for written.Load() < w1+3 {
			time.Sleep(time.Millisecond)
		}
		return err
	}
	var buf bytes.Buffer
	m, err := backup.Write(ctx, backup.Source{Data: data, Snapshot: snapshot, Edition: 41}, &buf)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range m.Files {
		paths = append(paths, f.Path)
	}
	if got, want := strings.Join(paths, " "), "kolokol.db media/ab/abcdef.webp mirrors/3.key signing/kolokol.key signing/kolokol.pub"; got != want {
		t.Errorf("backed up %s, want %s", got, want)
	}
	if m.Edition != 41 {
		t.Errorf("edition %d, want 41", m.Edition)
	}

	dest := filepath.Join(t.TempDir(), "restored")
	if _, err := backup.Restore(ctx, bytes.NewReader(buf.Bytes()), dest, nil); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dest, "signing", "kolokol.key")); err != nil || string(b) != "secret key" {
		t.Fatalf("signing key: %q, %v", b, err)
	}
	if fi, err := os.Stat(filepath.Join(dest, "mirrors", "3.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mirror key: %v, %v: restored files are private", fi, err)
	}
	if err := sqlite.Check(ctx, filepath.Join(dest, backup.DBName)); err != nil {
		t.Fatal(err)
	}
	rs, err := sqlite.Open(ctx, filepath.Join(dest, backup.DBName))
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	n, err := rs.CountArticles(ctx, kolokol.ArticleFilter{Service: "fa"})
	if err != nil {
		t.Fatal(err)
	}
	if int64(n) < w0 || int64(n) > w1 {
		t.Fatalf("restored %d stories; %d were written before the snapshot began and %d by its end", n, w0, w1)
	}
	arts, err := rs.FindArticles(ctx, kolokol.ArticleFilter{Service: "fa", Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	_, last, err := rs.ChangeBounds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range arts {
		revs, err := rs.FindRevisions(ctx, a.ID)
		if err != nil || len(revs) == 0 {
			t.Fatalf("story %d came back without its revision (%v): the copy is not of one moment", a.ID, err)
		}
	}
	if last < int64(n)+1 { // the service's change and each story's
		t.Fatalf("the change log ends at %d with %d stories", last, n)
	}
}

// archive builds a backup archive by hand, for the hostile cases.
type entry struct {
	name string
	typ  byte
	body string
	size int64 // -1: len(body)
}

func archive(t testing.TB, entries []entry, manifest *backup.Manifest) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		size := e.size
		if size < 0 {
			size = int64(len(e.body))
		}
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: 0o600, Size: size, Format: tar.FormatPAX}
		if e.typ == tar.TypeSymlink {
			h.Linkname, h.Size = "/etc/passwd", 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(e.body))
	}
	if manifest != nil {
		js, _ := json.Marshal(manifest)
		tw.WriteHeader(&tar.Header{Name: backup.ManifestName, Typeflag: tar.TypeReg, Mode: 0o600, Size: int64(len(js))})
		tw.Write(js)
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func file(path, body string) backup.File {
	return backup.File{Path: path, Size: int64(len(body)), SHA256: sha(body)}
}

// TestRestoreRefuses: a hostile or damaged archive is refused with an
// error naming the problem, and nothing of it is left on disk.
func TestRestoreRefuses(t *testing.T) {
	db := entry{backup.DBName, tar.TypeReg, "db", -1}
	good := &backup.Manifest{Format: backup.Format, Files: []backup.File{file(backup.DBName, "db")}}
	with := func(files ...backup.File) *backup.Manifest {
		return &backup.Manifest{Format: backup.Format, Files: append([]backup.File{file(backup.DBName, "db")}, files...)}
	}
	for _, tc := range []struct {
		name    string
		archive []byte
		want    string
	}{
		{"not gzip", []byte("PK\x03\x04 a zip"), "not gzip"},
		{"no manifest", archive(t, []entry{db}, nil), "no kolokol-backup.json"},
		{"climbs out", archive(t, []entry{db, {"../evil", tar.TypeReg, "x", -1}}, with(file("../evil", "x"))), "not a plain relative path"},
		{"climbs out inside", archive(t, []entry{db, {"media/../../evil", tar.TypeReg, "x", -1}}, good), "not a plain relative path"},
		{"absolute", archive(t, []entry{db, {"/etc/evil", tar.TypeReg, "x", -1}}, good), "not a plain relative path"},
		{"symlink", archive(t, []entry{db, {"media/link", tar.TypeSymlink, "", -1}}, good), "not a plain file"},
		{"directory", archive(t, []entry{db, {"media/", tar.TypeDir, "", 0}}, good), "not a plain file"},
		{"twice", archive(t, []entry{db, db}, good), "twice"},
		{"altered", archive(t, []entry{{backup.DBName, tar.TypeReg, "dB", -1}}, good), "not the file the manifest describes"},
		{"unlisted", archive(t, []entry{db, {"media/x", tar.TypeReg, "x", -1}}, good), "lists 1 files, the archive holds 2"},
		{"missing", archive(t, []entry{db}, with(file("media/x", "x"))), "lists 2 files, the archive holds 1"},
		{"no database", archive(t, []entry{{"media/x", tar.TypeReg, "x", -1}}, &backup.Manifest{Format: backup.Format, Files: []backup.File{file("media/x", "x")}}), "no kolokol.db"},
		{"after the manifest", archiveAfterManifest(t), "after the manifest"},
		{"other format", archive(t, []entry{db}, &backup.Manifest{Format: 9, Files: good.Files}), "format 9"},
		{"cut short", archive(t, []entry{db}, good)[:40], "archive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dest := filepath.Join(parent, "data")
			_, err := backup.Restore(context.Background(), bytes.NewReader(tc.archive), dest, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
			if entries, _ := os.ReadDir(parent); len(entries) != 0 {
				t.Fatalf("left behind: %v", entries)
			}
		})
	}
}

func archiveAfterManifest(t testing.TB) []byte {
	good := &backup.Manifest{Format: backup.Format, Files: []backup.File{file(backup.DBName, "db")}}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	js, _ := json.Marshal(good)
	for _, e := range []struct{ name, body string }{{backup.DBName, "db"}, {backup.ManifestName, string(js)}, {"media/late", "x"}} {
		tw.WriteHeader(&tar.Header{Name: e.name, Typeflag: tar.TypeReg, Mode: 0o600, Size: int64(len(e.body))})
		tw.Write([]byte(e.body))
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func TestRestoreNeedsANewDirectory(t *testing.T) {
	dest := t.TempDir()
	os.WriteFile(filepath.Join(dest, "kolokol.db"), []byte("a newsroom"), 0o600)
	good := &backup.Manifest{Format: backup.Format, Files: []backup.File{file(backup.DBName, "db")}}
	_, err := backup.Restore(context.Background(), bytes.NewReader(archive(t, []entry{{backup.DBName, tar.TypeReg, "db", -1}}, good)), dest, nil)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("err = %v, want a refusal to restore over a newsroom", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dest, "kolokol.db")); string(b) != "a newsroom" {
		t.Fatal("the newsroom there was touched")
	}
	// An empty directory is taken.
	empty := t.TempDir()
	if _, err := backup.Restore(context.Background(), bytes.NewReader(archive(t, []entry{{backup.DBName, tar.TypeReg, "db", -1}}, good)), empty, nil); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(empty, "kolokol.db")); string(b) != "db" {
		t.Fatalf("restored %q", b)
	}
}

// FuzzExtract: whatever the archive, Extract writes nothing outside its
// directory and, when it succeeds, exactly the files its manifest lists.
func FuzzExtract(f *testing.F) {
	good := &backup.Manifest{Format: backup.Format, Files: []backup.File{file(backup.DBName, "db"), file("media/x", "x")}}
	f.Add(archive(f, []entry{{backup.DBName, tar.TypeReg, "db", -1}, {"media/x", tar.TypeReg, "x", -1}}, good))
	f.Add(archive(f, []entry{{"../x", tar.TypeReg, "x", -1}}, good))
	f.Add(archiveAfterManifest(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		parent := t.TempDir()
		dir := filepath.Join(parent, "in")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		m, err := backup.Extract(context.Background(), bytes.NewReader(b), dir)
		if entries, _ := os.ReadDir(parent); len(entries) != 1 {
			t.Fatalf("wrote beside its directory: %v", entries)
		}
		if err != nil {
			return
		}
		n := 0
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				n++
			}
			return nil
		})
		if n != len(m.Files) {
			t.Fatalf("%d files on disk, %d in the manifest", n, len(m.Files))
		}
	})
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
