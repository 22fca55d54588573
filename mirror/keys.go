package mirror

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/kolokol/kolokol"
)

// Keys keeps mirrors' secrets as files, DIR/<id>.key, mode 0600 in a
// folder of mode 0700 (DATA/mirrors): out of the database, its backups and
// its logs. It implements kolokol.MirrorSecrets.
type Keys struct {
	Dir string
}

func (k Keys) file(id int64) string { return filepath.Join(k.Dir, strconv.FormatInt(id, 10)+".key") }

// PutMirrorSecret writes a secret atomically (a new file renamed over the
// old), so that a crash leaves the old key or the new one.
func (k Keys) PutMirrorSecret(_ context.Context, id int64, secret []byte) error {
	if id <= 0 {
		return fmt.Errorf("store the key of mirror %d: no such id", id)
	}
	if err := os.MkdirAll(k.Dir, 0o700); err != nil {
		return fmt.Errorf("store the key of mirror %d: %w", id, err)
	}
	if err := os.Chmod(k.Dir, 0o700); err != nil {
		return fmt.Errorf("store the key of mirror %d: %w", id, err)
	}
	f, err := os.CreateTemp(k.Dir, ".key-*")
	if err != nil {
		return fmt.Errorf("store the key of mirror %d: %w", id, err)
	}
	tmp := f.Name()
	// CreateTemp makes the file 0600 already; said again so no umask or
	// change there can widen it.
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(secret)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, k.file(id))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store the key of mirror %d: %w", id, err)
	}
	return nil
}

// MirrorSecret reads a secret. A key file others may read is refused: its
// secret may have leaked, and an admin should know.
func (k Keys) MirrorSecret(_ context.Context, id int64) ([]byte, error) {
	f, err := os.Open(k.file(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "mirror %d has no key in %s; give it one (edit the mirror)", id, k.Dir)
	} else if err != nil {
		return nil, fmt.Errorf("read the key of mirror %d: %w", id, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read the key of mirror %d: %w", id, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("the key of mirror %d (%s) has mode %04o: others may read it; chmod 600 it (and consider the key leaked)", id, k.file(id), fi.Mode().Perm())
	}
	b, err := readLimited(f, k.file(id), 64<<10)
	if err != nil {
		return nil, fmt.Errorf("read the key of mirror %d: %w", id, err)
	}
	return b, nil
}

// DeleteMirrorSecret removes a secret; none is not an error.
func (k Keys) DeleteMirrorSecret(_ context.Context, id int64) error {
	if err := os.Remove(k.file(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove the key of mirror %d: %w", id, err)
	}
	return nil
}

var _ kolokol.MirrorSecrets = Keys{}
