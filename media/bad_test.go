package media

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"github.com/kolokol/kolokol/media/mediatest"
	"image"
	"os"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
)

// pngHeader is a PNG signature and IHDR claiming w×h pixels of the given
// bit depth and colour type, a tiny IDAT and IEND: a decompression bomb's
// shape, a few dozen bytes long.
func pngHeader(w, h uint32, depth, colorType byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, depth, colorType, 0, 0, 0)
	out := append([]byte{}, pngSignature...)
	out = append(out, pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(out, pngChunk("IEND", nil)...)
}

// progressiveBomb is a progressive JPEG header followed by many tiny scans.
func progressiveBomb(scans int) []byte {
	out := []byte{0xFF, 0xD8}
	out = append(out, mediatest.Segment(0xC2, []byte{8, 0, 8, 0, 8, 1, 1, 0x11, 0})...)
	for range scans {
		out = append(out, mediatest.Segment(0xDA, []byte{1, 1, 0, 0, 0, 0})...)
		out = append(out, 0x00)
	}
	return append(out, 0xFF, 0xD9)
}

func zipFile(t *testing.T) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	f, _ := zw.Create("index.html")
	f.Write([]byte("<html><script>alert(1)</script></html>"))
	zw.Close()
	return b.Bytes()
}

// animatedWebP is a VP8X header with the animation flag and an ANIM chunk.
func animatedWebP() []byte {
	body := []byte("WEBPVP8X\x0a\x00\x00\x00\x02\x00\x00\x00\x09\x00\x00\x09\x00\x00ANIM\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
}

func TestBadInput(t *testing.T) {
	small := image.Rect(0, 0, 64, 48)
	goodJPEG := mediatest.EncodeJPEG(t, photo(small.Dx(), small.Dy(), 7), 85)
	goodPNG := mediatest.EncodePNG(t, photo(small.Dx(), small.Dy(), 8))
	goodGIF := twoFrameGIF(t, 64, 48)
	noEOI := goodJPEG[:len(goodJPEG)-2]
	// a JPEG comment carrying a page: the classic JPEG/HTML polyglot
	comJPEG := mediatest.WithSegments(goodJPEG, mediatest.Segment(0xFE, []byte("<html><body><script>alert(document.domain)</script>")))
	// a GIF whose comment is a page
	gifHTML := bytes.Replace(goodGIF, []byte(mediatest.SecretOwner), []byte("<script>x=1</script>"), 1)
	gifHTML[bytes.Index(gifHTML, []byte("<script>"))-1] = byte(len("<script>x=1</script>"))
	lossless := append([]byte{}, goodJPEG...)
	lossless[bytes.Index(lossless, []byte{0xFF, 0xC0})+1] = 0xC3
	for _, tc := range []struct {
		name string
		data []byte
		code string // kolokol error code
		msg  string // in the message
	}{
		{"empty", nil, kolokol.EINVALID, "the upload is empty"},
		{"too large", append(goodJPEG, make([]byte, MaxBytes)...), kolokol.ETOOLARGE, "the limit is 26214400"},
		{"png bomb 100000x100000", pngHeader(100000, 100000, 8, 2), kolokol.EINVALID, "the image is 100000x100000 pixels"},
		{"png bomb within side limit", pngHeader(20000, 20000, 8, 6), kolokol.EINVALID, "the image is 20000x20000 pixels; the limit is 50000000 pixels"},
		{"png 16-bit, too much memory", pngHeader(7000, 7000, 16, 6), kolokol.ETOOLARGE, "would need about"},
		{"jpeg truncated in the scan", goodJPEG[:len(goodJPEG)/2], kolokol.EINVALID, "truncated"},
		{"jpeg without end marker", noEOI, kolokol.EINVALID, "the JPEG image is truncated"},
		{"jpeg header only", goodJPEG[:200], kolokol.EINVALID, "truncated"},
		{"jpeg garbage after APP0", append([]byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"), bytes.Repeat([]byte{0x41}, 100)...), kolokol.EINVALID, "the JPEG image is corrupt: expected a marker"},
		{"png bad header", append(append([]byte{}, pngSignature...), pngChunk("IDAT", []byte("xx"))...), kolokol.EINVALID, "the PNG image is corrupt: the first chunk is not a header"},
		{"jpeg scan bomb", progressiveBomb(150), kolokol.EINVALID, "more than 100 scans"},
		{"jpeg lossless", lossless, kolokol.EINVALID, "unsupported JPEG"},
		{"png truncated", goodPNG[:len(goodPNG)-20], kolokol.EINVALID, "truncated"},
		{"gif truncated", goodGIF[:len(goodGIF)/2], kolokol.EINVALID, "truncated"},
		{"webp truncated", metaWebP(t, photo(64, 48, 9))[:300], kolokol.EINVALID, "truncated"},
		{"webp animated", animatedWebP(), kolokol.EINVALID, "animated WebP is not supported"},
		{"jpeg + html after EOI", append(append([]byte{}, goodJPEG...), "<!DOCTYPE html><html><script>alert(1)</script>"...), kolokol.EINVALID, "also a web page"},
		{"jpeg + zip after EOI", append(append([]byte{}, goodJPEG...), zipFile(t)...), kolokol.EINVALID, "also an archive"},
		{"jpeg with html comment", comJPEG, kolokol.EINVALID, "also a web page (<html)"},
		{"png + zip", append(append([]byte{}, goodPNG...), zipFile(t)...), kolokol.EINVALID, "also an archive"},
		{"png with html text chunk", withChunks(goodPNG, pngChunk("tEXt", []byte("Comment\x00<svg onload=alert(1)>"))), kolokol.EINVALID, "also a web page (<svg)"},
		{"gif with html comment", gifHTML, kolokol.EINVALID, "also a web page (<script)"},
		{"svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), kolokol.EINVALID, "SVG images are not accepted"},
		{"html named .jpg", []byte("<!DOCTYPE html><html><body>hi</body></html>"), kolokol.EINVALID, "unsupported file type text/html"},
		{"zip", zipFile(t), kolokol.EINVALID, "unsupported file type application/zip"},
		{"heic", append([]byte("\x00\x00\x00\x18ftypheic"), make([]byte, 64)...), kolokol.EINVALID, "HEIC and AVIF photos (\"heic\") are not supported"},
		{"pdf", []byte("%PDF-1.7\n1 0 obj\n"), kolokol.EINVALID, "unsupported file type application/pdf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			blobs, err := NewDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			p := newProcessor(t, Options{Widths: []int{32}})
			res, err := p.Process(t.Context(), tc.data, Centre)
			if err == nil {
				// a caller stores only what Process returned
				Store(t.Context(), blobs, res)
				t.Fatalf("accepted; want %s %q", tc.code, tc.msg)
			}
			if kolokol.ErrorCode(err) != tc.code || !strings.Contains(kolokol.ErrorMessage(err), tc.msg) || kolokol.ErrorField(err) != "file" {
				t.Errorf("got %s %q (field %q); want %s containing %q", kolokol.ErrorCode(err), kolokol.ErrorMessage(err), kolokol.ErrorField(err), tc.code, tc.msg)
			}
			t.Logf("%s", kolokol.ErrorMessage(err))
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("something was stored: %v", entries)
			}
			// Inspect, which decodes nothing, refuses all but the memory case
			if _, err := Inspect(tc.data); err == nil && tc.code != kolokol.ETOOLARGE {
				t.Errorf("Inspect accepted it")
			}
		})
	}
}

// Trailing bytes that are not another format are tolerated: phones append
// previews and depth maps after the first image's end marker.
func TestTrailingDataTolerated(t *testing.T) {
	j := mediatest.EncodeJPEG(t, photo(64, 48, 10), 85)
	data := append(append([]byte{}, j...), j...) // an MPF-style second image
	if _, err := Inspect(data); err != nil {
		t.Fatal(err)
	}
}

// The images the fuzz targets start from pass Inspect.
func TestInspectGoodImages(t *testing.T) {
	for name, data := range seedImages(t) {
		m, err := Inspect(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if m.Width < 1 || m.Height < 1 || len(m.Hash) != 64 {
			t.Errorf("%s: %+v", name, m)
		}
	}
}

func seedImages(t testing.TB) map[string][]byte {
	return map[string][]byte{
		"camera.jpg": mediatest.CameraJPEG(t, photo(48, 32, 11), 6),
		"meta.png":   metaPNG(t, photo(40, 30, 12)),
		"meta.webp":  metaWebP(t, photo(40, 30, 13)),
		"frames.gif": twoFrameGIF(t, 20, 10),
		"alpha.png":  mediatest.EncodePNG(t, image.NewNRGBA(image.Rect(0, 0, 8, 8))),
	}
}
