package sign

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Edition is one manifest, signed: the files that go at the root of an
// export beside the site's own, as bytes, to write (Write) or upload
// (Files).
type Edition struct {
	// Manifest is what was signed: KeyID set, Time in UTC whole seconds,
	// Files sorted.
	Manifest  Manifest
	Statement Statement

	manifest, manifestSig, sums, sumsSig, pub []byte
	parts                                     []NamedFile // made by Sign, not reused
}

// Sign signs one edition: its Files, sorted here, are split into parts
// (see PartsDir); the manifest (the parts, its KeyID and time set) and
// SHA256SUMS (the parts too) each get a minisign signature whose trusted
// comment is the edition's Statement; and the keyring (kolokol.pub).
// Keeping the edition number growing is the caller's part: Sign cannot
// know which numbers were used before.
//
// m.Parts may hold parts of an earlier edition whose groups the caller
// knows unchanged (the same files, hashes and sizes): those are listed
// again as they are, without being made again, and m.Files then holds
// the files of the other groups only (the edition's Manifest.Files too).
// A part of a group whose files changed must not be among them: the
// edition would list it, and verify would find the files it lists
// altered. Only the files given are checked, so that an edition of a
// large site after a small change costs little.
func (s *Signer) Sign(m Manifest) (*Edition, error) {
	origin, err := CanonicalOrigin(m.Origin)
	if err != nil {
		return nil, fmt.Errorf("sign edition %d: %w", m.Edition, err)
	}
	m.Origin = origin
	// The trusted comment carries whole seconds; the manifest must say the
	// same time, or verify would find the two disagreeing.
	m.Time = m.Time.UTC().Truncate(time.Second)
	m.KeyID = s.id.String()
	m.Files = slices.Clone(m.Files)
	if !slices.IsSortedFunc(m.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) }) {
		slices.SortFunc(m.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	}
	m.legacy = false
	if err := m.validateFiles(); err != nil {
		return nil, fmt.Errorf("sign edition %d: %w", m.Edition, err)
	}
	if err := checkReused(m.Files, m.Parts); err != nil {
		return nil, fmt.Errorf("sign edition %d: %w", m.Edition, err)
	}
	parts, partData, err := makeParts(m.Files, m.Parts)
	if err != nil {
		return nil, fmt.Errorf("sign edition %d: %w", m.Edition, err)
	}
	m.Parts = parts
	manifest, err := MarshalManifest(&m)
	if err != nil {
		return nil, fmt.Errorf("sign edition %d: %w", m.Edition, err)
	}
	st := Statement{Origin: m.Origin, Edition: m.Edition, Time: m.Time}
	e := &Edition{Manifest: m, Statement: st, manifest: manifest, sums: MarshalSums(&m), pub: s.ring.Marshal(), parts: partData}
	untrusted := "signature from kolokol secret key " + s.id.String()
	ms, err := signMessage(s.key, s.id, e.manifest, untrusted, st.String())
	if err != nil {
		return nil, fmt.Errorf("sign edition %d: %w", m.Edition, err)
	}
	ss, err := signMessage(s.key, s.id, e.sums, untrusted, st.String())
	if err != nil {
		return nil, fmt.Errorf("sign edition %d: %w", m.Edition, err)
	}
	e.manifestSig, e.sumsSig = ms.Marshal(), ss.Marshal()
	return e, nil
}

// NamedFile is one file at the root of an export.
type NamedFile struct {
	Name string
	Data []byte
}

// Files are the edition's signed files, in the order to write or upload
// them: the public key, the sums and their signature, the manifest's
// signature, the manifest last. With next they are named next-manifest.json
// and so on: uploaded before a push's files, they tell verify that files
// matching them are an update in progress. The public key keeps its name.
//
// A push to a target without rename (object storage) that stays verifiable
// all the way: Files(true), then the new parts (Parts), then the changed
// files, then the removal of files the edition dropped, then the removal
// of the former edition's parts, then Files(false), then the next- files
// may be removed (RemoveNext; a next- edition no newer than the current
// one is ignored). At every step in between, verify passes, saying the
// mirror is mid-update.
func (e *Edition) Files(next bool) []NamedFile {
	p := ""
	if next {
		p = NextPrefix
	}
	return []NamedFile{
		{PublicKeyFile, e.pub},
		{p + SumsFile, e.sums},
		{p + SumsFile + SigSuffix, e.sumsSig},
		{p + ManifestFile + SigSuffix, e.manifestSig},
		{p + ManifestFile, e.manifest},
	}
}

// Parts are the edition's parts that Sign made (not those it reused from
// an earlier edition), by their paths: written or uploaded after the next
// manifest (Files(true)), before the site's files.
func (e *Edition) Parts() []NamedFile { return e.parts }

// WriteParts writes Parts into dir, each atomically, making the parts
// folder if need be.
func (e *Edition) WriteParts(dir string) error {
	if len(e.parts) == 0 {
		return nil
	}
	pdir := filepath.Join(dir, PartsDir)
	if fi, err := os.Lstat(pdir); err == nil && !fi.IsDir() {
		return fmt.Errorf("write edition %d: %s is not a directory", e.Manifest.Edition, pdir)
	}
	if err := os.Mkdir(pdir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("write edition %d: %w", e.Manifest.Edition, err)
	}
	names := make([]string, len(e.parts))
	for i, p := range e.parts {
		names[i] = strings.TrimPrefix(p.Name, PartsDir+"/")
	}
	if err := removeStaleTemps(pdir, names...); err != nil {
		return fmt.Errorf("write edition %d: %w", e.Manifest.Edition, err)
	}
	for i, p := range e.parts {
		if have, err := os.ReadFile(filepath.Join(pdir, names[i])); err == nil && bytes.Equal(have, p.Data) {
			continue // written with the next manifest, or by a run that was killed
		}
		if err := writeFileNoDirSync(pdir, names[i], p.Data, 0o644, true); err != nil {
			return fmt.Errorf("write edition %d: %w", e.Manifest.Edition, err)
		}
	}
	syncDir(pdir)
	return nil
}

// RemoveStaleParts removes from dir's parts folder every file that is not
// a part of m: the parts of the edition before, once the files they list
// are gone, before m's manifest replaces the old one (verify, which
// reads the parts of the current manifest, then knows those files from
// the next one's), and whatever else is there.
func RemoveStaleParts(dir string, m *Manifest) error {
	pdir := filepath.Join(dir, PartsDir)
	entries, err := os.ReadDir(pdir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("remove the former parts: %w", err)
	}
	keep := map[string]bool{}
	for _, p := range m.Parts {
		keep[strings.TrimPrefix(p.Path, PartsDir+"/")] = true
	}
	var errs []error
	for _, en := range entries {
		if keep[en.Name()] {
			continue
		}
		if err := os.RemoveAll(filepath.Join(pdir, en.Name())); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("remove the former parts: %w", err)
	}
	syncDir(pdir)
	return nil
}

// Write writes Files(next) and the Parts into dir, each file atomically
// (a temporary file renamed into place), first removing the temporary
// files an earlier write that was killed may have left. With next, the
// parts go after the next manifest, which lists them; without, before the
// manifest (a part already there is left as it is).
func (e *Edition) Write(dir string, next bool) error {
	if !next {
		if err := e.WriteParts(dir); err != nil {
			return err
		}
	}
	files := e.Files(next)
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.Name
	}
	if err := removeStaleTemps(dir, names...); err != nil {
		return fmt.Errorf("write edition %d: %w", e.Manifest.Edition, err)
	}
	for _, f := range files {
		if f.Name == PublicKeyFile {
			if have, err := os.ReadFile(filepath.Join(dir, f.Name)); err == nil && bytes.Equal(have, f.Data) {
				continue // the same keys as the edition before
			}
		}
		if err := writeFileNoDirSync(dir, f.Name, f.Data, 0o644, true); err != nil {
			return fmt.Errorf("write edition %d: %w", e.Manifest.Edition, err)
		}
	}
	// One sync for the renames: a reader after a power cut may find some
	// of them not done, which is what a push under way looks like too.
	syncDir(dir)
	if next {
		return e.WriteParts(dir)
	}
	return nil
}

// RemoveNext removes the next- files from dir once a push has completed.
func RemoveNext(dir string) error {
	var errs []error
	for _, name := range []string{ManifestFile, ManifestFile + SigSuffix, SumsFile, SumsFile + SigSuffix} {
		// The manifest first, so that a removal stopped half-way leaves no
		// next-manifest.json whose signature is gone.
		if err := os.Remove(filepath.Join(dir, NextPrefix+name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("remove the next edition's files: %w", err)
	}
	return nil
}
