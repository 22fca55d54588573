package export

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/kolokol/kolokol/sign"
)

// fileOf is the file an export writes a site path to, relative to the
// export's root: a directory URL gets its index.html.
func fileOf(sitePath string) (string, error) {
	rel := strings.TrimPrefix(sitePath, "/")
	if rel == "" || strings.HasSuffix(rel, "/") {
		rel += "index.html"
	}
	if err := checkRel(rel); err != nil {
		return "", fmt.Errorf("page %q: %w", sitePath, err)
	}
	return rel, nil
}

// checkRel refuses a path that could leave the export's directory or land
// on a file the export keeps for itself (sign.CheckPath), or a hidden
// name, which only the export's temporary files have: the check every
// path passes before it is written, whatever made it (a slug, a media
// key, a plan).
func checkRel(rel string) error {
	if err := sign.CheckPath(rel); err != nil {
		return err
	}
	if strings.HasPrefix(rel, ".") || strings.Contains(rel, "/.") {
		return fmt.Errorf("path %q has a hidden segment", rel)
	}
	return nil
}

// tree is an export's output directory. Every path is relative to it and
// checked (checkRel); no directory on the way to a file may be a symbolic
// link, so that nothing written lands outside it, even if someone with
// write access to the directory planted one.
type tree struct {
	dir  string // absolute, symbolic links resolved
	root *os.Root

	mu   sync.Mutex
	dirs map[string]bool // directories known to be real ones
	// fresh are the directories this tree made: nothing is in them but
	// what it wrote, so a file about to be written there needs no look.
	fresh map[string]bool
	// subs are directories opened as roots, by path: a file is made
	// through the root of the directory two levels up (the "a" of
	// "en/a/1-x/index.html"), its directory through its parent's, so
	// that each is one or two system calls rather than a walk down from
	// the top. Only directories that hold directories are opened: a few
	// per service.
	subs map[string]*os.Root
	// dirFiles are the same directories open as files, whose descriptors
	// create writes through; noOpenat2 is set once it found it cannot.
	dirFiles  map[string]*os.File
	noOpenat2 bool
}

// errNoOpenat2 says create cannot write where the tree is.
var errNoOpenat2 = errors.New("openat2 is not available")

func openTree(dir string) (*tree, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("output directory %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("output directory %s: %w", dir, err)
	}
	// The directory itself may be reached through a link (/srv/www ->
	// /data/www); what is inside may not.
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return nil, fmt.Errorf("output directory %s: %w", dir, err)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("output directory %s: %w", dir, err)
	}
	return &tree{dir: abs, root: root, dirs: map[string]bool{".": true}, fresh: map[string]bool{}, subs: map[string]*os.Root{},
		dirFiles: map[string]*os.File{}}, nil
}

func (t *tree) Close() error {
	for _, r := range t.subs {
		r.Close()
	}
	for _, f := range t.dirFiles {
		f.Close()
	}
	return t.root.Close()
}

// rootOf returns the directory dir, known to be a real one (mkdirs), as
// a root.
func (t *tree) rootOf(dir string) (*os.Root, error) {
	if dir == "." {
		return t.root, nil
	}
	t.mu.Lock()
	r := t.subs[dir]
	t.mu.Unlock()
	if r != nil {
		return r, nil
	}
	r, err := t.root.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("directory %s: %w", dir, err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if had := t.subs[dir]; had != nil {
		r.Close()
		return had, nil
	}
	t.subs[dir] = r
	return r, nil
}

// dirFile returns the directory dir, known to be a real one (mkdirs), as
// an open file.
func (t *tree) dirFile(dir string) (*os.File, error) {
	t.mu.Lock()
	f := t.dirFiles[dir]
	t.mu.Unlock()
	if f != nil {
		return f, nil
	}
	f, err := t.root.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("directory %s: %w", dir, err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if had := t.dirFiles[dir]; had != nil {
		f.Close()
		return had, nil
	}
	t.dirFiles[dir] = f
	return f, nil
}

// create writes data at rel in place, through the descriptor of the
// directory above rel's (see create); ok false when it cannot here.
func (t *tree) create(rel string, data []byte) (ok bool, err error) {
	t.mu.Lock()
	no := t.noOpenat2
	t.mu.Unlock()
	if no {
		return false, nil
	}
	up := path.Dir(path.Dir(rel))
	f, err := t.dirFile(up)
	if err != nil {
		return true, err
	}
	in := rel
	if up != "." {
		in = rel[len(up)+1:]
	}
	err = create(int(f.Fd()), in, data)
	if errors.Is(err, errNoOpenat2) {
		t.mu.Lock()
		t.noOpenat2 = true
		t.mu.Unlock()
		return false, nil
	} else if err != nil {
		return true, fmt.Errorf("write %s: %w", rel, err)
	}
	return true, nil
}

// at returns the root of the directory above rel's directory, and rel's
// path in it.
func (t *tree) at(rel string) (*os.Root, string, error) {
	up := path.Dir(path.Dir(rel))
	if up == "." {
		return t.root, rel, nil
	}
	r, err := t.rootOf(up)
	if err != nil {
		return nil, "", err
	}
	return r, rel[len(up)+1:], nil
}

// mkdirs makes the directories above rel, refusing a link among them.
func (t *tree) mkdirs(rel string) error {
	dir := path.Dir(rel)
	t.mu.Lock()
	known := t.dirs[dir]
	t.mu.Unlock()
	if known {
		return nil
	}
	if dir != "." {
		if err := t.mkdirs(dir); err != nil {
			return err
		}
	}
	// A directory made here is a real one (mkdir makes it, or fails on
	// whatever is in its place, a link included); anything already there
	// is looked at.
	up, err := t.rootOf(path.Dir(dir))
	if err != nil {
		return err
	}
	err = up.Mkdir(path.Base(dir), 0o755)
	if err == nil {
		t.mu.Lock()
		t.dirs[dir], t.fresh[dir] = true, true
		t.mu.Unlock()
		return nil
	} else if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("make directory %s: %w", dir, err)
	}
	fi, err := t.root.Lstat(dir)
	if err != nil {
		return fmt.Errorf("directory %s: %w", dir, err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("%s in the output directory is a symbolic link: refusing to write through it", dir)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s in the output directory is a file where a directory belongs", dir)
	}
	t.mu.Lock()
	t.dirs[dir] = true
	t.mu.Unlock()
	return nil
}

// checkTarget refuses to replace a link or a directory at rel.
func (t *tree) checkTarget(rel string) error {
	fi, err := t.root.Lstat(rel)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s in the output directory is not a regular file (%s): refusing to replace it", rel, fi.Mode().Type())
	}
	return nil
}

// write puts data at rel. With atomic, it goes to a temporary file renamed
// into place, so that no reader ever sees half of it; a first export,
// which no reader trusts yet, writes in place.
func (t *tree) write(rel string, data []byte, atomic bool) error {
	if err := t.mkdirs(rel); err != nil {
		return err
	}
	t.mu.Lock()
	fresh := t.fresh[path.Dir(rel)]
	t.mu.Unlock()
	if !fresh {
		if err := t.checkTarget(rel); err != nil {
			return err
		}
	}
	if !atomic {
		if ok, err := t.create(rel, data); ok {
			return err
		}
	}
	r, in, err := t.at(rel)
	if err != nil {
		return err
	}
	name := in
	if atomic {
		name = tempName(in)
	}
	f, err := r.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && atomic {
		err = r.Rename(name, in)
	}
	if err != nil {
		if atomic {
			r.Remove(name)
		}
		return fmt.Errorf("write %s: %w", rel, err)
	}
	return nil
}

// tempName is the temporary name a file is written under beside its place.
func tempName(rel string) string {
	dir, file := path.Split(rel)
	return dir + "." + file + ".kolokol-tmp"
}

// moveIn renames a staged file (an absolute path on the same file system,
// normally) to rel; across file systems it is copied in atomically.
func (t *tree) moveIn(staged, rel string) error {
	if err := t.mkdirs(rel); err != nil {
		return err
	}
	if err := t.checkTarget(rel); err != nil {
		return err
	}
	err := os.Rename(staged, filepath.Join(t.dir, filepath.FromSlash(rel)))
	if err == nil {
		return nil
	}
	var le *os.LinkError
	if !errors.As(err, &le) {
		return fmt.Errorf("move %s into place: %w", rel, err)
	}
	data, rerr := os.ReadFile(staged)
	if rerr != nil {
		return fmt.Errorf("move %s into place: %w (and reading it: %v)", rel, err, rerr)
	}
	if err := t.write(rel, data, true); err != nil {
		return err
	}
	return os.Remove(staged)
}

// remove deletes the file at rel, and the directories it leaves empty.
func (t *tree) remove(rel string) error {
	if err := t.root.Remove(rel); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", rel, err)
	}
	for dir := path.Dir(rel); dir != "."; dir = path.Dir(dir) {
		if t.root.Remove(dir) != nil {
			break // not empty, or gone
		}
		t.mu.Lock()
		delete(t.dirs, dir)
		delete(t.fresh, dir)
		if r := t.subs[dir]; r != nil {
			r.Close()
			delete(t.subs, dir)
		}
		if f := t.dirFiles[dir]; f != nil {
			f.Close()
			delete(t.dirFiles, dir)
		}
		t.mu.Unlock()
	}
	return nil
}

// hash reads the file at rel: its SHA-256 and size, ok false when there
// is no regular file there.
func (t *tree) hash(rel string) (sum [32]byte, size int64, ok bool, err error) {
	fi, err := t.root.Lstat(rel)
	if errors.Is(err, fs.ErrNotExist) {
		return sum, 0, false, nil
	} else if err != nil {
		return sum, 0, false, t.explain(rel, err)
	}
	if !fi.Mode().IsRegular() {
		return sum, 0, false, nil
	}
	f, err := t.root.Open(rel)
	if err != nil {
		return sum, 0, false, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return sum, 0, false, fmt.Errorf("read %s: %w", rel, err)
	}
	copy(sum[:], h.Sum(nil))
	return sum, n, true, nil
}

// explain names the link on the way to rel that made the root refuse it
// ("path escapes from parent" says nothing a newsroom engineer can act
// on).
func (t *tree) explain(rel string, err error) error {
	for dir := path.Dir(rel); dir != "."; dir = path.Dir(dir) {
		if fi, lerr := t.root.Lstat(dir); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s in the output directory is a symbolic link: refusing to write through it", dir)
		}
	}
	return err
}

// list returns every file under the directory but the export's own signed
// files at its root; a link or anything else that is not a regular file
// or a directory is refused.
func (t *tree) list() ([]string, error) {
	var out []string
	err := fs.WalkDir(t.root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case p == ".":
			return nil
		case p == sign.PartsDir && d.IsDir():
			return fs.SkipDir // the signer's (sign.RemoveStaleParts)
		case d.Type()&fs.ModeSymlink != 0:
			return fmt.Errorf("%s in the output directory is a symbolic link: refusing to export beside it", p)
		case d.IsDir():
			return nil
		case !d.Type().IsRegular():
			return fmt.Errorf("%s in the output directory is not a regular file (%s)", p, d.Type())
		case sign.IsReserved(p):
			return nil
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list the output directory: %w", err)
	}
	return out, nil
}

// empty reports whether the directory holds nothing at all.
func (t *tree) empty() (bool, error) {
	f, err := t.root.Open(".")
	if err != nil {
		return false, err
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if errors.Is(err, io.EOF) {
		return true, nil
	}
	return len(names) == 0, err
}
