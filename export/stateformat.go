package export

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// The state's file format. A large export's state holds every file of the
// tree with its tags (several hundred thousand files, a million tags) and
// is read and written on every run, so it is a compact binary one rather
// than gob, which spent more than a second each way on it at 100,000
// stories: the tags and picture paths are written once, in a table, and
// each file names them by their place in it; reading makes one string of
// the file and slices every name out of it.
//
//	magic, then uvarint version
//	string Out, string Fingerprint, varint Cursor, varint Edition, byte Clean,
//	varint Generation
//	uvarint n, n strings: the table
//	uvarint n, n files: string path, 32 bytes SHA-256, varint size,
//	  flags (byte: headExpires, headBehind), with headExpires a string
//	  (the expiry, time.MarshalBinary),
//	  uvarint n and n table places (tags), uvarint n and n places (pictures)
//
// A string is its length (uvarint) and its bytes.

const stateMagic = "kolokol export state\n"

// errNotState is a state file of another format (an older build's gob).
var errNotState = errors.New("not a state file of this format")

// stringTable is the table of a state file read: the files read with it
// keep their records as they were (fileState.raw), and a state written
// again writes them as they are, after the same table, rather than
// encoding every file again: an incremental run changes a few hundred of
// several hundred thousand.
type stringTable struct{ strs []string }

func encodeState(w io.Writer, st *state) error {
	base := st.table
	if base == nil {
		base = &stringTable{}
	}
	table := slices.Clip(base.strs) // appended to: a copy
	var byText map[string]uint64
	place := func(s string) uint64 {
		if byText == nil {
			byText = make(map[string]uint64, len(table))
			for i, s := range table {
				if _, ok := byText[s]; !ok {
					byText[s] = uint64(i)
				}
			}
		}
		i, ok := byText[s]
		if !ok {
			i = uint64(len(table))
			byText[s] = i
			table = append(table, s)
		}
		return i
	}
	str := func(buf []byte, s string) []byte {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		return append(buf, s...)
	}
	// The files first, in memory (about 100 bytes each), making the table.
	files := make([]byte, 0, 128*len(st.Files))
	write := func(rel string, f *fileState) error {
		files = str(files, rel)
		if f.raw != "" && f.tab == base {
			files = append(files, f.raw...)
			return nil
		}
		var err error
		if files, err = appendHead(files, f); err != nil {
			return err
		}
		files = binary.AppendUvarint(files, uint64(len(f.Deps)))
		for _, s := range f.Deps {
			files = binary.AppendUvarint(files, place(s))
		}
		files = binary.AppendUvarint(files, uint64(len(f.Media)))
		for _, s := range f.Media {
			files = binary.AppendUvarint(files, place(s))
		}
		return nil
	}
	// In byte order when it is known, so that the next run knows it too.
	if len(st.sorted) == len(st.Files) {
		for _, rel := range st.sorted {
			f := st.Files[rel]
			if f == nil {
				return fmt.Errorf("the state's order lists %q, which it does not hold", rel)
			}
			if err := write(rel, f); err != nil {
				return err
			}
		}
	} else {
		for rel, f := range st.Files {
			if err := write(rel, f); err != nil {
				return err
			}
		}
	}
	var head []byte
	head = append(head, stateMagic...)
	head = binary.AppendUvarint(head, uint64(st.Version))
	head = str(head, st.Out)
	head = str(head, st.Fingerprint)
	head = binary.AppendVarint(head, st.Cursor)
	head = binary.AppendVarint(head, st.Edition)
	if st.Clean {
		head = append(head, 1)
	} else {
		head = append(head, 0)
	}
	head = binary.AppendVarint(head, st.Generation)
	head = binary.AppendUvarint(head, uint64(len(table)))
	for _, s := range table {
		head = str(head, s)
	}
	head = binary.AppendUvarint(head, uint64(len(st.Files)))
	if _, err := w.Write(head); err != nil {
		return err
	}
	_, err := w.Write(files)
	return err
}

// stateReader reads the format from a string holding the whole file.
type stateReader struct {
	s   string
	i   int
	err error
}

func (r *stateReader) fail() {
	if r.err == nil {
		r.err = io.ErrUnexpectedEOF
	}
	r.i = len(r.s)
}

func (r *stateReader) uvarint() uint64 {
	v, n := uvarint(r.s[r.i:])
	if n <= 0 {
		r.fail()
		return 0
	}
	r.i += n
	return v
}

// fileHead reads what every record of a file starts with, in the state
// file and in its log alike: its SHA-256, size and expiry. false when the
// record is cut short.
func (r *stateReader) fileHead(f *fileState) bool {
	if r.i+32 > len(r.s) {
		r.fail()
		return false
	}
	copy(f.SHA[:], r.s[r.i:r.i+32])
	r.i += 32
	f.Size = r.varint()
	flags := r.byte()
	if flags&^(headExpires|headBehind) != 0 && r.err == nil {
		r.err = fmt.Errorf("a file record's flags %#x are not this format's", flags)
	}
	if flags&headExpires != 0 {
		if err := f.Expires.UnmarshalBinary([]byte(r.string())); err != nil && r.err == nil {
			r.err = err
		}
	}
	f.Behind = flags&headBehind != 0
	return r.err == nil
}

// The flags of a file record's head. A state written before Behind
// existed has only 0 and 1.
const (
	headExpires = 1 << iota // an expiry time follows
	headBehind              // fileState.Behind
)

// appendHead appends what fileHead reads.
func appendHead(b []byte, f *fileState) ([]byte, error) {
	b = append(b, f.SHA[:]...)
	b = binary.AppendVarint(b, f.Size)
	var flags byte
	if f.Behind {
		flags |= headBehind
	}
	if f.Expires.IsZero() {
		return append(b, flags), nil
	}
	t, err := f.Expires.MarshalBinary()
	if err != nil {
		return nil, err
	}
	b = append(b, flags|headExpires)
	b = binary.AppendUvarint(b, uint64(len(t)))
	return append(b, t...), nil
}

func (r *stateReader) varint() int64 {
	u := r.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

func (r *stateReader) string() string {
	n := r.uvarint()
	if n > uint64(len(r.s)-r.i) {
		r.fail()
		return ""
	}
	s := r.s[r.i : r.i+int(n)]
	r.i += int(n)
	return s
}

func (r *stateReader) byte() byte {
	if r.i >= len(r.s) {
		r.fail()
		return 0
	}
	b := r.s[r.i]
	r.i++
	return b
}

// count reads a count of items each at least min bytes long, refusing
// one the rest of the file cannot hold.
func (r *stateReader) count(min int) int {
	n := r.uvarint()
	if n > uint64(len(r.s)-r.i)/uint64(min) {
		r.fail()
		return 0
	}
	return int(n)
}

// uvarint is binary.Uvarint on a string.
func uvarint(s string) (uint64, int) {
	var x uint64
	var shift uint
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		b := s[i]
		if b < 0x80 {
			if i == binary.MaxVarintLen64-1 && b > 1 {
				return 0, -(i + 1)
			}
			return x | uint64(b)<<shift, i + 1
		}
		x |= uint64(b&0x7f) << shift
		shift += 7
	}
	return 0, 0
}

func decodeState(data string) (*state, error) {
	if len(data) < len(stateMagic) || data[:len(stateMagic)] != stateMagic {
		return nil, errNotState
	}
	r := &stateReader{s: data, i: len(stateMagic)}
	st := &state{}
	st.Version = int(r.uvarint())
	if r.err == nil && st.Version != stateVersion && st.Version != 2 {
		return nil, errNotState
	}
	st.Out = r.string()
	st.Fingerprint = r.string()
	st.Cursor = r.varint()
	st.Edition = r.varint()
	st.Clean = r.byte() == 1
	if st.Version > 2 { // version 2 had no log, nor generations
		st.Generation = r.varint()
	}
	st.Version = stateVersion
	table := make([]string, r.count(1))
	for i := range table {
		table[i] = r.string()
	}
	st.table = &stringTable{table}
	n := r.count(1 + 32 + 1 + 1 + 1 + 1)
	st.Files = make(map[string]*fileState, n)
	files := make([]fileState, n)
	st.sorted = make([]string, 0, n)
	var refs []string
	list := func() []string {
		k := r.count(1)
		if k == 0 {
			return nil
		}
		if len(refs) < k {
			refs = make([]string, max(k, 4096))
		}
		out := refs[:k:k]
		refs = refs[k:]
		for j := range out {
			p := r.uvarint()
			if p >= uint64(len(table)) {
				r.fail()
				return nil
			}
			out[j] = table[p]
		}
		return out
	}
	for i := range files {
		f := &files[i]
		rel := r.string()
		start := r.i
		if !r.fileHead(f) {
			break
		}
		f.Deps = list()
		f.Media = list()
		if r.err != nil {
			break
		}
		f.raw, f.tab = r.s[start:r.i], st.table
		st.Files[rel] = f
		if st.sorted != nil && (len(st.sorted) == 0 || st.sorted[len(st.sorted)-1] < rel) {
			st.sorted = append(st.sorted, rel)
		} else {
			st.sorted = nil // written in no order
		}
	}
	if r.err == nil && r.i != len(r.s) {
		r.err = fmt.Errorf("%d bytes after the end", len(r.s)-r.i)
	}
	if r.err != nil {
		return nil, r.err
	}
	return st, nil
}

// hits marks the places of the table that hold one of tags with the
// tag's kind (not 0): a file read with the table then depends on one of
// them if one of its places is marked (depKind), found without hashing
// each of its tags. At 100,000 stories that is a million tags to look at
// after every publish.
func (t *stringTable) hits(tags map[string]byte) []byte {
	if t == nil {
		return nil
	}
	hit := make([]byte, len(t.strs))
	for i, s := range t.strs {
		hit[i] = tags[s]
	}
	return hit
}

// depKind is the highest kind among the tags of tags the file depends on,
// 0 if none: from its record's places when it was read with tab (whose
// hits are hit), else from its tags.
func (f *fileState) depKind(tags map[string]byte, tab *stringTable, hit []byte) byte {
	var kind byte
	if f.raw != "" && f.tab == tab && tab != nil {
		// The record: SHA-256, size, flags and expiry, then the places of
		// the tags.
		r := stateReader{s: f.raw, i: 32}
		r.varint()
		if r.byte()&headExpires != 0 {
			r.string()
		}
		n := r.uvarint()
		for range n {
			if p := r.uvarint(); r.err == nil && p < uint64(len(hit)) {
				kind = max(kind, hit[p])
			}
		}
		if r.err == nil {
			return kind
		}
		kind = 0
	}
	for _, d := range f.Deps {
		kind = max(kind, tags[d])
	}
	return kind
}
