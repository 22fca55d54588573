// Package media checks uploaded images, strips what they carry about their
// source, makes the renditions readers get, and keeps media files in
// content-addressed blob stores.
package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"strings"

	"github.com/kolokol/kolokol"
	xwebp "golang.org/x/image/webp"
)

// Limits on uploads. MaxPixels refuses decompression bombs from the header
// alone, before a single pixel is decoded.
const (
	MaxBytes  = 25 << 20
	MaxPixels = 50_000_000
	MaxSide   = 20_000
)

var allowedTypes = map[string]string{
	"image/jpeg": "jpeg",
	"image/png":  "png",
	"image/gif":  "gif",
	"image/webp": "webp",
}

var formatNames = map[string]string{"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WebP"}

// header is what an upload is, learnt without decoding its pixels.
type header struct {
	format      string // jpeg, png, gif, webp
	contentType string
	width       int // as stored, before any EXIF orientation
	height      int
	model       color.Model
	layout      *layout
}

func invalid(format string, args ...any) error {
	return kolokol.FieldErrorf(kolokol.EINVALID, "file", format, args...)
}

// check runs every test that needs no pixel decoding: size, type sniffed
// from the content, dimensions from the header, container structure
// (truncation, corruption) and polyglot signatures.
func check(data []byte, maxBytes, maxPixels int) (*header, error) {
	if len(data) == 0 {
		return nil, invalid("the upload is empty")
	}
	if len(data) > maxBytes {
		return nil, kolokol.FieldErrorf(kolokol.ETOOLARGE, "file", "the upload is %d bytes; the limit is %d", len(data), maxBytes)
	}
	ct := http.DetectContentType(data)
	format, ok := allowedTypes[ct]
	if !ok {
		return nil, invalid("%s", describeUnsupported(data, ct))
	}
	l, err := walk(format, data)
	if err != nil {
		return nil, invalid("%v", err)
	}
	// Decoders are called by name, never through image.DecodeConfig: the
	// registry is global, and a WebP encoder we link registers a second,
	// WASM-based WebP decoder in it.
	var cfg image.Config
	r := bytes.NewReader(data)
	switch format {
	case "jpeg":
		cfg, err = jpeg.DecodeConfig(r)
	case "png":
		cfg, err = png.DecodeConfig(r)
	case "gif":
		cfg, err = gif.DecodeConfig(r)
	case "webp":
		cfg, err = xwebp.DecodeConfig(r)
	}
	if err != nil {
		return nil, invalid("the %s image is corrupt: %v", formatNames[format], err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxSide || cfg.Height > MaxSide || int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return nil, invalid("the image is %dx%d pixels; the limit is %d pixels and %d on a side", cfg.Width, cfg.Height, maxPixels, MaxSide)
	}
	if what := polyglot(data, l); what != "" {
		return nil, invalid("the %s image is also %s; save it again from an image editor", formatNames[format], what)
	}
	return &header{format: format, contentType: ct, width: cfg.Width, height: cfg.Height, model: cfg.ColorModel, layout: l}, nil
}

// describeUnsupported names what a refused upload is, so the message helps
// the editor fix it: SVG can carry script, HEIC comes straight off phones.
func describeUnsupported(data []byte, ct string) string {
	head := bytes.ToLower(data[:min(len(data), 1024)])
	switch {
	case bytes.Contains(head, []byte("<svg")):
		return "SVG images are not accepted, since they can carry script: upload a JPEG, PNG, WebP or GIF image"
	case len(data) >= 12 && string(data[4:8]) == "ftyp":
		return fmt.Sprintf("HEIC and AVIF photos (%q) are not supported: export the photo as JPEG", strings.TrimSpace(string(data[8:12])))
	}
	return "unsupported file type " + ct + ": upload a JPEG, PNG, WebP or GIF image"
}

// decodeBytes estimates, from the header alone, the most memory the decoder
// will allocate for the image, so that an upload that would need too much is
// refused before decoding starts.
func (h *header) decodeBytes() int64 {
	px := int64(h.width) * int64(h.height)
	var per float64
	switch h.format {
	case "jpeg":
		per = h.layout.samples
		if h.layout.progressive {
			per += 4 * h.layout.samples // an int32 coefficient per sample, kept for all scans
		}
		if h.layout.components == 4 || h.layout.components == 3 && h.layout.samples == 3 {
			per += 4 // CMYK, or possibly RGB, converted to a 4-byte image
		}
	case "png":
		switch h.model {
		case color.GrayModel, color.AlphaModel:
			per = 1
		case color.Gray16Model, color.Alpha16Model:
			per = 2
		case color.RGBA64Model, color.NRGBA64Model:
			per = 8
		default:
			if _, ok := h.model.(color.Palette); ok {
				per = 1
			} else {
				per = 4
			}
		}
		if h.layout.interlaced {
			per *= 2 // each pass is decoded into its own image first
		}
	case "gif":
		per = 2 // paletted frame plus the LZW output buffer
	case "webp":
		switch {
		case h.layout.lossless:
			per = 8 // NRGBA plus the decoder's ARGB words
		case h.layout.alpha:
			per = 7 // YCbCr, alpha plane, and the NRGBA its lossless coding decodes through
		default:
			per = 1.5
		}
	}
	return int64(float64(px) * per)
}

// Inspect decides what an upload is from its bytes (never from its name or
// the client's content type) and reads its dimensions from the header. It
// also refuses truncated, corrupt and polyglot files. It decodes no pixels.
func Inspect(data []byte) (*kolokol.Media, error) {
	h, err := check(data, MaxBytes, MaxPixels)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	return &kolokol.Media{
		Hash:        hex.EncodeToString(sum[:]),
		ContentType: h.contentType,
		Size:        int64(len(data)),
		Width:       h.width,
		Height:      h.height,
	}, nil
}

// Key is the blob key of a media file: its hash and extension.
func Key(m *kolokol.Media) string { return m.Hash + m.Ext() }

// ValidKey reports whether key has the form Key produces, so that a key from
// a URL can never name a path outside the store.
func ValidKey(key string) bool {
	if len(key) < 65 {
		return false
	}
	for _, c := range key[:64] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	switch key[64:] {
	case ".jpg", ".png", ".gif", ".webp":
		return true
	case ".zim", ".epub", ".minisig": // offline editions and their signatures (package bundle)
		return true
	}
	return false
}

// ContentTypeOfKey returns the content type for a valid key's extension.
func ContentTypeOfKey(key string) string {
	switch {
	case strings.HasSuffix(key, ".jpg"):
		return "image/jpeg"
	case strings.HasSuffix(key, ".png"):
		return "image/png"
	case strings.HasSuffix(key, ".gif"):
		return "image/gif"
	case strings.HasSuffix(key, ".webp"):
		return "image/webp"
	case strings.HasSuffix(key, ".epub"):
		return "application/epub+zip"
	case strings.HasSuffix(key, ".minisig"):
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream"
}
