package media

import (
	"image"
	"image/color"
	"image/draw"
	"math"
)

// Resampling is done here rather than with golang.org/x/image/draw, whose
// kernel scalers allocate a dw×sh buffer of [4]float64: 245 MB to bring a
// 12-megapixel photo down to its master, 88 MB for one 1920-wide rendition.
// This one uses the same Catmull-Rom kernel, widened when shrinking so every
// source pixel counts, in fixed point, and keeps only the few horizontally
// filtered rows the vertical pass needs: memory is a few hundred kilobytes
// whatever the sizes. Images are opaque by the time they get here (alpha is
// flattened onto white when rows are read), so only R, G and B are filtered.

const weightBits = 14

// axis holds the filter taps mapping src samples onto dst samples along one
// axis: output i reads n inputs from start[i] with weights w[i*n:(i+1)*n].
type axis struct {
	n     int
	start []int
	w     []int32
}

func catmullRom(t float64) float64 {
	if t < 1 {
		return (1.5*t-2.5)*t*t + 1
	}
	return ((-0.5*t+2.5)*t-4)*t + 2
}

func newAxis(dst, src int) axis {
	scale := float64(src) / float64(dst)
	support, argScale := 2.0, 1.0
	if scale > 1 {
		support, argScale = support*scale, 1/scale
	}
	n := min(int(math.Ceil(2*support))+1, src)
	a := axis{n: n, start: make([]int, dst), w: make([]int32, dst*n)}
	ws := make([]float64, n)
	for i := range dst {
		center := (float64(i)+0.5)*scale - 0.5
		left := max(0, min(int(math.Floor(center-support))+1, src-n))
		sum, big := 0.0, 0
		for k := range ws {
			t := math.Abs(float64(left+k)-center) * argScale
			ws[k] = 0
			if t < 2 {
				ws[k] = catmullRom(t)
			}
			sum += ws[k]
			if ws[k] > ws[big] {
				big = k
			}
		}
		if sum <= 0 { // cannot happen with this kernel; be safe anyway
			ws[big], sum = 1, 1
		}
		// Round to fixed point and give the rounding residue to the biggest
		// tap, so flat areas stay exactly flat.
		row, total := a.w[i*n:(i+1)*n], int32(0)
		for k := range ws {
			row[k] = int32(math.Round(ws[k] / sum * (1 << weightBits)))
			total += row[k]
		}
		row[big] += 1<<weightBits - total
		a.start[i] = left
	}
	return a
}

// rowSource yields row y (0-based within the region) of a source region as
// opaque 8-bit RGBA, 4 bytes a pixel. The slice is valid until the next call.
type rowSource interface {
	row(y int) []byte
}

// rgbaRows reads a region of an RGBA image in place.
type rgbaRows struct {
	m *image.RGBA
	r image.Rectangle
}

func (s rgbaRows) row(y int) []byte {
	i := s.m.PixOffset(s.r.Min.X, s.r.Min.Y+y)
	return s.m.Pix[i : i+4*s.r.Dx()]
}

// convertedRows converts any decoded image one row at a time, flattening
// transparency onto white, so a full-size RGBA copy of the upload is never
// made.
type convertedRows struct {
	src    image.Image
	r      image.Rectangle
	buf    *image.RGBA
	opaque bool
	// video is set for lossy WebP: VP8 stores limited-range ("video",
	// Y 16-235) BT.601 YCbCr, but x/image/webp returns it as an image.YCbCr,
	// whose conversion assumes JPEG's full range; converting through it
	// would grey every WebP upload (golang/go#40173).
	video bool
}

func newConvertedRows(src image.Image, video bool) *convertedRows {
	r := src.Bounds()
	c := &convertedRows{src: src, r: r, buf: image.NewRGBA(image.Rect(0, 0, r.Dx(), 1))}
	switch src.(type) {
	case *image.YCbCr, *image.Gray, *image.Gray16, *image.CMYK:
		c.opaque = true
	}
	switch src.(type) {
	case *image.YCbCr, *image.NYCbCrA:
		c.video = video
	}
	return c
}

var white = image.NewUniform(color.White)

func (c *convertedRows) row(y int) []byte {
	c.buf.Rect = image.Rect(c.r.Min.X, c.r.Min.Y+y, c.r.Max.X, c.r.Min.Y+y+1)
	switch {
	case c.video:
		videoRow(c.buf.Pix, c.src, c.r.Min.X, c.r.Min.Y+y)
	case c.opaque:
		draw.Draw(c.buf, c.buf.Rect, c.src, c.buf.Rect.Min, draw.Src)
	default:
		draw.Draw(c.buf, c.buf.Rect, white, image.Point{}, draw.Src)
		draw.Draw(c.buf, c.buf.Rect, c.src, c.buf.Rect.Min, draw.Over)
	}
	return c.buf.Pix
}

// videoRow converts row y of a limited-range YCbCr image (with optional
// alpha, flattened onto white) with the BT.601 video-range equations.
func videoRow(out []byte, src image.Image, x0, y int) {
	var m *image.YCbCr
	var a *image.NYCbCrA
	switch s := src.(type) {
	case *image.YCbCr:
		m = s
	case *image.NYCbCrA:
		m, a = &s.YCbCr, s
	}
	for i := range len(out) / 4 {
		x := x0 + i
		yy := (int32(m.Y[m.YOffset(x, y)]) - 16) * 298
		ci := m.COffset(x, y)
		cb, cr := int32(m.Cb[ci])-128, int32(m.Cr[ci])-128
		r := clampRGB((yy + 409*cr + 128) >> 8)
		g := clampRGB((yy - 100*cb - 208*cr + 128) >> 8)
		b := clampRGB((yy + 516*cb + 128) >> 8)
		if a != nil { // over white
			al := int32(a.A[a.AOffset(x, y)])
			r = (r*al + 255*(255-al) + 127) / 255
			g = (g*al + 255*(255-al) + 127) / 255
			b = (b*al + 255*(255-al) + 127) / 255
		}
		out[4*i], out[4*i+1], out[4*i+2], out[4*i+3] = uint8(r), uint8(g), uint8(b), 0xff
	}
}

func clampRGB(v int32) int32 { return max(0, min(255, v)) }

// resample scales the sw×sh region that src yields into all of dst.
func resample(dst *image.RGBA, src rowSource, sw, sh int) {
	dw, dh := dst.Rect.Dx(), dst.Rect.Dy()
	if dw == sw && dh == sh {
		for y := range dh {
			i := dst.PixOffset(dst.Rect.Min.X, dst.Rect.Min.Y+y)
			copy(dst.Pix[i:i+4*dw], src.row(y))
		}
		return
	}
	hx, vy := newAxis(dw, sw), newAxis(dh, sh)
	n := vy.n
	ring := make([][]int32, n) // horizontally filtered rows, by source row mod n
	for i := range ring {
		ring[i] = make([]int32, 3*dw)
	}
	acc := make([]int32, 3*dw)
	done := -1 // last source row filtered into the ring
	for y := range dh {
		top := vy.start[y]
		for r := max(done+1, top); r < top+n; r++ {
			filterRow(ring[r%n], src.row(r), hx)
			done = r
		}
		clear(acc)
		for k, w := range vy.w[y*n : (y+1)*n] {
			if w == 0 {
				continue
			}
			for x, v := range ring[(top+k)%n] {
				acc[x] += w * v
			}
		}
		i := dst.PixOffset(dst.Rect.Min.X, dst.Rect.Min.Y+y)
		out := dst.Pix[i : i+4*dw]
		for x := range dw {
			out[4*x] = clamp8(acc[3*x])
			out[4*x+1] = clamp8(acc[3*x+1])
			out[4*x+2] = clamp8(acc[3*x+2])
			out[4*x+3] = 0xff
		}
	}
}

// filterRow applies the horizontal taps to one source row. The result keeps
// 6 fractional bits for the vertical pass; with kernel overshoot it stays
// well inside int32 there.
func filterRow(dst []int32, src []byte, a axis) {
	n := a.n
	for x, s := range a.start {
		var r, g, b int32
		px := src[4*s : 4*(s+n)]
		for k, w := range a.w[x*n : (x+1)*n] {
			r += w * int32(px[4*k])
			g += w * int32(px[4*k+1])
			b += w * int32(px[4*k+2])
		}
		const shift = weightBits - 6
		dst[3*x] = (r + 1<<(shift-1)) >> shift
		dst[3*x+1] = (g + 1<<(shift-1)) >> shift
		dst[3*x+2] = (b + 1<<(shift-1)) >> shift
	}
}

func clamp8(v int32) uint8 {
	const shift = weightBits + 6
	v = (v + 1<<(shift-1)) >> shift
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// orient returns m turned upright according to an EXIF orientation (1-8):
// for each destination pixel, the source pixel it comes from.
func orient(m *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return m
	}
	w, h := m.Rect.Dx(), m.Rect.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for dy := range dh {
		for dx := range dw {
			var sx, sy int
			switch o {
			case 2: // mirrored
				sx, sy = w-1-dx, dy
			case 3: // rotated 180°
				sx, sy = w-1-dx, h-1-dy
			case 4: // mirrored vertically
				sx, sy = dx, h-1-dy
			case 5: // transposed
				sx, sy = dy, dx
			case 6: // needs 90° clockwise
				sx, sy = dy, h-1-dx
			case 7: // transversed
				sx, sy = w-1-dy, h-1-dx
			case 8: // needs 90° counter-clockwise
				sx, sy = w-1-dy, dx
			}
			s := m.PixOffset(m.Rect.Min.X+sx, m.Rect.Min.Y+sy)
			d := out.PixOffset(dx, dy)
			copy(out.Pix[d:d+4], m.Pix[s:s+4])
		}
	}
	return out
}
