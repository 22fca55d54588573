package corpus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/demo"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/store/sqlite"
)

// at is the moment the test corpora are written at.
var at = time.Date(2025, time.June, 1, 12, 0, 0, 0, time.UTC)

// newsroom opens a store in a new data directory with the built-in
// services, and a desk whose media pipeline makes small renditions.
func newsroom(tb testing.TB) (*sqlite.Store, *desk.Desk) {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "kolokol.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	blobs, err := media.NewDir(filepath.Join(dir, "media"))
	if err != nil {
		tb.Fatal(err)
	}
	images, err := media.NewProcessor(media.Options{Widths: []int{320}, Ratios: []media.Ratio{media.Ratio16x9}})
	if err != nil {
		tb.Fatal(err)
	}
	d := desk.New(store, blobs, images, nil)
	specs, err := demo.Services()
	if err != nil {
		tb.Fatal(err)
	}
	if _, _, err := d.ImportServices(ctx, actor, specs); err != nil {
		tb.Fatal(err)
	}
	return store, d
}

// BenchmarkGenerate writes 10,000 stories into a new newsroom per
// iteration, photos included, and reports stories per second.
func BenchmarkGenerate(b *testing.B) {
	const n = 10_000
	for range b.N {
		b.StopTimer()
		store, d := newsroom(b)
		b.StartTimer()
		if _, err := Generate(b.Context(), store, d, Options{Stories: n, Seed: 1, Now: at}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "stories/s")
}

// dump is every story of a store, oldest first, with its corrections and
// revisions, as JSON: two corpora are the same when their dumps are.
func dump(t *testing.T, store kolokol.Store) ([]*kolokol.Article, []byte) {
	t.Helper()
	ctx := t.Context()
	var all []*kolokol.Article
	var revs [][]*kolokol.Revision
	f := kolokol.ArticleFilter{Limit: 500}
	for {
		list, err := store.FindArticles(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 0 {
			break
		}
		for _, a := range list {
			full, err := store.FindArticleByID(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			r, err := store.FindRevisions(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			all, revs = append(all, full), append(revs, r)
		}
		f.Before = list[len(list)-1].ID
	}
	slices.Reverse(all)
	slices.Reverse(revs)
	b, err := json.Marshal(struct {
		Articles  []*kolokol.Article
		Revisions [][]*kolokol.Revision
	}{all, revs})
	if err != nil {
		t.Fatal(err)
	}
	return all, b
}

func TestDeterministic(t *testing.T) {
	gen := func(seed uint64) (*Result, []byte) {
		store, d := newsroom(t)
		res, err := Generate(t.Context(), store, d, Options{Stories: 300, Seed: seed, Now: at, Photos: 2})
		if err != nil {
			t.Fatal(err)
		}
		_, b := dump(t, store)
		return res, b
	}
	res1, a := gen(7)
	res2, b := gen(7)
	if !bytes.Equal(a, b) {
		i := 0
		for i < min(len(a), len(b)) && a[i] == b[i] {
			i++
		}
		t.Fatalf("two corpora of seed 7 differ from byte %d:\n%s\n%s", i, a[max(0, i-80):min(len(a), i+80)], b[max(0, i-80):min(len(b), i+80)])
	}
	if !reflect.DeepEqual(res1, res2) {
		t.Errorf("results differ: %+v, %+v", res1, res2)
	}
	if _, c := gen(8); bytes.Equal(a, c) {
		t.Error("seeds 7 and 8 made the same corpus")
	}
}

// TestCorpus generates 500 stories and checks that they are what the
// benchmarks need: every service, in its own script, every status, groups,
// corrections, photos and Markdown of every kind, all of it valid.
func TestCorpus(t *testing.T) {
	store, d := newsroom(t)
	ctx := t.Context()
	res, err := Generate(ctx, store, d, Options{Stories: 500, Seed: 1, Now: at, Photos: 3})
	if err != nil {
		t.Fatal(err)
	}
	stories, _ := dump(t, store)
	if len(stories) != 500 || res.Stories != 500 || res.FirstID != stories[0].ID || res.LastID != stories[499].ID {
		t.Fatalf("%d stories stored, result %+v", len(stories), res)
	}
	services, err := store.FindServices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	script := map[string]string{}
	sections := map[string][]string{}
	for _, s := range services {
		script[s.Code] = s.Script
		secs, err := store.FindSections(ctx, s.Code)
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range secs {
			sections[s.Code] = append(sections[s.Code], sec.Slug)
		}
	}
	perService := map[string]int{}
	status := map[string]int{}
	groups := map[string][]string{}
	media := map[int64]bool{}
	var corrected, photos int
	markdown := map[string]int{}
	for _, a := range stories {
		perService[a.Service]++
		kind := string(a.Status)
		if !a.SubmittedAt.IsZero() && a.Status == kolokol.StatusDraft {
			kind = "submitted"
		}
		status[kind]++
		if err := a.Validate(); err != nil {
			t.Errorf("story %d: %v", a.ID, err)
		}
		// Every word in the service's script, link addresses aside.
		texts := append([]string{a.Headline, a.Summary, markdownLink.ReplaceAllString(a.Body, "]"), a.Dateline}, a.Bylines...)
		texts = append(texts, a.Tags...)
		if a.LeadImage != nil {
			texts = append(texts, a.LeadImage.Alt, a.LeadImage.Caption)
		}
		for _, c := range a.Corrections {
			texts = append(texts, c.Text)
		}
		for _, text := range texts {
			if !InScript(text, script[a.Service]) {
				t.Errorf("story %d of %s: %q is not all in %s", a.ID, a.Service, text, script[a.Service])
			}
		}
		if !strings.ContainsFunc(a.Headline, unicode.IsLetter) {
			t.Errorf("story %d: headline %q has no letters", a.ID, a.Headline)
		}
		if a.Section != "" && !slices.Contains(sections[a.Service], a.Section) {
			t.Errorf("story %d: section %q is not one of %s's", a.ID, a.Section, a.Service)
		}
		switch a.Status {
		case kolokol.StatusPublished, kolokol.StatusUnpublished:
			if a.PublishedAt.After(at) || a.PublishedAt.Before(at.Add(-DefaultSpan)) {
				t.Errorf("story %d published at %v, not in the %v before %v", a.ID, a.PublishedAt, DefaultSpan, at)
			}
		case kolokol.StatusScheduled:
			if !a.ScheduledAt.After(at) {
				t.Errorf("story %d scheduled for %v, not after %v", a.ID, a.ScheduledAt, at)
			}
		}
		if a.CreatedAt.After(a.UpdatedAt) || a.UpdatedAt.After(at) {
			t.Errorf("story %d created %v, updated %v (now %v)", a.ID, a.CreatedAt, a.UpdatedAt, at)
		}
		if a.TranslationGroup != "" {
			groups[a.TranslationGroup] = append(groups[a.TranslationGroup], a.Service)
		}
		if len(a.Corrections) > 0 {
			corrected++
			if !a.IsLive() && a.Status != kolokol.StatusUnpublished {
				t.Errorf("story %d is %s and has corrections", a.ID, a.Status)
			}
			for _, c := range a.Corrections {
				if c.CreatedAt.Before(a.PublishedAt) || c.CreatedAt.After(at) {
					t.Errorf("story %d: correction of %v, published %v", a.ID, c.CreatedAt, a.PublishedAt)
				}
			}
		}
		if li := a.LeadImage; li != nil {
			photos++
			media[li.MediaID] = true
			if li.Alt == "" || !slices.Contains(res.Media, li.MediaID) {
				t.Errorf("story %d: lead image %+v", a.ID, li)
			}
		}
		for _, mark := range []string{"\n## ", "\n> ", "\n- ", "](", "**"} {
			if strings.Contains(a.Body, mark) {
				markdown[mark]++
			}
		}
	}
	for _, s := range services {
		if perService[s.Code] == 0 {
			t.Errorf("service %s got no stories", s.Code)
		}
	}
	for _, kind := range []string{"published", "unpublished", "draft", "submitted", "scheduled"} {
		if status[kind] == 0 {
			t.Errorf("no %s stories: %v", kind, status)
		}
	}
	if status["published"] < 350 {
		t.Errorf("%d of 500 stories published; a newsroom publishes most", status["published"])
	}
	for g, members := range groups {
		if len(members) < 2 || len(slices.Compact(slices.Sorted(slices.Values(members)))) != len(members) {
			t.Errorf("translation group %s: services %v, want several, each once", g, members)
		}
	}
	if len(groups) < 5 || corrected < 5 || photos < 100 || len(media) != 3 {
		t.Errorf("%d groups, %d corrected stories, %d with photos showing %d media", len(groups), corrected, photos, len(media))
	}
	if len(markdown) != 5 {
		t.Errorf("Markdown used: %v", markdown)
	}
	if res.Groups != len(groups) || res.Corrected != corrected || res.WithPhoto != photos || res.ByStatus[kolokol.StatusScheduled] != status["scheduled"] {
		t.Errorf("result %+v does not count what was stored", res)
	}

	// A second corpus adds to the newsroom: new ids, groups of its own.
	more, err := Generate(ctx, store, d, Options{Stories: 100, Seed: 1, Now: at, Photos: 3})
	if err != nil {
		t.Fatal(err)
	}
	if more.FirstID <= res.LastID || !slices.Equal(more.Media, res.Media) {
		t.Errorf("second corpus: %+v after %+v", more, res)
	}
	all, _ := dump(t, store)
	for _, a := range all[500:] {
		if _, ok := groups[a.TranslationGroup]; ok {
			t.Errorf("story %d of the second corpus joined group %s of the first", a.ID, a.TranslationGroup)
		}
	}
	entries, err := store.FindAudit(ctx, kolokol.AuditFilter{Action: "demo.generate", Service: "ka"})
	if err != nil || len(entries) != 2 || entries[0].Detail != fmt.Sprintf("100 of 100 synthetic stories (seed 1), ids %d to %d", more.FirstID, more.LastID) {
		t.Errorf("audit of the two corpora, as the ka service sees it: %+v, %v", entries, err)
	}
}

func TestRefusals(t *testing.T) {
	store, d := newsroom(t)
	for _, opt := range []Options{
		{Stories: 0, Now: at}, {Stories: -1, Now: at}, {Stories: MaxStories + 1, Now: at},
		{Stories: 10}, {Stories: 10, Now: at, Span: time.Minute}, {Stories: 10, Now: at, Photos: -1},
	} {
		if _, err := Generate(t.Context(), store, d, opt); kolokol.ErrorCode(err) != kolokol.EINVALID {
			t.Errorf("Generate(%+v): %v, want it refused", opt, err)
		}
	}
	if n, err := store.CountArticles(t.Context(), kolokol.ArticleFilter{}); n != 0 || err != nil {
		t.Errorf("refusals stored %d stories (%v)", n, err)
	}
	empty, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "kolokol.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	if _, err := Generate(t.Context(), empty, d, Options{Stories: 10, Now: at}); kolokol.ErrorCode(err) != kolokol.EINVALID {
		t.Errorf("a newsroom without services: %v", err)
	}
}

// TestInScript pins the script check the corpus is held to.
func TestInScript(t *testing.T) {
	for _, c := range []struct {
		text, script string
		want         bool
	}{
		{"ბორანი დაბრუნდა", "Geor", true},
		{"Паром вернулся", "Cyrl", true},
		{"Паром returned", "Cyrl", false},
		{"کشتی\u200cها بازگشتند.", "Arab", true},
		{"Լաստանավը վերադարձավ։", "Armn", true},
		{"oʻzbekcha taʼlim", "Latn", true},
		{"Cross 12, AFP", "Latn", true},
		{"ბორანი ferry", "Geor", false},
		{"ferry", "Zzzz", false},
	} {
		if got := InScript(c.text, c.script); got != c.want {
			t.Errorf("InScript(%q, %s) = %v", c.text, c.script, got)
		}
	}
}

// TestInterrupted stops a corpus after its first batch: that batch stays,
// whole, and is audited; nothing after it is stored.
func TestInterrupted(t *testing.T) {
	store, d := newsroom(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	_, err := Generate(ctx, store, d, Options{Stories: 3 * batchSize, Now: at, Photos: 1, Progress: func(int) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Generate: %v, want it cancelled", err)
	}
	if n, err := store.CountArticles(t.Context(), kolokol.ArticleFilter{}); n != batchSize || err != nil {
		t.Errorf("%d stories stored (%v), want the first batch of %d", n, err, batchSize)
	}
	entries, err := store.FindAudit(t.Context(), kolokol.AuditFilter{Action: "demo.generate"})
	if err != nil || len(entries) != 1 || !strings.HasPrefix(entries[0].Detail, fmt.Sprintf("%d of %d ", batchSize, 3*batchSize)) {
		t.Errorf("audit of the interrupted run: %+v, %v", entries, err)
	}
}
