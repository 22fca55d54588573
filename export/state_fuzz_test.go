package export

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fuzzState is a small state with every kind of field set.
func fuzzState() *state {
	return &state{Version: stateVersion, Out: "/srv/out", Fingerprint: "fp", Cursor: 42, Edition: 7, Clean: true, Generation: 3, Files: map[string]*fileState{
		"index.html":          {SHA: [32]byte{1}, Size: 100, Deps: []string{"portal"}},
		"en/a/1-x/index.html": {SHA: [32]byte{2}, Size: 2000, Deps: []string{"svc:en", "art:1"}, Media: []string{"media/ab.jpg"}},
		"en/index.html":       {SHA: [32]byte{3}, Size: 300, Deps: []string{"svc:en"}, Expires: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)},
	}}
}

// FuzzDecodeState reads any bytes as a state file: never a panic, and
// what is read writes back as the same state.
func FuzzDecodeState(f *testing.F) {
	var b bytes.Buffer
	if err := encodeState(&b, fuzzState()); err != nil {
		f.Fatal(err)
	}
	f.Add(b.String())
	f.Add(stateMagic + "\x02")
	f.Add(stateMagic + "\x03\x00\x00\x00\x00\x01\x00\xff\xff\xff\xff\x0f")
	f.Fuzz(func(t *testing.T, data string) {
		st, err := decodeState(data)
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := encodeState(&out, st); err != nil {
			t.Fatalf("a state read does not write: %v", err)
		}
		again, err := decodeState(out.String())
		if err != nil || len(again.Files) != len(st.Files) || again.Cursor != st.Cursor || again.Edition != st.Edition || again.Generation != st.Generation {
			t.Fatalf("round trip: %v", err)
		}
		for rel, f := range st.Files {
			g := again.Files[rel]
			if g == nil || g.SHA != f.SHA || g.Size != f.Size || len(g.Deps) != len(f.Deps) || len(g.Media) != len(f.Media) {
				t.Fatalf("round trip changed %q", rel)
			}
		}
	})
}

// FuzzStateLog reads any bytes as the log of a state: never a panic; a
// log that reads is a state that saves and reads back the same.
func FuzzStateLog(f *testing.F) {
	base := fuzzState()
	dir := f.TempDir()
	if err := base.save(dir); err != nil {
		f.Fatal(err)
	}
	loaded, err := loadState(dir, base.Out)
	if err != nil {
		f.Fatal(err)
	}
	next := fuzzState()
	next.Generation = loaded.Generation
	delete(next.Files, "index.html")
	next.Files["en/a/2-y/index.html"] = &fileState{SHA: [32]byte{9}, Size: 9, Deps: []string{"art:2"}, Expires: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := next.saveChanges(dir, loaded, map[string]bool{"index.html": true, "en/a/2-y/index.html": true}); err != nil {
		f.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(dir, logFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add([]byte(logMagic + "\x08\x05\x00"))
	f.Fuzz(func(t *testing.T, log []byte) {
		dir := t.TempDir()
		st := fuzzState()
		if err := st.save(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, logFile), log, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := loadState(dir, st.Out)
		if err != nil {
			return
		}
		for rel, f := range got.Files {
			if f == nil {
				t.Fatalf("file %q read as nil", rel)
			}
		}
		if got.sorted != nil && len(got.sorted) != len(got.Files) {
			t.Fatalf("an order of %d paths for %d files", len(got.sorted), len(got.Files))
		}
		if err := got.save(dir); err != nil {
			t.Fatalf("a state read does not save: %v", err)
		}
		again, err := loadState(dir, st.Out)
		if err != nil || len(again.Files) != len(got.Files) || again.Cursor != got.Cursor {
			t.Fatalf("saved and read again: %v", err)
		}
	})
}
