package media

// Test images, generated: a photo-like scene, and the metadata segments
// cameras and photo desks write (EXIF with GPS, XMP, IPTC, ICC), built by
// hand so the tests know exactly what went in.

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gen2brain/webp"
)

// Strings planted in test metadata; none may survive processing.
const (
	secretOwner  = "Secret Source Name"
	secretSerial = "SN-KOLOKOL-1234"
	secretICC    = "Secret ICC Text"
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

func encodeJPEGBytes(t testing.TB, m image.Image, q int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNGBytes(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// exifTIFF builds a little-endian TIFF/EXIF block: IFD0 with camera make,
// model, artist and orientation, an EXIF IFD with owner and body serial, a
// GPS IFD with a position.
func exifTIFF(orientation uint16) []byte {
	type entry struct {
		tag, typ uint16
		count    uint32
		val      []byte
	}
	le := binary.LittleEndian
	ascii := func(tag uint16, s string) entry {
		return entry{tag, 2, uint32(len(s) + 1), append([]byte(s), 0)}
	}
	short := func(tag, v uint16) entry { return entry{tag, 3, 1, le.AppendUint16(nil, v)} }
	long := func(tag uint16, v uint32) entry { return entry{tag, 4, 1, le.AppendUint32(nil, v)} }
	rationals := func(tag uint16, v ...uint32) entry {
		var b []byte
		for i := 0; i < len(v); i += 2 {
			b = le.AppendUint32(le.AppendUint32(b, v[i]), v[i+1])
		}
		return entry{tag, 5, uint32(len(v) / 2), b}
	}
	size := func(es []entry) int {
		n := 2 + 12*len(es) + 4
		for _, e := range es {
			if len(e.val) > 4 {
				n += len(e.val) + len(e.val)%2
			}
		}
		return n
	}
	write := func(out []byte, es []entry) []byte {
		base := len(out)
		data := base + 2 + 12*len(es) + 4
		out = le.AppendUint16(out, uint16(len(es)))
		var tail []byte
		for _, e := range es {
			out = le.AppendUint16(out, e.tag)
			out = le.AppendUint16(out, e.typ)
			out = le.AppendUint32(out, e.count)
			if len(e.val) <= 4 {
				out = append(out, append(e.val, make([]byte, 4-len(e.val))...)...)
				continue
			}
			out = le.AppendUint32(out, uint32(data+len(tail)))
			tail = append(tail, e.val...)
			if len(e.val)%2 == 1 {
				tail = append(tail, 0)
			}
		}
		out = le.AppendUint32(out, 0)
		return append(out, tail...)
	}
	exifIFD := []entry{ascii(0xA430, secretOwner), ascii(0xA431, secretSerial)}
	gpsIFD := []entry{
		{0x0000, 1, 4, []byte{2, 3, 0, 0}},
		ascii(0x0001, "N"), rationals(0x0002, 41, 1, 43, 1, 1234, 100),
		ascii(0x0003, "E"), rationals(0x0004, 44, 1, 47, 1, 5678, 100),
		ascii(0x001D, "2024:05:01"),
	}
	ifd0 := []entry{
		ascii(0x010F, "KolokolCam"), ascii(0x0110, "Whistleblower 1"),
		short(0x0112, orientation), ascii(0x013B, secretOwner),
		long(0x8769, 0), long(0x8825, 0),
	}
	exifAt := 8 + size(ifd0)
	gpsAt := exifAt + size(exifIFD)
	ifd0[4] = long(0x8769, uint32(exifAt))
	ifd0[5] = long(0x8825, uint32(gpsAt))
	out := []byte("II*\x00\x08\x00\x00\x00")
	out = write(out, ifd0)
	out = write(out, exifIFD)
	return write(out, gpsIFD)
}

func xmpPacket(caption, credit, creator string) []byte {
	return []byte(`<?xpacket begin="` + "\uFEFF" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/" photoshop:Credit="` + credit + `" exif:GPSLatitude="41,43.2N" exif:BodySerialNumber="` + secretSerial + `">
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">` + caption + `</rdf:li><rdf:li xml:lang="ru">Другая подпись</rdf:li></rdf:Alt></dc:description>
<dc:creator><rdf:Seq><rdf:li>` + creator + `</rdf:li></rdf:Seq></dc:creator>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`)
}

// iptcIIM builds IPTC datasets declaring UTF-8: caption, by-line, credit.
func iptcIIM(caption, byline, credit string) []byte {
	var b []byte
	ds := func(rec, id byte, v string) {
		b = append(b, 0x1C, rec, id)
		b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
		b = append(b, v...)
	}
	ds(1, 90, "\x1b%G")
	ds(2, 0, "\x00\x04")
	ds(2, 120, caption)
	ds(2, 80, byline)
	ds(2, 110, credit)
	return b
}

// photoshopIRB wraps IPTC in the Photoshop resource block of an APP13.
func photoshopIRB(iptc []byte) []byte {
	b := []byte("Photoshop 3.0\x008BIM\x04\x04\x00\x00")
	b = binary.BigEndian.AppendUint32(b, uint32(len(iptc)))
	b = append(b, iptc...)
	if len(iptc)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func iccProfile() []byte {
	p := make([]byte, 128)
	copy(p[36:], "acsp")
	p = append(p, "desc\x00\x00\x00\x00"+secretICC+"\x00cprt Secret Studio"...)
	binary.BigEndian.PutUint32(p, uint32(len(p)))
	return p
}

func segment(marker byte, body []byte) []byte {
	s := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(body)+2))
	return append(s, body...)
}

// withSegments inserts JPEG marker segments right after SOI.
func withSegments(j []byte, segs ...[]byte) []byte {
	out := append([]byte{}, j[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, j[2:]...)
}

// cameraJPEG is m as a camera with a careless owner would write it: EXIF
// (GPS, serial, owner, orientation), XMP, IPTC and an ICC profile.
func cameraJPEG(t testing.TB, m image.Image, orientation uint16) []byte {
	return withSegments(encodeJPEGBytes(t, m, 90),
		segment(0xE1, append([]byte("Exif\x00\x00"), exifTIFF(orientation)...)),
		segment(0xE1, append([]byte("http://ns.adobe.com/xap/1.0/\x00"), xmpPacket("XMP caption", "XMP Credit Agency", "XMP Photographer")...)),
		segment(0xED, photoshopIRB(iptcIIM("Площадь утром", "IPTC Photographer", "IPTC Credit"))),
		segment(0xE2, append([]byte("ICC_PROFILE\x00\x01\x01"), iccProfile()...)),
	)
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
	zw.Write(xmpPacket("PNG caption", "PNG Credit", "PNG Creator"))
	zw.Close()
	itxt := append([]byte("XML:com.adobe.xmp\x00\x01\x00\x00\x00"), z.Bytes()...)
	return withChunks(encodePNGBytes(t, m),
		pngChunk("eXIf", exifTIFF(1)),
		pngChunk("iTXt", itxt),
		pngChunk("tEXt", []byte("Author\x00"+secretOwner)),
		pngChunk("iCCP", append([]byte("icc\x00\x00"), iccProfile()...)),
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
	body = append(body, chunk("ICCP", iccProfile())...)
	body = append(body, vp8...)
	body = append(body, chunk("EXIF", exifTIFF(1))...)
	body = append(body, chunk("XMP ", xmpPacket("WebP caption", "WebP Credit", "WebP Creator"))...)
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
	comment := append([]byte{0x21, 0xFE, byte(len(secretOwner))}, secretOwner...)
	comment = append(comment, 0)
	return append(append(append([]byte{}, g[:at]...), comment...), g[at:]...)
}
