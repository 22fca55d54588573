package kolokol

import (
	"strings"
	"testing"
	"time"
)

func TestSelectNotices(t *testing.T) {
	ru := &Notice{ID: 1, Countries: []string{"BY", "RU"}}
	unknown := &Notice{ID: 2, Default: true}
	both := &Notice{ID: 3, Countries: []string{"IR"}, Default: true, Mirrors: true}
	all := []*Notice{ru, unknown, both}
	for _, c := range []struct {
		country string
		want    []int64
	}{
		{"RU", []int64{1}},
		{"BY", []int64{1}},
		{"IR", []int64{3}},
		{"DE", nil},
		{"", []int64{2, 3}},
	} {
		var got []int64
		for _, n := range SelectNotices(all, c.country) {
			got = append(got, n.ID)
		}
		if len(got) != len(c.want) || (len(got) > 0 && got[0] != c.want[0]) || (len(got) > 1 && got[1] != c.want[1]) {
			t.Errorf("SelectNotices(%q) = %v, want %v", c.country, got, c.want)
		}
	}
	if m := MirrorNotices(all); len(m) != 1 || m[0] != both {
		t.Errorf("MirrorNotices = %v", m)
	}
	for s, want := range map[string]bool{"RU": true, "ru": false, "T1": false, "XX": false, "EU": false, "RUS": false, "": false, "Ü1": false} {
		if ValidCountryCode(s) != want {
			t.Errorf("ValidCountryCode(%q) = %t", s, !want)
		}
	}
}

func TestCheckSecurityTxt(t *testing.T) {
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	exp := "Expires: 2027-06-01T00:00:00Z"
	for _, c := range []struct {
		text, err string
	}{
		{"Contact: mailto:sec@example.org\r\n" + exp + "\r\n# a comment\r\nPolicy: https://example.org/policy", ""},
		{"", ""},
		{"Contact: tel:+441234567890\n" + exp, ""},
		{exp, "Contact"},
		{"Contact: mailto:sec@example.org", "Expires"},
		{"Contact: mailto:sec@example.org\n" + exp + "\n" + exp, "exactly one Expires"},
		{"Contact: mailto:sec@example.org\nExpires: tomorrow", "RFC 3339"},
		{"Contact: mailto:sec@example.org\nExpires: 2030-01-01T00:00:00Z", "a year away"},
		{"Contact: javascript:alert(1)\n" + exp, "https://, mailto: or tel:"},
		{"Contact mailto:x\n" + exp, "line 1"},
		{"Contact: mailto:sec@example.org\n" + exp + "\nBad Name: x", "line 3"},
		{"Contact: mailto:sec@example.org\n" + exp + "\n" + strings.Repeat("#", 17<<10), "16 KiB"},
		// A lone CR ends a line like CRLF does, and none is left behind.
		{"Contact: https://example.org/\r\r\n" + exp, ""},
		{"Contact: https://example.org/\r" + exp + "\r# c\r", ""},
		// RFC 3339 needs two-digit hours, which time.Parse does not.
		{"Contact: mailto:sec@example.org\nExpires: 2027-01-01T0:00:00+00:00", "RFC 3339"},
		{"Contact: mailto:sec@example.org\nExpires: 2027-01-01T00:00:00+0:00", "RFC 3339"},
		{"Contact: mailto:sec@example.org\nExpires: 2027-01-01T00:00:00.Z", "RFC 3339"},
		{"Contact: mailto:sec@example.org\nExpires: 2027-01-01T00:00:00.250+03:00", ""},
	} {
		got, err := CheckSecurityTxt(c.text, now)
		if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("CheckSecurityTxt(%.40q) = %v, want an error naming %q", c.text, err, c.err)
		}
		if c.err == "" && c.text != "" && (!strings.HasSuffix(got, "\n") || strings.Contains(got, "\r")) {
			t.Errorf("CheckSecurityTxt(%.40q) = %q", c.text, got)
		}
	}
}

func FuzzCheckSecurityTxt(f *testing.F) {
	f.Add("Contact: mailto:sec@example.org\nExpires: 2027-06-01T00:00:00Z\n")
	f.Add("Contact: https://example.org/\r\n# x\r\nExpires: 2027-01-01T00:00:00+03:00")
	f.Add(":\n::\nContact:\n")
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, text string) {
		got, err := CheckSecurityTxt(text, now)
		if err != nil {
			return
		}
		if got == "" {
			if strings.TrimSpace(text) != "" {
				t.Fatalf("accepted %q as empty", text)
			}
			return
		}
		if strings.Contains(got, "\r") {
			t.Fatalf("accepted %q with a CR left in", got)
		}
		// What is accepted checks again, unchanged.
		again, err := CheckSecurityTxt(got, now)
		if err != nil || again != got {
			t.Fatalf("accepted %q, then %q: %v", got, again, err)
		}
	})
}
