package mirror

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/kolokol/kolokol/sign"
)

// Options tunes a push.
type Options struct {
	// Journal is a local directory of this mirror's own (see journal);
	// required.
	Journal string
	// Workers is how many files are written or deleted at once (default 4).
	Workers int
	// Backoff retries each file; zero: DefaultBackoff.
	Backoff Backoff
	// Progress, when set, is told of every file written or deleted on the
	// target, from several goroutines at once.
	Progress func(Step)
}

// Step is one file written or deleted on a target.
type Step struct {
	Op   string // "put" or "delete"
	Path string
}

// Result says what a push did.
type Result struct {
	Edition  int64 // the edition the target serves now
	Previous int64 // the edition it served before; 0: none (or it was empty)
	// Completed is the edition of an interrupted push that this one
	// completed first; 0: there was none.
	Completed int64
	// Uploaded and Deleted count the site's files written and removed
	// (the signed files aside); Unchanged those left as they were.
	Uploaded, Deleted, Unchanged int
	// Verified: the target's manifest, read back at the end, is the one
	// pushed, and no next manifest is left.
	Verified bool
}

// Push brings a target to the tree's edition, atomically as a verifier
// sees it. It reads the target's manifest (none: everything is new),
// diffs it with the tree's by path and SHA-256, and then:
//
//	a. uploads the tree's manifest, sums and signatures as next-*,
//	   the manifest last;
//	b. uploads the files that are new or changed;
//	c. deletes the files the new edition no longer lists;
//	d. uploads SHA256SUMS and its signature, then manifest.json's
//	   signature and manifest.json: the new edition is current;
//	e. deletes the next-* files, next-manifest.json first.
//
// Stopped at any point, every file the current or next manifest lists is
// on the target as one of them lists it (or absent, where one of them does
// not list it). A target left with another edition's next manifest is
// first brought to that edition, from the journal, so that the invariant
// holds through this push too. Each file is retried with backoff; the
// first file that still fails ends the push with an error naming it.
func Push(ctx context.Context, t Target, tree *Tree, opt Options) (*Result, error) {
	if opt.Workers <= 0 {
		opt.Workers = 4
	}
	if opt.Backoff.Attempts == 0 {
		opt.Backoff = DefaultBackoff
	}
	j, err := openJournal(opt.Journal)
	if err != nil {
		return nil, err
	}
	unlock, err := lockJournal(ctx, j.dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	p := &push{t: t, tree: tree, opt: opt, j: j, res: &Result{Edition: tree.Manifest.Edition}}
	if err := p.run(ctx); err != nil {
		return p.res, fmt.Errorf("push edition %d to %s: %w", tree.Manifest.Edition, t, err)
	}
	return p.res, nil
}

type push struct {
	t    Target
	tree *Tree
	opt  Options
	j    *journal
	res  *Result
}

func (p *push) run(ctx context.Context) error {
	local := p.tree.Manifest
	if err := p.opt.Backoff.retry(ctx, func() error { return p.t.Clean(ctx) }); err != nil {
		return err
	}
	cur, curRaw, err := readRemoteManifest(ctx, p.t, sign.ManifestFile, p.opt.Backoff, p.tree)
	if err != nil {
		return err
	}
	next, _, err := readRemoteManifest(ctx, p.t, sign.NextPrefix+sign.ManifestFile, p.opt.Backoff, p.tree)
	if err != nil {
		return err
	}
	for _, m := range []*sign.Manifest{cur, next} {
		if m != nil && m.Origin != local.Origin {
			return Permanent(fmt.Errorf("the mirror holds the site of %s, not of %s; empty it by hand to push another site to it", m.Origin, local.Origin))
		}
	}
	if cur != nil {
		p.res.Previous = cur.Edition
	}
	if cur != nil && next != nil && next.Edition < cur.Edition {
		return Permanent(fmt.Errorf("the mirror's next manifest (edition %d) is older than its current one (edition %d); no push of Kolokol's leaves that: remove %s%s by hand after checking the mirror", next.Edition, cur.Edition, sign.NextPrefix, sign.ManifestFile))
	}
	if next != nil && !sameEdition(next, local) {
		// An interrupted push of another edition: complete it, so that the
		// next manifest can be replaced without a file matching neither.
		if err := p.complete(ctx, cur, next); err != nil {
			return fmt.Errorf("complete the interrupted push of edition %d: %w", next.Edition, err)
		}
		cur, next, curRaw = next, nil, nil
		p.res.Completed = cur.Edition
	}
	if cur != nil && cur.Edition > local.Edition {
		return Permanent(fmt.Errorf("the mirror has edition %d, newer than edition %d of %s; a mirror is never rolled back", cur.Edition, local.Edition, p.tree.Dir))
	}
	if next == nil && curRaw != nil && bytes.Equal(curRaw, p.tree.signed[sign.ManifestFile]) {
		// Served already. A push killed while it removed the next- files
		// may have left some: remove them (deleting none costs nothing).
		for _, name := range signedFiles {
			if err := p.opt.Backoff.retry(ctx, func() error { return p.t.Delete(ctx, sign.NextPrefix+name) }); err != nil {
				return err
			}
		}
		p.res.Unchanged = len(local.Files)
		p.res.Verified = true
		return p.j.clear()
	}

	uploads, deletes := diff(cur, local)
	p.res.Unchanged = len(local.Files) - siteFiles(uploads)
	for _, f := range uploads {
		if err := p.j.add(p.tree, f); err != nil {
			return err
		}
	}
	if err := p.j.sync(); err != nil {
		return err
	}
	// a. The next edition's signed files, its manifest last: once it is
	// there, the rest it needs is too.
	for _, name := range []string{sign.SumsFile, sign.SumsFile + sign.SigSuffix, sign.ManifestFile + sign.SigSuffix, sign.ManifestFile} {
		if err := p.put(ctx, sign.NextPrefix+name, p.tree.signed[name]); err != nil {
			return err
		}
	}
	// b, c.
	if err := p.apply(ctx, uploads, deletes, p.j.get); err != nil {
		return err
	}
	p.res.Deleted = countSitePaths(deletes)
	p.res.Uploaded = siteFiles(uploads)
	// d, e.
	current := func(name string) ([]byte, error) { return p.tree.signed[name], nil }
	if err := p.promote(ctx, current); err != nil {
		return err
	}
	return p.finish(ctx)
}

// apply writes a push's files and deletes: files whose old version stands
// in the way of a new one (a file that becomes a folder, a folder that
// becomes a file) go first, as the next manifest no longer lists them, so
// their absence is allowed; then the next edition's new parts (verify reads
// the site's files of the next edition from them), the files, the
// deletions, and the former parts last, once the files they list are gone
// or as the next edition has them.
func (p *push) apply(ctx context.Context, uploads []sign.File, deletes []string, source func(sign.File) ([]byte, error)) error {
	var parts, files []sign.File
	for _, f := range uploads {
		if sign.IsPart(f.Path) {
			parts = append(parts, f)
		} else {
			files = append(files, f)
		}
	}
	var oldParts, dels []string
	for _, d := range deletes {
		if sign.IsPart(d) {
			oldParts = append(oldParts, d)
		} else {
			dels = append(dels, d)
		}
	}
	blocking, later := splitBlocking(dels, files)
	if err := p.deleteAll(ctx, blocking); err != nil {
		return err
	}
	if err := p.uploadAll(ctx, parts, source); err != nil {
		return err
	}
	if err := p.uploadAll(ctx, files, source); err != nil {
		return err
	}
	if err := p.deleteAll(ctx, later); err != nil {
		return err
	}
	return p.deleteAll(ctx, oldParts)
}

// siteFiles counts the site's files among files (the parts aside).
func siteFiles(files []sign.File) int {
	n := 0
	for _, f := range files {
		if !sign.IsPart(f.Path) {
			n++
		}
	}
	return n
}

// countSitePaths counts the site's paths among paths (the parts aside).
func countSitePaths(paths []string) int {
	n := 0
	for _, p := range paths {
		if !sign.IsPart(p) {
			n++
		}
	}
	return n
}

// sameEdition reports whether two manifests are one edition: same number,
// same parts and files.
func sameEdition(a, b *sign.Manifest) bool {
	return a.Edition == b.Edition && slices.Equal(a.Parts, b.Parts) && slices.Equal(a.Files, b.Files)
}

// diff returns the files of to that from does not have as they are, and
// the paths of from that to no longer lists. When from is nil every file
// is new.
func diff(from, to *sign.Manifest) (uploads []sign.File, deletes []string) {
	old := map[string]sign.File{}
	if from != nil {
		old, _ = index(from)
	}
	listed := make(map[string]bool, len(to.Parts)+len(to.Files))
	for _, f := range allFiles(to) {
		listed[f.Path] = true
		if o, ok := old[f.Path]; !ok || o.SHA256 != f.SHA256 || o.Size != f.Size {
			uploads = append(uploads, f)
		}
	}
	if from != nil {
		for _, f := range allFiles(from) {
			if !listed[f.Path] {
				deletes = append(deletes, f.Path)
			}
		}
	}
	return uploads, deletes
}

// splitBlocking separates the deletes that an upload needs done first: a
// path that is a folder of an upload, or inside one.
func splitBlocking(deletes []string, uploads []sign.File) (blocking, later []string) {
	folders := map[string]bool{}
	files := map[string]bool{}
	for _, f := range uploads {
		files[f.Path] = true
		for i := range len(f.Path) {
			if f.Path[i] == '/' {
				folders[f.Path[:i]] = true
			}
		}
	}
	for _, d := range deletes {
		block := folders[d]
		for i := range len(d) {
			if d[i] == '/' && files[d[:i]] {
				block = true
			}
		}
		if block {
			blocking = append(blocking, d)
		} else {
			later = append(later, d)
		}
	}
	return blocking, later
}

// complete brings a target whose push of edition next was interrupted to
// that edition. Its files may be as cur or as next lists them, so every
// file next changed is written again, from the journal, the tree (the
// same content under any path) or, where the target already has it, left.
func (p *push) complete(ctx context.Context, cur, next *sign.Manifest) error {
	uploads, deletes := diff(cur, next)
	source := func(f sign.File) ([]byte, error) {
		if b, err := p.j.get(f); err != nil || b != nil {
			return b, err
		}
		if at, ok := p.tree.byHash[f.SHA256]; ok {
			// The same content at some path of the tree, checked on reading.
			if b, err := p.tree.read(p.tree.byPath[at]); err == nil {
				return b, nil
			}
		}
		// Neither has it: only a target that has it already can go on.
		b, err := p.t.Get(ctx, f.Path, f.Size)
		if err == nil && int64(len(b)) == f.Size && hashOf(b) == f.SHA256 {
			return nil, nil
		}
		return nil, Permanent(fmt.Errorf("%s of edition %d is neither in the journal nor in this tree, and the mirror does not have it yet: push edition %d's tree to complete it", f.Path, next.Edition, next.Edition))
	}
	if err := p.apply(ctx, uploads, deletes, source); err != nil {
		return err
	}
	// Its signed files are on the target under their next- names.
	pending := func(name string) ([]byte, error) {
		limit := int64(MaxManifestBytes)
		if strings.HasSuffix(name, sign.SigSuffix) {
			limit = maxSigBytes
		}
		var b []byte
		err := p.opt.Backoff.retry(ctx, func() (err error) {
			b, err = p.t.Get(ctx, sign.NextPrefix+name, limit)
			if errors.Is(err, fs.ErrNotExist) {
				return Permanent(err)
			}
			return err
		})
		return b, err
	}
	if err := p.promote(ctx, pending); err != nil {
		return err
	}
	return p.finish(ctx)
}

// promote writes the new edition's signed files as the current ones:
// the sums and their signature, then the manifest's signature and the
// manifest. For a moment one of each pair is new and the other old; the
// next- files, which are the new pair, are still there meanwhile.
func (p *push) promote(ctx context.Context, signed func(name string) ([]byte, error)) error {
	for _, name := range []string{sign.SumsFile, sign.SumsFile + sign.SigSuffix, sign.ManifestFile + sign.SigSuffix, sign.ManifestFile} {
		b, err := signed(name)
		if err != nil {
			return fmt.Errorf("read %s of the next edition: %w", name, err)
		}
		if err := p.put(ctx, name, b); err != nil {
			return err
		}
	}
	return nil
}

// finish removes the next- files, the manifest first (which ends "update
// in progress"), and the staging folder, and reads the manifest back.
func (p *push) finish(ctx context.Context) error {
	for _, name := range []string{sign.ManifestFile, sign.ManifestFile + sign.SigSuffix, sign.SumsFile, sign.SumsFile + sign.SigSuffix} {
		if err := p.delete(ctx, sign.NextPrefix+name); err != nil {
			return err
		}
	}
	if err := p.opt.Backoff.retry(ctx, func() error { return p.t.Clean(ctx) }); err != nil {
		return err
	}
	got, err := p.t.Get(ctx, sign.ManifestFile, MaxManifestBytes)
	if err != nil {
		return fmt.Errorf("read the manifest back: %w", err)
	}
	_, err = p.t.Get(ctx, sign.NextPrefix+sign.ManifestFile, 1)
	p.res.Verified = errors.Is(err, fs.ErrNotExist) && bytes.Equal(got, p.tree.signed[sign.ManifestFile])
	return p.j.clear()
}

func (p *push) put(ctx context.Context, name string, b []byte) error {
	if err := p.opt.Backoff.retry(ctx, func() error { return p.t.Put(ctx, name, b) }); err != nil {
		return err
	}
	if p.opt.Progress != nil {
		p.opt.Progress(Step{Op: "put", Path: name})
	}
	return nil
}

func (p *push) delete(ctx context.Context, name string) error {
	if err := p.opt.Backoff.retry(ctx, func() error { return p.t.Delete(ctx, name) }); err != nil {
		return err
	}
	if p.opt.Progress != nil {
		p.opt.Progress(Step{Op: "delete", Path: name})
	}
	return nil
}

// uploadAll writes files, Workers at once; source gives each one's bytes
// (nil: the target has it already). The first failure stops the rest.
func (p *push) uploadAll(ctx context.Context, files []sign.File, source func(sign.File) ([]byte, error)) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(p.opt.Workers)
	for _, f := range files {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			b, err := source(f)
			if err != nil || b == nil {
				return err
			}
			return p.put(gctx, f.Path, b)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// deleteAll removes files, Workers at once.
func (p *push) deleteAll(ctx context.Context, paths []string) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(p.opt.Workers)
	for _, name := range paths {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error { return p.delete(gctx, name) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}
