// Package export writes the reader site as static files any host can
// serve: every page of the page plan, the stylesheet and icons, and the
// pictures the pages show, with relative links, so that the tree works
// unchanged at any base path, from a bucket, a rented server or a USB
// stick. Each edition is signed (package sign).
//
// An export is incremental: it keeps an index of its files with what each
// depends on (render.Deps) and its place in the change log, and a new run
// renders only the pages the changes since then touch. The tree is
// updated so that it verifies at every moment: the new edition's signed
// manifest goes first (under its next- name), then the changed files, each
// renamed into place, then the manifest itself.
package export

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/render"
	"github.com/kolokol/kolokol/sign"
)

// Store is what an export reads: the pages' data and the change log.
type Store interface {
	kolokol.Pages
	FindChanges(ctx context.Context, after int64, limit int) ([]*kolokol.Change, error)
	ChangeBounds(ctx context.Context) (first, last int64, err error)
}

// Signer signs an edition's manifest (sign.Signer).
type Signer interface {
	Sign(m sign.Manifest) (*sign.Edition, error)
}

// Options configure an Exporter.
type Options struct {
	// Out is the output directory; StateDir where the export keeps its
	// index between runs (see StateDir).
	Out, StateDir string
	// Services are the codes of the services exported; none exports all.
	// The portal, language lists and translation switchers of a partial
	// export name only the services it holds.
	Services []string
	// Render are the options of the pages, as the live site's: BaseURL
	// is also the origin the manifest is signed for.
	Render render.Options
	Signer Signer
	// Full re-renders every page and checks every file on disk, rather
	// than trusting the index: after the tree was touched by hand.
	Full bool
	// Workers render in parallel; 0 means one per core.
	Workers int
	// CatchUp bounds the story pages a run renders only because a list
	// of newest stories they show moved ("more from the section" after a
	// publish: every story page of the section); the rest are marked
	// behind and taken, newest story first, by the next runs. 0 means
	// DefaultCatchUp; a negative number, no bound.
	CatchUp int
	Log     *slog.Logger
}

// DefaultCatchUp is how many story pages that are behind a run renders
// when Options.CatchUp is not set: at 100,000 stories a publish makes
// some 4,000 of them behind (its section's, full and lite), which take
// four to five seconds to render and write. The publish's run renders
// none of them, and each run after it (the publisher comes back a second
// later) the newest 256, about a third of a second.
const DefaultCatchUp = 256

// Result says what a run did.
type Result struct {
	Edition int64 // the tree's edition after the run
	Signed  bool  // the run signed a new edition (something changed)
	Full    bool  // every page was rendered
	Why     string
	Cursor  int64 // the change log position the tree reflects
	Pages   int   // pages rendered
	Written int   // files written (new or changed)
	Removed int
	Files   int // files in the edition
	// NextExpiry is when a page shown must be rendered again (a breaking
	// news banner ends, or pages are behind: then the run's own time);
	// zero if none.
	NextExpiry time.Time
	// Behind is how many story pages still show an older list of newest
	// stories (see Options.CatchUp), for the next runs to render.
	Behind int
	Took   time.Duration
}

// Exporter brings an output directory up to date with the store. Runs are
// serialised, within the process and across processes.
type Exporter struct {
	st    Store
	blobs kolokol.BlobStore
	opts  Options
	log   *slog.Logger

	mu    sync.Mutex
	state *state // kept between runs; nil until the first

	// step, when set, is called after each step that changes the disk
	// ("stage", "next", "move", "remove", "manifest"): tests kill the
	// process there.
	step func(kind string)
}

// New returns an exporter. It touches nothing until Run.
func New(st Store, blobs kolokol.BlobStore, opts Options) (*Exporter, error) {
	if opts.Out == "" || opts.StateDir == "" {
		return nil, errors.New("export: the output and state directories are required")
	}
	if opts.Signer == nil {
		return nil, errors.New("export: a signer is required: every edition is signed")
	}
	if opts.Render.BaseURL == "" {
		return nil, errors.New("export: the site's public origin (base URL) is required: the manifest is signed for it")
	}
	opts.Render.Static = true
	for _, c := range opts.Services {
		if !kolokol.ValidServiceCode(c) {
			return nil, fmt.Errorf("export: %q is not a service code", c)
		}
	}
	out, err := filepath.Abs(opts.Out)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	opts.Out = filepath.Clean(out)
	slices.Sort(opts.Services)
	opts.Services = slices.Compact(opts.Services)
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.CatchUp == 0 {
		opts.CatchUp = DefaultCatchUp
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Exporter{st: st, blobs: blobs, opts: opts, log: opts.Log}, nil
}

// Run brings the tree up to date: a full pass the first time, after a new
// build or options, after a run that did not finish, or when the change
// log no longer holds the changes since the last run; otherwise only the
// pages the changes since the last run touched. It signs a new edition
// when any file changed.
func (e *Exporter) Run(ctx context.Context) (*Result, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	start := time.Now()
	unlock, err := lock(e.opts.StateDir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	res, err := e.run(ctx)
	if err != nil {
		e.state = nil // read it again: the run may have left it anywhere
		return nil, fmt.Errorf("export to %s: %w", e.opts.Out, err)
	}
	res.Took = time.Since(start)
	return res, nil
}

func (e *Exporter) run(ctx context.Context) (*Result, error) {
	start := time.Now()
	r := e.opts.Render
	fp, err := fingerprint(append([]string{r.BaseURL, r.SiteName, r.Onion, r.KeyID, r.KeyFingerprint, r.FeedBase, "services"}, e.opts.Services...)...)
	if err != nil {
		return nil, err
	}
	if e.state == nil {
		if e.state, err = loadState(e.opts.StateDir, e.opts.Out); err != nil {
			return nil, err
		}
	}
	t, err := openTree(e.opts.Out)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	st := e.state
	if st == nil {
		// A directory the export has no state for: empty, or an export
		// whose state was lost (whose files it checks), never someone's
		// files it would overwrite.
		empty, err := t.empty()
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(filepath.Join(t.dir, sign.ManifestFile)); !empty && err != nil {
			return nil, fmt.Errorf("%s is not empty and holds no export (no %s): refusing to write into it", e.opts.Out, sign.ManifestFile)
		}
		st = &state{Version: stateVersion, Out: e.opts.Out, Files: map[string]*fileState{}}
		if !empty {
			st.Edition = existingEdition(t.dir)
		}
		st.Clean, st.fresh = empty, empty
	}

	e.log.Debug("export: read the state", "took", time.Since(start))
	first, last, err := e.st.ChangeBounds(ctx)
	if err != nil {
		return nil, err
	}
	p := &pass{e: e, t: t, old: st, now: e.opts.Render.Now, mark: start}
	if p.now == nil {
		p.now = time.Now
	}
	var why string
	switch {
	case len(st.Files) == 0:
		why = "first export"
	case e.opts.Full:
		why = "asked for"
	case !st.Clean:
		why = "the last run did not finish"
	case st.Fingerprint != fp:
		why = "a new build or new options"
	case st.Cursor < first-1 || st.Cursor > last:
		why = "the change log no longer holds the changes since the last run"
	}
	if why != "" {
		err = p.full(ctx, last, fp, st.Clean && !e.opts.Full && len(st.Files) > 0)
	} else {
		err = p.incremental(ctx, fp)
	}
	if err != nil {
		return nil, err
	}
	e.state = p.next
	p.res.Full, p.res.Why = why != "", why
	return &p.res, nil
}

// existingEdition reads the edition of the manifest a directory holds
// (and of a next- one a killed run left), 0 if none: a new state starts
// above it, so editions keep growing even when the state was lost.
func existingEdition(dir string) int64 {
	var ed int64
	for _, name := range []string{sign.ManifestFile, sign.NextPrefix + sign.ManifestFile} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		if m, err := sign.ParseManifest(data); err == nil {
			ed = max(ed, m.Edition)
		}
	}
	return ed
}

// pass is one run over the tree.
type pass struct {
	e   *Exporter
	t   *tree
	old *state
	now func() time.Time
	// next is the state being made: old's files with this pass's
	// renderings applied.
	next  *state
	b     *render.Builder
	v     *view
	stage string // where changed files wait for the next manifest; "" writes in place
	res   Result

	mu     sync.Mutex
	staged []string // files staged, moved into the tree after the next manifest
	// held are changed files kept in memory instead of staged (an
	// incremental pass's, up to maxHeldBytes), written after the next
	// manifest too.
	held      map[string][]byte
	heldBytes int
	written   map[string]bool
	removed   map[string]bool
	seen      map[string]bool // files this pass produced (full passes)
	marked    map[string]bool // files this pass marked behind, not rendered

	mark       time.Time // see phase
	everything bool      // a full pass
}

// phase logs, at debug level, how long the pass took since the last
// phase: where a run's time goes.
func (p *pass) phase(name string) {
	now := time.Now()
	if !p.mark.IsZero() {
		p.e.log.Debug("export: "+name, "took", now.Sub(p.mark))
	}
	p.mark = now
}

func (p *pass) begin(ctx context.Context, fp string) error {
	p.v = newView(p.e.st, p.e.opts.Services)
	b, err := render.New(p.v, p.e.opts.Render)
	if err != nil {
		return err
	}
	p.b = b
	p.next = &state{Version: stateVersion, Out: p.old.Out, Fingerprint: fp, Cursor: p.old.Cursor,
		Edition: p.old.Edition, Generation: p.old.Generation, Files: maps.Clone(p.old.Files), table: p.old.table}
	p.written, p.removed, p.seen, p.marked = map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	if len(p.old.Files) > 0 || p.old.Edition > 0 {
		// Readers may trust the tree: stage changes until the next
		// manifest is in place.
		p.stage = filepath.Join(p.e.opts.StateDir, "stage")
		if err := os.RemoveAll(p.stage); err != nil {
			return fmt.Errorf("clear the staging directory: %w", err)
		}
		if err := os.MkdirAll(p.stage, 0o700); err != nil {
			return fmt.Errorf("make the staging directory: %w", err)
		}
	} else if err := reserve(p.e.opts.StateDir, 0); err != nil {
		// A first export has nothing to protect; the journal says the
		// tree is ours before anything is written into it, and that it
		// is not finished.
		return err
	}
	return nil
}

// full renders every page of the plan; with trust, files whose rendering
// is unchanged from the index are left alone, otherwise each is checked
// on disk.
func (p *pass) full(ctx context.Context, last int64, fp string, trust bool) error {
	if err := p.begin(ctx, fp); err != nil {
		return err
	}
	p.next.Cursor = last // taken before anything is read
	p.everything = true
	if err := p.renderPlan(ctx, !trust); err != nil {
		return err
	}
	p.phase("rendered every page")
	// Whatever the plan no longer has goes, and, unless the index is
	// trusted, whatever is on disk that no edition listed.
	gone := map[string]bool{}
	for rel := range p.next.Files {
		if !p.seen[rel] {
			gone[rel] = true
		}
	}
	// A directory found empty at the start of this pass (which holds the
	// export's lock) has nothing but what it wrote: no walk through it.
	if !trust && !p.old.fresh {
		files, err := p.t.list()
		if err != nil {
			return err
		}
		for _, rel := range files {
			if !p.seen[rel] {
				gone[rel] = true
			}
		}
	}
	for rel := range gone {
		p.drop(rel)
	}
	return p.finish(ctx)
}

// incremental renders what the changes since the cursor touched.
func (p *pass) incremental(ctx context.Context, fp string) error {
	var changes []*kolokol.Change
	for after := p.old.Cursor; ; {
		cs, err := p.e.st.FindChanges(ctx, after, kolokol.MaxChangeBatch)
		if err != nil {
			return err
		}
		changes = append(changes, cs...)
		if len(cs) < kolokol.MaxChangeBatch {
			break
		}
		after = cs[len(cs)-1].Seq
	}
	now := p.now()
	due := false
	for _, f := range p.old.Files {
		if len(changes) > 0 {
			break // the pages due are found with those the changes touch
		}
		if f.Behind || !f.Expires.IsZero() && !f.Expires.After(now) {
			due = true
			break
		}
	}
	if len(changes) == 0 && !due {
		p.next = p.old
		p.res = Result{Edition: p.old.Edition, Cursor: p.old.Cursor, Files: len(p.old.Files)}
		p.res.NextExpiry, p.res.Behind = p.old.due(now)
		return nil
	}
	if err := p.begin(ctx, fp); err != nil {
		return err
	}
	if len(changes) > 0 {
		p.next.Cursor = changes[len(changes)-1].Seq
	}

	tags := map[string]bool{}
	articles := map[int64]bool{}
	services := map[string]bool{} // whose every page may be new
	lists := map[string]bool{}    // whose lists may have new pages
	for _, c := range changes {
		for _, t := range render.Deps(*c) {
			tags[t] = true
		}
		switch c.Kind {
		case kolokol.ChangeArticle:
			articles[c.ArticleID] = true
			if c.Listed {
				lists[c.Service] = true
			}
		case kolokol.ChangeService:
			services[c.Service] = true
		}
	}
	// A story page that a change touches only through a list of newest
	// stories it shows is behind, not due (see catchUp), unless a story
	// left that list or moved (unpublished, or a new headline and so a
	// new address): then every page showing it must lose it now.
	// Kinds of tags: a file's highest decides.
	const (
		ofLatest = 1 + iota // a list of newest stories it shows
		ofOther             // anything else: rendered now
	)
	kinds := make(map[string]byte, len(tags))
	for t := range tags {
		kinds[t] = ofOther
		if render.IsLatestTag(t) {
			kinds[t] = ofLatest
		}
	}
	paths := map[string]bool{}
	var candidates []string
	hadPages := map[int64][]string{} // the changed stories' files before
	hit := p.old.table.hits(kinds)
	for rel, f := range p.old.Files {
		var kind byte
		if len(kinds) > 0 {
			kind = f.depKind(kinds, p.old.table, hit)
		}
		switch {
		case kind == ofOther || !f.Expires.IsZero() && !f.Expires.After(now):
			paths[rel] = true
			if id, ok := render.ArticleOf("/" + strings.TrimSuffix(rel, "index.html")); ok && articles[id] {
				hadPages[id] = append(hadPages[id], rel)
			}
		case kind == ofLatest || f.Behind:
			candidates = append(candidates, rel)
		}
	}
	urgent := map[string]byte{}
	for _, c := range changes {
		if c.Kind != kolokol.ChangeArticle || len(c.Latest) == 0 {
			continue
		}
		gone, err := p.leftOrMoved(ctx, c.ArticleID, hadPages[c.ArticleID])
		if err != nil {
			return err
		}
		if gone {
			for _, t := range render.Deps(*c) {
				if render.IsLatestTag(t) {
					urgent[t] = ofOther
				}
			}
		}
	}
	var behind []string
	for _, rel := range candidates {
		f := p.old.Files[rel]
		if id, ok := storyOf(rel); ok && !articles[id] && (len(urgent) == 0 || f.depKind(urgent, nil, nil) == 0) {
			behind = append(behind, rel)
		} else {
			paths[rel] = true
		}
	}
	p.catchUp(behind, paths)
	var entries []render.Entry
	add := func(en render.Entry) {
		rel, err := fileOf(en.Path)
		if err == nil && paths[rel] {
			delete(paths, rel) // listed once, with its kind
		}
		entries = append(entries, en)
	}
	for id := range articles {
		for en, err := range p.b.PlanArticle(ctx, id) {
			if err != nil {
				return err
			}
			add(en)
		}
	}
	listKinds := func(k render.Kind) bool {
		switch k {
		case render.KindHome, render.KindArchive, render.KindSection, render.KindLiteHome, render.KindSitemap:
			return true
		}
		return false
	}
	for code := range lists {
		if services[code] {
			continue
		}
		for en, err := range p.b.PlanService(ctx, code, listKinds) {
			if err != nil {
				return err
			}
			add(en)
		}
	}
	for code := range services {
		for en, err := range p.b.PlanService(ctx, code, func(k render.Kind) bool { return k != render.KindMedia }) {
			if err != nil {
				return err
			}
			add(en)
		}
	}
	for rel := range paths {
		entries = append(entries, entryOf(rel))
	}
	slices.SortFunc(entries, func(a, b render.Entry) int { return strings.Compare(a.Path, b.Path) })
	entries = slices.CompactFunc(entries, func(a, b render.Entry) bool { return a.Path == b.Path })
	p.phase("found the pages the changes touch")
	for batch := range slices.Chunk(entries, batchSize) {
		if err := p.render(ctx, batch, false); err != nil {
			return err
		}
	}
	p.phase("rendered them")
	return p.finish(ctx)
}

// leftOrMoved reports whether the story id, which had the files had
// before the changes, is no longer live or now lives at another address.
func (p *pass) leftOrMoved(ctx context.Context, id int64, had []string) (bool, error) {
	a, err := p.v.FindArticleByID(ctx, id)
	if kolokol.IsNotFound(err) {
		return true, nil
	} else if err != nil {
		return false, err
	}
	if !a.IsLive() {
		return true, nil
	}
	if len(had) == 0 {
		return false, nil // new: the lists before did not show it
	}
	path, err := url.PathUnescape(a.Path()) // the file's name is the slug itself
	if err != nil {
		return false, fmt.Errorf("story %d: %w", id, err)
	}
	rel, err := fileOf(path)
	if err != nil {
		return false, err
	}
	return !slices.Contains(had, rel), nil
}

// storyOf is the story whose page (full or lite) the file rel is.
func storyOf(rel string) (int64, bool) {
	if !strings.HasSuffix(rel, "/index.html") {
		return 0, false
	}
	return render.ArticleOf("/" + strings.TrimSuffix(rel, "index.html"))
}

// catchUp takes pages of behind into paths, to be rendered, and marks
// the others behind in the next state: all of them when they are no more
// than opts.CatchUp; otherwise the opts.CatchUp newest of those an earlier
// run left behind, so that the run of a publish renders none (its edition
// is out the sooner), and under a stream of publishes, every run still
// takes its share. Newest first, by id: readers are on the newest
// stories, and a story's pages (full and lite) go together.
func (p *pass) catchUp(behind []string, paths map[string]bool) {
	n := p.e.opts.CatchUp
	if n < 0 || len(behind) <= n {
		for _, rel := range behind {
			paths[rel] = true
		}
		return
	}
	slices.SortFunc(behind, func(a, b string) int {
		x, _ := storyOf(a)
		y, _ := storyOf(b)
		if c := cmp.Compare(y, x); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	for _, rel := range behind {
		f := p.old.Files[rel]
		if f.Behind && n > 0 {
			paths[rel] = true
			n--
		} else if !f.Behind {
			g := *f
			g.Behind, g.raw, g.tab = true, "", nil
			p.next.Files[rel] = &g
			p.marked[rel] = true
		}
	}
}

// entryOf is the plan entry of a file of the tree, as far as rendering it
// again needs: its site path and whether it is a 404 page, an asset or a
// picture.
func entryOf(rel string) render.Entry {
	switch {
	case rel == "404.html":
		return render.Entry{Path: "/404.html", Kind: render.KindNotFound}
	case strings.HasSuffix(rel, "/404.html") && strings.Count(rel, "/") == 1:
		return render.Entry{Path: "/" + rel, Kind: render.KindNotFound, Service: strings.TrimSuffix(rel, "/404.html")}
	case strings.HasPrefix(rel, "media/"):
		return render.Entry{Path: "/" + rel, Kind: render.KindMedia}
	case "/"+rel == render.MirrorsJSONPath:
		return render.Entry{Path: render.MirrorsJSONPath, Kind: render.KindMirrorsJSON}
	case rel == "index.html" || strings.HasSuffix(rel, "/index.html"):
		return render.Entry{Path: "/" + strings.TrimSuffix(rel, "index.html")}
	}
	if k, ok := render.FileKind("/" + rel); ok { // a feed, sitemap or ninjs: rendered as pages are
		return render.Entry{Path: "/" + rel, Kind: k}
	}
	return render.Entry{Path: "/" + rel, Kind: render.KindAsset}
}

// renderPlan renders every page of the plan. One goroutine lists the plan
// and fetches each batch's stories while the workers render the batch
// before: the store's reads, which are a good part of a pass, overlap the
// rendering instead of leaving the workers idle. The plan is taken a
// service at a time (with its script variant), its entries ordered by
// storiesTogether.
func (p *pass) renderPlan(ctx context.Context, check bool) error {
	type job struct {
		batch []render.Entry
		arts  map[int64]*kolokol.Article
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan job, 1)
	var listErr error
	go func() {
		defer close(jobs)
		send := func(entries []render.Entry) bool {
			for batch := range slices.Chunk(storiesTogether(entries), batchSize) {
				arts, err := p.v.fetch(ctx, batchArticles(batch))
				if err != nil {
					listErr = err
					return false
				}
				select {
				case jobs <- job{batch, arts}:
				case <-ctx.Done():
					return false
				}
			}
			return true
		}
		var entries []render.Entry
		group := ""
		for en, err := range p.b.Plan(ctx) {
			if err != nil {
				listErr = err
				return
			}
			g, _, _ := strings.Cut(en.Service, "-")
			if g != group && len(entries) > 0 {
				if !send(entries) {
					return
				}
				entries = nil
			}
			group = g
			entries = append(entries, en)
		}
		send(entries)
	}()
	var err error
	for j := range jobs {
		if err != nil {
			continue // let the lister see the cancellation and stop
		}
		p.v.use(j.arts)
		if err = p.renderBatch(ctx, j.batch, check); err != nil {
			cancel()
		}
	}
	if err != nil {
		return err
	}
	if listErr != nil {
		return listErr
	}
	return ctx.Err()
}

// storiesTogether orders the plan's entries so that the pages of one
// story (its page, its text-only page, and the same in a script variant)
// are rendered in one batch: its story is fetched once, and its body
// converted once for all of them. The plan lists them far apart (every
// story page of a service, then every text-only one). The stories' pages
// come first, newest story first, then the other pages in the plan's
// order.
func storiesTogether(entries []render.Entry) []render.Entry {
	type keyed struct {
		id int64
		en render.Entry
	}
	ks := make([]keyed, len(entries))
	for i, en := range entries {
		ks[i].en = en
		if en.Kind == render.KindArticle || en.Kind == render.KindLiteArticle {
			ks[i].id, _ = render.ArticleOf(en.Path)
		}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		if a.id != b.id {
			if a.id < b.id {
				return 1
			}
			return -1
		}
		return 0
	})
	for i := range ks {
		entries[i] = ks[i].en
	}
	return entries
}

// maxHeldBytes bounds the changed files a pass keeps in memory rather
// than in the staging directory.
const maxHeldBytes = 64 << 20

// batchSize is how many entries are rendered together: their stories are
// fetched in one query.
const batchSize = 500

// render renders a batch of entries in parallel and applies each.
func (p *pass) render(ctx context.Context, batch []render.Entry, check bool) error {
	if len(batch) == 0 {
		return nil
	}
	arts, err := p.v.fetch(ctx, batchArticles(batch))
	if err != nil {
		return err
	}
	p.v.use(arts)
	return p.renderBatch(ctx, batch, check)
}

// batchArticles are the ids of the stories whose pages are in batch.
func batchArticles(batch []render.Entry) []int64 {
	var ids []int64
	for _, en := range batch {
		if id, ok := render.ArticleOf(en.Path); ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// renderBatch renders a batch whose stories the view holds.
func (p *pass) renderBatch(ctx context.Context, batch []render.Entry, check bool) error {
	if len(batch) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg      sync.WaitGroup
		errOnce sync.Once
		failed  error
		// next is the index of the next entry to take: each worker takes
		// its own with one atomic add, rather than a hand-off through a
		// channel that wakes a goroutine (and often a thread) per page.
		next atomic.Int64
	)
	for range min(p.e.opts.Workers, len(batch)) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(len(batch)) {
					return
				}
				if err := p.one(ctx, batch[i], check); err != nil {
					errOnce.Do(func() { failed = err; cancel() })
				}
			}
		})
	}
	wg.Wait()
	if failed != nil {
		return failed
	}
	return ctx.Err()
}

// one renders an entry and writes it if it changed, or drops the file if
// the path is no page any more.
func (p *pass) one(ctx context.Context, en render.Entry, check bool) error {
	rel, err := fileOf(en.Path)
	if err != nil {
		return err
	}
	if en.Kind == render.KindMedia {
		return p.picture(ctx, rel, check)
	}
	var pg *render.Page
	switch en.Kind {
	case render.KindAsset:
		var ok bool
		if pg, ok = p.b.Static(en.Path); !ok {
			p.drop(rel) // an asset of an older build
			return nil
		}
	case render.KindNotFound:
		ns, err := p.notices(ctx, en.Service)
		if err != nil {
			return err
		}
		if pg, err = p.b.NotFoundFile(ctx, en.Service, ns...); err != nil {
			return err
		}
		if pg.Path != en.Path {
			p.drop(rel) // a service no longer exported, or gone
			return nil
		}
	case render.KindMirrorsJSON:
		if pg, err = p.b.Build(ctx, en.Path); err != nil {
			return err
		}
	default:
		code, _, _ := strings.Cut(strings.TrimPrefix(en.Path, "/"), "/")
		ns, err := p.notices(ctx, code)
		if err != nil {
			return err
		}
		if pg, err = p.b.Build(ctx, en.Path, ns...); err != nil {
			return err
		}
		if pg.Status != http.StatusOK || pg.Path != en.Path {
			p.drop(rel)
			return nil
		}
	}
	f := &fileState{SHA: sha256.Sum256(pg.Body), Size: int64(len(pg.Body)), Deps: pg.Deps, Expires: pg.ExpiresAt}
	for _, m := range pg.Files {
		mrel, err := fileOf(m)
		if err != nil {
			return err
		}
		f.Media = append(f.Media, mrel)
	}
	if err := p.put(rel, f, pg.Body, check); err != nil {
		return err
	}
	for _, m := range f.Media {
		if err := p.picture(ctx, m, check); err != nil {
			return err
		}
	}
	return nil
}

// notices are the notices a page of the service with code carries on a
// mirror: those marked for static mirrors, which a mirror shows every
// reader, since it cannot tell where a reader is. A script variant's
// pages carry its service's.
func (p *pass) notices(ctx context.Context, code string) ([]*kolokol.Notice, error) {
	if code == "" {
		return nil, nil
	}
	if _, err := p.v.FindServiceByCode(ctx, code); kolokol.IsNotFound(err) {
		if i := strings.LastIndexByte(code, '-'); i > 0 {
			code = code[:i]
		}
	} else if err != nil {
		return nil, err
	}
	all, err := p.v.FindNotices(ctx, code)
	if err != nil {
		return nil, err
	}
	return kolokol.MirrorNotices(all), nil
}

// put records a rendered file and writes it when its bytes are new.
func (p *pass) put(rel string, f *fileState, body []byte, check bool) error {
	p.mu.Lock()
	p.seen[rel] = true
	p.res.Pages++
	old := p.old.Files[rel]
	p.next.Files[rel] = f
	p.mu.Unlock()
	same := old != nil && old.SHA == f.SHA && old.Size == f.Size
	if same && check {
		sum, _, ok, err := p.t.hash(rel)
		if err != nil {
			return err
		}
		same = ok && sum == f.SHA
	}
	if same {
		return nil
	}
	return p.write(rel, body)
}

// picture copies a picture file from the blob store, once: its name is its
// content, so a file the tree has is the right one.
func (p *pass) picture(ctx context.Context, rel string, check bool) error {
	p.mu.Lock()
	done := p.seen[rel]
	p.seen[rel] = true
	old := p.old.Files[rel]
	p.mu.Unlock()
	if done || (old != nil && !check) {
		if old != nil {
			p.mu.Lock()
			p.next.Files[rel] = old
			p.mu.Unlock()
		}
		return nil
	}
	r, err := p.e.blobs.Open(ctx, strings.TrimPrefix(rel, "media/"))
	if kolokol.IsNotFound(err) {
		p.e.log.Warn("export: a picture a page shows is missing from the media store", "file", rel)
		p.mu.Lock()
		delete(p.seen, rel)
		p.mu.Unlock()
		return nil
	} else if err != nil {
		return fmt.Errorf("read picture %s: %w", rel, err)
	}
	data, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		return fmt.Errorf("read picture %s: %w", rel, err)
	}
	f := &fileState{SHA: sha256.Sum256(data), Size: int64(len(data))}
	p.mu.Lock()
	p.next.Files[rel] = f
	p.mu.Unlock()
	if old != nil && old.SHA == f.SHA {
		sum, _, ok, err := p.t.hash(rel)
		if err != nil || (ok && sum == f.SHA) {
			return err
		}
	}
	return p.write(rel, data)
}

// write puts a changed file in the staging directory, or straight into
// the tree on a first export.
func (p *pass) write(rel string, data []byte) error {
	p.mu.Lock()
	p.written[rel] = true
	p.mu.Unlock()
	if p.stage == "" {
		return p.t.write(rel, data, false)
	}
	p.mu.Lock()
	if !p.everything && p.heldBytes+len(data) <= maxHeldBytes {
		// A few hundred pages after a publish: kept in memory until the
		// next manifest is in place, then written into the tree, rather
		// than written twice.
		if p.held == nil {
			p.held = map[string][]byte{}
		}
		p.held[rel] = data
		p.heldBytes += len(data)
		p.mu.Unlock()
		p.step("stage")
		return nil
	}
	p.mu.Unlock()
	staged := filepath.Join(p.stage, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(staged), 0o700); err != nil {
		return fmt.Errorf("stage %s: %w", rel, err)
	}
	if err := os.WriteFile(staged, data, 0o644); err != nil {
		return fmt.Errorf("stage %s: %w", rel, err)
	}
	p.mu.Lock()
	p.staged = append(p.staged, rel)
	p.mu.Unlock()
	p.step("stage")
	return nil
}

func (p *pass) step(kind string) {
	if p.e.step != nil {
		p.e.step(kind)
	}
}

// drop removes a file from the edition.
func (p *pass) drop(rel string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.next.Files[rel]; ok || p.old.Files[rel] != nil {
		p.removed[rel] = true
	}
	delete(p.next.Files, rel)
}

// finish drops the pictures no page shows any more, then, if anything
// changed, signs the next edition and updates the tree in the order that
// keeps it verifiable: the next manifest, the changed files, the removals,
// the manifest; then saves the state.
func (p *pass) finish(ctx context.Context) error {
	// A picture can only have lost its last page among the pages this
	// pass rendered or removed: look at every page only if one of those
	// stopped showing one (at 100,000 stories, every page is half a
	// million pictures shown).
	lost := false
	for _, touched := range []map[string]bool{p.seen, p.removed} {
		for rel := range touched {
			if old := p.old.Files[rel]; old != nil && len(old.Media) > 0 {
				if now := p.next.Files[rel]; now == nil || !slices.Equal(now.Media, old.Media) {
					lost = true
				}
			}
		}
	}
	if lost || p.everything || !p.old.Clean {
		shown := map[string]bool{}
		for _, f := range p.next.Files {
			for _, m := range f.Media {
				shown[m] = true
			}
		}
		for rel := range p.next.Files {
			if strings.HasPrefix(rel, "media/") && !shown[rel] {
				p.drop(rel)
			}
		}
	}
	for rel := range p.removed {
		if p.next.Files[rel] != nil {
			delete(p.removed, rel) // dropped, then produced again
		}
	}
	p.res.Cursor, p.res.Files = p.next.Cursor, len(p.next.Files)
	p.res.NextExpiry, p.res.Behind = p.next.due(p.now())
	p.res.Written, p.res.Removed = len(p.written), len(p.removed)
	if len(p.written) == 0 && len(p.removed) == 0 && p.old.Clean {
		if p.everything {
			p.next.sorted = p.next.paths(p.old)
		} else {
			p.next.sorted = p.next.pathsAfter(p.old, p.touched())
		}
		p.next.Clean = true
		p.res.Edition = p.next.Edition
		return p.saveState()
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	// The number is taken, durably, before anything is signed with it.
	p.next.Edition++
	if err := reserve(p.e.opts.StateDir, p.next.Edition); err != nil {
		return err
	}
	// The files of the groups this pass changed; the parts of the others
	// are listed again as they are.
	m := sign.Manifest{Origin: p.e.opts.Render.BaseURL, Edition: p.next.Edition, Time: p.now(), Parts: p.unchangedParts()}
	reused := map[string]bool{}
	for _, part := range m.Parts {
		g, _, _ := sign.ParsePartName(part.Path)
		reused[g] = true
	}
	var sorted []string
	if p.everything {
		sorted = p.next.paths(p.old)
	} else {
		sorted = p.next.pathsAfter(p.old, p.touched())
	}
	for _, rel := range sorted {
		if len(reused) > 0 && reused[sign.GroupOf(rel)] {
			continue
		}
		f := p.next.Files[rel]
		m.Files = append(m.Files, sign.File{Path: rel, SHA256: hex.EncodeToString(f.SHA[:]), Size: f.Size})
	}
	p.phase("listed the edition's files")
	ed, err := p.e.opts.Signer.Sign(m)
	if err != nil {
		return err
	}
	p.next.sorted = sorted
	p.phase("signed the edition")
	if p.stage != "" {
		if err := ed.Write(p.t.dir, true); err != nil {
			return err
		}
		p.step("next")
		slices.Sort(p.staged)
		for _, rel := range p.staged {
			if err := p.t.moveIn(filepath.Join(p.stage, filepath.FromSlash(rel)), rel); err != nil {
				return err
			}
			p.step("move")
		}
		for _, rel := range slices.Sorted(maps.Keys(p.held)) {
			if err := p.t.write(rel, p.held[rel], true); err != nil {
				return err
			}
			p.step("move")
		}
	}
	for _, rel := range slices.Sorted(maps.Keys(p.removed)) {
		if err := p.t.remove(rel); err != nil {
			return err
		}
		p.step("remove")
	}
	// The former edition's parts, once no file is as only they list it.
	if err := sign.RemoveStaleParts(p.t.dir, &ed.Manifest); err != nil {
		return err
	}
	if err := ed.Write(p.t.dir, false); err != nil {
		return err
	}
	p.step("manifest")
	if err := sign.RemoveNext(p.t.dir); err != nil {
		return err
	}
	if p.stage != "" {
		os.RemoveAll(p.stage)
	}
	p.phase("updated the tree")
	p.next.Clean = true
	p.res.Edition, p.res.Signed = p.next.Edition, true
	err = p.saveState()
	p.phase("saved the state")
	return err
}

// saveState saves the next state: after a full pass whole, otherwise as
// the files this pass touched, appended to the state's log.
func (p *pass) saveState() error {
	if p.everything {
		p.next.Generation = max(p.next.Generation, p.old.Generation)
		return p.next.save(p.e.opts.StateDir)
	}
	return p.next.saveChanges(p.e.opts.StateDir, p.old, p.touched())
}

// touched are the files whose records this pass changed.
func (p *pass) touched() map[string]bool {
	touched := maps.Clone(p.seen)
	maps.Copy(touched, p.removed)
	maps.Copy(touched, p.marked)
	return touched
}

// unchangedParts are the parts of the tree's edition whose groups this
// pass changed no file of: the new edition lists them as they are rather
// than writing every group's list again (at 100,000 stories the lists
// are 60 MB; a publish changes two or three groups). Only when the tree's
// manifest is the edition the index describes, and the last run finished.
func (p *pass) unchangedParts() []sign.File {
	if !p.old.Clean || p.old.Edition == 0 {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(p.t.dir, sign.ManifestFile))
	if err != nil {
		return nil
	}
	m, err := sign.ParseManifest(data)
	if err != nil || m.Edition != p.old.Edition || m.Legacy() {
		return nil
	}
	dirty := map[string]bool{}
	for _, set := range []map[string]bool{p.written, p.removed} {
		for rel := range set {
			dirty[sign.GroupOf(rel)] = true
		}
	}
	var keep []sign.File
	for _, part := range m.Parts {
		if g, _, err := sign.ParsePartName(part.Path); err == nil && !dirty[g] {
			keep = append(keep, part)
		}
	}
	return keep
}

// due is when a page of st must be rendered again (zero if never): the
// first expiry, or now when pages are behind; and how many are.
func (st *state) due(now time.Time) (next time.Time, behind int) {
	for _, f := range st.Files {
		if f.Behind {
			behind++
		}
		if !f.Expires.IsZero() && (next.IsZero() || f.Expires.Before(next)) {
			next = f.Expires
		}
	}
	if behind > 0 && (next.IsZero() || now.Before(next)) {
		next = now
	}
	return next, behind
}
