package render

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kolokol/kolokol/store/sqlite"
)

// BenchmarkRenderPlan lists the plan of the newsroom in $KOLOKOL_BENCH_DATA
// (a data directory, e.g. one `kolokol demo generate --stories 100000`
// filled; bench/plan.sh makes it) and renders every page of it, as an
// export would, a worker a core. It reports pages a second and the
// process's peak resident memory. Without the variable it is skipped: it needs a large newsroom.
func BenchmarkRenderPlan(b *testing.B) {
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
	bl, err := New(st, Options{BaseURL: "https://news.example.org", SiteName: "Kolokol"})
	if err != nil {
		b.Fatal(err)
	}
	var listed, rendered int
	var listing, rendering time.Duration
	for range b.N {
		start := time.Now()
		var paths []string
		for e, err := range bl.Plan(ctx) {
			if err != nil {
				b.Fatal(err)
			}
			listed++
			if e.Kind != KindMedia && e.Kind != KindAsset && e.Kind != KindNotFound {
				paths = append(paths, e.Path)
			}
		}
		listing += time.Since(start)
		// As an export renders: one worker a core.
		start = time.Now()
		var wg sync.WaitGroup
		var failed atomic.Value
		next := atomic.Int64{}
		for range runtime.GOMAXPROCS(0) {
			wg.Go(func() {
				for {
					i := int(next.Add(1)) - 1
					if i >= len(paths) {
						return
					}
					page, err := bl.Build(ctx, paths[i])
					if err == nil && page.Status != 200 {
						err = fmt.Errorf("%s: %d", paths[i], page.Status)
					}
					if err != nil {
						failed.Store(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if err, _ := failed.Load().(error); err != nil {
			b.Fatal(err)
		}
		rendered += len(paths)
		rendering += time.Since(start)
	}
	b.ReportMetric(float64(listed)/float64(b.N), "entries")
	b.ReportMetric(float64(listed)/listing.Seconds(), "entries/s-listed")
	b.ReportMetric(float64(rendered)/rendering.Seconds(), "pages/s-rendered")
	b.ReportMetric(float64(peakRSS())/(1<<20), "MiB-peak-RSS")
}

// peakRSS is the process's peak resident set size (Linux), 0 elsewhere.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
