package render

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/store/sqlite"
)

// BenchmarkFeed100k renders the feeds and sitemaps of the largest service
// of the newsroom in $KOLOKOL_BENCH_DATA (bench/plan.sh makes one of
// 100,000 stories: `kolokol demo generate --stories 100000`), as the page
// cache or an export renders them after a change. "warm" is a Builder that
// has converted the stories' bodies before (a server's, which keeps
// them); "cold" a new one each time (an export's first pass). Skipped
// without the variable.
func BenchmarkFeed100k(b *testing.B) {
	dir := os.Getenv("KOLOKOL_BENCH_DATA")
	if dir == "" {
		b.Skip("set KOLOKOL_BENCH_DATA to a data directory (bench/plan.sh)")
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "kolokol.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	services, err := st.FindServices(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var svc string
	var most int
	for _, s := range services {
		n, err := st.CountArticles(ctx, kolokol.ArticleFilter{Service: s.Code, Status: kolokol.StatusPublished})
		if err != nil {
			b.Fatal(err)
		}
		if n > most {
			svc, most = s.Code, n
		}
	}
	b.Logf("service %s: %d live stories", svc, most)
	opts := Options{BaseURL: "https://news.example.org", SiteName: "Kolokol"}
	warm, err := New(st, opts)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, path string }{
		{"rss", "/" + svc + "/feed.xml"},
		{"atom", "/" + svc + "/atom.xml"},
		{"json", "/" + svc + "/feed.json"},
		{"news-sitemap", "/" + svc + "/news-sitemap.xml"},
		{"sitemap-1", "/" + svc + "/sitemap-1.xml"},
		{"sitemap-index", SitemapIndexPath},
	} {
		b.Run(c.name+"-warm", func(b *testing.B) {
			var size int
			for b.Loop() {
				p, err := warm.Build(ctx, c.path)
				if err != nil || p.Status != 200 {
					b.Fatalf("%s: %v %v", c.path, err, p)
				}
				size = len(p.Body)
			}
			b.ReportMetric(float64(size), "bytes")
		})
	}
	b.Run("rss-cold", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			cold, err := New(st, opts)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if _, err := cold.Build(ctx, "/"+svc+"/feed.xml"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
