package sign

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"golang.org/x/crypto/blake2b"
)

// The signing key's place in the data directory. The secret key is in
// minisign's own unencrypted secret key format, so that a newsroom can
// sign or recreate the public key with Debian's minisign in an emergency
// (`minisign -R -s DATA/signing/kolokol.key`), and can bring a key made
// offline with `minisign -G -W`.
const (
	SigningDir = "signing"
	SecretFile = "kolokol.key"
)

const (
	kdfNone    = "\x00\x00"
	kdfScrypt  = "Sc"
	chkBLAKE2b = "B2"
	// alg, kdf, chk algorithms; salt 32; opslimit, memlimit 8 each; key
	// id 8; secret key 64; checksum 32.
	secretBlob = 2 + 2 + 2 + 32 + 8 + 8 + keyIDSize + ed25519.PrivateKeySize + 32
)

// Signer holds the newsroom's current signing key. It prints as its key id
// alone, whatever the verb, and logs the same way: the secret key never
// reaches a log line or an error.
type Signer struct {
	id   KeyID
	key  ed25519.PrivateKey
	ring Keyring
}

// PublicKey is the current key.
func (s *Signer) PublicKey() PublicKey { return s.ring.Current }

// Keyring is the current key and the retired ones (kolokol.pub).
func (s *Signer) Keyring() Keyring { return s.ring }

// String, Format and LogValue have value receivers so that a Signer
// printed by value, not only through a pointer, hides its key too.
func (s Signer) String() string { return "sign.Signer{key " + s.id.String() + "}" }

// Format keeps every fmt verb (%v, %+v, %#v, %x, %d …) to String: with
// a Stringer alone, %d would print the struct and the key's bytes.
func (s Signer) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }

// LogValue makes slog show the key id, never the key.
func (s Signer) LogValue() slog.Value { return slog.StringValue(s.String()) }

func secretComment(id KeyID) string {
	return "kolokol secret key " + id.String() + ", unencrypted: keep this file private"
}

// marshalSecret writes the secret key file in minisign's unencrypted form.
func marshalSecret(id KeyID, key ed25519.PrivateKey) []byte {
	b := make([]byte, 0, secretBlob)
	b = append(b, algEd+kdfNone+chkBLAKE2b...)
	b = append(b, make([]byte, 32+8+8)...) // no salt nor scrypt limits: not encrypted
	b = append(b, id[:]...)
	b = append(b, key...)
	b = append(b, secretChecksum(id, key)...)
	return []byte(commentHead + secretComment(id) + "\n" + base64.StdEncoding.EncodeToString(b) + "\n")
}

// secretChecksum is minisign's: BLAKE2b-256 of algorithm, key id and key.
func secretChecksum(id KeyID, key ed25519.PrivateKey) []byte {
	h, _ := blake2b.New256(nil) // only a key longer than 64 bytes fails
	h.Write([]byte(algEd))
	h.Write(id[:])
	h.Write(key)
	return h.Sum(nil)
}

// ParseSecretKey reads a secret key file: Kolokol's, or one that
// `minisign -G -W` made (whose checksum is left zero). Errors never quote
// the file.
func ParseSecretKey(data []byte) (KeyID, ed25519.PrivateKey, error) {
	var id KeyID
	lines, err := splitLines(data)
	if err != nil || len(lines) != 2 || !bytes.HasPrefix([]byte(lines[0]), []byte(commentHead)) {
		return id, nil, errors.New("not a minisign secret key file (a comment line, then the key)")
	}
	b, err := base64.StdEncoding.Strict().DecodeString(lines[1])
	if err != nil || len(b) != secretBlob {
		return id, nil, errors.New("not a minisign secret key (base64 of 158 bytes)")
	}
	switch {
	case string(b[0:2]) != algEd:
		return id, nil, fmt.Errorf("unsupported key algorithm %q", b[0:2])
	case string(b[2:4]) == kdfScrypt:
		return id, nil, errors.New("the secret key is encrypted with a password; Kolokol signs unattended: remove the password with `minisign -C -W -s FILE`")
	case string(b[2:4]) != kdfNone:
		return id, nil, fmt.Errorf("unsupported key derivation %q", b[2:4])
	case string(b[4:6]) != chkBLAKE2b:
		return id, nil, fmt.Errorf("unsupported checksum %q", b[4:6])
	}
	rest := b[6+32+8+8:]
	copy(id[:], rest[:keyIDSize])
	key := ed25519.PrivateKey(bytes.Clone(rest[keyIDSize : keyIDSize+ed25519.PrivateKeySize]))
	chk := rest[keyIDSize+ed25519.PrivateKeySize:]
	// The key's second half is its public key: a key whose halves do not
	// agree would sign with one key while verify is given the other.
	if !bytes.Equal(ed25519.NewKeyFromSeed(key.Seed()), key) {
		return id, nil, errors.New("damaged secret key: its public half does not match")
	}
	if !bytes.Equal(chk, make([]byte, 32)) && !bytes.Equal(chk, secretChecksum(id, key)) {
		return id, nil, errors.New("damaged secret key: the checksum does not match")
	}
	return id, key, nil
}

func newKey() (KeyID, ed25519.PrivateKey) {
	var id KeyID
	rand.Read(id[:]) // crypto/rand.Read never fails (Go 1.24 and later)
	_, key, _ := ed25519.GenerateKey(nil)
	return id, key
}

func publicOf(id KeyID, key ed25519.PrivateKey) PublicKey {
	return PublicKey{ID: id, Key: key.Public().(ed25519.PublicKey)}
}

// LoadSigner loads the newsroom's signing key from DATA/signing, making
// one on first use. The data directory must exist; DATA/signing is made
// (or tightened) to mode 0700 and the secret key is 0600.
//
// kolokol.pub there is the record of retired keys. Rotation writes the new
// secret key before kolokol.pub; if it stopped between the two, or the
// secret key was replaced by hand, kolokol.pub's current key differs from
// the secret key: it is then retired (now), so no public key is forgotten.
// A secret key that kolokol.pub lists as retired is refused: signing with
// it would make every mirror fail verification.
func LoadSigner(dataDir string, now time.Time) (*Signer, error) {
	dir, err := signingDir(dataDir)
	if err != nil {
		return nil, err
	}
	ring, hasRing, err := readKeyring(dir)
	if err != nil {
		return nil, err
	}
	id, key, err := readSecret(dir)
	if errors.Is(err, fs.ErrNotExist) {
		id, key = newKey()
		err = writeFileAtomic(dir, SecretFile, marshalSecret(id, key), 0o600, false)
		if errors.Is(err, fs.ErrExist) {
			// Another process made the key first: use that one.
			id, key, err = readSecret(dir)
		}
	}
	if err != nil {
		return nil, err
	}
	pub := publicOf(id, key)
	if hasRing && ring.Current.Equal(pub) {
		return &Signer{id: id, key: key, ring: ring}, nil
	}
	if _, when, ok := ring.Lookup(id); hasRing && ok {
		return nil, fmt.Errorf("the signing key %s in %s was retired on %s: run kolokol key rotate",
			id, filepath.Join(dir, SecretFile), when.UTC().Format(time.RFC3339))
	}
	if hasRing {
		ring.Retired = append([]RetiredKey{{PublicKey: ring.Current, Retired: now.UTC().Truncate(time.Second)}}, ring.Retired...)
	}
	ring.Current = pub
	if err := writeFileAtomic(dir, PublicKeyFile, ring.Marshal(), 0o644, true); err != nil {
		return nil, fmt.Errorf("record the public key: %w", err)
	}
	return &Signer{id: id, key: key, ring: ring}, nil
}

// RotateSigner makes a new signing key and retires the current one (now):
// kolokol.pub keeps listing it, with the time, so that verify refuses the
// editions it signed by name. It works from a data directory whose secret
// key is missing or was already retired too, which LoadSigner refuses.
// Run one rotation at a time: two at once could both retire the same key.
func RotateSigner(dataDir string, now time.Time) (*Signer, error) {
	dir, err := signingDir(dataDir)
	if err != nil {
		return nil, err
	}
	removeStaleTemps(dir, SecretFile, PublicKeyFile)
	ring, hasRing, err := readKeyring(dir)
	if err != nil {
		return nil, err
	}
	when := now.UTC().Truncate(time.Second)
	var retired []RetiredKey
	if oldID, oldKey, err := readSecret(dir); err == nil {
		if old := publicOf(oldID, oldKey); !hasRing || !ring.Current.Equal(old) {
			if _, _, listed := ring.Lookup(oldID); !listed {
				retired = append(retired, RetiredKey{PublicKey: old, Retired: when})
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w (move the file away to rotate to a new key)", err)
	}
	if hasRing {
		retired = append(retired, RetiredKey{PublicKey: ring.Current, Retired: when})
		retired = append(retired, ring.Retired...)
	}
	id, key := newKey()
	ring = Keyring{Current: publicOf(id, key), Retired: retired}
	if len(ring.Retired) > maxRetiredKeys {
		return nil, fmt.Errorf("more than %d retired keys", maxRetiredKeys)
	}
	if err := writeFileAtomic(dir, SecretFile, marshalSecret(id, key), 0o600, true); err != nil {
		return nil, fmt.Errorf("write the new secret key: %w", err)
	}
	if err := writeFileAtomic(dir, PublicKeyFile, ring.Marshal(), 0o644, true); err != nil {
		return nil, fmt.Errorf("record the public keys: %w", err)
	}
	return &Signer{id: id, key: key, ring: ring}, nil
}

// LoadKeyring reads DATA/signing/kolokol.pub without touching anything.
func LoadKeyring(dataDir string) (Keyring, error) {
	ring, ok, err := readKeyring(filepath.Join(dataDir, SigningDir))
	if err == nil && !ok {
		err = fmt.Errorf("no signing key in %s yet", dataDir)
	}
	return ring, err
}

func signingDir(dataDir string) (string, error) {
	if fi, err := os.Stat(dataDir); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("no data directory %s", dataDir)
	}
	dir := filepath.Join(dataDir, SigningDir)
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return "", fmt.Errorf("signing directory: %w", err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("%s is not a directory", dir)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		// Made by hand or restored from a backup with the umask's mode.
		if err := os.Chmod(dir, 0o700); err != nil {
			return "", fmt.Errorf("make %s private: %w", dir, err)
		}
	}
	return dir, nil
}

func readSecret(dir string) (KeyID, ed25519.PrivateKey, error) {
	name := filepath.Join(dir, SecretFile)
	f, err := os.Open(name)
	if err != nil {
		return KeyID{}, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return KeyID{}, nil, fmt.Errorf("read the secret key: %w", err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return KeyID{}, nil, fmt.Errorf("%s can be read by others (mode %04o): chmod 600 it, and make a new key (kolokol key rotate) if anyone may have copied it", name, fi.Mode().Perm())
	}
	data, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return KeyID{}, nil, fmt.Errorf("read the secret key: %w", err)
	}
	id, key, err := ParseSecretKey(data)
	if err != nil {
		return KeyID{}, nil, fmt.Errorf("%s: %w", name, err)
	}
	return id, key, nil
}

func readKeyring(dir string) (Keyring, bool, error) {
	name := filepath.Join(dir, PublicKeyFile)
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return Keyring{}, false, nil
	}
	if err != nil {
		return Keyring{}, false, fmt.Errorf("read the public keys: %w", err)
	}
	ring, err := ParseKeyring(data)
	if err != nil {
		return Keyring{}, false, fmt.Errorf("%s: %w", name, err)
	}
	return ring, true, nil
}
