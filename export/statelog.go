package export

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The state's log: what each run changed, appended to the state file of
// one generation rather than the whole state written again.
//
//	logMagic, varint Generation (the state file's it follows)
//	records: uvarint length, the record, 4 bytes CRC-32 (IEEE, little
//	  endian) of the record
//	record: varint Cursor, varint Edition, byte Clean, string Fingerprint,
//	  uvarint n, n changes: string path, byte 0 (removed) or 1 and the
//	  file as in the state file, but with its tags and pictures as
//	  strings rather than table places
//
// A record whose length or checksum does not hold (a run killed while
// appending) ends the log, and the state read is then not clean: the next
// run checks every file, as after any run that did not finish.
const logMagic = "kolokol export log\n"

// appendLog appends st's header and the touched files (as st has them,
// or removed) to the log, durably; with fresh it starts the log. It
// returns how many bytes it appended.
func appendLog(dir string, st *state, touched map[string]bool, fresh bool) (int64, error) {
	str := func(b []byte, s string) []byte {
		b = binary.AppendUvarint(b, uint64(len(s)))
		return append(b, s...)
	}
	var rec []byte
	rec = binary.AppendVarint(rec, st.Cursor)
	rec = binary.AppendVarint(rec, st.Edition)
	if st.Clean {
		rec = append(rec, 1)
	} else {
		rec = append(rec, 0)
	}
	rec = str(rec, st.Fingerprint)
	rec = binary.AppendUvarint(rec, uint64(len(touched)))
	for _, rel := range slices.Sorted(func(yield func(string) bool) {
		for rel := range touched {
			if !yield(rel) {
				return
			}
		}
	}) {
		rec = str(rec, rel)
		f := st.Files[rel]
		if f == nil {
			rec = append(rec, 0)
			continue
		}
		rec = append(rec, 1)
		var err error
		if rec, err = appendHead(rec, f); err != nil {
			return 0, fmt.Errorf("save the export's %s: %w", logFile, err)
		}
		for _, list := range [][]string{f.Deps, f.Media} {
			rec = binary.AppendUvarint(rec, uint64(len(list)))
			for _, s := range list {
				rec = str(rec, s)
			}
		}
	}
	var out []byte
	if fresh {
		out = append(out, logMagic...)
		out = binary.AppendVarint(out, st.Generation)
	}
	out = binary.AppendUvarint(out, uint64(len(rec)))
	out = append(out, rec...)
	out = binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(rec))

	flags := os.O_WRONLY | os.O_CREATE | os.O_APPEND
	if fresh {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(filepath.Join(dir, logFile), flags, 0o600)
	if err != nil {
		return 0, fmt.Errorf("save the export's %s: %w", logFile, err)
	}
	_, err = f.Write(out)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("save the export's %s: %w", logFile, err)
	}
	if fresh {
		if d, err := os.Open(dir); err == nil {
			d.Sync()
			d.Close()
		}
	}
	return int64(len(out)), nil
}

// replayLog applies the log of st's generation to st, read from its file.
func (st *state) replayLog(dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, logFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("read the export's %s: %w", logFile, err)
	}
	if !strings.HasPrefix(string(data), logMagic) {
		return nil // not of this format: as if none
	}
	r := &stateReader{s: string(data), i: len(logMagic)}
	if gen := r.varint(); r.err != nil || gen != st.Generation {
		return nil // a log left by the generation before: its changes are in the file
	}
	var added []string
	removed := map[string]bool{}
	for r.i < len(r.s) {
		n := r.uvarint()
		if r.err != nil || n > uint64(len(r.s)-r.i) || len(r.s)-r.i-int(n) < 4 {
			st.Clean = false // a record cut short: the run did not finish saving
			break
		}
		rec := r.s[r.i : r.i+int(n)]
		sum := binary.LittleEndian.Uint32([]byte(r.s[r.i+int(n) : r.i+int(n)+4]))
		r.i += int(n) + 4
		if crc32.ChecksumIEEE([]byte(rec)) != sum {
			st.Clean = false
			break
		}
		a, rm, err := st.applyRecord(rec)
		if err != nil {
			return fmt.Errorf("read the export's %s: %w (remove the directory to export everything again)", logFile, err)
		}
		added = append(added, a...)
		for _, rel := range rm {
			removed[rel] = true
		}
	}
	st.logBytes = int64(len(data))
	st.sorted = mergeSorted(st.sorted, added, removed, st.Files)
	return nil
}

// applyRecord applies one record; it returns the paths it added and
// those it removed.
func (st *state) applyRecord(rec string) (added, removed []string, err error) {
	r := &stateReader{s: rec}
	st.Cursor = r.varint()
	st.Edition = r.varint()
	st.Clean = r.byte() == 1
	st.Fingerprint = r.string()
	n := r.count(2)
	for range n {
		rel := r.string()
		_, had := st.Files[rel]
		if r.byte() == 0 {
			delete(st.Files, rel)
			removed = append(removed, rel)
			continue
		}
		f := &fileState{}
		if !r.fileHead(f) {
			break
		}
		for _, list := range []*[]string{&f.Deps, &f.Media} {
			k := r.count(1)
			if k > 0 {
				*list = make([]string, k)
				for j := range *list {
					(*list)[j] = r.string()
				}
			}
		}
		if r.err != nil {
			break
		}
		st.Files[rel] = f
		if !had {
			added = append(added, rel)
		}
	}
	if r.err == nil && r.i != len(r.s) {
		r.err = fmt.Errorf("%d bytes after a record", len(r.s)-r.i)
	}
	return added, removed, r.err
}

// mergeSorted is the byte order of files, from sorted (an order of the
// files before added were added and removed removed; nil: unknown). Only
// the paths added and removed are looked up in files.
func mergeSorted(sorted, added []string, removed map[string]bool, files map[string]*fileState) []string {
	if sorted == nil {
		return nil
	}
	if len(added) == 0 && len(removed) == 0 {
		return sorted
	}
	slices.Sort(added)
	added = slices.Compact(added)
	out := make([]string, 0, len(files))
	for _, rel := range sorted {
		for len(added) > 0 && added[0] < rel {
			if files[added[0]] != nil {
				out = append(out, added[0])
			}
			added = added[1:]
		}
		if len(added) > 0 && added[0] == rel {
			added = added[1:]
		}
		if !removed[rel] || files[rel] != nil {
			out = append(out, rel)
		}
	}
	for _, rel := range added {
		if files[rel] != nil {
			out = append(out, rel)
		}
	}
	if len(out) != len(files) {
		return nil // not an order of these files: found again when needed
	}
	return out
}
