//go:build !linux

package sign

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"sync"
)

func newDirSource(dir string) Source { return &dirSource{dir: dir, roots: map[string]*os.Root{}} }

func (d *dirSource) Open(_ context.Context, name string) (io.ReadCloser, error) { return d.open(name) }

type dirSource struct {
	dir string

	mu    sync.Mutex
	roots map[string]*os.Root // "" is the tree itself; each checked a real directory
}

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
	return listTops(paths, dirs, func() func(string) ([]string, error) {
		return func(dir string) ([]string, error) {
			sub, err := root.OpenRoot(dir)
			if err != nil {
				return nil, fmt.Errorf("list %s: %w", dir, err)
			}
			defer sub.Close()
			var out []string
			err = walk(sub, dir+"/", &out)
			return out, err
		}
	})
}
