package corpus

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
)

// Photo size: enough for the 320, 640 and 960 pixel renditions that pages
// ask for, and small enough that the media pipeline makes all of them in
// about a second.
const photoW, photoH = 960, 540

// skies are the light of each photo: morning, noon, evening, overcast...
var skies = []struct{ top, bottom color.RGBA }{
	{color.RGBA{120, 170, 225, 255}, color.RGBA{210, 230, 245, 255}},
	{color.RGBA{235, 160, 120, 255}, color.RGBA{250, 220, 170, 255}},
	{color.RGBA{150, 160, 175, 255}, color.RGBA{205, 210, 215, 255}},
	{color.RGBA{90, 120, 200, 255}, color.RGBA{190, 205, 240, 255}},
	{color.RGBA{200, 130, 150, 255}, color.RGBA{245, 200, 180, 255}},
	{color.RGBA{110, 190, 210, 255}, color.RGBA{220, 240, 240, 255}},
}

// photo draws variant k of the demo's picture (demo.Photo): a white ferry
// with a red stripe crossing a wide river towards low green hills, under
// another sky, with the sun, hills and ferry elsewhere, so that the alt
// text the demo stories give it stays true of every variant.
func photo(k int) ([]byte, error) {
	w, h := photoW, photoH
	sky := skies[k%len(skies)]
	phase := float64(k) * 1.7
	sunX, sunY := 0.15+0.7*frac(float64(k)*0.37), 0.12+0.15*frac(float64(k)*0.53)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	riverTop := h * 72 / 100
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			hill := 0.50 + 0.06*math.Sin(fx*7+phase) + 0.04*math.Sin(fx*17+1+phase)
			var c color.RGBA
			switch {
			case math.Hypot(fx-sunX, (fy-sunY)*float64(h)/float64(w)) < 0.045:
				c = color.RGBA{250, 214, 120, 255}
			case fy < hill:
				t := fy / hill
				c = mix(sky.top, sky.bottom, t)
			case y < riverTop:
				shade := uint8(20 + 20*math.Sin(fx*40+fy*30+phase))
				c = color.RGBA{40 + shade, 100 + shade, 60, 255}
			default:
				wave := uint8(12 + 12*math.Sin(fx*90+fy*60+phase))
				c = color.RGBA{100 + wave, 115 + wave, 130 + wave, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	bx, by := int(float64(w)*(0.15+0.55*frac(float64(k)*0.61))), h*80/100
	for y := by; y < by+h/14; y++ {
		for x := bx; x < bx+w/6 && x < w; x++ {
			c := color.RGBA{245, 245, 240, 255}
			if y > by+h/22 {
				c = color.RGBA{200, 40, 40, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		return nil, fmt.Errorf("draw photo %d: %w", k, err)
	}
	return buf.Bytes(), nil
}

func frac(f float64) float64 { return f - math.Floor(f) }

func mix(a, b color.RGBA, t float64) color.RGBA {
	l := func(x, y uint8) uint8 { return uint8(float64(x) + (float64(y)-float64(x))*t) }
	return color.RGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 255}
}
