package bundle

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/export"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/render"
	"github.com/kolokol/kolokol/sign"
)

// TestSchedule: the day's editions are published once for every service
// with stories, listed on its mirrors page with size and signature, carried
// by an export that verifies, and older ones withdrawn with their files.
func TestSchedule(t *testing.T) {
	n := newNewsroom(t)
	ctx := context.Background()
	data := t.TempDir()
	s := &Schedule{Maker: n.maker, Store: n.store, Kinds: []kolokol.BundleKind{kolokol.BundleZIM, kolokol.BundleEPUB},
		Days: 7, Hour: 0, Keep: 1, Dir: filepath.Join(data, "tmp"), Log: slog.New(slog.DiscardHandler)}
	// Tomorrow's editions hold every demo story.
	now := n.now.Add(24 * time.Hour)
	services, err := n.store.FindServices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	published, err := s.PublishDue(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if published != 2*len(services) {
		t.Fatalf("%d editions published for %d services", published, len(services))
	}
	if again, err := s.PublishDue(ctx, now.Add(time.Hour)); again != 0 || err != nil {
		t.Errorf("the same day again published %d (%v)", again, err)
	}
	fa, err := n.store.FindBundles(ctx, "fa")
	if err != nil || len(fa) != 2 {
		t.Fatalf("fa's editions: %v %v", fa, err)
	}
	for _, b := range fa {
		if !b.To.Equal(now) || !b.From.Equal(now.AddDate(0, 0, -7)) || b.Name != Name(b.Kind, "fa", b.To) || b.Stories == 0 {
			t.Errorf("edition %+v", b)
		}
		for _, key := range []string{b.Key, b.SigKey} {
			if ok, err := n.maker.Blobs.Exists(ctx, key); !ok || err != nil {
				t.Errorf("%s is not in the media store: %v", key, err)
			}
		}
	}

	// The mirrors page lists them, and an export carries them beside it.
	out := filepath.Join(t.TempDir(), "site")
	stateDir, err := export.StateDir(data, out)
	if err != nil {
		t.Fatal(err)
	}
	ring := n.maker.Signer.Keyring()
	e, err := export.New(n.store, n.maker.Blobs, export.Options{Out: out, StateDir: stateDir, Signer: n.maker.Signer,
		Render: render.Options{BaseURL: origin, SiteName: "Kolokol", KeyID: ring.Current.ID.String(), KeyFingerprint: ring.Fingerprint()},
		Log:    slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Run(ctx); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(out, "fa", "mirrors", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range fa {
		for _, want := range []string{`href="../../media/` + b.Key + `" download="` + b.Name + `"`, `href="../../media/` + b.SigKey + `" download="` + b.Name + `.minisig"`} {
			if !strings.Contains(string(page), want) {
				t.Errorf("the mirrors page has no %s", want)
			}
		}
		file, err := os.ReadFile(filepath.Join(out, "media", b.Key))
		if err != nil {
			t.Fatal(err)
		}
		sig, err := os.ReadFile(filepath.Join(out, "media", b.SigKey))
		if err != nil {
			t.Fatal(err)
		}
		if st, err := sign.VerifyFile(b.Name, file, sig, ring); err != nil || st.File != b.Name {
			t.Errorf("the exported %s: %+v %v", b.Name, st, err)
		}
	}
	if rep, err := sign.Verify(ctx, sign.Dir(out), sign.Options{Keys: ring}); err != nil || len(rep.Findings) != 0 {
		t.Errorf("the export with its editions: %v %+v", err, rep)
	}

	// A day later, with Keep 1, the older editions go, files and all.
	if published, err := s.PublishDue(ctx, now.Add(24*time.Hour)); err != nil || published != 2*len(services) {
		t.Fatalf("the next day: %d published, %v", published, err)
	}
	after, err := n.store.FindBundles(ctx, "fa")
	if err != nil || len(after) != 2 || after[0].To.Equal(fa[0].To) {
		t.Fatalf("fa's editions the next day: %+v %v", after, err)
	}
	for _, b := range fa {
		if ok, _ := n.maker.Blobs.Exists(ctx, b.Key); ok && b.Key != after[0].Key && b.Key != after[1].Key {
			t.Errorf("withdrawn %s is still in the media store", b.Name)
		}
	}
	if _, ok := n.maker.Blobs.(*media.Dir); !ok {
		t.Fatal("the test's media store is not a directory")
	}
}

func TestDue(t *testing.T) {
	s := &Schedule{Hour: 3}
	for _, c := range []struct{ now, want string }{
		{"2026-12-01T02:59:59Z", "2026-11-30T03:00:00Z"},
		{"2026-12-01T03:00:00Z", "2026-12-01T03:00:00Z"},
		{"2026-12-01T23:00:00+02:00", "2026-12-01T03:00:00Z"},
		{"2026-01-01T00:30:00Z", "2025-12-31T03:00:00Z"},
	} {
		now, _ := time.Parse(time.RFC3339, c.now)
		if got := s.Due(now).Format(time.RFC3339); got != c.want {
			t.Errorf("Due(%s) = %s, want %s", c.now, got, c.want)
		}
	}
}
