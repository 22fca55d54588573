package newsletter

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testKeys(t testing.TB, b byte) *Keys {
	t.Helper()
	k, err := NewKeys(bytes.Repeat([]byte{b}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealRoundTrip(t *testing.T) {
	k := testKeys(t, 1)
	for _, addr := range []string{"reader@example.org", "a@xn--e1afmkfd.xn--p1ai", strings.Repeat("a", 64) + "@example.org"} {
		lookup := k.Lookup(addr)
		sealed := k.Seal(lookup, addr)
		if bytes.Contains(sealed, []byte(addr)) || bytes.Contains(sealed, []byte("example")) {
			t.Fatalf("the sealed address holds it in clear")
		}
		got, err := k.Open(lookup, sealed)
		if err != nil || got != addr {
			t.Fatalf("Open = %q, %v; want %q", got, err, addr)
		}
		// Two seals of one address differ (random nonce), so their
		// manage tokens differ too.
		again := k.Seal(lookup, addr)
		if bytes.Equal(again, sealed) || k.ManageToken(again) == k.ManageToken(sealed) {
			t.Error("two seals of one address are alike")
		}
		if k.ManageToken(sealed) != k.ManageToken(bytes.Clone(sealed)) || !ValidToken(k.ManageToken(sealed)) {
			t.Error("the manage token is not stable or not valid")
		}
	}
}

func TestSealTampering(t *testing.T) {
	k := testKeys(t, 1)
	lookup := k.Lookup("reader@example.org")
	sealed := k.Seal(lookup, "reader@example.org")
	for name, c := range map[string]struct {
		keys           *Keys
		lookup, sealed []byte
	}{
		"a flipped bit":      {k, lookup, flip(sealed, len(sealed)-1)},
		"a flipped nonce":    {k, lookup, flip(sealed, 0)},
		"another row":        {k, k.Lookup("other@example.org"), sealed},
		"another key file":   {testKeys(t, 2), lookup, sealed},
		"cut short":          {k, lookup, sealed[:10]},
		"empty":              {k, lookup, nil},
		"cut by one":         {k, lookup, sealed[:len(sealed)-1]},
		"nonce and tag only": {k, lookup, sealed[:28]},
	} {
		if got, err := c.keys.Open(c.lookup, c.sealed); !errors.Is(err, ErrSealed) || got != "" {
			t.Errorf("%s: Open = %q, %v; want ErrSealed", name, got, err)
		}
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 1
	return c
}

func TestLookupStable(t *testing.T) {
	k, k2 := testKeys(t, 1), testKeys(t, 1)
	a, _ := NormalizeAddress("Reader@EXAMPLE.org")
	b, _ := NormalizeAddress(" Reader@example.ORG")
	if !bytes.Equal(k.Lookup(a), k2.Lookup(b)) || len(k.Lookup(a)) != 32 {
		t.Error("one address, two lookups")
	}
	// The local part's case is the mailbox's: another lookup.
	c, _ := NormalizeAddress("reader@example.org")
	if bytes.Equal(k.Lookup(a), k.Lookup(c)) {
		t.Error("local parts that differ in case share a lookup")
	}
	if bytes.Equal(k.Lookup(a), testKeys(t, 2).Lookup(a)) {
		t.Error("two key files, one lookup")
	}
	// The keys derived from one file are apart from each other and from it.
	if bytes.Equal(k.lookup, k.manage) || bytes.Equal(k.lookup, bytes.Repeat([]byte{1}, KeySize)) {
		t.Error("derived keys are not distinct")
	}
}

func TestLoadKeys(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secrets", "subscribers.key")
	k, err := LoadKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != KeySize {
		t.Fatalf("made key file: %v %v", fi.Mode(), err)
	}
	if di, err := os.Stat(filepath.Dir(path)); err != nil || di.Mode().Perm() != 0o700 {
		t.Fatalf("made key directory: %v %v", di.Mode(), err)
	}
	again, err := LoadKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k.Lookup("a@example.org"), again.Lookup("a@example.org")) {
		t.Error("the key file read again gives other keys")
	}
	os.Chmod(path, 0o640)
	if _, err := LoadKeys(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a group-readable key file: %v", err)
	}
	short := filepath.Join(dir, "short.key")
	os.WriteFile(short, []byte("short"), 0o600)
	if _, err := LoadKeys(short); err == nil || !strings.Contains(err.Error(), "5 bytes") {
		t.Errorf("a short key file: %v", err)
	}
	long := filepath.Join(dir, "long.key")
	os.WriteFile(long, make([]byte, 64), 0o600)
	if _, err := LoadKeys(long); err == nil {
		t.Error("a long key file was taken")
	}
}

func TestTokens(t *testing.T) {
	a, b := NewToken(), NewToken()
	if a == b || !ValidToken(a) || len(a) != 52 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if bytes.Equal(TokenHash(a), TokenHash(b)) || len(TokenHash(a)) != 32 {
		t.Error("token hashes")
	}
	for _, bad := range []string{"", "short", a + "x", a[:51] + "\n", a[:51] + "=", a[:51] + "%", strings.Repeat("é", 26)} {
		if ValidToken(bad) {
			t.Errorf("ValidToken(%q)", bad)
		}
	}
}

func TestClientLimit(t *testing.T) {
	l := newClientLimit(3, time.Hour)
	t0 := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	for i := range 3 {
		if !l.allow("192.0.2.1", t0.Add(time.Duration(i)*time.Minute)) {
			t.Fatalf("request %d refused", i)
		}
	}
	if l.allow("192.0.2.1", t0.Add(10*time.Minute)) {
		t.Error("a fourth request in the hour was allowed")
	}
	if !l.allow("192.0.2.2", t0.Add(10*time.Minute)) {
		t.Error("another client was refused")
	}
	if !l.allow("192.0.2.1", t0.Add(time.Hour)) {
		t.Error("the next hour's request was refused")
	}
	// The counts are kept under keyed hashes, never the addresses.
	for k := range l.seen {
		if bytes.Contains(k[:], []byte("192.0.2")) {
			t.Error("a client address is kept")
		}
	}
	// Another process has another key: its hashes say nothing of these.
	if bytes.Equal(newClientLimit(3, time.Hour).key, l.key) {
		t.Error("two limiters share a key")
	}
	var none *clientLimit
	if !none.allow("x", t0) || !newClientLimit(0, time.Hour).allow("x", t0) {
		t.Error("no limit refused")
	}
}
