package media

import (
	"fmt"
	"github.com/kolokol/kolokol/media/mediatest"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// camera12MP is a 4000×3000 photo-like JPEG at camera quality (92) with
// GPS EXIF, XMP, IPTC and ICC: what a reporter's camera uploads.
var camera12MP = sync.OnceValue(func() []byte {
	return mediatest.CameraJPEG(panicTB{}, photo(4000, 3000, 42), 1)
})

// crowd12MP is the same at its busiest: a crowd filling the foreground.
var crowd12MP = sync.OnceValue(func() []byte {
	return mediatest.CameraJPEG(panicTB{}, crowdPhoto(4000, 3000, 42), 1)
})

// panicTB lets helpers that take a testing.TB run inside sync.OnceValue.
type panicTB struct{ testing.TB }

func (panicTB) Helper()           {}
func (panicTB) Fatal(args ...any) { panic(fmt.Sprint(args...)) }
func (panicTB) Fatalf(f string, args ...any) {
	panic(fmt.Sprintf(f, args...))
}

// TestBandwidthBudget holds the defaults to the budget: for a news
// photo, the 640-wide 16:9 WebP is at most 40 KB and the 320-wide at most
// 15 KB. It is a size budget, so it is asserted; timings are not.
func TestBandwidthBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("processes two 12-megapixel photos")
	}
	if b := WebPBudget(640, 360); b != 40<<10 {
		t.Errorf("budget at 640×360 is %d", b)
	}
	if b := WebPBudget(320, 180); b < 15<<10-1 || b > 15<<10 {
		t.Errorf("budget at 320×180 is %d", b)
	}
	p := newProcessor(t, Options{})
	for name, data := range map[string][]byte{"street": camera12MP(), "crowd": crowd12MP()} {
		res, err := p.Process(t.Context(), data, Centre)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: upload %d KB, master %dx%d %d KB (JPEG q%d)", name, len(data)>>10, res.Master.Width, res.Master.Height, len(res.Master.Data)>>10, res.Master.Quality)
		for _, r := range res.Renditions {
			if r.Ratio == "16:9" {
				t.Logf("%s 16:9 %4dx%-4d %-4s q%d: %6.1f KB (%.2f bits/pixel)", name, r.Width, r.Height, r.Format, r.Quality, float64(len(r.Data))/1024, float64(8*len(r.Data))/float64(r.Width*r.Height))
			}
			// KOLOKOL_MEDIA_SAMPLES=dir keeps the budgeted renditions for a person
			// to look at (docs/media-samples holds a set).
			if dir := os.Getenv("KOLOKOL_MEDIA_SAMPLES"); dir != "" && r.Ratio == "16:9" && (r.Width == 640 || r.Width == 320) {
				ext := map[string]string{FormatWebP: ".webp", FormatJPEG: ".jpg"}[r.Format]
				file := filepath.Join(dir, fmt.Sprintf("%s-16x9-%d-q%d%s", name, r.Width, r.Quality, ext))
				if err := os.WriteFile(file, r.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if r.Format == FormatWebP && (r.Width == 640 || r.Width == 320) && len(r.Data) > WebPBudget(r.Width, r.Height) {
				t.Errorf("%s %s WebP at %dx%d is %d bytes; the budget is %d", name, r.Ratio, r.Width, r.Height, len(r.Data), WebPBudget(r.Width, r.Height))
			}
		}
	}
}

// BenchmarkProcess12MP makes every rendition of a 12-megapixel camera JPEG
// with the default settings (2 workers), reporting renditions a second and
// the peak of the Go heap in use while processing (sampled every 5 ms; the
// WebP encoder's WebAssembly memory is on that heap).
func BenchmarkProcess12MP(b *testing.B) {
	data := camera12MP()
	p := newProcessor(b, Options{})
	if _, err := p.Process(b.Context(), data, Centre); err != nil { // warm the WASM compiler
		b.Fatal(err)
	}
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		res, err := p.Process(b.Context(), data, Centre)
		if err != nil {
			b.Fatal(err)
		}
		n += len(res.Renditions)
	}
	elapsed := b.Elapsed()
	close(stop)
	<-done
	b.ReportMetric(float64(n)/elapsed.Seconds(), "renditions/s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(base.HeapInuse)/(1<<20), "idle-heap-MB")
}
