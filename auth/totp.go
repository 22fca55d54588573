package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/kolokol/kolokol"
)

// TOTP parameters: the ones every authenticator app supports (RFC 6238's
// defaults: HMAC-SHA-1, 6 digits, 30-second steps). A code is accepted one
// step early or late, for clock skew.
const (
	totpDigits = 6
	totpPeriod = 30 // seconds
	totpSkew   = 1  // steps either side
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns 160 random bits (RFC 4226's recommended key size)
// in unpadded base32, the form authenticator apps take.
func NewTOTPSecret() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("totp secret: %w", err)
	}
	return b32.EncodeToString(b), nil
}

// TOTPURI is the otpauth URI an enrolment QR code carries, in the Key URI
// Format authenticator apps read:
// otpauth://totp/Issuer:account?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30.
// A colon in the issuer or account is escaped, so the label splits at one place.
func TOTPURI(issuer, account, secret string) string {
	label := func(s string) string { return strings.ReplaceAll(url.PathEscape(s), ":", "%3A") }
	query := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	return "otpauth://totp/" + label(issuer) + ":" + label(account) +
		"?secret=" + query(secret) + "&issuer=" + query(issuer) +
		"&algorithm=SHA1&digits=" + strconv.Itoa(totpDigits) + "&period=" + strconv.Itoa(totpPeriod)
}

// decodeSecret reads a base32 secret as a person may have copied it: any
// case, with spaces, dashes or padding.
func decodeSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(secret))
	key, err := b32.DecodeString(strings.TrimRight(s, "="))
	if err != nil || len(key) < 10 {
		return nil, fmt.Errorf("totp: malformed secret")
	}
	return key, nil
}

// hotp is RFC 4226's HOTP over SHA-1 with dynamic truncation to digits
// decimal digits (RFC 6238 Appendix B uses 8).
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

// TOTPCode is the code of the step that t falls in, as an app shows it.
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	return hotp(key, uint64(t.Unix()/totpPeriod), totpDigits), nil
}

// VerifyTOTP checks a code against the steps around now and returns the
// step it matched, which the caller stores as the account's last used step:
// a code of that step or an earlier one is then refused as a replay, so a
// code seen over a shoulder or in a proxy log cannot be used again.
//
// Errors: EINVALID (field "code") for a code that is not 6 digits;
// EUNAUTHORIZED (field "code") for a wrong or expired code, or a replayed
// one, each with a message to show; a plain error for a malformed secret.
// Spaces and dashes are ignored and any script's decimal digits are read
// (a Persian keyboard types ۱۲۳۴۵۶).
func VerifyTOTP(secret, code string, now time.Time, lastUsedStep int64) (int64, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return 0, err
	}
	code, ok := normalizeCode(code)
	if !ok {
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

// normalizeCode keeps the digits of code as ASCII, dropping spaces and
// dashes; it fails on anything else or on a wrong count.
func normalizeCode(code string) (string, bool) {
	var b strings.Builder
	for _, r := range code {
		switch {
		case unicode.IsSpace(r) || r == '-':
			continue
		case b.Len() == totpDigits:
			return "", false
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case unicode.Is(unicode.Nd, r):
			b.WriteByte('0' + digitValue(r))
		default:
			return "", false
		}
	}
	return b.String(), b.Len() == totpDigits
}

// digitValue is the value of a decimal digit (category Nd). Unicode encodes
// every script's decimal digits as runs of ten from zero to nine, so the
// value is the offset in the run, modulo ten.
func digitValue(r rune) byte {
	for _, rg := range unicode.Nd.R16 {
		if lo, hi := rune(rg.Lo), rune(rg.Hi); r >= lo && r <= hi {
			return byte((r - lo) / rune(rg.Stride) % 10)
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if lo, hi := rune(rg.Lo), rune(rg.Hi); r >= lo && r <= hi {
			return byte((r - lo) / rune(rg.Stride) % 10)
		}
	}
	return 0
}
