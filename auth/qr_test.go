package auth

import (
	"encoding/xml"
	"image"
	"image/color"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

type svgDoc struct {
	XMLName xml.Name   `xml:"svg"`
	Attrs   []xml.Attr `xml:",any,attr"`
	Rects   []svgShape `xml:"rect"`
	Paths   []svgShape `xml:"path"`
	Other   []svgShape `xml:",any"`
}

type svgShape struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
}

func attr(attrs []xml.Attr, name string) string {
	for _, a := range attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

var (
	qrPath    = regexp.MustCompile(`^(M\d+ \d+h\d+v1h-\d+z)*$`)
	qrSegment = regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`)
)

// rasterize reads the SVG as a browser would draw it (only the shapes
// QRCodeSVG makes), scale pixels a module, and checks its structure.
func rasterize(t *testing.T, svg string, scale int) image.Image {
	t.Helper()
	var doc svgDoc
	if err := xml.Unmarshal([]byte(svg), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, svg)
	}
	w, h, ok := parseViewBox(attr(doc.Attrs, "viewBox"))
	if !ok || w != h || w < 21+8 {
		t.Fatalf("viewBox %q", attr(doc.Attrs, "viewBox"))
	}
	if doc.XMLName.Space != "http://www.w3.org/2000/svg" || attr(doc.Attrs, "role") != "img" || attr(doc.Attrs, "aria-label") == "" {
		t.Errorf("svg attributes %v", doc.Attrs)
	}
	if len(doc.Rects) != 1 || len(doc.Paths) != 1 || len(doc.Other) != 0 {
		t.Fatalf("%d rects, %d paths, %d other elements", len(doc.Rects), len(doc.Paths), len(doc.Other))
	}
	for _, a := range append(append(doc.Attrs, doc.Rects[0].Attrs...), doc.Paths[0].Attrs...) {
		if a.Name.Local == "style" || strings.HasPrefix(a.Name.Local, "on") || strings.Contains(a.Value, "url(") {
			t.Errorf("attribute %s=%q", a.Name.Local, a.Value)
		}
	}
	if attr(doc.Rects[0].Attrs, "fill") != "#fff" || attr(doc.Paths[0].Attrs, "fill") != "#000" {
		t.Errorf("colours: %v %v", doc.Rects[0].Attrs, doc.Paths[0].Attrs)
	}
	d := attr(doc.Paths[0].Attrs, "d")
	if !qrPath.MatchString(d) || d == "" {
		t.Fatalf("path %q", d)
	}
	img := image.NewGray(image.Rect(0, 0, w*scale, h*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for _, m := range qrSegment.FindAllStringSubmatch(d, -1) {
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		run, _ := strconv.Atoi(m[3])
		if m[3] != m[4] || x < 4 || y < 4 || x+run > w-4 || y >= h-4 {
			t.Fatalf("segment %s outside the code or not closed", m[0])
		}
		for px := x * scale; px < (x+run)*scale; px++ {
			for py := y * scale; py < (y+1)*scale; py++ {
				img.SetGray(px, py, color.Gray{})
			}
		}
	}
	return img
}

// parseViewBox reads "0 0 w h".
func parseViewBox(viewBox string) (w, h int, ok bool) {
	f := strings.Fields(viewBox)
	if len(f) != 4 || f[0] != "0" || f[1] != "0" {
		return 0, 0, false
	}
	w, err1 := strconv.Atoi(f[2])
	h, err2 := strconv.Atoi(f[3])
	return w, h, err1 == nil && err2 == nil
}

func TestQRCodeSVG(t *testing.T) {
	secret := "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	for _, text := range []string{
		TOTPURI("Kolokol", "anna@example.org", secret),
		TOTPURI("Kolokol News: Farsi", "reporter.with.a.long.name+tag@newsroom.example.org", secret),
		"HELLO",
		"یک کد", // UTF-8
	} {
		svg, err := QRCodeSVG(text, `QR code of the "authenticator" key`)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if !strings.Contains(string(svg), `aria-label="QR code of the &#34;authenticator&#34; key"`) {
			t.Errorf("label not escaped: %.200s", svg)
		}
		img := rasterize(t, string(svg), 4)
		bmp, err := gozxing.NewBinaryBitmapFromImage(img)
		if err != nil {
			t.Fatal(err)
		}
		hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_CHARACTER_SET: "UTF-8"}
		res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
		if err != nil {
			t.Fatalf("%q: the drawn code does not scan: %v", text, err)
		}
		if res.GetText() != text {
			t.Errorf("scanned %q, want %q", res.GetText(), text)
		}
	}
	if _, err := QRCodeSVG(strings.Repeat("x", 3000), "too long"); err == nil {
		t.Error("a text over a QR code's capacity was drawn")
	}
}
