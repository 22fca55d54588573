package wire

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParseNinjs reads one ninjs 2.x text item, DPA's published
// example (4 KiB, an HTML body of nine paragraphs), as ingest reads each of
// a batch: the issue asks for the throughput of 10,000 such items.
func BenchmarkParseNinjs(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(fixtureDir(b), "ninjs", "examples", "2.1", "dpa_text.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		items, err := Parse(data)
		if err != nil || len(items) != 1 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
}
