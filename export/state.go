package export

import (
	"bufio"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"
)

// stateVersion changes when the state's format does: an export with an
// older state starts over with a full pass.
const stateVersion = 3

// state is what an export keeps between runs, in its state directory: where
// it stands in the change log, the last edition it signed, and every file
// of the tree with what it depends on. It is the export's index: an
// incremental pass finds the pages a change affects in it, without
// rendering anything else.
type state struct {
	Version int
	// Out is the output directory, absolute: a state is one export's.
	Out string
	// Fingerprint names the build and options that rendered the files;
	// another one re-renders everything (see fingerprint).
	Fingerprint string
	Cursor      int64
	// Edition is the last edition signed, or reserved for signing: a run
	// killed after signing must not sign another edition with the number.
	Edition int64
	// Clean is false from the moment a pass starts changing the tree until
	// it has finished: the next pass then checks every file on disk.
	Clean bool
	// Generation names the state file: the log of changes appended to it
	// (see appendLog) is read only with the file of its generation.
	Generation int64
	Files      map[string]*fileState
	// sorted, when it holds as many paths as Files, is their list in
	// byte order: the order the manifest wants, which the state file keeps
	// so that a run need not sort 100,000 paths again (see paths).
	sorted []string
	// fresh is true for the state made, in this run, for an output
	// directory found empty; never stored.
	fresh bool
	// table is the string table of the file the state was read from,
	// which its files' raw records use (see stringTable); nil for a new
	// state.
	table *stringTable
	// onDisk: the state is the one in the state directory (its file and
	// log), read or saved by this process, so that the next one can be
	// saved as the changes from it; logBytes is the log's size, baseBytes
	// the file's.
	onDisk              bool
	logBytes, baseBytes int64
}

// fileState is one file of the tree.
type fileState struct {
	SHA  [32]byte
	Size int64
	// Deps are the page's invalidation tags (render.Deps); none for an
	// asset or a picture.
	Deps    []string
	Expires time.Time // zero, or when the page must be rendered again
	// Behind marks a story page whose bytes are an older rendering that
	// only a list of newest stories it shows ("more from the section")
	// has moved past: a run renders a bounded number of them, newest
	// story first (Options.CatchUp), so that a publish need not render
	// every story page of its section before its own edition is out.
	Behind bool
	// Media are the picture files the page shows, relative to the root.
	Media []string
	// raw is the file's record as read, with tab the table its places
	// are in; "" for a file this process rendered. A fileState is never
	// changed once made: a new rendering makes a new one.
	raw string
	tab *stringTable
}

// paths lists st's files in byte order. With old, the state st was made
// from, and its order known, the order is old's with st's changes
// merged in rather than found again.
func (st *state) paths(old *state) []string {
	if old == nil || len(old.sorted) != len(old.Files) || len(old.sorted) == 0 {
		return slices.Sorted(maps.Keys(st.Files))
	}
	var added []string
	for rel := range st.Files {
		if old.Files[rel] == nil {
			added = append(added, rel)
		}
	}
	slices.Sort(added)
	out := make([]string, 0, len(st.Files))
	for _, rel := range old.sorted {
		for len(added) > 0 && added[0] < rel {
			out = append(out, added[0])
			added = added[1:]
		}
		if st.Files[rel] != nil {
			out = append(out, rel)
		}
	}
	return append(out, added...)
}

// pathsAfter is paths(old) when every file st adds to or removes from old
// is among touched: only those are looked up, not every file.
func (st *state) pathsAfter(old *state, touched map[string]bool) []string {
	if old == nil || len(old.sorted) != len(old.Files) || len(old.sorted) == 0 {
		return st.paths(old)
	}
	var added []string
	gone := map[string]bool{}
	for rel := range touched {
		was, is := old.Files[rel] != nil, st.Files[rel] != nil
		switch {
		case is && !was:
			added = append(added, rel)
		case was && !is:
			gone[rel] = true
		}
	}
	slices.Sort(added)
	out := make([]string, 0, len(st.Files))
	for _, rel := range old.sorted {
		for len(added) > 0 && added[0] < rel {
			out = append(out, added[0])
			added = added[1:]
		}
		if len(gone) == 0 || !gone[rel] {
			out = append(out, rel)
		}
	}
	out = append(out, added...)
	if len(out) != len(st.Files) {
		return st.paths(old) // touched did not name every change
	}
	return out
}

// StateDir is where the export to out keeps its state within a data
// directory: one directory per output directory.
func StateDir(data, out string) (string, error) {
	abs, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(filepath.Clean(abs)))
	return filepath.Join(data, "exports", hex.EncodeToString(sum[:8])), nil
}

const (
	stateFile = "state"
	// logFile holds the changes saved since the state file was written.
	logFile = "state.log"
	// journalFile says, in a few bytes written before a pass touches the
	// tree, which edition it reserved and that it has not finished: the
	// state itself, large, is written once, at the end.
	journalFile = "journal"
)

// journal is the small record a pass writes before it touches the tree.
type journal struct {
	Edition int64
	Dirty   bool
}

// reserve records that a pass is about to change the tree, signing
// edition (0: not signing yet).
func reserve(dir string, edition int64) error {
	return writeGob(dir, journalFile, journal{Edition: edition, Dirty: true})
}

// loadState reads the state, nil when there is none (or it is of another
// format, or for another directory: the export starts over).
func loadState(dir, out string) (*state, error) {
	st, found, err := readState(dir)
	if err != nil {
		return nil, err
	}
	if !found || st.Version != stateVersion || st.Out != out {
		st = &state{Version: stateVersion, Out: out}
	}
	var j journal
	if ok, err := readGob(dir, journalFile, &j); err != nil {
		return nil, err
	} else if ok {
		found = true
		st.Edition = max(st.Edition, j.Edition)
		if j.Dirty {
			st.Clean = false
		}
	}
	if !found {
		return nil, nil
	}
	if st.Files == nil {
		st.Files = map[string]*fileState{}
	}
	return st, nil
}

// readState reads the state file; found is false when there is none, or
// it is of another format (an older build's).
func readState(dir string) (st *state, found bool, err error) {
	name := filepath.Join(dir, stateFile)
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("read the export's %s: %w", stateFile, err)
	}
	st, err = decodeState(string(data))
	if errors.Is(err, errNotState) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("read the export's %s (%s): %w (remove the directory to export everything again)", stateFile, name, err)
	}
	st.baseBytes = int64(len(data))
	if err := st.replayLog(dir); err != nil {
		return nil, false, err
	}
	st.onDisk = true
	return st, true, nil
}

func readGob(dir, name string, v any) (bool, error) {
	f, err := os.Open(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("read the export's %s: %w", name, err)
	}
	defer f.Close()
	if err := gob.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(v); err != nil {
		return false, fmt.Errorf("read the export's %s (%s): %w (remove the directory to export everything again)", name, f.Name(), err)
	}
	return true, nil
}

// save writes the state whole, atomically and durably, as a new
// generation (which leaves the log, of the generation before, unread),
// then clears the journal.
func (st *state) save(dir string) error {
	st.Generation++
	if err := writeFile(dir, stateFile, func(w io.Writer) error { return encodeState(w, st) }); err != nil {
		return err
	}
	os.Remove(filepath.Join(dir, logFile))
	st.onDisk, st.logBytes, st.baseBytes = true, 0, 0
	if fi, err := os.Stat(filepath.Join(dir, stateFile)); err == nil {
		st.baseBytes = fi.Size()
	}
	return writeGob(dir, journalFile, journal{Edition: st.Edition, Dirty: !st.Clean})
}

// saveChanges saves st, made from base (the state on disk) by changing
// the files touched (rendered again, or removed), as a record appended
// to the log: a publish changes a few hundred of several hundred thousand
// files, whose whole state is 25 MB. When the log has grown to a quarter
// of the state file, or base is not the state on disk, the state is
// written whole instead (save), which starts an empty log.
func (st *state) saveChanges(dir string, base *state, touched map[string]bool) error {
	if base == nil || !base.onDisk || base.logBytes > max(base.baseBytes/4, 1<<20) {
		st.Generation = max(st.Generation, base.generation())
		return st.save(dir)
	}
	st.Generation = base.Generation
	n, err := appendLog(dir, st, touched, base.logBytes == 0)
	if err != nil {
		return err
	}
	st.onDisk, st.logBytes, st.baseBytes = true, base.logBytes+n, base.baseBytes
	return writeGob(dir, journalFile, journal{Edition: st.Edition, Dirty: !st.Clean})
}

func (st *state) generation() int64 {
	if st == nil {
		return 0
	}
	return st.Generation
}

func writeGob(dir, name string, v any) error {
	return writeFile(dir, name, func(w io.Writer) error { return gob.NewEncoder(w).Encode(v) })
}

// writeFile writes a file of the state directory atomically and durably.
func writeFile(dir, name string, encode func(io.Writer) error) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save the export's %s: %w", name, err)
	}
	tmp, err := os.CreateTemp(dir, name+".tmp-*")
	if err != nil {
		return fmt.Errorf("save the export's %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriterSize(tmp, 1<<20)
	err = encode(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		return fmt.Errorf("save the export's %s: %w", name, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// fingerprint names what renders the pages: this build of Kolokol (its
// templates, styles and catalogs are in the executable) and the options
// that go into every page. A new build or a new base URL changes every
// page without a change in the log.
func fingerprint(parts ...string) (string, error) {
	exe, err := executableHash()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "state %d\x00build %s\x00%s\x00", stateVersion, exe, runtime.Version())
	for _, p := range parts {
		fmt.Fprintf(h, "%q\x00", p)
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}

var executableHash = sync.OnceValues(func() (string, error) {
	path, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find the running executable: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("read the running executable: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read the running executable: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
})

// LastEdition is the newest edition the export of out (with its state in
// data) signed or reserved: the greater of its journal's and of the
// manifests out holds. 0: none.
func LastEdition(data, out string) (int64, error) {
	dir, err := StateDir(data, out)
	if err != nil {
		return 0, err
	}
	var j journal
	if _, err := readGob(dir, journalFile, &j); err != nil {
		return 0, err
	}
	return max(j.Edition, existingEdition(out)), nil
}

// RaiseEdition makes the next edition the export of out (with its state
// in data) signs greater than edition, as after a restore: the restored
// newsroom must not sign numbers its mirrors have already seen. The next
// run also checks every file, having no state to trust.
func RaiseEdition(data, out string, edition int64) error {
	dir, err := StateDir(data, out)
	if err != nil {
		return err
	}
	var j journal
	if _, err := readGob(dir, journalFile, &j); err != nil {
		return err
	}
	if j.Edition >= edition {
		return nil
	}
	return writeGob(dir, journalFile, journal{Edition: edition, Dirty: true})
}
