package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"slices"

	"github.com/gen2brain/webp"
	"github.com/kolokol/kolokol"
	xwebp "golang.org/x/image/webp"
	"golang.org/x/sync/errgroup"
)

// FocalPoint is the part of the picture crops keep in view, as fractions of
// the upright image's width and height from its top-left corner.
type FocalPoint struct {
	X, Y float64
}

// Centre is the focal point of an image the editor has not placed one on.
var Centre = FocalPoint{0.5, 0.5}

func (f FocalPoint) valid() bool { return f.X >= 0 && f.X <= 1 && f.Y >= 0 && f.Y <= 1 }

// Ratio is a crop shape: W:H, or the image's own shape when W is 0.
type Ratio struct {
	Name string
	W, H int
}

// The crops a page layout picks from.
var (
	Ratio16x9     = Ratio{"16:9", 16, 9}
	Ratio4x3      = Ratio{"4:3", 4, 3}
	Ratio1x1      = Ratio{"1:1", 1, 1}
	RatioOriginal = Ratio{Name: "original"}
)

// Options configure a Processor; zero fields take the defaults.
type Options struct {
	Workers         int     // images decoded, and renditions made, at once; default 2
	Widths          []int   // rendition widths; default 320, 640, 960, 1280, 1920
	Ratios          []Ratio // default 16:9, 4:3, 1:1, original
	JPEGQuality     int     // renditions; default 82
	WebPQuality     int     // default 80 (libwebp lossy, method WebPMethod)
	WebPMinQuality  int     // floor when a busy photo is over WebPBudget; default 70
	WebPMethod      int     // effort, 0 fast .. 6 small, up to 640×640; default 4
	WebPLargeMethod int     // effort above 640×640; default 2
	MasterQuality   int     // the stored master JPEG; default 90
	MaxBytes        int     // default MaxBytes
	MaxPixels       int     // default MaxPixels
	MaxDecodeBytes  int64   // memory one upload may need to decode and process; default 256 MiB
}

// Default settings. WebP quality 80 keeps a 640-wide 16:9 WebP of a news
// photo under 40 KB and a 320-wide one under 15 KB with no visible artefacts
// at normal viewing size; for the busiest pictures (a crowd filling the
// frame) quality steps down, never below 70, to stay within WebPBudget. See
// TestBandwidthBudget.
const (
	DefaultWorkers         = 2
	DefaultJPEGQuality     = 82
	DefaultWebPQuality     = 80
	DefaultWebPMinQuality  = 70
	DefaultWebPMethod      = 4
	DefaultWebPLargeMethod = 2
	DefaultMasterQuality   = 90
	DefaultMaxDecodeBytes  = 256 << 20
)

// DefaultWidths are the rendition widths, in pixels.
var DefaultWidths = []int{320, 640, 960, 1280, 1920}

// DefaultRatios are the rendition crops.
var DefaultRatios = []Ratio{Ratio16x9, Ratio4x3, Ratio1x1, RatioOriginal}

// Processor turns uploads into a clean master and renditions. It is safe for
// concurrent use; memory stays bounded because at most Workers uploads are
// in flight at once, each refused from its header alone if decoding and
// processing it would need more than MaxDecodeBytes.
type Processor struct {
	opt    Options
	images chan struct{} // uploads being decoded or rendered
	cpu    chan struct{} // decodes and renditions running
}

// NewProcessor returns a Processor with opt's settings.
func NewProcessor(opt Options) (*Processor, error) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&opt.Workers, DefaultWorkers)
	def(&opt.JPEGQuality, DefaultJPEGQuality)
	def(&opt.WebPQuality, DefaultWebPQuality)
	def(&opt.WebPMinQuality, min(DefaultWebPMinQuality, opt.WebPQuality))
	def(&opt.WebPMethod, DefaultWebPMethod)
	def(&opt.WebPLargeMethod, DefaultWebPLargeMethod)
	def(&opt.MasterQuality, DefaultMasterQuality)
	def(&opt.MaxBytes, MaxBytes)
	def(&opt.MaxPixels, MaxPixels)
	if opt.MaxDecodeBytes == 0 {
		opt.MaxDecodeBytes = DefaultMaxDecodeBytes
	}
	if opt.Widths == nil {
		opt.Widths = DefaultWidths
	}
	if opt.Ratios == nil {
		opt.Ratios = DefaultRatios
	}
	opt.Widths = slices.Clone(opt.Widths)
	slices.Sort(opt.Widths)
	switch {
	case opt.Workers < 1:
		return nil, fmt.Errorf("media: %d workers", opt.Workers)
	case len(opt.Widths) == 0 || opt.Widths[0] < 1:
		return nil, fmt.Errorf("media: widths %v", opt.Widths)
	case len(opt.Ratios) == 0:
		return nil, fmt.Errorf("media: no ratios")
	case opt.JPEGQuality > 100 || opt.MasterQuality > 100 || opt.WebPQuality > 100 || opt.WebPMethod > 6 || opt.WebPLargeMethod > 6:
		return nil, fmt.Errorf("media: quality above 100 or WebP method above 6")
	case opt.WebPMinQuality > opt.WebPQuality:
		return nil, fmt.Errorf("media: WebP quality floor %d above %d", opt.WebPMinQuality, opt.WebPQuality)
	}
	for _, r := range opt.Ratios {
		if r.W < 0 || r.H < 0 || (r.W == 0) != (r.H == 0) || r.Name == "" {
			return nil, fmt.Errorf("media: ratio %+v", r)
		}
	}
	// Compiling the WebAssembly encoder takes about a second; do it now,
	// in the background, rather than in the first upload.
	go webp.Init()
	return &Processor{
		opt:    opt,
		images: make(chan struct{}, opt.Workers),
		cpu:    make(chan struct{}, opt.Workers),
	}, nil
}

// Format names of renditions.
const (
	FormatJPEG = "jpeg"
	FormatWebP = "webp"
)

// Rendition is one re-encoded file: Key is the SHA-256 of Data plus the
// extension, so it can be stored and served content-addressed.
type Rendition struct {
	Key     string
	Data    []byte
	Width   int
	Height  int
	Ratio   string // a Ratio's Name
	Format  string // FormatJPEG or FormatWebP
	Quality int    // the encoder quality it was made at
}

// ContentType is the rendition's MIME type.
func (r *Rendition) ContentType() string { return ContentTypeOfKey(r.Key) }

// Result is what Process made of an upload. Nothing in it carries a byte of
// the upload's metadata: every file is encoded afresh from pixels.
type Result struct {
	// Master is the upright image as a JPEG, at the smallest size from which
	// every rendition can be made again at full quality (for a new focal
	// point), and never larger than the upload.
	Master Rendition
	// Renditions are ordered as the Ratios option, then by width, WebP first.
	// Ratios that crop alike share keys.
	Renditions  []Rendition
	Width       int    // the upright upload's size
	Height      int    //
	SourceType  string // content type sniffed from the upload
	Orientation int    // the EXIF orientation applied to the pixels (1: none)
	Focal       FocalPoint
	Suggestions Suggestions // IPTC/XMP caption, credit, creator, to prefill the form
}

// Process checks an upload, decodes it, applies its EXIF orientation, and
// makes the master and every rendition, cropping around focal. It stores
// nothing: on any error there is nothing to clean up.
func (p *Processor) Process(ctx context.Context, data []byte, focal FocalPoint) (*Result, error) {
	return p.process(ctx, data, focal, false)
}

// Rerender makes the renditions again from a stored master, for a new focal
// point. The master is returned as given; the result's Width and Height are
// the master's. Master pixels suffice: the master was sized for exactly this.
func (p *Processor) Rerender(ctx context.Context, master []byte, focal FocalPoint) (*Result, error) {
	return p.process(ctx, master, focal, true)
}

func (p *Processor) process(ctx context.Context, data []byte, focal FocalPoint, keepMaster bool) (*Result, error) {
	if !focal.valid() {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "focal", "the focal point must lie within the image (0 to 1 on each axis)")
	}
	h, err := check(data, p.opt.MaxBytes, p.opt.MaxPixels)
	if err != nil {
		return nil, err
	}
	md := readMetadata(h, data)
	if keepMaster {
		md = metadata{orientation: 1}
	}
	uw, uh := h.width, h.height
	if md.orientation >= 5 {
		uw, uh = uh, uw
	}
	pl := p.plan(uw, uh, focal)
	if need := pl.need(h.decodeBytes(), p.opt.Workers); need > p.opt.MaxDecodeBytes {
		return nil, kolokol.FieldErrorf(kolokol.ETOOLARGE, "file", "processing this %dx%d image would need about %d MB; the limit is %d MB: save it smaller, or as a baseline JPEG", h.width, h.height, need>>20, p.opt.MaxDecodeBytes>>20)
	}
	if err := acquire(ctx, p.images); err != nil {
		return nil, err
	}
	defer release(p.images)

	if err := acquire(ctx, p.cpu); err != nil {
		return nil, err
	}
	master, err := p.master(h, data, md.orientation, &pl)
	release(p.cpu)
	if err != nil {
		return nil, err
	}
	res := &Result{
		Width: uw, Height: uh, SourceType: h.contentType, Orientation: md.orientation,
		Focal: focal, Suggestions: md.suggest,
	}
	if keepMaster {
		res.Master = rendition(data, pl.mw, pl.mh, RatioOriginal.Name, FormatJPEG, ".jpg")
	}
	if res.Renditions, err = p.render(ctx, master, &pl, &res.Master, keepMaster); err != nil {
		return nil, err
	}
	return res, nil
}

func acquire(ctx context.Context, sem chan struct{}) error {
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func release(sem chan struct{}) { <-sem }

// master decodes the upload and scales it straight to the master size in
// one streaming pass, then turns it upright. The decoded upload is dropped
// when this returns.
func (p *Processor) master(h *header, data []byte, orientation int, pl *plan) (m *image.RGBA, err error) {
	src, err := decode(h.format, data)
	if err != nil {
		return nil, invalid("the %s image is corrupt: %v", formatNames[h.format], err)
	}
	b := src.Bounds()
	if b.Dx() != h.width || b.Dy() != h.height {
		// A GIF's first frame may be smaller than its screen: plan for it.
		if b.Dx() < 1 || b.Dy() < 1 || b.Dx() > h.width || b.Dy() > h.height {
			return nil, invalid("the %s image's frame does not match its header", formatNames[h.format])
		}
		uw, uh := b.Dx(), b.Dy()
		if orientation >= 5 {
			uw, uh = uh, uw
		}
		*pl = p.plan(uw, uh, pl.focal)
	}
	mw, mh := pl.mw, pl.mh
	if orientation >= 5 {
		mw, mh = mh, mw
	}
	m = image.NewRGBA(image.Rect(0, 0, mw, mh))
	resample(m, newConvertedRows(src, h.format == "webp"), b.Dx(), b.Dy())
	return orient(m, orientation), nil
}

// decode decodes with the named decoder. The standard and x/image decoders
// are not expected to panic on bad input, but a panic must never take the
// server down with it.
func decode(format string, data []byte) (m image.Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("decoder failed: %v", r)
		}
	}()
	r := bytes.NewReader(data)
	switch format {
	case "jpeg":
		return jpeg.Decode(r)
	case "png":
		return png.Decode(r)
	case "gif":
		return gif.Decode(r) // the first frame only
	case "webp":
		return xwebp.Decode(r)
	}
	return nil, fmt.Errorf("unsupported format %s", format)
}

// render encodes the master (unless kept) and every job on the CPU pool.
func (p *Processor) render(ctx context.Context, m *image.RGBA, pl *plan, master *Rendition, keepMaster bool) ([]Rendition, error) {
	g, ctx := errgroup.WithContext(ctx)
	type pair struct{ webp, jpeg Rendition }
	out := make([]pair, len(pl.jobs))
	if !keepMaster {
		g.Go(func() error {
			if err := acquire(ctx, p.cpu); err != nil {
				return err
			}
			defer release(p.cpu)
			var err error
			*master, err = encodeJPEG(m, p.opt.MasterQuality, RatioOriginal.Name)
			return err
		})
	}
	// Jobs queue in plan order (ratio, then width), so the two workers rarely
	// hold the two largest images at once: largest-first scheduling measured
	// 5% faster but raised the peak heap by 100 MB.
	for i, j := range pl.jobs {
		g.Go(func() error {
			if err := acquire(ctx, p.cpu); err != nil {
				return err
			}
			defer release(p.cpu)
			img := image.NewRGBA(image.Rect(0, 0, j.w, j.h))
			resample(img, rgbaRows{m, j.r}, j.r.Dx(), j.r.Dy())
			var err error
			if out[i].webp, err = p.encodeWebP(img); err != nil {
				return err
			}
			out[i].jpeg, err = encodeJPEG(img, p.opt.JPEGQuality, "")
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var list []Rendition
	for _, c := range pl.crops {
		for _, i := range c.jobs {
			w, j := out[i].webp, out[i].jpeg
			w.Ratio, j.Ratio = c.ratio, c.ratio
			list = append(list, w, j)
		}
	}
	return list, nil
}
