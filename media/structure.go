package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// layout is what walking an upload's container tells us before any pixel is
// decoded: where the image ends (anything after it is trailing data, the
// usual hiding place of a polyglot), which byte ranges hold metadata rather
// than compressed pixels (the only other place text can hide without being
// noise), and for JPEG what the decoder will allocate.
type layout struct {
	end  int      // offset just past the image's last byte
	meta [][2]int // [start, end) of metadata segments, chunks and blocks

	// JPEG only.
	progressive bool
	scans       int     // SOS segments: each makes a progressive decoder walk every block
	samples     float64 // component samples per pixel, after subsampling
	components  int

	// PNG only.
	interlaced bool

	// WebP only.
	animated bool
	lossless bool
	alpha    bool
}

// maxScans bounds the SOS segments of a JPEG. A progressive decoder visits
// every block of the image once per scan, so a small file of many tiny scans
// would otherwise cost minutes of CPU; encoders write about ten.
const maxScans = 100

func corrupt(format, why string, args ...any) error {
	return fmt.Errorf("the %s image is corrupt: %s", format, fmt.Sprintf(why, args...))
}

func truncated(format string) error {
	return fmt.Errorf("the %s image is truncated: the file ends before the image does", format)
}

func walk(format string, data []byte) (*layout, error) {
	switch format {
	case "jpeg":
		return walkJPEG(data)
	case "png":
		return walkPNG(data)
	case "gif":
		return walkGIF(data)
	case "webp":
		return walkWebP(data)
	}
	return nil, fmt.Errorf("unsupported format %s", format)
}

// walkJPEG follows the marker segments to the EOI marker, skipping the
// entropy-coded data after each SOS by looking for the next real marker.
func walkJPEG(data []byte) (*layout, error) {
	l := &layout{}
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return nil, corrupt("JPEG", "no start-of-image marker")
	}
	sawFrame := false
	i := 2
	for {
		if i >= len(data) {
			return nil, truncated("JPEG")
		}
		if data[i] != 0xFF {
			return nil, corrupt("JPEG", "expected a marker at byte %d", i)
		}
		for i < len(data) && data[i] == 0xFF { // fill bytes
			i++
		}
		if i >= len(data) {
			return nil, truncated("JPEG")
		}
		m := data[i]
		i++
		switch {
		case m == 0xD9: // EOI
			if !sawFrame {
				return nil, corrupt("JPEG", "no image frame before the end marker")
			}
			l.end = i
			return l, nil
		case m == 0xD8:
			return nil, corrupt("JPEG", "a second start-of-image marker at byte %d", i-2)
		case m >= 0xD0 && m <= 0xD7, m == 0x01: // standalone markers
			continue
		}
		if i+2 > len(data) {
			return nil, truncated("JPEG")
		}
		n := int(binary.BigEndian.Uint16(data[i:]))
		if n < 2 {
			return nil, corrupt("JPEG", "segment length %d at byte %d", n, i)
		}
		start, end := i+2, i+n
		if end > len(data) {
			return nil, truncated("JPEG")
		}
		seg := data[start:end]
		switch {
		case m >= 0xE0 && m <= 0xEF, m == 0xFE: // APPn, COM
			l.meta = append(l.meta, [2]int{start, end})
		case m == 0xC0, m == 0xC1, m == 0xC2:
			if sawFrame {
				return nil, corrupt("JPEG", "more than one frame header")
			}
			if err := l.jpegFrame(seg, m == 0xC2); err != nil {
				return nil, err
			}
			sawFrame = true
		case m >= 0xC3 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC:
			return nil, fmt.Errorf("unsupported JPEG: lossless, hierarchical or arithmetic coding (marker %#x); save it as a standard JPEG", m)
		}
		i = end
		if m != 0xDA { // not SOS: the next segment follows at once
			continue
		}
		if !sawFrame {
			return nil, corrupt("JPEG", "scan before the frame header")
		}
		if l.scans++; l.scans > maxScans {
			return nil, fmt.Errorf("the JPEG has more than %d scans; save it again with an ordinary encoder", maxScans)
		}
		for { // entropy-coded data up to the next marker that is not a stuffed byte or restart
			j := bytes.IndexByte(data[i:], 0xFF)
			if j < 0 || i+j+1 >= len(data) {
				return nil, truncated("JPEG")
			}
			i += j
			next := data[i+1]
			if next == 0x00 || next >= 0xD0 && next <= 0xD7 {
				i += 2
				continue
			}
			if next == 0xFF {
				i++
				continue
			}
			break
		}
	}
}

func (l *layout) jpegFrame(seg []byte, progressive bool) error {
	if len(seg) < 6 {
		return corrupt("JPEG", "short frame header")
	}
	nc := int(seg[5])
	if nc != 1 && nc != 3 && nc != 4 || len(seg) < 6+3*nc {
		return corrupt("JPEG", "frame header with %d components", nc)
	}
	hmax, vmax, sum := 1, 1, 0
	for c := range nc {
		hv := seg[6+3*c+1]
		h, v := int(hv>>4), int(hv&0x0F)
		if h < 1 || h > 4 || v < 1 || v > 4 {
			return corrupt("JPEG", "sampling factor %dx%d", h, v)
		}
		hmax, vmax = max(hmax, h), max(vmax, v)
		sum += h * v
	}
	l.progressive = progressive
	l.components = nc
	l.samples = float64(sum) / float64(hmax*vmax)
	return nil
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// walkPNG follows the chunks to IEND.
func walkPNG(data []byte) (*layout, error) {
	l := &layout{}
	if !bytes.HasPrefix(data, pngSignature) {
		return nil, corrupt("PNG", "no PNG signature")
	}
	i := len(pngSignature)
	first := true
	for {
		if i+8 > len(data) {
			return nil, truncated("PNG")
		}
		n := int64(binary.BigEndian.Uint32(data[i:]))
		typ := string(data[i+4 : i+8])
		start := i + 8
		if n > int64(len(data)-start-4) {
			return nil, truncated("PNG")
		}
		end := start + int(n)
		if first {
			if typ != "IHDR" || n != 13 {
				return nil, corrupt("PNG", "the first chunk is not a header")
			}
			l.interlaced = data[start+12] != 0
			first = false
		}
		switch typ {
		case "IEND":
			l.end = end + 4
			return l, nil
		case "IDAT", "fdAT", "IHDR", "PLTE", "tRNS":
		default:
			l.meta = append(l.meta, [2]int{start, end})
		}
		i = end + 4 // CRC
	}
}

// walkGIF follows the blocks to the trailer. A GIF that stops cleanly after
// a complete block, without the trailer byte, is accepted: some encoders
// omit it and the first frame is whole.
func walkGIF(data []byte) (*layout, error) {
	l := &layout{}
	if len(data) < 13 {
		return nil, truncated("GIF")
	}
	i := 13
	if flags := data[10]; flags&0x80 != 0 {
		i += 3 << (flags&7 + 1)
	}
	frames := 0
	// subBlocks skips a run of data sub-blocks, returning the offset after
	// the terminator; meta records them as metadata.
	subBlocks := func(i int, meta bool) (int, error) {
		for {
			if i >= len(data) {
				return 0, truncated("GIF")
			}
			n := int(data[i])
			if n == 0 {
				return i + 1, nil
			}
			if i+1+n > len(data) {
				return 0, truncated("GIF")
			}
			if meta {
				l.meta = append(l.meta, [2]int{i + 1, i + 1 + n})
			}
			i += 1 + n
		}
	}
	for {
		if i >= len(data) {
			if frames == 0 {
				return nil, truncated("GIF")
			}
			l.end = i
			return l, nil
		}
		var err error
		switch data[i] {
		case 0x3B: // trailer
			if frames == 0 {
				return nil, corrupt("GIF", "no image")
			}
			l.end = i + 1
			return l, nil
		case 0x21: // extension: label, then sub-blocks
			if i+2 > len(data) {
				return nil, truncated("GIF")
			}
			i, err = subBlocks(i+2, data[i+1] != 0xF9)
		case 0x2C: // image descriptor, local colour table, LZW code size, data
			if i+10 > len(data) {
				return nil, truncated("GIF")
			}
			flags := data[i+9]
			i += 10
			if flags&0x80 != 0 {
				i += 3 << (flags&7 + 1)
			}
			i++ // LZW minimum code size
			frames++
			i, err = subBlocks(i, false)
		default:
			return nil, corrupt("GIF", "unknown block %#x at byte %d", data[i], i)
		}
		if err != nil {
			return nil, err
		}
	}
}

// walkWebP reads the RIFF container: its declared size is where the image
// ends, and every chunk but the bitstreams is metadata.
func walkWebP(data []byte) (*layout, error) {
	l := &layout{}
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return nil, corrupt("WebP", "no RIFF WEBP header")
	}
	size := int64(binary.LittleEndian.Uint32(data[4:]))
	if size < 4 || size > int64(len(data)-8) {
		return nil, truncated("WebP")
	}
	l.end = int(size) + 8
	i := 12
	pixels := false
	for i < l.end {
		if i+8 > l.end {
			return nil, truncated("WebP")
		}
		fcc := string(data[i : i+4])
		n := int64(binary.LittleEndian.Uint32(data[i+4:]))
		start := i + 8
		if n > int64(l.end-start) {
			return nil, truncated("WebP")
		}
		end := start + int(n)
		switch fcc {
		case "VP8 ":
			pixels = true
		case "VP8L":
			pixels, l.lossless = true, true
		case "ALPH":
			l.alpha = true
		case "VP8X":
			if n >= 1 && data[start]&0x10 != 0 {
				l.alpha = true
			}
		case "ANIM", "ANMF":
			l.animated = true
		default:
			l.meta = append(l.meta, [2]int{start, end})
		}
		i = end + int(n&1) // chunks are padded to an even size
	}
	if l.animated {
		return nil, fmt.Errorf("animated WebP is not supported: upload a still image, or a GIF for its first frame")
	}
	if !pixels {
		return nil, corrupt("WebP", "no image data")
	}
	return l, nil
}

// Signatures that make a file something else as well as an image. Browsers
// and unzip tools look for them anywhere, so text in a metadata segment or
// after the image end turns a photo into a web page or an archive.
var (
	htmlSignatures = []string{"<html", "<body", "<script", "<iframe", "<svg", "<object", "<embed", "<!doctype html", "<?php"}
	zipSignatures  = []string{"PK\x03\x04", "PK\x05\x06", "PK\x01\x02", "Rar!\x1a\x07", "7z\xbc\xaf\x27\x1c", "%PDF-"}
)

// polyglot reports what other kind of file data also is, judging by the
// metadata ranges and the bytes after the image end. Pixel data is left out:
// compressed bytes are noise, and a five-byte pattern turns up in noise by
// chance often enough to refuse good photos.
func polyglot(data []byte, l *layout) string {
	regions := make([][]byte, 0, len(l.meta)+1)
	for _, r := range l.meta {
		regions = append(regions, data[r[0]:r[1]])
	}
	if l.end < len(data) {
		regions = append(regions, data[l.end:])
	}
	for _, b := range regions {
		for _, s := range zipSignatures {
			if bytes.Contains(b, []byte(s)) {
				return "an archive or document (" + printable(s) + ")"
			}
		}
		lower := bytes.ToLower(b)
		for _, s := range htmlSignatures {
			if bytes.Contains(lower, []byte(s)) {
				return "a web page (" + s + ")"
			}
		}
	}
	return ""
}

func printable(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			b[i] = '.'
		}
	}
	return string(b)
}
