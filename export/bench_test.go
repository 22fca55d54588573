package export

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/render"
	"github.com/kolokol/kolokol/sign"
	"github.com/kolokol/kolokol/store/sqlite"
)

// benchNewsroom opens the newsroom in $KOLOKOL_BENCH_DATA (a data
// directory `kolokol demo generate` filled; bench/export.sh makes one).
func benchNewsroom(b *testing.B) (*sqlite.Store, *media.Dir, *sign.Signer) {
	dir := os.Getenv("KOLOKOL_BENCH_DATA")
	if dir == "" {
		b.Skip("set KOLOKOL_BENCH_DATA to a data directory (bench/export.sh)")
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "kolokol.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	blobs, err := media.NewDir(filepath.Join(dir, "media"))
	if err != nil {
		b.Fatal(err)
	}
	signer, err := sign.LoadSigner(b.TempDir(), time.Now())
	if err != nil {
		b.Fatal(err)
	}
	return st, blobs, signer
}

func benchExporter(b *testing.B, st *sqlite.Store, blobs *media.Dir, signer *sign.Signer, out string) *Exporter {
	var log *slog.Logger
	if os.Getenv("KOLOKOL_BENCH_DEBUG") != "" { // where a run's time goes
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	e, err := New(st, blobs, Options{Out: out, StateDir: filepath.Join(filepath.Dir(out), "state-"+filepath.Base(out)), Signer: signer,
		Render: render.Options{BaseURL: "https://news.example.org", SiteName: "Kolokol"}, Log: log})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkExportFull exports the whole newsroom into an empty directory.
func BenchmarkExportFull(b *testing.B) {
	st, blobs, signer := benchNewsroom(b)
	var files int
	for i := range b.N {
		out := filepath.Join(b.TempDir(), "out")
		_ = i
		res, err := benchExporter(b, st, blobs, signer, out).Run(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		files = res.Files
	}
	b.ReportMetric(float64(files), "files")
}

var _ kolokol.Pages = (*view)(nil)

// BenchmarkStateLoadSave reads and writes the state of a large export:
// $KOLOKOL_BENCH_STATE is its state directory (DATA/exports/KEY after
// bench/export.sh 100000 with KEEP=1; a state of the former gob format is
// read as such, then written and read in the present one).
func BenchmarkStateLoadSave(b *testing.B) {
	dir := os.Getenv("KOLOKOL_BENCH_STATE")
	if dir == "" {
		b.Skip("set KOLOKOL_BENCH_STATE to an export's state directory")
	}
	st, ok, err := readState(dir)
	if err != nil {
		b.Fatal(err)
	}
	if !ok {
		st = &state{}
		if ok, err := readGob(dir, stateFile, st); !ok || err != nil {
			b.Fatal("no state: ", err)
		}
		st.Version = stateVersion
	}
	tmp := b.TempDir()
	if err := st.save(tmp); err != nil {
		b.Fatal(err)
	}
	if st, err = loadState(tmp, st.Out); err != nil { // as a run has it
		b.Fatal(err)
	}
	b.Run("load", func(b *testing.B) {
		for range b.N {
			got, err := loadState(tmp, st.Out)
			if err != nil || len(got.Files) != len(st.Files) {
				b.Fatal(len(got.Files), err)
			}
		}
		b.ReportMetric(float64(len(st.Files)), "files")
	})
	b.Run("save", func(b *testing.B) {
		for range b.N {
			if err := st.save(tmp); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkExportIncremental publishes one story through the desk, then
// times the incremental export that follows, into the export in
// $KOLOKOL_BENCH_OUT (kept between runs: the first run exports everything,
// untimed). The newsroom is $KOLOKOL_BENCH_DATA, which it changes: give it
// a copy. The build's fingerprint is fixed, so that a rebuilt test binary
// does not make the kept export start over. KOLOKOL_BENCH_SERVE=1 keeps
// one exporter for every run, as `serve`'s mirror publisher does, rather
// than making a new one (a new `kolokol export` process) each time:
//
//	KOLOKOL_BENCH_DATA=/tmp/copy KOLOKOL_BENCH_OUT=/tmp/out go test -run '^$' -bench ExportIncremental -benchtime 5x -cpuprofile /tmp/cpu.prof ./export
func BenchmarkExportIncremental(b *testing.B) {
	out := os.Getenv("KOLOKOL_BENCH_OUT")
	if out == "" {
		b.Skip("set KOLOKOL_BENCH_OUT to the folder of an export to keep between runs")
	}
	st, blobs, _ := benchNewsroom(b)
	signer, err := sign.LoadSigner(os.Getenv("KOLOKOL_BENCH_DATA"), time.Now())
	if err != nil {
		b.Fatal(err)
	}
	executableHash = func() (string, error) { return "benchmark", nil }
	ctx := context.Background()
	e := benchExporter(b, st, blobs, signer, out)
	// settle runs until no page is behind, as the publisher does a second
	// after each run: the publishes timed come to a caught-up tree.
	settle := func() {
		for {
			res, err := e.Run(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if res.Behind == 0 {
				return
			}
		}
	}
	settle()
	d := desk.New(st, blobs, nil, nil)
	actor := kolokol.Actor{Name: "bench", Role: kolokol.RoleAdmin}
	sections, err := st.FindSections(ctx, "en")
	if err != nil || len(sections) == 0 {
		b.Fatal("no sections in en: ", err)
	}
	var took, settled time.Duration
	for i := range b.N {
		b.StopTimer()
		a, err := d.CreateArticle(ctx, actor, desk.ArticleInput{Service: "en", Section: sections[0].Slug,
			Headline: fmt.Sprintf("Benchmark story %d of %s", i, time.Now().UTC().Format(time.RFC3339Nano)),
			Summary:  "One story, published to measure the incremental export that follows.",
			Body:     "The export after this publish renders only the pages it touches.\n\nA second paragraph."})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.Publish(ctx, actor, a.ID); err != nil {
			b.Fatal(err)
		}
		// A new exporter, as a new `kolokol export` process has: it reads
		// the state from disk. With KOLOKOL_BENCH_SERVE set, the same one,
		// as serve's mirror publisher keeps.
		if os.Getenv("KOLOKOL_BENCH_SERVE") == "" {
			e = benchExporter(b, st, blobs, signer, out)
		}
		b.StartTimer()
		start := time.Now()
		res, err := e.Run(ctx)
		if err != nil {
			b.Fatal(err)
		}
		took += time.Since(start)
		if res.Full || !res.Signed {
			b.Fatalf("not an incremental edition: %+v", *res)
		}
		b.StopTimer()
		b.Logf("%+v", *res)
		start = time.Now()
		settle()
		settled += time.Since(start)
		b.StartTimer()
	}
	b.ReportMetric(float64(took.Milliseconds())/float64(b.N), "ms/export")
	// Then the pages the publish left behind, caught up by the runs after
	// it back to back (the publisher waits a second between them).
	b.ReportMetric(float64(settled.Milliseconds())/float64(b.N), "ms-behind/export")
}
