package ingest

import (
	"image"
	"image/color"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/media/mediatest"
	"github.com/kolokol/kolokol/store/sqlite"
)

// newsroom is a real desk on a real SQLite file, with a Russian service.
func newsroom(t *testing.T) (*desk.Desk, *sqlite.Store) {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "kolokol.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	blobs, err := media.NewDir(filepath.Join(dir, "media"))
	if err != nil {
		t.Fatal(err)
	}
	images, err := media.NewProcessor(media.Options{Widths: []int{320}, Ratios: []media.Ratio{media.Ratio16x9}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateService(t.Context(), &kolokol.Service{Code: "ru", Tag: "ru", Script: "Cyrl", Direction: kolokol.LTR, Name: "Русский", TimeZone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	return desk.New(st, blobs, images, nil), st
}

// story is a ninjs text item with a picture referred to by href.
func story(guid, href string) string {
	return `{"uri": "` + guid + `", "type": "text", "version": "1", "language": "ru", "copyrightholder": "Reuters",
		"headline": "Паром вернулся", "body_html": "<p>Текст.</p>",
		"associations": {"featureimage": {"uri": "` + guid + `:photo", "type": "picture", "headline": "Паром",
		"description_text": "Паром у причала", "renditions": {"original": {"href": "` + href + `", "contenttype": "image/jpeg", "width": 640, "height": 360}}}}}`
}

func write(t *testing.T, path string, data []byte, age time.Duration) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-age)
	if err := os.Chtimes(path, at, at); err != nil {
		t.Fatal(err)
	}
}

func exists(path string) bool { _, err := os.Lstat(path); return err == nil }

// The hot folder takes what is ready, files it under done/ or failed/
// with the reason, reads pictures only from beside the item, and leaves
// what is still being written.
func TestFolder(t *testing.T) {
	d, st := newsroom(t)
	dir := t.TempDir()
	ru := filepath.Join(dir, "ru")
	img := image.NewRGBA(image.Rect(0, 0, 640, 360))
	for x := range 640 {
		img.Set(x, x%360, color.RGBA{20, 90, 160, 255})
	}
	write(t, filepath.Join(ru, "photo.jpg"), mediatest.EncodeJPEG(t, img, 80), time.Minute)
	write(t, filepath.Join(dir, "secret.jpg"), mediatest.EncodeJPEG(t, img, 80), time.Minute)
	write(t, filepath.Join(ru, "ferry.json"), []byte(story("urn:r:ferry", "photo.jpg")), time.Minute)
	write(t, filepath.Join(ru, "escape.json"), []byte(story("urn:r:escape", "../secret.jpg")), time.Minute)
	write(t, filepath.Join(ru, "bomb.xml"), []byte(`<?xml version="1.0"?><!DOCTYPE n [<!ENTITY a "aaaa">]><newsItem>&a;</newsItem>`), time.Minute)
	write(t, filepath.Join(ru, "coming.json.part"), []byte("{"), time.Minute)
	write(t, filepath.Join(ru, "fresh.json"), []byte(story("urn:r:fresh", "none.jpg")), 0)
	write(t, filepath.Join(dir, "xx", "lost.json"), []byte(story("urn:r:lost", "none.jpg")), time.Minute)
	write(t, filepath.Join(dir, "notes.txt"), []byte("not a service"), time.Minute)

	f := &Folder{Dir: dir, Desk: d, Actor: kolokol.Actor{Name: "wire folder", Role: kolokol.RoleReporter}, Log: slog.New(slog.DiscardHandler), Settle: 10 * time.Second}
	n, err := f.Scan(t.Context())
	if err != nil || n != 4 {
		t.Fatalf("scan took %d files (%v), want ferry, escape, bomb and lost", n, err)
	}
	for _, want := range []string{"ru/done/ferry.json", "ru/done/photo.jpg", "ru/done/escape.json", "ru/failed/bomb.xml",
		"ru/failed/bomb.xml.error.txt", "ru/coming.json.part", "ru/fresh.json", "secret.jpg", "xx/failed/lost.json", "notes.txt"} {
		if !exists(filepath.Join(dir, want)) {
			t.Errorf("%s is missing", want)
		}
	}
	if why, _ := os.ReadFile(filepath.Join(ru, "failed", "bomb.xml.error.txt")); !strings.Contains(strings.ToLower(string(why)), "entit") {
		t.Errorf("the reason given for the entity bomb: %q", why)
	}
	if why, _ := os.ReadFile(filepath.Join(dir, "xx", "failed", "lost.json.error.txt")); !strings.Contains(string(why), "xx") {
		t.Errorf("the reason given for an unknown service: %q", why)
	}
	q, err := st.FindWireItems(t.Context(), kolokol.WireFilter{Service: "ru"})
	if err != nil || len(q) != 2 {
		t.Fatalf("queue: %d items, %v", len(q), err)
	}
	for _, w := range q {
		switch w.GUID {
		case "urn:r:ferry":
			if w.MediaID == 0 || w.MediaCaption != "Паром у причала" {
				t.Errorf("the ferry's picture: media %d, caption %q", w.MediaID, w.MediaCaption)
			}
		case "urn:r:escape":
			if w.MediaID != 0 {
				t.Error("a picture outside the folder was read")
			}
		}
	}
	// The fresh file goes in once it has settled.
	f.Now = func() time.Time { return time.Now().Add(time.Minute) }
	if n, err := f.Scan(t.Context()); err != nil || n != 1 || !exists(filepath.Join(ru, "done", "fresh.json")) {
		t.Errorf("second scan: %d %v", n, err)
	}
	// The same name again lands beside the first in done/.
	write(t, filepath.Join(ru, "ferry.json"), []byte(story("urn:r:ferry", "photo.jpg")), time.Minute)
	if _, err := f.Scan(t.Context()); err != nil {
		t.Fatal(err)
	}
	done, _ := os.ReadDir(filepath.Join(ru, "done"))
	count := 0
	for _, e := range done {
		if strings.HasSuffix(e.Name(), "ferry.json") {
			count++
		}
	}
	if count != 2 {
		t.Errorf("%d ferry.json in done/, want the first and the second", count)
	}
}

func TestLocalHref(t *testing.T) {
	for href, want := range map[string]string{
		"photo.jpg": "photo.jpg", "pics/a.jpg": filepath.Join("pics", "a.jpg"), "./a.jpg": "a.jpg",
		"../a.jpg": "", "/etc/passwd": "", "http://x/a.jpg": "", "c:\\a.jpg": "", "a.jpg?x=1": "", "": "", "..": "", "a/../../b": "",
		"file:a.jpg": "", "a\x00.jpg": "",
	} {
		got, ok := localHref(href)
		if (want != "") != ok || got != want {
			t.Errorf("localHref(%q) = %q %t, want %q", href, got, ok, want)
		}
	}
}

// Whatever an item's href says, what localHref lets through stays inside
// the folder.
func FuzzLocalHref(f *testing.F) {
	for _, s := range []string{"photo.jpg", "../a.jpg", "a/../../b", "/etc/passwd", "c:\\a", "http://x/y", "./a/./b.jpg", "a//b", "…/x", "a/..", ".hidden"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, href string) {
		rel, ok := localHref(href)
		if !ok {
			return
		}
		if !filepath.IsLocal(rel) || rel == "." {
			t.Fatalf("localHref(%q) = %q, which is not a path inside the folder", href, rel)
		}
	})
}
