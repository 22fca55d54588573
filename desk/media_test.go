package desk

import (
	"testing"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/media"
)

// The domain names ratios and formats for the packages that may not import
// media (render above all); they must be the names media gives.
func TestRenditionNames(t *testing.T) {
	for _, c := range [][2]string{
		{media.Ratio16x9.Name, kolokol.Ratio16x9},
		{media.Ratio4x3.Name, kolokol.Ratio4x3},
		{media.Ratio1x1.Name, kolokol.Ratio1x1},
		{media.RatioOriginal.Name, kolokol.RatioOriginal},
		{media.FormatJPEG, kolokol.FormatJPEG},
		{media.FormatWebP, kolokol.FormatWebP},
	} {
		if c[0] != c[1] {
			t.Errorf("media says %q, the domain %q", c[0], c[1])
		}
	}
	for _, r := range media.DefaultRatios {
		ok := kolokol.Rendition{Key: "0000000000000000000000000000000000000000000000000000000000000000.jpg",
			Ratio: r.Name, Format: kolokol.FormatJPEG, Width: 1, Height: 1, Size: 1}
		if err := ok.Validate(); err != nil {
			t.Errorf("ratio %q: %v", r.Name, err)
		}
	}
}
