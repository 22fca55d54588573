package sign

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// writeFileAtomic writes dir/name so that a reader sees the old file or
// the new one, never a part: a temporary file beside it, synced, then
// renamed over it (replace) or linked to its name (create only: fails with
// fs.ErrExist when the name is taken, so two processes making the first
// key cannot both win).
func writeFileAtomic(dir, name string, data []byte, perm os.FileMode, replace bool) error {
	if err := writeFileNoDirSync(dir, name, data, perm, replace); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// writeFileNoDirSync is writeFileAtomic without the sync of the directory
// that makes the rename durable: for several files written in a row,
// whose directory is synced once after the last.
func writeFileNoDirSync(dir, name string, data []byte, perm os.FileMode, replace bool) (err error) {
	f, err := os.CreateTemp(dir, tempPrefix(name))
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	// CreateTemp makes the file 0600 whatever the umask: set the mode asked
	// for (0644 for files a web server serves).
	if err = f.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	final := filepath.Join(dir, name)
	if replace {
		err = os.Rename(tmp, final)
	} else {
		err = os.Link(tmp, final)
		os.Remove(tmp)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

func tempPrefix(name string) string { return "." + name + ".tmp-" }

// syncDir makes a rename durable. Some systems cannot sync a directory
// (Windows cannot open one); the rename is then as durable as they make it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// removeStaleTemps removes what a write killed half-way left: temporary
// files that are not part of any edition (verify would rightly list them
// as unlisted files).
func removeStaleTemps(dir string, names ...string) error {
	var errs []error
	for _, name := range names {
		stale, _ := filepath.Glob(filepath.Join(dir, tempPrefix(name)+"*"))
		for _, s := range stale {
			if err := os.Remove(s); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
