package export

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/kolokol/kolokol"
)

// view is the store as one export pass reads it: only the services the
// export holds, and what nearly every page reads again (the services, their
// sections, banners, notices, pictures, list lengths, translation groups,
// mirrors) read once. A pass takes its cursor before it reads anything, so a change
// made while it runs is read again by the next pass; a view never outlives
// its pass.
type view struct {
	st   kolokol.Pages
	only map[string]bool // the services exported; nil: all

	servicesOnce sync.Once
	services     []*kolokol.Service
	servicesErr  error

	sections    memo[string, []*kolokol.Section]
	breaking    memo[string, *kolokol.Breaking]
	media       memo[int64, *kolokol.Media]
	notices     memo[string, []*kolokol.Notice]
	settings    memo[string, string]
	counts      memo[countKey, int]
	groups      memo[groupKey, []*kolokol.Article]
	listMu      sync.Mutex
	listService string
	lists       *memo[listKey, []*kolokol.Article]
	heads       memo[headKey, []*kolokol.Article] // the newest few of lists (hasList false)
	mirrors     memo[struct{}, []*kolokol.Mirror]
	// queries are the other reads of one service's stories, by filter:
	// a tag's stories are read by its page, its name and its three
	// feeds, a section's newest by its three feeds. Only the last
	// service's are kept, as lists are.
	queryMu      sync.Mutex
	queryService string
	queries      *memo[queryKey, []*kolokol.Article]

	// articles are the stories of the batch of pages being rendered,
	// fetched together (prefetch).
	mu       sync.RWMutex
	articles map[int64]*kolokol.Article

	// live are one service's live stories, newest id first, cut into
	// the pages the plan (render's eachLive: once for each of the
	// service's article routes and again for its pictures) and the
	// sitemaps ask for. Only the last service's are kept.
	liveMu      sync.Mutex
	liveService string
	live        []*kolokol.Article // newest id first
}

func newView(st kolokol.Pages, only []string) *view {
	v := &view{st: st}
	if len(only) > 0 {
		v.only = map[string]bool{}
		for _, c := range only {
			v.only[c] = true
		}
	}
	return v
}

// exported reports whether the export holds the service's pages.
func (v *view) exported(code string) bool { return v.only == nil || v.only[code] }

// memo keeps what a lookup returned, an absence included; other errors are
// not kept. Two goroutines asking at once may both load: harmless, the
// store gives both the same.
type memo[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]result[V]
}

type result[V any] struct {
	v   V
	err error
}

func (c *memo[K, V]) get(k K, load func() (V, error)) (V, error) {
	c.mu.Lock()
	r, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return r.v, r.err
	}
	v, err := load()
	if err != nil && !kolokol.IsNotFound(err) {
		return v, err
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[K]result[V]{}
	}
	c.m[k] = result[V]{v, err}
	c.mu.Unlock()
	return v, err
}

type countKey struct {
	service, section string
	status           kolokol.Status
}

type groupKey struct {
	group  string
	status kolokol.Status
	limit  int
	brief  bool
}

func (v *view) FindServices(ctx context.Context) ([]*kolokol.Service, error) {
	v.servicesOnce.Do(func() {
		all, err := v.st.FindServices(ctx)
		if err != nil {
			v.servicesErr = err
			return
		}
		for _, s := range all {
			if v.exported(s.Code) {
				v.services = append(v.services, s)
			}
		}
	})
	if v.servicesErr != nil {
		return nil, v.servicesErr
	}
	return slices.Clone(v.services), nil
}

func (v *view) FindServiceByCode(ctx context.Context, code string) (*kolokol.Service, error) {
	all, err := v.FindServices(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range all {
		if s.Code == code {
			return s, nil
		}
	}
	return nil, kolokol.Errorf(kolokol.ENOTFOUND, "there is no service %q in this export", code)
}

func (v *view) FindSections(ctx context.Context, service string) ([]*kolokol.Section, error) {
	return v.sections.get(service, func() ([]*kolokol.Section, error) { return v.st.FindSections(ctx, service) })
}

func (v *view) FindBreaking(ctx context.Context, service string) (*kolokol.Breaking, error) {
	return v.breaking.get(service, func() (*kolokol.Breaking, error) { return v.st.FindBreaking(ctx, service) })
}

func (v *view) FindMediaByID(ctx context.Context, id int64) (*kolokol.Media, error) {
	return v.media.get(id, func() (*kolokol.Media, error) { return v.st.FindMediaByID(ctx, id) })
}

func (v *view) FindShownMedia(ctx context.Context, service string) ([]int64, error) {
	return v.st.FindShownMedia(ctx, service)
}

func (v *view) FindNotices(ctx context.Context, service string) ([]*kolokol.Notice, error) {
	return v.notices.get(service, func() ([]*kolokol.Notice, error) { return v.st.FindNotices(ctx, service) })
}

func (v *view) FindSetting(ctx context.Context, key string) (string, error) {
	return v.settings.get(key, func() (string, error) { return v.st.FindSetting(ctx, key) })
}

// FindMirrors gives every mirrors page and mirrors.json the same list,
// read once, with nothing of a mirror but what pages show of it: where
// its files go and how it is reached stay in the store.
func (v *view) FindMirrors(ctx context.Context) ([]*kolokol.Mirror, error) {
	all, err := v.mirrors.get(struct{}{}, func() ([]*kolokol.Mirror, error) {
		all, err := v.st.FindMirrors(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]*kolokol.Mirror, len(all))
		for i, m := range all {
			out[i] = &kolokol.Mirror{ID: m.ID, Name: m.Name, Kind: m.Kind, PublicURL: m.PublicURL,
				CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, RetiredAt: m.RetiredAt}
		}
		return out, nil
	})
	return slices.Clone(all), err
}

// FindBundles is read by one page of a service (its mirrors page): no
// memo.
func (v *view) FindBundles(ctx context.Context, service string) ([]*kolokol.Bundle, error) {
	return v.st.FindBundles(ctx, service)
}

func (v *view) FindArticleByID(ctx context.Context, id int64) (*kolokol.Article, error) {
	v.mu.RLock()
	a, ok := v.articles[id]
	v.mu.RUnlock()
	if !ok {
		var err error
		if a, err = v.st.FindArticleByID(ctx, id); err != nil {
			return nil, err
		}
	}
	if !v.exported(a.Service) {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "article %d is not in this export", id)
	}
	return a, nil
}

func (v *view) FindArticles(ctx context.Context, f kolokol.ArticleFilter) ([]*kolokol.Article, error) {
	if f.Service != "" && !v.exported(f.Service) {
		return nil, nil
	}
	if len(f.TranslationGroups) > 0 {
		// A sitemap's other versions of its stories.
		return v.st.FindArticles(ctx, f)
	}
	if f.Tag != "" {
		if f.Service != "" && f.Status == kolokol.StatusPublished && f.ByPublished && f.WithoutBody && f.Limit > 0 && f.Limit <= kolokol.MaxArticleLimit &&
			f.Offset >= 0 && f.Section == "" && f.TranslationGroup == "" && len(f.IDs) == 0 && f.Before == 0 && !f.WithCorrections &&
			f.LeadMediaID == 0 && f.ShowsMediaID == 0 && f.Query == "" && f.Author == "" && !f.Submitted && f.ScheduledBy.IsZero() {
			// A tag's pages and its name, cut from its list as a
			// section's are.
			return v.listPage(ctx, f)
		}
		return v.query(ctx, f)
	}
	if f.TranslationGroup != "" && f.Service == "" && f.Section == "" && f.Offset == 0 && f.Before == 0 && len(f.IDs) == 0 &&
		!f.ByPublished && !f.WithCorrections && f.LeadMediaID == 0 && f.ShowsMediaID == 0 && f.Query == "" && f.Author == "" && !f.Submitted && f.ScheduledBy.IsZero() {
		// A story's language switcher: every version of the group asks.
		arts, err := v.groups.get(groupKey{f.TranslationGroup, f.Status, f.Limit, f.WithoutBody}, func() ([]*kolokol.Article, error) {
			return v.st.FindArticles(ctx, kolokol.ArticleFilter{TranslationGroup: f.TranslationGroup, Status: f.Status, Limit: f.Limit, WithoutBody: f.WithoutBody})
		})
		if err != nil || v.only == nil {
			return arts, err
		}
		var out []*kolokol.Article
		for _, a := range arts {
			if v.exported(a.Service) {
				out = append(out, a)
			}
		}
		return out, nil
	}
	if f.Service != "" && f.Status == kolokol.StatusPublished && f.WithoutBody && f.Limit > 0 && f.Limit <= kolokol.MaxArticleLimit &&
		f.Section == "" && f.TranslationGroup == "" && f.Offset == 0 && len(f.IDs) == 0 && !f.ByPublished && !f.WithCorrections &&
		f.LeadMediaID == 0 && f.ShowsMediaID == 0 && f.Query == "" && f.Author == "" && !f.Submitted && f.ScheduledBy.IsZero() {
		return v.livePage(ctx, f)
	}
	if f.Service != "" && f.Status == kolokol.StatusPublished && f.ByPublished && f.WithoutBody && f.Limit > 0 && f.Limit <= kolokol.MaxArticleLimit &&
		f.Offset >= 0 && f.TranslationGroup == "" && len(f.IDs) == 0 && f.Before == 0 && !f.WithCorrections &&
		f.LeadMediaID == 0 && f.ShowsMediaID == 0 && f.Query == "" && f.Author == "" && !f.Submitted && f.ScheduledBy.IsZero() {
		if f.Offset == 0 && f.Limit <= maxHead && !v.hasList(f.Service) {
			// "More from the section" on every story page of a section
			// a publish left behind: its newest few, not the whole list.
			arts, err := v.heads.get(headKey{f.Service, f.Section, f.Limit}, func() ([]*kolokol.Article, error) {
				return v.st.FindArticles(ctx, f)
			})
			return slices.Clone(arts), err
		}
		return v.listPage(ctx, f)
	}
	return v.query(ctx, f)
}

// queryKey is a filter without the fields a query kept (see query) does
// not have.
type queryKey struct {
	service, section, tag, group string
	status                       kolokol.Status
	byPublished, corrections     bool
	brief                        bool
	before                       int64
	offset, limit                int
}

// query reads what f filters, once for every page of the pass that asks
// (see queries); a query of another kind goes to the store.
func (v *view) query(ctx context.Context, f kolokol.ArticleFilter) ([]*kolokol.Article, error) {
	if f.Service == "" || len(f.IDs) > 0 || len(f.TranslationGroups) > 0 || f.LeadMediaID != 0 || f.ShowsMediaID != 0 || f.Query != "" || f.Author != "" ||
		f.Submitted || !f.ScheduledBy.IsZero() {
		return v.st.FindArticles(ctx, f)
	}
	v.queryMu.Lock()
	if v.queryService != f.Service || v.queries == nil {
		v.queryService = f.Service
		v.queries = &memo[queryKey, []*kolokol.Article]{}
	}
	queries := v.queries
	v.queryMu.Unlock()
	k := queryKey{service: f.Service, section: f.Section, tag: f.Tag, group: f.TranslationGroup, status: f.Status,
		byPublished: f.ByPublished, corrections: f.WithCorrections, brief: f.WithoutBody, before: f.Before, offset: f.Offset, limit: f.Limit}
	arts, err := queries.get(k, func() ([]*kolokol.Article, error) { return v.st.FindArticles(ctx, f) })
	return slices.Clone(arts), err
}

// maxHead is the most stories a query at the head of a list may ask for
// without the whole list being read (see heads).
const maxHead = kolokol.MoreStories + 1

// headKey names the newest stories of a list.
type headKey struct {
	service, section string
	limit            int
}

// hasList reports whether the lists of the service are being read whole
// (a full pass renders its list pages), from which a head is cut.
func (v *view) hasList(service string) bool {
	v.listMu.Lock()
	defer v.listMu.Unlock()
	return v.listService == service && v.lists != nil
}

// listKey names a list of a service's published stories, newest first:
// its home, archive and lite pages ("" section and tag), a section's or
// a tag's.
type listKey struct{ service, section, tag string }

// listPage is a page of a list (the home, the archive, a section, and
// each of their pages), cut from the whole list, which is read once, in
// pages of the most a query returns, in the order the store gives (by
// publication time, then id: a total order, so the cut is what the query
// with the page's offset returns). A publish changes every page of a
// service's lists; at 100,000 stories, each list page asking the store
// for its own offset was most of the export after it.
func (v *view) listPage(ctx context.Context, f kolokol.ArticleFilter) ([]*kolokol.Article, error) {
	all, err := v.list(ctx, f)
	if err != nil {
		return nil, err
	}
	from := min(f.Offset, len(all))
	return slices.Clone(all[from:min(from+f.Limit, len(all))]), nil
}

// list is the whole list f is a page of (not to be changed).
func (v *view) list(ctx context.Context, f kolokol.ArticleFilter) ([]*kolokol.Article, error) {
	// Lists of one service at a time: a full pass renders a service's
	// pages together, and 100,000 stories' list entries are 100 MB.
	v.listMu.Lock()
	if v.listService != f.Service || v.lists == nil {
		v.listService = f.Service
		v.lists = &memo[listKey, []*kolokol.Article]{}
	}
	lists := v.lists
	v.listMu.Unlock()
	return lists.get(listKey{f.Service, f.Section, f.Tag}, func() ([]*kolokol.Article, error) {
		if f.Section != "" && f.Tag == "" {
			// A section's list is the service's, with the section's
			// stories.
			q := f
			q.Section = ""
			all, err := v.list(ctx, q)
			if err != nil {
				return nil, err
			}
			var in []*kolokol.Article
			for _, a := range all {
				if a.Section == f.Section {
					in = append(in, a)
				}
			}
			return in, nil
		}
		var all []*kolokol.Article
		q := f
		q.Limit = kolokol.MaxArticleLimit
		for q.Offset = 0; ; q.Offset += q.Limit {
			arts, err := v.st.FindArticles(ctx, q)
			if err != nil {
				return nil, err
			}
			all = append(all, arts...)
			if len(arts) < q.Limit {
				return all, nil
			}
		}
	})
}

// livePage is a page of a service's live stories, by id (see live): cut
// from the service's list, read once, in id order. At 100,000 stories
// asking the store for them by id, in pages, took three times as long as
// reading the list, which a publish's run reads anyway for the list pages.
func (v *view) livePage(ctx context.Context, f kolokol.ArticleFilter) ([]*kolokol.Article, error) {
	v.liveMu.Lock()
	defer v.liveMu.Unlock()
	if v.liveService != f.Service || v.live == nil {
		all, err := v.list(ctx, kolokol.ArticleFilter{Service: f.Service, Status: kolokol.StatusPublished, ByPublished: true,
			WithoutBody: true, Limit: kolokol.MaxArticleLimit})
		if err != nil {
			return nil, err
		}
		byID := slices.Clone(all)
		slices.SortFunc(byID, func(a, b *kolokol.Article) int { return cmp.Compare(b.ID, a.ID) })
		v.liveService, v.live = f.Service, byID
	}
	arts := v.live
	if f.Before > 0 {
		i, _ := slices.BinarySearchFunc(arts, f.Before, func(a *kolokol.Article, before int64) int { return cmp.Compare(before, a.ID) })
		arts = arts[i:]
		for len(arts) > 0 && arts[0].ID >= f.Before {
			arts = arts[1:]
		}
	}
	arts = arts[min(max(f.Offset, 0), len(arts)):]
	return slices.Clone(arts[:min(f.Limit, len(arts))]), nil
}

// FindTags is read by the plan, a few times a service in a pass: one
// query each, not worth keeping.
func (v *view) FindTags(ctx context.Context, service string) ([]kolokol.TagCount, error) {
	if !v.exported(service) {
		return nil, nil
	}
	return v.st.FindTags(ctx, service)
}

func (v *view) CountArticles(ctx context.Context, f kolokol.ArticleFilter) (int, error) {
	if f.Service != "" && !v.exported(f.Service) {
		return 0, nil
	}
	if f.Service == "" || f.Tag != "" || f.TranslationGroup != "" || len(f.TranslationGroups) > 0 || f.LeadMediaID != 0 || f.ShowsMediaID != 0 || f.Query != "" || f.Author != "" ||
		f.Submitted || !f.ScheduledBy.IsZero() || len(f.IDs) > 0 {
		return v.st.CountArticles(ctx, f)
	}
	return v.counts.get(countKey{f.Service, f.Section, f.Status}, func() (int, error) { return v.st.CountArticles(ctx, f) })
}

// fetch fetches the stories with ids, with their corrections, for a batch
// of pages (see use).
func (v *view) fetch(ctx context.Context, ids []int64) (map[int64]*kolokol.Article, error) {
	m := make(map[int64]*kolokol.Article, len(ids))
	for chunk := range slices.Chunk(ids, kolokol.MaxArticleLimit) {
		arts, err := v.st.FindArticles(ctx, kolokol.ArticleFilter{IDs: chunk, WithCorrections: true, Limit: len(chunk)})
		if err != nil {
			return nil, err
		}
		for _, a := range arts {
			m[a.ID] = a
		}
	}
	return m, nil
}

// use makes the stories fetched for a batch the ones its pages read,
// replacing the previous batch's.
func (v *view) use(m map[int64]*kolokol.Article) {
	v.mu.Lock()
	v.articles = m
	v.mu.Unlock()
}
