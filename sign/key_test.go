package sign

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// t0 is the tests' clock: keys are retired and editions signed at fixed
// times, so messages can be compared whole.
var t0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func mode(t *testing.T, name string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestKeysFirstUse(t *testing.T) {
	data := t.TempDir()
	s, err := LoadSigner(data, t0)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(data, SigningDir)
	for name, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, SecretFile): 0o600, filepath.Join(dir, PublicKeyFile): 0o644} {
		if got := mode(t, name); got != want {
			t.Errorf("%s: mode %04o, want %04o", name, got, want)
		}
	}
	again, err := LoadSigner(data, t0.Add(time.Hour))
	if err != nil || again.PublicKey().ID != s.PublicKey().ID || !again.PublicKey().Key.Equal(s.PublicKey().Key) {
		t.Fatalf("second load: %v, %v vs %v", err, again, s)
	}
	ring := s.Keyring()
	if len(ring.Retired) != 0 || !ring.Current.Equal(s.PublicKey()) {
		t.Fatalf("keyring %+v", ring)
	}
	pub, _ := os.ReadFile(filepath.Join(dir, PublicKeyFile))
	want := "untrusted comment: minisign public key " + s.PublicKey().ID.String() + "\n" + s.PublicKey().Base64() + "\n"
	if string(pub) != want {
		t.Fatalf("kolokol.pub:\n%s\nwant\n%s", pub, want)
	}
	sum := sha256.Sum256(pub)
	if ring.Fingerprint() != hex.EncodeToString(sum[:]) {
		t.Errorf("fingerprint %s is not the file's SHA-256", ring.Fingerprint())
	}
	if l, err := LoadKeyring(data); err != nil || !l.Current.Equal(s.PublicKey()) {
		t.Errorf("LoadKeyring: %v %+v", err, l)
	}
	if _, err := LoadSigner(filepath.Join(data, "nope"), t0); err == nil || !strings.Contains(err.Error(), "no data directory") {
		t.Errorf("missing data directory: %v", err)
	}
	if _, err := LoadKeyring(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no signing key") {
		t.Errorf("LoadKeyring without a key: %v", err)
	}
}

// TestKeysFirstUseRace: processes starting together on a new data
// directory end up with one key, not one each.
func TestKeysFirstUseRace(t *testing.T) {
	data := t.TempDir()
	ids := make([]KeyID, 8)
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			s, err := LoadSigner(data, t0)
			errs[i] = err
			if err == nil {
				ids[i] = s.PublicKey().ID
			}
		})
	}
	wg.Wait()
	for i := range ids {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Fatalf("loader %d: %v, key %s vs %s", i, errs[i], ids[i], ids[0])
		}
	}
	s, err := LoadSigner(data, t0)
	if err != nil || s.PublicKey().ID != ids[0] || len(s.Keyring().Retired) != 0 {
		t.Fatalf("after the race: %v %+v", err, s.Keyring())
	}
}

func TestKeysPermissions(t *testing.T) {
	data := t.TempDir()
	dir := filepath.Join(data, SigningDir)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSigner(data, t0); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, dir); got != 0o700 {
		t.Errorf("signing directory made 0755 by hand: now %04o, want 0700", got)
	}
	secret := filepath.Join(dir, SecretFile)
	os.Chmod(secret, 0o644)
	_, err := LoadSigner(data, t0)
	if err == nil || !strings.Contains(err.Error(), "can be read by others (mode 0644): chmod 600 it") {
		t.Fatalf("a secret key readable by others: %v", err)
	}
}

func TestKeysRotate(t *testing.T) {
	data := t.TempDir()
	first, err := LoadSigner(data, t0)
	if err != nil {
		t.Fatal(err)
	}
	second, err := RotateSigner(data, t0.Add(time.Hour+time.Second/2))
	if err != nil {
		t.Fatal(err)
	}
	third, err := RotateSigner(data, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	ring := third.Keyring()
	if ring.Current.ID == second.PublicKey().ID || second.PublicKey().ID == first.PublicKey().ID {
		t.Fatal("rotation kept a key")
	}
	if len(ring.Retired) != 2 || !ring.Retired[0].PublicKey.Equal(second.PublicKey()) || !ring.Retired[1].PublicKey.Equal(first.PublicKey()) ||
		!ring.Retired[0].Retired.Equal(t0.Add(2*time.Hour)) || !ring.Retired[1].Retired.Equal(t0.Add(time.Hour)) {
		t.Fatalf("retired keys %+v", ring.Retired)
	}
	loaded, err := LoadSigner(data, t0.Add(3*time.Hour))
	if err != nil || !loaded.PublicKey().Equal(third.PublicKey()) || len(loaded.Keyring().Retired) != 2 {
		t.Fatalf("load after rotating: %v %+v", err, loaded.Keyring())
	}
	pub, _ := os.ReadFile(filepath.Join(data, SigningDir, PublicKeyFile))
	lines := strings.Split(string(pub), "\n")
	if want := "untrusted comment: kolokol public key " + second.PublicKey().ID.String() + " retired 2026-11-30T11:00:00Z"; lines[2] != want {
		t.Errorf("line 3 %q, want %q", lines[2], want)
	}
	parsed, err := ParseKeyring(pub)
	if err != nil || !bytes.Equal(parsed.Marshal(), pub) {
		t.Fatalf("kolokol.pub does not read back: %v", err)
	}
	if _, when, ok := parsed.Lookup(first.PublicKey().ID); !ok || !when.Equal(t0.Add(time.Hour)) {
		t.Errorf("lookup of the first key: %v %v", when, ok)
	}
}

// TestKeysRecovery covers a data directory left in between by an
// interrupted rotation, a lost secret key and a restored old one.
func TestKeysRecovery(t *testing.T) {
	t.Run("rotation stopped after the secret key", func(t *testing.T) {
		data := t.TempDir()
		old, _ := LoadSigner(data, t0)
		id, key := newKey()
		if err := writeFileAtomic(filepath.Join(data, SigningDir), SecretFile, marshalSecret(id, key), 0o600, true); err != nil {
			t.Fatal(err)
		}
		s, err := LoadSigner(data, t0.Add(time.Hour))
		if err != nil || s.PublicKey().ID != id || len(s.Keyring().Retired) != 1 ||
			!s.Keyring().Retired[0].PublicKey.Equal(old.PublicKey()) || !s.Keyring().Retired[0].Retired.Equal(t0.Add(time.Hour)) {
			t.Fatalf("%v %+v", err, s.Keyring())
		}
	})
	t.Run("secret key lost", func(t *testing.T) {
		data := t.TempDir()
		old, _ := LoadSigner(data, t0)
		os.Remove(filepath.Join(data, SigningDir, SecretFile))
		s, err := LoadSigner(data, t0.Add(time.Hour))
		if err != nil || s.PublicKey().ID == old.PublicKey().ID || len(s.Keyring().Retired) != 1 || !s.Keyring().Retired[0].PublicKey.Equal(old.PublicKey()) {
			t.Fatalf("%v %+v", err, s.Keyring())
		}
	})
	t.Run("public keys lost", func(t *testing.T) {
		data := t.TempDir()
		old, _ := LoadSigner(data, t0)
		os.Remove(filepath.Join(data, SigningDir, PublicKeyFile))
		s, err := LoadSigner(data, t0.Add(time.Hour))
		if err != nil || !s.PublicKey().Equal(old.PublicKey()) {
			t.Fatalf("%v %+v", err, s.Keyring())
		}
	})
	t.Run("retired secret key restored", func(t *testing.T) {
		data := t.TempDir()
		LoadSigner(data, t0)
		secret := filepath.Join(data, SigningDir, SecretFile)
		oldSecret, _ := os.ReadFile(secret)
		old, _ := LoadSigner(data, t0)
		if _, err := RotateSigner(data, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(secret, oldSecret, 0o600)
		_, err := LoadSigner(data, t0.Add(2*time.Hour))
		if err == nil || !strings.Contains(err.Error(), "the signing key "+old.PublicKey().ID.String()) || !strings.Contains(err.Error(), "was retired on 2026-11-30T10:00:00Z: run kolokol key rotate") {
			t.Fatalf("restored retired key: %v", err)
		}
		s, err := RotateSigner(data, t0.Add(3*time.Hour))
		if err != nil || len(s.Keyring().Retired) != 2 {
			t.Fatalf("rotate out of it: %v %+v", err, s.Keyring())
		}
	})
	t.Run("damaged secret key", func(t *testing.T) {
		data := t.TempDir()
		LoadSigner(data, t0)
		secret := filepath.Join(data, SigningDir, SecretFile)
		b, _ := os.ReadFile(secret)
		b[len(b)-10] ^= 1
		os.WriteFile(secret, b, 0o600)
		if _, err := LoadSigner(data, t0); err == nil || !strings.Contains(err.Error(), "kolokol.key") {
			t.Fatalf("damaged key: %v", err)
		}
	})
}

// TestKeysNeverPrinted prints and logs a Signer every way, and reads the
// errors of damaged key files: none may show the secret key.
func TestKeysNeverPrinted(t *testing.T) {
	data := t.TempDir()
	s, err := LoadSigner(data, t0)
	if err != nil {
		t.Fatal(err)
	}
	secretFile, _ := os.ReadFile(filepath.Join(data, SigningDir, SecretFile))
	secrets := []string{
		hex.EncodeToString(s.key.Seed()), strings.ToUpper(hex.EncodeToString(s.key.Seed())),
		base64.StdEncoding.EncodeToString(s.key.Seed()), string(s.key.Seed()),
		strings.Split(string(secretFile), "\n")[1],
		fmt.Sprint([]byte(s.key.Seed())[:8]),
	}
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%X", "%q", "%T"} {
		fmt.Fprintf(&out, verb+"\n", s)
		fmt.Fprintf(&out, verb+"\n", *s)
	}
	slog.New(slog.NewJSONHandler(&out, nil)).Info("signer", "s", s, "v", *s)
	slog.New(slog.NewTextHandler(&out, nil)).Info("signer", "s", s, "v", *s)
	for _, bad := range [][]byte{
		secretFile[:len(secretFile)-5],
		bytes.Replace(secretFile, []byte("RWQAAEIy"), []byte("RWRTY0Iy"), 1), // "Sc": encrypted
		append(append([]byte{}, secretFile...), "extra\n"...),
	} {
		_, _, err := ParseSecretKey(bad)
		fmt.Fprintln(&out, err)
	}
	for _, sec := range secrets {
		if strings.Contains(out.String(), sec) {
			t.Fatalf("the secret key shows in:\n%s", out.String())
		}
	}
	if !strings.Contains(out.String(), "sign.Signer{key "+s.PublicKey().ID.String()+"}") {
		t.Errorf("the signer does not print as its key id:\n%s", out.String())
	}
}

func TestSecretKeyFormat(t *testing.T) {
	id, key := newKey()
	data := marshalSecret(id, key)
	gotID, gotKey, err := ParseSecretKey(data)
	if err != nil || gotID != id || !gotKey.Equal(key) {
		t.Fatalf("round trip: %v", err)
	}
	blob, _ := base64.StdEncoding.DecodeString(strings.Split(string(data), "\n")[1])
	enc := append([]byte{}, blob...)
	copy(enc[2:4], "Sc")
	swapped := append([]byte{}, blob...)
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	copy(swapped[6+48+8+32:], other[32:]) // another key's public half
	zeroChk := append([]byte{}, blob...)
	copy(zeroChk[len(zeroChk)-32:], make([]byte, 32))
	for _, tt := range []struct {
		name string
		blob []byte
		want string // "" parses
	}{
		{"encrypted", enc, "encrypted with a password"},
		{"halves disagree", swapped, "its public half does not match"},
		{"zero checksum, as minisign -G -W writes", zeroChk, ""},
		{"short", blob[:100], "base64 of 158 bytes"},
	} {
		_, _, err := ParseSecretKey([]byte("untrusted comment: x\n" + base64.StdEncoding.EncodeToString(tt.blob) + "\n"))
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}

// TestMinisignVectors verifies signatures that Debian's minisign 0.11 made,
// prehashed and legacy, with no minisign installed.
func TestMinisignVectors(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "minisign", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ring, err := ParseKeyring(read("vector.pub"))
	if err != nil {
		t.Fatal(err)
	}
	msg := read("message.txt")
	for name, alg := range map[string]string{"prehashed.minisig": "ED", "legacy.minisig": "Ed"} {
		sig, err := ParseSignature(read(name))
		if err != nil || sig.Algorithm != alg {
			t.Fatalf("%s: %v %+v", name, err, sig)
		}
		if err := ring.Current.Verify(msg, sig); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if err := ring.Current.Verify(append(msg, '!'), sig); err == nil {
			t.Errorf("%s: verifies another message", name)
		}
		if !bytes.Equal(sig.Marshal(), read(name)) {
			t.Errorf("%s does not marshal back to the same bytes", name)
		}
	}
}
