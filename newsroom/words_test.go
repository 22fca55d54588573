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

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 stories", 1: "1 story", 2: "2 stories", 21: "21 stories"} {
		if got := count(n, "story", "stories"); got != want {
			t.Errorf("count(%d) = %q, want %q", n, got, want)
		}
	}
}
