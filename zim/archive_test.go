package zim

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"testing"
)

// service is what a sample archive is written in.
type service struct {
	lang3, lang2, dir string
	name, title       string
	headlines         []string
	body              string
}

var (
	english = service{
		lang3: "eng", lang2: "en", dir: "ltr",
		name: "kolokol_en_test", title: "Kolokol English",
		headlines: []string{"Parliament votes on the budget", "Floods reach the capital", "Elections set for spring"},
		body:      "Reporters in the capital said the vote was close.",
	}
	persian = service{
		lang3: "fas", lang2: "fa", dir: "rtl",
		name: "kolokol_fa_test", title: "کولوکول فارسی",
		headlines: []string{"مجلس به بودجه رأی داد", "سیل به پایتخت رسید", "انتخابات در بهار برگزار می\u200cشود"},
		body:      "خبرنگاران در پایتخت گفتند که رأی\u200cگیری نزدیک بود.",
	}
)

// picture makes an image of w×h in one colour, encoded as JPEG or PNG.
func picture(t testing.TB, w, h int, c color.RGBA, asPNG bool) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{c.R ^ uint8(x), c.G ^ uint8(y), c.B, 255})
		}
	}
	var b bytes.Buffer
	var err error
	if asPNG {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 80})
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// page is a whole HTML page in the service's language and direction.
func (s service) page(title, body string) []byte {
	return fmt.Appendf(nil, `<!DOCTYPE html>
<html lang="%s" dir="%s">
<head><meta charset="utf-8"><title>%s</title><link rel="stylesheet" href="%s"></head>
<body>%s</body>
</html>
`, s.lang2, s.dir, title, "STYLE", body)
}

// sample is a small archive of the service: a main page, three stories
// linking to each other with relative links, a stylesheet, two pictures,
// a redirect and the metadata Kiwix needs.
func sample(t testing.TB, s service) *Archive {
	t.Helper()
	a := &Archive{Main: "index.html", UUID: [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}}
	link := func(from string, html []byte, style string) []byte {
		return bytes.ReplaceAll(html, []byte("STYLE"), []byte(style))
	}
	var list bytes.Buffer
	for i, h := range s.headlines {
		fmt.Fprintf(&list, `<li><a href="a/%d.html">%s</a></li>`, i+1, h)
	}
	a.Entries = append(a.Entries, Entry{Path: "index.html", Title: s.title, MIME: "text/html", Front: true,
		Data: link("index.html", s.page(s.title, `<h1>`+s.title+`</h1><ul>`+list.String()+`</ul><img src="i/1.jpg" alt="">`), "style.css")})
	for i, h := range s.headlines {
		next := (i+1)%len(s.headlines) + 1
		body := fmt.Sprintf(`<h1>%s</h1><img src="../i/%d.%s" alt=""><p>%s %d</p><p><a href="%d.html">%s</a> · <a href="../index.html">%s</a></p>`,
			h, i%2+1, []string{"jpg", "png"}[i%2], s.body, i+1, next, s.headlines[next-1], s.title)
		a.Entries = append(a.Entries, Entry{Path: fmt.Sprintf("a/%d.html", i+1), Title: h, MIME: "text/html", Front: true,
			Data: link("a", s.page(h, body), "../style.css")})
	}
	a.Entries = append(a.Entries,
		Entry{Path: "style.css", MIME: "text/css", Data: []byte("body{font-family:sans-serif;max-width:40em;margin:auto}\nh1{font-size:1.6em}\n")},
		Entry{Path: "i/1.jpg", MIME: "image/jpeg", Data: picture(t, 64, 48, color.RGBA{200, 30, 30, 255}, false)},
		Entry{Path: "i/2.png", MIME: "image/png", Data: picture(t, 40, 30, color.RGBA{30, 30, 200, 255}, true)},
	)
	a.Redirects = []Redirect{{Path: "a/old.html", Title: s.headlines[0] + " (old)", Target: "a/1.html"}}
	a.Metadata = Metadata{
		Name: s.name, Title: s.title, Creator: "Kolokol", Publisher: "Kolokol newsroom",
		Date: "2026-12-01", Description: "The stories of the last days", Language: s.lang3,
		Tags: "_category:news;_pictures:yes", Source: "https://example.org/" + s.lang2 + "/",
		Illustration48: picture(t, 48, 48, color.RGBA{10, 120, 60, 255}, true),
	}
	return a
}

func encode(t testing.TB, a *Archive) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, a); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeBytes(path string, b []byte) error { return os.WriteFile(path, b, 0o644) }
