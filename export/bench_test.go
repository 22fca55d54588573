package export

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
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
	e, err := New(st, blobs, Options{Out: out, StateDir: filepath.Join(filepath.Dir(out), "state-"+filepath.Base(out)), Signer: signer,
		Render: render.Options{BaseURL: "https://news.example.org", SiteName: "Kolokol"}})
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
