package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
)

// recoveryAlphabet leaves out look-alikes (0/o, 1/l/i) so codes can be
// copied from paper. 12 characters of it carry 59 random bits.
const (
	recoveryAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"
	recoveryChars    = 12
	maxRecoveryCodes = 100
)

// NewRecoveryCodes returns n one-time codes to show once ("7kq4-9xme-2p8d")
// and the hashes to store in their place. A plain SHA-256 suffices: the
// codes are random, not chosen by people, so there is no dictionary to try.
func NewRecoveryCodes(n int) (codes, hashes []string, err error) {
	if n < 1 || n > maxRecoveryCodes {
		return nil, nil, fmt.Errorf("recovery codes: %d asked, want 1 to %d", n, maxRecoveryCodes)
	}
	// Bytes at or above the largest multiple of the alphabet's size are
	// drawn again, so every character is equally likely.
	limit := byte(256 / len(recoveryAlphabet) * len(recoveryAlphabet))
	buf := make([]byte, 64)
	used := len(buf)
	for range n {
		var sb strings.Builder
		for i := 0; i < recoveryChars; {
			if used == len(buf) {
				if _, err := rand.Read(buf); err != nil {
					return nil, nil, fmt.Errorf("recovery codes: %w", err)
				}
				used = 0
			}
			c := buf[used]
			used++
			if c >= limit {
				continue
			}
			if i > 0 && i%4 == 0 {
				sb.WriteByte('-')
			}
			sb.WriteByte(recoveryAlphabet[int(c)%len(recoveryAlphabet)])
			i++
		}
		codes = append(codes, sb.String())
		hashes = append(hashes, hashRecovery(sb.String()))
	}
	return codes, hashes, nil
}

// hashRecovery hashes a code as typed: case, spaces and dashes do not count.
func hashRecovery(code string) string {
	norm := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return unicode.ToLower(r)
	}, code)
	sum := sha256.Sum256([]byte(norm))
	return hex.EncodeToString(sum[:])
}

// MatchRecoveryCode returns the index of the stored hash the code matches,
// comparing with every hash in constant time; the caller deletes that hash,
// since each code works once.
func MatchRecoveryCode(code string, hashes []string) (int, bool) {
	h := []byte(hashRecovery(code))
	found := -1
	for i, s := range hashes {
		if subtle.ConstantTimeCompare(h, []byte(s)) == 1 {
			found = i
		}
	}
	return found, found >= 0
}
