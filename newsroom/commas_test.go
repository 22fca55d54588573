package newsroom

import (
	"slices"
	"testing"
)

func TestCommas(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Iran, Tehran", []string{"Iran", " Tehran"}},
		{"ایران، تهران", []string{"ایران", " تهران"}},
		{"ایران،تهران,انتخابات", []string{"ایران", "تهران", "انتخابات"}},
		{"東京，大阪", []string{"東京", "大阪"}},
		{",,a,,", []string{"a"}},
	} {
		if got := commas(c.in); !slices.Equal(got, c.want) {
			t.Errorf("commas(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
