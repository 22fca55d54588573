package kolokol_test

import (
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/logo"
)

// A stored logo goes into every page unescaped: Validate takes only the
// exact form the sanitizer leaves, whatever path the logo came by.
func TestLogoValidate(t *testing.T) {
	s, err := logo.Sanitize([]byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"><path d="M0 0h120v40H0z" fill="#0b4f8a"/><script>alert(1)</script></svg>`))
	if err != nil {
		t.Fatal(err)
	}
	good := kolokol.Logo{SVG: string(s.Inner), ViewBox: s.ViewBox}
	for _, c := range []struct {
		name string
		logo kolokol.Logo
		ok   bool
	}{
		{"none", kolokol.Logo{}, true},
		{"sanitized drawing", good, true},
		{"picture", kolokol.Logo{MediaID: 7}, true},
		{"markup slipped in", kolokol.Logo{SVG: good.SVG + `<script>alert(1)</script>`, ViewBox: good.ViewBox}, false},
		{"an attribute slipped in", kolokol.Logo{SVG: `<path d="M0 0h1v1z" onclick="x()"/>`, ViewBox: "0 0 1 1"}, false},
		{"closing the svg early", kolokol.Logo{SVG: `</svg><img src=x onerror=alert(1)><svg>`, ViewBox: "0 0 1 1"}, false},
		{"view box breaking out", kolokol.Logo{SVG: good.SVG, ViewBox: `0 0 1 1"><script>alert(1)</script><svg x="`}, false},
		{"view box not the drawing's", kolokol.Logo{SVG: good.SVG, ViewBox: "0 0 1 1"}, true},
		{"view box alone", kolokol.Logo{ViewBox: "0 0 1 1"}, false},
		{"both", kolokol.Logo{SVG: good.SVG, ViewBox: good.ViewBox, MediaID: 3}, false},
		{"negative picture", kolokol.Logo{MediaID: -1}, false},
	} {
		svc := &kolokol.Service{Code: "ru", Tag: "ru", Script: "Cyrl", Direction: kolokol.LTR, Name: "Русский", TimeZone: "UTC", Logo: c.logo}
		err := svc.Validate()
		if c.ok && err != nil {
			t.Errorf("%s: %v", c.name, err)
		} else if !c.ok && (err == nil || kolokol.ErrorField(err) != "logo") {
			t.Errorf("%s: got %v, want an error on the logo", c.name, err)
		}
	}
	if a := good.Aspect(); a != 3 {
		t.Errorf("aspect %v, want 3", a)
	}
}

func TestBrand(t *testing.T) {
	svc := &kolokol.Service{Code: "ru", Tag: "ru", Script: "Cyrl", Direction: kolokol.LTR, Name: "Русский", TimeZone: "UTC"}
	if got := svc.BrandOr("Kolokol"); got != "Kolokol" {
		t.Errorf("no brand: %q", got)
	}
	svc.Brand = "Колокол: Русская служба"
	if got := svc.BrandOr("Kolokol"); got != svc.Brand {
		t.Errorf("brand: %q", got)
	}
	for _, bad := range []string{"Колокол\u202eлоколоК", strings.Repeat("a", 101), "a\x00b"} {
		svc.Brand = bad
		if err := svc.Validate(); kolokol.ErrorField(err) != "brand" {
			t.Errorf("brand %q: %v", bad, err)
		}
	}
}
