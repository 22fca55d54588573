package render

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/changelog"
	"github.com/kolokol/kolokol/demo"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/store/sqlite"
)

// The dependency oracle: the page graph (Page.Deps and Deps) is not trusted
// but checked. Over the demo newsroom, a random sequence of newsroom
// operations runs; before and after each, every page of the plan is
// rendered, and every page whose bytes changed must have been invalidated
// by the operation's changes (or have expired by the clock). Pages
// invalidated but unchanged are the cost of coarse tags, and are reported.

type oracleClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *oracleClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *oracleClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// rendered is the whole site at one moment: each page's bytes and what it
// depends on, in the variant an unknown-country reader gets (so that notices
// marked for them show).
type rendered map[string]*Page

func renderAll(t *testing.T, b *Builder, st kolokol.Store) rendered {
	t.Helper()
	ctx := context.Background()
	notices := map[string][]*kolokol.Notice{}
	out := rendered{}
	for e, err := range b.Plan(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if e.Kind == KindMedia || e.Kind == KindAsset {
			continue
		}
		svc := e.Service
		if v, _, ok := cutVariant(svc); ok {
			svc = v
		}
		ns, ok := notices[svc]
		if !ok && svc != "" {
			all, err := st.FindNotices(ctx, svc)
			if err != nil {
				t.Fatal(err)
			}
			ns = kolokol.SelectNotices(all, "")
			notices[svc] = ns
		}
		var p *Page
		if e.Kind == KindNotFound {
			p, err = b.NotFound(ctx, e.Service, ns...)
		} else {
			p, err = b.Build(ctx, e.Path, ns...)
		}
		if err != nil {
			t.Fatalf("render %s: %v", e.Path, err)
		}
		out[e.Path] = p
	}
	return out
}

// cutVariant splits "sr-cyrl" into "sr".
func cutVariant(code string) (string, string, bool) {
	for i := len(code) - 1; i > 0; i-- {
		if code[i] == '-' {
			return code[:i], code[i:], true
		}
	}
	return "", "", false
}

type oracleOp struct {
	name string
	run  func(t *testing.T) bool // false: not applicable now
}

func TestDependencyOracle(t *testing.T) {
	if testing.Short() {
		t.Skip("renders the demo site many times over; not with -short")
	}
	ctx := context.Background()
	clock := &oracleClock{t: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kolokol.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	blobs, err := media.NewDir(filepath.Join(t.TempDir(), "media"))
	if err != nil {
		t.Fatal(err)
	}
	images, err := media.NewProcessor(media.Options{Widths: []int{320, 640}, Ratios: []media.Ratio{media.Ratio16x9}})
	if err != nil {
		t.Fatal(err)
	}
	d := desk.New(st, blobs, images, clock.now)
	if _, err := demo.Seed(ctx, st, d, clock.now()); err != nil {
		t.Fatal(err)
	}
	b, err := New(st, Options{BaseURL: testBase, SiteName: "Kolokol", Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	var changes []*kolokol.Change
	follower := changelog.New(st, "", changelog.Consumer{Apply: func(_ context.Context, cs []*kolokol.Change) error {
		changes = append(changes, cs...)
		return nil
	}}, nil)
	if err := follower.Start(ctx); err != nil {
		t.Fatal(err)
	}

	admin := kolokol.Actor{Name: "oracle", Role: kolokol.RoleAdmin}
	rng := rand.New(rand.NewPCG(11, 12))
	pick := func(f kolokol.ArticleFilter) *kolokol.Article {
		f.Limit = kolokol.MaxArticleLimit
		arts, err := st.FindArticles(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(arts) == 0 {
			return nil
		}
		a, err := st.FindArticleByID(ctx, arts[rng.IntN(len(arts))].ID)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	services := []string{"en", "fa", "ru", "sr", "ka"}
	svc := func() string { return services[rng.IntN(len(services))] }
	edit := func(a *kolokol.Article, p desk.ArticlePatch) {
		p.Version = a.Version
		if _, err := d.UpdateArticle(ctx, admin, a.ID, p); err != nil {
			t.Fatalf("edit %d: %v", a.ID, err)
		}
	}
	s := func(v string) *string { return &v }
	live := kolokol.ArticleFilter{Status: kolokol.StatusPublished}
	// Tags in several scripts, some the demo's own (a story joins a tag
	// page that exists), some new (a page appears), spelt in other cases.
	tagPool := []string{"Oracle tag", "climate", "Climate", "климат", "КЛИМАТ", "транспорт", "حقوق بشر", "حقوق-بشر", "კლიმატი"}
	ops := []oracleOp{
		{"publish a draft", func(t *testing.T) bool {
			a, err := d.CreateArticle(ctx, admin, desk.ArticleInput{Service: svc(), Headline: fmt.Sprint("Oracle story ", rng.IntN(1e6)), Body: "Text.",
				Tags: []string{tagPool[rng.IntN(len(tagPool))]}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = d.Publish(ctx, admin, a.ID)
			return err == nil
		}},
		{"edit a headline (and so its slug)", func(t *testing.T) bool {
			a := pick(live)
			edit(a, desk.ArticlePatch{Headline: s(a.Headline + " (updated)")})
			return true
		}},
		{"retag: add, drop or respell a tag", func(t *testing.T) bool {
			a := pick(live)
			tags := slices.Clone(a.Tags)
			switch n := rng.IntN(3); {
			case n == 0 || len(tags) == 0:
				tags = append(tags, tagPool[rng.IntN(len(tagPool))])
			case n == 1:
				tags = tags[1:] // the last story of a tag takes its page with it
			default:
				tags[0] = strings.ToUpper(tags[0])
			}
			edit(a, desk.ArticlePatch{Tags: &tags})
			return true
		}},
		{"edit a body", func(t *testing.T) bool {
			a := pick(live)
			edit(a, desk.ArticlePatch{Body: s(a.Body + "\n\nOne more paragraph.")})
			return true
		}},
		{"move to another section", func(t *testing.T) bool {
			a := pick(live)
			secs, _ := st.FindSections(ctx, a.Service)
			if len(secs) == 0 {
				return false
			}
			edit(a, desk.ArticlePatch{Section: s(secs[rng.IntN(len(secs))].Slug)})
			return true
		}},
		{"join, leave or move translation groups", func(t *testing.T) bool {
			a := pick(live)
			groups := []string{"", "ferry", "exiles", "oracle-group"}
			edit(a, desk.ArticlePatch{TranslationGroup: s(groups[rng.IntN(len(groups))])})
			return true
		}},
		{"link two live stories by choosing", func(t *testing.T) bool {
			for range 20 { // a random pair may be refused: same service, or a version there already
				a, o := pick(live), pick(live)
				if a.Service != o.Service && d.Link(ctx, admin, a.ID, o.ID) == nil {
					return true
				}
			}
			return false
		}},
		{"unlink a live story", func(t *testing.T) bool {
			for range 50 {
				if a := pick(live); a.TranslationGroup != "" {
					return d.Unlink(ctx, admin, a.ID) == nil
				}
			}
			return false
		}},
		{"unpublish", func(t *testing.T) bool {
			a := pick(live)
			_, err := d.Unpublish(ctx, admin, a.ID)
			return err == nil
		}},
		{"republish", func(t *testing.T) bool {
			a := pick(kolokol.ArticleFilter{Status: kolokol.StatusUnpublished})
			if a == nil {
				return false
			}
			_, err := d.Publish(ctx, admin, a.ID)
			return err == nil
		}},
		{"correct", func(t *testing.T) bool {
			a := pick(live)
			_, err := d.AddCorrection(ctx, admin, a.ID, "A date was wrong.")
			return err == nil
		}},
		{"set a banner", func(t *testing.T) bool {
			return d.SetBreaking(ctx, admin, &kolokol.Breaking{Service: svc(), Text: fmt.Sprint("Breaking ", rng.IntN(1e6)),
				ExpiresAt: clock.now().Add(time.Duration(1+rng.IntN(3)) * time.Hour)}) == nil
		}},
		{"clear a banner", func(t *testing.T) bool {
			return d.ClearBreaking(ctx, admin, svc()) == nil
		}},
		{"let banners expire", func(t *testing.T) bool {
			clock.add(2 * time.Hour)
			return true
		}},
		{"rename a service", func(t *testing.T) bool {
			code := svc()
			cur, _ := st.FindServiceByCode(ctx, code)
			_, err := d.UpdateService(ctx, admin, code, desk.ServicePatch{Name: s(cur.Name + "+")})
			return err == nil
		}},
		{"change a service's settings", func(t *testing.T) bool {
			greg := rng.IntN(2) == 0
			_, err := d.UpdateService(ctx, admin, svc(), desk.ServicePatch{About: s(fmt.Sprint("About ", rng.IntN(1e6))),
				LegalStatus: s("Declared undesirable."), ShowGregorian: &greg, Safety: s("Read in a private window.")})
			return err == nil
		}},
		{"add or change a notice", func(t *testing.T) bool {
			code := svc()
			all, _ := st.FindNotices(ctx, code)
			n := &kolokol.Notice{Service: code, Text: fmt.Sprint("Be careful ", rng.IntN(1e6)), Default: true, Countries: []string{"RU"}}
			if len(all) > 0 && rng.IntN(2) == 0 {
				n.ID = all[0].ID
			}
			return d.SaveNotice(ctx, admin, n) == nil
		}},
		{"remove a notice", func(t *testing.T) bool {
			code := svc()
			all, _ := st.FindNotices(ctx, code)
			if len(all) == 0 {
				return false
			}
			return d.DeleteNotice(ctx, admin, code, all[0].ID) == nil
		}},
		{"move a picture's focal point", func(t *testing.T) bool {
			// Shown as a lead photo or in a body's block: both pages change.
			if a := pick(kolokol.ArticleFilter{Status: kolokol.StatusPublished, ShowsMediaID: 1}); a == nil {
				return false
			}
			_, err := d.SetFocalPoint(ctx, admin, 1, rng.Float64(), rng.Float64())
			return err == nil
		}},
		{"put a photo in a body, or take it out", func(t *testing.T) bool {
			a := pick(live)
			photo := "\n\n```photo\nmedia: 1\nalt: Oracle photo\ncaption: In the body\n```\n"
			if strings.Contains(a.Body, photo) {
				edit(a, desk.ArticlePatch{Body: s(strings.Replace(a.Body, photo, "", 1))})
			} else {
				edit(a, desk.ArticlePatch{Body: s(a.Body + photo)})
			}
			return true
		}},
		{"add a mirror", func(t *testing.T) bool {
			n := rng.IntN(1e6)
			_, err := d.CreateMirror(ctx, admin, kolokol.Mirror{Name: fmt.Sprint("Oracle mirror ", n), Kind: kolokol.MirrorDir,
				Dir: fmt.Sprint("/srv/oracle-", n), PublicURL: fmt.Sprintf("https://m%d.example.net/", n)}, nil)
			return err == nil
		}},
		{"move or retire a mirror", func(t *testing.T) bool {
			all, _ := st.FindMirrors(ctx)
			var live []*kolokol.Mirror
			for _, m := range all {
				if m.Live() {
					live = append(live, m)
				}
			}
			if len(live) == 0 {
				return false
			}
			m := live[rng.IntN(len(live))]
			if rng.IntN(2) == 0 {
				_, err := d.UpdateMirror(ctx, admin, m.ID, desk.MirrorPatch{PublicURL: s(fmt.Sprintf("https://moved%d.example.net/", rng.IntN(1e6)))})
				return err == nil
			}
			_, err := d.RetireMirror(ctx, admin, m.ID)
			return err == nil
		}},
		{"a schedule fires", func(t *testing.T) bool {
			a, err := d.CreateArticle(ctx, admin, desk.ArticleInput{Service: svc(), Headline: fmt.Sprint("Scheduled ", rng.IntN(1e6)), Body: "Text."})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.Schedule(ctx, admin, a.ID, clock.now().Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			clock.add(2 * time.Minute)
			n, err := d.PublishDue(ctx, clock.now())
			return err == nil && n == 1
		}},
	}

	before := renderAll(t, b, st)
	rounds := 40
	wasted, missed := 0, 0
	wastedBy := map[string]int{}
	for i := range rounds {
		op := ops[rng.IntN(len(ops))]
		if i < len(ops) {
			op = ops[i] // every operation at least once
		}
		changes = changes[:0]
		if !op.run(t) {
			continue
		}
		if _, err := follower.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		var tags []string
		for _, c := range changes {
			tags = append(tags, Deps(*c)...)
		}
		now := clock.now()
		after := renderAll(t, b, st)
		invalid := func(path string) bool {
			p, ok := before[path]
			if !ok {
				return true // a new page: nothing was cached
			}
			if !p.ExpiresAt.IsZero() && !now.Before(p.ExpiresAt) {
				return true
			}
			for _, d := range p.Deps {
				if slices.Contains(tags, d) {
					return true
				}
			}
			return false
		}
		for path, p := range after {
			old, existed := before[path]
			same := existed && old.Status == p.Status && bytes.Equal(old.Body, p.Body)
			switch {
			case !same && !invalid(path):
				missed++
				t.Errorf("round %d, %s: %s changed, but its deps %v meet none of %v", i, op.name, path, before[path].Deps, tags)
			case same && invalid(path) && existed:
				wasted++
				wastedBy[op.name]++
			}
		}
		for path, p := range before {
			if _, ok := after[path]; !ok && !invalid(path) {
				t.Errorf("round %d, %s: %s is gone, but its deps %v meet none of %v", i, op.name, path, p.Deps, tags)
			}
		}
		before = after
	}
	t.Logf("%d rounds over %d pages: %d pages changed without being invalidated; %d invalidated without changing (the cost of coarse tags): %v",
		rounds, len(before), missed, wasted, wastedBy)
}
