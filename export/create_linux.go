//go:build linux

package export

import (
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// create writes data to a new or truncated file at name, a path below the
// directory dir (an open descriptor) that may have a directory in it, in
// three system calls: openat2, refusing any symbolic link on the way or at
// the end (what the tree's roots guarantee with a lookup per directory),
// write and close. os.Root takes ten for the same file (it opens each
// directory on the way, and os.File tries the file with the poller and sets
// its mode back and forth); at 36,000 files a full export spent a third of
// its file-writing time on those. errNoOpenat2 says the kernel (before 5.6)
// or a sandbox refuses openat2: the caller writes through its roots.
func create(dir int, name string, data []byte) error {
	how := unix.OpenHow{
		Flags:   unix.O_WRONLY | unix.O_CREAT | unix.O_TRUNC | unix.O_CLOEXEC | unix.O_NOFOLLOW,
		Mode:    0o644,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	}
	var fd int
	var err error
	for {
		fd, err = unix.Openat2(dir, name, &how)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	switch {
	case errors.Is(err, syscall.ENOSYS), errors.Is(err, syscall.EPERM), errors.Is(err, syscall.EINVAL):
		return errNoOpenat2
	case errors.Is(err, syscall.ELOOP), errors.Is(err, syscall.EXDEV):
		return fmt.Errorf("a symbolic link on the way to %s: refusing to write through it: %w", name, err)
	case err != nil:
		return err
	}
	for len(data) > 0 {
		n, err := unix.Write(fd, data)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			unix.Close(fd)
			return err
		}
		data = data[n:]
	}
	return unix.Close(fd)
}
