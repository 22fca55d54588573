//go:build unix

package export

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lock takes the export's lock in its state directory, so that two runs
// (a server's and a command's) never write one tree at once; the second
// fails at once, naming the first.
func lock(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("lock the export: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock the export: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock the export: another export of this directory is running (%w)", err)
	}
	return func() { f.Close() }, nil
}
