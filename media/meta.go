package media

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bep/imagemeta"
)

// Suggestions are caption and credit text found in an upload's IPTC or XMP
// metadata. They are offered to prefill the editor's form and are never
// written into any file we store: caption and credit are our own fields.
type Suggestions struct {
	Caption string `json:"caption,omitempty"`
	Credit  string `json:"credit,omitempty"`
	Creator string `json:"creator,omitempty"`
}

// maxSuggestion bounds each suggested field, in runes; captions are a
// paragraph at most, and the field goes straight into an editor's form.
const maxSuggestion = 2000

// metadata is what we take from an upload's metadata before dropping it.
type metadata struct {
	orientation int // EXIF 1..8; 1 when absent or unreadable
	suggest     Suggestions
}

// readMetadata reads the EXIF orientation and the IPTC/XMP caption, credit
// and creator with github.com/bep/imagemeta (maintained, fuzzed, used by
// Hugo) rather than a parser of our own. Metadata that cannot be read is
// ignored: the decoders do not need it and none of it is kept.
func readMetadata(h *header, data []byte) metadata {
	md := metadata{orientation: 1}
	var xmp, iptc Suggestions
	handle := func(ti imagemeta.TagInfo) error {
		switch ti.Source {
		case imagemeta.EXIF:
			if o, ok := toInt(ti.Value); ok && o >= 1 && o <= 8 {
				md.orientation = o
			}
		case imagemeta.IPTC:
			setSuggestion(&iptc, ti.Tag, ti.Value, "Caption-Abstract", "Credit", "By-line")
		case imagemeta.XMP:
			setSuggestion(&xmp, ti.Tag, ti.Value, "Description", "Credit", "Creator")
		}
		return nil
	}
	opts := imagemeta.Options{
		R:         bytes.NewReader(data),
		HandleTag: handle,
		Sources:   imagemeta.EXIF | imagemeta.IPTC | imagemeta.XMP,
		Warnf:     func(string, ...any) {},
		ShouldHandleTag: func(ti imagemeta.TagInfo) bool {
			switch ti.Source {
			case imagemeta.EXIF:
				return ti.Tag == "Orientation" && strings.HasPrefix(ti.Namespace, "IFD0")
			case imagemeta.IPTC:
				// CodedCharacterSet must be handled for the library to
				// read the rest as UTF-8 rather than Latin-1.
				return ti.Tag == "Caption-Abstract" || ti.Tag == "Credit" || ti.Tag == "By-line" || ti.Tag == "CodedCharacterSet"
			case imagemeta.XMP:
				return ti.Tag == "Description" || ti.Tag == "Credit" || ti.Tag == "Creator"
			}
			return false
		},
	}
	switch h.format {
	case "jpeg":
		opts.ImageFormat = imagemeta.JPEG
	case "png":
		opts.ImageFormat = imagemeta.PNG
	case "webp":
		opts.ImageFormat = imagemeta.WebP
	default:
		return md // GIF carries no EXIF orientation; its XMP extension is rare
	}
	_, _ = imagemeta.Decode(opts)
	if h.format == "png" {
		// The library reads EXIF and IPTC from PNG but not the XMP packet in
		// an iTXt chunk; hand it that packet in a container it does read.
		if packet := pngXMP(data, h.layout); packet != nil {
			opts.R = bytes.NewReader(webpWithXMP(packet))
			opts.ImageFormat = imagemeta.WebP
			opts.Sources = imagemeta.XMP
			_, _ = imagemeta.Decode(opts)
		}
	}
	// XMP is the newer standard and the one editors update; IPTC fills gaps.
	md.suggest = xmp
	if md.suggest.Caption == "" {
		md.suggest.Caption = iptc.Caption
	}
	if md.suggest.Credit == "" {
		md.suggest.Credit = iptc.Credit
	}
	if md.suggest.Creator == "" {
		md.suggest.Creator = iptc.Creator
	}
	return md
}

func setSuggestion(s *Suggestions, tag string, v any, caption, credit, creator string) {
	var text string
	switch v := v.(type) {
	case string:
		text = v
	case []string:
		if len(v) == 0 {
			return
		}
		text = strings.Join(v, ", ")
		if tag == caption {
			text = v[0] // language alternatives of one caption: x-default comes first
		}
	default:
		return
	}
	text = cleanText(text)
	if text == "" {
		return
	}
	switch tag {
	case caption:
		s.Caption = text
	case credit:
		s.Credit = text
	case creator:
		s.Creator = text
	}
}

// cleanText makes metadata text safe to put in a form: valid UTF-8, no
// control characters, whitespace collapsed, bounded length.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u200c', '\u200d', '\u200e', '\u200f':
			return r // ZWNJ, ZWJ, LRM, RLM: Persian and Indic text need them
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ' ' // including bidi overrides, which can disguise text
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > maxSuggestion {
		s = string([]rune(s)[:maxSuggestion])
	}
	return s
}

func toInt(v any) (int, bool) {
	switch v := v.(type) {
	case uint16:
		return int(v), true
	case uint32:
		return int(v), true
	case uint8:
		return int(v), true
	case int:
		return v, true
	case int64:
		return int(v), true
	}
	return 0, false
}

// maxXMPPacket bounds a decompressed PNG XMP packet: a zlib stream in an
// iTXt chunk is the one place a small upload could expand.
const maxXMPPacket = 1 << 20

// pngXMP returns the XMP packet of a PNG's iTXt (or tEXt) chunk, if any.
func pngXMP(data []byte, l *layout) []byte {
	const key = "XML:com.adobe.xmp\x00"
	for _, r := range l.meta {
		chunk := data[r[0]:r[1]]
		if !bytes.HasPrefix(chunk, []byte(key)) || r[0] < 4 {
			continue
		}
		rest := chunk[len(key):]
		if string(data[r[0]-4:r[0]]) == "tEXt" {
			return rest
		}
		// iTXt: compression flag, method, language\0, translated keyword\0, text.
		if len(rest) < 2 {
			continue
		}
		compressed := rest[0] == 1
		rest = rest[2:]
		for range 2 {
			i := bytes.IndexByte(rest, 0)
			if i < 0 {
				rest = nil
				break
			}
			rest = rest[i+1:]
		}
		if !compressed {
			return rest
		}
		zr, err := zlib.NewReader(bytes.NewReader(rest))
		if err != nil {
			continue
		}
		packet, err := io.ReadAll(io.LimitReader(zr, maxXMPPacket))
		if err == nil {
			return packet
		}
	}
	return nil
}

// webpWithXMP wraps an XMP packet in a WebP container holding nothing else.
func webpWithXMP(packet []byte) []byte {
	var b bytes.Buffer
	chunk := func(fcc string, body []byte) {
		b.WriteString(fcc)
		_ = binary.Write(&b, binary.LittleEndian, uint32(len(body)))
		b.Write(body)
		if len(body)%2 == 1 {
			b.WriteByte(0)
		}
	}
	b.WriteString("RIFF\x00\x00\x00\x00WEBP")
	chunk("VP8X", []byte{1 << 2, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	chunk("XMP ", packet)
	out := b.Bytes()
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out
}
