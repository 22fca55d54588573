// Package auth holds the credential primitives of newsroom accounts:
// argon2id password hashes, TOTP second factors (RFC 6238) and recovery
// codes. It stores nothing and logs nothing; callers keep what it returns.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kolokol/kolokol"
	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1
// lane), which keeps a login near tens of milliseconds on a small server.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16

	// MinPasswordRunes is the shortest password accepted: length is what
	// makes a passphrase strong.
	MinPasswordRunes = 12
	maxPasswordBytes = 1024
)

var b64 = base64.RawStdEncoding

// HashPassword returns the password's argon2id hash in the PHC string format.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches the encoded hash, and whether
// the hash was made with weaker parameters than today's and should be
// replaced on this login. Absurd parameters are refused rather than run, so
// a tampered hash cannot make a login take minutes or gigabytes.
func VerifyPassword(encoded, pw string) (ok, needsRehash bool, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, false, fmt.Errorf("verify password: not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, false, fmt.Errorf("verify password: unsupported argon2 version %q", parts[2])
	}
	var m, t uint32
	var p uint8
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || n != 3 ||
		fmt.Sprintf("m=%d,t=%d,p=%d", m, t, p) != parts[3] {
		return false, false, fmt.Errorf("verify password: malformed parameters %q", parts[3])
	}
	if m < 8*uint32(p) || m > 256*1024 || t < 1 || t > 10 || p < 1 || p > 16 {
		return false, false, fmt.Errorf("verify password: parameters out of range %q", parts[3])
	}
	salt, err1 := b64.Strict().DecodeString(parts[4])
	want, err2 := b64.Strict().DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(want) < 16 || len(want) > 64 {
		return false, false, fmt.Errorf("verify password: malformed salt or key")
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	ok = subtle.ConstantTimeCompare(got, want) == 1
	return ok, ok && (m < argonMemory || t < argonTime), nil
}

// CheckPasswordPolicy refuses a password that is too short, too long, one
// of the commonly used ones, or built from the account's own name or email.
func CheckPasswordPolicy(pw string, common func(string) bool, personal ...string) error {
	if n := utf8.RuneCountInString(pw); n < MinPasswordRunes {
		return kolokol.FieldErrorf(kolokol.EINVALID, "password", "the password has %d characters; use at least %d (a few unrelated words work well)", n, MinPasswordRunes)
	}
	if len(pw) > maxPasswordBytes {
		return kolokol.FieldErrorf(kolokol.EINVALID, "password", "the password is over %d bytes", maxPasswordBytes)
	}
	if !utf8.ValidString(pw) {
		return kolokol.FieldErrorf(kolokol.EINVALID, "password", "the password is not valid UTF-8")
	}
	lower := strings.ToLower(pw)
	if common != nil && common(lower) {
		return kolokol.FieldErrorf(kolokol.EINVALID, "password", "this password is on the list of commonly used passwords; choose another")
	}
	for _, p := range personal {
		p = strings.ToLower(strings.TrimSpace(p))
		if local, _, ok := strings.Cut(p, "@"); ok {
			p = local
		}
		if len(p) >= 4 && strings.Contains(lower, p) {
			return kolokol.FieldErrorf(kolokol.EINVALID, "password", "the password contains your name or email; choose another")
		}
	}
	return nil
}
