package export

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// TestStateRoundTrip writes a state and reads it back, then changes a
// file, adds one and removes one and does it again: the records kept as
// read are written as they were, the new ones encoded, and what is read
// is what was written.
func TestStateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	exp := time.Date(2026, 11, 30, 12, 0, 0, 0, time.FixedZone("X", 3600))
	st := &state{Version: stateVersion, Out: "/srv/out", Fingerprint: "fp", Cursor: 42, Edition: 7, Clean: true, Files: map[string]*fileState{
		"index.html":          {SHA: [32]byte{1}, Size: 100, Deps: []string{"portal"}},
		"en/a/1-x/index.html": {SHA: [32]byte{2}, Size: 2000, Deps: []string{"svc:en", "art:1", "media:3"}, Media: []string{"media/ab.jpg", "media/ab.webp"}},
		"en/index.html":       {SHA: [32]byte{3}, Size: 300, Deps: []string{"svc:en", "list:en"}, Expires: exp},
		"media/ab.jpg":        {SHA: [32]byte{4}, Size: 5000},
	}}
	check := func(want *state) *state {
		t.Helper()
		if err := want.save(dir); err != nil {
			t.Fatal(err)
		}
		got, err := loadState(dir, want.Out)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != want.Version || got.Out != want.Out || got.Fingerprint != want.Fingerprint ||
			got.Cursor != want.Cursor || got.Edition != want.Edition || got.Clean != want.Clean || len(got.Files) != len(want.Files) {
			t.Fatalf("read %+v, wrote %+v", got, want)
		}
		for rel, w := range want.Files {
			g := got.Files[rel]
			if g == nil || g.SHA != w.SHA || g.Size != w.Size || !g.Expires.Equal(w.Expires) ||
				len(g.Deps)+len(w.Deps) > 0 && !reflect.DeepEqual(g.Deps, w.Deps) || len(g.Media)+len(w.Media) > 0 && !reflect.DeepEqual(g.Media, w.Media) {
				t.Errorf("%s: read %+v, wrote %+v", rel, g, w)
			}
		}
		return got
	}
	got := check(st)
	got.Files["en/index.html"] = &fileState{SHA: [32]byte{5}, Size: 301, Deps: []string{"svc:en", "list:en", "art:9"}}
	got.Files["en/a/9-y/index.html"] = &fileState{SHA: [32]byte{6}, Size: 2100, Deps: []string{"svc:en", "art:9"}, Media: []string{"media/ab.jpg"}}
	delete(got.Files, "media/ab.jpg")
	got.Cursor, got.Clean = 50, false
	check(got)

	// A state of another format (an older build's) is none: the export
	// starts over.
	if err := os.WriteFile(filepath.Join(dir, stateFile), []byte("\x0f\xff\x81gob"), 0o600); err != nil {
		t.Fatal(err)
	}
	if st, err := loadState(dir, "/srv/out"); err != nil || len(st.Files) != 0 {
		t.Fatalf("another format: %v, %v", st, err)
	}
	// A truncated one is an error that says what to do.
	if err := st.save(dir); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, stateFile))
	if err := os.WriteFile(filepath.Join(dir, stateFile), data[:len(data)-3], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadState(dir, "/srv/out"); err == nil {
		t.Fatal("a truncated state was read")
	}
}

// TestStatePaths checks the byte order of a state's files made from the
// order of the state before it.
func TestStatePaths(t *testing.T) {
	files := func(rels ...string) map[string]*fileState {
		m := map[string]*fileState{}
		for _, r := range rels {
			m[r] = &fileState{}
		}
		return m
	}
	old := &state{Files: files("a", "b/index.html", "c", "e")}
	old.sorted = old.paths(nil)
	next := &state{Version: stateVersion, Files: files("0", "a", "b/a", "c", "d", "f")}
	want := []string{"0", "a", "b/a", "c", "d", "f"}
	if got := next.paths(old); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	// Saved in that order, the order is read back.
	next.sorted = want
	dir := t.TempDir()
	if err := next.save(dir); err != nil {
		t.Fatal(err)
	}
	got, err := loadState(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.sorted, want) {
		t.Errorf("read order %q, want %q", got.sorted, want)
	}
}
