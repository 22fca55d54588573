package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

// BenchmarkStoreP99 measures the store's everyday operations on a large
// newsroom already in PostgreSQL, $KOLOKOL_BENCH_PG (bench/pg1m.sh loads
// 1,000,000 stories with kolokol demo generate): a publication (a draft
// made live, with its revision and change), a story by id, and a
// service's 50 newest. It reports the 50th and 99th percentiles of each.
//
//	KOLOKOL_BENCH_PG=postgres://… go test -run '^$' -bench StoreP99 -benchtime 1x ./store/postgres
func BenchmarkStoreP99(b *testing.B) {
	dsn := os.Getenv("KOLOKOL_BENCH_PG")
	if dsn == "" {
		b.Skip("set KOLOKOL_BENCH_PG to a database loaded with a corpus (bench/pg1m.sh)")
	}
	ctx := context.Background()
	s, err := Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var maxID int64
	if err := s.db.QueryRowContext(ctx, `SELECT max(id) FROM articles`).Scan(&maxID); err != nil {
		b.Fatal(err)
	}
	services, err := s.FindServices(ctx)
	if err != nil || len(services) == 0 {
		b.Fatal("no services", err)
	}
	const n = 2000
	rng := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		get := measure(n, func(int) error {
			_, err := s.FindArticleByID(ctx, 1+rng.Int64N(maxID))
			if kolokol.IsNotFound(err) {
				return nil
			}
			return err
		})
		latest := measure(n, func(i int) error {
			_, err := s.FindArticles(ctx, kolokol.ArticleFilter{Service: services[i%len(services)].Code, Status: kolokol.StatusPublished, Limit: 50})
			return err
		})
		drafts := make([]*kolokol.Article, n)
		for i := range drafts {
			a := &kolokol.Article{Service: services[i%len(services)].Code, Headline: fmt.Sprint("Bench story ", i, " ", time.Now().UnixNano()),
				Body: "A paragraph.\n\nAnother.", Status: kolokol.StatusDraft}
			a.Normalize()
			if err := s.CreateArticle(ctx, a); err != nil {
				b.Fatal(err)
			}
			drafts[i] = a
		}
		publish := measure(n, func(i int) error {
			a := drafts[i]
			a.Status, a.PublishedAt = kolokol.StatusPublished, time.Now().UTC()
			return s.UpdateArticle(ctx, a)
		})
		for name, d := range map[string][]time.Duration{"get": get, "latest50": latest, "publish": publish} {
			b.ReportMetric(ms(d[len(d)/2]), name+"-p50-ms")
			b.ReportMetric(ms(d[len(d)*99/100]), name+"-p99-ms")
		}
	}
}

// measure runs op n times and returns the times, sorted.
func measure(n int, op func(i int) error) []time.Duration {
	d := make([]time.Duration, n)
	for i := range d {
		start := time.Now()
		if err := op(i); err != nil {
			panic(err)
		}
		d[i] = time.Since(start)
	}
	slices.Sort(d)
	return d
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
