package sign

import (
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
}

// Sign signs one edition: the manifest (its Files sorted here, its KeyID
// and time set), SHA256SUMS, each with a minisign signature whose trusted
// comment is the edition's Statement, and the keyring (kolokol.pub).
// Keeping the edition number growing is the caller's part: Sign cannot
// know which numbers were used before.
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
	slices.SortFunc(m.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	manifest, err := MarshalManifest(&m)
	if err != nil {
		return nil, fmt.Errorf("sign edition %d: %w", m.Edition, err)
	}
	st := Statement{Origin: m.Origin, Edition: m.Edition, Time: m.Time}
	e := &Edition{Manifest: m, Statement: st, manifest: manifest, sums: MarshalSums(&m), pub: s.ring.Marshal()}
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
// all the way: Files(true), then the changed files, then the removal of
// files the edition dropped, then Files(false), then the next- files may
// be removed (RemoveNext; a next- edition no newer than the current one is
// ignored). At every step in between, verify passes, saying the mirror is
// mid-update.
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

// Write writes Files(next) into dir, each file atomically (a temporary
// file renamed into place), first removing the temporary files an earlier
// write that was killed may have left.
func (e *Edition) Write(dir string, next bool) error {
	files := e.Files(next)
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.Name
	}
	if err := removeStaleTemps(dir, names...); err != nil {
		return fmt.Errorf("write edition %d: %w", e.Manifest.Edition, err)
	}
	for _, f := range files {
		if err := writeFileAtomic(dir, f.Name, f.Data, 0o644, true); err != nil {
			return fmt.Errorf("write edition %d: %w", e.Manifest.Edition, err)
		}
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
