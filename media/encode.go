package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/jpeg"
	"math"

	"github.com/gen2brain/webp"
	"github.com/kolokol/kolokol"
)

func encodeJPEG(m *image.RGBA, quality int, ratio string) (Rendition, error) {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: quality}); err != nil {
		return Rendition{}, fmt.Errorf("encode JPEG: %w", err)
	}
	r := rendition(b.Bytes(), m.Rect.Dx(), m.Rect.Dy(), ratio, FormatJPEG, ".jpg")
	r.Quality = quality
	return r, nil
}

// WebPBudget is the most bytes a w×h WebP rendition should take: 40 KB at
// 640×360 and 15 KB at 320×180, the budget readers on metered, throttled
// connections were promised, and between and beyond those the power law
// through the two (about 190 KB at 1920×1080).
func WebPBudget(w, h int) int {
	const small, large = 320 * 180, 640 * 360
	exp := math.Log(40.0/15) / math.Log(large/small)
	return int(40 << 10 * math.Pow(float64(w)*float64(h)/large, exp))
}

// largeWebP is the size above which WebPLargeMethod applies. Up to 640
// wide is what readers on metered connections get, and where the budget
// bites: there method 4 buys about 1 dB at the same bytes for 60 ms. Above,
// method 2 halves processing time for 4% more bytes, and since a
// WebAssembly call cannot be preempted, it also halves the longest pause
// an encode imposes on the garbage collector.
const largeWebP = 640 * 640

// encodeWebP encodes at WebPQuality, stepping down by 5 towards
// WebPMinQuality while the file is over WebPBudget: most photos fit at the
// first try; a frame full of crowd or foliage needs one or two more.
func (p *Processor) encodeWebP(m *image.RGBA) (Rendition, error) {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	budget, method := WebPBudget(w, h), p.opt.WebPMethod
	if w*h > largeWebP {
		method = p.opt.WebPLargeMethod
	}
	for q := p.opt.WebPQuality; ; q = max(p.opt.WebPMinQuality, q-5) {
		r, err := encodeWebP(m, q, method)
		if err != nil || len(r.Data) <= budget || q == p.opt.WebPMinQuality {
			return r, err
		}
	}
}

// encodeWebP uses libwebp compiled to WebAssembly (github.com/gen2brain/webp
// under wazero), so the binary stays CGO_ENABLED=0. Its simple encoding API
// writes the bitstream alone: no EXIF, XMP or ICC chunk.
func encodeWebP(m *image.RGBA, quality, method int) (Rendition, error) {
	var b bytes.Buffer
	if err := webp.Encode(&b, m, webp.Options{Quality: quality, Method: method}); err != nil {
		return Rendition{}, fmt.Errorf("encode WebP: %w", err)
	}
	data := b.Bytes()
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return Rendition{}, fmt.Errorf("encode WebP: the encoder wrote no WebP")
	}
	r := rendition(data, m.Rect.Dx(), m.Rect.Dy(), "", FormatWebP, ".webp")
	r.Quality = quality
	return r, nil
}

func rendition(data []byte, w, h int, ratio, format, ext string) Rendition {
	sum := sha256.Sum256(data)
	return Rendition{Key: hex.EncodeToString(sum[:]) + ext, Data: data, Width: w, Height: h, Ratio: ratio, Format: format}
}

// Store writes the master and every rendition to blobs, skipping any already
// there (files are content-addressed, so an existing key is the same bytes).
// Nothing refers to these files until the caller writes its row, so an error
// part-way leaves only unreferenced files.
func Store(ctx context.Context, blobs kolokol.BlobStore, res *Result) error {
	seen := map[string]bool{}
	for _, r := range append([]Rendition{res.Master}, res.Renditions...) {
		if seen[r.Key] {
			continue
		}
		seen[r.Key] = true
		if ok, err := blobs.Exists(ctx, r.Key); err != nil {
			return fmt.Errorf("store media: %w", err)
		} else if ok {
			continue
		}
		if err := blobs.Put(ctx, r.Key, bytes.NewReader(r.Data)); err != nil {
			return fmt.Errorf("store media: %w", err)
		}
	}
	return nil
}
