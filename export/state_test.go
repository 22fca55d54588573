package export

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
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
		"en/a/2-z/index.html": {SHA: [32]byte{7}, Size: 2200, Deps: []string{"svc:en", "art:2", "latest:en/world"}, Behind: true},
		"en/a/3-z/index.html": {SHA: [32]byte{8}, Size: 2300, Deps: []string{"art:3"}, Behind: true, Expires: exp},
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
			if g == nil || g.SHA != w.SHA || g.Size != w.Size || !g.Expires.Equal(w.Expires) || g.Behind != w.Behind ||
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
	got.Files["en/a/2-z/index.html"] = &fileState{SHA: [32]byte{7}, Size: 2200, Deps: []string{"svc:en", "art:2", "latest:en/world"}}
	got.Cursor, got.Clean = 50, false
	got = check(got)
	// The places of a file read with its table skip the expiry, whatever
	// the flags say.
	for _, tc := range []struct {
		rel, tag string
		want     bool
	}{{"en/a/3-z/index.html", "art:3", true}, {"en/a/3-z/index.html", "art:2", false}, {"en/a/2-z/index.html", "latest:en/world", true}} {
		tags := map[string]byte{tc.tag: 2}
		if f := got.Files[tc.rel]; f.raw == "" || (f.depKind(tags, got.table, got.table.hits(tags)) == 2) != tc.want {
			t.Errorf("%s depends on %s: want %v (raw %d bytes)", tc.rel, tc.tag, tc.want, len(f.raw))
		}
	}

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

// TestStateLog saves states as the changes from the one before, appended
// to the log, and reads each back whole; a record cut short (a run killed
// while saving) is read as a state that is not clean; a log grown past a
// quarter of the state file is folded into a new one.
func TestStateLog(t *testing.T) {
	dir := t.TempDir()
	st := &state{Version: stateVersion, Out: "/srv/out", Fingerprint: "fp", Cursor: 1, Edition: 1, Clean: true, Files: map[string]*fileState{}}
	for i := range 50 {
		st.Files[fmt.Sprintf("en/a/%d-x/index.html", i)] = &fileState{SHA: [32]byte{byte(i)}, Size: int64(i), Deps: []string{"svc:en", fmt.Sprintf("art:%d", i)}}
	}
	st.sorted = st.paths(nil)
	if err := st.save(dir); err != nil {
		t.Fatal(err)
	}
	base, err := loadState(dir, st.Out)
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for round := range 3 {
		next := &state{Version: stateVersion, Out: base.Out, Fingerprint: "fp2", Cursor: base.Cursor + 5, Edition: base.Edition + 1, Clean: true, Files: maps.Clone(base.Files)}
		touched := map[string]bool{}
		add := fmt.Sprintf("en/a/%d-new/index.html", 100+round)
		next.Files[add] = &fileState{SHA: [32]byte{9}, Size: 9, Deps: []string{"svc:en"}, Media: []string{"media/x.jpg"}, Expires: exp}
		gone := fmt.Sprintf("en/a/%d-x/index.html", round)
		delete(next.Files, gone)
		next.Files["en/a/10-x/index.html"] = &fileState{SHA: [32]byte{byte(round)}, Size: 77}
		// Marked behind in one round, rendered again in the next.
		next.Files["en/a/20-x/index.html"] = &fileState{SHA: [32]byte{20}, Size: 20, Deps: []string{"svc:en", "art:20"}, Behind: round%2 == 0}
		touched[add], touched[gone], touched["en/a/10-x/index.html"], touched["en/a/20-x/index.html"] = true, true, true, true
		next.sorted = next.paths(base)
		if err := next.saveChanges(dir, base, touched); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, logFile)); err != nil {
			t.Fatalf("round %d: no log: %v", round, err)
		}
		got, err := loadState(dir, st.Out)
		if err != nil {
			t.Fatal(err)
		}
		if got.Cursor != next.Cursor || got.Edition != next.Edition || !got.Clean || got.Fingerprint != "fp2" || len(got.Files) != len(next.Files) || !reflect.DeepEqual(got.sorted, next.sorted) {
			t.Fatalf("round %d: read %d files, cursor %d, edition %d, clean %v, sorted %v", round, len(got.Files), got.Cursor, got.Edition, got.Clean, len(got.sorted) == len(got.Files))
		}
		for rel, w := range next.Files {
			g := got.Files[rel]
			if g == nil || g.SHA != w.SHA || g.Size != w.Size || !g.Expires.Equal(w.Expires) || g.Behind != w.Behind || !slices.Equal(g.Deps, w.Deps) || !slices.Equal(g.Media, w.Media) {
				t.Fatalf("round %d: %s: read %+v, saved %+v", round, rel, g, w)
			}
		}
		base = got
	}
	// Cut short: the records before the last are read, and the state is
	// not clean.
	data, _ := os.ReadFile(filepath.Join(dir, logFile))
	os.WriteFile(filepath.Join(dir, logFile), data[:len(data)-2], 0o600)
	got, err := loadState(dir, st.Out)
	if err != nil || got.Clean || got.Cursor != base.Cursor-5 || got.Edition != base.Edition { // the journal keeps the edition
		t.Fatalf("a log cut short: %v, clean %v, cursor %d", err, got.Clean, got.Cursor)
	}
	// Folded: a log larger than a quarter of the state (at least 1 MiB).
	base.logBytes = 2 << 20
	next := &state{Version: stateVersion, Out: base.Out, Cursor: base.Cursor + 1, Edition: base.Edition, Clean: true, Files: maps.Clone(base.Files)}
	if err := next.saveChanges(dir, base, map[string]bool{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, logFile)); !os.IsNotExist(err) {
		t.Fatalf("the log was not folded into the state: %v", err)
	}
	if got, err := loadState(dir, st.Out); err != nil || len(got.Files) != len(next.Files) || got.Generation != base.Generation+1 {
		t.Fatalf("after folding: %v %+v", err, got)
	}
}

// TestStatePathsAfter: the order found from the files touched is the order
// found from every file.
func TestStatePathsAfter(t *testing.T) {
	old := &state{Files: map[string]*fileState{"a": {}, "b/index.html": {}, "c": {}, "e": {}}}
	old.sorted = old.paths(nil)
	next := &state{Files: maps.Clone(old.Files)}
	next.Files["0"], next.Files["d"], next.Files["f"] = &fileState{}, &fileState{}, &fileState{}
	delete(next.Files, "b/index.html")
	next.Files["c"] = &fileState{Size: 1}
	got := next.pathsAfter(old, map[string]bool{"0": true, "d": true, "f": true, "b/index.html": true, "c": true})
	if want := next.paths(old); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	// Touched naming too few: the order is found from every file.
	if got := next.pathsAfter(old, map[string]bool{"d": true}); !reflect.DeepEqual(got, next.paths(old)) {
		t.Errorf("with too few touched: %q", got)
	}
}
