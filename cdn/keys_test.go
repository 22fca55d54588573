package cdn

import (
	"strings"
	"testing"
)

func TestKey(t *testing.T) {
	long := "tagged:fa/" + strings.Repeat("انتخابات", 10)
	for _, tc := range []struct{ dep, want string }{
		{"art:12", "art:12"},
		{"list:fa", "list:fa"},
		{"latest:sr-Cyrl/world", "latest:sr-Cyrl/world"},
		{"tagged:fa/ایران", "tagged:fa/%D8%A7%DB%8C%D8%B1%D8%A7%D9%86"},
		{"tagged:en/climate change", "tagged:en/climate%20change"},
		{"tagged:en/a,b", "tagged:en/a%2Cb"},
		{"tagged:en/100%", "tagged:en/100%25"},
		{"group:x#y", "group:x%23y"},
		{long, "tagged:#" + "f"}, // prefix checked below
	} {
		got := Key(tc.dep)
		if tc.dep == long {
			if !strings.HasPrefix(got, "tagged:#") || len(got) != len("tagged:#")+32 {
				t.Errorf("Key(long tag) = %q, want tagged:# and 32 hex digits", got)
			}
			continue
		}
		if got != tc.want {
			t.Errorf("Key(%q) = %q, want %q", tc.dep, got, tc.want)
		}
	}
	if Key(long) == Key(long+"x") {
		t.Error("two long tags share a key")
	}
}

func TestKeys(t *testing.T) {
	got := Keys([]string{"art:1", "svc:en", "art:1", "list:en"})
	want := []string{SiteKey, "art:1", "svc:en", "list:en"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Keys = %q, want %q", got, want)
	}
	if got := Keys(nil); len(got) != 1 || got[0] != SiteKey {
		t.Errorf("Keys(nil) = %q, want just %q", got, SiteKey)
	}
}

// FuzzKey: every key is one a CDN takes (printable ASCII, no space or
// comma, bounded), and two dependencies short enough to be spelt out never
// share one.
func FuzzKey(f *testing.F) {
	for _, s := range []string{"art:1", "tagged:fa/ایران", "tagged:en/a b,c%", "", ":", strings.Repeat("x", 200)} {
		f.Add(s, s+"1")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ka, kb := Key(a), Key(b)
		for _, k := range []string{ka, kb} {
			if k == "" && a != "" && b != "" {
				t.Fatalf("empty key")
			}
			if len(k) > MaxKeyBytes {
				t.Fatalf("key %q is %d bytes", k, len(k))
			}
			for i := 0; i < len(k); i++ {
				if c := k[i]; c <= ' ' || c >= 0x7f || c == ',' {
					t.Fatalf("key %q holds byte %#x", k, c)
				}
			}
		}
		if a != b && ka == kb {
			t.Fatalf("%q and %q share the key %q", a, b, ka)
		}
	})
}
