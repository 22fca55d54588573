package desk

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkIngest10k ingests a batch of 10,000 ninjs text items, a file
// each, into one service's queue on a real SQLite file: items/s is the
// figure the issue asks for.
//
//	go test -run '^$' -bench Ingest10k -benchtime 1x ./desk
func BenchmarkIngest10k(b *testing.B) {
	const n = 10_000
	files := make([][]byte, n)
	for i := range files {
		files[i] = ninjs(fmt.Sprintf("urn:bench:%d", i), "1", fmt.Sprintf("Новость номер %d", i),
			"<p>Первый абзац новости, в котором есть несколько слов.</p><p>Второй абзац, чуть длиннее первого, с <a href=\"https://example.org/\">ссылкой</a>.</p>", time.Time{})
	}
	for b.Loop() {
		b.StopTimer()
		f := newScoped(b)
		b.StartTimer()
		start := time.Now()
		for i, data := range files {
			if res := f.Ingest(b.Context(), ruReporter, "ru", fmt.Sprint(i), data, nil); res.Err != nil {
				b.Fatal(res.Err)
			}
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "items/s")
	}
}
