package mirror

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/kolokol/kolokol/sign"
)

// MaxManifestBytes bounds a manifest and its sums, the local ones and
// those a mirror answers: about two million files.
const MaxManifestBytes = 256 << 20

// maxSigBytes bounds a minisign signature file (a few hundred bytes).
const maxSigBytes = 64 << 10

// Tree is a signed export on local disk, as the exporter writes it: every
// file of the site, and at its root manifest.json, SHA256SUMS and their
// .minisig signatures. The signatures are carried as they are: a push
// never makes or reads one.
type Tree struct {
	Dir      string
	Manifest *sign.Manifest
	root     *os.Root
	signed   map[string][]byte // the four signed files, by name
	byPath   map[string]sign.File
	byHash   map[string]string // a path of each content, to find bytes by hash
}

// OpenTree reads and checks a tree's manifest, and reads its signed files.
func OpenTree(dir string) (*Tree, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open tree %s: %w", dir, err)
	}
	t := &Tree{Dir: dir, root: root, signed: map[string][]byte{}}
	for _, name := range signedFiles {
		limit := int64(MaxManifestBytes)
		if strings.HasSuffix(name, sign.SigSuffix) {
			limit = maxSigBytes
		}
		b, err := readRootFile(root, name, limit)
		if err != nil {
			root.Close()
			return nil, fmt.Errorf("open tree %s: %w", dir, err)
		}
		t.signed[name] = b
	}
	if t.Manifest, err = ParseManifest(t.signed[sign.ManifestFile]); err != nil {
		root.Close()
		return nil, fmt.Errorf("open tree %s: %s: %w", dir, sign.ManifestFile, err)
	}
	t.byPath, t.byHash = index(t.Manifest)
	return t, nil
}

// Close releases the tree's directory.
func (t *Tree) Close() error { return t.root.Close() }

func index(m *sign.Manifest) (map[string]sign.File, map[string]string) {
	byPath := make(map[string]sign.File, len(m.Files))
	byHash := make(map[string]string, len(m.Files))
	for _, f := range m.Files {
		byPath[f.Path] = f
		if _, ok := byHash[f.SHA256]; !ok {
			byHash[f.SHA256] = f.Path
		}
	}
	return byPath, byHash
}

func readRootFile(root *os.Root, name string, limit int64) ([]byte, error) {
	fi, err := root.Lstat(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", name)
	}
	f, err := root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f, name, limit)
}

// read returns the bytes of a file of the tree, checked against the
// manifest: a push never sends a mirror bytes the signed manifest does not
// vouch for, whatever happened to the tree since it was signed.
func (t *Tree) read(f sign.File) ([]byte, error) {
	b, err := readRootFile(t.root, f.Path, f.Size)
	if err != nil {
		return nil, fmt.Errorf("read %s from the tree %s: %w", f.Path, t.Dir, err)
	}
	if err := checkBytes(f, b); err != nil {
		return nil, fmt.Errorf("the tree %s: %w", t.Dir, err)
	}
	return b, nil
}

func checkBytes(f sign.File, b []byte) error {
	sum := sha256.Sum256(b)
	if int64(len(b)) != f.Size || hex.EncodeToString(sum[:]) != f.SHA256 {
		return Permanent(fmt.Errorf("%s is not the file the manifest lists (%d bytes, SHA-256 %s; want %d bytes, %s): was the tree changed after it was signed?",
			f.Path, len(b), hex.EncodeToString(sum[:]), f.Size, f.SHA256))
	}
	return nil
}

// ParseManifest reads a manifest, the tree's or one a mirror answered,
// and checks it as hostile input: an origin, an edition not below 0, files
// sorted by path without repeats, every path passing CheckPath, every hash
// 64 lower-case hex digits, no negative size.
func ParseManifest(b []byte) (*sign.Manifest, error) {
	var m sign.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '<' {
			return nil, fmt.Errorf("this is HTML, not a manifest (a web page or an error page where the manifest should be)")
		}
		return nil, fmt.Errorf("not a manifest: %w", err)
	}
	if m.Origin == "" {
		return nil, fmt.Errorf("the manifest names no origin")
	}
	if m.Edition < 0 {
		return nil, fmt.Errorf("the manifest's edition %d is negative", m.Edition)
	}
	for i, f := range m.Files {
		if err := CheckPath(f.Path); err != nil {
			return nil, fmt.Errorf("the manifest lists a path that is refused: %w", err)
		}
		if i > 0 && f.Path <= m.Files[i-1].Path {
			return nil, fmt.Errorf("the manifest's files are not sorted by path without repeats (%q after %q)", f.Path, m.Files[i-1].Path)
		}
		if len(f.SHA256) != 64 || strings.Trim(f.SHA256, "0123456789abcdef") != "" {
			return nil, fmt.Errorf("the manifest's SHA-256 of %q is not 64 lower-case hex digits", f.Path)
		}
		if f.Size < 0 {
			return nil, fmt.Errorf("the manifest gives %q a negative size", f.Path)
		}
	}
	return &m, nil
}

// readRemoteManifest returns a target's manifest of that name, or nil
// when it has none.
func readRemoteManifest(ctx context.Context, t Target, name string, b Backoff) (*sign.Manifest, []byte, error) {
	var raw []byte
	err := b.retry(ctx, func() (err error) {
		raw, err = t.Get(ctx, name, MaxManifestBytes)
		if errors.Is(err, fs.ErrNotExist) {
			return Permanent(err)
		}
		return err
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	m, err := ParseManifest(raw)
	if err != nil {
		return nil, nil, Permanent(fmt.Errorf("%s answers %s: %w", t, name, err))
	}
	return m, raw, nil
}
