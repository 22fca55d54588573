package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
)

// TOTP parameters: the ones every authenticator app supports (RFC 6238's
// defaults). A code is accepted one step early or late, for clock skew.
const (
	totpDigits = 6
	totpPeriod = 30 // seconds
	totpSkew   = 1  // steps either side
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns 160 random bits in base32, the form apps take.
func NewTOTPSecret() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("totp secret: %w", err)
	}
	return b32.EncodeToString(b), nil
}

// TOTPURI is the otpauth URI an enrolment QR code carries.
func TOTPURI(issuer, account, secret string) string {
	label := url.PathEscape(issuer) + ":" + url.PathEscape(account)
	q := url.Values{}
	q.Set("secret", secret)
	q.Set("issuer", issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", fmt.Sprint(totpDigits))
	q.Set("period", fmt.Sprint(totpPeriod))
	return "otpauth://totp/" + label + "?" + q.Encode()
}

func decodeSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(secret))
	key, err := b32.DecodeString(strings.TrimRight(s, "="))
	if err != nil || len(key) < 10 {
		return nil, fmt.Errorf("totp: malformed secret")
	}
	return key, nil
}

// hotp is RFC 4226's HOTP over SHA-1 with dynamic truncation.
func hotp(key []byte, counter uint64, digits int) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, v%mod)
}

// TOTPCode is the code of the step that t falls in.
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	return hotp(key, uint64(t.Unix()/totpPeriod), totpDigits), nil
}

// VerifyTOTP checks a code against the steps around now and returns the
// step it matched, which the caller stores: a code of that step or an
// earlier one is then refused as a replay, so a code seen over a shoulder
// or in a proxy log cannot be used again.
func VerifyTOTP(secret, code string, now time.Time, lastUsedStep int64) (int64, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return 0, err
	}
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != totpDigits || strings.Trim(code, "0123456789") != "" {
		return 0, kolokol.FieldErrorf(kolokol.EINVALID, "code", "enter the %d-digit code from your authenticator app", totpDigits)
	}
	current := now.Unix() / totpPeriod
	matched := int64(-1)
	for step := current - totpSkew; step <= current+totpSkew; step++ {
		// Every candidate is compared, so timing does not tell which matched.
		if subtle.ConstantTimeCompare([]byte(hotp(key, uint64(step), totpDigits)), []byte(code)) == 1 {
			matched = step
		}
	}
	switch {
	case matched < 0:
		return 0, kolokol.FieldErrorf(kolokol.EUNAUTHORIZED, "code", "the code is wrong or expired; enter the one your app shows now")
	case matched <= lastUsedStep:
		return 0, kolokol.FieldErrorf(kolokol.EUNAUTHORIZED, "code", "this code was already used; wait for the next one")
	}
	return matched, nil
}

// recoveryAlphabet leaves out look-alikes (0/o, 1/l/i) so codes can be
// copied from paper.
const recoveryAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// NewRecoveryCodes returns n one-time codes to show once, and the hashes to
// store. A plain SHA-256 suffices: each code has 60 random bits.
func NewRecoveryCodes(n int) (codes, hashes []string, err error) {
	// Bytes at or above the largest multiple of the alphabet's size are
	// drawn again, so every character is equally likely.
	limit := byte(256 / len(recoveryAlphabet) * len(recoveryAlphabet))
	buf := make([]byte, 1)
	for range n {
		var sb strings.Builder
		for i := 0; i < 12; {
			if _, err := rand.Read(buf); err != nil {
				return nil, nil, fmt.Errorf("recovery codes: %w", err)
			}
			if buf[0] >= limit {
				continue
			}
			if i > 0 && i%4 == 0 {
				sb.WriteByte('-')
			}
			sb.WriteByte(recoveryAlphabet[int(buf[0])%len(recoveryAlphabet)])
			i++
		}
		codes = append(codes, sb.String())
		hashes = append(hashes, hashRecovery(sb.String()))
	}
	return codes, hashes, nil
}

func hashRecovery(code string) string {
	norm := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
	sum := sha256.Sum256([]byte(norm))
	return hex.EncodeToString(sum[:])
}

// MatchRecoveryCode returns the index of the stored hash the code matches;
// the caller deletes it, since each code works once.
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
