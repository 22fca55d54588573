package mirror

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kolokol/kolokol/sign"
)

// journal keeps, on local disk, the bytes of every file a push is about to
// upload, before the mirror is told the next edition is coming. A push
// that is killed half-way leaves the mirror with a next manifest whose
// files the exporter may have replaced since; the journal still has them,
// so the next push can complete that edition before it starts its own.
// Files are kept by content (objects/<sha256>), hard-linked from the tree
// where the file system allows (the exporter replaces files, it does not
// rewrite them) and copied where not, and checked on every read.
type journal struct {
	dir string
}

func openJournal(dir string) (*journal, error) {
	if dir == "" {
		return nil, fmt.Errorf("a push needs a journal directory")
	}
	if err := os.MkdirAll(filepath.Join(dir, "objects"), 0o700); err != nil {
		return nil, fmt.Errorf("make journal %s: %w", dir, err)
	}
	return &journal{dir: dir}, nil
}

func (j *journal) object(hash string) string { return filepath.Join(j.dir, "objects", hash) }

// add keeps a file of the tree.
func (j *journal) add(t *Tree, f sign.File) error {
	dst := j.object(f.SHA256)
	if b, err := j.get(f); err == nil && b != nil {
		return nil // kept already
	}
	os.Remove(dst)
	if err := os.Link(filepath.Join(t.Dir, filepath.FromSlash(f.Path)), dst); err == nil {
		// Read back: a file rewritten in place since it was signed must
		// fail now, before the mirror is told of the next edition.
		if _, err := j.get(f); err != nil {
			os.Remove(dst)
			return err
		}
		return nil
	}
	b, err := t.read(f)
	if err != nil {
		return err
	}
	tmp := dst + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("journal %s: %w", f.Path, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("journal %s: %w", f.Path, err)
	}
	return nil
}

// get returns a kept file's bytes, checked; nil and no error when the
// journal does not have it.
func (j *journal) get(f sign.File) ([]byte, error) {
	fh, err := os.Open(j.object(f.SHA256))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, f.Size+1))
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	if err := checkBytes(f, b); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	return b, nil
}

// sync makes the journal's entries durable before the mirror depends on
// them.
func (j *journal) sync() error {
	d, err := os.Open(filepath.Join(j.dir, "objects"))
	if err != nil {
		return fmt.Errorf("sync journal: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync journal: %w", err)
	}
	return nil
}

// clear empties the journal once the mirror serves a whole edition.
func (j *journal) clear() error {
	objects := filepath.Join(j.dir, "objects")
	if err := os.RemoveAll(objects); err != nil {
		return fmt.Errorf("clear journal %s: %w", j.dir, err)
	}
	if err := os.Mkdir(objects, 0o700); err != nil {
		return fmt.Errorf("clear journal %s: %w", j.dir, err)
	}
	return nil
}

// hashOf is the hex SHA-256 of b.
func hashOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
