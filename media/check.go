// Package media checks uploaded images and keeps media files in
// content-addressed blob stores.
package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	_ "image/gif" // registered for DecodeConfig
	_ "image/jpeg"
	_ "image/png"
	"net/http"
	"strings"

	"github.com/kolokol/kolokol"
	_ "golang.org/x/image/webp"
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

// Inspect decides what an upload is from its bytes (never from its name or
// the client's content type) and reads its dimensions from the header.
func Inspect(data []byte) (*kolokol.Media, error) {
	if len(data) == 0 {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "file", "the upload is empty")
	}
	if len(data) > MaxBytes {
		return nil, kolokol.FieldErrorf(kolokol.ETOOLARGE, "file", "the upload is %d bytes; the limit is %d", len(data), MaxBytes)
	}
	ct := http.DetectContentType(data)
	format, ok := allowedTypes[ct]
	if !ok {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "file", "unsupported file type %s: upload a JPEG, PNG, WebP or GIF image", ct)
	}
	cfg, got, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "file", "the %s image is corrupt or truncated: %v", format, err)
	}
	if got != format {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "file", "the file looks like %s but decodes as %s", format, got)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxSide || cfg.Height > MaxSide || cfg.Width*cfg.Height > MaxPixels {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "file", "the image is %dx%d pixels; the limit is %d pixels and %d on a side", cfg.Width, cfg.Height, MaxPixels, MaxSide)
	}
	sum := sha256.Sum256(data)
	return &kolokol.Media{
		Hash:        hex.EncodeToString(sum[:]),
		ContentType: ct,
		Size:        int64(len(data)),
		Width:       cfg.Width,
		Height:      cfg.Height,
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
	}
	return "application/octet-stream"
}
