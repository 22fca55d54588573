package sign

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"sync"
)

// entry is one path with what each edition signed for it.
type entry struct {
	path      string
	cur, next *File
}

// checkFiles reads every file either edition lists, each once: the
// parts, but those read already (checked, in verified), and the files.
func checkFiles(ctx context.Context, src Source, cur, next *Manifest, verified map[string]bool, workers int, r *Report) []Finding {
	byPath := map[string]*entry{}
	var entries []*entry
	add := func(m *Manifest, isNext bool) {
		for i := range len(m.Parts) + len(m.Files) {
			var f *File
			if i < len(m.Parts) {
				f = &m.Parts[i]
			} else {
				f = &m.Files[i-len(m.Parts)]
			}
			e := byPath[f.Path]
			if e == nil {
				e = &entry{path: f.Path}
				byPath[f.Path] = e
				entries = append(entries, e)
			}
			if isNext {
				e.next = f
			} else {
				e.cur = f
			}
		}
	}
	add(cur, false)
	if next != nil {
		add(next, true)
	}
	r.Files, r.Parts = 0, 0
	for _, e := range entries {
		if IsPart(e.path) {
			r.Parts++
		} else {
			r.Files++
		}
	}
	edition := int64(0)
	if r.Next != nil {
		edition = r.Next.Edition
	}
	found := make([]*Finding, len(entries))
	work := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			// One buffer and one hash a worker, not one of each per file:
			// tens of thousands of files make a lot of garbage otherwise.
			c := &checker{buf: make([]byte, 64<<10), h: sha256.New()}
			for i := range work {
				if e := entries[i]; verified[e.path] {
					// A part read and checked already: the same content
					// under one name in either edition.
					if e.cur == nil {
						found[i] = &Finding{e.path, Updating, fmt.Sprintf("new in edition %d", edition)}
					}
					continue
				}
				found[i] = c.checkFile(ctx, src, entries[i], next != nil, edition)
			}
		})
	}
	for i := range entries {
		if ctx.Err() != nil {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	var out []Finding
	for i, f := range found {
		if f != nil {
			out = append(out, *f)
		} else if ctx.Err() != nil && !verified[entries[i].path] {
			out = append(out, Finding{Path: entries[i].path, Kind: Unreadable, Detail: ctx.Err().Error()})
		}
	}
	return out
}

// checkFile tells what one file is: the current edition's (nil), the
// next's (Updating), or neither.
// checker reads files, one at a time.
type checker struct {
	buf []byte
	h   hash.Hash
}

func (c *checker) checkFile(ctx context.Context, src Source, e *entry, hasNext bool, nextEdition int64) *Finding {
	if ctx.Err() != nil {
		return nil
	}
	rc, err := src.Open(ctx, e.path)
	if errors.Is(err, fs.ErrNotExist) {
		switch {
		case e.cur != nil && e.next != nil:
			return &Finding{e.path, Missing, "signed, not there"}
		case e.cur != nil && hasNext:
			return &Finding{e.path, Updating, fmt.Sprintf("removed by edition %d", nextEdition)}
		case e.cur != nil:
			return &Finding{e.path, Missing, "signed, not there"}
		default:
			return &Finding{e.path, Updating, fmt.Sprintf("new in edition %d, not there yet", nextEdition)}
		}
	}
	if errors.Is(err, fs.ErrInvalid) {
		return &Finding{e.path, Altered, err.Error()}
	}
	if err != nil {
		return &Finding{e.path, Unreadable, err.Error()}
	}
	defer rc.Close()
	var limit int64
	for _, f := range []*File{e.cur, e.next} {
		if f != nil {
			limit = max(limit, f.Size)
		}
	}
	// Read one byte more than either edition signed, no further: a mirror
	// serving an endless file costs verify that much and no more.
	h := c.h
	h.Reset()
	n, err := io.CopyBuffer(h, io.LimitReader(rc, limit+1), c.buf)
	if err != nil {
		if errors.Is(err, fs.ErrInvalid) {
			return &Finding{e.path, Altered, err.Error()}
		}
		return &Finding{e.path, Unreadable, err.Error()}
	}
	sum := hex.EncodeToString(h.Sum(nil))
	is := func(f *File) bool { return f != nil && f.SHA256 == sum && f.Size == n }
	switch {
	case is(e.cur):
		return nil
	case is(e.next) && e.cur == nil:
		return &Finding{e.path, Updating, fmt.Sprintf("new in edition %d", nextEdition)}
	case is(e.next):
		return &Finding{e.path, Updating, fmt.Sprintf("already edition %d's", nextEdition)}
	}
	want := e.cur
	if want == nil {
		want = e.next
	}
	if n > limit {
		return &Finding{e.path, Altered, fmt.Sprintf("more than the %d bytes signed", want.Size)}
	}
	return &Finding{e.path, Altered, fmt.Sprintf("%d bytes, sha256 %s…; signed: %d bytes, sha256 %s…", n, sum[:12], want.Size, want.SHA256[:12])}
}

// unlisted finds the files that no signed manifest lists: pages a fake
// mirror added, which would otherwise be served under the newsroom's name.
func unlisted(listed []string, cur, next *Manifest) []Finding {
	signed := map[string]bool{}
	for _, m := range []*Manifest{cur, next} {
		if m != nil {
			for _, f := range m.Parts {
				signed[f.Path] = true
			}
			for _, f := range m.Files {
				signed[f.Path] = true
			}
		}
	}
	var out []Finding
	for _, p := range listed {
		if !signed[p] && !IsReserved(p) {
			out = append(out, Finding{p, Unlisted, "in no signed manifest"})
		}
	}
	return out
}

// notRegular is a path that is not a plain file in the tree, which a web
// server might serve from elsewhere.
type notRegular struct{ path, what string }

func (e *notRegular) Error() string { return "not a regular file: " + e.what }
func (e *notRegular) Unwrap() error { return fs.ErrInvalid }

// Dir is a tree on a local disk. It reads only inside dir (os.Root), and
// calls a symlink, a device or a directory where a file is signed
// altered: the file is not what was signed even when what it points at is.
//
// It keeps the directories that hold directories open between files
// ("ru", "ru/a"): a file is then opened with a few system calls from its
// directory rather than by a walk from the top, which verify's reading of
// every file of a large tree spends most of its time in otherwise. They
// are closed when the source is garbage, or by Close.
func Dir(dir string) Source { return newDirSource(dir) }

// maxOpenDirs bounds the directories a Dir keeps open: beyond, each file
// is opened from the deepest one kept.
const maxOpenDirs = 4096

func describeMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "symlink"
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}
