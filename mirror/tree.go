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
	"slices"
	"strings"
	"time"

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
	// The tree must be whole: a part missing here is an error, not a
	// group left unknown as on a mirror mid-push.
	err = loadFiles(t.Manifest, func(p sign.File) ([]byte, error) {
		b, err := readRootFile(root, p.Path, p.Size)
		if err != nil {
			return nil, fmt.Errorf("part %s: %v", p.Path, err)
		}
		return b, nil
	})
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("open tree %s: %w", dir, err)
	}
	t.byPath, t.byHash = index(t.Manifest)
	return t, nil
}

// Close releases the tree's directory.
func (t *Tree) Close() error { return t.root.Close() }

func index(m *sign.Manifest) (map[string]sign.File, map[string]string) {
	byPath := make(map[string]sign.File, len(m.Parts)+len(m.Files))
	byHash := make(map[string]string, len(m.Parts)+len(m.Files))
	for _, f := range allFiles(m) {
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
// and checks it as hostile input: an origin, an edition not below 0, parts
// well named (sign.ParsePartName), and, in parts and files alike, paths
// sorted without repeats, every path passing CheckPath, every hash 64
// lower-case hex digits, no negative size. The files of a manifest split
// in parts are read from them by loadFiles; a manifest of the former
// format lists them itself.
func ParseManifest(b []byte) (*sign.Manifest, error) {
	var raw struct {
		Origin  string       `json:"origin"`
		Edition int64        `json:"edition"`
		Time    time.Time    `json:"time"`
		KeyID   string       `json:"key_id"`
		Parts   *[]sign.File `json:"parts"`
		Files   *[]sign.File `json:"files"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '<' {
			return nil, fmt.Errorf("this is HTML, not a manifest (a web page or an error page where the manifest should be)")
		}
		return nil, fmt.Errorf("not a manifest: %w", err)
	}
	m := &sign.Manifest{Origin: raw.Origin, Edition: raw.Edition, Time: raw.Time, KeyID: raw.KeyID}
	if raw.Parts != nil {
		m.Parts = *raw.Parts
	}
	if raw.Files != nil {
		m.Files = *raw.Files
	}
	if m.Origin == "" {
		return nil, fmt.Errorf("the manifest names no origin")
	}
	if m.Edition < 0 {
		return nil, fmt.Errorf("the manifest's edition %d is negative", m.Edition)
	}
	if raw.Parts != nil && raw.Files != nil {
		return nil, fmt.Errorf("the manifest lists both parts and files")
	}
	for _, p := range m.Parts {
		if _, _, err := sign.ParsePartName(p.Path); err != nil {
			return nil, fmt.Errorf("the manifest lists a part that is refused: %w", err)
		}
	}
	for _, list := range [][]sign.File{m.Parts, m.Files} {
		for i, f := range list {
			if err := CheckPath(f.Path); err != nil {
				return nil, fmt.Errorf("the manifest lists a path that is refused: %w", err)
			}
			if i > 0 && f.Path <= list[i-1].Path {
				return nil, fmt.Errorf("the manifest's files are not sorted by path without repeats (%q after %q)", f.Path, list[i-1].Path)
			}
			if len(f.SHA256) != 64 || strings.Trim(f.SHA256, "0123456789abcdef") != "" {
				return nil, fmt.Errorf("the manifest's SHA-256 of %q is not 64 lower-case hex digits", f.Path)
			}
			if f.Size < 0 {
				return nil, fmt.Errorf("the manifest gives %q a negative size", f.Path)
			}
		}
	}
	return m, nil
}

// loadFiles reads a manifest's files from its parts: get returns a part's
// bytes, which are checked against the manifest. A part get cannot find
// (a push removed it: the files it listed are gone or the next edition's)
// leaves its group's files unknown; those of the other parts are read.
func loadFiles(m *sign.Manifest, get func(sign.File) ([]byte, error)) error {
	if len(m.Parts) == 0 {
		return nil // the former format, or an empty edition
	}
	missing, err := sign.AssembleFiles(m, func(p sign.File) ([]byte, error) {
		b, err := get(p)
		if err != nil {
			return nil, err
		}
		if err := checkBytes(p, b); err != nil {
			return nil, err
		}
		return b, nil
	})
	if err != nil {
		return Permanent(fmt.Errorf("the manifest's parts are refused: %w", err))
	}
	for _, f := range m.Files {
		if err := CheckPath(f.Path); err != nil {
			return Permanent(fmt.Errorf("the manifest's parts list a path that is refused: %w", err))
		}
	}
	for path, err := range missing {
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("read part %s: %w", path, err)
		}
	}
	return nil
}

// allFiles are the parts and the files of an edition: every file a push
// writes or deletes, apart from the signed ones at the root.
func allFiles(m *sign.Manifest) []sign.File {
	return append(slices.Clip(m.Parts), m.Files...)
}

// readRemoteManifest returns a target's manifest of that name, or nil
// when it has none, with its files: the parts the local tree has too
// (the same name is the same content) are read from the tree, the others
// from the target.
func readRemoteManifest(ctx context.Context, t Target, name string, b Backoff, local *Tree) (*sign.Manifest, []byte, error) {
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
	err = loadFiles(m, func(p sign.File) ([]byte, error) {
		if local != nil {
			if f, ok := local.byPath[p.Path]; ok && f == p {
				if data, err := local.read(p); err == nil {
					return data, nil
				}
			}
		}
		var data []byte
		err := b.retry(ctx, func() (err error) {
			data, err = t.Get(ctx, p.Path, p.Size)
			if errors.Is(err, fs.ErrNotExist) {
				return Permanent(err)
			}
			return err
		})
		return data, err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%s answers %s: %w", t, name, err)
	}
	return m, raw, nil
}
