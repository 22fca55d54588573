package sign

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// minisign's algorithm tags: a key is always "Ed"; a signature is "ED"
// (Ed25519 over the BLAKE2b-512 of the file, what minisign 0.11 makes and
// what `minisign -V -H` insists on) or the legacy "Ed" (over the file).
const (
	algEd       = "Ed"
	algPrehash  = "ED"
	keyIDSize   = 8
	publicBlob  = 2 + keyIDSize + ed25519.PublicKeySize // alg || key id || key
	commentHead = "untrusted comment: "
)

// KeyID is minisign's key number: 8 random bytes carried in every
// signature, so a verifier can say which key signed before it checks.
// It is a name, not a fingerprint: anyone can make a key with any id.
type KeyID [keyIDSize]byte

// String is the id as minisign prints it: the bytes read as a
// little-endian number, 16 upper-case hex digits.
func (id KeyID) String() string {
	return fmt.Sprintf("%016X", binary.LittleEndian.Uint64(id[:]))
}

// ParseKeyID reads an id as String writes it.
func ParseKeyID(s string) (KeyID, error) {
	var id KeyID
	if len(s) != 16 || strings.ToUpper(s) != s {
		return id, fmt.Errorf("key id %q is not 16 upper-case hex digits", s)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return id, fmt.Errorf("key id %q is not 16 upper-case hex digits", s)
	}
	for i := range id {
		id[i] = b[keyIDSize-1-i]
	}
	return id, nil
}

// PublicKey is an Ed25519 public key with its minisign id.
type PublicKey struct {
	ID  KeyID
	Key ed25519.PublicKey
}

// Base64 is the key's line in a minisign public key file:
// base64("Ed" || key id || key).
func (k PublicKey) Base64() string {
	b := make([]byte, 0, publicBlob)
	b = append(b, algEd...)
	b = append(b, k.ID[:]...)
	b = append(b, k.Key...)
	return base64.StdEncoding.EncodeToString(b)
}

// Equal reports whether two keys are the same id and key.
func (k PublicKey) Equal(o PublicKey) bool { return k.ID == o.ID && k.Key.Equal(o.Key) }

func parsePublicKeyLine(line string) (PublicKey, error) {
	var k PublicKey
	b, err := base64.StdEncoding.Strict().DecodeString(line)
	if err != nil || len(b) != publicBlob {
		return k, errors.New("not a minisign public key (base64 of 42 bytes)")
	}
	if string(b[:2]) != algEd {
		return k, fmt.Errorf("unsupported key algorithm %q (minisign keys are %q)", b[:2], algEd)
	}
	copy(k.ID[:], b[2:2+keyIDSize])
	k.Key = ed25519.PublicKey(bytes.Clone(b[2+keyIDSize:]))
	return k, nil
}

// RetiredKey is a key that signed earlier editions and signs no more.
type RetiredKey struct {
	PublicKey
	Retired time.Time
}

// Keyring is the newsroom's public keys, as kolokol.pub holds them: the
// current key first, in minisign's own two lines (so `minisign -p
// kolokol.pub` reads it and stops there), then each retired key, newest
// first, in the same two lines with a comment saying when it was retired:
//
//	untrusted comment: minisign public key 8E1FDEC827DD8AAE
//	RWSOH97IJ92KrrC3zkbbBdzLvGE0P9wkWcA+CjShM0v1XLHs1j6onZp2
//	untrusted comment: kolokol public key 0C9A2B5DE0431F77 retired 2026-11-30T09:00:00Z
//	RWR3H0PgXSuaDN…
//
// A reader who trusts this file by its fingerprint (Fingerprint) also
// learns which keys were retired, so verify can refuse an old key's
// signature by name rather than as unknown.
type Keyring struct {
	Current PublicKey
	Retired []RetiredKey
}

// Limits on a keyring file: minisign's own limit on a comment line (it
// reads one into 1,024 bytes with fgets, the line break and the C string's
// end included; a longer line would be read as two), and a bound on keys so
// that a hostile --pubkey cannot make verify spin.
const (
	maxCommentLine  = 1022
	maxRetiredKeys  = 1000
	maxKeyringBytes = (maxRetiredKeys + 1) * (maxCommentLine + 60)
)

// Marshal writes the keyring file. Its bytes change only when a key is
// rotated, so their SHA-256 is a fingerprint that stays put between
// rotations.
func (r Keyring) Marshal() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%sminisign public key %s\n%s\n", commentHead, r.Current.ID, r.Current.Base64())
	for _, k := range r.Retired {
		fmt.Fprintf(&b, "%skolokol public key %s retired %s\n%s\n", commentHead, k.ID,
			k.Retired.UTC().Format(time.RFC3339), k.Base64())
	}
	return []byte(b.String())
}

// Fingerprint is the SHA-256 of the keyring file, lower-case hex, as
// `sha256sum kolokol.pub` prints it: what readers compare with the one the
// newsroom publishes. (The key id alone proves nothing: ids are chosen.)
func (r Keyring) Fingerprint() string {
	sum := sha256.Sum256(r.Marshal())
	return hex.EncodeToString(sum[:])
}

// Lookup finds a key by id: the current one, or a retired one with the
// time it was retired.
func (r Keyring) Lookup(id KeyID) (k PublicKey, retired time.Time, ok bool) {
	if r.Current.ID == id {
		return r.Current, time.Time{}, true
	}
	for _, rk := range r.Retired {
		if rk.ID == id {
			return rk.PublicKey, rk.Retired, true
		}
	}
	return PublicKey{}, time.Time{}, false
}

// ParseKeyring reads a keyring file, or any minisign public key file (a
// keyring with no retired keys; its comment line is not read, as minisign
// does not read it either).
func ParseKeyring(data []byte) (Keyring, error) {
	var r Keyring
	if len(data) > maxKeyringBytes {
		return r, fmt.Errorf("public key file of %d bytes (at most %d)", len(data), maxKeyringBytes)
	}
	if looksLikeHTML(data) {
		return r, errors.New("this is HTML, not a public key file")
	}
	lines, err := splitLines(data)
	if err != nil {
		return r, fmt.Errorf("public key file: %w", err)
	}
	if len(lines) < 2 || len(lines)%2 != 0 {
		return r, errors.New("public key file: want a comment line and a key line for each key")
	}
	seen := map[KeyID]bool{}
	for i := 0; i < len(lines); i += 2 {
		comment, line := lines[i], lines[i+1]
		if len(comment) > maxCommentLine {
			return r, fmt.Errorf("public key file, line %d: longer than %d bytes", i+1, maxCommentLine)
		}
		if !strings.HasPrefix(comment, commentHead) {
			return r, fmt.Errorf("public key file, line %d: does not start with %q", i+1, commentHead)
		}
		k, err := parsePublicKeyLine(line)
		if err != nil {
			return r, fmt.Errorf("public key file, line %d: %w", i+2, err)
		}
		if seen[k.ID] {
			return r, fmt.Errorf("public key file: key %s is listed twice", k.ID)
		}
		seen[k.ID] = true
		if i == 0 {
			r.Current = k
			continue
		}
		if len(r.Retired) == maxRetiredKeys {
			return r, fmt.Errorf("public key file: more than %d retired keys", maxRetiredKeys)
		}
		var id, when string
		rest := strings.TrimPrefix(comment, commentHead+"kolokol public key ")
		if n, _ := fmt.Sscanf(rest, "%s retired %s", &id, &when); n != 2 || rest != id+" retired "+when {
			return r, fmt.Errorf("public key file, line %d: want %q", i+1, commentHead+"kolokol public key ID retired TIME")
		}
		if id != k.ID.String() {
			return r, fmt.Errorf("public key file, line %d: the comment names key %s but the key is %s", i+1, id, k.ID)
		}
		t, err := time.Parse(time.RFC3339, when)
		if err != nil || t.Format(time.RFC3339) != when || t.Location() != time.UTC {
			return r, fmt.Errorf("public key file, line %d: retired %q is not a UTC time like 2026-11-30T09:00:00Z", i+1, when)
		}
		r.Retired = append(r.Retired, RetiredKey{PublicKey: k, Retired: t})
	}
	return r, nil
}

// splitLines splits a small text file into lines, as minisign reads them:
// "\n" ends a line and a "\r" before it is dropped. A last line without
// "\n" counts; empty lines and NUL bytes (which C's string functions would
// stop at, reading something other than what Go reads) are refused.
func splitLines(data []byte) ([]string, error) {
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, errors.New("has a NUL byte")
	}
	s := strings.TrimSuffix(string(data), "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		l = strings.TrimSuffix(l, "\r")
		if l == "" {
			return nil, fmt.Errorf("line %d is empty", i+1)
		}
		if strings.ContainsRune(l, '\r') {
			return nil, fmt.Errorf("line %d has a carriage return inside", i+1)
		}
		lines[i] = l
	}
	return lines, nil
}
