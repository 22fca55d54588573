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
	"os"
	"path"
	"slices"
	"strings"
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

type dirSource struct {
	dir string

	mu    sync.Mutex
	roots map[string]*os.Root // "" is the tree itself; each checked a real directory
	err   error
}

// maxOpenDirs bounds the directories a Dir keeps open: beyond, each file
// is opened from the deepest one kept.
const maxOpenDirs = 4096

// Close closes the directories the source keeps open. It may be used
// again after: it opens them again.
func (d *dirSource) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, r := range d.roots {
		r.Close()
		delete(d.roots, k)
	}
	return nil
}

// top opens the tree itself.
func (d *dirSource) top() (*os.Root, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if r := d.roots[""]; r != nil {
		return r, nil
	}
	r, err := os.OpenRoot(d.dir)
	if err != nil {
		return nil, err
	}
	d.roots[""] = r
	return r, nil
}

// dirRoot opens directory dir of the tree ("ru/a"), each directory on
// the way checked to be one (a symlinked directory would make a path name
// a file outside the place the manifest means). Directories that hold
// directories are kept (keep); the caller closes a root it got with
// owned true.
func (d *dirSource) dirRoot(dir, file string) (r *os.Root, owned bool, err error) {
	if dir == "" {
		r, err := d.top()
		return r, false, err
	}
	d.mu.Lock()
	r = d.roots[dir]
	d.mu.Unlock()
	if r != nil {
		return r, false, nil
	}
	parentDir, base := "", dir
	if i := strings.LastIndexByte(dir, '/'); i >= 0 {
		parentDir, base = dir[:i], dir[i+1:]
	}
	parent, parentOwned, err := d.dirRoot(parentDir, file)
	if err != nil {
		return nil, false, err
	}
	if parentOwned {
		defer parent.Close()
	}
	fi, err := parent.Lstat(base)
	if err != nil {
		return nil, false, err
	}
	if !fi.IsDir() {
		return nil, false, &notRegular{file, fmt.Sprintf("%s on its way is a %s", dir, describeMode(fi.Mode()))}
	}
	r, err = parent.OpenRoot(base)
	if err != nil {
		return nil, false, err
	}
	if st, err := r.Stat("."); err != nil || !os.SameFile(fi, st) {
		r.Close()
		return nil, false, &notRegular{file, fmt.Sprintf("%s on its way was replaced while being read", dir)}
	}
	// Keep it when it is a directory of directories (it is on the way to
	// the file, not the file's own), while there is room.
	if !strings.HasPrefix(path.Dir(file), dir) || path.Dir(file) == dir {
		return r, true, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if had := d.roots[dir]; had != nil {
		r.Close()
		return had, false, nil
	}
	if len(d.roots) >= maxOpenDirs {
		return r, true, nil
	}
	d.roots[dir] = r
	return r, false, nil
}

func (d *dirSource) open(name string) (io.ReadCloser, error) {
	if err := CheckPath(name); err != nil && !IsReserved(name) && !isPartPath(name) {
		return nil, fmt.Errorf("open %s: %w", name, &notRegular{name, err.Error()})
	}
	dir, base := "", name
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		dir, base = name[:i], name[i+1:]
	}
	r, owned, err := d.dirRoot(dir, name)
	if err != nil {
		return nil, err
	}
	if owned {
		defer r.Close()
	}
	fi, err := r.Lstat(base)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &notRegular{name, "a " + describeMode(fi.Mode())}
	}
	f, err := r.Open(base)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || !os.SameFile(fi, st) {
		f.Close()
		return nil, &notRegular{name, "replaced while being read"}
	}
	return f, nil
}

// List walks the tree a directory at a time, each opened from its parent
// (not by a walk from the top), the folders at the top in parallel: every
// entry that is not a directory, symlinks included.
func (d *dirSource) List(ctx context.Context) ([]string, error) {
	root, err := os.OpenRoot(d.dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	var walk func(r *os.Root, prefix string, out *[]string) error
	walk = func(r *os.Root, prefix string, out *[]string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := r.Open(".")
		if err != nil {
			return err
		}
		entries, err := f.ReadDir(-1)
		f.Close()
		if err != nil {
			return fmt.Errorf("list %s: %w", prefix, err)
		}
		for _, e := range entries {
			p := prefix + e.Name()
			if !e.IsDir() {
				*out = append(*out, p)
				continue
			}
			sub, err := r.OpenRoot(e.Name())
			if err != nil {
				return fmt.Errorf("list %s: %w", p, err)
			}
			err = walk(sub, p+"/", out)
			sub.Close()
			if err != nil {
				return err
			}
		}
		return nil
	}
	f, err := root.Open(".")
	if err != nil {
		return nil, err
	}
	top, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	var paths []string
	var dirs []string
	for _, e := range top {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		} else {
			paths = append(paths, e.Name())
		}
	}
	// The folders at the top (the services), a few at once: listing is
	// waiting for the file system, which serves several readers.
	found := make([][]string, len(dirs))
	errs := make([]error, len(dirs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(4, len(dirs)) {
		wg.Go(func() {
			for i := range next {
				sub, err := root.OpenRoot(dirs[i])
				if err != nil {
					errs[i] = fmt.Errorf("list %s: %w", dirs[i], err)
					continue
				}
				errs[i] = walk(sub, dirs[i]+"/", &found[i])
				sub.Close()
			}
		})
	}
	for i := range dirs {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, f := range found {
		paths = append(paths, f...)
	}
	slices.Sort(paths)
	return paths, nil
}

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
