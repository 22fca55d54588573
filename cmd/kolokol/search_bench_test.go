package main

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/search"
)

// TestSearchLatency measures query latency on a generated corpus, when
// KOLOKOL_SEARCH_BENCH names its data directory (made by kolokol demo
// generate, indexed by kolokol reindex): p50 and p95 of one- and
// three-word queries, for the README's figures.
func TestSearchLatency(t *testing.T) {
	data := os.Getenv("KOLOKOL_SEARCH_BENCH")
	if data == "" {
		t.Skip("set KOLOKOL_SEARCH_BENCH to a data directory with an index")
	}
	ctx := context.Background()
	store, err := openStore(ctx, data, "", false)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ix, err := search.Open(search.Dir(data), store, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	// Queries are words of the corpus's own headlines, per service.
	var one, three []search.Query
	ss, err := store.FindServices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		as, err := store.FindArticles(ctx, kolokol.ArticleFilter{Service: s.Code, Status: kolokol.StatusPublished, Limit: 20, WithoutBody: true})
		if err != nil {
			t.Fatal(err)
		}
		an := search.NewAnalyzer(search.ServiceLanguage(s))
		for _, a := range as {
			toks := an.Tokens(a.Headline)
			if len(toks) < 3 {
				continue
			}
			w := func(i int) string { return a.Headline[toks[i].Start:toks[i].End] }
			one = append(one, search.Query{Text: w(0), Services: []string{s.Code}, Status: kolokol.StatusPublished, Limit: 11})
			three = append(three, search.Query{Text: w(0) + " " + w(1) + " " + w(2), Services: []string{s.Code}, Status: kolokol.StatusPublished, Limit: 11})
		}
	}
	n, _ := ix.Count()
	for _, c := range []struct {
		name string
		qs   []search.Query
	}{{"one word", one}, {"three words", three}} {
		var ds []time.Duration
		for range 3 {
			for _, q := range c.qs {
				start := time.Now()
				if _, err := ix.Search(ctx, q); err != nil {
					t.Fatal(err)
				}
				ds = append(ds, time.Since(start))
			}
		}
		slices.Sort(ds)
		t.Logf("%d stories, %s: %d queries, p50 %v, p95 %v", n, c.name, len(ds), ds[len(ds)/2], ds[len(ds)*95/100])
	}
}
