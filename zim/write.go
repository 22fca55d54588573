package zim

import (
	"bufio"
	"cmp"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"maps"
	"math"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// dirent is one directory entry as the file will hold it.
type dirent struct {
	ns    byte
	path  string
	title string // "" means the path, as libzim stores it
	front bool

	redirect bool
	target   string // namespace-less path in C (or C for W/mainPage)
	targetNS byte
	targetIx uint32

	mime     string
	mimeIx   uint16
	data     []byte
	compress bool
	cluster  uint32
	blob     uint32
}

func (d *dirent) sortTitle() string {
	if d.title == "" {
		return d.path
	}
	return d.title
}

// cluster is a group of blobs stored (and compressed) together.
type cluster struct {
	compress bool
	blobs    [][]byte
	size     int // uncompressed bytes of the blobs
	packed   []byte
}

func (c *cluster) extended() bool { return c.size+8*(len(c.blobs)+1) > math.MaxUint32 }

// offsets is the cluster's blob offset table, relative to the end of the
// info byte.
func (c *cluster) offsets() []byte {
	w := 4
	if c.extended() {
		w = 8
	}
	out := make([]byte, 0, w*(len(c.blobs)+1))
	off := uint64(w * (len(c.blobs) + 1))
	put := func(v uint64) {
		if w == 4 {
			out = binary.LittleEndian.AppendUint32(out, uint32(v))
		} else {
			out = binary.LittleEndian.AppendUint64(out, v)
		}
	}
	put(off)
	for _, b := range c.blobs {
		off += uint64(len(b))
		put(off)
	}
	return out
}

func (c *cluster) info() byte {
	b := byte(compNone)
	if c.compress {
		b = compZstd
	}
	if c.extended() {
		b |= extendedCluster
	}
	return b
}

// stored is the cluster's size in the file.
func (c *cluster) stored() int {
	if c.compress {
		return 1 + len(c.packed)
	}
	return 1 + len(c.offsets()) + c.size
}

// plan is a file laid out in full before its first byte is written, since
// the header at the start points at everything after it.
type plan struct {
	uuid     [16]byte
	dirents  []*dirent // in path order, which is entry index order
	mimes    []string
	clusters []*cluster
	mainIx   uint32

	direntPos   []uint64
	clusterPos  []uint64
	pathPtrPos  uint64
	clusPtrPos  uint64
	titleIdxPos uint64
	checksumPos uint64
}

// Write writes a as a ZIM file to w. It validates a first, so nothing is
// written for an archive with a problem.
func Write(w io.Writer, a *Archive) error {
	return write(context.Background(), w, a)
}

func write(ctx context.Context, w io.Writer, a *Archive) error {
	if err := validate(a); err != nil {
		return err
	}
	p, err := newPlan(ctx, a)
	if err != nil {
		return err
	}
	return p.write(ctx, w)
}

func newPlan(ctx context.Context, a *Archive) (*plan, error) {
	p := &plan{uuid: a.UUID}
	if p.uuid == [16]byte{} {
		if _, err := rand.Read(p.uuid[:]); err != nil {
			return nil, fmt.Errorf("zim: make UUID: %w", err)
		}
		// RFC 4122 version 4, as libzim makes them.
		p.uuid[6] = p.uuid[6]&0x0f | 0x40
		p.uuid[8] = p.uuid[8]&0x3f | 0x80
	}

	counts := map[string]int{}
	for i := range a.Entries {
		e := &a.Entries[i]
		title := e.Title
		if title == e.Path {
			title = ""
		}
		p.dirents = append(p.dirents, &dirent{ns: 'C', path: e.Path, title: title, front: e.Front,
			mime: e.MIME, data: e.Data, compress: compressible(e.MIME)})
		counts[e.MIME]++
	}
	for _, r := range a.Redirects {
		title := r.Title
		if title == r.Path {
			title = ""
		}
		p.dirents = append(p.dirents, &dirent{ns: 'C', path: r.Path, title: title, redirect: true, targetNS: 'C', target: r.Target})
	}
	for _, m := range metadataItems(&a.Metadata) {
		mime := metadataMIME
		if m.name == illustrationName {
			mime = "image/png"
		}
		p.dirents = append(p.dirents, &dirent{ns: 'M', path: m.name, mime: mime, data: m.value, compress: compressible(mime)})
	}
	p.dirents = append(p.dirents, &dirent{ns: 'M', path: "Counter", mime: "text/plain", data: counter(counts), compress: true})
	mainPage := &dirent{ns: 'W', path: "mainPage", redirect: true, targetNS: 'C', target: a.Main}
	p.dirents = append(p.dirents, mainPage)

	hasFront := false
	for _, d := range p.dirents {
		hasFront = hasFront || d.front
	}
	v0 := &dirent{ns: 'X', path: listingV0, mime: listingMIME}
	p.dirents = append(p.dirents, v0)
	var v1 *dirent
	if hasFront {
		v1 = &dirent{ns: 'X', path: listingV1, mime: listingMIME}
		p.dirents = append(p.dirents, v1)
	}

	slices.SortFunc(p.dirents, func(x, y *dirent) int {
		return cmp.Or(cmp.Compare(x.ns, y.ns), strings.Compare(x.path, y.path))
	})
	index := make(map[string]uint32, len(p.dirents))
	for i, d := range p.dirents {
		index[string(d.ns)+d.path] = uint32(i)
	}
	for _, d := range p.dirents {
		if d.redirect {
			d.targetIx = index[string(d.targetNS)+d.target]
		}
	}
	p.mainIx = index["WmainPage"]

	// The title listings hold entry indexes in title order; v0 lists every
	// entry (the header's title index points at it), v1 the front articles.
	byTitle := make([]uint32, len(p.dirents))
	for i := range byTitle {
		byTitle[i] = uint32(i)
	}
	sort.SliceStable(byTitle, func(i, j int) bool {
		x, y := p.dirents[byTitle[i]], p.dirents[byTitle[j]]
		if x.ns != y.ns {
			return x.ns < y.ns
		}
		return x.sortTitle() < y.sortTitle()
	})
	for _, ix := range byTitle {
		v0.data = binary.LittleEndian.AppendUint32(v0.data, ix)
		if v1 != nil && p.dirents[ix].front {
			v1.data = binary.LittleEndian.AppendUint32(v1.data, ix)
		}
	}

	mimeSet := map[string]bool{}
	for _, d := range p.dirents {
		if !d.redirect {
			mimeSet[d.mime] = true
		}
	}
	for m := range mimeSet {
		p.mimes = append(p.mimes, m)
	}
	slices.Sort(p.mimes)
	if len(p.mimes) >= redirectMIME {
		return nil, fmt.Errorf("zim: %d MIME types, at most %d", len(p.mimes), redirectMIME-1)
	}
	for _, d := range p.dirents {
		if !d.redirect {
			d.mimeIx = uint16(slices.Index(p.mimes, d.mime))
		}
	}

	p.cluster()
	if err := p.compress(ctx); err != nil {
		return nil, err
	}
	p.layout(v0)
	return p, nil
}

// counter is M/Counter as libzim writes it: "mime=count;..." in MIME order.
func counter(counts map[string]int) []byte {
	var b []byte
	for i, m := range slices.Sorted(maps.Keys(counts)) {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, m...)
		b = append(b, '=')
		b = strconv.AppendInt(b, int64(counts[m]), 10)
	}
	return b
}

// compressible says whether zstd can gain on a MIME type: text yes,
// pictures and archives (already compressed) no.
func compressible(mime string) bool {
	mime, _, _ = strings.Cut(mime, ";")
	mime = strings.TrimSpace(strings.ToLower(mime))
	switch {
	case strings.HasPrefix(mime, "text/"),
		strings.HasSuffix(mime, "+xml"), strings.HasSuffix(mime, "+json"),
		mime == "application/json", mime == "application/javascript",
		mime == "application/xml", mime == "application/xhtml+xml":
		return true
	}
	return false
}

// cluster puts each item's data into a cluster, in path order so that
// neighbouring stories share one, closing a cluster when the next item
// would take it over clusterSize (as libzim does). The title listings go
// into an uncompressed cluster, where the header can point at v0.
func (p *plan) cluster() {
	var open [2]*cluster // uncompressed, compressed
	closeCluster := func(k int) {
		if open[k] != nil && len(open[k].blobs) > 0 {
			p.clusters = append(p.clusters, open[k])
		}
		open[k] = nil
	}
	// Clusters are numbered when they close, so the numbers are known only
	// then: keep the dirents of each open cluster to fix up.
	var members [2][]*dirent
	for _, d := range p.dirents {
		if d.redirect {
			continue
		}
		k := 0
		if d.compress {
			k = 1
		}
		if open[k] != nil && len(open[k].blobs) > 0 && open[k].size+len(d.data) >= clusterSize {
			for _, m := range members[k] {
				m.cluster = uint32(len(p.clusters))
			}
			members[k] = nil
			closeCluster(k)
		}
		if open[k] == nil {
			open[k] = &cluster{compress: d.compress}
		}
		d.blob = uint32(len(open[k].blobs))
		open[k].blobs = append(open[k].blobs, d.data)
		open[k].size += len(d.data)
		members[k] = append(members[k], d)
	}
	for k := range open {
		for _, m := range members[k] {
			m.cluster = uint32(len(p.clusters))
		}
		closeCluster(k)
	}
}

// compress packs the compressed clusters, on every core: the encoder
// gives the same bytes whichever goroutine runs it.
func (p *plan) compress(ctx context.Context) error {
	workers := runtime.GOMAXPROCS(0)
	enc, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.SpeedBetterCompression),
		zstd.WithEncoderConcurrency(workers),
		zstd.WithZeroFrames(true))
	if err != nil {
		return fmt.Errorf("zim: start zstd: %w", err)
	}
	defer enc.Close()
	jobs := make(chan *cluster)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for c := range jobs {
				raw := c.offsets()
				for _, b := range c.blobs {
					raw = append(raw, b...)
				}
				c.packed = enc.EncodeAll(raw, nil)
			}
		})
	}
	var cerr error
	for i, c := range p.clusters {
		if !c.compress {
			continue
		}
		if err := ctx.Err(); err != nil {
			cerr = fmt.Errorf("zim: compress cluster %d: %w", i, err)
			break
		}
		jobs <- c
	}
	close(jobs)
	wg.Wait()
	return cerr
}

// layout places each part: header, MIME list, path pointers, cluster
// pointers, dirents, clusters, then the MD5.
func (p *plan) layout(v0 *dirent) {
	pos := uint64(headerSize)
	for _, m := range p.mimes {
		pos += uint64(len(m)) + 1
	}
	pos++
	p.pathPtrPos = pos
	pos += 8 * uint64(len(p.dirents))
	p.clusPtrPos = pos
	pos += 8 * uint64(len(p.clusters))
	p.direntPos = make([]uint64, len(p.dirents))
	for i, d := range p.dirents {
		p.direntPos[i] = pos
		pos += uint64(d.size())
	}
	p.clusterPos = make([]uint64, len(p.clusters))
	for i, c := range p.clusters {
		p.clusterPos[i] = pos
		pos += uint64(c.stored())
	}
	p.checksumPos = pos

	c := p.clusters[v0.cluster]
	off := uint64(len(c.offsets()))
	for _, b := range c.blobs[:v0.blob] {
		off += uint64(len(b))
	}
	p.titleIdxPos = p.clusterPos[v0.cluster] + 1 + off
}

func (d *dirent) size() int {
	n := 16
	if d.redirect {
		n = 12
	}
	return n + len(d.path) + 1 + len(d.title) + 1
}

func (d *dirent) append(b []byte) []byte {
	if d.redirect {
		b = binary.LittleEndian.AppendUint16(b, redirectMIME)
	} else {
		b = binary.LittleEndian.AppendUint16(b, d.mimeIx)
	}
	b = append(b, 0, d.ns)                     // no parameters; namespace
	b = binary.LittleEndian.AppendUint32(b, 0) // revision
	if d.redirect {
		b = binary.LittleEndian.AppendUint32(b, d.targetIx)
	} else {
		b = binary.LittleEndian.AppendUint32(b, d.cluster)
		b = binary.LittleEndian.AppendUint32(b, d.blob)
	}
	b = append(b, d.path...)
	b = append(b, 0)
	b = append(b, d.title...)
	return append(b, 0)
}

func (p *plan) header() []byte {
	h := make([]byte, 0, headerSize)
	h = binary.LittleEndian.AppendUint32(h, magic)
	h = binary.LittleEndian.AppendUint16(h, majorVersion)
	h = binary.LittleEndian.AppendUint16(h, minorVersion)
	h = append(h, p.uuid[:]...)
	h = binary.LittleEndian.AppendUint32(h, uint32(len(p.dirents)))
	h = binary.LittleEndian.AppendUint32(h, uint32(len(p.clusters)))
	h = binary.LittleEndian.AppendUint64(h, p.pathPtrPos)
	h = binary.LittleEndian.AppendUint64(h, p.titleIdxPos)
	h = binary.LittleEndian.AppendUint64(h, p.clusPtrPos)
	h = binary.LittleEndian.AppendUint64(h, headerSize) // MIME list
	h = binary.LittleEndian.AppendUint32(h, p.mainIx)
	h = binary.LittleEndian.AppendUint32(h, noPage) // layout page
	h = binary.LittleEndian.AppendUint64(h, p.checksumPos)
	return h
}

// write streams the planned file to w, with its MD5 at the end.
func (p *plan) write(ctx context.Context, w io.Writer) error {
	sum := md5.New()
	bw := bufio.NewWriterSize(io.MultiWriter(w, sum), 256<<10)
	b := p.header()
	for _, m := range p.mimes {
		b = append(b, m...)
		b = append(b, 0)
	}
	b = append(b, 0)
	for _, pos := range p.direntPos {
		b = binary.LittleEndian.AppendUint64(b, pos)
	}
	for _, pos := range p.clusterPos {
		b = binary.LittleEndian.AppendUint64(b, pos)
	}
	for _, d := range p.dirents {
		b = d.append(b)
	}
	if _, err := bw.Write(b); err != nil {
		return fmt.Errorf("zim: write directory: %w", err)
	}
	for i, c := range p.clusters {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("zim: write cluster %d: %w", i, err)
		}
		if err := c.write(bw); err != nil {
			return fmt.Errorf("zim: write cluster %d: %w", i, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("zim: write clusters: %w", err)
	}
	if _, err := w.Write(sum.Sum(nil)); err != nil {
		return fmt.Errorf("zim: write checksum: %w", err)
	}
	return nil
}

func (c *cluster) write(w io.Writer) error {
	if _, err := w.Write([]byte{c.info()}); err != nil {
		return err
	}
	if c.compress {
		_, err := w.Write(c.packed)
		return err
	}
	if _, err := w.Write(c.offsets()); err != nil {
		return err
	}
	for _, b := range c.blobs {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}
