package media

import (
	"context"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

func addSeeds(f *testing.F) {
	for _, data := range seedImages(f) {
		f.Add(data)
	}
	f.Add(pngHeader(100000, 100000, 8, 2))
	f.Add(pngHeader(300, 300, 16, 6))
	f.Add(progressiveBomb(3))
	f.Add(animatedWebP())
	f.Add([]byte("<svg><script>alert(1)</script></svg>"))
	f.Add([]byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"))
}

// userError reports whether err is one a user may see: every refusal of
// bad input must say what is wrong, never "internal error".
func userError(err error) bool {
	c := kolokol.ErrorCode(err)
	return c == kolokol.EINVALID || c == kolokol.ETOOLARGE
}

// FuzzInspect: header checks never panic, and what they accept has a size.
func FuzzInspect(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Inspect(data)
		if err != nil {
			if !userError(err) {
				t.Fatalf("not a user error: %v", err)
			}
			return
		}
		if m.Width < 1 || m.Height < 1 || m.Width*m.Height > MaxPixels {
			t.Fatalf("accepted %dx%d", m.Width, m.Height)
		}
	})
}

// FuzzProcess: the whole upload path never panics, finishes in bounded
// time (limits keep each input small), and whatever it accepts comes out as
// clean, decodable renditions.
func FuzzProcess(f *testing.F) {
	addSeeds(f)
	// Small limits and few renditions keep each run to milliseconds, which
	// matters most when the fuzzer minimizes an input by re-running it.
	p, err := NewProcessor(Options{Widths: []int{24}, Ratios: []Ratio{Ratio16x9, Ratio1x1, RatioOriginal}, MaxPixels: 1 << 16, MaxDecodeBytes: 16 << 20})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start := time.Now()
		res, err := p.Process(ctx, data, FocalPoint{0.3, 0.7})
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("took %v", d)
		}
		if err != nil {
			if !userError(err) {
				t.Fatalf("not a user error: %v", err)
			}
			return
		}
		for i := range res.Renditions {
			r := &res.Renditions[i]
			m := decodeRendition(t, r)
			if b := m.Bounds(); b.Dx() != r.Width || b.Dy() != r.Height {
				t.Fatalf("%s %s is %v, says %dx%d", r.Ratio, r.Format, b, r.Width, r.Height)
			}
			checkClean(t, r.Ratio+" "+r.Format, r.Data)
		}
	})
}
