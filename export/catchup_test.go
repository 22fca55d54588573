package export

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
)

// TestCatchUp: a publish makes every story page of its section show an
// older "more from the section" list. With CatchUp 2, the publish's run
// renders the new story and its lists, but none of those pages: they are
// behind, persisted as such, and taken two at a time, newest first, by
// the runs after it (read from disk in between), until the tree is the
// full export's.
func TestCatchUp(t *testing.T) {
	n := newNewsroom(t)
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "mirror")
	// Five stories in one section of en, oldest first.
	var stories []*kolokol.Article
	for i := range 5 {
		a, err := n.desk.CreateArticle(ctx, admin, desk.ArticleInput{Service: "en", Section: "world",
			Headline: fmt.Sprintf("Catch-up story %d", i), Summary: "A summary.", Body: "Text."})
		if err != nil {
			t.Fatal(err)
		}
		if a, err = n.desk.Publish(ctx, admin, a.ID); err != nil {
			t.Fatal(err)
		}
		stories = append(stories, a)
	}
	e := n.exporter(t, out, Options{CatchUp: 2})
	if res := run(t, e); res.Behind != 0 || !res.Full {
		t.Fatalf("first export: %+v", res)
	}
	shows := func(a *kolokol.Article, headline string) (full, lite bool) {
		t.Helper()
		rel := storyFile(t, a)
		for i, p := range []string{rel, "en/lite/" + strings.TrimPrefix(rel, "en/")} {
			data, err := os.ReadFile(filepath.Join(out, p))
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				full = bytes.Contains(data, []byte(headline))
			} else {
				lite = bytes.Contains(data, []byte(headline))
			}
		}
		return full, lite
	}

	a, err := n.desk.CreateArticle(ctx, admin, desk.ArticleInput{Service: "en", Section: "world",
		Headline: "The newest story of the section", Summary: "A summary.", Body: "Text."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.desk.Publish(ctx, admin, a.ID); err != nil {
		t.Fatal(err)
	}
	res := run(t, e)
	if !res.Signed || res.Full {
		t.Fatalf("the publish's run: %+v", res)
	}
	// The section's other stories' pages, full and lite; more if the
	// demo's own stories are in the section.
	if res.Behind < 2*len(stories) {
		t.Fatalf("%d pages behind after the publish, want at least %d", res.Behind, 2*len(stories))
	}
	if res.NextExpiry.IsZero() || res.NextExpiry.After(n.now.Add(24*365*3600e9)) {
		t.Errorf("next expiry %v with pages behind: the publisher must come back", res.NextExpiry)
	}
	n.verify(t, out, res.Edition)
	if _, err := os.Stat(filepath.Join(out, storyFile(t, a))); err != nil {
		t.Errorf("the new story is not in the publish's edition: %v", err)
	}
	newest, oldest := stories[len(stories)-1], stories[0]
	for _, s := range []*kolokol.Article{newest, oldest} {
		if full, lite := shows(s, a.Headline); full || lite {
			t.Errorf("story %d's pages were rendered in the publish's run (full %v, lite %v)", s.ID, full, lite)
		}
	}

	// The runs after it, each by a new exporter reading the state from
	// disk: two fewer behind each time, each a signed edition that
	// verifies.
	res0 := res
	for left := res.Behind; left > 0; {
		e := n.exporter(t, out, Options{CatchUp: 2})
		res := run(t, e)
		if want := max(left-2, 0); res.Behind != want || !res.Signed || res.Full {
			t.Fatalf("a catch-up run with %d behind: %+v, want %d behind", left, res, want)
		}
		if res.Pages != 2 {
			t.Errorf("a catch-up run rendered %d pages, want 2", res.Pages)
		}
		n.verify(t, out, res.Edition)
		if left == res0.Behind { // the first catch-up run: the newest story's two pages
			if full, lite := shows(newest, a.Headline); !full || !lite {
				t.Errorf("the newest other story's pages were not caught up first: full %v, lite %v", full, lite)
			}
			if full, lite := shows(oldest, a.Headline); full || lite {
				t.Errorf("the oldest story's pages were caught up first (full %v, lite %v)", full, lite)
			}
		}
		left = res.Behind
	}
	if full, lite := shows(oldest, a.Headline); !full || !lite {
		t.Errorf("the oldest story's pages were never caught up: full %v, lite %v", full, lite)
	}
	if res := run(t, n.exporter(t, out, Options{CatchUp: 2})); res.Signed || res.Behind != 0 || !res.NextExpiry.IsZero() && res.NextExpiry.Before(n.now.Add(3600e9)) {
		t.Errorf("a run with nothing behind: %+v", res)
	}
	sameAsFull := func(what string) {
		t.Helper()
		after := manifest(t, out)
		full := filepath.Join(t.TempDir(), "full")
		run(t, n.exporter(t, full, Options{}))
		want := manifest(t, full)
		for _, f := range slices.Sorted(maps.Keys(want)) {
			if after[f] != want[f] {
				t.Errorf("%s: %s: incremental %.12s, full %.12s", what, f, after[f], want[f])
			}
		}
		if len(after) != len(want) {
			t.Errorf("%s: %d files in the incremental export, %d in the full one", what, len(after), len(want))
		}
	}
	sameAsFull("caught up")

	// A story that leaves the list, or moves, is taken off every page
	// that shows it in the publish's own run: nothing is left behind.
	nowhere := func(what, headline string) {
		t.Helper()
		for _, s := range stories[:len(stories)-1] {
			if full, lite := shows(s, headline); full || lite {
				t.Errorf("%s: story %d still shows %q (full %v, lite %v)", what, s.ID, headline, full, lite)
			}
		}
	}
	if _, err := n.desk.Unpublish(ctx, admin, a.ID); err != nil {
		t.Fatal(err)
	}
	if res := run(t, n.exporter(t, out, Options{CatchUp: 2})); res.Behind != 0 || !res.Signed {
		t.Errorf("unpublished: %+v, want nothing behind", res)
	}
	nowhere("unpublished", a.Headline)
	sameAsFull("unpublished")
	retitled := "A new headline, and so a new address"
	if _, err := n.desk.UpdateArticle(ctx, admin, newest.ID, desk.ArticlePatch{Version: newest.Version, Headline: &retitled}); err != nil {
		t.Fatal(err)
	}
	if res := run(t, n.exporter(t, out, Options{CatchUp: 2})); res.Behind != 0 || !res.Signed {
		t.Errorf("retitled: %+v, want nothing behind", res)
	}
	nowhere("retitled", newest.Headline)
	sameAsFull("retitled")
}

// TestCatchUpUnbounded: with no bound, the publish's run renders every
// page the list changed, as a full export would have them.
func TestCatchUpUnbounded(t *testing.T) {
	n := newNewsroom(t)
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "mirror")
	e := n.exporter(t, out, Options{CatchUp: -1})
	run(t, e)
	for i := range 4 {
		a, err := n.desk.CreateArticle(ctx, admin, desk.ArticleInput{Service: "en", Section: "world",
			Headline: fmt.Sprintf("Unbounded story %d", i), Summary: "A summary.", Body: "Text."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.desk.Publish(ctx, admin, a.ID); err != nil {
			t.Fatal(err)
		}
		if res := run(t, e); res.Behind != 0 || !res.NextExpiry.IsZero() && res.NextExpiry.Before(n.now.Add(3600e9)) {
			t.Fatalf("publish %d: %+v", i, res)
		}
	}
	full := filepath.Join(t.TempDir(), "full")
	run(t, n.exporter(t, full, Options{}))
	if got, want := manifest(t, out), manifest(t, full); !maps.Equal(got, want) {
		t.Errorf("the incremental export is not the full one: %d and %d files", len(got), len(want))
	}
}
