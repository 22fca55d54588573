package auth

import (
	"fmt"
	"html/template"
	"strings"

	"rsc.io/qr"
)

// qrQuiet is the white border, in modules, that QR readers expect.
const qrQuiet = 4

// QRCodeSVG draws text (an otpauth URI from TOTPURI, say) as a QR code, at
// error correction level M, in inline SVG markup drawn on the server: a white
// square and one black path, 240 px wide, with label as its accessible name.
// It has no script, no style attribute and nothing fetched, so a page with a
// strict Content-Security-Policy (no inline styles, images from 'self') can
// carry it; its colours are SVG presentation attributes.
func QRCodeSVG(text, label string) (template.HTML, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return "", fmt.Errorf("qr code: %w", err)
	}
	size := code.Size + 2*qrQuiet
	var d strings.Builder
	for y := range code.Size {
		for x := 0; x < code.Size; {
			if !code.Black(x, y) {
				x++
				continue
			}
			run := 1
			for x+run < code.Size && code.Black(x+run, y) {
				run++
			}
			// One rectangle per horizontal run of black modules.
			fmt.Fprintf(&d, "M%d %dh%dv1h-%dz", x+qrQuiet, y+qrQuiet, run, run)
			x += run
		}
	}
	return template.HTML(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="240" height="240" role="img" aria-label="%s" shape-rendering="crispEdges">`+
		`<rect width="%d" height="%d" fill="#fff"/><path d="%s" fill="#000"/></svg>`,
		size, size, template.HTMLEscapeString(label), size, size, d.String())), nil
}
