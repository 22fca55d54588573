package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"github.com/kolokol/kolokol/media/mediatest"
	"image"
	"image/jpeg"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kolokol/kolokol"
	xwebp "golang.org/x/image/webp"
)

func newProcessor(t testing.TB, opt Options) *Processor {
	t.Helper()
	p, err := NewProcessor(opt)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// forbidden are the markers of metadata blocks; none may be in any file we
// write. The planted strings prove the content is gone, not just renamed.
var forbidden = []string{"Exif", "GPS", "http://ns.adobe.com/xap", "8BIM", "ICC_PROFILE", mediatest.SecretOwner, mediatest.SecretSerial, mediatest.SecretICC, "Photoshop", "XMP"}

// checkClean asserts a file has no metadata: no marker string anywhere,
// and structurally no JPEG APPn/COM mediatest.Segment or WebP chunk besides the
// bitstream.
func checkClean(t *testing.T, name string, data []byte) {
	t.Helper()
	for _, s := range forbidden {
		if bytes.Contains(data, []byte(s)) {
			t.Errorf("%s contains %q", name, s)
		}
	}
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8}):
		l, err := walkJPEG(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(l.meta) != 0 || l.end != len(data) {
			t.Errorf("%s: %d metadata segments, %d trailing bytes", name, len(l.meta), len(data)-l.end)
		}
	case bytes.HasPrefix(data, []byte("RIFF")):
		for i := 12; i+8 <= len(data); {
			fcc := string(data[i : i+4])
			if fcc != "VP8 " && fcc != "VP8L" && fcc != "VP8X" && fcc != "ALPH" {
				t.Errorf("%s: WebP chunk %q", name, fcc)
			}
			n := int(binary.LittleEndian.Uint32(data[i+4:]))
			i += 8 + n + n%2
		}
	default:
		t.Errorf("%s is neither JPEG nor WebP", name)
	}
}

func decodeRendition(t *testing.T, r *Rendition) image.Image {
	t.Helper()
	var m image.Image
	var err error
	switch r.Format {
	case FormatJPEG:
		m, err = jpeg.Decode(bytes.NewReader(r.Data))
	case FormatWebP:
		m, err = xwebp.Decode(bytes.NewReader(r.Data))
	default:
		t.Fatalf("format %q", r.Format)
	}
	if err != nil {
		t.Fatalf("%s %s %dx%d does not decode: %v", r.Ratio, r.Format, r.Width, r.Height, err)
	}
	if r.Format == FormatWebP { // convert as a browser does: video range
		rgba := image.NewRGBA(image.Rect(0, 0, r.Width, r.Height))
		resample(rgba, newConvertedRows(m, true), r.Width, r.Height)
		return rgba
	}
	return m
}

// checkResult asserts what every result must satisfy.
func checkResult(t *testing.T, p *Processor, res *Result) {
	t.Helper()
	all := append([]Rendition{res.Master}, res.Renditions...)
	for i := range all {
		r := &all[i]
		name := r.Ratio + " " + r.Format + " " + r.Key
		sum := sha256.Sum256(r.Data)
		ext := map[string]string{FormatJPEG: ".jpg", FormatWebP: ".webp"}[r.Format]
		if r.Key != hex.EncodeToString(sum[:])+ext || !ValidKey(r.Key) {
			t.Errorf("%s: key is not the content hash", name)
		}
		b := decodeRendition(t, r).Bounds()
		if b.Dx() != r.Width || b.Dy() != r.Height {
			t.Errorf("%s: is %v, says %dx%d", name, b, r.Width, r.Height)
		}
		if r.Width > res.Width || r.Height > res.Height {
			t.Errorf("%s: %dx%d upscales a %dx%d upload", name, r.Width, r.Height, res.Width, res.Height)
		}
		checkClean(t, name, r.Data)
	}
	// every ratio has renditions of the right shape, at listed widths or,
	// if smaller than all of them, at its own width
	for _, ratio := range p.opt.Ratios {
		var widths []int
		for _, r := range res.Renditions {
			if r.Ratio != ratio.Name {
				continue
			}
			want := float64(res.Width) / float64(res.Height)
			if ratio.W > 0 {
				want = float64(ratio.W) / float64(ratio.H)
			}
			// rounding to whole pixels moves the height by half a pixel
			if got := float64(r.Width) / float64(r.Height); math.Abs(float64(r.Height)-float64(r.Width)/want) > 1 {
				t.Errorf("%s %dx%d: ratio %.3f, want %.3f", ratio.Name, r.Width, r.Height, got, want)
			}
			if r.Format == FormatWebP {
				widths = append(widths, r.Width)
			}
		}
		if len(widths) == 0 {
			t.Errorf("no %s rendition", ratio.Name)
		}
		for _, w := range widths {
			if !slices.Contains(p.opt.Widths, w) && len(widths) != 1 {
				t.Errorf("%s: unlisted width %d", ratio.Name, w)
			}
		}
	}
}

func TestProcessCameraJPEG(t *testing.T) {
	p := newProcessor(t, Options{})
	// stored landscape 1600×1200, orientation 6: upright it is 1200×1600
	data := mediatest.CameraJPEG(t, marked(1600, 1200), 6)
	res, err := p.Process(t.Context(), data, Centre)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, p, res)
	if res.Width != 1200 || res.Height != 1600 || res.Orientation != 6 || res.SourceType != "image/jpeg" {
		t.Errorf("got %dx%d orientation %d type %s", res.Width, res.Height, res.Orientation, res.SourceType)
	}
	want := Suggestions{Caption: "XMP caption", Credit: "XMP Credit Agency", Creator: "XMP Photographer"}
	if res.Suggestions != want {
		t.Errorf("suggestions %+v, want %+v", res.Suggestions, want)
	}
	// Rotated 90° clockwise, the stored top-left (red) is now top-right.
	m := decodeRendition(t, &res.Master)
	w, h := m.Bounds().Dx(), m.Bounds().Dy()
	if w >= h {
		t.Fatalf("master %dx%d is not portrait", w, h)
	}
	isRed := func(x, y int) bool {
		r, g, b, _ := m.At(x, y).RGBA()
		return r>>8 > 180 && g>>8 < 80 && b>>8 < 80
	}
	if !isRed(w*3/4, h/4) || isRed(w/4, h/4) || isRed(w*3/4, h*3/4) {
		t.Errorf("orientation not applied: red at top-right %v, top-left %v, bottom-right %v", isRed(w*3/4, h/4), isRed(w/4, h/4), isRed(w*3/4, h*3/4))
	}
	// 1200 wide upright: 320, 640, 960 for every ratio; never 1280 or 1920
	for _, r := range res.Renditions {
		if r.Width > 1200 {
			t.Errorf("%s %s upscaled to %d", r.Ratio, r.Format, r.Width)
		}
	}
	if n := len(res.Renditions); n != 4*3*2 {
		t.Errorf("%d renditions, want 24", n)
	}
}

func TestProcessIPTCOnly(t *testing.T) {
	p := newProcessor(t, Options{Widths: []int{64}})
	data := mediatest.WithSegments(mediatest.EncodeJPEG(t, photo(200, 150, 1), 85),
		mediatest.Segment(0xED, mediatest.PhotoshopIRB(mediatest.IPTCIIM("Площадь утром", "Фотограф", "Агентство"))))
	res, err := p.Process(t.Context(), data, Centre)
	if err != nil {
		t.Fatal(err)
	}
	want := Suggestions{Caption: "Площадь утром", Credit: "Агентство", Creator: "Фотограф"}
	if res.Suggestions != want {
		t.Errorf("suggestions %+v, want %+v", res.Suggestions, want)
	}
	checkResult(t, p, res)
}

func TestProcessFormats(t *testing.T) {
	p := newProcessor(t, Options{Widths: []int{160, 320, 640}})
	for _, tc := range []struct {
		name, ct string
		data     []byte
		w, h     int
		suggest  Suggestions
	}{
		{"png", "image/png", metaPNG(t, photo(500, 300, 2)), 500, 300, Suggestions{"PNG caption", "PNG Credit", "PNG Creator"}},
		{"webp", "image/webp", metaWebP(t, photo(400, 400, 3)), 400, 400, Suggestions{"WebP caption", "WebP Credit", "WebP Creator"}},
		{"gif", "image/gif", twoFrameGIF(t, 300, 200), 300, 200, Suggestions{}},
		// the name a file came with plays no part: only bytes are passed
		{"png named .jpg", "image/png", mediatest.EncodePNG(t, photo(120, 90, 4)), 120, 90, Suggestions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := p.Process(t.Context(), tc.data, Centre)
			if err != nil {
				t.Fatal(err)
			}
			if res.SourceType != tc.ct || res.Width != tc.w || res.Height != tc.h {
				t.Errorf("got %s %dx%d", res.SourceType, res.Width, res.Height)
			}
			if res.Suggestions != tc.suggest {
				t.Errorf("suggestions %+v, want %+v", res.Suggestions, tc.suggest)
			}
			checkResult(t, p, res)
		})
	}
}

func TestGIFFirstFrame(t *testing.T) {
	p := newProcessor(t, Options{Widths: []int{100}})
	res, err := p.Process(t.Context(), twoFrameGIF(t, 200, 100), Centre)
	if err != nil {
		t.Fatal(err)
	}
	r, g, b, _ := decodeRendition(t, &res.Master).At(50, 50).RGBA()
	if r>>8 < 200 || g>>8 > 50 || b>>8 > 50 {
		t.Errorf("master pixel is %d,%d,%d; want the red first frame", r>>8, g>>8, b>>8)
	}
}

func TestTransparencyFlattenedOnWhite(t *testing.T) {
	p := newProcessor(t, Options{Widths: []int{32}})
	m := image.NewNRGBA(image.Rect(0, 0, 64, 64)) // fully transparent
	res, err := p.Process(t.Context(), mediatest.EncodePNG(t, m), Centre)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Renditions {
		c := decodeRendition(t, &r).At(16, 16)
		if cr, cg, cb, _ := c.RGBA(); cr>>8 < 245 || cg>>8 < 245 || cb>>8 < 245 {
			t.Errorf("%s %s: transparent pixel became %v, want white", r.Ratio, r.Format, c)
		}
	}
}

func TestSmallImageNotUpscaled(t *testing.T) {
	p := newProcessor(t, Options{})
	res, err := p.Process(t.Context(), mediatest.EncodePNG(t, photo(200, 150, 5)), Centre)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, p, res)
	got := map[string][2]int{}
	for _, r := range res.Renditions {
		got[r.Ratio] = [2]int{r.Width, r.Height}
	}
	want := map[string][2]int{"16:9": {200, 113}, "4:3": {200, 150}, "1:1": {150, 150}, "original": {200, 150}}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %v, want %v", k, got[k], v)
		}
	}
	if res.Master.Width != 200 || res.Master.Height != 150 {
		t.Errorf("master %dx%d", res.Master.Width, res.Master.Height)
	}
}

// A 4000×3000 upload's master is 2560×1920: what a 1920-wide square crop
// needs, and no more.
func TestPlanMasterSize(t *testing.T) {
	p := newProcessor(t, Options{})
	for _, tc := range []struct{ w, h, mw, mh int }{
		{4000, 3000, 2560, 1920},
		{3000, 4000, 1920, 2560},
		{6000, 3375, 3413, 1920},
		{1000, 800, 1000, 800},
		{1, 1, 1, 1},
		{20000, 10, 20000, 10},
	} {
		pl := p.plan(tc.w, tc.h, Centre)
		if pl.mw != tc.mw || pl.mh != tc.mh {
			t.Errorf("%dx%d: master %dx%d, want %dx%d", tc.w, tc.h, pl.mw, pl.mh, tc.mw, tc.mh)
		}
		for _, j := range pl.jobs {
			if !j.r.In(image.Rect(0, 0, pl.mw, pl.mh)) || j.w > j.r.Dx() || j.h > j.r.Dy() || j.w < 1 || j.h < 1 {
				t.Errorf("%dx%d: job %v → %dx%d", tc.w, tc.h, j.r, j.w, j.h)
			}
		}
	}
}

func TestFocalPoint(t *testing.T) {
	p := newProcessor(t, Options{Widths: []int{100}, Ratios: []Ratio{Ratio1x1}})
	// 400×100, red on the left quarter only (marked puts red top-left;
	// make the whole left quarter red)
	m := marked(400, 100)
	for y := range 100 {
		for x := range 100 {
			m.Set(x, y, m.At(0, 0))
		}
	}
	data := mediatest.EncodePNG(t, m)
	redAt := func(f FocalPoint) bool {
		res, err := p.Process(t.Context(), data, f)
		if err != nil {
			t.Fatal(err)
		}
		r, g, _, _ := decodeRendition(t, &res.Renditions[0]).At(50, 50).RGBA()
		return r>>8 > 180 && g>>8 < 80
	}
	if !redAt(FocalPoint{0, 0.5}) {
		t.Error("focal point on the left: the square crop misses the left")
	}
	if redAt(Centre) {
		t.Error("centred square crop shows the left edge")
	}
	if _, err := p.Process(t.Context(), data, FocalPoint{1.5, 0}); kolokol.ErrorField(err) != "focal" {
		t.Errorf("focal outside the image: %v", err)
	}
}

// countingBlobs counts Puts into a Dir.
type countingBlobs struct {
	*Dir
	mu   sync.Mutex
	puts int
}

func (c *countingBlobs) Put(ctx context.Context, key string, r io.Reader) error {
	c.mu.Lock()
	c.puts++
	c.mu.Unlock()
	return c.Dir.Put(ctx, key, r)
}

func TestStoreAndRerender(t *testing.T) {
	dir, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	blobs := &countingBlobs{Dir: dir}
	p := newProcessor(t, Options{Widths: []int{160, 320}})
	res, err := p.Process(t.Context(), mediatest.CameraJPEG(t, photo(640, 480, 6), 1), Centre)
	if err != nil {
		t.Fatal(err)
	}
	if err := Store(t.Context(), blobs, res); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{res.Master.Key: true}
	for _, r := range res.Renditions {
		keys[r.Key] = true
	}
	// 4:3 and original crop alike: their files are shared
	if blobs.puts != len(keys) || len(keys) >= 1+len(res.Renditions) {
		t.Errorf("%d puts for %d distinct keys of %d files", blobs.puts, len(keys), 1+len(res.Renditions))
	}
	for k := range keys {
		f, err := dir.Open(t.Context(), k)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(f)
		f.Close()
		sum := sha256.Sum256(b)
		if !strings.HasPrefix(k, hex.EncodeToString(sum[:])) {
			t.Errorf("%s holds other bytes", k)
		}
	}
	// processing is deterministic, so the same upload stores nothing new
	again, err := p.Process(t.Context(), mediatest.CameraJPEG(t, photo(640, 480, 6), 1), Centre)
	if err != nil {
		t.Fatal(err)
	}
	blobs.puts = 0
	if err := Store(t.Context(), blobs, again); err != nil || blobs.puts != 0 || again.Master.Key != res.Master.Key {
		t.Errorf("second store: %d puts, err %v", blobs.puts, err)
	}
	// a new focal point: renditions from the stored master, master kept
	re, err := p.Rerender(t.Context(), res.Master.Data, FocalPoint{0, 0})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, p, re)
	if re.Master.Key != res.Master.Key || len(re.Renditions) != len(res.Renditions) {
		t.Errorf("rerender: master %s, %d renditions", re.Master.Key, len(re.Renditions))
	}
	for i, r := range re.Renditions {
		if o := res.Renditions[i]; r.Width != o.Width || r.Height != o.Height || r.Ratio != o.Ratio {
			t.Errorf("rerender %d: %s %dx%d, was %s %dx%d", i, r.Ratio, r.Width, r.Height, o.Ratio, o.Width, o.Height)
		}
	}
}

func TestProcessConcurrent(t *testing.T) {
	p := newProcessor(t, Options{Widths: []int{64, 128}})
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for i := range 6 {
		wg.Go(func() {
			_, err := p.Process(t.Context(), mediatest.EncodeJPEG(t, photo(300, 200, uint64(i)), 85), Centre)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestProcessCancelled(t *testing.T) {
	p := newProcessor(t, Options{Workers: 1})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	p.images <- struct{}{} // the one slot is busy
	defer func() { <-p.images }()
	if _, err := p.Process(ctx, mediatest.EncodePNG(t, photo(64, 64, 1)), Centre); err != context.Canceled {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func TestCleanText(t *testing.T) {
	for in, want := range map[string]string{
		"  Площадь\n\tутром \x00": "Площадь утром",
		"invoice\u202Egpj.exe":    "invoice gpj.exe",
		"می\u200cخواهم":           "می\u200cخواهم",
		"bad \xff utf8":           "bad \uFFFD utf8",
		strings.Repeat("я", 3000): strings.Repeat("я", maxSuggestion),
	} {
		if got := cleanText(in); got != want {
			t.Errorf("cleanText(%q) = %q, want %q", in, got, want)
		}
	}
}

// Lossy WebP stores limited-range YCbCr: black and white must come through
// as black and white, not the greys a full-range conversion makes.
func TestWebPUploadKeepsContrast(t *testing.T) {
	m := image.NewRGBA(image.Rect(0, 0, 64, 32))
	for y := range 32 {
		for x := range 64 {
			v := uint8(0)
			if x >= 32 {
				v = 255
			}
			i := m.PixOffset(x, y)
			m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = v, v, v, 255
		}
	}
	p := newProcessor(t, Options{Widths: []int{64}})
	res, err := p.Process(t.Context(), metaWebP(t, m), Centre)
	if err != nil {
		t.Fatal(err)
	}
	master := decodeRendition(t, &res.Master)
	black, _, _, _ := master.At(8, 16).RGBA()
	white, _, _, _ := master.At(56, 16).RGBA()
	if black>>8 > 6 || white>>8 < 249 {
		t.Errorf("black came out %d, white %d", black>>8, white>>8)
	}
}
