package epub

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"path/filepath"
	"strings"
	"testing"
)

// noisyJPEG is a picture that compresses as a photograph does, to about
// 25 KB.
func noisyJPEG(b *testing.B, seed uint32) []byte {
	b.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 240, 160))
	x := seed | 1
	for i := 0; i < len(img.Pix); i += 4 {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = byte(x), byte(x>>8), byte(x>>16), 255
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 75}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// bigBook is a digest of 1,000 stories of about 6 KB of HTML, each with
// a picture of about 25 KB.
func bigBook(b *testing.B) *Book {
	b.Helper()
	book := sampleBook(b, false)
	book.Chapters, book.Images = nil, nil
	var pics [][]byte
	for i := 0; i < 8; i++ {
		pics = append(pics, noisyJPEG(b, uint32(i+1)*2654435761))
	}
	para := `<p>The council met on <strong>Tuesday</strong> to discuss the budget&nbsp;&mdash; and the mayor, who had <a href="https://news.example.org/en/a/1/">promised</a> a vote, said: &laquo;we will decide <em>today</em>&raquo;. Residents waited outside for hours.</p>` + "\n"
	for i := 1; i <= 1000; i++ {
		var body strings.Builder
		fmt.Fprintf(&body, `<figure><img src="i%d.jpg" alt="Photo %d"><figcaption>Photo %d: Agency</figcaption></figure>`+"\n", i, i, i)
		for body.Len() < 6000 {
			body.WriteString(para)
			if body.Len()%3 == 0 {
				fmt.Fprintf(&body, "<h2>Section</h2>\n<ul><li>one</li><li>two</li></ul>\n<p>See <a href=\"a%d.xhtml\">the next story</a>.</p>\n", i%1000+1)
			}
		}
		book.Chapters = append(book.Chapters, Chapter{Name: fmt.Sprintf("a%d.xhtml", i), Title: fmt.Sprintf("Story %d", i), Body: body.String()})
		book.Images = append(book.Images, Image{Name: fmt.Sprintf("i%d.jpg", i), MIME: "image/jpeg", Data: pics[i%len(pics)]})
	}
	return book
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

func BenchmarkWrite(b *testing.B) {
	book := bigBook(b)
	in := 0
	for _, c := range book.Chapters {
		in += len(c.Body)
	}
	for _, im := range book.Images {
		in += len(im.Data)
	}
	b.Run("memory", func(b *testing.B) {
		var size int64
		for b.Loop() {
			var w countWriter
			if err := Write(&w, book); err != nil {
				b.Fatal(err)
			}
			size = w.n
		}
		b.ReportMetric(float64(size), "bytes/book")
		b.ReportMetric(float64(in), "input-bytes")
	})
	b.Run("file", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "digest.epub")
		for b.Loop() {
			if err := WriteFile(b.Context(), path, book); err != nil {
				b.Fatal(err)
			}
		}
	})
}
