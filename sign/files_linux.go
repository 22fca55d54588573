//go:build linux

package sign

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// On Linux, a tree's files are opened with the system calls themselves,
// from the descriptor of their directory: O_NOFOLLOW refuses a symlink
// where a directory or the file is, as os.Root's walk does, in one call
// rather than the dozen that os.Root and os.File spend on a file (each
// directory on the way opened, an fcntl and a poller registration per
// descriptor). Reading every file of a 17,000-file export is mostly that.
func newDirSource(dir string) Source {
	d := &fdSource{dir: dir, cache: &fdCache{fds: map[string]int{}}}
	runtime.AddCleanup(d, func(c *fdCache) { c.close() }, d.cache)
	return d
}

type fdSource struct {
	dir   string
	cache *fdCache
}

// fdCache holds the directories kept open, by path ("" the tree itself):
// closed by Close, or when the source is garbage.
type fdCache struct {
	mu  sync.Mutex
	fds map[string]int
}

func (c *fdCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, fd := range c.fds {
		syscall.Close(fd)
		delete(c.fds, k)
	}
}

// Close closes the directories the source keeps open. It may be used
// again after: it opens them again.
func (d *fdSource) Close() error {
	d.cache.close()
	return nil
}

const (
	dirFlags  = syscall.O_RDONLY | syscall.O_DIRECTORY | syscall.O_NOFOLLOW | syscall.O_CLOEXEC
	fileFlags = syscall.O_RDONLY | syscall.O_NOFOLLOW | syscall.O_CLOEXEC | syscall.O_NONBLOCK
)

func openAt(fd int, name string, flags int) (int, error) {
	for {
		nfd, err := syscall.Openat(fd, name, flags, 0)
		if err != syscall.EINTR {
			return nfd, err
		}
	}
}

// dirFD opens directory dir of the tree from its parent's descriptor; it
// keeps those that hold directories (see dirSource.dirRoot). The caller
// closes an fd it got with owned true.
func (d *fdSource) dirFD(dir, file string) (fd int, owned bool, err error) {
	d.cache.mu.Lock()
	fd, ok := d.cache.fds[dir]
	d.cache.mu.Unlock()
	if ok {
		return fd, false, nil
	}
	if dir == "" {
		for {
			// The tree itself may be reached through a symlink.
			fd, err = syscall.Open(d.dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
			if err != syscall.EINTR {
				break
			}
		}
		if err != nil {
			return -1, false, &fs.PathError{Op: "open", Path: d.dir, Err: err}
		}
	} else {
		parentDir, base := "", dir
		if i := strings.LastIndexByte(dir, '/'); i >= 0 {
			parentDir, base = dir[:i], dir[i+1:]
		}
		parent, parentOwned, err := d.dirFD(parentDir, file)
		if err != nil {
			return -1, false, err
		}
		fd, err = openAt(parent, base, dirFlags)
		if parentOwned {
			syscall.Close(parent)
		}
		switch {
		case err == syscall.ENOENT:
			return -1, false, &fs.PathError{Op: "open", Path: file, Err: fs.ErrNotExist}
		case err == syscall.ELOOP || err == syscall.ENOTDIR:
			what := "symlink"
			if err == syscall.ENOTDIR {
				what = "file"
			}
			return -1, false, &notRegular{file, fmt.Sprintf("%s on its way is a %s", dir, what)}
		case err != nil:
			return -1, false, &fs.PathError{Op: "open", Path: dir, Err: err}
		}
		if !strings.HasPrefix(file, dir+"/") || strings.IndexByte(file[len(dir)+1:], '/') < 0 {
			return fd, true, nil // the file's own directory: not kept
		}
	}
	d.cache.mu.Lock()
	defer d.cache.mu.Unlock()
	if had, ok := d.cache.fds[dir]; ok {
		syscall.Close(fd)
		return had, false, nil
	}
	if len(d.cache.fds) >= maxOpenDirs {
		return fd, true, nil
	}
	d.cache.fds[dir] = fd
	return fd, false, nil
}

func (d *fdSource) Open(_ context.Context, name string) (io.ReadCloser, error) {
	if err := CheckPath(name); err != nil && !IsReserved(name) && !isPartPath(name) {
		return nil, fmt.Errorf("open %s: %w", name, &notRegular{name, err.Error()})
	}
	dir, base := "", name
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		dir, base = name[:i], name[i+1:]
	}
	dfd, owned, err := d.dirFD(dir, name)
	if err != nil {
		return nil, err
	}
	if owned {
		defer syscall.Close(dfd)
	}
	// Looked at before it is opened: opening a device or a pipe could
	// block or do something.
	var st unix.Stat_t
	for {
		err = unix.Fstatat(dfd, base, &st, unix.AT_SYMLINK_NOFOLLOW)
		if err != syscall.EINTR {
			break
		}
	}
	if err == syscall.ENOENT {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	} else if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, &notRegular{name, "a " + describeMode(modeOf(st.Mode))}
	}
	fd, err := openAt(dfd, base, fileFlags)
	if err == syscall.ELOOP {
		return nil, &notRegular{name, "a symlink"}
	} else if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	var opened unix.Stat_t
	if err := unix.Fstat(fd, &opened); err != nil || opened.Ino != st.Ino || opened.Dev != st.Dev || opened.Mode&syscall.S_IFMT != syscall.S_IFREG {
		syscall.Close(fd)
		return nil, &notRegular{name, "replaced while being read"}
	}
	return &fdFile{fd: fd, name: name}, nil
}

// modeOf is the type bits of a stat mode as an fs.FileMode.
func modeOf(m uint32) fs.FileMode {
	switch m & syscall.S_IFMT {
	case syscall.S_IFLNK:
		return fs.ModeSymlink
	case syscall.S_IFDIR:
		return fs.ModeDir
	case syscall.S_IFIFO:
		return fs.ModeNamedPipe
	case syscall.S_IFSOCK:
		return fs.ModeSocket
	case syscall.S_IFCHR, syscall.S_IFBLK:
		return fs.ModeDevice
	}
	return fs.ModeIrregular
}

// fdFile reads a file by its descriptor.
type fdFile struct {
	fd   int
	name string
}

func (f *fdFile) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, err := syscall.Read(f.fd, p)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EISDIR:
			return 0, &notRegular{f.name, "a directory"}
		case err != nil:
			return 0, &fs.PathError{Op: "read", Path: f.name, Err: err}
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f *fdFile) Close() error {
	if f.fd < 0 {
		return errors.New("close: already closed")
	}
	err := syscall.Close(f.fd)
	f.fd = -1
	return err
}

// List walks the tree from directory descriptors, reading their entries
// with getdents64 (whose entries carry their type: no stat per entry),
// the folders at the top in parallel: every entry that is not a
// directory, symlinks included.
func (d *fdSource) List(ctx context.Context) ([]string, error) {
	top, err := syscall.Open(d.dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: d.dir, Err: err}
	}
	defer syscall.Close(top)
	var walk func(fd int, prefix string, out *[]string, buf []byte) error
	walk = func(fd int, prefix string, out *[]string, buf []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		var dirs []string
		err := readDirents(fd, buf, func(name string, typ byte) {
			switch typ {
			case syscall.DT_DIR:
				dirs = append(dirs, name)
			case syscall.DT_UNKNOWN:
				// A file system that does not say: look.
				var st unix.Stat_t
				if unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&syscall.S_IFMT == syscall.S_IFDIR {
					dirs = append(dirs, name)
					return
				}
				*out = append(*out, prefix+name)
			default:
				*out = append(*out, prefix+name)
			}
		})
		if err != nil {
			return fmt.Errorf("list %s: %w", prefix, err)
		}
		for _, name := range dirs {
			sub, err := openAt(fd, name, dirFlags)
			switch {
			case err == syscall.ENOENT:
				continue // removed since it was listed
			case err == syscall.ELOOP || err == syscall.ENOTDIR:
				*out = append(*out, prefix+name) // replaced since
				continue
			case err != nil:
				return fmt.Errorf("list %s%s: %w", prefix, name, err)
			}
			err = walk(sub, prefix+name+"/", out, buf)
			syscall.Close(sub)
			if err != nil {
				return err
			}
		}
		return nil
	}
	var paths, dirs []string
	buf := make([]byte, 32<<10)
	err = readDirents(top, buf, func(name string, typ byte) {
		if typ == syscall.DT_DIR {
			dirs = append(dirs, name)
		} else {
			paths = append(paths, name)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	return listTops(paths, dirs, func() func(string) ([]string, error) {
		buf := make([]byte, 32<<10)
		return func(dir string) ([]string, error) {
			sub, err := openAt(top, dir, dirFlags)
			switch {
			case err == syscall.ENOENT:
				return nil, nil // removed since it was listed
			case err == syscall.ELOOP || err == syscall.ENOTDIR:
				return []string{dir}, nil // replaced since
			case err != nil:
				return nil, fmt.Errorf("list %s: %w", dir, err)
			}
			defer syscall.Close(sub)
			var out []string
			err = walk(sub, dir+"/", &out, buf)
			return out, err
		}
	})
}

// readDirents calls each with the name and type of every entry of the
// directory fd but "." and "..".
func readDirents(fd int, buf []byte, each func(name string, typ byte)) error {
	for {
		n, err := unix.Getdents(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n <= 0 {
			return nil
		}
		// struct linux_dirent64: ino 8, off 8, reclen 2, type 1, name.
		for b := buf[:n]; len(b) >= 19; {
			reclen := int(b[16]) | int(b[17])<<8
			if reclen < 19 || reclen > len(b) {
				return errors.New("malformed directory entry")
			}
			name := b[19:reclen]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			if s := string(name); s != "." && s != ".." {
				each(s, b[18])
			}
			b = b[reclen:]
		}
	}
}
