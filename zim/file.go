package zim

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// WriteFile writes a as a ZIM file at path. The file appears whole or not
// at all: it is written beside path under a temporary name, synced and
// renamed, and the temporary is removed on any error (a full disk or a
// cancelled ctx included), so a mirror never picks up half a bundle.
func WriteFile(ctx context.Context, path string, a *Archive) (err error) {
	if err := validate(a); err != nil {
		return err
	}
	p, err := newPlan(ctx, a)
	if err != nil {
		return err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("zim: create temporary file beside %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := p.write(ctx, f); err != nil {
		return fmt.Errorf("%w (writing %s)", err, path)
	}
	// CreateTemp makes the file 0600; a bundle is for everyone to read.
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("zim: chmod %s: %w", f.Name(), err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("zim: sync %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("zim: close %s: %w", f.Name(), err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("zim: write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("zim: rename %s to %s: %w", f.Name(), path, err)
	}
	// The rename lives in the directory: sync it too, so a crash now
	// cannot lose the finished file.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
