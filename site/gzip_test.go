package site

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func acceptEncoding(lines ...string) *http.Request {
	r, _ := http.NewRequest("GET", "/", nil)
	for _, l := range lines {
		r.Header.Add("Accept-Encoding", l)
	}
	return r
}

// TestAcceptsGzip: RFC 9110 §12.5.3's Accept-Encoding, as it decides
// between the gzip and the plain bytes of a page.
func TestAcceptsGzip(t *testing.T) {
	for _, c := range []struct {
		lines []string // header lines; nil: no header
		want  bool
	}{
		{nil, false}, // some clients that send none cannot read gzip
		{[]string{""}, false},
		{[]string{"gzip"}, true},
		{[]string{"GZip"}, true},
		{[]string{"x-gzip"}, true}, // §8.4.1.3
		{[]string{"X-GZIP;Q=0.5"}, true},
		{[]string{"gzip, deflate, br, zstd"}, true},
		{[]string{"deflate, br"}, false},
		{[]string{"identity"}, false},
		{[]string{"identity;q=0, gzip"}, true},
		{[]string{"br;q=1.0, gzip;q=0.8, *;q=0.1"}, true},
		// Weights are numbers, whatever their spelling.
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip;q=0."}, false},
		{[]string{"gzip;q=0.000"}, false},
		{[]string{"gzip; q=0.00"}, false},
		{[]string{"gzip;q=0.001"}, true},
		{[]string{"gzip;q=0.5"}, true},
		{[]string{"gzip;q=1"}, true},
		{[]string{"gzip;q=1."}, true},
		{[]string{"gzip;q=1.000"}, true},
		// A member with a weight that is not a qvalue is ignored.
		{[]string{"gzip;q=1.001"}, false},
		{[]string{"gzip;q=1.5"}, false},
		{[]string{"gzip;q=2"}, false},
		{[]string{"gzip;q=0.0001"}, false},
		{[]string{"gzip;q=-0"}, false},
		{[]string{"gzip;q=.5"}, false},
		{[]string{"gzip;q="}, false},
		{[]string{"gzip;q"}, false},
		{[]string{"gzip;q =0.5"}, false},
		{[]string{"gzip;q=0.5;q=1"}, false},
		{[]string{"gzip;level=9"}, false},
		{[]string{"gzip;q=0.0001, *"}, true}, // only the broken member is ignored
		{[]string{"gzip;q=1.5, *;q=0"}, false},
		// A named coding wins over "*", in any order.
		{[]string{"*"}, true},
		{[]string{"*;q=0"}, false},
		{[]string{"*;q=1, gzip;q=0"}, false},
		{[]string{"gzip;q=0, *;q=1"}, false},
		{[]string{"*;q=0, gzip"}, true},
		{[]string{"x-gzip;q=0, *"}, false},
		{[]string{"*, br"}, true},
		// Several lines are one list.
		{[]string{"deflate", "gzip"}, true},
		{[]string{"*", "gzip;q=0"}, false},
		{[]string{"gzip;q=0", "*"}, false},
		// Whitespace and empty members.
		{[]string{" \t gzip \t ; \t q=0.5 \t "}, true},
		{[]string{",, ,gzip,,"}, true},
		{[]string{"gzip ;q=0 "}, false},
		{[]string{"gzipx, xgzip, gzip2"}, false},
	} {
		if got := acceptsGzip(acceptEncoding(c.lines...)); got != c.want {
			t.Errorf("Accept-Encoding %q: gzip %t, want %t", c.lines, got, c.want)
		}
	}
}

// TestAcceptsGzipAllocates: it runs on every page served.
func TestAcceptsGzipAllocates(t *testing.T) {
	r := acceptEncoding("deflate, br;q=1.0, zstd", "*;q=0.1, GZIP ; q=0.8")
	if n := testing.AllocsPerRun(100, func() { acceptsGzip(r) }); n != 0 {
		t.Errorf("acceptsGzip allocates %v times", n)
	}
}

// FuzzAcceptsGzip compares acceptsGzip with a plain reading of the RFC's
// grammar: a regular expression for the weight and floating point for
// its value. Lines of the header are separated by "\n" in the input.
func FuzzAcceptsGzip(f *testing.F) {
	for _, s := range []string{"gzip", "*;q=1, gzip;q=0", "x-gzip;Q=0.5\n*;q=0", "br;q=1.0, gzip;q=0.8", "gzip;q=1.001, *", " ,gzip ; q=0. ,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		lines := strings.Split(header, "\n")
		if got, want := acceptsGzip(acceptEncoding(lines...)), referenceAcceptsGzip(lines); got != want {
			t.Fatalf("Accept-Encoding %q: gzip %t, the reference says %t", lines, got, want)
		}
	})
}

var weightRE = regexp.MustCompile(`^[qQ]=(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$`)

func referenceAcceptsGzip(lines []string) bool {
	named, star := -1.0, -1.0
	for _, line := range lines {
		for _, member := range strings.Split(line, ",") {
			name, params, hasParams := strings.Cut(member, ";")
			name = strings.Trim(name, " \t")
			q := 1.0
			if hasParams {
				params = strings.Trim(params, " \t")
				if !weightRE.MatchString(params) {
					continue
				}
				q, _ = strconv.ParseFloat(strings.TrimSuffix(params[2:], "."), 64)
			}
			switch {
			case strings.EqualFold(name, "gzip") || strings.EqualFold(name, "x-gzip"):
				named = max(named, q)
			case name == "*":
				star = max(star, q)
			}
		}
	}
	if named >= 0 {
		return named > 0
	}
	return star > 0
}

// BenchmarkAcceptsGzip is the negotiation alone, with the header a
// browser sends.
func BenchmarkAcceptsGzip(b *testing.B) {
	r := acceptEncoding("gzip, deflate, br, zstd")
	b.ReportAllocs()
	for range b.N {
		if !acceptsGzip(r) {
			b.Fatal("gzip refused")
		}
	}
}
