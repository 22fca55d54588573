package kolokol

import (
	"context"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Media is an uploaded image. What is kept is never the upload itself (it
// may carry the photographer's position in its metadata) but a master
// re-encoded from its pixels, and renditions made from the master. Hash,
// ContentType, Size, Width and Height describe the master: Hash is the
// SHA-256 of its bytes, hex encoded, and its content type is image/jpeg.
// Media stored before renditions existed is the upload as it came, of any
// image type, with no renditions.
type Media struct {
	ID          int64
	Hash        string
	ContentType string // sniffed from the content, never taken from the client
	Size        int64
	Width       int
	Height      int
	// FocalX and FocalY are the point crops keep in view, as fractions of
	// the width and height from the top-left corner. Uploads start at the
	// centre (0.5, 0.5); the zero value is the top-left corner.
	FocalX, FocalY float64
	// Renditions are the crops and sizes readers get, in the order they
	// were made; Srcset picks and sorts them.
	Renditions []Rendition
	CreatedAt  time.Time
	// Services are the services that uploaded it, by code, sorted. With
	// the services whose stories show it, they are who may see it; a media
	// is no one else's to find, crop or put in a story.
	Services []string
	// Alt, Caption and Credit are the library's defaults: what a story
	// that takes the photo starts with (it keeps its own copy, so editing
	// them later changes no story). Upload fills Caption and Credit from
	// the picture's IPTC/XMP metadata.
	Alt, Caption, Credit string
	// Name is the uploaded file's name, cleaned by MediaName: words to find
	// the photo by, never a path to anything.
	Name string
	// UploadedBy is the name of the account that uploaded it first.
	UploadedBy string
}

// MaxMediaName bounds a media's name, in characters.
const MaxMediaName = 200

// MediaName cleans an uploaded file's name into a media's Name: the base
// name only (a browser may send a whole path, with either slash), control
// and bidirectional control characters dropped, space trimmed, at most
// MaxMediaName characters. The name is shown and searched, never used to
// reach a file, but a path in it says something about the uploader's
// computer that is nobody's business.
func MediaName(filename string) string {
	if i := strings.LastIndexAny(filename, `/\`); i >= 0 {
		filename = filename[i+1:]
	}
	filename = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || isBidiControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, filename)
	filename = strings.TrimSpace(filename)
	if filename == "." || filename == ".." {
		return ""
	}
	if utf8.RuneCountInString(filename) > MaxMediaName {
		filename = strings.TrimSpace(string([]rune(filename)[:MaxMediaName]))
	}
	return filename
}

// ValidateText checks a media's library texts: single lines, as a lead
// image's alt text, caption and credit are, and a clean name.
func (m *Media) ValidateText() error {
	for _, f := range [][2]string{{"alt", m.Alt}, {"caption", m.Caption}, {"credit", m.Credit}} {
		if err := checkLine(f[0], f[1], MaxSummary); err != nil {
			return err
		}
		// A default is copied into forms whose fields are one line.
		if strings.ContainsAny(f[1], "\r\n\t") {
			return FieldErrorf(EINVALID, f[0], "%s must be one line, without line breaks or tabs", f[0])
		}
	}
	if MediaName(m.Name) != m.Name {
		return FieldErrorf(EINVALID, "name", "media name %q is not a clean file name (see MediaName)", m.Name)
	}
	return checkLine("uploaded_by", m.UploadedBy, MaxSummary)
}

// MediaFilter selects media of a service's library, newest first. Query,
// if set, must appear in the name, alt text, caption or credit, in any
// case. Limit 0 is the store's default page.
type MediaFilter struct {
	Service       string
	Query         string
	Limit, Offset int
}

// Rendition ratio names: the crops a page layout picks from.
const (
	Ratio16x9     = "16:9"
	Ratio4x3      = "4:3"
	Ratio1x1      = "1:1"
	RatioOriginal = "original" // the picture's own shape, uncropped
)

// Rendition formats. A page offers WebP first and JPEG as the fallback.
const (
	FormatWebP = "webp"
	FormatJPEG = "jpeg"
)

// Rendition is one file made from a media's master: a crop (Ratio) at one
// Width, in one Format. Key is its blob key, the SHA-256 of its bytes plus
// the extension, so its URL never changes meaning and may be cached forever.
type Rendition struct {
	Key    string
	Ratio  string
	Format string
	Width  int
	Height int
	Size   int64
}

// Path is where readers fetch the rendition.
func (r Rendition) Path() string { return "/media/" + r.Key }

// ContentType is the rendition's MIME type.
func (r Rendition) ContentType() string {
	switch r.Format {
	case FormatWebP:
		return "image/webp"
	case FormatJPEG:
		return "image/jpeg"
	}
	return "application/octet-stream"
}

var (
	renditionKeyRE = regexp.MustCompile(`^[0-9a-f]{64}\.(jpg|webp)$`)
	ratioRE        = regexp.MustCompile(`^([1-9][0-9]{0,3}:[1-9][0-9]{0,3}|original)$`)
	mediaHashRE    = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// MaxRenditions bounds the renditions of one media; the defaults make 40.
const MaxRenditions = 200

// Validate checks a rendition before it is stored: a content-addressed key
// whose extension matches the format, a known ratio shape, a real size.
func (r Rendition) Validate() error {
	if !renditionKeyRE.MatchString(r.Key) {
		return FieldErrorf(EINVALID, "key", "rendition key %q is not a SHA-256 hex digest followed by .jpg or .webp", r.Key)
	}
	ext := r.Key[64:]
	switch {
	case r.Format != FormatJPEG && r.Format != FormatWebP:
		return FieldErrorf(EINVALID, "format", "unknown rendition format %q", r.Format)
	case (r.Format == FormatJPEG) != (ext == ".jpg"):
		return FieldErrorf(EINVALID, "key", "rendition key %q does not match its format %s", r.Key, r.Format)
	case !ratioRE.MatchString(r.Ratio):
		return FieldErrorf(EINVALID, "ratio", "rendition ratio %q is neither W:H nor original", r.Ratio)
	case r.Width <= 0 || r.Height <= 0 || r.Width > 100000 || r.Height > 100000:
		return FieldErrorf(EINVALID, "width", "rendition size %dx%d is out of range", r.Width, r.Height)
	case r.Size <= 0:
		return FieldErrorf(EINVALID, "size", "rendition size must be positive, got %d bytes", r.Size)
	}
	return nil
}

// ValidFocal reports whether (x, y) lies within the picture.
func ValidFocal(x, y float64) bool {
	return x >= 0 && x <= 1 && y >= 0 && y <= 1 // false for NaN
}

// ValidateRenditions checks every rendition and that no two share a ratio,
// format and width. Errors name the field as renditions[i].field.
func ValidateRenditions(rs []Rendition) error {
	if len(rs) > MaxRenditions {
		return FieldErrorf(EINVALID, "renditions", "%d renditions; the limit is %d", len(rs), MaxRenditions)
	}
	type slot struct {
		ratio, format string
		width         int
	}
	seen := make(map[slot]bool, len(rs))
	for i, r := range rs {
		if err := r.Validate(); err != nil {
			e := err.(*Error)
			return FieldErrorf(EINVALID, "renditions["+strconv.Itoa(i)+"]."+e.Field, "%s", e.Message)
		}
		s := slot{r.Ratio, r.Format, r.Width}
		if seen[s] {
			return FieldErrorf(EINVALID, "renditions["+strconv.Itoa(i)+"]", "two %s renditions of ratio %s are %d wide", r.Format, r.Ratio, r.Width)
		}
		seen[s] = true
	}
	return nil
}

// Validate checks a media row before it is stored.
func (m *Media) Validate() error {
	switch {
	case strings.TrimSpace(m.Hash) == "":
		return FieldErrorf(EINVALID, "hash", "media hash is required")
	case !mediaHashRE.MatchString(m.Hash):
		return FieldErrorf(EINVALID, "hash", "media hash %q is not a SHA-256 hex digest", m.Hash)
	case m.ContentType == "":
		return FieldErrorf(EINVALID, "content_type", "media content type is required")
	case m.Size < 0:
		return FieldErrorf(EINVALID, "size", "media size cannot be negative")
	case m.Width < 0 || m.Height < 0:
		return FieldErrorf(EINVALID, "width", "media dimensions cannot be negative")
	case !ValidFocal(m.FocalX, m.FocalY):
		return FieldErrorf(EINVALID, "focal", "the focal point must lie within the image (0 to 1 on each axis), got (%g, %g)", m.FocalX, m.FocalY)
	}
	for _, s := range m.Services {
		if !ValidServiceCode(s) {
			return FieldErrorf(EINVALID, "services", "invalid service code %q", s)
		}
	}
	if err := m.ValidateText(); err != nil {
		return err
	}
	return ValidateRenditions(m.Renditions)
}

// Ext returns the file extension that matches the media's content type.
func (m *Media) Ext() string {
	switch m.ContentType {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	}
	return ".bin"
}

// Path is where readers fetch the master file. Pages should offer the
// renditions (Srcset) and keep the master for when there are none.
func (m *Media) Path() string { return "/media/" + m.Hash + m.Ext() }

// Srcset returns the renditions of one ratio and format, narrowest first:
// the candidates of an srcset attribute. It is empty when the media has no
// renditions of that kind.
func (m *Media) Srcset(ratio, format string) []Rendition {
	var out []Rendition
	for _, r := range m.Renditions {
		if r.Ratio == ratio && r.Format == format {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b Rendition) int { return a.Width - b.Width })
	return out
}

// Pick returns the narrowest rendition of the ratio and format at least
// width pixels wide, or the widest when none is that wide: the src of an
// img element, for browsers that ignore srcset. ok is false when there is
// no rendition of that kind.
func (m *Media) Pick(ratio, format string, width int) (r Rendition, ok bool) {
	list := m.Srcset(ratio, format)
	if len(list) == 0 {
		return Rendition{}, false
	}
	for _, r := range list {
		if r.Width >= width {
			return r, true
		}
	}
	return list[len(list)-1], true
}

// SrcsetAttr formats renditions as the value of an srcset attribute:
// "URL 320w, URL 640w". url maps each rendition to the URL the page uses
// (Path, or a path relative to the page).
func SrcsetAttr(rs []Rendition, url func(Rendition) string) string {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(url(r))
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(r.Width))
		b.WriteByte('w')
	}
	return b.String()
}

// AltRepeatsCaption reports whether the alt text says what the caption
// already says, which leaves someone who cannot see the picture without a
// description of it: the caption is read out too. The two are compared
// case-folded, with punctuation and runs of space read as one space; they
// repeat each other when equal, or when one contains the other and the
// shorter is at least 80% of the longer's length, in characters.
func (li *LeadImage) AltRepeatsCaption() bool {
	if li == nil {
		return false
	}
	alt, caption := normalizeForCompare(li.Alt), normalizeForCompare(li.Caption)
	if alt == "" || caption == "" {
		return false
	}
	if alt == caption {
		return true
	}
	short, long := alt, caption
	if utf8.RuneCountInString(short) > utf8.RuneCountInString(long) {
		short, long = long, short
	}
	return strings.Contains(long, short) &&
		float64(utf8.RuneCountInString(short)) >= 0.8*float64(utf8.RuneCountInString(long))
}

// normalizeForCompare case-folds s and turns every run of punctuation and
// space into one space, trimmed from both ends: "Grey squares, today." and
// "grey squares today" compare equal.
func normalizeForCompare(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPunct(r) {
			return ' '
		}
		return r
	}, s)
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// BlobStore keeps media files by key (the content hash plus extension).
type BlobStore interface {
	Put(ctx context.Context, key string, r io.Reader) error
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
	Exists(ctx context.Context, key string) (bool, error)
}
