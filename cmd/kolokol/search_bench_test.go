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

// BenchmarkSearchLatency measures query latency on a generated corpus in
// the data directory $KOLOKOL_SEARCH_BENCH (made by kolokol demo generate,
// indexed by kolokol reindex; bench/search.sh): p50 and p95 of one- and
// three-word queries made of the corpus's headline words, each query
// asked three times, one at a time.
//
//	KOLOKOL_SEARCH_BENCH=DIR go test -run '^$' -bench SearchLatency -benchtime 1x ./cmd/kolokol
func BenchmarkSearchLatency(b *testing.B) {
	data := os.Getenv("KOLOKOL_SEARCH_BENCH")
	if data == "" {
		b.Skip("set KOLOKOL_SEARCH_BENCH to a data directory with an index (bench/search.sh)")
	}
	t := b
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
	b.ReportMetric(float64(n), "stories")
	for b.Loop() {
		for _, c := range []struct {
			name string
			qs   []search.Query
		}{{"1word", one}, {"3words", three}} {
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
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
			b.ReportMetric(ms(ds[len(ds)/2]), c.name+"-p50-ms")
			b.ReportMetric(ms(ds[len(ds)*95/100]), c.name+"-p95-ms")
			b.ReportMetric(float64(len(ds)), c.name+"-queries")
		}
	}
}
