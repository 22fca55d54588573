package zim

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Bounds on what a file may make the Reader allocate.
const (
	// maxClusterData is the most a compressed cluster may decompress to;
	// libzim writes clusters of about 2 MB.
	maxClusterData = 64 << 20
	// maxWindow is the largest zstd window accepted: libzim's level 19
	// uses 8 MB.
	maxWindow = 32 << 20
	// maxMIMEList bounds the MIME type list.
	maxMIMEList = 64 << 10
	// readChunk is how much is read at a time when a file claims a size,
	// so memory follows the bytes actually there, not the claim.
	readChunk = 64 << 10
)

// errFormat is wrapped by every error about a malformed file.
var errFormat = errors.New("zim: malformed file")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errFormat}, args...)...)
}

type header struct {
	major, minor  uint16
	uuid          [16]byte
	entryCount    uint32
	clusterCount  uint32
	pathPtrPos    uint64
	titleIdxPos   uint64
	clusterPtrPos uint64
	mimeListPos   uint64
	mainPage      uint32
	checksumPos   uint64
}

type entry struct {
	ns       byte
	path     string
	title    string
	mime     uint16
	redirect bool
	target   uint32
	cluster  uint32
	blob     uint32
}

// Reader reads a ZIM file. It is safe for concurrent use.
type Reader struct {
	r      io.ReaderAt
	size   int64
	closer io.Closer

	h          header
	mimes      []string
	entries    []entry
	index      map[string]uint32 // namespace byte + path
	clusterPos []uint64
	// bounds are the offsets where some part of the file starts: a
	// cluster ends at the first one after its start.
	bounds []uint64

	mu    sync.Mutex
	cache *clusterData
	dec   *zstd.Decoder // made on first use, reused under mu
}

// clusterData is one cluster's blobs, decompressed.
type clusterData struct {
	index   uint32
	data    []byte
	offsets []uint64
}

// OpenFile opens the ZIM file at path; Close closes it.
func OpenFile(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("zim: open: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("zim: stat %s: %w", path, err)
	}
	r, err := Open(f, fi.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	r.closer = f
	return r, nil
}

// Close releases the zstd decoder, and closes the file OpenFile opened.
func (r *Reader) Close() error {
	r.mu.Lock()
	if r.dec != nil {
		r.dec.Close()
		r.dec = nil
	}
	r.cache = nil
	r.mu.Unlock()
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

// Open reads the directory of the ZIM file of size bytes in ra. It trusts
// nothing in the file: counts, offsets and sizes are checked before use.
func Open(ra io.ReaderAt, size int64) (*Reader, error) {
	r := &Reader{r: ra, size: size}
	if size < headerSize {
		return nil, malformed("%d bytes, shorter than a header", size)
	}
	if err := r.readHeader(); err != nil {
		return nil, err
	}
	if err := r.readMIMEs(); err != nil {
		return nil, err
	}
	if err := r.readDirents(); err != nil {
		return nil, err
	}
	if err := r.readClusterPointers(); err != nil {
		return nil, err
	}
	return r, nil
}

// end is where content may end: the checksum, or the end of the file.
func (r *Reader) end() uint64 {
	if r.h.checksumPos != 0 {
		return r.h.checksumPos
	}
	return uint64(r.size)
}

func (r *Reader) readHeader() error {
	var b [headerSize]byte
	if _, err := r.r.ReadAt(b[:], 0); err != nil {
		return fmt.Errorf("zim: read header: %w", err)
	}
	le := binary.LittleEndian
	if m := le.Uint32(b[0:]); m != magic {
		return malformed("magic number %#x, not a ZIM file", m)
	}
	h := &r.h
	h.major, h.minor = le.Uint16(b[4:]), le.Uint16(b[6:])
	copy(h.uuid[:], b[8:24])
	h.entryCount, h.clusterCount = le.Uint32(b[24:]), le.Uint32(b[28:])
	h.pathPtrPos, h.titleIdxPos, h.clusterPtrPos = le.Uint64(b[32:]), le.Uint64(b[40:]), le.Uint64(b[48:])
	h.mimeListPos, h.mainPage, h.checksumPos = le.Uint64(b[56:]), le.Uint32(b[64:]), le.Uint64(b[72:])
	size := uint64(r.size)
	switch {
	case h.major != 5 && h.major != 6:
		return malformed("major version %d, not 5 or 6", h.major)
	case h.mimeListPos != headerSize && h.mimeListPos != 72:
		return malformed("MIME list at %d, not after the header", h.mimeListPos)
	case h.checksumPos != 0 && h.checksumPos != size-16:
		return malformed("checksum at %d in a file of %d bytes", h.checksumPos, size)
	case (h.entryCount == 0) != (h.clusterCount == 0):
		return malformed("%d entries in %d clusters", h.entryCount, h.clusterCount)
	}
	// Every pointer list must lie inside the file: this is what bounds
	// the counts.
	if !within(h.pathPtrPos, 8*uint64(h.entryCount), r.end()) || h.pathPtrPos < h.mimeListPos {
		return malformed("%d path pointers at %d do not fit in %d bytes", h.entryCount, h.pathPtrPos, size)
	}
	if !within(h.clusterPtrPos, 8*uint64(h.clusterCount), r.end()) || h.clusterPtrPos < h.mimeListPos {
		return malformed("%d cluster pointers at %d do not fit in %d bytes", h.clusterCount, h.clusterPtrPos, size)
	}
	if h.mainPage != noPage && h.mainPage >= h.entryCount {
		return malformed("main page %d of %d entries", h.mainPage, h.entryCount)
	}
	return nil
}

// within says whether n bytes at off end at or before end, without
// overflowing.
func within(off, n, end uint64) bool {
	return off <= end && n <= end-off
}

// readAt reads n bytes at off in chunks, so that a hostile claim of size
// costs no more memory than the bytes that are really there.
func (r *Reader) readAt(off, n uint64) ([]byte, error) {
	if !within(off, n, uint64(r.size)) {
		return nil, malformed("%d bytes at %d past the end (%d)", n, off, r.size)
	}
	var out []byte
	for n > 0 {
		k := min(n, readChunk)
		start := len(out)
		out = append(out, make([]byte, k)...)
		if _, err := r.r.ReadAt(out[start:], int64(off)); err != nil {
			return nil, fmt.Errorf("zim: read %d bytes at %d: %w", k, off, err)
		}
		off += k
		n -= k
	}
	return out, nil
}

func (r *Reader) readMIMEs() error {
	limit := min(r.h.pathPtrPos, r.h.clusterPtrPos, r.end(), r.h.mimeListPos+maxMIMEList)
	if limit <= r.h.mimeListPos {
		return malformed("no room for the MIME list")
	}
	b, err := r.readAt(r.h.mimeListPos, limit-r.h.mimeListPos)
	if err != nil {
		return fmt.Errorf("zim: read MIME list: %w", err)
	}
	for {
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			return malformed("MIME list does not end")
		}
		if i == 0 {
			return nil
		}
		if len(r.mimes) == redirectMIME {
			return malformed("more than %d MIME types", redirectMIME)
		}
		r.mimes = append(r.mimes, string(b[:i]))
		b = b[i+1:]
	}
}

func (r *Reader) readDirents() error {
	ptrs, err := r.readAt(r.h.pathPtrPos, 8*uint64(r.h.entryCount))
	if err != nil {
		return fmt.Errorf("zim: read path pointers: %w", err)
	}
	r.index = make(map[string]uint32)
	// Dirents may share bytes in a hostile file; counting what they hold
	// against the file's size bounds the memory they take.
	var loaded uint64
	for i := range r.h.entryCount {
		pos := binary.LittleEndian.Uint64(ptrs[8*i:])
		e, n, err := r.readDirent(pos)
		if err != nil {
			return fmt.Errorf("dirent %d at %d: %w", i, pos, err)
		}
		if loaded += n; loaded > uint64(r.size) {
			return malformed("dirents overlap")
		}
		if e.redirect && e.target >= r.h.entryCount {
			return malformed("dirent %d redirects to %d of %d entries", i, e.target, r.h.entryCount)
		}
		if !e.redirect && e.cluster >= r.h.clusterCount {
			return malformed("dirent %d in cluster %d of %d", i, e.cluster, r.h.clusterCount)
		}
		if !e.redirect && int(e.mime) >= len(r.mimes) {
			return malformed("dirent %d has MIME type %d of %d", i, e.mime, len(r.mimes))
		}
		r.entries = append(r.entries, e)
		key := string(e.ns) + e.path
		if _, dup := r.index[key]; !dup {
			r.index[key] = i
		}
		r.bounds = append(r.bounds, pos)
	}
	return nil
}

// readDirent reads the dirent at pos, and says how many bytes it holds.
func (r *Reader) readDirent(pos uint64) (entry, uint64, error) {
	var e entry
	end := r.end()
	if pos < headerSize || !within(pos, 12, end) {
		return e, 0, malformed("dirent outside the file")
	}
	// Path and title are at most 64 KiB together (libzim's limit); read a
	// little first, since most are short.
	maxLen := min(end-pos, 16+maxPathTitle+2)
	n := min(maxLen, 512)
	for {
		b, err := r.readAt(pos, n)
		if err != nil {
			return e, 0, err
		}
		mime := binary.LittleEndian.Uint16(b)
		e.ns = b[3]
		fixed := uint64(16)
		if mime == redirectMIME {
			e.redirect = true
			e.target = binary.LittleEndian.Uint32(b[8:])
			fixed = 12
		} else if n >= 16 {
			e.mime = mime
			e.cluster = binary.LittleEndian.Uint32(b[8:])
			e.blob = binary.LittleEndian.Uint32(b[12:])
		}
		if n >= fixed {
			rest := b[fixed:]
			if i := bytes.IndexByte(rest, 0); i >= 0 {
				if j := bytes.IndexByte(rest[i+1:], 0); j >= 0 {
					e.path = string(rest[:i])
					e.title = string(rest[i+1 : i+1+j])
					return e, fixed + uint64(i+j+2), nil
				}
			}
		}
		if n == maxLen {
			return e, 0, malformed("dirent path or title does not end")
		}
		n = min(maxLen, n*4)
	}
}

func (r *Reader) readClusterPointers() error {
	b, err := r.readAt(r.h.clusterPtrPos, 8*uint64(r.h.clusterCount))
	if err != nil {
		return fmt.Errorf("zim: read cluster pointers: %w", err)
	}
	for i := range r.h.clusterCount {
		pos := binary.LittleEndian.Uint64(b[8*i:])
		if pos < headerSize || pos >= r.end() {
			return malformed("cluster %d at %d, outside the file", i, pos)
		}
		r.clusterPos = append(r.clusterPos, pos)
		r.bounds = append(r.bounds, pos)
	}
	r.bounds = append(r.bounds, r.h.pathPtrPos, r.h.clusterPtrPos, r.end())
	slices.Sort(r.bounds)
	r.bounds = slices.Compact(r.bounds)
	return nil
}

// Paths lists the content namespace's paths (entries and redirects), sorted.
func (r *Reader) Paths() []string {
	var paths []string
	for _, e := range r.entries {
		if e.ns == 'C' {
			paths = append(paths, e.path)
		}
	}
	slices.Sort(paths)
	return slices.Compact(paths)
}

// Content returns the data and MIME type at path in the content
// namespace, following redirects. The error wraps fs.ErrNotExist when
// there is no such path.
func (r *Reader) Content(path string) (data []byte, mime string, err error) {
	ix, ok := r.index["C"+path]
	if !ok {
		return nil, "", fmt.Errorf("zim: %q: %w", path, fs.ErrNotExist)
	}
	e, err := r.follow(ix)
	if err != nil {
		return nil, "", fmt.Errorf("zim: %q: %w", path, err)
	}
	data, err = r.blob(e)
	if err != nil {
		return nil, "", fmt.Errorf("zim: read %q: %w", path, err)
	}
	return data, r.mimes[e.mime], nil
}

// Title returns the title Kiwix shows for path (the path when the entry
// has none).
func (r *Reader) Title(path string) (string, error) {
	ix, ok := r.index["C"+path]
	if !ok {
		return "", fmt.Errorf("zim: %q: %w", path, fs.ErrNotExist)
	}
	if t := r.entries[ix].title; t != "" {
		return t, nil
	}
	return path, nil
}

// follow resolves redirects from entry ix to an item.
func (r *Reader) follow(ix uint32) (entry, error) {
	for range maxRedirects {
		e := r.entries[ix]
		if !e.redirect {
			return e, nil
		}
		ix = e.target
	}
	return entry{}, malformed("redirect loop or chain longer than %d", maxRedirects)
}

// Metadata returns the metadata item name ("Title", "Language",
// "Illustration_48x48@1", ...).
func (r *Reader) Metadata(name string) ([]byte, bool) {
	ix, ok := r.index["M"+name]
	if !ok {
		return nil, false
	}
	e, err := r.follow(ix)
	if err != nil {
		return nil, false
	}
	data, err := r.blob(e)
	if err != nil {
		return nil, false
	}
	return data, true
}

// Main returns the main page's path in the content namespace, or "" when
// the file names none.
func (r *Reader) Main() string {
	if r.h.mainPage == noPage {
		return ""
	}
	e, err := r.follow(r.h.mainPage)
	if err != nil || e.ns != 'C' {
		return ""
	}
	return e.path
}

// Checksum checks the MD5 sum at the end of the file against its bytes.
func (r *Reader) Checksum() error {
	if r.h.checksumPos == 0 {
		return errors.New("zim: file has no checksum")
	}
	want := make([]byte, md5.Size)
	if _, err := r.r.ReadAt(want, int64(r.h.checksumPos)); err != nil {
		return fmt.Errorf("zim: read checksum: %w", err)
	}
	h := md5.New()
	if _, err := io.Copy(h, io.NewSectionReader(r.r, 0, int64(r.h.checksumPos))); err != nil {
		return fmt.Errorf("zim: read for checksum: %w", err)
	}
	if got := h.Sum(nil); !bytes.Equal(got, want) {
		return fmt.Errorf("zim: checksum mismatch: file says %x, content sums to %x", want, got)
	}
	return nil
}

// blob returns the data of item e.
func (r *Reader) blob(e entry) ([]byte, error) {
	pos := r.clusterPos[e.cluster]
	i, _ := slices.BinarySearch(r.bounds, pos+1)
	end := r.end()
	if i < len(r.bounds) {
		end = r.bounds[i]
	}
	var info [1]byte
	if _, err := r.r.ReadAt(info[:], int64(pos)); err != nil {
		return nil, fmt.Errorf("read cluster %d: %w", e.cluster, err)
	}
	width := uint64(4)
	if info[0]&extendedCluster != 0 {
		width = 8
	}
	switch info[0] & 0x0f {
	case 0, compNone:
		return r.plainBlob(pos+1, end-pos-1, width, e)
	case compZstd:
		c, err := r.zstdCluster(io.NewSectionReader(r.r, int64(pos)+1, int64(end-pos-1)), width, e.cluster)
		if err != nil {
			return nil, err
		}
		if uint64(e.blob)+1 >= uint64(len(c.offsets)) {
			return nil, malformed("blob %d of cluster %d holding %d", e.blob, e.cluster, len(c.offsets)-1)
		}
		return bytes.Clone(c.data[c.offsets[e.blob]:c.offsets[e.blob+1]]), nil
	default:
		return nil, fmt.Errorf("zim: cluster %d: compression %d not supported (zstd and none are)", e.cluster, info[0]&0x0f)
	}
}

// readOffsets reads a cluster's blob offset table from src, checking that
// the offsets rise and stay within limit, and that there are no more
// blobs than entries (which bounds the table by the file's size).
func readOffsets(src io.Reader, width, limit uint64, entries uint32) ([]uint64, error) {
	first := make([]byte, width)
	if _, err := io.ReadFull(src, first); err != nil {
		return nil, fmt.Errorf("read blob offsets: %w", err)
	}
	get := func(b []byte) uint64 {
		if width == 4 {
			return uint64(binary.LittleEndian.Uint32(b))
		}
		return binary.LittleEndian.Uint64(b)
	}
	off0 := get(first)
	if off0 < 2*width || off0%width != 0 || off0 > limit {
		return nil, malformed("first blob offset %d", off0)
	}
	if blobs := off0/width - 1; blobs > uint64(entries) {
		return nil, malformed("%d blobs in a cluster of a file of %d entries", blobs, entries)
	}
	rest := bytes.NewBuffer(nil)
	if _, err := io.CopyN(rest, src, int64(off0-width)); err != nil {
		return nil, fmt.Errorf("read blob offsets: %w", err)
	}
	offsets := []uint64{off0}
	for b := rest.Bytes(); len(b) > 0; b = b[width:] {
		o := get(b)
		if o < offsets[len(offsets)-1] || o > limit {
			return nil, malformed("blob offset %d after %d (limit %d)", o, offsets[len(offsets)-1], limit)
		}
		offsets = append(offsets, o)
	}
	return offsets, nil
}

// plainBlob reads one blob of the uncompressed cluster whose content
// (after the info byte) is the n bytes at base, and no more.
func (r *Reader) plainBlob(base, n, width uint64, e entry) ([]byte, error) {
	offsets, err := readOffsets(io.NewSectionReader(r.r, int64(base), int64(n)), width, n, r.h.entryCount)
	if err != nil {
		return nil, fmt.Errorf("cluster %d: %w", e.cluster, err)
	}
	if uint64(e.blob)+1 >= uint64(len(offsets)) {
		return nil, malformed("blob %d of cluster %d holding %d", e.blob, e.cluster, len(offsets)-1)
	}
	return r.readAt(base+offsets[e.blob], offsets[e.blob+1]-offsets[e.blob])
}

// zstdCluster decompresses cluster ix, or takes it from the cache. Only
// the bytes the offset table claims are decompressed, and never more than
// maxClusterData.
func (r *Reader) zstdCluster(section *io.SectionReader, width uint64, ix uint32) (*clusterData, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cache != nil && r.cache.index == ix {
		return r.cache, nil
	}
	if r.dec == nil {
		// One goroutine-free decoder, made once: making one costs more
		// than decompressing a small cluster.
		dec, err := zstd.NewReader(nil,
			zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxWindow(maxWindow),
			zstd.WithDecoderMaxMemory(maxClusterData))
		if err != nil {
			return nil, fmt.Errorf("cluster %d: start zstd: %w", ix, err)
		}
		r.dec = dec
	}
	dec := r.dec
	if err := dec.Reset(section); err != nil {
		return nil, fmt.Errorf("cluster %d: start zstd: %w", ix, err)
	}
	offsets, err := readOffsets(dec, width, maxClusterData, r.h.entryCount)
	if err != nil {
		return nil, fmt.Errorf("cluster %d: %w", ix, err)
	}
	last := offsets[len(offsets)-1]
	buf := bytes.NewBuffer(make([]byte, offsets[0], max(offsets[0], min(last, readChunk))))
	if _, err := io.CopyN(buf, dec, int64(last-offsets[0])); err != nil {
		return nil, fmt.Errorf("cluster %d: decompress %d bytes: %w", ix, last, err)
	}
	r.cache = &clusterData{index: ix, data: buf.Bytes(), offsets: offsets}
	return r.cache, nil
}
