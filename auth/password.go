package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode"
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

	// A stored hash asking for more than this is refused rather than run,
	// so a tampered row cannot make one login take seconds or gigabytes.
	// 256 MiB is over ten times today's memory and five times OWASP's
	// largest recommended setting, room enough to raise the parameters.
	maxArgonMemory  = 256 * 1024 // KiB
	maxArgonTime    = 10
	maxArgonThreads = 16

	// MinPasswordRunes is the shortest password accepted: length is what
	// makes a passphrase strong.
	MinPasswordRunes = 12
	maxPasswordBytes = 1024
	// minDistinctRunes refuses "aaaaaaaaaaaa" and "121212121212".
	minDistinctRunes = 5
	// Parts of a name or email shorter than this are not looked for in a
	// password ("Li" would refuse half the dictionary).
	minPersonalRunes = 4
)

var b64 = base64.RawStdEncoding.Strict()

// HashPassword returns the password's argon2id hash in the PHC string format:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>, unpadded standard base64.
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
// replaced on this login. Any valid argon2id parameters are accepted within
// bounds; an error means the stored hash itself is unusable.
func VerifyPassword(encoded, pw string) (ok, needsRehash bool, err error) {
	h, err := parseHash(encoded)
	if err != nil {
		return false, false, fmt.Errorf("verify password: %w", err)
	}
	got := argon2.IDKey([]byte(pw), h.salt, h.time, h.memory, h.threads, uint32(len(h.key)))
	if subtle.ConstantTimeCompare(got, h.key) != 1 {
		return false, false, nil
	}
	weak := h.memory < argonMemory || h.time < argonTime || len(h.salt) < argonSaltLen || len(h.key) < argonKeyLen
	return true, weak, nil
}

type argonHash struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

// parseHash reads a PHC argon2id string strictly: one spelling per hash
// (no signs, no leading zeros, no padding), parameters within bounds.
func parseHash(encoded string) (argonHash, error) {
	var h argonHash
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return h, fmt.Errorf("not an argon2id hash")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return h, fmt.Errorf("unsupported argon2 version %q", parts[2])
	}
	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return h, fmt.Errorf("malformed parameters %q", parts[3])
	}
	var v [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		s, ok := strings.CutPrefix(fields[i], name)
		n, err := strconv.ParseUint(s, 10, 32)
		if !ok || err != nil || strconv.FormatUint(n, 10) != s {
			return h, fmt.Errorf("malformed parameters %q", parts[3])
		}
		v[i] = n
	}
	m, t, p := v[0], v[1], v[2]
	if p < 1 || p > maxArgonThreads || t < 1 || t > maxArgonTime || m < 8*p || m > maxArgonMemory {
		return h, fmt.Errorf("parameters out of range %q", parts[3])
	}
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(salt) > 64 || len(key) < 16 || len(key) > 64 {
		return h, fmt.Errorf("malformed salt or key")
	}
	return argonHash{memory: uint32(m), time: uint32(t), threads: uint8(p), salt: salt, key: key}, nil
}

// CheckPasswordPolicy refuses, with an EINVALID error on the field
// "password", a password that is too short (under 12 characters) or too
// long (over 1024 bytes), made of too few different characters, on the
// common-password list (common is usually (*CommonPasswords).Contains; it
// gets the password in lower case), or containing the account's name or
// email local part, or any word of them, given in personal.
func CheckPasswordPolicy(pw string, common func(string) bool, personal ...string) error {
	invalid := func(format string, args ...any) error {
		return kolokol.FieldErrorf(kolokol.EINVALID, "password", format, args...)
	}
	if len(pw) > maxPasswordBytes {
		return invalid("the password is over %d bytes; a few words are enough", maxPasswordBytes)
	}
	if !utf8.ValidString(pw) {
		return invalid("the password is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(pw); n < MinPasswordRunes {
		return invalid("the password has %d characters; use at least %d (a few unrelated words work well)", n, MinPasswordRunes)
	}
	if distinctRunes(pw) < minDistinctRunes {
		return invalid("the password repeats too few different characters; a few unrelated words work well")
	}
	lower := strings.ToLower(pw)
	if common != nil && common(lower) {
		return invalid("this password is on the list of commonly used passwords; choose another")
	}
	for _, w := range personalWords(personal) {
		if strings.Contains(lower, w) {
			return invalid("the password contains your name or email; choose another")
		}
	}
	return nil
}

func distinctRunes(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}

// personalWords is each name or email local part in lower case, whole and
// split into its words, leaving out the short ones.
func personalWords(personal []string) []string {
	var words []string
	add := func(w string) {
		if utf8.RuneCountInString(w) >= minPersonalRunes {
			words = append(words, w)
		}
	}
	for _, p := range personal {
		p = strings.ToLower(strings.TrimSpace(p))
		if local, _, ok := strings.Cut(p, "@"); ok {
			p = local
		}
		add(p)
		for _, w := range strings.FieldsFunc(p, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if w != p {
				add(w)
			}
		}
	}
	return words
}
