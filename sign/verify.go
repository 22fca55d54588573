package sign

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"time"
)

// Why verify refuses a mirror. A *Refusal wraps one of these, so callers
// can tell them apart with errors.Is; its message names what was refused.
var (
	ErrNoManifest  = errors.New("no manifest")
	ErrNotManifest = errors.New("not a manifest")
	ErrTooLarge    = errors.New("too large")
	ErrMalformed   = errors.New("malformed")
	ErrUnknownKey  = errors.New("unknown key")
	ErrRetiredKey  = errors.New("retired key")
	ErrOldEdition  = errors.New("older edition")
	ErrWrongOrigin = errors.New("another origin")
	ErrTampered    = errors.New("files do not match the signed manifest")
	ErrNoListing   = errors.New("this source cannot list its files")
)

// Refusal is a mirror that failed verification: what it serves is not an
// edition the key signed, or not the one asked for. Anything else verify
// returns (an unreadable directory, a network failure) means it could not
// tell.
type Refusal struct {
	Reason error
	Msg    string
}

func (r *Refusal) Error() string { return r.Msg }
func (r *Refusal) Unwrap() error { return r.Reason }

func refuse(reason error, format string, args ...any) *Refusal {
	return &Refusal{Reason: reason, Msg: fmt.Sprintf(format, args...)}
}

// Source is a tree verify reads: a directory (Dir), a mirror over HTTP
// (NewHTTPSource), or whatever a push target reads back (FetchFunc).
type Source interface {
	// Open opens the file at a manifest path ("ru/index.html"). A file
	// that is not there is an error wrapping fs.ErrNotExist; one that is
	// not a regular file (a symlink, a directory), one wrapping
	// fs.ErrInvalid.
	Open(ctx context.Context, path string) (io.ReadCloser, error)
	// List returns the path of every file in the tree, or ErrNoListing:
	// then unlisted files cannot be looked for.
	List(ctx context.Context) ([]string, error)
}

// FetchFunc is a Source that can only fetch, not list.
type FetchFunc func(ctx context.Context, path string) (io.ReadCloser, error)

func (f FetchFunc) Open(ctx context.Context, path string) (io.ReadCloser, error) {
	return f(ctx, path)
}

func (f FetchFunc) List(context.Context) ([]string, error) { return nil, ErrNoListing }

// Options are what the verifier trusts and asks.
type Options struct {
	// Keys are the public keys the caller trusts (kolokol.pub, checked by
	// its fingerprint): a signature by the current one is accepted, by a
	// retired one refused by name, by any other refused as unknown.
	Keys Keyring
	// MinEdition refuses an older edition: the newest one the caller has
	// seen, so that a mirror cannot roll it back. 0 accepts any.
	MinEdition int64
	// Origin, when set, refuses an edition signed for another site.
	Origin string
	// MaxManifestBytes bounds what is read of a manifest (default
	// DefaultMaxManifestBytes).
	MaxManifestBytes int64
	// Workers is how many files are read at once (default 4).
	Workers int
}

// DefaultMaxManifestBytes is about two million files' entries.
const DefaultMaxManifestBytes = 256 << 20

// Kind is what verify found of one file.
type Kind int

const (
	// Missing: signed, not there.
	Missing Kind = iota + 1
	// Altered: there, but not what was signed (or not a regular file).
	Altered
	// Unlisted: there, and in no signed manifest.
	Unlisted
	// Unreadable: could not be read (a network error), so not checked.
	Unreadable
	// Updating: not the current edition's, but the next one's, which a
	// push under way has signed: an update in progress, not tampering.
	Updating
)

func (k Kind) String() string {
	switch k {
	case Missing:
		return "missing"
	case Altered:
		return "altered"
	case Unlisted:
		return "unlisted"
	case Unreadable:
		return "unreadable"
	case Updating:
		return "updating"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Finding is one file that is not simply the current edition's.
type Finding struct {
	Path   string
	Kind   Kind
	Detail string
}

// Report is what verify found. The edition is the one whose signature
// verified; Findings are sorted by path.
type Report struct {
	Edition Statement
	KeyID   KeyID
	// Next is the newer edition a push under way has signed, if any.
	Next *Statement
	// Switching: manifest.json itself is being replaced by Edition, the
	// last step of a push (its signature is already the new one's, or it
	// is and its signature not yet).
	Switching bool
	// Files is how many files of the site the edition lists (and the
	// next one adds); Parts how many parts list them.
	Files, Parts int
	// Listed tells whether the source could list its files, that is
	// whether unlisted files were looked for (not over HTTP).
	Listed   bool
	Findings []Finding
	// Notes say what verify ignored and why (a stale next- edition).
	Notes []string
}

// Count is how many findings are of a kind.
func (r *Report) Count(k Kind) int {
	n := 0
	for _, f := range r.Findings {
		if f.Kind == k {
			n++
		}
	}
	return n
}

// InProgress tells whether the mirror is mid-update (to Next, or
// switching to Edition).
func (r *Report) InProgress() bool { return r.Next != nil || r.Switching }

// signed is one manifest read from a source, and how far it checked out.
type signed struct {
	prefix      string
	raw, rawSig []byte
	sig         *Signature
	key         PublicKey // the trusted key that made sig
	st          Statement
	m           *Manifest
	err         error // nil: signature, statement and manifest all good
	absent      bool  // no manifest at all under this prefix
	// verified are the parts read and found as signed; the groups of the
	// others are not in m.Files (checkFiles reports the parts themselves).
	verified map[string]bool
}

func (s *signed) name() string { return s.prefix + ManifestFile }

// Verify checks a tree against its signed manifest: the signature of
// manifest.json and SHA256SUMS by a key in opt.Keys, the edition and origin
// the signature states, the parts the manifest lists (whose files are the
// edition's), then every file. It returns a report once the
// edition is accepted and its files were looked at, and an error when
// anything failed: a *Refusal (which wraps ErrTampered when files are
// missing, altered or unlisted) when the mirror is not the signed edition
// asked for, another error when it could not tell.
//
// A push under way is not tampering: when next-manifest.json is signed
// too, for a newer edition of the same site, a file that matches it
// rather than the current edition, a file only it lists, and a file it
// dropped that is gone, are Updating findings, and Verify succeeds. The
// parts are files like the others: the next edition's new parts may not
// be there yet (their groups' files are then the current edition's), and
// the current edition's former parts may be gone already (their files are
// then the next edition's).
func Verify(ctx context.Context, src Source, opt Options) (*Report, error) {
	if opt.MaxManifestBytes <= 0 {
		opt.MaxManifestBytes = DefaultMaxManifestBytes
	}
	if opt.Workers <= 0 {
		opt.Workers = 4
	}
	if opt.Origin != "" {
		o, err := CanonicalOrigin(opt.Origin)
		if err != nil {
			return nil, fmt.Errorf("verify: %w", err)
		}
		opt.Origin = o
	}
	cur := loadSigned(ctx, src, "", opt)
	if cur.absent {
		return nil, cur.err
	}
	var notes []string
	switching := false
	next := loadSigned(ctx, src, NextPrefix, opt)
	switch {
	case next.absent:
		next = nil
	case next.err != nil:
		notes = append(notes, fmt.Sprintf("%s ignored: %v", next.name(), next.err))
		next = nil
	}
	if cur.err != nil {
		// A push that cannot rename writes manifest.json and its signature
		// one after the other: while one is the next edition's and the
		// other not yet, the pair does not verify, but the next edition's
		// signed files say what is coming.
		if next == nil || !(bytes.Equal(cur.raw, next.raw) || bytes.Equal(cur.rawSig, next.rawSig)) {
			return nil, cur.err
		}
		notes = append(notes, fmt.Sprintf("%s is being replaced by edition %d (%v)", ManifestFile, next.st.Edition, cur.err))
		cur, next = next, nil
		switching = true
	}
	if next != nil {
		switch {
		case next.st.Origin != cur.st.Origin:
			notes = append(notes, fmt.Sprintf("%s ignored: it is for %s, not %s", next.name(), next.st.Origin, cur.st.Origin))
			next = nil
		case next.st.Edition <= cur.st.Edition:
			// What a completed push leaves until it removes next- files.
			notes = append(notes, fmt.Sprintf("%s ignored: edition %d is not newer than %d", next.name(), next.st.Edition, cur.st.Edition))
			next = nil
		}
	}
	if opt.Origin != "" && cur.st.Origin != opt.Origin {
		return nil, refuse(ErrWrongOrigin, "%s is signed for %s, not for %s", ManifestFile, cur.st.Origin, opt.Origin)
	}
	if cur.st.Edition < opt.MinEdition {
		return nil, refuse(ErrOldEdition, "%s is edition %d, older than edition %d that was asked for (--min-edition): an old copy, or a mirror rolled back", ManifestFile, cur.st.Edition, opt.MinEdition)
	}

	r := &Report{Edition: cur.st, KeyID: cur.sig.KeyID, Files: len(cur.m.Files), Notes: notes, Switching: switching}
	if next != nil {
		st := next.st
		r.Next = &st
	}
	r.Findings = append(r.Findings, checkSums(readSums(ctx, src, "", opt.MaxManifestBytes), cur, next)...)
	if next != nil {
		// Readers mid-update may check with next-SHA256SUMS: say if it is
		// wrong, though the push that wrote it will replace it.
		for _, f := range checkSums(readSums(ctx, src, NextPrefix, opt.MaxManifestBytes), next, nil) {
			r.Notes = append(r.Notes, fmt.Sprintf("%s%s: %s: %s", NextPrefix, SumsFile, f.Kind, f.Detail))
		}
	}
	verified := cur.verified
	if next != nil && len(next.verified) > 0 {
		verified = maps.Clone(cur.verified)
		if verified == nil {
			verified = map[string]bool{}
		}
		maps.Copy(verified, next.verified)
	}
	// The tree is listed while its files are read: both mostly wait for
	// the file system or the network.
	var listed []string
	var listErr error
	listDone := make(chan struct{})
	go func() {
		defer close(listDone)
		listed, listErr = src.List(ctx)
	}()
	r.Findings = append(r.Findings, checkFiles(ctx, src, cur.m, nextManifest(next), verified, opt.Workers, r)...)
	<-listDone
	switch err := listErr; {
	case err == nil:
		r.Listed = true
		r.Findings = append(r.Findings, unlisted(listed, cur.m, nextManifest(next))...)
	case !errors.Is(err, ErrNoListing):
		return r, fmt.Errorf("verify: list the files: %w", err)
	}
	slices.SortFunc(r.Findings, func(a, b Finding) int { return strings.Compare(a.Path, b.Path) })
	if ctx.Err() != nil {
		return r, fmt.Errorf("verify: %w", ctx.Err())
	}
	bad := r.Count(Missing) + r.Count(Altered) + r.Count(Unlisted)
	if bad > 0 {
		return r, &Refusal{Reason: ErrTampered, Msg: fmt.Sprintf("edition %d of %s: %d missing, %d altered, %d unlisted",
			r.Edition.Edition, r.Edition.Origin, r.Count(Missing), r.Count(Altered), r.Count(Unlisted))}
	}
	if n := r.Count(Unreadable); n > 0 {
		return r, fmt.Errorf("edition %d of %s: %d files could not be read, so were not checked", r.Edition.Edition, r.Edition.Origin, n)
	}
	return r, nil
}

func nextManifest(s *signed) *Manifest {
	if s == nil {
		return nil
	}
	return s.m
}

// readLimited reads a whole small file from the source, refusing one over
// max bytes without reading further.
func readLimited(ctx context.Context, src Source, name string, max int64) ([]byte, error) {
	rc, err := src.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(data)) > max {
		return nil, refuse(ErrTooLarge, "%s is larger than %d bytes: refused", name, max)
	}
	return data, nil
}

// loadSigned reads and checks one manifest and its sums. Its err is a
// *Refusal for anything the mirror got wrong.
func loadSigned(ctx context.Context, src Source, prefix string, opt Options) *signed {
	s := &signed{prefix: prefix}
	name := s.name()
	var err error
	s.raw, err = readLimited(ctx, src, name, opt.MaxManifestBytes)
	if errors.Is(err, fs.ErrNotExist) {
		s.absent = true
		s.err = refuse(ErrNoManifest, "no %s: not a Kolokol export, or not one yet", name)
		return s
	}
	if err != nil {
		s.err = err
		return s
	}
	s.rawSig, err = readLimited(ctx, src, name+SigSuffix, int64(maxSignatureBytes))
	if errors.Is(err, fs.ErrNotExist) {
		s.err = refuse(ErrMalformed, "%s has no signature (%s is missing)", name, name+SigSuffix)
		return s
	}
	if err != nil {
		s.err = err
		return s
	}
	if looksLikeHTML(s.raw) {
		s.err = refuse(ErrNotManifest, "%s: the mirror answered an HTML page, not the manifest (a block page, a sign-in page, or the wrong address?)", name)
		return s
	}
	st, sig, key, err := checkSignature(s.raw, s.rawSig, name, opt.Keys)
	if err != nil {
		s.err = err
		return s
	}
	s.sig, s.st, s.key = sig, st, key
	m, err := ParseManifest(s.raw)
	if err != nil {
		s.err = refuse(ErrMalformed, "%s is signed but refused: %v", name, err)
		return s
	}
	if err := st.check(m, sig.KeyID); err != nil {
		s.err = refuse(ErrMalformed, "%s is signed but refused: %v", name, err)
		return s
	}
	if !m.Legacy() {
		s.verified = map[string]bool{}
		_, err := AssembleFiles(m, func(p File) ([]byte, error) {
			data, err := readLimited(ctx, src, p.Path, p.Size)
			if err == nil {
				err = CheckPartBytes(p, data)
			}
			if err != nil {
				return nil, err
			}
			s.verified[p.Path] = true
			return data, nil
		})
		if err != nil {
			s.err = refuse(ErrMalformed, "%s is signed but refused: %v", name, err)
			return s
		}
	}
	s.m = m
	return s
}

// sums is a SHA256SUMS file and its signature as read.
type sums struct {
	list, sig []byte
	err       error
}

func readSums(ctx context.Context, src Source, prefix string, max int64) sums {
	var s sums
	if s.list, s.err = readLimited(ctx, src, prefix+SumsFile, max); s.err == nil {
		s.sig, s.err = readLimited(ctx, src, prefix+SumsFile+SigSuffix, int64(maxSignatureBytes))
	}
	return s
}

// checkSignature checks a file's minisign signature by a trusted key and
// reads its trusted comment.
func checkSignature(data, sigData []byte, name string, keys Keyring) (Statement, *Signature, PublicKey, error) {
	var none PublicKey
	sigName := name + SigSuffix
	if len(keys.Current.Key) == 0 {
		return Statement{}, nil, none, errors.New("verify: no public key given")
	}
	if looksLikeHTML(sigData) {
		return Statement{}, nil, none, refuse(ErrNotManifest, "%s: the mirror answered an HTML page, not a signature", sigName)
	}
	sig, err := ParseSignature(sigData)
	if err != nil {
		return Statement{}, nil, none, refuse(ErrMalformed, "%s: %v", sigName, err)
	}
	key, retired, ok := keys.Lookup(sig.KeyID)
	switch {
	case !ok:
		return Statement{}, nil, none, refuse(ErrUnknownKey, "%s is signed by key %s, which is not the given public key %s nor a key retired before it: a fake mirror, or the newsroom has a new key (get its kolokol.pub and check the fingerprint)",
			sigName, sig.KeyID, keys.Current.ID)
	case !retired.IsZero():
		return Statement{}, nil, none, refuse(ErrRetiredKey, "%s is signed by key %s, which was retired on %s: an old copy, or a fake signed with an old key",
			sigName, sig.KeyID, retired.UTC().Format(time.RFC3339))
	}
	if err := key.Verify(data, sig); err != nil {
		return Statement{}, nil, none, refuse(ErrBadSignature, "%s does not match its signature by key %s: %v", name, key.ID, err)
	}
	st, err := ParseStatement(sig.TrustedComment)
	if err != nil {
		return Statement{}, nil, none, refuse(ErrMalformed, "%s: %v", sigName, err)
	}
	return st, sig, key, nil
}

// checkSums checks SHA256SUMS, which readers check files with: it must be
// the current manifest's list, signed with the same statement. While a
// push is under way, the list and its signature may each be the next
// edition's already.
func checkSums(root sums, cur, next *signed) []Finding {
	if root.err != nil {
		var refusal *Refusal
		switch {
		case errors.Is(root.err, fs.ErrNotExist):
			return []Finding{{Path: SumsFile, Kind: Missing, Detail: SumsFile + " or its signature is missing"}}
		case errors.As(root.err, &refusal):
			return []Finding{{Path: SumsFile, Kind: Altered, Detail: refusal.Msg}}
		}
		return []Finding{{Path: SumsFile, Kind: Unreadable, Detail: root.err.Error()}}
	}
	// sigOf checks the signature read at the root against an edition's sums.
	sigOf := func(e *signed) error {
		st, _, _, err := checkSignature(MarshalSums(e.m), root.sig, SumsFile, Keyring{Current: e.key})
		if err == nil && st.String() != e.st.String() {
			err = fmt.Errorf("its signature says %q, %s's says %q", st, e.name(), e.st)
		}
		return err
	}
	var err error
	if !bytes.Equal(root.list, MarshalSums(cur.m)) {
		err = fmt.Errorf("%s does not list what %s lists", SumsFile, ManifestFile)
	} else {
		err = sigOf(cur)
	}
	if err == nil {
		return nil
	}
	if next != nil {
		listsOK := bytes.Equal(root.list, MarshalSums(cur.m)) || bytes.Equal(root.list, MarshalSums(next.m))
		if listsOK && (sigOf(cur) == nil || sigOf(next) == nil) {
			return []Finding{{Path: SumsFile, Kind: Updating, Detail: fmt.Sprintf("being replaced by edition %d's", next.st.Edition)}}
		}
	}
	return []Finding{{Path: SumsFile, Kind: Altered, Detail: err.Error()}}
}
