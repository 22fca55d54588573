// Package search finds stories: a bleve index per app server, fed from the
// change log, with an analysis of every service language of its own
// (analysis.go).
package search

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	"golang.org/x/text/language"

	"github.com/kolokol/kolokol"
)

// Source is what the index reads from the store.
type Source interface {
	FindServices(ctx context.Context) ([]*kolokol.Service, error)
	FindArticleByID(ctx context.Context, id int64) (*kolokol.Article, error)
	FindArticles(ctx context.Context, f kolokol.ArticleFilter) ([]*kolokol.Article, error)
}

// Field names. The text fields hold terms analysed by Analyzer, joined by
// spaces, and are split again by whitespace only: bleve stores and scores,
// analysis stays ours.
const (
	fHead     = "h"  // headline terms
	fBody     = "b"  // summary, body, dateline, tags, bylines terms
	fHeadLat  = "hl" // Latin keys of Cyrillic headline words
	fBodyLat  = "bl" // Latin keys of Cyrillic words of the rest
	fService  = "service"
	fScope    = "scope" // service and status, "ru published": one short list to walk
	fStatus   = "status"
	fSection  = "section"
	fAuthor   = "author"
	fDate     = "date"
	fChanged  = "changed"   // when the story was last saved
	fPub      = "published" // when first published; absent until then
	fTag      = "tag"       // each tag's key (kolokol.TagKey)
	fHanded   = "submitted" // "1" on drafts handed in for review
	fHeadline = "headline"
	fSummary  = "summary"
	fSlug     = "slug"
)

// Index is one server's search index.
type Index struct {
	dir string
	// swap guards idx: a rebuild puts a new index in its place.
	swap sync.RWMutex
	idx  bleve.Index
	src  Source
	lg   *slog.Logger
	name string // the change-log cursor: unique to this index

	closeOnce sync.Once
	closeErr  error

	mu    sync.Mutex
	langs map[string]string // service code → analysis language
	an    map[string]*Analyzer
}

// Open opens the index in dir, creating it if needed. Every index has a
// random id of its own, kept in the directory, that names its change-log
// cursor: app servers sharing one database each keep their own index, and
// an index deleted (or new) has no cursor, so its follower rebuilds it.
func Open(dir string, src Source, lg *slog.Logger) (*Index, error) {
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	path := filepath.Join(dir, "index")
	idFile := filepath.Join(dir, "id")
	var ix bleve.Index
	// What a rebuild left half done is dropped.
	for _, d := range []string{"index.new", "index.old"} {
		if err := os.RemoveAll(filepath.Join(dir, d)); err != nil {
			return nil, fmt.Errorf("clear the search index's %s: %w", d, err)
		}
	}
	id, err := os.ReadFile(idFile)
	if err == nil {
		if v, verr := os.ReadFile(filepath.Join(dir, "version")); verr != nil || strings.TrimSpace(string(v)) != Version {
			// An index of another version holds other fields: it is made
			// anew, under a new id, so that its follower rebuilds it.
			x := os.Remove(idFile)
			if x != nil && !errors.Is(x, os.ErrNotExist) {
				return nil, fmt.Errorf("drop the search index of an older version: %w", x)
			}
			lg.Info("search index of an older version dropped; it is rebuilt", "dir", dir)
			id, err = nil, os.ErrNotExist
		}
	}
	if err == nil {
		if _, serr := os.Stat(path); errors.Is(serr, os.ErrNotExist) {
			// A rebuild was cut between its two renames: start afresh.
			id, err = nil, serr
		}
	}
	if err == nil {
		ix, err = bleve.OpenUsing(path, openConfig)
		if err != nil {
			return nil, fmt.Errorf("open the search index %s: %w", path, err)
		}
	} else {
		if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("read the search index's id: %w", err)
		}
		// No id: whatever is in dir is not a finished index.
		if err := os.RemoveAll(path); err != nil {
			return nil, fmt.Errorf("clear the search index: %w", err)
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create the search index: %w", err)
		}
		m, err := newMapping()
		if err != nil {
			return nil, err
		}
		ix, err = bleve.New(path, m)
		if err != nil {
			return nil, fmt.Errorf("create the search index %s: %w", path, err)
		}
		b := make([]byte, 8)
		if _, err := rand.Read(b); err != nil {
			ix.Close()
			return nil, fmt.Errorf("search index id: %w", err)
		}
		id = []byte(hex.EncodeToString(b))
		// The version first: an id without it would be dropped again.
		if err := os.WriteFile(filepath.Join(dir, "version"), []byte(Version+"\n"), 0o600); err != nil {
			ix.Close()
			return nil, fmt.Errorf("write the search index's version: %w", err)
		}
		if err := os.WriteFile(idFile, id, 0o600); err != nil {
			ix.Close()
			return nil, fmt.Errorf("write the search index's id: %w", err)
		}
	}
	return &Index{dir: dir, idx: ix, src: src, lg: lg, name: "search-" + strings.TrimSpace(string(id)),
		an: map[string]*Analyzer{}}, nil
}

// Version is what the index holds; an index of another version is made
// anew when opened. 2: bylines in the text, tags, handed-in drafts, and
// the dates of the last change and of publication for sorting.
const Version = "2"

// openConfig: a second process (kolokol reindex beside a running server)
// waits for the index's lock a while, then says so, rather than hang.
var openConfig = map[string]any{"bolt_timeout": "3s"}

func newMapping() (mapping.IndexMapping, error) {
	m := bleve.NewIndexMapping()
	if err := m.AddCustomAnalyzer("terms", map[string]any{
		"type": custom.Name, "tokenizer": whitespace.Name,
	}); err != nil {
		return nil, fmt.Errorf("search mapping: %w", err)
	}
	doc := bleve.NewDocumentStaticMapping()
	text := func(name string) {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = "terms"
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		// Doc values serve sorting and facets by a field; nothing sorts
		// by words, and keeping every story's terms a second time was
		// the larger part of indexing.
		f.DocValues = false
		doc.AddFieldMappingsAt(name, f)
	}
	for _, n := range []string{fHead, fBody, fHeadLat, fBodyLat} {
		text(n)
	}
	for _, n := range []string{fService, fStatus, fScope, fSection, fAuthor, fTag, fHanded} {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = n == fService || n == fStatus || n == fSection
		f.IncludeInAll = false
		f.DocValues = false
		doc.AddFieldMappingsAt(n, f)
	}
	for _, n := range []string{fHeadline, fSummary, fSlug} {
		// Kept to show a result without reading the store; not searched.
		f := bleve.NewTextFieldMapping()
		f.Index = false
		f.Store = true
		f.IncludeInAll = false
		f.DocValues = false
		doc.AddFieldMappingsAt(n, f)
	}
	d := bleve.NewDateTimeFieldMapping()
	d.Store = true
	d.IncludeInAll = false
	doc.AddFieldMappingsAt(fDate, d)
	for _, n := range []string{fChanged, fPub} {
		// Not stored: only the dashboard sorts by them.
		d := bleve.NewDateTimeFieldMapping()
		d.Store = false
		d.IncludeInAll = false
		doc.AddFieldMappingsAt(n, d)
	}
	m.DefaultMapping = doc
	m.DefaultAnalyzer = "terms"
	return m, nil
}

// Close closes the index. A second Close does nothing (an App closed twice,
// as deferred and again, must not panic in bleve).
func (x *Index) Close() error {
	x.closeOnce.Do(func() {
		x.swap.Lock()
		defer x.swap.Unlock()
		x.closeErr = x.idx.Close()
	})
	return x.closeErr
}

// CursorName is the name of the index's change-log cursor. Apply and
// Rebuild are its follower's consumer (package search imports only the
// domain, so cmd/kolokol makes the follower).
func (x *Index) CursorName() string { return x.name }

// Analyzer returns the analyzer of a service.
func (x *Index) Analyzer(ctx context.Context, service string) (*Analyzer, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	lang, ok := x.langs[service]
	if !ok {
		if err := x.loadServices(ctx); err != nil {
			return nil, err
		}
		lang = x.langs[service]
	}
	a := x.an[lang]
	if a == nil {
		a = NewAnalyzer(lang)
		x.an[lang] = a
	}
	return a, nil
}

func (x *Index) loadServices(ctx context.Context) error {
	ss, err := x.src.FindServices(ctx)
	if err != nil {
		return fmt.Errorf("search: services: %w", err)
	}
	x.langs = make(map[string]string, len(ss))
	for _, s := range ss {
		x.langs[s.Code] = ServiceLanguage(s)
	}
	return nil
}

// Services is the codes of every service, for a search across them all.
func (x *Index) Services(ctx context.Context) ([]string, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.langs == nil {
		if err := x.loadServices(ctx); err != nil {
			return nil, err
		}
	}
	out := make([]string, 0, len(x.langs))
	for c := range x.langs {
		out = append(out, c)
	}
	return out, nil
}

// ServiceLanguage is the analysis language of a service: the base
// language of its tag (fa-AF, Dari, is analysed as Persian; sr-Latn as
// Serbian), or its code when the tag says nothing.
func ServiceLanguage(s *kolokol.Service) string {
	if t, err := language.Parse(s.Tag); err == nil {
		if b, conf := t.Base(); conf != language.No {
			return b.String()
		}
	}
	return s.Code
}

// Apply indexes the articles a batch of changes touched, as they are now:
// an article that is gone leaves the index. A service's change forgets
// the languages, in case one changed (its stories are analysed anew only
// when they change or the index is rebuilt).
func (x *Index) Apply(ctx context.Context, changes []*kolokol.Change) error {
	ids := map[int64]bool{}
	for _, c := range changes {
		switch c.Kind {
		case kolokol.ChangeArticle:
			if c.ArticleID != 0 {
				ids[c.ArticleID] = true
			}
		case kolokol.ChangeService:
			x.mu.Lock()
			x.langs = nil
			x.mu.Unlock()
		}
	}
	if len(ids) == 0 {
		return nil
	}
	x.swap.RLock()
	defer x.swap.RUnlock()
	b := x.idx.NewBatch()
	for id := range ids {
		a, err := x.src.FindArticleByID(ctx, id)
		if kolokol.IsNotFound(err) {
			b.Delete(strconv.FormatInt(id, 10))
			continue
		}
		if err != nil {
			return fmt.Errorf("search: find article %d: %w", id, err)
		}
		if err := x.add(ctx, b, a); err != nil {
			return err
		}
	}
	if err := x.idx.Batch(b); err != nil {
		return fmt.Errorf("search: index %d articles: %w", len(ids), err)
	}
	return nil
}

// add puts an article's document into a batch.
func (x *Index) add(ctx context.Context, b *bleve.Batch, a *kolokol.Article) error {
	an, err := x.Analyzer(ctx, a.Service)
	if err != nil {
		return err
	}
	if err := b.IndexAdvanced(Document(an, a)); err != nil {
		return fmt.Errorf("search: index article %d: %w", a.ID, err)
	}
	return nil
}

// Document is an article's document, built here rather than by bleve's
// mapping from a map: the fields are exactly those the mapping declares
// (newMapping, which queries read), with no "_all" field, and the text
// fields carry terms our analysis made, which bleve only splits at spaces.
func Document(an *Analyzer, a *kolokol.Article) *document.Document {
	d := document.NewDocument(strconv.FormatInt(a.ID, 10))
	terms := func(name, value string) {
		if value != "" {
			d.AddField(document.NewTextFieldCustom(name, nil, []byte(value), index.IndexField, spaces{}))
		}
	}
	h, hl := joinTerms(an, a.Headline)
	rest := a.Summary + "\n" + a.Dateline + "\n" + strings.Join(a.Tags, "\n") + "\n" + strings.Join(a.Bylines, "\n") + "\n" + kolokol.BodyText(a.Body)
	bd, bl := joinTerms(an, rest)
	terms(fHead, h)
	terms(fBody, bd)
	terms(fHeadLat, hl)
	terms(fBodyLat, bl)
	keyword := func(name, value string, opts index.FieldIndexingOptions, pos []uint64) {
		d.AddField(document.NewTextFieldCustom(name, pos, []byte(value), opts, nil))
	}
	keyword(fService, a.Service, index.IndexField|index.StoreField, nil)
	keyword(fStatus, string(a.Status), index.IndexField|index.StoreField, nil)
	keyword(fScope, scope(a.Service, string(a.Status)), index.IndexField, nil)
	keyword(fSection, a.Section, index.IndexField|index.StoreField, nil)
	for i, t := range AuthorTerms(a) {
		keyword(fAuthor, t, index.IndexField, []uint64{uint64(i)})
	}
	for i, t := range a.Tags {
		keyword(fTag, kolokol.TagKey(t), index.IndexField, []uint64{uint64(i)})
	}
	if a.Status == kolokol.StatusDraft && !a.SubmittedAt.IsZero() {
		keyword(fHanded, "1", index.IndexField, nil)
	}
	for name, v := range map[string]string{fHeadline: a.Headline, fSummary: a.Summary, fSlug: a.Slug} {
		d.AddField(document.NewTextFieldWithIndexingOptions(name, nil, []byte(v), index.StoreField))
	}
	date := a.PublishedAt
	if date.IsZero() {
		date = a.UpdatedAt
	}
	if !a.ScheduledAt.IsZero() && a.Status == kolokol.StatusScheduled {
		// A scheduled story's day is the day it goes out: "scheduled
		// today" finds what is due today.
		date = a.ScheduledAt
	}
	// The layout is the one the mapping's date fields read and write.
	if f, err := document.NewDateTimeFieldWithIndexingOptions(fDate, nil, date.UTC(), time.RFC3339, index.IndexField|index.StoreField|index.DocValues); err == nil {
		d.AddField(f)
	}
	if f, err := document.NewDateTimeFieldWithIndexingOptions(fChanged, nil, a.UpdatedAt.UTC(), time.RFC3339, index.IndexField|index.DocValues); err == nil {
		d.AddField(f)
	}
	if !a.PublishedAt.IsZero() {
		if f, err := document.NewDateTimeFieldWithIndexingOptions(fPub, nil, a.PublishedAt.UTC(), time.RFC3339, index.IndexField|index.DocValues); err == nil {
			d.AddField(f)
		}
	}
	return d
}

// AuthorTerms are the terms an author filter finds a story by: its
// account and each byline whole, and each word of a byline, all lower
// case. "Петров" finds "Пётр Петров" as the store's filter does.
func AuthorTerms(a *kolokol.Article) []string {
	out := []string{strings.ToLower(a.CreatedBy)}
	seen := map[string]bool{out[0]: true}
	add := func(t string) {
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, by := range a.Bylines {
		by = strings.ToLower(strings.TrimSpace(by))
		add(by)
		for _, w := range strings.Fields(by) {
			add(w)
		}
	}
	return out
}

// scope is the term of a service's stories of a status. A reader's search
// is in one service's live stories: one term whose postings are those
// stories, where the conjunction of a service and a status walked the
// postings of every live story of every service.
func scope(service, status string) string { return service + " " + status }

// spaces is the analysis bleve applies to the text fields: the terms our
// analysis joined with spaces, split again.
type spaces struct{}

func (spaces) Analyze(in []byte) analysis.TokenStream {
	n := bytes.Count(in, []byte{' '}) + 1
	toks := make([]analysis.Token, 0, n)
	for start := 0; start < len(in); {
		end := bytes.IndexByte(in[start:], ' ')
		if end < 0 {
			end = len(in)
		} else {
			end += start
		}
		if end > start {
			toks = append(toks, analysis.Token{Term: in[start:end], Start: start, End: end, Position: len(toks) + 1, Type: analysis.AlphaNumeric})
		}
		start = end + 1
	}
	out := make(analysis.TokenStream, len(toks))
	for i := range toks {
		out[i] = &toks[i]
	}
	return out
}

// joinTerms is the terms of a text, and the Latin keys of its Cyrillic
// words, each joined by spaces.
func joinTerms(an *Analyzer, text string) (terms, latin string) {
	var t, l strings.Builder
	t.Grow(len(text))
	an.each(text, func(k Token) {
		t.WriteString(k.Term)
		t.WriteByte(' ')
		for _, p := range k.Parts {
			t.WriteString(p)
			t.WriteByte(' ')
		}
		if k.Latin != "" {
			l.WriteString(k.Latin)
			l.WriteByte(' ')
		}
		if k.LatinStem != "" {
			l.WriteString(k.LatinStem)
			l.WriteByte(' ')
		}
	})
	return t.String(), l.String()
}

// Rebuild indexes every article in the store into a new index beside the
// one in use, then puts it in its place: searches go on meanwhile, and a
// rebuild that fails or is killed leaves the old index as it was. Stories
// are read from the store, analysed on every core and handed to bleve in
// large batches by two writers.
func (x *Index) Rebuild(ctx context.Context) error {
	x.mu.Lock()
	x.langs = nil
	x.mu.Unlock()
	tmp := filepath.Join(x.dir, "index.new")
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("search: rebuild: clear %s: %w", tmp, err)
	}
	m, err := newMapping()
	if err != nil {
		return err
	}
	fresh, err := bleve.New(tmp, m)
	if err != nil {
		return fmt.Errorf("search: rebuild: create %s: %w", tmp, err)
	}
	n, err := x.fill(ctx, fresh)
	if cerr := fresh.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("search: rebuild: close the new index: %w", cerr)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := x.swapIn(tmp); err != nil {
		return err
	}
	x.lg.Info("search index rebuilt", "articles", n)
	return nil
}

// rebuildBatch is how many documents each of a rebuild's two writers hands
// bleve at once: fewer, larger segments to merge than the store's pages
// would make, and 2,000 cost a third more memory for no more speed.
const rebuildBatch = 1000

// fill indexes every article of the store into ix: one goroutine reads
// pages of the store, one per core analyses, and this one writes batches.
func (x *Index) fill(ctx context.Context, ix bleve.Index) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan []*kolokol.Article, 2)
	docs := make(chan *document.Document, rebuildBatch)
	errs := make(chan error, 1+runtime.GOMAXPROCS(0))
	fail := func(err error) {
		select {
		case errs <- err:
		default:
		}
		cancel()
	}
	go func() {
		defer close(pages)
		var before int64
		for {
			as, err := x.src.FindArticles(ctx, kolokol.ArticleFilter{Before: before, Limit: kolokol.MaxArticleLimit})
			if err != nil {
				fail(fmt.Errorf("search: rebuild: read stories before %d: %w", before, err))
				return
			}
			if len(as) == 0 {
				return
			}
			before = as[len(as)-1].ID
			select {
			case pages <- as:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for as := range pages {
				for _, a := range as {
					an, err := x.Analyzer(ctx, a.Service)
					if err != nil {
						fail(err)
						return
					}
					select {
					case docs <- Document(an, a):
					case <-ctx.Done():
						return
					}
				}
			}
		}()
	}
	go func() { wg.Wait(); close(docs) }()
	// Two writers, each with a batch of its own: while bleve turns one
	// batch into a segment (one core's work), the other fills.
	var n atomic.Int64
	var writers sync.WaitGroup
	for range 2 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			b := ix.NewBatch()
			flush := func() error {
				if b.Size() == 0 {
					return nil
				}
				if err := ix.Batch(b); err != nil {
					return fmt.Errorf("search: rebuild: index %d stories: %w", b.Size(), err)
				}
				b.Reset()
				return nil
			}
			for d := range docs {
				if err := b.IndexAdvanced(d); err != nil {
					fail(fmt.Errorf("search: rebuild: index article %s: %w", d.ID(), err))
					break
				}
				n.Add(1)
				if b.Size() >= rebuildBatch {
					if err := flush(); err != nil {
						fail(err)
						break
					}
				}
			}
			for range docs {
				// Drain after a failure so that the workers end.
			}
			if ctx.Err() == nil {
				if err := flush(); err != nil {
					fail(err)
				}
			}
		}()
	}
	writers.Wait()
	select {
	case err := <-errs:
		return 0, err
	default:
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("search: rebuild: %w", err)
	}
	return int(n.Load()), nil
}

// swapIn puts the index built in dir in the place of the one in use. The
// old one is renamed away first, so that whatever moment a crash picks,
// the directory holds a whole index or none (and none is rebuilt).
func (x *Index) swapIn(dir string) error {
	x.swap.Lock()
	defer x.swap.Unlock()
	path := filepath.Join(x.dir, "index")
	old := filepath.Join(x.dir, "index.old")
	if err := x.idx.Close(); err != nil {
		return fmt.Errorf("search: rebuild: close the old index: %w", err)
	}
	reopen := func() error {
		ix, err := bleve.OpenUsing(path, openConfig)
		if err != nil {
			return fmt.Errorf("search: rebuild: open %s: %w", path, err)
		}
		x.idx = ix
		return nil
	}
	if err := os.RemoveAll(old); err != nil {
		return errors.Join(fmt.Errorf("search: rebuild: clear %s: %w", old, err), reopen())
	}
	if err := os.Rename(path, old); err != nil {
		return errors.Join(fmt.Errorf("search: rebuild: move the old index away: %w", err), reopen())
	}
	if err := os.Rename(dir, path); err != nil {
		return errors.Join(fmt.Errorf("search: rebuild: move the new index in: %w", err), os.Rename(old, path), reopen())
	}
	if err := os.RemoveAll(old); err != nil {
		x.lg.Warn("search: rebuild: the old index stays on disk", "dir", old, "err", err)
	}
	return reopen()
}

// Reindex rebuilds the index from the store and moves its cursor to the
// end of the log as it was before the rebuild began: what changes during
// the rebuild is applied again by the follower, harmlessly.
func (x *Index) Reindex(ctx context.Context, log kolokol.Changes) error {
	_, last, err := log.ChangeBounds(ctx)
	if err != nil {
		return fmt.Errorf("search: reindex: %w", err)
	}
	if err := x.Rebuild(ctx); err != nil {
		return err
	}
	if err := log.SetCursor(ctx, x.name, last); err != nil {
		return fmt.Errorf("search: reindex: store the cursor: %w", err)
	}
	return nil
}

// Dir is where a server keeps its search index: DATA/search.
func Dir(data string) string { return filepath.Join(data, "search") }

// Count is how many articles the index holds.
func (x *Index) Count() (uint64, error) {
	x.swap.RLock()
	defer x.swap.RUnlock()
	return x.idx.DocCount()
}

// Limits on what one query may cost: a query is cut to MaxQueryBytes and
// MaxQueryTerms words, and no page starts past MaxOffset.
const (
	MaxQueryBytes = 256
	MaxQueryTerms = 8
	MaxOffset     = 500
	MaxLimit      = kolokol.MaxArticleLimit
)

// Query is a search.
type Query struct {
	Text string
	// Services limits the search to these services; none means all.
	Services []string
	// Status keeps articles of that status ("published" for readers).
	Status  kolokol.Status
	Section string
	Author  string // an account, a byline or a byline's word, exactly, ignoring case
	Tag     string // a tag, in any spelling (kolokol.TagKey)
	// Submitted keeps drafts handed in for review.
	Submitted bool
	// Sort orders the hits: SortRelevance (the default with words),
	// SortChanged (the default without), SortPublished or SortOldest.
	Sort string
	// Deep lets a page start past MaxOffset: the newsroom's signed-in
	// editors page through everything; readers do not.
	Deep bool
	// From and To bound the date (published, or last saved if never).
	From, To      time.Time
	Offset, Limit int
}

// Orders of Query.Sort.
const (
	SortRelevance = "relevance"
	SortChanged   = "changed"
	SortPublished = "published"
	SortOldest    = "oldest"
)

// Hit is one result.
type Hit struct {
	ID                    int64
	Service, Slug, Status string
	Headline, Summary     string
	Date                  time.Time
	Score                 float64
}

// Results is a page of hits.
type Results struct {
	Total uint64
	Hits  []Hit
	// Terms are the analysed query terms per service, for marking
	// matches (Marks).
	Terms map[string]*Matcher
}

// Matcher marks the words of a text that a query matched.
type Matcher struct {
	an    *Analyzer
	terms map[string]string // term → Latin key of a Latin word on a Cyrillic service, or ""
	latin map[string]bool   // those keys
}

// Empty reports whether the query had no word to search for.
func (m *Matcher) Empty() bool { return m == nil || len(m.terms) == 0 }

func (x *Index) matcher(ctx context.Context, service, text string) (*Matcher, error) {
	an, err := x.Analyzer(ctx, service)
	if err != nil {
		return nil, err
	}
	return NewMatcher(an, text), nil
}

// NewMatcher analyses a query: at most MaxQueryBytes of it and
// MaxQueryTerms distinct words. Operators, quotes and wildcards are not
// words, so they are dropped by the tokenizer: a query is a list of words
// that must all be there.
func NewMatcher(an *Analyzer, text string) *Matcher {
	if len(text) > MaxQueryBytes {
		text = text[:MaxQueryBytes] // ToValidUTF8 in Tokens mends a cut rune
	}
	m := &Matcher{an: an, terms: map[string]string{}, latin: map[string]bool{}}
	for _, t := range an.Tokens(text) {
		if _, dup := m.terms[t.Term]; dup {
			continue
		}
		if len(m.terms) == MaxQueryTerms {
			break
		}
		m.terms[t.Term] = ""
		if an.cyrillic && IsLatin(t.Word) {
			k := LatinKey(t.Word)
			m.terms[t.Term] = k
			m.latin[k] = true
		}
	}
	return m
}

// queries are the query's words, each one to be found.
func (m *Matcher) queries() []query.Query {
	if m.Empty() {
		return nil
	}
	var and []query.Query
	for t, lat := range m.terms {
		var or []query.Query
		tq := func(field, term string, boost float64) {
			q := bleve.NewTermQuery(term)
			q.SetField(field)
			q.SetBoost(boost)
			or = append(or, q)
		}
		tq(fHead, t, 3)
		tq(fBody, t, 1)
		if lat != "" {
			tq(fHeadLat, lat, 3)
			tq(fBodyLat, lat, 1)
		}
		and = append(and, bleve.NewDisjunctionQuery(or...))
	}
	return and
}

// Marks splits text into runs, the words the query matched marked.
func (m *Matcher) Marks(text string) []Run {
	if m == nil {
		return []Run{{Text: text}}
	}
	var out []Run
	last := 0
	for _, t := range m.an.Tokens(text) {
		_, hit := m.terms[t.Term]
		hit = hit || t.Latin != "" && m.latin[t.Latin] || t.LatinStem != "" && m.latin[t.LatinStem]
		if !hit {
			continue
		}
		if t.Start > last {
			out = append(out, Run{Text: text[last:t.Start]})
		}
		out = append(out, Run{Text: text[t.Start:t.End], Mark: true})
		last = t.End
	}
	if last < len(text) {
		out = append(out, Run{Text: text[last:]})
	}
	return out
}

// Run is a piece of text, marked or not.
type Run struct {
	Text string
	Mark bool
}

// Search runs a query. A query without words lists the matching articles
// newest first (the newsroom's filters alone); a reader's query without
// words finds nothing.
func (x *Index) Search(ctx context.Context, q Query) (*Results, error) {
	if q.Limit <= 0 {
		q.Limit = 10
	}
	q.Limit = min(q.Limit, MaxLimit)
	if q.Offset < 0 {
		q.Offset = 0
	}
	res := &Results{Terms: map[string]*Matcher{}}
	if q.Offset > MaxOffset && !q.Deep {
		return res, nil
	}
	services := q.Services
	if len(services) == 0 {
		all, err := x.Services(ctx)
		if err != nil {
			return nil, err
		}
		services = all
	}
	var perService []query.Query
	words := false
	for _, s := range services {
		m, err := x.matcher(ctx, s, q.Text)
		if err != nil {
			return nil, err
		}
		res.Terms[s] = m
		if !m.Empty() {
			words = true
		}
	}
	if !words && strings.TrimSpace(q.Text) != "" {
		// Words were asked for and none survived analysis (only
		// punctuation, operators or stop words): nothing is found.
		return res, nil
	}
	for _, s := range services {
		m := res.Terms[s]
		if words && m.Empty() {
			continue // a service whose analysis left no word drops out
		}
		var in *query.TermQuery
		if q.Status != "" {
			in = bleve.NewTermQuery(scope(s, string(q.Status)))
			in.SetField(fScope)
		} else {
			in = bleve.NewTermQuery(s)
			in.SetField(fService)
		}
		perService = append(perService, bleve.NewConjunctionQuery(append([]query.Query{in}, m.queries()...)...))
	}
	var must []query.Query
	if len(perService) == 1 {
		must = append(must, perService[0])
	} else {
		must = append(must, bleve.NewDisjunctionQuery(perService...))
	}
	kw := func(field, v string) {
		if v != "" {
			t := bleve.NewTermQuery(v)
			t.SetField(field)
			must = append(must, t)
		}
	}
	kw(fSection, q.Section)
	kw(fAuthor, strings.ToLower(strings.TrimSpace(q.Author)))
	if strings.TrimSpace(q.Tag) != "" {
		kw(fTag, kolokol.TagKey(q.Tag))
	}
	if q.Submitted {
		kw(fHanded, "1")
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		d := bleve.NewDateRangeQuery(q.From, q.To)
		d.SetField(fDate)
		must = append(must, d)
	}
	r := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(must...), q.Limit, q.Offset, false)
	r.Fields = []string{fService, fStatus, fHeadline, fSummary, fSlug, fDate}
	byDate := func(field string, desc bool) {
		// Stories never published come last, as in the store.
		r.SortByCustom(bsearch.SortOrder{
			&bsearch.SortField{Field: field, Desc: desc, Type: bsearch.SortFieldAsDate, Missing: bsearch.SortFieldMissingLast},
			&bsearch.SortDocID{Desc: desc},
		})
	}
	switch {
	case q.Sort == SortChanged:
		byDate(fChanged, true)
	case q.Sort == SortOldest:
		byDate(fChanged, false)
	case q.Sort == SortPublished:
		byDate(fPub, true)
	case words:
		// Best match first, and nothing else: a second key (the date)
		// made bleve read the doc values of every story that matched,
		// most of a query's time on a large archive.
		r.SortBy([]string{"-_score"})
	default:
		r.SortBy([]string{"-" + fDate, "-_id"})
	}
	x.swap.RLock()
	sr, err := x.idx.SearchInContext(ctx, r)
	x.swap.RUnlock()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	res.Total = sr.Total
	for _, h := range sr.Hits {
		id, _ := strconv.ParseInt(h.ID, 10, 64)
		hit := Hit{ID: id, Score: h.Score}
		hit.Service, _ = h.Fields[fService].(string)
		hit.Status, _ = h.Fields[fStatus].(string)
		hit.Headline, _ = h.Fields[fHeadline].(string)
		hit.Summary, _ = h.Fields[fSummary].(string)
		hit.Slug, _ = h.Fields[fSlug].(string)
		if d, ok := h.Fields[fDate].(string); ok {
			hit.Date, _ = time.Parse(time.RFC3339, d)
		}
		res.Hits = append(res.Hits, hit)
	}
	return res, nil
}
