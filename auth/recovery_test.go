package auth

import (
	"regexp"
	"strings"
	"testing"
)

func TestRecoveryCodes(t *testing.T) {
	codes, hashes, err := NewRecoveryCodes(10)
	if err != nil || len(codes) != 10 || len(hashes) != 10 {
		t.Fatal(err)
	}
	form := regexp.MustCompile(`^[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}$`)
	seen := map[string]bool{}
	for i, c := range codes {
		if !form.MatchString(c) || seen[c] {
			t.Errorf("code %q", c)
		}
		seen[c] = true
		if strings.Contains(hashes[i], c) || strings.Contains(hashes[i], strings.ReplaceAll(c, "-", "")) {
			t.Errorf("hash %q holds its code", hashes[i])
		}
	}
	for _, tt := range []struct {
		name  string
		typed func(string) string
	}{
		{"as shown", func(c string) string { return c }},
		{"upper case, spaces for dashes", func(c string) string { return " " + strings.ToUpper(strings.ReplaceAll(c, "-", " ")) + " " }},
		{"run together", func(c string) string { return strings.ReplaceAll(c, "-", "") }},
		{"tabs and a no-break space", func(c string) string { return strings.Replace(strings.Replace(c, "-", "\t", 1), "-", "\u00a0", 1) }},
	} {
		for i, c := range codes {
			if j, ok := MatchRecoveryCode(tt.typed(c), hashes); !ok || j != i {
				t.Errorf("%s: code %d matched %d %v", tt.name, i, j, ok)
			}
		}
	}
	for _, bad := range []string{"", "aaaa-bbbb-cccc", codes[0][:13], codes[0] + "2", "123456"} {
		if j, ok := MatchRecoveryCode(bad, hashes); ok || j != -1 {
			t.Errorf("%q matched %d", bad, j)
		}
	}
	if _, ok := MatchRecoveryCode(codes[0], nil); ok {
		t.Error("matched with no hashes")
	}
	for _, n := range []int{0, -1, 101} {
		if _, _, err := NewRecoveryCodes(n); err == nil {
			t.Errorf("NewRecoveryCodes(%d) did not fail", n)
		}
	}
}

// Every character of the alphabet turns up, evenly enough: a skewed draw
// would show here long before it could help an attacker.
func TestRecoveryAlphabetEven(t *testing.T) {
	codes, _, err := NewRecoveryCodes(100)
	if err != nil {
		t.Fatal(err)
	}
	count := map[rune]int{}
	for _, c := range codes {
		for _, r := range strings.ReplaceAll(c, "-", "") {
			count[r]++
		}
	}
	if len(count) != len(recoveryAlphabet) {
		t.Fatalf("%d of %d characters drawn", len(count), len(recoveryAlphabet))
	}
	for r, n := range count { // 1200 draws, about 39 each
		if n < 10 || n > 80 {
			t.Errorf("%q drawn %d times of 1200", r, n)
		}
	}
}
