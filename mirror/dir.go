package mirror

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
)

// Dir is a target in a local directory: a disk a web server serves, a
// mounted share, a USB stick. Every file is written under StagingDir,
// synced, then renamed into place, so a reader never sees half a file. It
// refuses to follow or write through a symlink inside the directory: a
// link planted there (by whoever else can write to it) could otherwise
// send the site's files, or a delete, anywhere the pushing user can write.
type Dir struct {
	root *os.Root
	name string
}

// OpenDir opens the target directory, which must exist: a mistyped path
// is refused rather than filled.
func OpenDir(dir string) (*Dir, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("open mirror directory %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("open mirror directory %s: not a directory", dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open mirror directory %s: %w", dir, err)
	}
	return &Dir{root: root, name: dir}, nil
}

func (d *Dir) String() string { return "directory " + d.name }

// Close releases the directory.
func (d *Dir) Close() error { return d.root.Close() }

// noLinks checks that no component of p inside the root is a symlink;
// with parents set, missing folders on the way are made. The last
// component may be missing.
func (d *Dir) noLinks(p string, parents bool) error {
	segs := strings.Split(p, "/")
	for i := range segs {
		sub := strings.Join(segs[:i+1], "/")
		fi, err := d.root.Lstat(sub)
		last := i == len(segs)-1
		switch {
		case errors.Is(err, fs.ErrNotExist) && last:
			return nil
		case errors.Is(err, fs.ErrNotExist) && parents:
			if err := d.root.Mkdir(sub, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("make folder %s in %s: %w", sub, d.name, err)
			}
			continue
		case errors.Is(err, fs.ErrNotExist):
			return err
		case err != nil:
			return fmt.Errorf("look at %s in %s: %w", sub, d.name, err)
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return Permanent(fmt.Errorf("%s in %s is a symbolic link; a mirror's files are never written through one (remove it)", sub, d.name))
		}
		if !last && !fi.IsDir() {
			return Permanent(fmt.Errorf("%s in %s is a file where %s needs a folder", sub, d.name, p))
		}
	}
	return nil
}

// Get reads a file.
func (d *Dir) Get(_ context.Context, p string, limit int64) ([]byte, error) {
	if err := checkOwnPath(p); err != nil {
		return nil, Permanent(err)
	}
	if err := d.noLinks(p, false); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read %s from %s: %w", p, d.name, fs.ErrNotExist)
		}
		return nil, err
	}
	f, err := d.root.Open(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read %s from %s: %w", p, d.name, fs.ErrNotExist)
		}
		return nil, fmt.Errorf("read %s from %s: %w", p, d.name, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
		return nil, Permanent(fmt.Errorf("read %s from %s: not a regular file", p, d.name))
	}
	b, err := readLimited(f, p, limit)
	if err != nil {
		return nil, fmt.Errorf("read %s from %s: %w", p, d.name, err)
	}
	return b, nil
}

// Put writes a file beside the site (under StagingDir), then renames it
// into place.
func (d *Dir) Put(ctx context.Context, p string, data []byte) error {
	if err := checkOwnPath(p); err != nil {
		return Permanent(err)
	}
	if err := d.noLinks(p, true); err != nil {
		return err
	}
	if fi, err := d.root.Lstat(p); err == nil && fi.IsDir() {
		return Permanent(fmt.Errorf("write %s in %s: a folder is in the way", p, d.name))
	}
	if err := d.noLinks(StagingDir, true); err != nil {
		return err
	}
	if err := d.root.Mkdir(StagingDir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("make %s in %s: %w", StagingDir, d.name, err)
	}
	tmp := path.Join(StagingDir, tempName())
	// O_EXCL with a fresh name: never opened through anything planted
	// (O_EXCL refuses an existing name, a symlink's too).
	f, err := d.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write %s in %s: %w", p, d.name, err)
	}
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Sync() // the rename must not publish a file whose bytes are not on disk yet
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = ctx.Err()
	}
	if werr == nil {
		werr = d.root.Rename(tmp, p)
	}
	if werr != nil {
		d.root.Remove(tmp)
		return fmt.Errorf("write %s in %s: %w", p, d.name, werr)
	}
	return nil
}

// Delete removes a file and the folders it leaves empty.
func (d *Dir) Delete(_ context.Context, p string) error {
	if err := checkOwnPath(p); err != nil {
		return Permanent(err)
	}
	if err := d.noLinks(p, false); errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	if err := d.root.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s in %s: %w", p, d.name, err)
	}
	for dir := path.Dir(p); dir != "."; dir = path.Dir(dir) {
		if d.root.Remove(dir) != nil { // not empty (or gone): stop there
			break
		}
	}
	return nil
}

// Clean removes the staging folder and whatever a killed push left in it.
func (d *Dir) Clean(context.Context) error {
	fi, err := d.root.Lstat(StagingDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("clean %s in %s: %w", StagingDir, d.name, err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return Permanent(fmt.Errorf("%s in %s is a symbolic link; a mirror's files are never written through one (remove it)", StagingDir, d.name))
	}
	if !fi.IsDir() {
		return Permanent(fmt.Errorf("%s in %s is a file, not the push's folder; remove it", StagingDir, d.name))
	}
	if err := d.root.RemoveAll(StagingDir); err != nil {
		return fmt.Errorf("clean %s in %s: %w", StagingDir, d.name, err)
	}
	return nil
}

// tempName is a staging file's name: random, so that two writers never
// share one.
func tempName() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b) + ".tmp"
}
