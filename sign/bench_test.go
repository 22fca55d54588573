package sign

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkVerifyDir verifies the export in $KOLOKOL_BENCH_TREE (made by
// `kolokol export`) with the key of $KOLOKOL_BENCH_DATA, as a reader's
// check does: every file read and hashed, the tree listed.
//
//	KOLOKOL_BENCH_TREE=/tmp/site KOLOKOL_BENCH_DATA=/tmp/data go test -run '^$' -bench VerifyDir -benchtime 3x ./sign
func BenchmarkVerifyDir(b *testing.B) {
	tree, data := os.Getenv("KOLOKOL_BENCH_TREE"), os.Getenv("KOLOKOL_BENCH_DATA")
	if tree == "" || data == "" {
		b.Skip("set KOLOKOL_BENCH_TREE to an export and KOLOKOL_BENCH_DATA to its data directory")
	}
	keys, err := LoadKeyring(data)
	if err != nil {
		b.Fatal(err)
	}
	var files int
	for range b.N {
		r, err := Verify(context.Background(), Dir(filepath.Clean(tree)), Options{Keys: keys})
		if err != nil {
			b.Fatal(err)
		}
		files = r.Files
	}
	b.ReportMetric(float64(files), "files")
}
