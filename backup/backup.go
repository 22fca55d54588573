// Package backup copies a newsroom's data directory (SQLite database,
// media, signing and mirror keys) into one file while it serves, and back.
//
// A backup is a gzip-compressed tar: kolokol.db (a consistent snapshot,
// see sqlite.Snapshot), then every other file that cannot be made again,
// then kolokol-backup.json, the manifest: each file's path, size and
// SHA-256, and the newest edition the newsroom had signed. Restore checks
// every byte against it before the restored directory takes its place.
//
// What is left out is made again: the static export (DATA/export) and its
// state (DATA/exports), a mirror push's resumable journal, lock files and
// the temporary files of writes in progress.
package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

const (
	// Format is the manifest's version.
	Format = 1
	// ManifestName is the manifest's name in the archive: its last entry.
	ManifestName = "kolokol-backup.json"
	// DBName is the database's name in the data directory and the archive.
	DBName = "kolokol.db"
	// maxManifest bounds the manifest: a line of about 130 bytes a file.
	maxManifest = 256 << 20
	// maxEntries bounds the files of a backup.
	maxEntries = 10_000_000
)

// Manifest describes a backup.
type Manifest struct {
	Format  int       `json:"format"`
	Created time.Time `json:"created"`
	// Edition is the newest edition of the newsroom's static export, as
	// signed or reserved when the backup was taken; 0: none.
	Edition int64  `json:"edition"`
	Files   []File `json:"files"`
}

// File is one file of a backup.
type File struct {
	Path   string `json:"path"` // slash-separated, relative to the data directory
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Bytes is the files' total size.
func (m *Manifest) Bytes() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.Size
	}
	return n
}

// Source is what Write backs up.
type Source struct {
	// Data is the data directory.
	Data string
	// Snapshot writes a consistent copy of the database to out.
	Snapshot func(ctx context.Context, db, out string) error
	// Edition is the newest edition signed, for the manifest.
	Edition int64
	Now     func() time.Time
}

// skip reports whether a file or directory of the data directory is left
// out of a backup: rel is slash-separated.
func skip(rel string, dir bool) bool {
	name := path.Base(rel)
	switch {
	case rel == DBName || rel == DBName+"-wal" || rel == DBName+"-shm" || rel == DBName+"-journal":
		return true // the snapshot stands for them
	case rel == "export" || rel == "exports":
		return true // made again by the next export
	case strings.HasPrefix(name, "."):
		return true // a write in progress (.upload-*), or our own snapshot folder
	case name == "lock" && !dir:
		return true
	case dir && strings.HasSuffix(name, ".journal") && path.Dir(rel) == "mirrors":
		return true // a push's resumable state, of no use elsewhere
	case strings.Contains(name, ".tmp-"):
		return true
	}
	return false
}

// Write writes a backup of src to w and returns its manifest.
func Write(ctx context.Context, src Source, w io.Writer) (*Manifest, error) {
	now := time.Now
	if src.Now != nil {
		now = src.Now
	}
	tmp, err := os.MkdirTemp(src.Data, ".backup-")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp)
	m := &Manifest{Format: Format, Created: now().UTC(), Edition: src.Edition}
	snap := filepath.Join(tmp, DBName)
	if err := src.Snapshot(ctx, filepath.Join(src.Data, DBName), snap); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(zw)
	if err := addFile(tw, m, snap, DBName); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	os.Remove(snap) // its space back before the media are read
	err = filepath.WalkDir(src.Data, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(src.Data, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if skip(rel, d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil // directories are made from the files' paths; links are not followed
		}
		return addFile(tw, m, p, rel)
	})
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	js, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: ManifestName, Mode: 0o600, Size: int64(len(js)), ModTime: m.Created, Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if _, err := tw.Write(js); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := errors.Join(tw.Close(), zw.Close()); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	return m, nil
}

// addFile adds the file at p to the archive as rel. Files of the data
// directory are written whole and renamed into place, so the size read
// first is the size read through; a file that changed meanwhile all the
// same is an error, not a torn copy.
func addFile(tw *tar.Writer, m *Manifest, p, rel string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: rel, Mode: 0o600, Size: fi.Size(), ModTime: fi.ModTime(), Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tw, h), f)
	if err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	if n != fi.Size() {
		return fmt.Errorf("%s changed while it was read", rel)
	}
	m.Files = append(m.Files, File{Path: rel, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
	return nil
}

// Restore reads a backup from r into the data directory data, which must
// not exist or be empty. Everything is written to a directory beside it
// and checked against the manifest (every file there, of its size and
// SHA-256, no other) and by check (the database), then renamed into
// place: a bad archive leaves nothing behind.
func Restore(ctx context.Context, r io.Reader, data string, check func(ctx context.Context, dir string, m *Manifest) error) (*Manifest, error) {
	if err := emptyOrMissing(data); err != nil {
		return nil, fmt.Errorf("restore into %s: %w", data, err)
	}
	abs, err := filepath.Abs(data)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("restore into %s: %w", data, err)
	}
	stage, err := os.MkdirTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".restore-")
	if err != nil {
		return nil, fmt.Errorf("restore into %s: %w", data, err)
	}
	defer os.RemoveAll(stage) // a no-op once renamed
	m, err := Extract(ctx, r, stage)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	if check != nil {
		if err := check(ctx, stage, m); err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.Chmod(stage, 0o700); err != nil {
		return nil, err
	}
	if err := emptyOrMissing(abs); err != nil { // again: it may have filled meanwhile
		return nil, fmt.Errorf("restore into %s: %w", data, err)
	}
	if err := os.Remove(abs); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("restore into %s: %w", data, err)
	}
	if err := os.Rename(stage, abs); err != nil {
		return nil, fmt.Errorf("restore into %s: %w", data, err)
	}
	return m, nil
}

func emptyOrMissing(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case len(entries) > 0:
		return errors.New("it is not empty: restore into a new directory")
	}
	return nil
}

// Extract reads a backup from r into dir, an empty directory, checking
// every file against the manifest. It refuses anything but plain files
// at plain relative paths, names twice, and files the manifest does not
// list or lists otherwise.
func Extract(ctx context.Context, r io.Reader, dir string) (*Manifest, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("not a Kolokol backup (not gzip): %w", err)
	}
	tr := tar.NewReader(zr)
	got := map[string]File{}
	var m *Manifest
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read the archive: %w", err)
		}
		if m != nil {
			return nil, fmt.Errorf("%q after the manifest, which must be last", h.Name)
		}
		if n >= maxEntries {
			return nil, fmt.Errorf("more than %d files", maxEntries)
		}
		if h.Typeflag != tar.TypeReg {
			return nil, fmt.Errorf("%q is not a plain file (type %q): a backup holds only files", h.Name, h.Typeflag)
		}
		if h.Name == ManifestName {
			if m, err = readManifest(tr, h.Size); err != nil {
				return nil, err
			}
			continue
		}
		if !validPath(h.Name) {
			return nil, fmt.Errorf("%q is not a plain relative path", h.Name)
		}
		if _, dup := got[h.Name]; dup {
			return nil, fmt.Errorf("%q is in the archive twice", h.Name)
		}
		f, err := writeFile(tr, dir, h.Name)
		if err != nil {
			return nil, err
		}
		if f.Size != h.Size {
			return nil, fmt.Errorf("%q: %d bytes, its header says %d", h.Name, f.Size, h.Size)
		}
		got[h.Name] = f
	}
	if err := zr.Close(); err != nil {
		return nil, fmt.Errorf("read the archive: %w", err)
	}
	if m == nil {
		return nil, fmt.Errorf("no %s: the archive is cut short or not a Kolokol backup", ManifestName)
	}
	if len(m.Files) != len(got) {
		return nil, fmt.Errorf("the manifest lists %d files, the archive holds %d", len(m.Files), len(got))
	}
	for _, want := range m.Files {
		f, ok := got[want.Path]
		switch {
		case !ok:
			return nil, fmt.Errorf("%q is in the manifest, not in the archive", want.Path)
		case f != want:
			return nil, fmt.Errorf("%q is not the file the manifest describes (size %d, SHA-256 %s; want %d, %s)", want.Path, f.Size, f.SHA256, want.Size, want.SHA256)
		}
	}
	if _, ok := got[DBName]; !ok {
		return nil, fmt.Errorf("no %s in the backup", DBName)
	}
	return m, nil
}

func readManifest(r io.Reader, size int64) (*Manifest, error) {
	if size > maxManifest {
		return nil, fmt.Errorf("%s is %d bytes, over the %d MB a manifest may be", ManifestName, size, maxManifest>>20)
	}
	var m Manifest
	dec := json.NewDecoder(io.LimitReader(r, size))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", ManifestName, err)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("%s: format %d; this kolokol reads format %d", ManifestName, m.Format, Format)
	}
	return &m, nil
}

// validPath reports whether name is a slash-separated relative path that
// stays inside the directory: no "..", ".", empty or absolute parts, no
// backslash or NUL, and not the manifest's own name.
func validPath(name string) bool {
	if name == "" || len(name) > 1024 || strings.ContainsAny(name, "\\\x00") || path.Clean(name) != name ||
		strings.HasPrefix(name, "/") || name == "." || name == ".." || strings.HasPrefix(name, "../") {
		return false
	}
	for _, part := range strings.Split(name, "/") {
		if part == "" || part == "." || part == ".." {
			return false
		}
	}
	return true
}

// writeFile copies a file of the archive to dir/name, which must be new,
// hashing it on the way.
func writeFile(r io.Reader, dir, name string) (File, error) {
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return File{}, fmt.Errorf("restore %s: %w", name, err)
	}
	out, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return File{}, fmt.Errorf("restore %s: %w", name, err)
	}
	var h hash.Hash = sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), r)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return File{}, fmt.Errorf("restore %s: %w", name, err)
	}
	return File{Path: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}
