package kolokol

import (
	"strconv"
	"strings"

	"github.com/kolokol/kolokol/logo"
)

// Logo is a service's masthead picture: a drawing reduced to shapes by
// package logo, inlined in every page so that it costs no request and can
// carry nothing but shapes, or a picture from the media library, shown as
// one of its renditions. The zero Logo is none.
type Logo struct {
	// SVG is the drawing's shapes as logo.Sanitize leaves them, and
	// ViewBox its coordinates ("minX minY width height").
	SVG, ViewBox string
	// MediaID is a picture's, for a raster logo.
	MediaID int64
}

// IsZero reports whether there is no logo.
func (l Logo) IsZero() bool { return l.SVG == "" && l.MediaID == 0 }

// WrapSVG is the drawing as an SVG document, the form logo.Sanitize reads.
func (l Logo) WrapSVG() []byte {
	return []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="` + l.ViewBox + `">` + l.SVG + `</svg>`)
}

// validate refuses a drawing that is not exactly what the sanitizer
// makes of it: a stored logo goes into every page unescaped, so whatever
// path it came by (a form, the API, a restored backup) it is checked again.
func (l Logo) validate() error {
	switch {
	case l.MediaID < 0:
		return FieldErrorf(EINVALID, "logo", "logo picture %d is not a media id", l.MediaID)
	case l.SVG != "" && l.MediaID != 0:
		return FieldErrorf(EINVALID, "logo", "a logo is a drawing or a picture, not both")
	case l.SVG == "" && l.ViewBox != "":
		return FieldErrorf(EINVALID, "logo", "a logo's view box without its drawing")
	case l.SVG == "":
		return nil
	}
	s, err := logo.Sanitize(l.WrapSVG())
	if err != nil {
		return FieldErrorf(EINVALID, "logo", "the stored logo is not a safe drawing: %v", err)
	}
	if string(s.Inner) != l.SVG || s.ViewBox != l.ViewBox || len(s.Dropped) > 0 {
		return FieldErrorf(EINVALID, "logo", "the logo is not in the form the sanitizer leaves it (%d bytes differ in length, %d parts dropped): upload the drawing again",
			len(l.SVG)-len(s.Inner), len(s.Dropped))
	}
	return nil
}

// Aspect is the drawing's width over its height, for the page to size it
// before it draws; 0 when unknown.
func (l Logo) Aspect() float64 {
	var f [4]float64
	n := 0
	for _, p := range strings.Fields(l.ViewBox) {
		if n == 4 {
			return 0
		}
		v, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return 0
		}
		f[n] = v
		n++
	}
	if n != 4 || f[2] <= 0 || f[3] <= 0 {
		return 0
	}
	return f[2] / f[3]
}
