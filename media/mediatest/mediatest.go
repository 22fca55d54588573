// Package mediatest builds the test images uploads are made of: JPEGs
// with the metadata cameras and photo desks write (EXIF with GPS, serial
// and owner, XMP, IPTC, an ICC profile), by hand, so that tests know
// exactly what went in and can check that none of it comes out.
package mediatest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"image/png"
	"testing"
)

// Strings planted in test metadata; none may survive processing.
const (
	SecretOwner  = "Secret Source Name"
	SecretSerial = "SN-KOLOKOL-1234"
	SecretICC    = "Secret ICC Text"
)

func EncodeJPEG(t testing.TB, m image.Image, q int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func EncodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// EXIFTIFF builds a little-endian TIFF/EXIF block: IFD0 with camera make,
// model, artist and orientation, an EXIF IFD with owner and body serial, a
// GPS IFD with a position.
func EXIFTIFF(orientation uint16) []byte {
	type entry struct {
		tag, typ uint16
		count    uint32
		val      []byte
	}
	le := binary.LittleEndian
	ascii := func(tag uint16, s string) entry {
		return entry{tag, 2, uint32(len(s) + 1), append([]byte(s), 0)}
	}
	short := func(tag, v uint16) entry { return entry{tag, 3, 1, le.AppendUint16(nil, v)} }
	long := func(tag uint16, v uint32) entry { return entry{tag, 4, 1, le.AppendUint32(nil, v)} }
	rationals := func(tag uint16, v ...uint32) entry {
		var b []byte
		for i := 0; i < len(v); i += 2 {
			b = le.AppendUint32(le.AppendUint32(b, v[i]), v[i+1])
		}
		return entry{tag, 5, uint32(len(v) / 2), b}
	}
	size := func(es []entry) int {
		n := 2 + 12*len(es) + 4
		for _, e := range es {
			if len(e.val) > 4 {
				n += len(e.val) + len(e.val)%2
			}
		}
		return n
	}
	write := func(out []byte, es []entry) []byte {
		base := len(out)
		data := base + 2 + 12*len(es) + 4
		out = le.AppendUint16(out, uint16(len(es)))
		var tail []byte
		for _, e := range es {
			out = le.AppendUint16(out, e.tag)
			out = le.AppendUint16(out, e.typ)
			out = le.AppendUint32(out, e.count)
			if len(e.val) <= 4 {
				out = append(out, append(e.val, make([]byte, 4-len(e.val))...)...)
				continue
			}
			out = le.AppendUint32(out, uint32(data+len(tail)))
			tail = append(tail, e.val...)
			if len(e.val)%2 == 1 {
				tail = append(tail, 0)
			}
		}
		out = le.AppendUint32(out, 0)
		return append(out, tail...)
	}
	exifIFD := []entry{ascii(0xA430, SecretOwner), ascii(0xA431, SecretSerial)}
	gpsIFD := []entry{
		{0x0000, 1, 4, []byte{2, 3, 0, 0}},
		ascii(0x0001, "N"), rationals(0x0002, 41, 1, 43, 1, 1234, 100),
		ascii(0x0003, "E"), rationals(0x0004, 44, 1, 47, 1, 5678, 100),
		ascii(0x001D, "2024:05:01"),
	}
	ifd0 := []entry{
		ascii(0x010F, "KolokolCam"), ascii(0x0110, "Whistleblower 1"),
		short(0x0112, orientation), ascii(0x013B, SecretOwner),
		long(0x8769, 0), long(0x8825, 0),
	}
	exifAt := 8 + size(ifd0)
	gpsAt := exifAt + size(exifIFD)
	ifd0[4] = long(0x8769, uint32(exifAt))
	ifd0[5] = long(0x8825, uint32(gpsAt))
	out := []byte("II*\x00\x08\x00\x00\x00")
	out = write(out, ifd0)
	out = write(out, exifIFD)
	return write(out, gpsIFD)
}

func XMPPacket(caption, credit, creator string) []byte {
	return []byte(`<?xpacket begin="` + "\uFEFF" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/" photoshop:Credit="` + credit + `" exif:GPSLatitude="41,43.2N" exif:BodySerialNumber="` + SecretSerial + `">
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">` + caption + `</rdf:li><rdf:li xml:lang="ru">Другая подпись</rdf:li></rdf:Alt></dc:description>
<dc:creator><rdf:Seq><rdf:li>` + creator + `</rdf:li></rdf:Seq></dc:creator>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`)
}

// IPTCIIM builds IPTC datasets declaring UTF-8: caption, by-line, credit.
func IPTCIIM(caption, byline, credit string) []byte {
	var b []byte
	ds := func(rec, id byte, v string) {
		b = append(b, 0x1C, rec, id)
		b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
		b = append(b, v...)
	}
	ds(1, 90, "\x1b%G")
	ds(2, 0, "\x00\x04")
	ds(2, 120, caption)
	ds(2, 80, byline)
	ds(2, 110, credit)
	return b
}

// PhotoshopIRB wraps IPTC in the Photoshop resource block of an APP13.
func PhotoshopIRB(iptc []byte) []byte {
	b := []byte("Photoshop 3.0\x008BIM\x04\x04\x00\x00")
	b = binary.BigEndian.AppendUint32(b, uint32(len(iptc)))
	b = append(b, iptc...)
	if len(iptc)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func ICCProfile() []byte {
	p := make([]byte, 128)
	copy(p[36:], "acsp")
	p = append(p, "desc\x00\x00\x00\x00"+SecretICC+"\x00cprt Secret Studio"...)
	binary.BigEndian.PutUint32(p, uint32(len(p)))
	return p
}

func Segment(marker byte, body []byte) []byte {
	s := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(body)+2))
	return append(s, body...)
}

// WithSegments inserts JPEG marker segments right after SOI.
func WithSegments(j []byte, segs ...[]byte) []byte {
	out := append([]byte{}, j[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, j[2:]...)
}

// CameraJPEG is m as a camera with a careless owner would write it: EXIF
// (GPS, serial, owner, orientation), XMP, IPTC and an ICC profile.
func CameraJPEG(t testing.TB, m image.Image, orientation uint16) []byte {
	return WithSegments(EncodeJPEG(t, m, 90),
		Segment(0xE1, append([]byte("Exif\x00\x00"), EXIFTIFF(orientation)...)),
		Segment(0xE1, append([]byte("http://ns.adobe.com/xap/1.0/\x00"), XMPPacket("XMP caption", "XMP Credit Agency", "XMP Photographer")...)),
		Segment(0xED, PhotoshopIRB(IPTCIIM("Площадь утром", "IPTC Photographer", "IPTC Credit"))),
		Segment(0xE2, append([]byte("ICC_PROFILE\x00\x01\x01"), ICCProfile()...)),
	)
}
