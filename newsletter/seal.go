package newsletter

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kolokol/kolokol/internal/secretfile"
)

// KeySize is the length of the subscribers key file: 32 random bytes.
const KeySize = 32

// Keys seal subscribers' addresses and make their lookup hashes and
// manage tokens. They come from one secret, the key file, kept outside
// the database: a copy of the database alone holds no address.
type Keys struct {
	aead   cipher.AEAD
	lookup []byte // HMAC key of the lookup hash
	manage []byte // HMAC key of the manage token
}

// NewKeys derives the keys from a 32-byte secret.
func NewKeys(secret []byte) (*Keys, error) {
	if len(secret) != KeySize {
		return nil, fmt.Errorf("a subscribers key is %d bytes, not %d", KeySize, len(secret))
	}
	derive := func(purpose string) ([]byte, error) {
		return hkdf.Key(sha256.New, secret, nil, "kolokol subscribers "+purpose, 32)
	}
	enc, err := derive("seal v1")
	if err != nil {
		return nil, fmt.Errorf("derive the sealing key: %w", err)
	}
	block, err := aes.NewCipher(enc)
	if err != nil {
		return nil, fmt.Errorf("make the sealing cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("make the sealing cipher: %w", err)
	}
	k := &Keys{aead: aead}
	if k.lookup, err = derive("lookup v1"); err != nil {
		return nil, fmt.Errorf("derive the lookup key: %w", err)
	}
	if k.manage, err = derive("manage v1"); err != nil {
		return nil, fmt.Errorf("derive the token key: %w", err)
	}
	return k, nil
}

// LoadKeys reads the key file at path, making it (32 random bytes, mode
// 0600, its directory 0700) when there is none. A file that group or
// others may read is refused, as is one of another size.
func LoadKeys(path string) (*Keys, error) {
	secret, err := secretfile.Read(path, KeySize)
	if errors.Is(err, fs.ErrNotExist) {
		secret = make([]byte, KeySize)
		rand.Read(secret)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("make the subscribers key's directory: %w", err)
		}
		// O_EXCL: two servers starting at once must not each write a key
		// of their own; the second reads the first's.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return LoadKeys(path)
		} else if err != nil {
			return nil, fmt.Errorf("make the subscribers key: %w", err)
		}
		if _, err := f.Write(secret); err != nil {
			f.Close()
			os.Remove(path)
			return nil, fmt.Errorf("write the subscribers key: %w", err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			os.Remove(path)
			return nil, fmt.Errorf("write the subscribers key: %w", err)
		}
		if err := f.Close(); err != nil {
			os.Remove(path)
			return nil, fmt.Errorf("write the subscribers key: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("read the subscribers key: %w", err)
	}
	if len(secret) != KeySize {
		return nil, fmt.Errorf("read the subscribers key: %s holds %d bytes, not %d", path, len(secret), KeySize)
	}
	return NewKeys(secret)
}

// Lookup returns the keyed hash of a normalized address: the same address
// gives the same hash under the same key file, and nothing else gives it.
func (k *Keys) Lookup(address string) []byte {
	m := hmac.New(sha256.New, k.lookup)
	m.Write([]byte(address))
	return m.Sum(nil)
}

// Seal encrypts an address. The lookup hash is bound in as additional
// data, so a sealed address moved to another row does not open there.
func (k *Keys) Seal(lookup []byte, address string) []byte {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(address)+k.aead.Overhead())
	rand.Read(nonce)
	return k.aead.Seal(nonce, nonce, []byte(address), lookup)
}

// ErrSealed is a sealed address that does not open: changed, moved to
// another row, or sealed under another key file.
var ErrSealed = errors.New("the sealed address does not open with this key file: the row was altered or the key file is not the one it was sealed with")

// Open decrypts a sealed address.
func (k *Keys) Open(lookup, sealed []byte) (string, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n+k.aead.Overhead() {
		return "", ErrSealed
	}
	b, err := k.aead.Open(nil, sealed[:n], sealed[n:], lookup)
	if err != nil {
		return "", ErrSealed
	}
	return string(b), nil
}

// ManageToken is the token in a subscriber's unsubscribe and export
// links. It is made from the sealed address (whose random nonce makes it
// unique) under the key file, rather than stored: the database holds only
// its hash, and a copy of the database unsubscribes no one.
func (k *Keys) ManageToken(sealed []byte) string {
	m := hmac.New(sha256.New, k.manage)
	m.Write(sealed)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// NewToken returns a random token for a confirmation link.
func NewToken() string { return rand.Text() + rand.Text() }

// TokenHash is what the store keeps of a token.
func TokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// ValidToken reports whether t has the shape of a token this package
// makes, before any lookup: 43 (manage) or 52 (confirmation) characters
// of base64url or base32.
func ValidToken(t string) bool {
	if len(t) != 43 && len(t) != 52 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
