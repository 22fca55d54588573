package logo

import (
	"os"
	"strings"
	"testing"
)

// FuzzSanitize checks that no input panics Sanitize and that whatever it
// accepts comes out parseable, made of allowed names only, without url() and
// unchanged by a second pass (checkOutput).
func FuzzSanitize(f *testing.F) {
	for _, c := range cases() {
		// The limits' seeds are tens of KB: each makes an interesting input
		// the fuzzer spends its minute minimizing byte by byte, not fuzzing.
		if len(c.in) <= 4<<10 {
			f.Add([]byte(c.in))
		}
	}
	if data, err := os.ReadFile("testdata/inkscape.svg"); err == nil {
		f.Add(data)
	} else {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Sanitize(data)
		if err != nil {
			if got != nil {
				t.Errorf("a logo with the error %v", err)
			}
			if !strings.HasPrefix(err.Error(), "logo: ") {
				t.Errorf("error %q", err)
			}
			return
		}
		checkOutput(t, got)
	})
}
