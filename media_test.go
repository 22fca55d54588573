package kolokol

import (
	"math"
	"strings"
	"testing"
)

func TestAltRepeatsCaption(t *testing.T) {
	for _, tt := range []struct {
		alt, caption string
		want         bool
	}{
		{"Protesters on Rustaveli Avenue", "Protesters on Rustaveli Avenue.", true},
		{"  PROTESTERS on   rustaveli avenue ", "«Protesters on Rustaveli Avenue»", true},
		{"Люди с флагами на проспекте", "люди с флагами на проспекте!", true},
		{"Protesters on Rustaveli Avenue", "Protesters on Rustaveli Avenue today", true},     // 30 of 36 runes: 83%
		{"Protesters on Rustaveli Avenue", "Protesters on Rustaveli Avenue, Tbilisi", false}, // 30 of 39: 77%
		{"Protesters on Rustaveli Avenue, Tbilisi", "Protesters on Rustaveli Avenue", false},
		{"A woman holds a flag above a crowd at night", "Tbilisi, 26 October 2024", false},
		{"Tbilisi", "Tbilisi, 26 October 2024", false},
		{"", "Caption", false},
		{"Alt", "", false},
		{"...", "!!!", false},
	} {
		li := &LeadImage{MediaID: 1, Alt: tt.alt, Caption: tt.caption}
		if got := li.AltRepeatsCaption(); got != tt.want {
			a, c := normalizeForCompare(tt.alt), normalizeForCompare(tt.caption)
			t.Errorf("AltRepeatsCaption(%q, %q) = %v, want %v (normalized %q, %q)", tt.alt, tt.caption, got, tt.want, a, c)
		}
	}
	var none *LeadImage
	if none.AltRepeatsCaption() {
		t.Error("a story without a lead image has a repeating alt")
	}
}

func TestRenditionValidate(t *testing.T) {
	key := strings.Repeat("0123456789abcdef", 4)
	ok := Rendition{Key: key + ".webp", Ratio: Ratio16x9, Format: FormatWebP, Width: 640, Height: 360, Size: 30000}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, tt := range map[string]struct {
		edit  func(r *Rendition)
		field string
	}{
		"short key":       {func(r *Rendition) { r.Key = key[1:] + ".webp" }, "key"},
		"upper-case key":  {func(r *Rendition) { r.Key = strings.ToUpper(key) + ".webp" }, "key"},
		"path key":        {func(r *Rendition) { r.Key = "../../" + key[6:] + ".webp" }, "key"},
		"png key":         {func(r *Rendition) { r.Key = key + ".png" }, "key"},
		"key and format":  {func(r *Rendition) { r.Key = key + ".jpg" }, "key"},
		"format":          {func(r *Rendition) { r.Format = "gif" }, "format"},
		"ratio":           {func(r *Rendition) { r.Ratio = "16/9" }, "ratio"},
		"zero ratio":      {func(r *Rendition) { r.Ratio = "0:9" }, "ratio"},
		"width":           {func(r *Rendition) { r.Width = 0 }, "width"},
		"negative height": {func(r *Rendition) { r.Height = -1 }, "width"},
		"size":            {func(r *Rendition) { r.Size = 0 }, "size"},
	} {
		r := ok
		tt.edit(&r)
		if err := r.Validate(); ErrorCode(err) != EINVALID || ErrorField(err) != tt.field {
			t.Errorf("%s: got %v (field %q), want invalid %q", name, err, ErrorField(err), tt.field)
		}
	}
	if ok.Path() != "/media/"+key+".webp" || ok.ContentType() != "image/webp" {
		t.Errorf("path %q, content type %q", ok.Path(), ok.ContentType())
	}
}

func TestMediaValidate(t *testing.T) {
	m := &Media{Hash: strings.Repeat("ab", 32), ContentType: "image/jpeg", Size: 1, Width: 1, Height: 1, FocalX: 0.5, FocalY: 0.5}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, f := range [][2]float64{{-0.1, 0.5}, {0.5, 1.1}, {math.NaN(), 0.5}, {0.5, math.Inf(-1)}} {
		c := *m
		c.FocalX, c.FocalY = f[0], f[1]
		if err := c.Validate(); ErrorField(err) != "focal" {
			t.Errorf("focal %v: %v", f, err)
		}
	}
	c := *m
	r := Rendition{Key: strings.Repeat("cd", 32) + ".jpg", Ratio: Ratio1x1, Format: FormatJPEG, Width: 320, Height: 320, Size: 10}
	c.Renditions = []Rendition{r, r}
	if err := c.Validate(); ErrorField(err) != "renditions[1]" {
		t.Errorf("a slot twice: %v", err)
	}
}

func TestSrcset(t *testing.T) {
	k := func(c string) string { return strings.Repeat(c, 64) }
	m := &Media{Renditions: []Rendition{
		{Key: k("a") + ".webp", Ratio: Ratio16x9, Format: FormatWebP, Width: 960, Height: 540, Size: 1},
		{Key: k("b") + ".jpg", Ratio: Ratio16x9, Format: FormatJPEG, Width: 320, Height: 180, Size: 1},
		{Key: k("c") + ".webp", Ratio: Ratio16x9, Format: FormatWebP, Width: 320, Height: 180, Size: 1},
		{Key: k("d") + ".webp", Ratio: Ratio1x1, Format: FormatWebP, Width: 320, Height: 320, Size: 1},
		{Key: k("e") + ".webp", Ratio: Ratio16x9, Format: FormatWebP, Width: 640, Height: 360, Size: 1},
	}}
	list := m.Srcset(Ratio16x9, FormatWebP)
	var widths []int
	for _, r := range list {
		widths = append(widths, r.Width)
	}
	if len(widths) != 3 || widths[0] != 320 || widths[1] != 640 || widths[2] != 960 {
		t.Fatalf("srcset widths %v", widths)
	}
	if got, want := SrcsetAttr(list, Rendition.Path), "/media/"+k("c")+".webp 320w, /media/"+k("e")+".webp 640w, /media/"+k("a")+".webp 960w"; got != want {
		t.Errorf("srcset attribute\n%s, want\n%s", got, want)
	}
	for _, tt := range []struct {
		width, want int
	}{{0, 320}, {320, 320}, {321, 640}, {800, 960}, {5000, 960}} {
		if r, ok := m.Pick(Ratio16x9, FormatWebP, tt.width); !ok || r.Width != tt.want {
			t.Errorf("Pick(%d) = %d, %v; want %d", tt.width, r.Width, ok, tt.want)
		}
	}
	if _, ok := m.Pick(Ratio4x3, FormatJPEG, 320); ok || m.Srcset(Ratio4x3, FormatJPEG) != nil {
		t.Error("a ratio without renditions has some")
	}
}

// TestMediaName: an uploaded file's name is kept as its base name only,
// on one line, without the characters that could disguise it, and short.
func TestMediaName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"photo.jpg", "photo.jpg"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\anna\Desktop\تهران.jpg`, "تهران.jpg"},
		{"/tmp/", ""},
		{"..", ""},
		{" a\x00b\nc\u202ed\u2066.jpg ", "abcd.jpg"},
		{"bad\xffutf8.jpg", "badutf8.jpg"},
		{strings.Repeat("ж", 250), strings.Repeat("ж", MaxMediaName)},
	} {
		got := MediaName(c.in)
		if got != c.want {
			t.Errorf("MediaName(%q) = %q, want %q", c.in, got, c.want)
		}
		if MediaName(got) != got {
			t.Errorf("MediaName(%q) is not clean: %q", c.in, got)
		}
		m := Media{Name: got}
		if err := m.ValidateText(); err != nil {
			t.Errorf("the clean name %q is refused: %v", got, err)
		}
	}
	m := Media{Name: "../x"}
	if err := m.ValidateText(); ErrorField(err) != "name" {
		t.Errorf("a name with a path: %v", err)
	}
}
