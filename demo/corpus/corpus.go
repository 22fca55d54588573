// Package corpus fills a newsroom with synthetic stories for benchmarks:
// many thousands of them across every service, in each service's language
// and script, with sections, bylines, datelines, tags, wire credits,
// translation groups, corrections and lead photos, and a newsroom's mix of
// statuses. The words come from the demo's own texts (its stories, the
// services' pages and the UI catalogs), so nothing is invented and every
// script is exercised.
//
// A corpus is a function of its options: the same seed, size, time and
// newsroom give the same stories, byte for byte. Each story's words come
// from a random source of its own (seeded by the seed and its index), so
// that stories are written on every core and still come out the same.
package corpus

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/demo"
	"github.com/kolokol/kolokol/desk"
)

// Limits on Options.Stories: a corpus past MaxStories is a mistake, not a
// benchmark (it would take hours and tens of gigabytes).
const MaxStories = 5_000_000

// Defaults of Options.
const (
	DefaultPhotos = 4
	DefaultSpan   = 180 * 24 * time.Hour
	maxPhotos     = 32
	batchSize     = 2000
)

// actor is who the corpus is written by, in the audit log.
var actor = kolokol.Actor{Name: "kolokol demo generate", Role: kolokol.RoleAdmin}

// Options say what to generate.
type Options struct {
	Stories int
	Seed    uint64
	// Now is the moment the corpus is written at: stories were published
	// over the Span before it, scheduled ones go out after it. Give it to
	// repeat a corpus exactly.
	Now  time.Time
	Span time.Duration // default DefaultSpan
	// Photos is how many distinct pictures are made and uploaded, through
	// the media pipeline, for stories to share as lead images.
	Photos int // default DefaultPhotos
	// Progress, when set, is told after each batch how many stories are
	// stored.
	Progress func(stored int)
}

// Result counts what was generated.
type Result struct {
	Stories     int
	Services    int
	ByStatus    map[kolokol.Status]int
	Submitted   int // drafts handed in for review
	Groups      int // translation groups
	InGroups    int // stories in them
	Corrected   int // stories with corrections
	Corrections int
	WithPhoto   int
	Media       []int64 // the uploaded photos
	FirstID     int64
	LastID      int64
}

// Generate writes opt.Stories new stories into the newsroom's services,
// which must exist: photos through d (the media pipeline, as an upload),
// stories through store.ImportArticles in batches. Services the demo has
// no words for (neither its code, nor its language, nor its script) get
// none, and Result.Services says how many got some.
func Generate(ctx context.Context, store kolokol.Store, d *desk.Desk, opt Options) (*Result, error) {
	if opt.Stories <= 0 || opt.Stories > MaxStories {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "stories", "a corpus has 1 to %d stories, not %d", MaxStories, opt.Stories)
	}
	if opt.Now.IsZero() {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "now", "give the time the corpus is written at")
	}
	if opt.Span == 0 {
		opt.Span = DefaultSpan
	}
	if opt.Span < time.Hour {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "span", "stories are spread over an hour or more, not %s", opt.Span)
	}
	if opt.Photos == 0 {
		opt.Photos = DefaultPhotos
	}
	if opt.Photos < 0 || opt.Photos > maxPhotos {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "photos", "a corpus has 1 to %d photos, not %d", maxPhotos, opt.Photos)
	}
	opt.Now = opt.Now.UTC().Truncate(time.Second)
	services, err := servicesOf(ctx, store)
	if err != nil {
		return nil, err
	}
	existing, err := store.CountArticles(ctx, kolokol.ArticleFilter{})
	if err != nil {
		return nil, fmt.Errorf("generate corpus: count stories: %w", err)
	}
	media, err := uploadPhotos(ctx, d, services, opt.Photos)
	if err != nil {
		return nil, err
	}
	p := &planner{rng: rand.New(rand.NewPCG(opt.Seed, 0)), services: services, now: opt.Now, span: opt.Span,
		photos: len(media),
		// Group names differ between corpora added to one newsroom, so
		// that a second corpus does not join the first one's groups.
		group: fmt.Sprintf("corpus-%d-%d-", opt.Seed, existing)}
	for _, s := range services {
		p.total += s.weight
	}
	plan := p.plan(opt.Stories)
	res := &Result{Services: len(services), Media: media, ByStatus: map[kolokol.Status]int{}}
	werr := write(ctx, store, opt, services, media, plan, res)
	// What was stored is audited, all of it or the batches stored before
	// an error or an interruption.
	if res.Stories > 0 {
		e := &kolokol.AuditEntry{Actor: actor.Name, Action: "demo.generate",
			Detail: fmt.Sprintf("%d of %d synthetic stories (seed %d), ids %d to %d", res.Stories, opt.Stories, opt.Seed, res.FirstID, res.LastID)}
		for _, s := range services {
			e.Services = append(e.Services, s.code)
		}
		// Not ctx: an interrupted run is recorded too.
		if err := store.AddAudit(context.WithoutCancel(ctx), e); err != nil {
			return nil, errors.Join(werr, fmt.Errorf("generate corpus: audit: %w", err))
		}
	}
	if werr != nil {
		return nil, werr
	}
	tally(plan, res)
	return res, nil
}

// servicesOf lists the newsroom's services that the demo has words for,
// with their sections as the newsroom has them.
func servicesOf(ctx context.Context, store kolokol.Store) ([]service, error) {
	langs, err := loadLanguages()
	if err != nil {
		return nil, fmt.Errorf("generate corpus: %w", err)
	}
	stories, err := demo.Stories()
	if err != nil {
		return nil, fmt.Errorf("generate corpus: %w", err)
	}
	all, err := store.FindServices(ctx)
	if err != nil {
		return nil, fmt.Errorf("generate corpus: find services: %w", err)
	}
	var out []service
	for _, svc := range all {
		l := langs.forService(svc)
		if l == nil {
			continue
		}
		secs, err := store.FindSections(ctx, svc.Code)
		if err != nil {
			return nil, fmt.Errorf("generate corpus: find sections of %s: %w", svc.Code, err)
		}
		s := service{code: svc.Code, lang: l, weight: 1}
		for _, sec := range secs {
			s.sections = append(s.sections, sec.Slug)
		}
		// Services write as much as in the demo, relatively: Persian
		// most, most others two stories to its four.
		for _, st := range stories {
			if st.Service == svc.Code {
				s.weight++
			}
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, kolokol.Errorf(kolokol.EINVALID, "the newsroom has no service in a language or script the demo writes")
	}
	return out, nil
}

// uploadPhotos makes n distinct photos and uploads each, for one service
// after another, through the desk, as a newsroom would: the pipeline checks
// them and makes their renditions once, and every story shows one of them.
func uploadPhotos(ctx context.Context, d *desk.Desk, services []service, n int) ([]int64, error) {
	var ids []int64
	for k := range n {
		data, err := photo(k)
		if err != nil {
			return nil, err
		}
		m, _, err := d.UploadMedia(ctx, actor, services[k%len(services)].code, data)
		if err != nil {
			return nil, fmt.Errorf("generate corpus: upload photo %d: %w", k, err)
		}
		ids = append(ids, m.ID)
	}
	return ids, nil
}

// write writes the stories of the plan and stores them in batches. Batches
// are written on every core and stored one after another, in order, by
// this goroutine: ids follow the plan whichever batch is written first.
func write(ctx context.Context, store kolokol.Store, opt Options, services []service, media []int64, plan []story, res *Result) error {
	ctx, cancel := context.WithCancel(ctx)
	batches := (len(plan) + batchSize - 1) / batchSize
	ready := make([]chan []*kolokol.Article, batches)
	for i := range ready {
		ready[i] = make(chan []*kolokol.Article, 1)
	}
	workers := runtime.GOMAXPROCS(0)
	// A worker takes a batch only once it holds a slot, so the batch the
	// store waits for is always being written, and at most one batch per
	// worker waits in memory besides the one being stored.
	slots := make(chan struct{}, workers+1)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				select {
				case slots <- struct{}{}:
				case <-ctx.Done():
					return
				}
				b := int(next.Add(1) - 1)
				if b >= batches {
					return
				}
				lo, hi := b*batchSize, min((b+1)*batchSize, len(plan))
				out := make([]*kolokol.Article, 0, hi-lo)
				for i := lo; i < hi; i++ {
					out = append(out, article(opt.Seed, i, plan[i], services, media))
				}
				ready[b] <- out
			}
		})
	}
	// Workers waiting for a slot stop once the context ends.
	defer func() { cancel(); wg.Wait() }()
	for b := range batches {
		var batch []*kolokol.Article
		select {
		case batch = <-ready[b]:
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := store.ImportArticles(ctx, batch); err != nil {
			return fmt.Errorf("generate corpus: store stories %d to %d: %w", b*batchSize, b*batchSize+len(batch)-1, err)
		}
		if b == 0 {
			res.FirstID = batch[0].ID
		}
		res.LastID = batch[len(batch)-1].ID
		res.Stories += len(batch)
		<-slots
		if opt.Progress != nil {
			opt.Progress(res.Stories)
		}
	}
	return nil
}

// article writes story i of the plan.
func article(seed uint64, i int, s story, services []service, media []int64) *kolokol.Article {
	svc := services[s.service]
	l := svc.lang
	w := &writer{l: l, rng: rand.New(rand.NewPCG(seed, uint64(i)+1))}
	a := &kolokol.Article{
		Service: svc.code, Section: s.section, Status: s.status, TranslationGroup: s.group,
		CreatedAt: s.created, UpdatedAt: s.updated, PublishedAt: s.published, ScheduledAt: s.scheduled, SubmittedAt: s.submitted,
	}
	a.Headline = fit(w.headline(), kolokol.MaxHeadline)
	a.Summary = fit(w.sentences(1, 2), kolokol.MaxSummary)
	a.Body = w.body(svc.code, s.section)
	if len(l.names) > 0 {
		a.Bylines = w.pick(l.names, 1+boolInt(w.chance(0.15)))
	}
	if len(l.datelines) > 0 && w.chance(0.7) {
		a.Dateline = l.datelines[w.rng.IntN(len(l.datelines))]
	}
	a.Tags = w.pick(l.tags, w.rng.IntN(4))
	reporter := fmt.Sprintf("reporter%d.%s@demo.kolokol.example", 1+w.rng.IntN(8), svc.code)
	a.CreatedBy = reporter
	if w.chance(0.25) {
		a.Credits = w.pick(l.wires, 1+boolInt(w.chance(0.3)))
		if w.chance(0.3) { // filed by the wire feed itself
			a.CreatedBy = "wire: " + a.Credits[0]
		}
	}
	a.EditedBy = a.CreatedBy
	if a.Approved() || a.Status == kolokol.StatusUnpublished {
		a.EditedBy = fmt.Sprintf("editor%d.%s@demo.kolokol.example", 1+w.rng.IntN(3), svc.code)
	}
	if s.photo >= 0 {
		li := &kolokol.LeadImage{MediaID: media[s.photo]}
		if len(l.photos) > 0 {
			pt := l.photos[w.rng.IntN(len(l.photos))]
			li.Alt, li.Caption, li.Credit = pt.alt, pt.caption, pt.credit
			if outlet, _, ok := strings.Cut(pt.credit, " / "); ok && len(a.Bylines) > 0 {
				li.Credit = outlet + " / " + a.Bylines[0] // the reporter took it
			}
		} else { // a language the demo has no photo texts in
			li.Alt, li.Caption = w.phrase(8), w.sentences(1, 1)
		}
		if w.chance(0.1) {
			li.Caption = ""
		}
		if len(a.Credits) > 0 && w.chance(0.5) {
			li.Credit = a.Credits[0]
		}
		a.LeadImage = li
	}
	for _, t := range s.corrections {
		a.Corrections = append(a.Corrections, kolokol.Correction{Text: w.sentences(1, 2), CreatedAt: t})
	}
	a.Normalize()
	return a
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// tally counts what the plan made.
func tally(plan []story, res *Result) {
	groups := map[string]bool{}
	for _, s := range plan {
		res.ByStatus[s.status]++
		if s.status == kolokol.StatusDraft && !s.submitted.IsZero() {
			res.Submitted++
		}
		if s.group != "" {
			groups[s.group] = true
			res.InGroups++
		}
		if len(s.corrections) > 0 {
			res.Corrected++
			res.Corrections += len(s.corrections)
		}
		if s.photo >= 0 {
			res.WithPhoto++
		}
	}
	res.Groups = len(groups)
}
