package media

// Test images, generated: a photo-like scene, and the metadata segments
// cameras and photo desks write (EXIF with GPS, XMP, IPTC, ICC), built by
// hand so the tests know exactly what went in.

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"github.com/kolokol/kolokol/media/mediatest"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gen2brain/webp"
)

// photo draws a w×h street scene with what makes photos cost bytes: smooth
// sky, hard-edged buildings with rows of windows, trees, paving, people,
// texture at every scale and sensor grain. Flat colour would compress to
// nothing; at 4000×3000 a camera-quality JPEG of it is the size of a real
// one (2-3 MB).
func photo(w, h int, seed uint64) *image.RGBA { return scene(w, h, seed, 40) }

// crowdPhoto is a scene from a protest: a dense crowd over the whole
// foreground, the most detailed kind of picture a newsroom routinely runs.
func crowdPhoto(w, h int, seed uint64) *image.RGBA { return scene(w, h, seed, 250) }

func scene(w, h int, seed uint64, crowd int) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, 1))
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	// value noise: octaves of random grids, bilinearly interpolated; the
	// finest have features a few pixels across, like fabric or stone
	type grid struct {
		n   int
		amp float32
		v   []float32
	}
	var octaves []grid
	for i, n := range []int{6, 24, 96, 384, 1000} {
		g := grid{n: n, amp: []float32{1, 0.5, 0.4, 0.45, 0.4}[i], v: make([]float32, (n+1)*(n+1))}
		for i := range g.v {
			g.v[i] = rng.Float32()*2 - 1
		}
		octaves = append(octaves, g)
	}
	noise := func(x, y int, from int) float32 {
		var s float32
		for _, g := range octaves[from:] {
			fx, fy := float32(x)*float32(g.n)/float32(w), float32(y)*float32(g.n)/float32(h)
			ix, iy := int(fx), int(fy)
			tx, ty := fx-float32(ix), fy-float32(iy)
			a := g.v[iy*(g.n+1)+ix]*(1-tx) + g.v[iy*(g.n+1)+ix+1]*tx
			b := g.v[(iy+1)*(g.n+1)+ix]*(1-tx) + g.v[(iy+1)*(g.n+1)+ix+1]*tx
			s += g.amp * (a*(1-ty) + b*ty)
		}
		return s
	}
	horizon := h * 45 / 100
	// buildings along the horizon: x range, top, base colour
	type building struct {
		x0, x1, top int
		c           [3]float32
	}
	var bs []building
	for x := 0; x < w; {
		bw := w/40 + rng.IntN(w/12)
		top := horizon - h/20 - rng.IntN(h/4)
		g := 90 + rng.Float32()*100
		bs = append(bs, building{x, x + bw, top, [3]float32{g, g * (0.9 + rng.Float32()*0.2), g * (0.85 + rng.Float32()*0.25)}})
		x += bw
	}
	win := max(4, w/250)
	col := make([]int, w) // the building over each column
	for i, bd := range bs {
		for x := bd.x0; x < min(bd.x1, w); x++ {
			col[x] = i
		}
	}
	for y := range h {
		for x := range w {
			var r, g, b float32
			if y < horizon { // sky
				t := float32(y) / float32(horizon)
				n := noise(x, y, 0)
				r, g, b = 110+120*t+6*n, 150+90*t+6*n, 215+30*t+4*n
			} else { // paving stones, smaller with distance
				t := float32(y-horizon) / float32(h-horizon)
				n := noise(x, y, 0)
				r, g, b = 120-50*t+30*n, 110-45*t+28*n, 100-40*t+26*n
				stone := 4 + int(t*float32(h)/40)
				sx := x + (y/stone%2)*stone/2
				if sx%(2*stone) < max(1, stone/6) || y%stone < max(1, stone/6) {
					r, g, b = r*0.6, g*0.6, b*0.6 // mortar
				} else {
					v := float32(((sx/(2*stone))*31+(y/stone)*17)%7) * 4
					r, g, b = r+v, g+v, b+v
				}
			}
			if bd := bs[col[x]]; y >= bd.top && y < horizon {
				n := noise(x, y, 2)
				r, g, b = bd.c[0]+22*n, bd.c[1]+22*n, bd.c[2]+22*n
				if (x-bd.x0)%(3*win) >= win && (y-bd.top)%(3*win) >= win && (x-bd.x0)%(3*win) < 2*win+win/2 {
					lit := float32((x/(3*win)*7+y/(3*win)*13)%5)*25 + 10*n
					r, g, b = 40+lit, 45+lit, 60+lit*0.8
				}
			}
			i := m.PixOffset(x, y)
			grain := float32(rng.NormFloat64() * 3)
			m.Pix[i] = clampF(r + grain)
			m.Pix[i+1] = clampF(g + grain)
			m.Pix[i+2] = clampF(b + grain)
			m.Pix[i+3] = 0xff
		}
	}
	// trees in front of the buildings: foliage is the costliest texture
	for range 5 {
		cx, cy := rng.IntN(w), horizon-rng.IntN(h/12)
		rad := float64(h) / 16 * (0.6 + rng.Float64())
		for y := cy - int(rad); y <= cy+int(rad); y++ {
			for x := cx - int(rad); x <= cx+int(rad); x++ {
				dx, dy := float64(x-cx)/rad, float64(y-cy)/rad
				if dx*dx+dy*dy > 1 || !image.Pt(x, y).In(m.Rect) {
					continue
				}
				n := noise(x, y, 3)
				if n < -0.25 { // gaps in the leaves
					continue
				}
				i := m.PixOffset(x, y)
				m.Pix[i], m.Pix[i+1], m.Pix[i+2] = clampF(50+60*n), clampF(90+80*n), clampF(40+40*n)
			}
		}
	}
	// a crowd in the foreground, lit from the left
	for range crowd {
		cy := horizon + rng.IntN(h-horizon)
		cx := rng.IntN(w)
		s := float64(h) / 30 * (0.3 + 1.2*float64(cy-horizon)/float64(h-horizon))
		coat := [3]float32{float32(rng.IntN(140)), float32(rng.IntN(140)), float32(rng.IntN(170))}
		fillFigure(m, cx, cy, s*0.45, s*1.2, coat, noise)
		fillFigure(m, cx, cy-int(s*1.45), s*0.3, s*0.35, [3]float32{200, 160, 130}, noise)
	}
	return m
}

// fillFigure fills an ellipse in colour c, shaded across and textured.
func fillFigure(m *image.RGBA, cx, cy int, rx, ry float64, c [3]float32, noise func(x, y, from int) float32) {
	for y := cy - int(ry); y <= cy+int(ry); y++ {
		for x := cx - int(rx); x <= cx+int(rx); x++ {
			dx, dy := float64(x-cx)/rx, float64(y-cy)/ry
			if dx*dx+dy*dy > 1 || !image.Pt(x, y).In(m.Rect) {
				continue
			}
			shade := float32(1.15 - 0.35*(dx+1)/2)
			n := 18 * noise(x, y, 3)
			i := m.PixOffset(x, y)
			m.Pix[i], m.Pix[i+1], m.Pix[i+2] = clampF(c[0]*shade+n), clampF(c[1]*shade+n), clampF(c[2]*shade+n)
		}
	}
}

func clampF(v float32) uint8 {
	return uint8(max(0, min(255, math.Round(float64(v)))))
}

// marked is a w×h image, grey, with its top-left quadrant red: after
// turning upright the red corner says which way the pixels went.
func marked(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{128, 128, 128, 255}
			if x < w/2 && y < h/2 {
				c = color.RGBA{220, 20, 20, 255}
			}
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// withChunks inserts PNG chunks right after IHDR.
func withChunks(p []byte, chunks ...[]byte) []byte {
	at := 8 + 12 + 13
	out := append([]byte{}, p[:at]...)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return append(out, p[at:]...)
}

// metaPNG carries EXIF (eXIf), XMP in a compressed iTXt chunk, and text.
func metaPNG(t testing.TB, m image.Image) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(mediatest.XMPPacket("PNG caption", "PNG Credit", "PNG Creator"))
	zw.Close()
	itxt := append([]byte("XML:com.adobe.xmp\x00\x01\x00\x00\x00"), z.Bytes()...)
	return withChunks(mediatest.EncodePNG(t, m),
		pngChunk("eXIf", mediatest.EXIFTIFF(1)),
		pngChunk("iTXt", itxt),
		pngChunk("tEXt", []byte("Author\x00"+mediatest.SecretOwner)),
		pngChunk("iCCP", append([]byte("icc\x00\x00"), mediatest.ICCProfile()...)),
	)
}

// metaWebP is m as an extended WebP with ICC, EXIF and XMP chunks.
func metaWebP(t testing.TB, m image.Image) []byte {
	var b bytes.Buffer
	if err := webp.Encode(&b, m, webp.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	simple := b.Bytes()
	if string(simple[12:16]) != "VP8 " {
		t.Fatalf("encoder wrote %q, want a simple lossy WebP", simple[12:16])
	}
	vp8 := simple[12:]
	chunk := func(fcc string, body []byte) []byte {
		c := append([]byte(fcc), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
		c = append(c, body...)
		if len(body)%2 == 1 {
			c = append(c, 0)
		}
		return c
	}
	w, h := m.Bounds().Dx()-1, m.Bounds().Dy()-1
	vp8x := []byte{0x20 | 0x08 | 0x04, 0, 0, 0, byte(w), byte(w >> 8), byte(w >> 16), byte(h), byte(h >> 8), byte(h >> 16)}
	body := []byte("WEBP")
	body = append(body, chunk("VP8X", vp8x)...)
	body = append(body, chunk("ICCP", mediatest.ICCProfile())...)
	body = append(body, vp8...)
	body = append(body, chunk("EXIF", mediatest.EXIFTIFF(1))...)
	body = append(body, chunk("XMP ", mediatest.XMPPacket("WebP caption", "WebP Credit", "WebP Creator"))...)
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
}

// twoFrameGIF has a red first frame and a blue second, and a comment.
func twoFrameGIF(t testing.TB, w, h int) []byte {
	frame := func(c color.Color) *image.Paletted {
		p := image.NewPaletted(image.Rect(0, 0, w, h), palette.Plan9)
		for i := range p.Pix {
			p.Pix[i] = uint8(p.Palette.Index(c))
		}
		return p
	}
	var b bytes.Buffer
	err := gif.EncodeAll(&b, &gif.GIF{
		Image: []*image.Paletted{frame(color.RGBA{255, 0, 0, 255}), frame(color.RGBA{0, 0, 255, 255})},
		Delay: []int{10, 10},
	})
	if err != nil {
		t.Fatal(err)
	}
	g := b.Bytes()
	// a comment extension after the header, logical screen and colour table
	at := 13
	if g[10]&0x80 != 0 {
		at += 3 << (g[10]&7 + 1)
	}
	comment := append([]byte{0x21, 0xFE, byte(len(mediatest.SecretOwner))}, mediatest.SecretOwner...)
	comment = append(comment, 0)
	return append(append(append([]byte{}, g[:at]...), comment...), g[at:]...)
}
