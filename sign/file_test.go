package sign

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSignFile checks a bundle's detached signature: Kolokol's verify and
// Debian's minisign accept the file it was made for, and refuse the file
// changed, the signature beside another file, and another newsroom's key.
func TestSignFile(t *testing.T) {
	s, _ := newSigner(t)
	other, _ := newSigner(t)
	data := []byte("ZIM\x04 a bundle's bytes")
	name := "kolokol-fa-2026-12-01.zim"
	st := Statement{Origin: testOrigin, Edition: 1764547200, Time: t0.Add(1500 * time.Millisecond)}
	sig, err := s.SignFile(name, data, st)
	if err != nil {
		t.Fatal(err)
	}
	got, err := VerifyFile("saved-as.zim", data, sig, s.Keyring())
	if err != nil || got.File != name || got.Edition != st.Edition || !got.Time.Equal(t0.Add(time.Second)) {
		t.Fatalf("VerifyFile = %+v, %v", got, err)
	}
	for _, c := range []struct {
		what       string
		name       string
		data       []byte
		keys       Keyring
		want       error
		wantInText string
	}{
		{"a changed byte", name, []byte("ZIM\x04 a bundle's bytez"), s.Keyring(), ErrBadSignature, "does not match"},
		{"another bundle's signature", name, []byte("ZIM\x04 another bundle"), s.Keyring(), ErrBadSignature, "does not match"},
		{"another newsroom's key", name, data, other.Keyring(), ErrUnknownKey, "not the given public key"},
	} {
		_, err := VerifyFile(c.name, c.data, sig, c.keys)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.wantInText) {
			t.Errorf("%s: %v, want %v saying %q", c.what, err, c.want, c.wantInText)
		}
	}
	for _, bad := range []string{"", "a b.zim", "../x.zim", "x/y.zim", "ünï.zim", strings.Repeat("a", 201)} {
		if _, err := s.SignFile(bad, data, st); err == nil {
			t.Errorf("SignFile(%q) signed", bad)
		}
	}
	if _, err := s.SignFile(name, data, Statement{Origin: testOrigin, Time: t0}); err == nil {
		t.Error("SignFile signed edition 0")
	}

	minisign := tool(t, "minisign", "minisign")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, name), data, 0o644)
	os.WriteFile(filepath.Join(dir, name+SigSuffix), sig, 0o644)
	os.WriteFile(filepath.Join(dir, PublicKeyFile), s.Keyring().Marshal(), 0o644)
	out, ok := run(t, dir, minisign, "-Vm", name, "-p", PublicKeyFile)
	if !ok || !strings.Contains(out, "Trusted comment: kolokol origin="+testOrigin+" edition=1764547200 time=2026-11-30T09:00:01Z file="+name) {
		t.Errorf("minisign -Vm %s: %v\n%s", name, ok, out)
	}
	os.WriteFile(filepath.Join(dir, name), append(data, '!'), 0o644)
	if out, ok := run(t, dir, minisign, "-Vm", name, "-p", PublicKeyFile); ok {
		t.Errorf("minisign accepted a changed bundle:\n%s", out)
	}
}
